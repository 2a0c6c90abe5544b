// detail::Timers' thread: waits for the earliest timer and delivers it.
#include "core/runtime/detail/timers.h"

#include "core/runtime/detail/impl.h"

namespace sc::detail {

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

} // namespace sc::detail
