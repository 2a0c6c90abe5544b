// The finance steps of a scenario (open_tracker ... report): the requests to
// the finance services, as finance::kRequests lists them. Their keys, the
// user-name rule a file is held to, their amounts and performing one; their
// names and words come from the request table (requests.h). Internal to
// sc_scenario. Threading: pure, but performFinanceStep, which blocks the
// calling thread on the client's calls (see ScenarioSession).
#pragma once

#include "core/finance/finance.h"
#include "core/scenario/types.h"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sc {

/// The keys a step of `request` takes: "do", "user" if it names one, and its amount's key.
std::vector<std::string_view> requestKeys(finance::Request request);

/// The step's amount as its request reads it: the zakat's wealth may be
/// negative (the calculator answers invalid_wealth), other amounts are magnitudes.
Result<Money> stepAmount(const ScenarioStep& step);

/// Reads the keys of the finance step `step.request` into `step` (every key
/// of requestKeys is required); throws fields::BadScenario.
void parseFinanceStep(const nlohmann::json& j, const std::string& field, ScenarioStep& step);

/// One request to the finance services; the amount is read here, so a
/// malformed one is answered like any other refused amount.
Result<finance::Reply> performFinanceStep(finance::FinanceClient& client, const ScenarioStep& step);

} // namespace sc
