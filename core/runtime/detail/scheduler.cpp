// detail::Scheduler's loops: a worker's (take a process, run its slice,
// sleep or steal when there is none) and the watchdog's.
#include "core/runtime/detail/scheduler.h"

#include "core/runtime/detail/impl.h"

namespace sc::detail {

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

} // namespace sc::detail
