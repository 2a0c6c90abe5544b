// Threading: Supervisor and DynamicSupervisor are GenServers; they run on the
// runtime's workers. The free functions below are the client API: callable
// from any thread, they block the caller until the supervisor answers.
#pragma once

#include "core/runtime/runtime.h"

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sc {

enum class Restart { Permanent, Transient, Temporary };
enum class ChildType { Worker, Supervisor };

const char* restartName(Restart);

/// How a supervisor stops a child: kill at once, ask (exit signal
/// `shutdown`) and kill after a timeout, or ask and wait for ever.
struct Shutdown {
    enum class Kind { BrutalKill, Timeout, Infinity };
    Kind kind = Kind::Timeout;
    std::chrono::milliseconds timeout {5000};

    static Shutdown brutalKill() { return {Kind::BrutalKill, {}}; }
    static Shutdown after(std::chrono::milliseconds ms) { return {Kind::Timeout, ms}; }
    static Shutdown infinity() { return {Kind::Infinity, {}}; }
    std::string toString() const;
};

/// A child specification, as in OTP. `start` builds the child's GenServer;
/// its init decides whether the start succeeds.
struct ChildSpec {
    std::string id;
    std::function<std::unique_ptr<GenServer>()> start;
    Restart restart = Restart::Permanent;
    /// Unset: 5000 ms for workers, infinity for supervisors.
    std::optional<Shutdown> shutdown;
    ChildType type = ChildType::Worker;

    Shutdown effectiveShutdown() const
    {
        if (shutdown) return *shutdown;
        return type == ChildType::Worker ? Shutdown::after(std::chrono::milliseconds(5000)) : Shutdown::infinity();
    }
};

/// Restart intensity: at most `intensity` restarts within any `period`
/// (a sliding window). Elixir's defaults: 3 in 5 s.
struct SupervisorFlags {
    Strategy strategy = Strategy::OneForOne;
    int intensity = 3;
    std::chrono::milliseconds period {5000};
};

struct DynamicSupervisorFlags {
    int intensity = 3;
    std::chrono::milliseconds period {5000};
    std::optional<int> maxChildren; ///< unset: unlimited
};

struct ChildInfo {
    enum class State { Running, Restarting, Undefined };
    std::string id;
    Pid pid = 0; ///< 0 unless Running
    State state = State::Undefined;
    ChildType type = ChildType::Worker;
};

struct ChildCounts {
    int specs = 0;
    int active = 0;
    int supervisors = 0;
    int workers = 0;
};

namespace detail {
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
} // namespace detail

/// A static supervisor: children start in order, stop in reverse order, and
/// are restarted by the strategy; one restart too many stops them all and
/// ends the supervisor with `shutdown`.
class Supervisor : public GenServer {
public:
    Supervisor(SupervisorFlags flags, std::vector<ChildSpec> children);

    Next init() override;
    Next handleCall(const Term& request, const From& from) override;
    Next handleCast(const Term& message) override;
    Next handleInfo(const Info& info) override;
    void terminate(const ExitReason& reason) override;
    std::string describeState() const override;
    ProcessKind kind() const override { return ProcessKind::Supervisor; }

private:
    using Child = detail::SupervisedChild;
    Result<Pid> startChild(Child& child);
    void shutdownChild(Child& child);
    /// Handles a child's exit; false if the supervisor must stop.
    bool onChildExit(std::size_t index, const ExitReason& reason);
    bool restart(std::size_t index);
    bool restartFrom(std::size_t first, std::size_t last, std::size_t failed);
    void stopChildren(std::size_t first);
    Child* find(const std::string& id);
    std::optional<std::size_t> indexOf(Pid pid) const;

    SupervisorFlags m_flags;
    std::vector<Child> m_children; ///< in start order
    detail::RestartWindow m_window;
};

class DynamicSupervisor : public GenServer {
public:
    explicit DynamicSupervisor(DynamicSupervisorFlags flags = {});

    Next init() override;
    Next handleCall(const Term& request, const From& from) override;
    Next handleCast(const Term& message) override;
    Next handleInfo(const Info& info) override;
    void terminate(const ExitReason& reason) override;
    std::string describeState() const override;
    ProcessKind kind() const override { return ProcessKind::DynamicSupervisor; }

private:
    using Child = detail::SupervisedChild;
    Result<Pid> startChild(Child& child);
    bool restart(std::size_t index);

    DynamicSupervisorFlags m_flags;
    std::vector<Child> m_children; ///< in start order
    detail::RestartWindow m_window;
};

// -- client API --
/// Calls to the supervisor wait for ever by default, as OTP's do; a
/// `timeout` makes them answer Timeout instead (the supervisor carries on).
inline constexpr std::chrono::milliseconds kNoTimeout = std::chrono::milliseconds::max();
/// Static supervisor: adds the spec and starts it (errors AlreadyStarted,
/// AlreadyPresent, or the start's error). Dynamic: starts a new child
/// (MaxChildren when full).
Result<Pid> startChild(Runtime& rt, Pid supervisor, ChildSpec spec, std::chrono::milliseconds timeout = kNoTimeout);
/// Static: by id; the spec stays listed (temporary ones are dropped).
Status terminateChild(
    Runtime& rt, Pid supervisor, const std::string& id, std::chrono::milliseconds timeout = kNoTimeout);
/// Dynamic: by pid.
Status terminateChild(Runtime& rt, Pid supervisor, Pid child);
/// Static: starts a stopped child again. Errors: Running, Restarting, NotFound.
Result<Pid> restartChild(
    Runtime& rt, Pid supervisor, const std::string& id, std::chrono::milliseconds timeout = kNoTimeout);
/// Static: removes a stopped child's spec. Errors: Running, Restarting, NotFound.
Status deleteChild(Runtime& rt, Pid supervisor, const std::string& id);
/// Changes a running supervisor's strategy and restart intensity (the
/// restarts already in its window still count). A dynamic supervisor takes
/// only one_for_one (else NotSupported). Errors also: BadArgument (negative
/// intensity, period under 1 ms), NoProc; a worker crashes, as a gen_server
/// does on an unexpected call (the caller gets Exit).
Status setSupervisorFlags(Runtime& rt, Pid supervisor, SupervisorFlags flags);
Result<std::vector<ChildInfo>> whichChildren(Runtime& rt, Pid supervisor);
Result<ChildCounts> countChildren(Runtime& rt, Pid supervisor);

/// Starts a supervision tree's root from any thread: returns once the whole
/// tree has started (or failed to).
Result<Pid> startSupervisor(Runtime& rt, std::string path, SupervisorFlags flags, std::vector<ChildSpec> children);

} // namespace sc
