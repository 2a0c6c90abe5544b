// The finance steps of a scenario (financesteps.h).
#include "core/scenario/financesteps.h"

#include "core/scenario/fields.h"

namespace sc {

using namespace fields;

bool isFinanceStep(ScenarioStep::Do action)
{
    return action == ScenarioStep::Do::Request;
}

std::vector<std::string_view> requestKeys(finance::Request request)
{
    const finance::RequestInfo& info = finance::requestInfo(request);
    std::vector<std::string_view> keys {"do"};
    if (info.user) keys.push_back("user");
    if (info.amount) keys.push_back(info.amount->key);
    return keys;
}

Result<Money> stepAmount(const ScenarioStep& step)
{
    return finance::parseAmount(step.request, step.amount);
}

namespace {

/// The user name of a step, held to finance's rule (findUserNameProblem), in the words of a file's message.
std::string userField(const json& j, const std::string& field)
{
    using Kind = finance::UserNameProblem::Kind;
    static const std::string expected = "a user name: " + std::string(finance::kUserNameRule);
    const auto f = at(field, "user");
    auto user = stringField(require(j, field, "user", expected), f, expected);
    if (const auto problem = finance::findUserNameProblem(user)) {
        switch (problem->kind) {
        case Kind::Empty:
            fail(f, "empty user name", expected);
        case Kind::TooLong:
            fail(f, "user name of " + std::to_string(user.size()) + " bytes", expected);
        case Kind::Slash:
            fail(f, quote(user) + " contains '/'", expected);
        case Kind::ForbiddenText:
            fail(f, quote(user) + " contains " + problem->text->kindName(), expected);
        }
    }
    return user;
}

} // namespace

void parseFinanceStep(const json& j, const std::string& field, ScenarioStep& step)
{
    constexpr std::string_view amountExpected = R"(an amount as a string, such as "100.50")";
    const finance::RequestInfo& info = finance::requestInfo(step.request);
    if (info.user) step.user = userField(j, field);
    if (info.amount) {
        // "amount" or "wealth": a malformed text is answered invalid_amount when the step runs.
        const std::string key(info.amount->key);
        step.amount = stringField(require(j, field, key.c_str(), amountExpected), at(field, key), amountExpected);
    }
}

Result<finance::Reply> performFinanceStep(finance::FinanceClient& client, const ScenarioStep& step)
{
    Money amount;
    if (finance::takesAmount(step.request)) {
        const auto parsed = stepAmount(step);
        if (!parsed) return Error {Errc::InvalidAmount, parsed.error().detail};
        amount = *parsed;
    }
    return client.perform(step.request, step.user, amount);
}

} // namespace sc
