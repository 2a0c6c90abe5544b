// The steps a scenario file may hold: each one's name (the "do" of a step)
// and the keys it takes. Internal to sc_scenario (the parser reads steps
// by it, stepName names them); pure.
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

/// Every step, in ScenarioStep::Do's order: the tree's steps, then the
/// finance steps (financeStepRules()).
const std::vector<StepRule>& stepRules();

} // namespace sc
