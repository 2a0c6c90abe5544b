// The scenario feature: a JSON file of a tree and steps (types.h, read by
// parser.h), the tree it builds (treebuilder.h), a session that plays it on
// a runtime (session.h) and the trace of what happened (trace.h); here, the
// headless run of a whole scenario on a runtime of its own.
// Threading: runScenario drives its Runtime from the calling thread and
// blocks it (see session.h), so it must not be a runtime worker running a
// process's callback, nor a GUI thread.
#pragma once

#include "core/scenario/parser.h"
#include "core/scenario/session.h"
#include "core/scenario/trace.h"
#include "core/scenario/treebuilder.h"
#include "core/scenario/types.h"

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace sc {

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

/// Builds the tree, runs each step and waits for quiescence after it, then
/// shuts the runtime down. Returns 0 on success; 1 (with a message logged)
/// when the tree did not start, a step did not finish within stepTimeout,
/// the runtime was not quiescent within quiescenceTimeout after a step, or
/// the trace reached traceLimit. Finance steps are calls
/// through finance::FinanceClient; each publishes an EventKind::Reply.
/// A ScenarioSession on a Runtime of its own.
int runScenario(const Scenario& scenario, const RunOptions& options);

} // namespace sc
