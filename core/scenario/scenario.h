// Threading: parseScenario, describeStep and traceLine are pure.
// runScenario and a ScenarioSession drive a Runtime from the calling thread
// and write the trace from that thread only. Performing a step and settling
// block that thread (a finance step on a call to a finance service, settle
// on Runtime::waitQuiescent, sleep on its sleep), so it must not be a
// runtime worker running a process's callback, nor a GUI thread.
// ScenarioSession::cancel is the one member any thread may call.
#pragma once

#include "core/finance/finance.h"
#include "core/supervision/supervisor.h"

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <memory>
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
        Flood,
        Hang,
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
    int count = 0; ///< Flood: how many plain messages (1 to kMaxFloodCount)
    std::string user; ///< finance steps that name a user
    /// Finance steps with an amount (Zakat: the wealth), as the file spells it:
    /// finance::parseAmount reads it when the step runs, so a malformed amount
    /// is an answer (invalid_amount), not a bad file; a negative wealth reaches
    /// the calculator, which answers invalid_wealth.
    std::string amount;
};

// -- limits: what one file may cost (docs/scenarios.md, "Limits") --

/// The most messages one flood step may send (a larger count is a bad file).
inline constexpr int kMaxFloodCount = 1'000'000;
/// The most messages the mailboxes of the runtime may hold after a flood
/// step: a flood that would leave more queued is refused (the step fails,
/// the run goes on). Messages to a hung process stay queued: this bounds
/// the memory floods can make them take, however many steps flood it.
inline constexpr std::int64_t kMaxFloodQueued = 1'000'000;
/// The longest node id, in bytes.
inline constexpr std::size_t kMaxIdBytes = 255;
/// The longest path (the ids from the root down, joined by '/'), in bytes:
/// every process keeps its path, and so do its start and exit events.
inline constexpr std::size_t kMaxPathBytes = 1024;
/// The most processes a file may describe: the tree's nodes, the nodes of
/// every start_child child and every open_tracker step, together.
inline constexpr std::size_t kMaxProcesses = 100'000;
/// The longest sleep step and stop_delay_ms, in milliseconds.
inline constexpr int kMaxSleepMs = 60'000;
inline constexpr int kMaxStopDelayMs = 30'000;
/// The default bound on one step (SessionOptions::stepTimeout).
inline constexpr std::chrono::milliseconds kDefaultStepTimeout {60'000};
/// The default bound on a trace's size (SessionOptions::traceLimit).
inline constexpr std::uint64_t kDefaultTraceLimit = std::uint64_t {256} << 20;

const char* stepName(ScenarioStep::Do action);
/// True for the requests to the finance services (open_tracker ... report).
bool isFinanceStep(ScenarioStep::Do action);
/// One line for a person: "kill root/b", "donate 10.00 from alice",
/// "flood root/a with 1000 messages".
std::string describeStep(const ScenarioStep& step);

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
    /// `"title"` and `"description"`: for people (the window's scenario
    /// menu and player); empty when the file has none. The runner ignores them.
    std::string title;
    std::string description;
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
    /// The bound on one step (SessionOptions::stepTimeout); a step beyond it
    /// ends the run (1).
    std::chrono::milliseconds stepTimeout = kDefaultStepTimeout;
    /// SessionOptions::floodLimit.
    std::int64_t floodLimit = kMaxFloodQueued;
    /// SessionOptions::traceLimit; a cut trace ends the run (1).
    std::uint64_t traceLimit = kDefaultTraceLimit;
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

/// A scenario worker (as a scenario's "worker" node with default keys) to
/// start under a dynamic supervisor by hand, as the window's "Start a child" does.
ChildSpec scenarioWorkerSpec(const std::string& id, Restart restart = Restart::Temporary);

/// Builds the tree, runs each step and waits for quiescence after it, then
/// shuts the runtime down. Returns 0 on success; 1 (with a message logged)
/// when the tree did not start, a step did not finish within stepTimeout,
/// the runtime was not quiescent within quiescenceTimeout after a step, or
/// the trace reached traceLimit. Finance steps are calls
/// through finance::FinanceClient; each publishes an EventKind::Reply.
/// A ScenarioSession on a Runtime of its own.
int runScenario(const Scenario& scenario, const RunOptions& options);

/// The trace line for one event ({"seq":..,"event":..,...}), without newline.
std::string traceLine(const Event& event);

// -- playing a scenario on a runtime --

struct SessionOptions {
    std::ostream* trace = nullptr; ///< one JSON object per line, flushed per line; null: no trace
    /// Longest wait for the runtime to become quiescent in settle().
    std::chrono::milliseconds quiescenceTimeout {60000};
    /// The bound on one step (a sleep step excepted, which is capped at
    /// kMaxSleepMs): every wait of perform() is bounded by it, and a step
    /// that took it is answered StepOutcome::timedOut. Finance calls get
    /// the smaller of it and 30 s each.
    std::chrono::milliseconds stepTimeout = kDefaultStepTimeout;
    /// The most messages a flood step may leave queued in the runtime's
    /// mailboxes, counting those already there (kMaxFloodQueued).
    std::int64_t floodLimit = kMaxFloodQueued;
    /// The most bytes written to the trace: the line that would go beyond
    /// is replaced by {"event":"trace_cut",...} (room for it is kept, so no
    /// line is ever cut in half) and nothing is written after it.
    std::uint64_t traceLimit = kDefaultTraceLimit;
    /// Finance tree: where the ledger lives (required, see RunOptions).
    std::string dataDir {};
    /// Finance tree: recover state on restart even if the scenario says `reset`.
    bool recoverState = false;
};

/// What a step did, in words for a person (the trace has the details).
struct StepOutcome {
    /// false: the step was refused or failed (an error answer, a call to a
    /// worker), or its target was not alive so nothing was done.
    bool ok = true;
    /// "total 10.00 (ledger record 17)", "insufficient_funds: ...",
    /// "killed", "max_children", "root/a is not alive; nothing done".
    std::string answer;
    /// The step took SessionOptions::stepTimeout or longer; answer says
    /// "steps[3] (stop_tree) did not finish within 60 s". Whatever it waits
    /// for may still be going on.
    bool timedOut = false;
};

/// Plays one scenario on a runtime it does not own, which other code may
/// use meanwhile (the window's, with its GUI bridge subscribed): starts the
/// scenario's tree, performs its steps one at a time, publishing the same
/// Step, Reply, StepResult and Log events as runScenario, and stops the
/// tree. A step names its target by path; the session resolves the path to
/// the living process from the Start and Exit events it has seen since it
/// was made (so a process the user restarted by hand is found too).
class ScenarioSession {
public:
    /// Subscribes to the runtime's events; the Runtime must outlive the session.
    ScenarioSession(Runtime& rt, Scenario scenario, SessionOptions options = {});
    /// Unsubscribes and cuts short the slow terminates of its workers; leaves
    /// the tree running (stopTree() first to end it).
    ~ScenarioSession();
    ScenarioSession(const ScenarioSession&) = delete;
    ScenarioSession& operator=(const ScenarioSession&) = delete;

    const Scenario& scenario() const;
    std::size_t stepCount() const;

    // -- the tree --
    /// Starts the tree: finance::startFinanceTree with financeConfig() for a
    /// finance scenario, else the scenario's tree of nodes. On an error (the
    /// start's own; AlreadyStarted the second time) the events so far are
    /// still written to the trace.
    Result<Pid> startTree();
    /// The root started by startTree(); 0 before.
    Pid root() const;
    /// Stops the root with reason shutdown (as stop_tree does, but first
    /// waking every worker that sleeps out a stop_delay_ms, so that it ends
    /// at once) and waits up to `timeout` for the whole tree to be gone,
    /// registered names released. A tree that has already ended is Ok.
    /// Errors: Timeout.
    Status stopTree(std::chrono::milliseconds timeout);

    // -- steps --
    /// Performs step `index` (< stepCount()): waits for a finance step's
    /// answer and sleeps a sleep step, but not for the cascade a step sets
    /// off (settle() does). Publishes the step's events as runScenario does.
    StepOutcome perform(std::size_t index);
    /// Waits until the runtime is quiescent (at most quiescenceTimeout), then
    /// takes the events published so far: tracks paths, writes the trace.
    /// False if the runtime was still busy, or the session was cancelled.
    bool settle();
    /// Events the session's subscription dropped because nobody settled.
    std::uint64_t droppedEvents() const;
    /// The trace reached SessionOptions::traceLimit: it ends with a
    /// trace_cut line and nothing more is written to it.
    bool traceCut() const;

    /// Any thread: a sleep step or settle() in progress returns at once, and
    /// so will every later one (settle() then answers false). For giving up
    /// on a session quickly: its tree can still be stopped.
    void cancel();
    bool isCancelled() const;

private:
    class Impl;
    std::unique_ptr<Impl> d;
};

} // namespace sc
