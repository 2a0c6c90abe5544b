#include "core/runtime/runtime.h"

#include "core/runtime/detail/process.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <queue>
#include <shared_mutex>
#include <spdlog/spdlog.h>
#include <stdexcept>
#include <thread>
#include <unordered_map>

namespace sc {

using namespace std::chrono_literals;
using detail::CallSlot;
using detail::Envelope;
using detail::Process;
using detail::ProcessKilled;
using Clock = std::chrono::steady_clock;

const char* processKindName(ProcessKind k)
{
    switch (k) {
    case ProcessKind::Worker:
        return "worker";
    case ProcessKind::Supervisor:
        return "supervisor";
    case ProcessKind::DynamicSupervisor:
        return "dynamic_supervisor";
    }
    return "worker";
}

const char* strategyName(Strategy s)
{
    switch (s) {
    case Strategy::OneForOne:
        return "one_for_one";
    case Strategy::OneForAll:
        return "one_for_all";
    case Strategy::RestForOne:
        return "rest_for_one";
    }
    return "one_for_one";
}

const char* processStatusName(ProcessStatus s)
{
    switch (s) {
    case ProcessStatus::Initializing:
        return "initializing";
    case ProcessStatus::Running:
        return "running";
    case ProcessStatus::Terminating:
        return "terminating";
    case ProcessStatus::Restarting:
        return "restarting";
    case ProcessStatus::Stuck:
        return "stuck";
    }
    return "running";
}

namespace {

/// The process whose callback this thread is running, if any.
thread_local Process* t_current = nullptr;

struct CurrentGuard {
    Process* saved;
    explicit CurrentGuard(Process* p)
        : saved(t_current)
    {
        t_current = p;
    }
    ~CurrentGuard() { t_current = saved; }
};

constexpr std::size_t kShards = 64;
constexpr std::size_t kMaxThreads = 1024;

/// An Exit, Down or Stop envelope's reason (normal if it has none).
const ExitReason& reasonOf(const Envelope& e)
{
    static const ExitReason normal = ExitReason::normal();
    return e.reason ? *e.reason : normal;
}

/// A Reply or ReplyError envelope as handle_info sees it.
Info replyInfo(const Envelope& e)
{
    Info i {Info::Kind::Reply, {}, e.from, {}, e.ref, {}};
    if (e.kind == Envelope::Kind::Reply)
        i.message = e.payload;
    else
        i.error = std::any_cast<const Error&>(e.payload);
    return i;
}

std::string exceptionReason(std::exception_ptr e)
{
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
        return "unknown exception";
    }
}

} // namespace

// ---------------------------------------------------------------------------
// -- scheduler --
//
// `target` active threads, each with a run queue of its own, plus a global
// queue for processes made runnable from outside the workers. A process
// woken by a callback runs next on the same thread (no wake-up through the
// kernel for a message and its answer); a thread with more than one
// runnable process wakes a sleeping one, which steals. A thread whose
// callback blocks (a call, a receive, or anything running past the stall
// threshold) hands its queue to the global one and stops counting as
// active, and a stand-in is woken or started, so one stuck callback never
// stalls the others. Surplus threads park.

namespace detail {

// -- the teaching gate --
//
// Slow motion and pause. Disengaged (pace 0, not paused) it costs the
// scheduler one relaxed load per slice. Engaged, a worker takes a ticket as
// it takes a process off the run queue (so tickets follow the queue's order)
// and waits for its turn between slices, where the watchdog does not look:
// one message per grant, grants in ticket order, never while another grant
// is held (its message is still being handled), and no sooner than `pace`
// after the last grant; while paused, only against a step token. A holder
// that blocks in a call or receive, or that the watchdog finds stalled,
// gives the gate up, so the process it waits for can be served.

class PaceGate {
public:
    enum class Pass : std::uint8_t { Free, Granted, Stopped };

    /// Pace above zero or paused; read relaxed by the scheduler once per slice.
    std::atomic<bool> engaged {false};

    /// Called with the run queue locked, right after taking a process off it.
    std::uint64_t takeTicket()
    {
        std::lock_guard lock(m_mutex);
        const std::uint64_t t = m_nextTicket++;
        m_tickets.push_back(t);
        return t;
    }

    /// Gives a ticket up unused (its process died before its turn).
    void cancel(std::uint64_t ticket)
    {
        {
            std::lock_guard lock(m_mutex);
            drop(ticket);
        }
        m_cv.notify_all();
    }

    /// Waits for the ticket's turn. Granted: handle one message, then
    /// release(grant). Free: the gate was disengaged meanwhile; run a normal
    /// slice. Stopped: the runtime is going away; handle nothing.
    Pass wait(std::uint64_t ticket, std::uint64_t& grant)
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            if (m_stopping || (!m_paused && m_pace.count() == 0)) {
                const Pass pass = m_stopping ? Pass::Stopped : Pass::Free;
                drop(ticket);
                lock.unlock();
                m_cv.notify_all();
                return pass;
            }
            if (m_tickets.front() != ticket || m_held != 0) {
                m_cv.wait(lock);
                continue;
            }
            const auto now = Clock::now();
            if (m_paused ? m_tokens == 0 : m_lastGrant && now < *m_lastGrant + m_pace) {
                if (m_paused)
                    m_cv.wait(lock);
                else
                    m_cv.wait_until(lock, *m_lastGrant + m_pace);
                continue;
            }
            m_tickets.pop_front();
            m_byToken = m_paused;
            if (m_byToken) --m_tokens;
            m_previousGrant = m_lastGrant;
            m_lastGrant = now;
            m_held = grant = m_nextGrant++;
            return Pass::Granted;
        }
    }

    /// Ends a grant (a no-op if it already ended). `used` false: no message
    /// was handled after all, so the token or the time slot is given back.
    void release(std::uint64_t grant, bool used)
    {
        {
            std::lock_guard lock(m_mutex);
            if (m_held != grant) return;
            m_held = 0;
            if (!used) {
                if (m_byToken && m_paused)
                    ++m_tokens;
                else if (!m_byToken)
                    m_lastGrant = m_previousGrant;
            }
        }
        m_cv.notify_all();
    }

    void setPace(std::chrono::milliseconds pace)
    {
        update([&] { m_pace = std::max(pace, std::chrono::milliseconds(0)); });
    }
    std::chrono::milliseconds pace() const
    {
        std::lock_guard lock(m_mutex);
        return m_pace;
    }
    void setPaused(bool paused)
    {
        update([&] {
            m_paused = paused;
            m_tokens = 0;
        });
    }
    bool paused() const
    {
        std::lock_guard lock(m_mutex);
        return m_paused;
    }
    void step()
    {
        update([&] {
            if (m_paused) ++m_tokens;
        });
    }
    /// Wakes every waiter for good: the runtime is shutting down.
    void stop()
    {
        update([&] { m_stopping = true; });
    }

private:
    template <typename F> void update(F change)
    {
        {
            std::lock_guard lock(m_mutex);
            change();
            engaged.store(m_paused || m_pace.count() > 0, std::memory_order_relaxed);
        }
        m_cv.notify_all();
    }
    void drop(std::uint64_t ticket)
    {
        auto it = std::find(m_tickets.begin(), m_tickets.end(), ticket);
        if (it != m_tickets.end()) m_tickets.erase(it);
    }

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::uint64_t> m_tickets; ///< waiting workers, oldest first
    std::uint64_t m_nextTicket = 1;
    std::uint64_t m_nextGrant = 1;
    std::uint64_t m_held = 0; ///< the grant whose message is being handled, or 0
    bool m_byToken = false; ///< the held grant used a step token
    // Unset until the first grant, which goes at once: the steady clock's
    // epoch is the machine's boot, so "the last grant was at time 0" would
    // make the first message wait out the pace on a machine up for less.
    std::optional<Clock::time_point> m_lastGrant;
    std::optional<Clock::time_point> m_previousGrant;
    std::chrono::milliseconds m_pace {0};
    bool m_paused = false;
    std::uint64_t m_tokens = 0;
    bool m_stopping = false;
};

class Scheduler {
public:
    /// A worker thread and its own run queue: `next`, the process it woke
    /// last (run next, so that a message and its answer stay on one core,
    /// as the BEAM keeps a woken process on the waker's run queue), then
    /// `queue`. Idle workers steal from the others' queues.
    struct Worker {
        std::atomic<int> state {0}; ///< 0: between callbacks, 1: in a callback, 2: compensated
        std::atomic<std::uint64_t> callbacks {0}; ///< callbacks begun; written by the owner only
        std::atomic<std::uint64_t> grant {0}; ///< the pace gate's grant it holds, or 0
        std::atomic<Pid> current {0}; ///< the process whose slice runs, for the watchdog's report
        std::atomic<bool> waiting {false}; ///< its callback waits in a call or receive: not stuck
        bool finished = false; ///< its loop returned; under m_workersMutex
        std::thread thread;
        // The watchdog's own notes: the callback it saw running, since when,
        // and the one it reported stuck (its process shown Stuck until it returns).
        std::uint64_t seenCallback = 0;
        // Not the clock's epoch: a slice caught before its first callback
        // counts (callbacks still 0) would otherwise have "run" since boot.
        Clock::time_point seenSince = Clock::now();
        std::uint64_t stuckCallback = 0;
        Pid stuckPid = 0;

        Lock mutex; ///< guards next and queue
        std::shared_ptr<Process> next;
        std::deque<std::shared_ptr<Process>> queue;
        std::atomic<int> count {0}; ///< next + queue: whether the owner has work
        /// queue alone: what others may steal. `next` is never stolen: its
        /// owner runs it as soon as the slice in progress ends, and a thief
        /// taking it would only split a conversation across two cores.
        std::atomic<int> stealable {0};
        /// After a change to next or queue, under `mutex`.
        void recount()
        {
            stealable.store(int(queue.size()), std::memory_order_relaxed);
            count.store(int(queue.size()) + (next ? 1 : 0), std::memory_order_relaxed);
        }
        unsigned nextStreak = 0; ///< owner only: slices taken from `next` in a row
        unsigned ticks = 0; ///< owner only: slices run, for the global queue's turn
    };

