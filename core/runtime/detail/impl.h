// Runtime::Impl: what the facade (runtime.cpp) stands for: the process
// table, the scheduler, the timers, the registry and the snapshot table.
// Internal to the runtime. The members every message passes (find, enqueue,
// send, the busy count) are defined here, inline; the others where their
// subject is: runtime.cpp (calls, describe, a request's answer),
// detail/slice.cpp (running a process), detail/exit.cpp (death and exit
// signals), registry.cpp (names).
// Threading: the table's shards and the registry have their own locks; a
// process's fields are guarded as detail/process.h says.
#pragma once

#include "core/runtime/detail/process.h"
#include "core/runtime/detail/scheduler.h"
#include "core/runtime/detail/slottable.h"
#include "core/runtime/detail/timers.h"
#include "core/runtime/runtime.h"

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <optional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace sc {

namespace detail {
inline constexpr std::size_t kShards = 64;
} // namespace detail

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
        std::unordered_map<Pid, std::shared_ptr<detail::Process>> map;
    };
    std::array<Shard, detail::kShards> shards;
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
    Shard& shard(Pid pid) { return shards[pid % detail::kShards]; }
    const Shard& shard(Pid pid) const { return shards[pid % detail::kShards]; }

    std::shared_ptr<detail::Process> find(Pid pid) const
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

    void publish(EventKind kind, const detail::Process& p, std::string reason = {})
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

    // -- a callback that does not return (slice.cpp) --

    /// The watchdog's report: a callback of `pid` has run for `ran` without
    /// returning (on), or it has returned at last (off).
    void markStuck(Pid pid, bool on, std::chrono::milliseconds ran);

    /// Runtime::hang on the process's own thread: blocks as a callback stuck
    /// in a loop would (the watchdog sees it run on), until the process is
    /// killed; die() wakes it. It does not keep the runtime from being
    /// quiescent: a scenario goes on past it.
    void hangUntilKilled(detail::Process& p);

    // -- messages --

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
    void enqueue(const std::shared_ptr<detail::Process>& p, detail::Envelope&& e, bool front = false)
    {
        bool schedule = false;
        {
            std::lock_guard lock(p->mutex);
            if (p->run == detail::Process::Run::Dead) return;
            if (front) // a continue, from the owner: before anything else
                p->inbox.push_front(std::move(e));
            else
                p->mailbox.push_back(std::move(e));
            noteArrival(*p->stats, p->mailbox.size());
            if (p->run == detail::Process::Run::Idle) {
                p->run = detail::Process::Run::Queued;
                busyUp();
                schedule = true;
            } else if (p->waiting) {
                p->cv->notify_all(); // a describe may wait on it too
            }
        }
        if (schedule) scheduler->push(p);
    }

    /// An asynchronous request's answer: the server no longer watches for
    /// it, and the caller gets it as a Reply message (runtime.cpp).
    void answered(detail::CallSlot& slot, std::optional<Term> value, std::optional<Error> error) override;

    void send(Pid to, detail::Envelope&& e)
    {
        if (detail::t_current && detail::t_current->dead.load()) return; // a killed process's late actions are void
        if (to == 0) return;
        // Enqueued under the table's shared lock, which keeps the process
        // alive: no reference count to take and drop, a contended line when
        // many send to one.
        const Shard& s = shard(to);
        std::shared_lock lock(s.mutex);
        auto it = s.map.find(to);
        if (it != s.map.end()) enqueue(it->second, std::move(e));
    }

    // -- death (exit.cpp) --

    /// Ends a process now, from any thread: it is dead for everyone when this
    /// returns (names released, links and monitors signalled). A callback
    /// still running for it finishes as a ghost whose effects are dropped.
    bool die(const std::shared_ptr<detail::Process>& p, const ExitReason& reason);

    /// What a process being killed leaves to be signalled (die()'s second half).
    struct Dying {
        std::vector<Pid> links;
        std::vector<detail::Watcher> watchers;
        detail::Chain<detail::Envelope> dropped;
    };
    /// die()'s first half: dead for everyone, its Exit published; null if it already was.
    std::unique_ptr<Dying> markDead(const std::shared_ptr<detail::Process>& p, const ExitReason& reason);
    /// die()'s second half: its links and monitors signalled.
    void signalDeath(const std::shared_ptr<detail::Process>& p, const ExitReason& reason, Dying& dying);

    /// An exit signal arriving at `target`, as Erlang handles it on receipt.
    void exitSignal(const std::shared_ptr<detail::Process>& target, Pid from, const ExitReason& reason, bool kill);

    /// terminate(reason) on the owning thread, then death.
    void terminateAndDie(const std::shared_ptr<detail::Process>& p, ExitReason reason);

    // -- registry (registry.cpp) --

    Status registerEntry(const std::string& key, const std::string& display, Pid pid);
    Status unregisterEntry(const std::string& key, const std::string& display);
    void releaseNames(detail::Process& p);

    // -- calls (runtime.cpp) --

    /// Sends a Call or Stop envelope and waits for its answer, the
    /// target's death (Errc::Exit) or the timeout.
    Result<Term> request(Pid to, detail::Envelope e, std::chrono::milliseconds timeout);

    /// Runtime::describe: describeState() on the calling thread, between two
    /// of the process's messages, as OTP answers sys:get_state even from a
    /// suspended process. Nothing goes through the mailbox, so nothing is
    /// counted and no pace step is taken. A process in a callback finishes
    /// its slice first (its next one waits for this), within `timeout`.
    Result<std::string> describeBetweenMessages(Pid pid, std::chrono::milliseconds timeout);

    // -- running (slice.cpp) --

    void runSlice(const std::shared_ptr<detail::Process>& p);
    /// A slice under the pace gate: one message (stale idle timeouts ride
    /// along for free; describe never enters the mailbox); false if there
    /// was none to handle.
    bool runOne(const std::shared_ptr<detail::Process>& p);
    void dispatch(const std::shared_ptr<detail::Process>& p, detail::Envelope& e);
    void apply(const std::shared_ptr<detail::Process>& p, Next& n, const std::shared_ptr<detail::CallSlot>& callSlot);
    void armTimeout(const std::shared_ptr<detail::Process>& p, std::chrono::milliseconds ms);
    /// Handles the process's messages, up to a batch, or until `last(envelope)`
    /// says the one about to be handled is the last.
    template <typename Last> void runMessages(const std::shared_ptr<detail::Process>& p, Last last);
    /// Moves a process owned by this thread to Idle or back onto the run
    /// queue; `yielded`: it used up a slice, so it goes to the back.
    void release(const std::shared_ptr<detail::Process>& p, bool yielded = false);
};

} // namespace sc
