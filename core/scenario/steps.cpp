// The steps a scenario file may hold: their names and keys (steps.h), and
// the words a person reads for one (describeStep).
#include "core/scenario/steps.h"

#include "core/scenario/fields.h"
#include "core/scenario/financesteps.h"

#include <string>

namespace sc {

const std::vector<StepRule>& stepRules()
{
    static const std::vector<StepRule> rules = [] {
        // The tree's steps; the finance steps follow them.
        std::vector<StepRule> all {
            {ScenarioStep::Do::Kill, "kill", {"do", "target"}},
            {ScenarioStep::Do::Crash, "crash", {"do", "target"}},
            {ScenarioStep::Do::Stop, "stop", {"do", "target", "reason"}},
            {ScenarioStep::Do::StartChild, "start_child", {"do", "target", "child"}},
            {ScenarioStep::Do::TerminateChild, "terminate_child", {"do", "target", "id"}},
            {ScenarioStep::Do::RestartChild, "restart_child", {"do", "target", "id"}},
            {ScenarioStep::Do::Sleep, "sleep", {"do", "ms"}},
            {ScenarioStep::Do::StopTree, "stop_tree", {"do"}},
            {ScenarioStep::Do::Flood, "flood", {"do", "target", "count"}},
            {ScenarioStep::Do::Hang, "hang", {"do", "target"}},
        };
        const auto& finance = financeStepRules();
        all.insert(all.end(), finance.begin(), finance.end());
        return all;
    }();
    return rules;
}

const char* stepName(ScenarioStep::Do action)
{
    for (const auto& rule : stepRules()) {
        if (rule.action == action) return rule.name.data();
    }
    return "?";
}

std::string describeStep(const ScenarioStep& step)
{
    using Do = ScenarioStep::Do;
    // An amount as the services will read it ("10" -> "10.00"); a malformed one as the file spells it.
    const auto amount = [&] {
        const auto parsed = stepAmount(step);
        return parsed ? parsed->toString() : fields::quote(step.amount);
    };
    const std::string name = stepName(step.action);
    switch (step.action) {
    case Do::Kill:
    case Do::Crash:
    case Do::Hang:
        return name + " " + step.target;
    case Do::Stop:
        return name + " " + step.target + " (" + step.reason + ")";
    case Do::StartChild:
        return name + " " + (step.child ? step.child->id : std::string("?")) + " in " + step.target;
    case Do::TerminateChild:
    case Do::RestartChild:
        return name + " " + step.id + " of " + step.target;
    case Do::Sleep:
        return name + " " + std::to_string(step.ms) + " ms";
    case Do::StopTree:
    case Do::PoolTotal:
    case Do::GetNisab:
    case Do::Report:
        return name;
    case Do::Flood:
        return name + " " + step.target + " with " + std::to_string(step.count) + " messages";
    case Do::OpenTracker:
        return name + " " + step.user;
    case Do::Total:
    case Do::Balance:
        return name + " of " + step.user;
    case Do::Donate:
    case Do::PoolAdd:
        return name + " " + amount() + " from " + step.user;
    case Do::Deposit:
    case Do::Withdraw:
        return name + " " + amount() + " for " + step.user;
    case Do::Zakat:
        return name + " on " + amount();
    case Do::SetNisab:
    case Do::Transaction:
    case Do::StartTransaction:
        return name + " " + amount();
    }
    return name;
}

} // namespace sc
