// JobPool and the queued hand-offs to the GUI thread (handoff.h).
#include "ui/bridge/handoff.h"

#include <algorithm>

#if defined(__SANITIZE_THREAD__)
#define SC_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SC_TSAN 1
#endif
#endif

#ifdef SC_TSAN
#include <sanitizer/tsan_interface.h>
// TSan's dynamic annotations (tsan_interface_ann.cpp); no header declares them.
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
extern "C" void AnnotateIgnoreWritesBegin(const char* file, int line);
extern "C" void AnnotateIgnoreWritesEnd(const char* file, int line);
#endif

namespace sc::ui {

namespace handoff {

void sent([[maybe_unused]] const void* channel)
{
#ifdef SC_TSAN
    __tsan_release(const_cast<void*>(channel));
#endif
}

void received([[maybe_unused]] const void* channel)
{
#ifdef SC_TSAN
    __tsan_acquire(const_cast<void*>(channel));
#endif
}

QtInternals::QtInternals()
{
#ifdef SC_TSAN
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
#endif
}

QtInternals::~QtInternals()
{
#ifdef SC_TSAN
    AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
#endif
}

} // namespace handoff

JobPool::JobPool(int maxThreads)
    : m_maxThreads(static_cast<std::size_t>(std::max(1, maxThreads)))
{
}

JobPool::~JobPool()
{
    {
        std::lock_guard lock(m_mutex);
        m_quit = true;
        m_jobs.clear();
    }
    m_wake.notify_all();
    for (std::thread& t : m_threads)
        t.join();
}

void JobPool::start(std::function<void()> job)
{
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back(std::move(job));
        // A thread is started only when none is free, and kept until the end.
        if (m_waiting < m_jobs.size() && m_threads.size() < m_maxThreads) m_threads.emplace_back([this] { run(); });
    }
    m_wake.notify_one();
}

void JobPool::clear()
{
    std::lock_guard lock(m_mutex);
    m_jobs.clear();
    if (m_running == 0) m_idle.notify_all();
}

void JobPool::waitForDone()
{
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [this] { return m_jobs.empty() && m_running == 0; });
}

void JobPool::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        ++m_waiting;
        m_wake.wait(lock, [this] { return m_quit || !m_jobs.empty(); });
        --m_waiting;
        if (m_quit) return;
        std::function<void()> job = std::move(m_jobs.front());
        m_jobs.pop_front();
        ++m_running;
        lock.unlock();
        job();
        job = nullptr; // its captures die before the pool counts the job done
        lock.lock();
        if (--m_running == 0 && m_jobs.empty()) m_idle.notify_all();
    }
}

} // namespace sc::ui
