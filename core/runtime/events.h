// Events: what happened in the runtime (spawn, start, exit, restart, give up, ...)
// and the EventBus that numbers them and hands them to subscribers.
// Threading: EventBus::publish may be called from any thread; it takes one
// short lock. A Subscription is drained by the one thread that owns it.
#pragma once

#include "core/base/result.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sc {

enum class EventKind {
    Spawn,      ///< a process record exists (init not yet run)
    Start,      ///< a process started (supervisors: before their children, as OTP traces it)
    Exit,       ///< a process ended; reason holds why
    Restart,    ///< a supervisor is restarting a child (path = the child)
    GiveUp,     ///< a supervisor reached its restart intensity and is shutting down
    Register,   ///< a name or key was registered (name, pid)
    Unregister, ///< a name or key was released
    Step,       ///< a scenario step begins (action, path = target)
    StepResult, ///< the answer of a scenario step (action, ok, error)
    Log,        ///< free text
    Reply,      ///< a finance service's answer to a scenario step (action, ok, value/id/text or error/reason)
};

const char* eventKindName(EventKind kind);

struct Event {
    std::uint64_t seq = 0; ///< global, gap-free, in the order the runtime observed events
    EventKind kind = EventKind::Log;
    std::int64_t timeNs = 0; ///< steady clock
    Pid pid = 0;
    Pid parent = 0;
    std::string path;
    std::string reason; ///< Exit: ExitReason::toString(); GiveUp: why; Log: the text; Reply: the error's detail
    std::string name;   ///< Register/Unregister: "name" or "registry/key"
    std::string action; ///< Step/StepResult/Reply: what was done
    bool ok = true;     ///< StepResult, Reply
    bool ignored = false; ///< StepResult: start_child/restart_child's child returned ignore from init (ok too)
    std::string error;  ///< StepResult, Reply: the error name when !ok
    std::string user;   ///< Step: the user a finance step names
    std::string value;  ///< Reply: the amount answered (Money::toString(), "300.00")
    std::string text;   ///< Reply: the report, or the path of a started transaction
    std::int64_t id = 0; ///< Reply: the ledger record written for the change; 0: none
};

/// One subscriber's queue. Events past `capacity` are dropped and counted,
/// so a stalled reader cannot grow memory without bound.
class Subscription {
public:
    explicit Subscription(std::size_t capacity)
        : m_capacity(capacity)
    {
    }

    /// Everything queued so far, oldest first; never blocks.
    std::vector<Event> drain();
    /// Waits until an event is queued or the deadline passes; then drains.
    std::vector<Event> waitAndDrain(std::chrono::milliseconds timeout);
    std::uint64_t dropped() const;

private:
    friend class EventBus;
    void push(const Event& e);

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Event> m_queue;
    std::size_t m_capacity;
    std::uint64_t m_dropped = 0;
};

class EventBus {
public:
    /// Stamps seq and time, and hands the event to every subscriber, under one lock.
    void publish(Event e);
    std::shared_ptr<Subscription> subscribe(std::size_t capacity = 1'000'000);
    void unsubscribe(const std::shared_ptr<Subscription>& s);
    bool hasSubscribers() const { return m_count.load(std::memory_order_relaxed) > 0; }
    std::uint64_t lastSeq() const;

private:
    mutable std::mutex m_mutex;
    std::uint64_t m_seq = 0;
    std::vector<std::shared_ptr<Subscription>> m_subs;
    std::atomic<int> m_count {0};
};

} // namespace sc