    Scheduler(Runtime::Impl& rt, unsigned target, std::chrono::milliseconds stall, std::chrono::milliseconds stuck)
        : m_rt(rt)
        , m_target(int(target))
        , m_stall(stall)
        , m_stuck(stuck)
    {
    }

    void start()
    {
        for (int i = 0; i < m_target; ++i)
            addWorker();
        m_watchdog = std::thread([this] { watchdog(); });
    }

    void stop()
    {
        m_gate.stop();
        {
            std::lock_guard lock(m_queueMutex);
            m_stopping = true;
        }
        m_queueCv.notify_all();
        {
            std::lock_guard lock(m_workersMutex);
            m_spareCv.notify_all();
        }
        {
            std::lock_guard lock(m_watchdogMutex); // no lost wake-up between its check and its wait
        }
        m_watchdogCv.notify_all();
        if (m_watchdog.joinable()) m_watchdog.join();
    }

    /// Joins every worker that finishes within `grace` and returns how many
    /// did not: each is inside a callback that has not returned, and its
    /// thread is detached. Call after stop(); what is left behind (this
    /// scheduler and its runtime) must then outlive those threads.
    int join(std::chrono::milliseconds grace)
    {
        std::unique_lock lock(m_workersMutex);
        m_finishedCv.wait_for(lock, grace, [this] {
            return std::all_of(m_workers.begin(), m_workers.end(), [](const auto& w) { return w->finished; });
        });
        std::vector<std::thread> done;
        int stuck = 0;
        for (auto& w : m_workers) {
            if (!w->thread.joinable()) continue;
            if (w->finished) {
                done.push_back(std::move(w->thread));
            } else {
                w->thread.detach();
                ++stuck;
            }
        }
        lock.unlock();
        for (auto& t : done)
            t.join();
        return stuck;
    }

    /// Makes a process runnable. From a worker's own callback it goes on
    /// that worker's queue: into `next` when it was just woken, at the back
    /// when it is the running process yielding after a full slice. From
    /// anywhere else (or while the pace gate is engaged, which wants one
    /// order for everyone) it goes on the global queue.
    void push(std::shared_ptr<Process> p, bool yielded = false)
    {
        Worker* w = t_worker;
        if (w && t_self == this && w->state.load(std::memory_order_relaxed) != 2
            && !m_gate.engaged.load(std::memory_order_relaxed)) {
            int n = 0;
            {
                std::lock_guard lock(w->mutex);
                if (yielded) {
                    w->queue.push_back(std::move(p));
                } else {
                    if (w->next) w->queue.push_back(std::move(w->next));
                    w->next = std::move(p);
                }
                w->recount(); // the unlock publishes it
                n = w->count.load(std::memory_order_relaxed);
            }
            // One runnable process is this thread's own next step; more are
            // work a sleeping thread could steal.
            if (n >= 2) wakeOne();
            return;
        }
        {
            std::lock_guard lock(m_queueMutex);
            m_queue.push_back(std::move(p));
            m_queued.store(int(m_queue.size()));
            if (m_sleepers.load() > 0) {
                ++m_wakeups;
                m_queueCv.notify_one();
            }
        }
    }

