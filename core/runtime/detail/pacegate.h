// detail::PaceGate: the teaching gate (slow motion, pause and step) the
// scheduler's workers pass between slices. Internal to the runtime.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace sc::detail {

using Clock = std::chrono::steady_clock;

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

} // namespace sc::detail
