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

/// What runScenario needs: the session's options and the runtime's workers.
struct RunOptions : SessionOptions {
    unsigned workers = 0; ///< the runtime's workers (RuntimeOptions::workers)
};

/// Builds the tree, runs each step and waits for quiescence after it, then
/// shuts the runtime down. Returns 0 on success, and when a tree of nodes
/// failed to start as OTP's would (a child's init crashed: the trace holds
/// what happened and a log event; the steps are skipped); 1 (with a message
/// logged) when the finance tree did not start, a step did not finish within stepTimeout,
/// the runtime was not quiescent within quiescenceTimeout after a step, or
/// the trace reached traceLimit. Finance steps are calls
/// through finance::FinanceClient; each publishes an EventKind::Reply.
/// A ScenarioSession on a Runtime of its own.
int runScenario(const Scenario& scenario, const RunOptions& options);

} // namespace sc
