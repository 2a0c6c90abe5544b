// detail::Lock: the one-int mutex that guards a process record (and a
// worker's run queue). Internal to the runtime.
#pragma once

#include <atomic>

namespace sc::detail {

/// A mutex in one int: taking and giving it back are one atomic
/// instruction each when no one else wants it (glibc's pthread mutex runs
/// about 55 instructions for the pair, and a message takes five pairs).
/// A contender spins briefly, then sleeps on the int (std::atomic::wait: a
/// futex on Linux).
class Lock {
public:
    void lock() noexcept
    {
        int expected = 0;
        if (!m_state.compare_exchange_strong(expected, 1, std::memory_order_acquire, std::memory_order_relaxed))
            lockSlow();
    }
    bool try_lock() noexcept
    {
        int expected = 0;
        return m_state.compare_exchange_strong(expected, 1, std::memory_order_acquire, std::memory_order_relaxed);
    }
    void unlock() noexcept
    {
        if (m_state.exchange(0, std::memory_order_release) == 2) m_state.notify_one();
    }

private:
    void lockSlow() noexcept
    {
        for (int i = 0; i < 100; ++i) {
            if (m_state.load(std::memory_order_relaxed) == 0 && try_lock()) return;
        }
        // 2: held, and someone may be asleep on it; its unlock wakes one.
        while (m_state.exchange(2, std::memory_order_acquire) != 0)
            m_state.wait(2, std::memory_order_relaxed);
    }

    std::atomic<int> m_state {0}; ///< 0 free, 1 held, 2 held with sleepers
};

} // namespace sc::detail
