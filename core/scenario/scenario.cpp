// The headless run of a whole scenario (scenario.h): a ScenarioSession on a
// runtime of its own, with its failures logged.
#include "core/scenario/scenario.h"

#include <spdlog/spdlog.h>

namespace sc {

int runScenario(const Scenario& scenario, const RunOptions& options)
{
    Runtime rt(RuntimeOptions {.workers = options.workers});
    ScenarioSession session(rt, scenario, options);
    auto settled = [&](const std::string& after) {
        const bool quiet = session.settle();
        if (!quiet)
            spdlog::error(
                "scenario: the runtime was not quiescent {} ms after {}", options.quiescenceTimeout.count(), after);
        if (quiet && session.traceCut())
            spdlog::error("scenario: the trace reached its limit of {} bytes after {}; the run was stopped",
                options.traceLimit, after);
        return quiet && !session.traceCut();
    };
    if (auto root = session.startTree(); !root) {
        // A tree of nodes whose start failed is a run that happened (OTP's answer); the steps have nothing to act on.
        if (!scenario.finance && ScenarioSession::treeFailedToStart(root.error())) {
            spdlog::info("scenario: the tree did not start ({}); the steps are skipped", root.error().detail);
            return 0;
        }
        spdlog::error("scenario: the tree did not start: {}", root.error().toString());
        return 1;
    }
    if (!settled("the tree started")) return 1;
    for (std::size_t i = 0; i < session.stepCount(); ++i) {
        if (const auto outcome = session.perform(i); outcome.timedOut) {
            spdlog::error("scenario: {}", outcome.answer);
            return 1;
        }
        if (!settled("steps[" + std::to_string(i) + "]")) return 1;
    }
    if (auto lost = session.droppedEvents()) spdlog::warn("scenario: {} events were dropped from the trace", lost);
    return 0;
}

} // namespace sc