    /// The calling worker's callback is about to block.
    static void enterBlocking()
    {
        if (!t_worker) return;
        t_worker->waiting.store(true, std::memory_order_relaxed);
        if (t_worker->grant.load(std::memory_order_relaxed) != 0) { // a paced callback: let the others go
            if (const auto g = t_worker->grant.exchange(0, std::memory_order_relaxed)) t_self->m_gate.release(g, true);
        }
        int expected = 1;
        if (t_worker->state.compare_exchange_strong(expected, 2)) {
            t_self->spill(t_worker); // its queue must not wait for the call
            t_self->lostWorker();
        }
    }
    static void leaveBlocking()
    {
        if (!t_worker) return;
        t_worker->waiting.store(false, std::memory_order_relaxed);
        if (t_worker->state.exchange(1) == 2) t_self->m_active.fetch_add(1);
    }
    static void sliceBegin(Pid pid)
    {
        t_worker->current.store(pid, std::memory_order_relaxed);
        t_worker->state.store(1, std::memory_order_release);
    }
    /// No clock read here: the watchdog times a callback from when it first sees it.
    static void callbackBegin()
    {
        Worker* w = t_worker;
        w->callbacks.store(w->callbacks.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    static void sliceEnd()
    {
        callbackBegin(); // the last callback is over
        if (t_worker->state.exchange(0) == 2) t_self->m_active.fetch_add(1);
    }

    unsigned target() const { return unsigned(m_target); }
    PaceGate& gate() { return m_gate; }

private:
    void lostWorker()
    {
        if (m_active.fetch_sub(1) - 1 < m_target) addWorker();
    }

    void addWorker()
    {
        std::lock_guard lock(m_workersMutex);
        if (m_stopping) return;
        if (m_spares > 0) {
            m_active.fetch_add(1);
            --m_spares;
            ++m_wakeTokens;
            m_spareCv.notify_one();
            return;
        }
        if (m_workers.size() >= kMaxThreads) {
            spdlog::warn("runtime: {} threads in use; not starting another", m_workers.size());
            return;
        }
        m_active.fetch_add(1);
        auto w = std::make_unique<Worker>();
        Worker* raw = w.get();
        m_all[m_workers.size()].store(raw);
        m_workers.push_back(std::move(w));
        m_allCount.store(m_workers.size());
        raw->thread = std::thread([this, raw] {
            loop(raw);
            std::lock_guard lock(m_workersMutex);
            raw->finished = true;
            m_finishedCv.notify_all();
        });
    }

    void loop(Worker* w);
    void watchdog();

    /// The next process for `w`: its own queue (now and then the global
    /// one first, so that it is never starved), then the global queue,
    /// then another worker's. The pace gate's ticket is taken with it.
    std::shared_ptr<Process> take(Worker* w, std::uint64_t& ticket);
    std::shared_ptr<Process> takeLocal(Worker* w);
    std::shared_ptr<Process> takeGlobal(std::uint64_t& ticket);
    std::shared_ptr<Process> steal(Worker* thief);
    /// Waits until there may be work; false: the scheduler is stopping.
    bool sleep(Worker* w);
    /// Wakes a sleeping worker if there is one and no one is looking for work already.
    void wakeOne()
    {
        if (m_sleepers.load() == 0 || m_searching.load() > 0) return;
        std::lock_guard lock(m_queueMutex);
        if (m_sleepers.load() == 0) return;
        ++m_wakeups;
        m_queueCv.notify_one();
    }
    /// Moves a worker's queue to the global one (it blocks, stalls or parks).
    void spill(Worker* w)
    {
        std::deque<std::shared_ptr<Process>> moved;
        {
            std::lock_guard lock(w->mutex);
            if (w->next) moved.push_back(std::move(w->next));
            for (auto& p : w->queue)
                moved.push_back(std::move(p));
            w->queue.clear();
            w->recount();
        }
        if (moved.empty()) return;
        std::lock_guard lock(m_queueMutex);
        for (auto& p : moved)
            m_queue.push_back(std::move(p));
        m_queued.store(int(m_queue.size()));
        if (m_sleepers.load() > 0) {
            m_wakeups += int(moved.size());
            m_queueCv.notify_all();
        }
    }

    bool park()
    {
        std::unique_lock lock(m_workersMutex);
        ++m_spares;
        m_spareCv.wait(lock, [this] { return m_wakeTokens > 0 || m_stopping; });
        if (m_stopping) return false;
        --m_wakeTokens;
        return true;
    }

    Runtime::Impl& m_rt;
    const int m_target;
    const std::chrono::milliseconds m_stall;
    const std::chrono::milliseconds m_stuck;
    std::atomic<int> m_active {0};

    std::mutex m_queueMutex; ///< guards the global queue, m_wakeups and the sleepers' wait
    std::condition_variable m_queueCv;
    std::deque<std::shared_ptr<Process>> m_queue;
    std::atomic<int> m_queued {0}; ///< m_queue's size, read without the lock
    std::atomic<int> m_sleepers {0};
    std::atomic<int> m_searching {0};
    int m_wakeups = 0;
    std::atomic<bool> m_stopping {false}; ///< read under both mutexes, so atomic

    std::mutex m_workersMutex;
    std::condition_variable m_spareCv;
    std::condition_variable m_finishedCv;
    std::vector<std::unique_ptr<Worker>> m_workers;
    std::array<std::atomic<Worker*>, kMaxThreads> m_all {}; ///< every worker ever started, for thieves
    std::atomic<std::size_t> m_allCount {0};
    int m_spares = 0;
    int m_wakeTokens = 0;

    std::thread m_watchdog;
    std::mutex m_watchdogMutex;
    std::condition_variable m_watchdogCv;

    PaceGate m_gate;

    static thread_local Worker* t_worker;
    static thread_local Scheduler* t_self;
};

thread_local Scheduler::Worker* Scheduler::t_worker = nullptr;
thread_local Scheduler* Scheduler::t_self = nullptr;

// -- timers --

class Timers {
public:
    explicit Timers(Runtime::Impl& rt)
        : m_rt(rt)
        , m_thread([this] { loop(); })
    {
    }
    ~Timers() { stop(); }

    void stop()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_cv.notify_all();
        if (m_thread.joinable()) m_thread.join();
    }

    TimerRef schedule(Clock::time_point when, Pid to, Envelope e)
    {
        TimerRef ref;
        {
            std::lock_guard lock(m_mutex);
            ref = ++m_next;
            m_entries.emplace(ref, Entry {to, std::move(e)});
            m_heap.push({when, ref});
        }
        m_cv.notify_one();
        return ref;
    }

    bool cancel(TimerRef ref)
    {
        std::lock_guard lock(m_mutex);
        return m_entries.erase(ref) > 0;
    }

private:
    struct Entry {
        Pid to;
        Envelope envelope;
    };
    using Item = std::pair<Clock::time_point, TimerRef>;

    void loop();

    Runtime::Impl& m_rt;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> m_heap;
    std::unordered_map<TimerRef, Entry> m_entries;
    TimerRef m_next = 0;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace detail

// -- the snapshot table --

namespace detail {

SlotTable::~SlotTable()
{
    for (auto& c : m_chunks)
        delete[] c.load();
}

Slot* SlotTable::acquire(
    Pid pid, Pid parent, const std::string& path, ProcessKind kind, std::uint32_t restarts, std::uint32_t startOrder)
{
    Slot* slot = nullptr;
    {
        std::lock_guard lock(m_mutex);
        if (!m_free.empty()) {
            slot = m_free.back();
            m_free.pop_back();
        } else {
            const std::size_t index = m_used.load(std::memory_order_relaxed);
            const std::size_t chunk = index / kChunk;
            if (chunk >= kMaxChunks) return nullptr;
            if (!m_chunks[chunk].load(std::memory_order_relaxed))
                m_chunks[chunk].store(new Slot[kChunk], std::memory_order_release);
            slot = &m_chunks[chunk].load(std::memory_order_relaxed)[index % kChunk];
            m_used.store(index + 1, std::memory_order_release);
        }
    }
    slot->version.fetch_add(1, std::memory_order_acq_rel); // odd: being written
    const std::size_t len = std::min(path.size(), Slot::kPathWords * 8);
    for (std::size_t w = 0; w * 8 < len; ++w) {
        std::uint64_t word = 0;
        std::memcpy(&word, path.data() + w * 8, std::min<std::size_t>(8, len - w * 8));
        slot->path[w].store(word, std::memory_order_relaxed);
    }
    slot->pathLength.store(std::uint32_t(len), std::memory_order_relaxed);
    slot->parent.store(parent, std::memory_order_relaxed);
    slot->arrived.store(0, std::memory_order_relaxed);
    slot->taken.store(0, std::memory_order_relaxed);
    slot->peak.store(0, std::memory_order_relaxed);
    slot->restarts.store(restarts, std::memory_order_relaxed);
    slot->handled.store(0, std::memory_order_relaxed);
    slot->status.store(ProcessStatus::Initializing, std::memory_order_relaxed);
    slot->stuck.store(false, std::memory_order_relaxed);
    slot->kind.store(kind, std::memory_order_relaxed);
    slot->strategy.store(Strategy::OneForOne, std::memory_order_relaxed);
    slot->intensity.store(0, std::memory_order_relaxed);
    slot->periodMs.store(0, std::memory_order_relaxed);
    slot->startOrder.store(startOrder, std::memory_order_relaxed);
    for (auto& stamp : slot->recentRestartsNs)
        stamp.store(0, std::memory_order_relaxed);
    slot->pid.store(pid, std::memory_order_relaxed);
    slot->version.fetch_add(1, std::memory_order_release);
    m_live.fetch_add(1, std::memory_order_relaxed);
    return slot;
}

void SlotTable::vacate(Slot* slot)
{
    slot->version.fetch_add(1, std::memory_order_acq_rel);
    slot->pid.store(0, std::memory_order_relaxed);
    slot->version.fetch_add(1, std::memory_order_release);
    m_live.fetch_sub(1, std::memory_order_relaxed);
}

void SlotTable::release(Slot* slot)
{
    std::lock_guard lock(m_mutex);
    m_free.push_back(slot);
}

namespace {
/// A supervisor's restarts within its period before `nowNs`, from its newest-first stamps.
std::uint32_t restartsWithin(const Slot& slot, std::uint32_t periodMs, std::int64_t nowNs)
{
    const std::int64_t period = std::int64_t(periodMs) * 1'000'000;
    std::uint32_t n = 0;
    std::int64_t previous = 0;
    for (const auto& stamp : slot.recentRestartsNs) {
        const std::int64_t t = stamp.load(std::memory_order_acquire);
        if (t == 0 || nowNs - t > period) break;
        if (t != previous) ++n; // the same stamp twice: read while noteRestart shifted them
        previous = t;
    }
    return n;
}

/// Copies one slot under its seqlock; false if it is free (or kept changing).
bool readSlot(const Slot& slot, ProcessInfo& info, char* path, std::int64_t nowNs, bool takePeak)
{
    for (int attempt = 0; attempt < 4; ++attempt) {
        const std::uint32_t v1 = slot.version.load(std::memory_order_acquire);
        if (v1 & 1u) continue;
        info.pid = slot.pid.load(std::memory_order_relaxed);
        info.parent = slot.parent.load(std::memory_order_relaxed);
        const std::size_t len
            = std::min<std::size_t>(slot.pathLength.load(std::memory_order_relaxed), Slot::kPathWords * 8);
        for (std::size_t w = 0; w * 8 < len; ++w) {
            const std::uint64_t word = slot.path[w].load(std::memory_order_relaxed);
            std::memcpy(path + w * 8, &word, std::min<std::size_t>(8, len - w * 8));
        }
        std::atomic_thread_fence(std::memory_order_acquire);
        if (slot.version.load(std::memory_order_relaxed) != v1) continue;
        if (info.pid == 0) return false;
        info.kind = slot.kind.load(std::memory_order_relaxed);
        info.strategy = slot.strategy.load(std::memory_order_relaxed);
        info.startOrder = slot.startOrder.load(std::memory_order_relaxed);
        if (info.kind != ProcessKind::Worker) { // most rows have no supervisor fields to read
            info.intensity = slot.intensity.load(std::memory_order_relaxed);
            info.periodMs = slot.periodMs.load(std::memory_order_relaxed);
            info.restartsInWindow = restartsWithin(slot, info.periodMs, nowNs);
        }
        info.status = slot.stuck.load(std::memory_order_relaxed) ? ProcessStatus::Stuck
                                                                 : slot.status.load(std::memory_order_relaxed);
        // Taken first: a message is taken only after it arrived, so this never underflows.
        const auto taken = slot.taken.load(std::memory_order_acquire);
        info.mailbox = slot.arrived.load(std::memory_order_relaxed) - taken;
        // Most processes had no message since the last take: no write for them.
        std::uint32_t peak = slot.peak.load(std::memory_order_relaxed);
        if (takePeak && peak != 0) peak = slot.peak.exchange(0, std::memory_order_relaxed);
        info.mailboxPeak = std::max(peak, info.mailbox);
        info.restarts = slot.restarts.load(std::memory_order_relaxed);
        info.handled = slot.handled.load(std::memory_order_relaxed);
        info.path = std::string_view(nullptr, len);
        return true;
    }
    return false;
}
} // namespace

void SlotTable::read(Snapshot& out, const Slot* only, bool takePeaks) const
{
    out.processes.clear();
    out.m_paths.clear();
    std::vector<std::size_t> offsets;
    char buffer[Slot::kPathWords * 8];
    const std::int64_t nowNs
        = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
              .count();
    auto take = [&](const Slot& slot) {
        ProcessInfo info;
        if (!readSlot(slot, info, buffer, nowNs, takePeaks)) return;
        offsets.push_back(out.m_paths.size());
        out.m_paths.insert(out.m_paths.end(), buffer, buffer + info.path.size());
        out.processes.push_back(info);
    };
    if (only) {
        take(*only);
    } else {
        offsets.reserve(m_live.load(std::memory_order_relaxed) + 64);
        const std::size_t used = m_used.load(std::memory_order_acquire);
        for (std::size_t i = 0; i < used; ++i) {
            const Slot& slot = m_chunks[i / kChunk].load(std::memory_order_acquire)[i % kChunk];
            if (slot.pid.load(std::memory_order_relaxed) != 0) take(slot);
        }
    }
    const char* base = out.m_paths.data();
    for (std::size_t i = 0; i < out.processes.size(); ++i)
        out.processes[i].path = std::string_view(base + offsets[i], out.processes[i].path.size());
}

} // namespace detail

Snapshot& Snapshot::operator=(const Snapshot& other)
{
    if (this == &other) return *this;
    lastSeq = other.lastSeq;
    m_paths = other.m_paths;
    processes = other.processes;
    // Rows whose path lies in the other's storage point into ours; others
    // (a hand-built snapshot's) keep pointing where they did.
    const auto from = reinterpret_cast<std::uintptr_t>(other.m_paths.data());
    const auto end = from + other.m_paths.size();
    for (auto& p : processes) {
        const auto at = reinterpret_cast<std::uintptr_t>(p.path.data());
        if (!p.path.empty() && at >= from && at + p.path.size() <= end)
            p.path = std::string_view(m_paths.data() + (at - from), p.path.size());
    }
    return *this;
}

const ProcessInfo* Snapshot::find(Pid pid) const
{
    for (const auto& p : processes)
        if (p.pid == pid) return &p;
    return nullptr;
}

// ---------------------------------------------------------------------------

struct Runtime::Impl final : detail::ReplySink {
    Impl(std::shared_ptr<EventBus> bus, RuntimeOptions o)
        : slots()
        , events(std::move(bus))
        , options(o)
    {
    }

    detail::SlotTable slots; // first: outlives every process
    std::shared_ptr<EventBus> events;
    RuntimeOptions options;
    std::unique_ptr<detail::Scheduler> scheduler;
    std::unique_ptr<detail::Timers> timers;

    struct Shard {
        mutable std::shared_mutex mutex;
        std::unordered_map<Pid, std::shared_ptr<Process>> map;
    };
    std::array<Shard, kShards> shards;
    std::atomic<Pid> nextPid {1};
    std::atomic<std::uint64_t> nextRef {1};
    std::atomic<bool> shuttingDown {false};

    // Quiescence: processes queued, running or waiting, plus deaths being propagated.
    std::atomic<std::int64_t> busy {0};
    std::mutex quietMutex;
    std::condition_variable quietCv;

    mutable std::mutex registryMutex;
    std::unordered_map<std::string, Pid> registry;

    // -- table --
    Shard& shard(Pid pid) { return shards[pid % kShards]; }
    const Shard& shard(Pid pid) const { return shards[pid % kShards]; }

    std::shared_ptr<Process> find(Pid pid) const
    {
        if (pid == 0) return {};
        const Shard& s = shard(pid);
        std::shared_lock lock(s.mutex);
        auto it = s.map.find(pid);
        return it == s.map.end() ? nullptr : it->second;
    }

    void busyUp() { busy.fetch_add(1); }
    void busyDown()
    {
        if (busy.fetch_sub(1) == 1) {
            std::lock_guard lock(quietMutex);
            quietCv.notify_all();
        }
    }

    void publish(EventKind kind, const Process& p, std::string reason = {})
    {
        if (!events->hasSubscribers()) return; // no one to copy it for (stamping starts with the first)
        Event e;
        e.kind = kind;
        e.pid = p.pid;
        e.parent = p.parent;
        e.path = *p.path;
        e.reason = std::move(reason);
        events->publish(std::move(e));
    }

    /// The watchdog's report: a callback of `pid` has run for `ran` without
    /// returning (on), or it has returned at last (off).
    void markStuck(Pid pid, bool on, std::chrono::milliseconds ran)
    {
        auto p = find(pid);
        if (!p) return; // killed meanwhile: its exit says enough
        p->stats->stuck.store(on, std::memory_order_relaxed);
        if (on) {
            spdlog::warn(
                "runtime: {} ({}) stuck: a callback has not returned for {} ms", p->pid, *p->path, ran.count());
            publish(
                EventKind::Log, *p, "stuck: a callback has not returned for " + std::to_string(ran.count()) + " ms");
        } else {
            publish(EventKind::Log, *p, "no longer stuck: the callback returned");
        }
    }

    /// Runtime::hang on the process's own thread: blocks as a callback stuck
    /// in a loop would (the watchdog sees it run on), until the process is
    /// killed; die() wakes it. It does not keep the runtime from being
    /// quiescent: a scenario goes on past it.
    void hangUntilKilled(Process& p)
    {
        std::unique_lock lock(p.mutex);
        if (p.run == Process::Run::Dead) return;
        p.hanging = true;
        busyDown();
        if (!p.cv) p.cv = std::make_unique<std::condition_variable_any>();
        p.cv->wait(lock, [&] { return p.run == Process::Run::Dead; });
    }

    // -- messages --

    /// Runtime::describe: describeState() on the calling thread, between two
    /// of the process's messages, as OTP answers sys:get_state even from a
    /// suspended process. Nothing goes through the mailbox, so nothing is
    /// counted and no pace step is taken. A process in a callback finishes
    /// its slice first (its next one waits for this), within `timeout`.
    Result<std::string> describeBetweenMessages(Pid pid, std::chrono::milliseconds timeout)
    {
        const auto p = find(pid);
        if (!p) return Error {Errc::NoProc, {}};
        const auto now = Clock::now();
        const auto deadline = timeout >= std::chrono::duration_cast<std::chrono::milliseconds>(Clock::time_point::max() - now)
            ? Clock::time_point::max()
            : now + timeout;
        std::unique_lock lock(p->mutex);
        if (!p->cv) p->cv = std::make_unique<std::condition_variable_any>();
        ++p->borrowers; // from here no slice of it starts
        const auto done = [&] {
            if (--p->borrowers == 0) p->cv->notify_all();
        };
        while (p->run == Process::Run::Running) {
            if (p->cv->wait_until(lock, deadline) == std::cv_status::timeout && p->run == Process::Run::Running) {
                done();
                return Error {Errc::Timeout, {}};
            }
        }
        if (p->run == Process::Run::Dead) {
            done();
            return Error {Errc::NoProc, {}};
        }
        lock.unlock();
        Result<std::string> answer = Error {Errc::Exit, {}};
        try {
            answer = p->server->describeState();
        } catch (...) {
            answer = Error {Errc::Exit, exceptionReason(std::current_exception())};
        }
        lock.lock();
        done();
        return answer;
    }

    /// One more message in the mailbox; `queued`, what now waits in the
    /// senders' chain, raises the peak. That chain is at hand under the lock,
    /// where the owner's count (`taken`) would cost every send a cache miss
    /// in a flood; it leaves out what the owner already took in hand for its
    /// slice, so a flood shows at least half its height (all of it when the
    /// process was busy or paused meanwhile). Senders hold the process's
    /// lock, so they do not race each other; a snapshot taking the peak
    /// meanwhile at worst loses this one.
    static void noteArrival(detail::Slot& s, std::size_t queued)
    {
        s.arrived.fetch_add(1, std::memory_order_relaxed);
        const auto length = static_cast<std::uint32_t>(std::min<std::size_t>(queued, UINT32_MAX));
        if (length > s.peak.load(std::memory_order_relaxed)) s.peak.store(length, std::memory_order_relaxed);
    }

    /// Appends to the mailbox and makes the process runnable if it was idle.
    void enqueue(const std::shared_ptr<Process>& p, Envelope&& e, bool front = false)
    {
        bool schedule = false;
        {
            std::lock_guard lock(p->mutex);
            if (p->run == Process::Run::Dead) return;
            if (front) // a continue, from the owner: before anything else
                p->inbox.push_front(std::move(e));
            else
                p->mailbox.push_back(std::move(e));
            noteArrival(*p->stats, p->mailbox.size());
            if (p->run == Process::Run::Idle) {
                p->run = Process::Run::Queued;
                busyUp();
                schedule = true;
            } else if (p->waiting) {
                p->cv->notify_all(); // a describe may wait on it too
            }
        }
        if (schedule) scheduler->push(p);
    }

    /// An asynchronous request's answer: the server no longer watches for
    /// it, and the caller gets it as a Reply message.
    void answered(CallSlot& slot, std::optional<Term> value, std::optional<Error> error) override
    {
        if (auto server = find(slot.server)) {
            std::lock_guard lock(server->mutex);
            auto& ws = server->requests;
            // Answers come mostly in the order asked: the oldest is near the front.
            auto it
                = std::find_if(ws.begin(), ws.end(), [&](const detail::Watcher& w) { return w.ref == slot.requestId; });
            if (it != ws.end()) {
                *it = std::move(ws.back());
                ws.pop_back();
            }
        }
        if (auto caller = find(slot.replyTo)) {
            Envelope e;
            e.kind = value ? Envelope::Kind::Reply : Envelope::Kind::ReplyError;
            e.payload = value ? std::move(*value) : Term(std::move(*error));
            e.from = slot.server;
            e.ref = slot.requestId;
            enqueue(caller, std::move(e));
        }
    }

    void send(Pid to, Envelope&& e)
    {
        if (t_current && t_current->dead.load()) return; // a killed process's late actions are void
        if (to == 0) return;
        // Enqueued under the table's shared lock, which keeps the process
        // alive: no reference count to take and drop, a contended line when
        // many send to one.
        const Shard& s = shard(to);
        std::shared_lock lock(s.mutex);
        auto it = s.map.find(to);
        if (it != s.map.end()) enqueue(it->second, std::move(e));
    }

    // -- death --

    /// Ends a process now, from any thread: it is dead for everyone when this
    /// returns (names released, links and monitors signalled). A callback
    /// still running for it finishes as a ghost whose effects are dropped.
    bool die(const std::shared_ptr<Process>& p, const ExitReason& reason)
    {
        std::vector<Pid> links;
        std::vector<detail::Watcher> watchers;
        detail::Chain<Envelope> dropped;
        std::shared_ptr<CallSlot> pendingCall;
        {
            std::lock_guard lock(p->mutex);
            if (p->run == Process::Run::Dead) return false;
            busyUp(); // the propagation below keeps the runtime busy
            if (p->run != Process::Run::Idle && !p->hanging) busyDown();
            p->run = Process::Run::Dead;
            p->dead.store(true);
            links.swap(p->links);
            watchers.swap(p->watchers);
            watchers.insert(watchers.end(), std::make_move_iterator(p->requests.begin()),
                std::make_move_iterator(p->requests.end()));
            p->requests.clear();
            dropped.swap(p->mailbox);
            pendingCall = std::move(p->pendingCall);
            if (p->cv) p->cv->notify_all();
        }
        if (pendingCall) pendingCall->fail(Error {Errc::NoProc, "the caller was killed"});
        slots.vacate(p->stats);
        publish(EventKind::Exit, *p, reason.toString());
        releaseNames(*p);
        {
            Shard& s = shard(p->pid);
            std::unique_lock lock(s.mutex);
            s.map.erase(p->pid);
        }
        for (Pid l : links) {
            if (auto lp = find(l)) {
                {
                    std::lock_guard lock(lp->mutex);
                    std::erase(lp->links, p->pid);
                }
                exitSignal(lp, p->pid, reason, false);
            }
        }
        for (auto& w : watchers) {
            if (w.slot) {
                w.slot->fail(Error {Errc::Exit, reason.toString()});
            } else if (auto wp = find(w.watcher)) {
                Envelope e;
                e.kind = Envelope::Kind::Down;
                e.from = p->pid;
                e.reason = std::make_unique<ExitReason>(reason);
                e.ref = w.ref;
                enqueue(wp, std::move(e));
            }
        }
        busyDown();
        return true;
    }

    /// An exit signal arriving at `target`, as Erlang handles it on receipt.
    void exitSignal(const std::shared_ptr<Process>& target, Pid from, const ExitReason& reason, bool kill)
    {
        if (kill) {
            die(target, ExitReason::killed());
        } else if (target->trapExit.load()) {
            Envelope e;
            e.kind = Envelope::Kind::Exit;
            e.from = from;
            e.reason = std::make_unique<ExitReason>(reason);
            enqueue(target, std::move(e));
        } else if (!reason.isNormal()) {
            die(target, reason);
        }
    }

    /// terminate(reason) on the owning thread, then death.
    void terminateAndDie(const std::shared_ptr<Process>& p, ExitReason reason)
    {
        p->stats->status.store(ProcessStatus::Terminating);
        try {
            p->server->terminate(reason);
        } catch (const ProcessKilled&) {
            return;
        } catch (...) {
            reason = ExitReason::error(exceptionReason(std::current_exception()));
        }
        die(p, reason);
    }

    // -- registry --

    Status registerEntry(const std::string& key, const std::string& display, Pid pid)
    {
        auto p = find(pid);
        std::lock_guard lock(registryMutex);
        if (!p || p->dead.load()) return Error {Errc::NoProc, display};
        const bool plainName = key.find('\0') == std::string::npos;
        if (plainName) {
            // One name per process, as erlang:register/2 allows.
            for (const auto& own : p->names)
                if (own.find('\0') == std::string::npos)
                    return Error {Errc::AlreadyRegistered, "the process is already registered as " + own, pid};
        }
        auto [it, inserted] = registry.emplace(key, pid);
        if (!inserted) return Error {Errc::AlreadyRegistered, display, it->second};
        p->names.push_back(key);
        Event e;
        e.kind = EventKind::Register;
        e.pid = pid;
        e.path = *p->path;
        e.name = display;
        events->publish(std::move(e));
        return Ok {};
    }

    Status unregisterEntry(const std::string& key, const std::string& display)
    {
        std::lock_guard lock(registryMutex);
        auto it = registry.find(key);
        if (it == registry.end()) return Error {Errc::NotFound, display};
        Pid pid = it->second;
        registry.erase(it);
        std::string path;
        if (auto p = find(pid)) {
            std::erase(p->names, key);
            path = *p->path;
        }
        Event e;
        e.kind = EventKind::Unregister;
        e.pid = pid;
        e.path = std::move(path);
        e.name = display;
        events->publish(std::move(e));
        return Ok {};
    }

    void releaseNames(Process& p)
    {
        std::lock_guard lock(registryMutex);
        for (const auto& key : p.names) {
            registry.erase(key);
            Event e;
            e.kind = EventKind::Unregister;
            e.pid = p.pid;
            e.path = *p.path;
            e.name = displayName(key);
            events->publish(std::move(e));
        }
        p.names.clear();
    }

    static std::string keyOf(const std::string& registry, const std::string& key) { return registry + '\0' + key; }
    static std::string displayName(const std::string& key)
    {
        std::string s = key;
        std::replace(s.begin(), s.end(), '\0', '/');
        return s;
    }

    /// Sends a Call or Stop envelope and waits for its answer, the
    /// target's death (Errc::Exit) or the timeout.
    Result<Term> request(Pid to, Envelope e, std::chrono::milliseconds timeout);

    // -- running --

    void runSlice(const std::shared_ptr<Process>& p);
    /// A slice under the pace gate: one message (stale idle timeouts ride
    /// along for free; describe never enters the mailbox); false if there
    /// was none to handle.
    bool runOne(const std::shared_ptr<Process>& p);
    void dispatch(const std::shared_ptr<Process>& p, Envelope& e);
    void apply(const std::shared_ptr<Process>& p, Next& n, const std::shared_ptr<CallSlot>& callSlot);
    void armTimeout(const std::shared_ptr<Process>& p, std::chrono::milliseconds ms);
    /// Handles the process's messages, up to a batch, or until `last(envelope)`
    /// says the one about to be handled is the last.
    template <typename Last> void runMessages(const std::shared_ptr<Process>& p, Last last);
    /// Moves a process owned by this thread to Idle or back onto the run
    /// queue; `yielded`: it used up a slice, so it goes to the back.
    void release(const std::shared_ptr<Process>& p, bool yielded = false);
};

namespace detail {

void Scheduler::loop(Worker* w)
{
    t_worker = w;
    t_self = this;
    for (;;) {
        int a = m_active.load();
        if (a > m_target) {
            if (m_active.compare_exchange_weak(a, a - 1)) {
                spill(w);
                if (!park()) return;
            }
            continue;
        }
        std::uint64_t ticket = 0;
        std::shared_ptr<Process> p = take(w, ticket);
        if (!p) {
            if (!sleep(w)) return;
            continue;
        }
        if (ticket == 0) {
            m_rt.runSlice(p);
            // Work is waiting behind this thread while another sleeps: wake it to steal.
            if (w->count.load(std::memory_order_relaxed) >= 2) wakeOne();
            continue;
        }
        // Slow motion or paused: wait for the gate here, outside any slice.
        if (p->dead.load()) {
            m_gate.cancel(ticket);
            continue;
        }
        std::uint64_t grant = 0;
        switch (m_gate.wait(ticket, grant)) {
        case PaceGate::Pass::Free:
            m_rt.runSlice(p);
            break;
        case PaceGate::Pass::Stopped:
            break;
        case PaceGate::Pass::Granted: {
            w->grant.store(grant, std::memory_order_relaxed);
            const bool used = m_rt.runOne(p);
            if (w->grant.exchange(0, std::memory_order_relaxed) == grant) m_gate.release(grant, used);
            break;
        }
        }
    }
}

std::shared_ptr<Process> Scheduler::take(Worker* w, std::uint64_t& ticket)
{
    std::shared_ptr<Process> p;
    if (++w->ticks % 61 == 0 && m_queued.load(std::memory_order_relaxed) > 0) p = takeGlobal(ticket);
    if (!p) p = takeLocal(w);
    if (!p && m_queued.load() > 0) p = takeGlobal(ticket);
    if (!p) {
        m_searching.fetch_add(1);
        p = steal(w);
        m_searching.fetch_sub(1);
    }
    if (p && ticket == 0 && m_gate.engaged.load(std::memory_order_relaxed)) ticket = m_gate.takeTicket();
    return p;
}

std::shared_ptr<Process> Scheduler::takeLocal(Worker* w)
{
    if (w->count.load(std::memory_order_relaxed) == 0) return nullptr;
    std::shared_ptr<Process> p;
    std::lock_guard lock(w->mutex);
    // `next` first, but not for ever: two processes answering each other
    // must not starve the rest of the queue.
    if (w->next && (w->nextStreak < 16 || w->queue.empty())) {
        p = std::move(w->next);
        ++w->nextStreak;
    } else if (!w->queue.empty()) {
        p = std::move(w->queue.front());
        w->queue.pop_front();
        w->nextStreak = 0;
    }
    w->recount();
    return p;
}

std::shared_ptr<Process> Scheduler::takeGlobal(std::uint64_t& ticket)
{
    std::lock_guard lock(m_queueMutex);
    if (m_queue.empty()) return nullptr;
    auto p = std::move(m_queue.front());
    m_queue.pop_front();
    m_queued.store(int(m_queue.size()));
    // Under the queue's lock, so that tickets follow the queue's order.
    if (m_gate.engaged.load(std::memory_order_relaxed)) ticket = m_gate.takeTicket();
    return p;
}

std::shared_ptr<Process> Scheduler::steal(Worker* thief)
{
    const std::size_t n = m_allCount.load();
    const std::size_t start = std::size_t(reinterpret_cast<std::uintptr_t>(thief) >> 6);
    for (std::size_t i = 0; i < n; ++i) {
        Worker* v = m_all[(start + i) % n].load();
        if (v == nullptr || v == thief || v->stealable.load(std::memory_order_relaxed) == 0) continue;
        std::shared_ptr<Process> p;
        std::vector<std::shared_ptr<Process>> half;
        {
            std::lock_guard lock(v->mutex);
            if (!v->queue.empty()) {
                // The oldest one to run now, and half of the rest to keep.
                p = std::move(v->queue.front());
                v->queue.pop_front();
                for (std::size_t k = v->queue.size() / 2; k > 0; --k) {
                    half.push_back(std::move(v->queue.front()));
                    v->queue.pop_front();
                }
            }
            v->recount();
        }
        if (!half.empty()) {
            std::lock_guard lock(thief->mutex);
            for (auto& h : half)
                thief->queue.push_back(std::move(h));
            thief->recount();
        }
        if (p) return p;
    }
    return nullptr;
}

bool Scheduler::sleep(Worker* w)
{
    // Registered as a sleeper first, then one last look: a push that saw no
    // sleeper is found here, and one that comes later sees this sleeper.
    m_sleepers.fetch_add(1);
    bool work = m_queued.load() > 0 || w->count.load() > 0;
    const std::size_t n = m_allCount.load();
    for (std::size_t i = 0; i < n && !work; ++i) {
        Worker* v = m_all[i].load();
        work = v != nullptr && v != w && v->stealable.load() > 0;
    }
    if (work) {
        m_sleepers.fetch_sub(1);
        return !m_stopping.load();
    }
    std::unique_lock lock(m_queueMutex);
    m_queueCv.wait(lock, [this] { return m_stopping || !m_queue.empty() || m_wakeups > 0; });
    m_sleepers.fetch_sub(1);
    if (m_wakeups > 0) --m_wakeups;
    return !m_stopping;
}

void Scheduler::watchdog()
{
    std::unique_lock lock(m_watchdogMutex);
    for (;;) {
        if (m_watchdogCv.wait_for(lock, m_stall / 4, [this] { return m_stopping.load(); })) return;
        const auto now = Clock::now();
        std::vector<Worker*> stalled;
        std::vector<std::pair<Pid, std::chrono::milliseconds>> stuck;
        std::vector<Pid> unstuck;
        {
            std::lock_guard wl(m_workersMutex);
            for (auto& w : m_workers) {
                const auto callback = w->callbacks.load(std::memory_order_relaxed);
                const int state = w->state.load();
                if (w->stuckPid != 0 && callback != w->stuckCallback) { // it returned at last
                    unstuck.push_back(w->stuckPid);
                    w->stuckPid = 0;
                }
                // Between callbacks, a new one, or one waiting in a call or
                // receive (which has its own timeout): time it from now.
                if (state == 0 || callback != w->seenCallback || w->waiting.load(std::memory_order_relaxed)) {
                    w->seenCallback = callback;
                    w->seenSince = now;
                    continue;
                }
                const auto ran = now - w->seenSince;
                int expected = 1;
                if (ran >= m_stall && w->state.compare_exchange_strong(expected, 2)) stalled.push_back(w.get());
                if (ran >= m_stuck && w->stuckPid == 0 && w->stuckCallback != callback) {
                    w->stuckCallback = callback;
                    w->stuckPid = w->current.load(std::memory_order_relaxed);
                    stuck.emplace_back(w->stuckPid, std::chrono::duration_cast<std::chrono::milliseconds>(ran));
                }
            }
        }
        for (Worker* w : stalled) {
            // A stalled callback must not hold the pace gate shut for everyone.
            if (const auto g = w->grant.exchange(0, std::memory_order_relaxed)) m_gate.release(g, true);
            spill(w);
            lostWorker();
        }
        lock.unlock(); // the report publishes an event: no lock of ours held
        for (Pid pid : unstuck)
            m_rt.markStuck(pid, false, {});
        for (auto [pid, ran] : stuck)
            m_rt.markStuck(pid, true, ran);
        lock.lock();
    }
}

void Timers::loop()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        if (m_stopping) return;
        if (m_heap.empty()) {
            m_cv.wait(lock);
            continue;
        }
        auto [when, ref] = m_heap.top();
        if (Clock::now() < when) {
            m_cv.wait_until(lock, when);
            continue;
        }
        m_heap.pop();
        auto it = m_entries.find(ref);
        if (it == m_entries.end()) continue;
        Entry entry = std::move(it->second);
        m_entries.erase(it);
        lock.unlock();
        if (auto p = m_rt.find(entry.to)) m_rt.enqueue(p, std::move(entry.envelope));
        lock.lock();
    }
}

} // namespace detail

