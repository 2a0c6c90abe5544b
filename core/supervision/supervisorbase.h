// What Supervisor and DynamicSupervisor share: their list of children,
// starting one child and stopping it (as OTP's supervisor:shutdown/2), the
// restart intensity with its give_up event, the retry of a restart that
// failed, the flags check, and which_children/count_children.
// Threading: a GenServer's. Everything here runs on a runtime worker, one
// message at a time, called only from the supervisor's own callbacks.
#pragma once

#include "core/runtime/genserver.h"
#include "core/supervision/types.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace sc::detail {

/// A supervisor's record of one child.
struct SupervisedChild {
    ChildSpec spec;
    Pid pid = 0; ///< 0 while not running
    bool restarting = false; ///< a restart failed and will be tried again
    std::uint32_t restarts = 0;
    /// Its place in start order (from 1), kept across restarts for the snapshot.
    std::uint32_t order = 0;
};

class RestartWindow {
public:
    /// Records a restart now; false if that is one more than the intensity allows.
    bool add(int intensity, std::chrono::milliseconds period);

private:
    std::deque<std::chrono::steady_clock::time_point> m_times;
};

/// The common base of the two supervisors. It routes a child's exit and the
/// retry of a failed restart to the subclass, and answers the calls both
/// kinds answer alike; the subclass decides what an exit does and how a
/// restart goes (its strategy).
class SupervisorBase : public GenServer {
public:
    /// A child's exit goes to onChildExit (its pid cleared first); exit
    /// signals from others, pid 0 included, are ignored as OTP does.
    Next handleInfo(const Info& info) override;
    /// Retries a failed restart (see retryLater); other casts go to unexpectedCast.
    Next handleCast(const Term& message) override;
    /// set_flags, which_children and count_children; NotSupported for a
    /// request no subclass answered.
    Next handleCall(const Term& request, const From& from) override;

protected:
    using Child = SupervisedChild;
    explicit SupervisorBase(SupervisorFlags flags);

    // -- what a subclass decides --
    /// Child `index` has exited; false if the supervisor must stop.
    virtual bool onChildExit(std::size_t index, const ExitReason& reason) = 0;
    /// Restarts child `index` (with its siblings, by strategy); false if the
    /// supervisor must stop.
    virtual bool restart(std::size_t index) = 0;
    /// A cast that is no retry.
    virtual Next unexpectedCast(const Term& message) = 0;

    // -- lifecycle --
    /// What init does first: trap exits, show the flags in the snapshot, and
    /// publish Start before any child starts (as OTP's traces show it).
    void beginInit();

    // -- children --
    /// Starts `child` linked under this supervisor's path; its pid is 0 unless it started.
    Result<Pid> startChild(Child& child);
    /// start_child: starts a new child after the others and lists it if it
    /// started, or if it was ignored and `keepIgnored`.
    Result<Pid> addChild(ChildSpec spec, bool keepIgnored);
    Child* find(const std::string& id);
    /// The running child with this pid; none for 0 (no process, or a child not running).
    std::optional<std::size_t> indexOf(Pid pid) const;
    /// Whether a child that ended with `reason` is restarted, by its restart type.
    static bool wantsRestart(Restart restart, const ExitReason& reason);

    // -- stopping --
    /// A child told to stop, not yet seen down.
    struct PendingStop {
        Pid pid;
        MonitorRef mon;
        Shutdown shutdown;
    };
    /// Monitors the child and sends the exit signal its shutdown asks for.
    PendingStop signalStop(Pid pid, const Shutdown& shutdown);
    /// Waits for the child to go down, killing it if a Timeout shutdown's
    /// `wait` passes first, then unlinks it.
    void awaitStop(const PendingStop& stop, std::chrono::milliseconds wait);
    /// Stops one child as OTP's supervisor:shutdown/2 does, then drops its
    /// EXIT message so that it is not mistaken for a new failure.
    void stopChild(Pid pid, const Shutdown& shutdown);
    /// stopChild for a listed child, if it runs; it is left not running.
    void shutdownChild(Child& child);

    // -- restarts --
    /// Counts a restart against the intensity; when it is one too many,
    /// publishes give_up and returns false (the supervisor must stop).
    bool admitRestart();
    /// Counts the child's restart and publishes its Restart event, before it starts again.
    void announceRestart(Child& child);
    /// A restart that failed: marks the child restarting and tries again
    /// after the messages already queued, as OTP does.
    void retryLater(Child& child);

    SupervisorFlags m_flags;
    std::vector<Child> m_children; ///< in start order

private:
    RestartWindow m_window;
};

} // namespace sc::detail
