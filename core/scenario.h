// Threading: parseScenario is pure. runScenario drives a Runtime from the
// calling thread and writes the trace from that thread only.
#pragma once

#include "supervisor.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sc {

/// A tree node of a scenario file (see docs/scenarios.md).
struct ScenarioNode {
    enum class Type { Supervisor, DynamicSupervisor, Worker };
    std::string id;
    Type type = Type::Worker;
    Strategy strategy = Strategy::OneForOne;
    int intensity = 3;
    int periodMs = 5000;
    std::optional<int> maxChildren;
    Restart restart = Restart::Permanent;
    std::optional<Shutdown> shutdown;
    int stopDelayMs = 0;
    std::vector<ScenarioNode> children;
};

struct ScenarioStep {
    enum class Do { Kill, Crash, Stop, StartChild, TerminateChild, RestartChild, Sleep, StopTree };
    Do action = Do::Sleep;
    std::string target;                 ///< path, for all but Sleep and StopTree
    std::string reason;                 ///< Stop
    std::optional<ScenarioNode> child;  ///< StartChild
    std::string id;                     ///< TerminateChild, RestartChild
    int ms = 0;                         ///< Sleep
};

const char* stepName(ScenarioStep::Do action);

struct Scenario {
    ScenarioNode tree;
    std::vector<ScenarioStep> steps;
};

/// Parses and validates a scenario. The error's detail is one line naming
/// the file, the field (as a JSON path such as steps[2].target) and what
/// was expected.
Result<Scenario> parseScenario(std::string_view json, const std::string& fileName);
/// Reads the file, then parseScenario; an unreadable file is an error too.
Result<Scenario> loadScenario(const std::string& fileName);

struct RunOptions {
    unsigned workers = 0;
    std::ostream* trace = nullptr; ///< one JSON object per line, flushed per line
    /// Longest wait for the runtime to become quiescent after a step.
    std::chrono::milliseconds quiescenceTimeout {60000};
};

/// Starts the tree a scenario describes (workers are ScenarioWorkers: they
/// trap exits, crash on request, and take stop_delay_ms to terminate).
Result<Pid> startScenarioTree(Runtime& rt, const ScenarioNode& root);

/// Builds the tree, runs each step and waits for quiescence after it, then
/// shuts the runtime down. Returns 0 on success.
int runScenario(const Scenario& scenario, const RunOptions& options);

/// The trace line for one event ({"seq":..,"event":..,...}), without newline.
std::string traceLine(const Event& event);

} // namespace sc
