// The steps a scenario file may hold: their names and keys (steps.h), and
// the words a person reads for one (describeStep).
#include "core/scenario/steps.h"

#include "core/scenario/fields.h"
#include "core/scenario/financesteps.h"

#include <string>

namespace sc {

const std::vector<StepRule>& treeStepRules()
{
    static const std::vector<StepRule> rules {
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
    return rules;
}

const std::vector<std::string_view>& stepNames()
{
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> all;
        for (const auto& rule : treeStepRules())
            all.push_back(rule.name);
        for (const auto& info : finance::kRequests)
            all.push_back(info.name);
        return all;
    }();
    return names;
}

const char* stepName(const ScenarioStep& step)
{
    if (isFinanceStep(step.action)) return finance::requestInfo(step.request).name.data();
    for (const auto& rule : treeStepRules()) {
        if (rule.action == step.action) return rule.name.data();
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
    const std::string name = stepName(step);
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
        return name;
    case Do::Flood:
        return name + " " + step.target + " with " + std::to_string(step.count) + " messages";
    case Do::Request:
        return finance::describeRequest(step.request, step.user, finance::takesAmount(step.request) ? amount() : "");
    }
    return name;
}

} // namespace sc
