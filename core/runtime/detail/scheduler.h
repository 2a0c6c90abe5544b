// detail::Scheduler: the worker threads, their run queues and the watchdog.
// Internal to the runtime. Its hot members (push, the slice and blocking
// notes) are defined here, inline, since every message passes them; the
// loops are in scheduler.cpp.
#pragma once

#include "core/runtime/detail/lock.h"
#include "core/runtime/detail/pacegate.h"
#include "core/runtime/runtime.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <spdlog/spdlog.h>
#include <thread>
#include <vector>

// `target` active threads, each with a run queue of its own, plus a global
// queue for processes made runnable from outside the workers. A process
// woken by a callback runs next on the same thread (no wake-up through the
// kernel for a message and its answer); a thread with more than one
// runnable process wakes a sleeping one, which steals. A thread whose
// callback blocks (a call, a receive, or anything running past the stall
// threshold) hands its queue to the global one and stops counting as
// active, and a stand-in is woken or started, so one stuck callback never
// stalls the others. Surplus threads park.

namespace sc::detail {

/// Worker threads at most, stand-ins included (RuntimeOptions::workers).
inline constexpr std::size_t kMaxThreads = 1024;

class Process;

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

    // Defined here, constant-initialised: the inline members above read
    // them on every message, from several files, with no TLS init check.
    static inline constinit thread_local Worker* t_worker = nullptr;
    static inline constinit thread_local Scheduler* t_self = nullptr;
};

} // namespace sc::detail
