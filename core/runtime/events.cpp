// The EventBus and its subscriptions (events.h).
#include "core/runtime/events.h"

#include <algorithm>

namespace sc {

const char* eventKindName(EventKind kind)
{
    switch (kind) {
    case EventKind::Spawn: return "spawn";
    case EventKind::Start: return "start";
    case EventKind::Exit: return "exit";
    case EventKind::Restart: return "restart";
    case EventKind::GiveUp: return "give_up";
    case EventKind::Register: return "register";
    case EventKind::Unregister: return "unregister";
    case EventKind::Step: return "step";
    case EventKind::StepResult: return "result";
    case EventKind::Log: return "log";
    case EventKind::Reply: return "reply";
    }
    return "unknown";
}

void Subscription::push(const Event& e)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_queue.size() >= m_capacity) {
            ++m_dropped;
            return;
        }
        m_queue.push_back(e);
    }
    m_cv.notify_one();
}

std::vector<Event> Subscription::drain()
{
    std::lock_guard lock(m_mutex);
    std::vector<Event> out(std::make_move_iterator(m_queue.begin()), std::make_move_iterator(m_queue.end()));
    m_queue.clear();
    return out;
}

std::vector<Event> Subscription::waitAndDrain(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    m_cv.wait_for(lock, timeout, [this] { return !m_queue.empty(); });
    std::vector<Event> out(std::make_move_iterator(m_queue.begin()), std::make_move_iterator(m_queue.end()));
    m_queue.clear();
    return out;
}

std::uint64_t Subscription::dropped() const
{
    std::lock_guard lock(m_mutex);
    return m_dropped;
}

void EventBus::publish(Event e)
{
    std::lock_guard lock(m_mutex);
    e.seq = ++m_seq;
    e.timeNs = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now().time_since_epoch())
                   .count();
    for (auto& s : m_subs)
        s->push(e);
}

std::shared_ptr<Subscription> EventBus::subscribe(std::size_t capacity)
{
    auto s = std::make_shared<Subscription>(capacity);
    std::lock_guard lock(m_mutex);
    m_subs.push_back(s);
    m_count.store(int(m_subs.size()), std::memory_order_relaxed);
    return s;
}

void EventBus::unsubscribe(const std::shared_ptr<Subscription>& s)
{
    std::lock_guard lock(m_mutex);
    m_subs.erase(std::remove(m_subs.begin(), m_subs.end(), s), m_subs.end());
    m_count.store(int(m_subs.size()), std::memory_order_relaxed);
}

std::uint64_t EventBus::lastSeq() const
{
    std::lock_guard lock(m_mutex);
    return m_seq;
}

} // namespace sc
