// The session: plays one scenario on a runtime, step by step, tracing what
// happened (ScenarioSession). The window's player and runScenario use it.
// Threading: a ScenarioSession drives the Runtime from the calling thread
// and writes the trace from that thread only. Performing a step and
// settling block that thread (a finance step on a call to a finance
// service, settle on Runtime::waitQuiescent, sleep on its sleep), so it
// must not be a runtime worker running a process's callback, nor a GUI
// thread. ScenarioSession::cancel is the one member any thread may call.
#pragma once

#include "core/runtime/runtime.h"
#include "core/scenario/types.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

namespace sc {

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
    /// True for the errors of startTree that say the tree's own start failed
    /// (a child's init crashed, or the root's init said ignore): the scenario
    /// ran, its tree did not start. A tree of nodes logs it in the trace.
    static bool treeFailedToStart(const Error& error)
    {
        return error.code == Errc::StartFailed || error.code == Errc::Ignore;
    }
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