void Runtime::Impl::runSlice(const std::shared_ptr<Process>& p)
{
    runMessages(p, [](const Envelope&) { return false; });
}

bool Runtime::Impl::runOne(const std::shared_ptr<Process>& p)
{
    bool used = false;
    runMessages(p, [&](const Envelope& e) {
        // A stale idle timeout is not a step of the cascade: it must not use
        // up the step the teacher asked for.
        used = !(e.kind == Envelope::Kind::Timeout && e.ref != p->timeoutGeneration);
        return used;
    });
    return used;
}

template <typename Last> void Runtime::Impl::runMessages(const std::shared_ptr<Process>& p, Last last)
{
    {
        std::unique_lock lock(p->mutex);
        while (p->borrowers > 0) // a describe reads its state: a moment
            p->cv->wait(lock);
        if (p->run != Process::Run::Queued) return;
        p->run = Process::Run::Running;
        if (p->inbox.empty()) p->inbox.swap(p->mailbox); // saves the loop a lock
    }
    CurrentGuard current(p.get());
    detail::Scheduler::sliceBegin(p->pid);
    for (unsigned i = 0; i < options.maxBatch; ++i) {
        if (p->inbox.empty()) {
            std::lock_guard lock(p->mutex);
            if (p->run == Process::Run::Dead) break;
            if (p->mailbox.empty()) {
                p->run = Process::Run::Idle;
                if (p->borrowers > 0) p->cv->notify_all(); // a describe waits for this
                busyDown();
                detail::Scheduler::sliceEnd();
                return;
            }
            p->inbox.swap(p->mailbox);
        }
        if (p->dead.load()) break;
        Envelope e = std::move(p->inbox.front());
        p->inbox.pop_front();
        p->stats->bump(p->stats->taken);
        const bool stop = last(e);
        detail::Scheduler::callbackBegin();
        dispatch(p, e);
        if (stop || p->dead.load()) break;
    }
    detail::Scheduler::sliceEnd();
    release(p, true);
}

