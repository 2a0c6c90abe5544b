// A scenario as a value: the tree's nodes, the steps, the limits a file is
// held to, and the steps' names. What parseScenario makes and a
// ScenarioSession plays. Pure values and functions: any thread.
#pragma once

#include "core/finance/money.h"
#include "core/finance/requests.h"
#include "core/supervision/types.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
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
    /// A worker's `init`: the outcome of this path's 1st, 2nd, ... start in
    /// the run (restarts and start_child included); Ok once the list is used up.
    enum class Init { Ok, Crash, Ignore };
    std::vector<Init> init;
    /// A worker's `trap_exit`: false makes a linked process's abnormal exit,
    /// and its supervisor's shutdown, end it at once (no terminate).
    bool trapExit = true;
    /// A worker's `links`: the paths it links to as it starts (those alive then).
    std::vector<std::string> links;
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
        /// A request to the finance services (finance tree only): `request` says which.
        Request,
    };
    Do action = Do::Sleep;
    finance::Request request = finance::Request::OpenTracker; ///< Request
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

/// The step's "do" as a file spells it: "kill", or the request's name ("donate").
const char* stepName(const ScenarioStep& step);
/// True for the requests to the finance services (Do::Request).
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

} // namespace sc
