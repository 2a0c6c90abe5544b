// detail::Timers: one thread that delivers envelopes at their time
// (Runtime::sendAfter, a GenServer's idle timeout). Internal to the runtime.
#pragma once

#include "core/runtime/detail/envelope.h"
#include "core/runtime/runtime.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sc::detail {

using Clock = std::chrono::steady_clock;

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

} // namespace sc::detail