void Runtime::Impl::release(const std::shared_ptr<Process>& p, bool yielded)
{
    bool requeue = false;
    {
        std::lock_guard lock(p->mutex);
        if (p->run != Process::Run::Running) return;
        if (p->mailbox.empty() && p->inbox.empty()) {
            p->run = Process::Run::Idle;
            busyDown();
        } else {
            p->run = Process::Run::Queued;
            requeue = true;
        }
        if (p->borrowers > 0) p->cv->notify_all(); // a describe waits for this
    }
    if (requeue) scheduler->push(p, yielded);
}

void Runtime::Impl::dispatch(const std::shared_ptr<Process>& p, Envelope& e)
{
    GenServer& s = *p->server;
    if (e.kind == Envelope::Kind::Timeout) {
        if (e.ref != p->timeoutGeneration) return; // a message arrived since: this timeout is stale
    } else {
        ++p->timeoutGeneration; // any message cancels the idle timeout
    }
    std::optional<Next> next; // made in place from the callback's answer, not assigned over a blank one
    std::shared_ptr<CallSlot> callSlot;
    try {
        switch (e.kind) {
        case Envelope::Kind::Message:
            next.emplace(s.handleInfo(Info {Info::Kind::Message, std::move(e.payload), 0, {}, 0, {}}));
            break;
        case Envelope::Kind::Cast:
            next.emplace(s.handleCast(e.payload));
            break;
        case Envelope::Kind::Call:
            callSlot = e.slot;
            next.emplace(s.handleCall(e.payload, From(e.slot)));
            break;
        case Envelope::Kind::Exit:
            if (e.from != 0 && e.from == p->parent) {
                // gen_server: a trapped exit from the parent ends the process with that reason.
                p->stats->bump(p->stats->handled);
                terminateAndDie(p, reasonOf(e));
                return;
            }
            next.emplace(s.handleInfo(Info {Info::Kind::Exit, {}, e.from, reasonOf(e), 0, {}}));
            break;
        case Envelope::Kind::Down:
            next.emplace(s.handleInfo(Info {Info::Kind::Down, {}, e.from, reasonOf(e), e.ref, {}}));
            break;
        case Envelope::Kind::Timeout:
            next.emplace(s.handleInfo(Info {Info::Kind::Timeout, {}, 0, {}, 0, {}}));
            break;
        case Envelope::Kind::Continue:
            next.emplace(s.handleContinue(e.payload));
            break;
        case Envelope::Kind::Stop:
            terminateAndDie(p, reasonOf(e));
            return;
        case Envelope::Kind::Crash:
            throw std::runtime_error(std::any_cast<const std::string&>(e.payload));
        case Envelope::Kind::Hang:
            hangUntilKilled(*p);
            return;
        case Envelope::Kind::Reply:
            next.emplace(s.handleInfo(Info {Info::Kind::Reply, std::move(e.payload), e.from, {}, e.ref, {}}));
            break;
        case Envelope::Kind::ReplyError:
            next.emplace(s.handleInfo(replyInfo(e)));
            break;
        }
    } catch (const ProcessKilled&) {
        return;
    } catch (...) {
        // Let it crash: the exception ends this process, and only it.
        terminateAndDie(p, ExitReason::error(exceptionReason(std::current_exception())));
        return;
    }
    p->stats->bump(p->stats->handled);
    apply(p, *next, callSlot);
}

