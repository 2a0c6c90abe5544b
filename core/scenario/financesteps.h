// The finance steps of a scenario (open_tracker ... report): the requests to
// the finance services. Their rows of the step table, their finance::Request,
// the user-name rule a file is held to, their amounts, performing one, and
// the words for its answer. Everything that mirrors finance::Request lives
// here. Internal to sc_scenario. Threading: pure, but performFinanceStep,
// which blocks the calling thread on the client's calls (see ScenarioSession).
#pragma once

#include "core/finance/finance.h"
#include "core/scenario/steps.h"
#include "core/scenario/types.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sc {

/// The finance rows of the step table (steps.h), in ScenarioStep::Do's order.
const std::vector<StepRule>& financeStepRules();

/// The finance request of a finance step.
finance::Request requestOf(ScenarioStep::Do action);

/// The step's amount as its request reads it: the zakat's wealth may be
/// negative (the calculator answers invalid_wealth), other amounts are magnitudes.
Result<Money> stepAmount(const ScenarioStep& step);

/// Reads the keys of a finance step into `step` (every key of its rule is
/// required); throws fields::BadScenario.
void parseFinanceStep(const nlohmann::json& j, const std::string& field, const StepRule& rule, ScenarioStep& step);

/// One request to the finance services; the amount is read here, so a
/// malformed one is answered like any other refused amount.
Result<finance::Reply> performFinanceStep(finance::FinanceClient& client, const ScenarioStep& step);

/// Words for a finance service's answer, as a person reads it.
std::string replyWords(ScenarioStep::Do action, const finance::Reply& reply);

} // namespace sc
