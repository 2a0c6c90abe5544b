// Supervision's value types: a child specification (restart type, shutdown,
// kind), a supervisor's flags, and what which_children/count_children report.
// Plain values: made on any thread, copied into the supervisor that uses them.
#pragma once

#include "core/runtime/genserver.h"
#include "core/runtime/types.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

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

} // namespace sc