void Runtime::Impl::apply(const std::shared_ptr<Process>& p, Next& n, const std::shared_ptr<CallSlot>& callSlot)
{
    if (p->dead.load()) return; // killed while the callback ran: whatever it asked for is void
    if (n.m_reply && callSlot) callSlot->fill(std::move(*n.m_reply));
    if (n.m_stop) {
        terminateAndDie(p, *n.m_stop);
        return;
    }
    if (n.m_continue) {
        Envelope e;
        e.kind = Envelope::Kind::Continue;
        e.payload = std::move(*n.m_continue);
        enqueue(p, std::move(e), true);
    }
    if (n.m_timeout) armTimeout(p, *n.m_timeout);
}

void Runtime::Impl::armTimeout(const std::shared_ptr<Process>& p, std::chrono::milliseconds ms)
{
    Envelope e;
    e.kind = Envelope::Kind::Timeout;
    e.ref = p->timeoutGeneration;
    timers->schedule(Clock::now() + ms, p->pid, std::move(e));
}

// ---------------------------------------------------------------------------

Runtime::Runtime(RuntimeOptions options)
    : m_events(std::make_shared<EventBus>())
    , d(std::make_unique<Impl>(m_events, options))
{
    unsigned n = options.workers ? options.workers : std::max(1u, std::thread::hardware_concurrency());
    n = std::min<unsigned>(n, kMaxThreads);
    if (d->options.maxBatch == 0) d->options.maxBatch = 1;
    d->scheduler = std::make_unique<detail::Scheduler>(*d, n, options.stallThreshold, options.stuckAfter);
    d->timers = std::make_unique<detail::Timers>(*d);
    d->scheduler->start();
}

Runtime::~Runtime()
{
    d->shuttingDown.store(true);
    d->scheduler->gate().stop(); // nothing waits on a pause or a pace from here on
    d->timers->stop();
    // Kill from the leaves up is not needed: a supervisor's reaction to a
    // child's exit is a message, and messages are dropped once everything is dead.
    for (;;) {
        std::vector<std::shared_ptr<Process>> all;
        for (auto& s : d->shards) {
            std::shared_lock lock(s.mutex);
            for (auto& [pid, p] : s.map)
                all.push_back(p);
        }
        if (all.empty()) break;
        for (auto& p : all)
            d->die(p, ExitReason::killed());
    }
    d->scheduler->stop();
    if (const int stuck = d->scheduler->join(d->options.shutdownGrace)) {
        // A thread cannot be stopped from outside. What it may touch when
        // its callback returns stays allocated, reachable from here for
        // leak checkers, and it exits once it looks for work again.
        spdlog::error("runtime: {} callback(s) still running {} ms after shutdown; their thread(s) are left behind",
            stuck, d->options.shutdownGrace.count());
        static std::mutex abandonedMutex;
        static auto* abandoned = new std::vector<Impl*>; // never destroyed: the threads may outlive main
        std::lock_guard lock(abandonedMutex);
        abandoned->push_back(d.release());
    }
}

unsigned Runtime::workerCount() const
{
    return d->scheduler->target();
}

