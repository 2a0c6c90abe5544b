// Threading: parseScenario is pure. runScenario drives a Runtime from the
// calling thread and writes the trace from that thread only; a finance step
// blocks it on a call to a finance service (so it must not be a runtime
// worker running a service's callback).
#pragma once

#include "finance.h"
#include "supervisor.h"

#include <chrono>
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
    enum class Do {
        Kill,
        Crash,
        Stop,
        StartChild,
        TerminateChild,
        RestartChild,
        Sleep,
        StopTree,
        // -- requests to the finance services (finance tree only; kept last, see
        // isFinanceStep, and in finance::Request's order) --
        OpenTracker,
        Donate,
        Total,
        PoolAdd,
        PoolTotal,
        Deposit,
        Withdraw,
        Balance,
        Zakat,
        SetNisab,
        GetNisab,
        Transaction,
        StartTransaction,
        Report,
    };
    Do action = Do::Sleep;
    std::string target; ///< path, for the tree steps but Sleep and StopTree
    std::string reason; ///< Stop
    std::optional<ScenarioNode> child; ///< StartChild
    std::string id; ///< TerminateChild, RestartChild
    int ms = 0; ///< Sleep
    std::string user; ///< finance steps that name a user
    /// Finance steps with an amount (Zakat: the wealth), as the file spells it:
    /// Money::parse reads it when the step runs, so a malformed amount is an
    /// answer (invalid_amount), not a bad file.
    std::string amount;
};

const char* stepName(ScenarioStep::Do action);
/// True for the requests to the finance services (open_tracker ... report).
bool isFinanceStep(ScenarioStep::Do action);

struct Scenario {
    /// The tree's shape. For `"tree": "finance"` it describes the finance
    /// tree of finance.h (started with finance::startFinanceTree, not with
    /// startScenarioTree).
    ScenarioNode tree;
    std::vector<ScenarioStep> steps;
    /// `"tree": "finance"`: the finance services instead of scenario workers.
    bool finance = false;
    /// `"state_on_restart": "recover"` (finance only).
    bool recoverState = false;
    /// `"report_load_ms"` (finance only).
    std::chrono::milliseconds reportLoad {0};
    /// `"nisab"`: the zakat calculator's starting nisab (finance only; default 0).
    Money nisab;
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
    /// Finance tree: where the ledger lives (finance::Config::dataDir);
    /// required: empty, the tree does not start.
    std::string dataDir {};
    /// Finance tree: recover state on restart even if the scenario says
    /// `reset` (the command line's --recover-state).
    bool recoverState = false;
};

/// The configuration a finance scenario's tree starts with.
finance::Config financeConfig(const Scenario& scenario, const std::string& dataDir, bool recoverState);

/// Starts the tree a scenario describes (workers are ScenarioWorkers: they
/// trap exits, crash on request, and take stop_delay_ms to terminate).
Result<Pid> startScenarioTree(Runtime& rt, const ScenarioNode& root);

/// Builds the tree, runs each step and waits for quiescence after it, then
/// shuts the runtime down. Returns 0 on success. Finance steps are calls
/// through finance::FinanceClient; each publishes an EventKind::Reply.
int runScenario(const Scenario& scenario, const RunOptions& options);

/// The trace line for one event ({"seq":..,"event":..,...}), without newline.
std::string traceLine(const Event& event);

} // namespace sc
