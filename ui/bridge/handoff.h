// Hand-offs between worker threads and the GUI thread: jobs started from the
// GUI thread (JobPool) and calls queued back to a QObject's thread (postTo).
//
// Qt orders a queued call with its own locks (QMutex is a bare futex), and
// Debian's Qt is not built with ThreadSanitizer, so TSan cannot see that
// order and reports every such hand-off as a race (docs/reliability.md).
// Under TSan postTo says what Qt guarantees: whatever the sending thread did
// before the call happens before the call, and Qt's own bookkeeping of the
// call is not ours to check. Everything else our code does stays checked.
// Without TSan, postTo is a plain queued QMetaObject::invokeMethod.
#pragma once

#include <QMetaObject>
#include <QObject>
#include <QString>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace sc::ui {

namespace handoff {
/// The sending side of a hand-off on `channel` (TSan: release).
void sent(const void* channel);
/// The receiving side (TSan: acquire). Pairs with every earlier sent() on `channel`.
void received(const void* channel);

/// While alive, TSan does not record this thread's memory accesses: Qt's
/// internals of a hand-off, which other threads touch under Qt's locks.
class QtInternals {
public:
    QtInternals();
    ~QtInternals();
    QtInternals(const QtInternals&) = delete;
    QtInternals& operator=(const QtInternals&) = delete;
};
} // namespace handoff

/// Up to `maxThreads` threads that run jobs from the GUI thread, oldest
/// first. Plain standard threads rather than a QThreadPool: TSan sees their
/// locks, and so checks every job against the code that started it.
class JobPool {
public:
    explicit JobPool(int maxThreads);
    /// Drops queued jobs and waits for running ones.
    ~JobPool();
    JobPool(const JobPool&) = delete;
    JobPool& operator=(const JobPool&) = delete;

    void start(std::function<void()> job);
    /// Drops the jobs not yet started.
    void clear();
    /// Waits until no job is queued or running.
    void waitForDone();

private:
    void run();

    const std::size_t m_maxThreads;
    std::mutex m_mutex;
    std::condition_variable m_wake; // a job queued, or quit
    std::condition_variable m_idle; // the last job finished
    std::deque<std::function<void()>> m_jobs;
    std::size_t m_running = 0;
    std::size_t m_waiting = 0; // threads waiting for a job
    bool m_quit = false;
    std::vector<std::thread> m_threads;
};

/// Calls `f` on `receiver`'s thread through its event loop (a queued call);
/// dropped if `receiver` is deleted first, like any queued call.
template <typename F> void postTo(QObject* receiver, F&& f)
{
    if (!receiver) return;
    handoff::sent(receiver);
    const handoff::QtInternals qt;
    QMetaObject::invokeMethod(
        receiver,
        [receiver, f = std::forward<F>(f)]() mutable {
            handoff::received(receiver);
            f();
        },
        Qt::QueuedConnection);
}

} // namespace sc::ui
