// The tree builder: a scenario's nodes made into a live supervision tree on
// a runtime (Supervisors, DynamicSupervisors and scenario workers), and the
// configuration a finance scenario's tree starts with.
// Threading: starting a tree blocks the calling thread until the root's init
// returns (startSupervisor, Runtime::spawn); a ChildSpec is a plain value
// that any thread may hand to the runtime.
#pragma once

#include "core/finance/finance.h"
#include "core/scenario/types.h"
#include "core/supervision/supervisor.h"

#include <memory>
#include <string>

namespace sc {

class Teardown;

/// The configuration a finance scenario's tree starts with.
finance::Config financeConfig(const Scenario& scenario, const std::string& dataDir, bool recoverState);

/// Starts the tree a scenario describes (workers are ScenarioWorkers: they
/// trap exits, crash on request, and take stop_delay_ms to terminate).
Result<Pid> startScenarioTree(Runtime& rt, const ScenarioNode& root);

/// A scenario worker (as a scenario's "worker" node with default keys) to
/// start under a dynamic supervisor by hand, as the window's "Start a child" does.
ChildSpec scenarioWorkerSpec(const std::string& id, Restart restart = Restart::Temporary);

// -- for ScenarioSession: the tree's workers share the session's Teardown --

/// startScenarioTree, with workers whose slow terminates `teardown` cuts short.
Result<Pid> startScenarioTree(Runtime& rt, const ScenarioNode& root, const std::shared_ptr<Teardown>& teardown);
/// The child spec of `node` (a start_child step's child), the same way.
ChildSpec scenarioChildSpec(const ScenarioNode& node, const std::shared_ptr<Teardown>& teardown);

} // namespace sc