void Runtime::setPace(std::chrono::milliseconds perMessage)
{
    d->scheduler->gate().setPace(perMessage);
}

std::chrono::milliseconds Runtime::pace() const
{
    return d->scheduler->gate().pace();
}

void Runtime::setPaused(bool paused)
{
    d->scheduler->gate().setPaused(paused);
}

bool Runtime::isPaused() const
{
    return d->scheduler->gate().paused();
}

void Runtime::stepOne()
{
    d->scheduler->gate().step();
}

Pid Runtime::self()
{
    return t_current ? t_current->pid : 0;
}

Result<Pid> Runtime::spawn(std::unique_ptr<GenServer> server, SpawnOptions options)
{
    Process* caller = t_current;
    if (caller && caller->dead.load()) throw ProcessKilled {}; // a ghost's spawn is void; unwind it
    if (d->shuttingDown.load()) return Error {Errc::NoProc, "the runtime is shutting down"};
    auto p = std::make_shared<Process>();
    p->pid = d->nextPid.fetch_add(1);
    p->parent = options.parent ? options.parent : (options.link && caller ? caller->pid : 0);
    p->path = std::make_shared<const std::string>(
        options.path.empty() ? "<" + std::to_string(p->pid) + ">" : std::move(options.path));
    p->stats = d->slots.acquire(p->pid, p->parent, *p->path, server->kind(), options.restarts, options.startOrder);
    if (!p->stats) return Error {Errc::NoProc, "the process table is full"};
    p->slotTable = &d->slots;
    server->m_runtime = this;
    server->m_self = p->pid;
    server->m_process = p.get();
    p->server = std::move(server);
    d->busyUp(); // owned by this thread until init returns
    {
        auto& s = d->shard(p->pid);
        std::unique_lock lock(s.mutex);
        s.map.emplace(p->pid, p);
    }
    d->publish(EventKind::Spawn, *p);
    if (options.link && caller && !link(caller->pid, p->pid) && caller->dead.load()) {
        // The caller was killed since the check above: its spawn is void,
        // and a child it could not link to must not live on as an orphan.
        d->die(p, ExitReason::killed());
        throw ProcessKilled {};
    }

    Next next;
    std::optional<ExitReason> failure;
    {
        CurrentGuard current(p.get());
        try {
            next = p->server->init();
        } catch (const ProcessKilled&) {
            failure = ExitReason::killed();
        } catch (...) {
            failure = ExitReason::error(exceptionReason(std::current_exception()));
        }
    }
    if (p->dead.load()) return Error {Errc::StartFailed, "killed"};
    if (failure) {
        d->die(p, *failure);
        return Error {Errc::StartFailed, failure->toString()};
    }
    if (next.m_ignore) {
        d->die(p, ExitReason::normal());
        return Error {Errc::Ignore, {}};
    }
    if (next.m_stop) {
        d->die(p, *next.m_stop);
        return Error {Errc::StartFailed, next.m_stop->toString()};
    }
    p->stats->status.store(ProcessStatus::Running);
    {
        bool announce = false;
        {
            std::lock_guard lock(p->mutex);
            announce = !p->startAnnounced && p->run != Process::Run::Dead;
            p->startAnnounced = true;
        }
        if (announce) d->publish(EventKind::Start, *p);
    }
    if (next.m_continue) {
        Envelope e;
        e.kind = Envelope::Kind::Continue;
        e.payload = std::move(*next.m_continue);
        d->enqueue(p, std::move(e), true);
    }
    if (next.m_timeout) d->armTimeout(p, *next.m_timeout);
    // Started: from here on a death is an exit like any other, seen through links.
    d->release(p);
    return p->pid;
}

bool Runtime::isAlive(Pid pid) const
{
    auto p = d->find(pid);
    return p && !p->dead.load();
}

void Runtime::send(Pid to, Term message)
{
    Envelope e;
    e.kind = Envelope::Kind::Message;
    e.payload = std::move(message);
    e.from = self();
    d->send(to, std::move(e));
}

void Runtime::cast(Pid to, Term message)
{
    Envelope e;
    e.kind = Envelope::Kind::Cast;
    e.payload = std::move(message);
    e.from = self();
    d->send(to, std::move(e));
}

void Runtime::crash(Pid target, std::string what)
{
    Envelope e;
    e.kind = Envelope::Kind::Crash;
    e.payload = std::move(what);
    e.from = self();
    d->send(target, std::move(e));
}

void Runtime::hang(Pid target)
{
    Envelope e;
    e.kind = Envelope::Kind::Hang;
    e.from = self();
    d->send(target, std::move(e));
}

namespace {

/// Waits for a slot as a call does: compensating the worker, unwinding if the
/// calling process is killed meanwhile.
Result<Term> waitSlot(Process* caller, CallSlot& slot, std::chrono::milliseconds timeout)
{
    const auto deadline = timeout >= std::chrono::hours(24 * 365) ? Clock::time_point::max() : Clock::now() + timeout;
    std::unique_lock lock(slot.mutex);
    if (!slot.done) {
        detail::Scheduler::enterBlocking();
        if (deadline == Clock::time_point::max())
            slot.cv.wait(lock, [&] { return slot.done; });
        else
            slot.cv.wait_until(lock, deadline, [&] { return slot.done; });
        detail::Scheduler::leaveBlocking();
    }
    if (caller && caller->dead.load()) throw ProcessKilled {};
    if (!slot.done) {
        slot.done = true; // a late reply is dropped
        return Error {Errc::Timeout, {}};
    }
    if (slot.error) return *slot.error;
    return std::move(*slot.value);
}

} // namespace

Result<Term> Runtime::Impl::request(Pid to, Envelope e, std::chrono::milliseconds timeout)
{
    Process* caller = t_current;
    auto target = find(to);
    if (!target) return Error {Errc::NoProc, {}};
    auto slot = std::make_shared<CallSlot>();
    const MonitorRef ref = nextRef.fetch_add(1);
    {
        std::lock_guard lock(target->mutex);
        if (target->run == Process::Run::Dead) return Error {Errc::NoProc, {}};
        target->watchers.push_back({ref, 0, slot});
    }
    if (caller) {
        std::lock_guard lock(caller->mutex);
        caller->pendingCall = slot;
    }
    e.from = caller ? caller->pid : 0;
    e.slot = slot;
    enqueue(target, std::move(e));

    auto cleanup = [&] {
        {
            std::lock_guard lock(target->mutex);
            std::erase_if(target->watchers, [ref](const detail::Watcher& w) { return w.ref == ref; });
        }
        if (caller) {
            std::lock_guard lock(caller->mutex);
            if (caller->pendingCall == slot) caller->pendingCall.reset();
        }
    };
    try {
        auto r = waitSlot(caller, *slot, timeout);
        cleanup();
        return r;
    } catch (...) {
        cleanup();
        throw;
    }
}

Result<RequestId> Runtime::sendRequest(Pid to, Term request)
{
    Process* caller = t_current;
    if (!caller) return Error {Errc::NoProc, "sendRequest is for processes; use call"};
    if (caller->dead.load()) throw ProcessKilled {};
    if (caller->pid == to) return Error {Errc::CallingSelf, {}};
    auto slot = std::make_shared<CallSlot>();
    slot->sink = d.get();
    slot->replyTo = caller->pid;
    slot->server = to;
    slot->requestId = d->nextRef.fetch_add(1);
    const RequestId id = slot->requestId;
    auto target = d->find(to);
    bool watched = false;
    if (target) {
        std::lock_guard lock(target->mutex);
        if (target->run != Process::Run::Dead) {
            target->requests.push_back({id, 0, slot});
            watched = true;
        }
    }
    if (!watched) {
        slot->fail(Error {Errc::NoProc, {}});
        return id;
    }
    Envelope e;
    e.kind = Envelope::Kind::Call;
    e.payload = std::move(request);
    e.from = caller->pid;
    e.slot = std::move(slot);
    d->enqueue(target, std::move(e)); // dropped if it died meanwhile: its death answers
    return id;
}

Result<Term> Runtime::call(Pid to, Term request, std::chrono::milliseconds timeout)
{
    Process* caller = t_current;
    if (caller && caller->dead.load()) throw ProcessKilled {};
    if (caller && caller->pid == to) return Error {Errc::CallingSelf, {}};
    Envelope e;
    e.kind = Envelope::Kind::Call;
    e.payload = std::move(request);
    return d->request(to, std::move(e), timeout);
}

void Runtime::reply(const From& from, Term value)
{
    if (!from.m_slot) return;
    if (t_current && t_current->dead.load()) return;
    from.m_slot->fill(std::move(value));
}

Result<std::string> Runtime::describe(Pid pid, std::chrono::milliseconds timeout)
{
    Process* caller = t_current;
    if (caller && caller->pid == pid) return caller->server->describeState();
    return d->describeBetweenMessages(pid, timeout);
}

void Runtime::exit(Pid target, ExitReason reason)
{
    if (t_current && t_current->dead.load()) return;
    if (auto p = d->find(target)) d->exitSignal(p, self(), reason, false);
}

void Runtime::kill(Pid target)
{
    if (t_current && t_current->dead.load()) return;
    if (auto p = d->find(target)) d->die(p, ExitReason::killed());
}

Status Runtime::stop(Pid target, ExitReason reason, std::chrono::milliseconds timeout)
{
    Envelope e;
    e.kind = Envelope::Kind::Stop;
    e.reason = std::make_unique<ExitReason>(std::move(reason));
    auto r = d->request(target, std::move(e), timeout);
    // Nothing replies to a stop: the request ends with the process's exit
    // (Exit: what stop waits for), a timeout, or NoProc.
    if (!r && r.error().code != Errc::Exit) return r.error();
    return Ok {};
}

