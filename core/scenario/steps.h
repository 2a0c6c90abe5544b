// The steps a scenario file may hold: each tree step's name (the "do" of a
// step) and the keys it takes; the finance steps are finance::kRequests'
// rows (financesteps.h). Internal to sc_scenario (the parser reads steps by
// it, stepName names them); pure.
#pragma once

#include "core/scenario/types.h"

#include <string_view>
#include <vector>

namespace sc {

struct StepRule {
    ScenarioStep::Do action;
    std::string_view name;
    std::vector<std::string_view> keys;
};

/// The tree's steps, in ScenarioStep::Do's order (every Do but Request).
const std::vector<StepRule>& treeStepRules();

/// Every step's name as a file spells it: the tree's steps, then the
/// finance requests in kRequests' order (what an unknown step is told).
const std::vector<std::string_view>& stepNames();

} // namespace sc