Status Runtime::link(Pid a, Pid b)
{
    auto pa = d->find(a);
    if (!pa || pa->dead.load()) return Error {Errc::NoProc, {}};
    auto pb = d->find(b);
    bool bDead = !pb;
    if (pb) {
        Process* first = pa->pid < pb->pid ? pa.get() : pb.get();
        Process* second = pa->pid < pb->pid ? pb.get() : pa.get();
        std::scoped_lock lock(first->mutex, second->mutex);
        if (pa->run == Process::Run::Dead) return Error {Errc::NoProc, {}};
        if (pb->run == Process::Run::Dead) {
            bDead = true;
        } else if (std::find(pa->links.begin(), pa->links.end(), b) == pa->links.end()) {
            pa->links.push_back(b);
            pb->links.push_back(a);
        }
    }
    if (bDead) {
        d->exitSignal(pa, b, ExitReason::noproc(), false);
        return Error {Errc::NoProc, {}};
    }
    return Ok {};
}

void Runtime::unlink(Pid a, Pid b)
{
    for (auto [x, y] : {std::pair {a, b}, std::pair {b, a}}) {
        if (auto p = d->find(x)) {
            std::lock_guard lock(p->mutex);
            std::erase(p->links, y);
        }
    }
}

MonitorRef Runtime::monitor(Pid watcher, Pid target)
{
    const MonitorRef ref = d->nextRef.fetch_add(1);
    auto p = d->find(target);
    if (p) {
        std::lock_guard lock(p->mutex);
        if (p->run != Process::Run::Dead) {
            p->watchers.push_back({ref, watcher, nullptr});
            return ref;
        }
    }
    if (auto w = d->find(watcher)) {
        Envelope e;
        e.kind = Envelope::Kind::Down;
        e.from = target;
        e.reason = std::make_unique<ExitReason>(ExitReason::noproc());
        e.ref = ref;
        d->enqueue(w, std::move(e));
    }
    return ref;
}

void Runtime::demonitor(Pid target, MonitorRef ref)
{
    if (auto p = d->find(target)) {
        std::lock_guard lock(p->mutex);
        std::erase_if(p->watchers, [ref](const detail::Watcher& w) { return w.ref == ref; });
    }
}

void Runtime::setTrapExit(Pid pid, bool on)
{
    if (auto p = d->find(pid)) p->trapExit.store(on);
}

TimerRef Runtime::sendAfter(Pid to, Term message, std::chrono::milliseconds delay)
{
    Envelope e;
    e.kind = Envelope::Kind::Message;
    e.payload = std::move(message);
    e.from = self();
    return d->timers->schedule(Clock::now() + delay, to, std::move(e));
}

bool Runtime::cancelTimer(TimerRef ref)
{
    return d->timers->cancel(ref);
}

Status Runtime::registerName(const std::string& name, Pid pid)
{
    if (name.empty()) return Error {Errc::BadArgument, "empty name"};
    return d->registerEntry(name, name, pid);
}

Status Runtime::unregisterName(const std::string& name)
{
    return d->unregisterEntry(name, name);
}

Pid Runtime::whereis(const std::string& name) const
{
    std::lock_guard lock(d->registryMutex);
    auto it = d->registry.find(name);
    return it == d->registry.end() ? 0 : it->second;
}

Status Runtime::registerKey(const std::string& registry, const std::string& key, Pid pid)
{
    if (registry.empty() || key.empty()) return Error {Errc::BadArgument, "empty registry or key"};
    return d->registerEntry(Impl::keyOf(registry, key), registry + "/" + key, pid);
}

Status Runtime::unregisterKey(const std::string& registry, const std::string& key)
{
    return d->unregisterEntry(Impl::keyOf(registry, key), registry + "/" + key);
}

Pid Runtime::lookupKey(const std::string& registry, const std::string& key) const
{
    std::lock_guard lock(d->registryMutex);
    auto it = d->registry.find(Impl::keyOf(registry, key));
    return it == d->registry.end() ? 0 : it->second;
}

std::vector<std::pair<std::string, Pid>> Runtime::registryEntries(const std::string& registry) const
{
    const std::string prefix = registry + '\0';
    std::vector<std::pair<std::string, Pid>> out;
    std::lock_guard lock(d->registryMutex);
    for (const auto& [k, pid] : d->registry)
        if (k.starts_with(prefix)) out.emplace_back(k.substr(prefix.size()), pid);
    std::sort(out.begin(), out.end());
    return out;
}

Snapshot Runtime::snapshot() const
{
    Snapshot snap;
    snapshot(snap);
    return snap;
}

void Runtime::snapshot(Snapshot& into, PeakRead peaks) const
{
    into.lastSeq = m_events->lastSeq();
    d->slots.read(into, nullptr, peaks == PeakRead::Take);
}

std::size_t Runtime::processCount() const
{
    return d->slots.live();
}

Snapshot Runtime::info(Pid pid) const
{
    Snapshot snap;
    snap.lastSeq = m_events->lastSeq();
    if (auto p = d->find(pid); p && !p->dead.load()) d->slots.read(snap, p->stats);
    return snap;
}

Result<ProcessRelations> Runtime::relations(Pid pid) const
{
    auto p = d->find(pid);
    if (!p) return Error {Errc::NoProc, {}};
    std::lock_guard lock(p->mutex);
    if (p->run == Process::Run::Dead) return Error {Errc::NoProc, {}};
    ProcessRelations r;
    r.links = p->links;
    for (const auto& w : p->watchers)
        if (w.watcher) r.monitoredBy.push_back(w.watcher);
    return r;
}

bool Runtime::waitQuiescent(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(d->quietMutex);
    return d->quietCv.wait_for(lock, timeout, [this] { return d->busy.load() == 0; });
}

// -- GenServer --

Next GenServer::handleCall(const Term&, const From&)
{
    throw std::runtime_error("unexpected call");
}

Next GenServer::handleCast(const Term&)
{
    return Next::noreply();
}
Next GenServer::handleInfo(const Info&)
{
    return Next::noreply();
}
Next GenServer::handleContinue(const Term&)
{
    return Next::noreply();
}

void GenServer::trapExits(bool on)
{
    m_process->trapExit.store(on);
}
Status GenServer::link(Pid other)
{
    return m_runtime->link(m_self, other);
}
void GenServer::unlink(Pid other)
{
    m_runtime->unlink(m_self, other);
}
MonitorRef GenServer::monitor(Pid other)
{
    return m_runtime->monitor(m_self, other);
}
void GenServer::demonitor(Pid other, MonitorRef ref)
{
    m_runtime->demonitor(other, ref);
}

void GenServer::announceStarted()
{
    bool announce = false;
    {
        std::lock_guard lock(m_process->mutex);
        // As spawn: a process killed during its own init never shows `start` after its `exit`.
        announce = !m_process->startAnnounced && m_process->run != Process::Run::Dead;
        m_process->startAnnounced = true;
    }
    if (announce) m_runtime->d->publish(EventKind::Start, *m_process);
}

void GenServer::setStatus(ProcessStatus status)
{
    m_process->stats->status.store(status);
}
void GenServer::setStrategy(Strategy strategy)
{
    m_process->stats->strategy.store(strategy);
}

void GenServer::setIntensity(int intensity, std::chrono::milliseconds period)
{
    m_process->stats->intensity.store(std::uint32_t(std::max(0, intensity)), std::memory_order_relaxed);
    m_process->stats->periodMs.store(
        std::uint32_t(std::clamp<std::int64_t>(period.count(), 0, UINT32_MAX)), std::memory_order_relaxed);
}

void GenServer::noteRestart()
{
    // The same clock as Event::timeNs.
    const std::int64_t now
        = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
              .count();
    // Shifted from the oldest end, newest written last: a snapshot reading
    // meanwhile sees the old list or the new one with one stamp twice, which
    // restartsWithin counts once.
    auto& stamps = m_process->stats->recentRestartsNs;
    for (std::size_t i = detail::Slot::kRecentRestarts - 1; i > 0; --i)
        stamps[i].store(stamps[i - 1].load(std::memory_order_relaxed), std::memory_order_release);
    stamps[0].store(now, std::memory_order_release);
}

const std::string& GenServer::path() const
{
    return *m_process->path;
}

std::optional<Info> GenServer::receive(
    const std::function<bool(const Info&)>& pred, std::optional<std::chrono::milliseconds> timeout)
{
    Process& p = *m_process;
    const auto deadline = timeout ? Clock::now() + *timeout : Clock::time_point::max();
    auto toInfo = [](const Envelope& e) -> std::optional<Info> {
        switch (e.kind) {
        case Envelope::Kind::Message:
            return Info {Info::Kind::Message, e.payload, e.from, {}, 0, {}};
        case Envelope::Kind::Exit:
            return Info {Info::Kind::Exit, {}, e.from, reasonOf(e), 0, {}};
        case Envelope::Kind::Down:
            return Info {Info::Kind::Down, {}, e.from, reasonOf(e), e.ref, {}};
        case Envelope::Kind::Reply:
        case Envelope::Kind::ReplyError:
            return replyInfo(e);
        default:
            return std::nullopt;
        }
    };
    std::unique_lock lock(p.mutex);
    bool blocking = false;
    std::optional<Info> found;
    for (;;) {
        if (p.run == Process::Run::Dead) break;
        p.inbox.append(p.mailbox); // all of it in order, scanned oldest first
        const bool taken = p.inbox.eraseFirst([&](const Envelope& e) {
            auto info = toInfo(e);
            if (!info || !pred(*info)) return false;
            found = std::move(info);
            return true;
        });
        if (taken) p.stats->bump(p.stats->taken);
        if (found || Clock::now() >= deadline) break;
        if (!blocking) {
            blocking = true;
            lock.unlock();
            detail::Scheduler::enterBlocking();
            lock.lock();
            continue;
        }
        p.waiting = true;
        if (!p.cv) p.cv = std::make_unique<std::condition_variable_any>();
        if (deadline == Clock::time_point::max())
            p.cv->wait(lock);
        else
            p.cv->wait_until(lock, deadline);
        p.waiting = false;
    }
    const bool dead = p.run == Process::Run::Dead;
    lock.unlock();
    if (blocking) detail::Scheduler::leaveBlocking();
    if (dead) throw detail::ProcessKilled {};
    return found;
}

} // namespace sc
