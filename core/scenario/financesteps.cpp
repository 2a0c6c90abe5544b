// The finance steps of a scenario (financesteps.h).
#include "core/scenario/financesteps.h"

#include "core/scenario/fields.h"

namespace sc {

using namespace fields;

const std::vector<StepRule>& financeStepRules()
{
    static const std::vector<StepRule> rules {
        {ScenarioStep::Do::OpenTracker, "open_tracker", {"do", "user"}},
        {ScenarioStep::Do::Donate, "donate", {"do", "user", "amount"}},
        {ScenarioStep::Do::Total, "total", {"do", "user"}},
        {ScenarioStep::Do::PoolAdd, "pool_add", {"do", "user", "amount"}},
        {ScenarioStep::Do::PoolTotal, "pool_total", {"do"}},
        {ScenarioStep::Do::Deposit, "deposit", {"do", "user", "amount"}},
        {ScenarioStep::Do::Withdraw, "withdraw", {"do", "user", "amount"}},
        {ScenarioStep::Do::Balance, "balance", {"do", "user"}},
        {ScenarioStep::Do::Zakat, "zakat", {"do", "wealth"}},
        {ScenarioStep::Do::SetNisab, "set_nisab", {"do", "amount"}},
        {ScenarioStep::Do::GetNisab, "get_nisab", {"do"}},
        {ScenarioStep::Do::Transaction, "transaction", {"do", "amount"}},
        {ScenarioStep::Do::StartTransaction, "start_transaction", {"do", "amount"}},
        {ScenarioStep::Do::Report, "report", {"do"}},
    };
    return rules;
}

// The finance steps are kept last in ScenarioStep::Do.
bool isFinanceStep(ScenarioStep::Do action)
{
    return action >= ScenarioStep::Do::OpenTracker;
}

finance::Request requestOf(ScenarioStep::Do action)
{
    // The finance steps are declared in finance::Request's order.
    using Do = ScenarioStep::Do;
    static_assert(int(Do::Report) - int(Do::OpenTracker) == int(finance::Request::Report));
    return finance::Request(int(action) - int(Do::OpenTracker));
}

Result<Money> stepAmount(const ScenarioStep& step)
{
    return finance::parseAmount(requestOf(step.action), step.amount);
}

void parseFinanceStep(const json& j, const std::string& field, const StepRule& rule, ScenarioStep& step)
{
    constexpr std::string_view amountExpected = R"(an amount as a string, such as "100.50")";
    constexpr std::string_view userExpected
        = "a user name: 1 to 64 bytes, no '/', no control or bidirectional control characters";
    for (const auto key : rule.keys) {
        if (key == "do") continue;
        const std::string name(key);
        const auto f = at(field, name);
        if (key == "user") {
            const auto& v = require(j, field, name.c_str(), userExpected);
            step.user = stringField(v, f, userExpected);
            if (step.user.empty()) fail(f, "empty user name", userExpected);
            if (step.user.size() > 64)
                fail(f, "user name of " + std::to_string(step.user.size()) + " bytes", userExpected);
            if (step.user.find('/') != std::string::npos) fail(f, quote(step.user) + " contains '/'", userExpected);
            checkText(step.user, f, userExpected);
        } else {
            // "amount" or "wealth": a malformed text is answered invalid_amount when the step runs.
            step.amount = stringField(require(j, field, name.c_str(), amountExpected), f, amountExpected);
        }
    }
}

Result<finance::Reply> performFinanceStep(finance::FinanceClient& client, const ScenarioStep& step)
{
    const auto request = requestOf(step.action);
    Money amount;
    if (finance::takesAmount(request)) {
        const auto parsed = stepAmount(step);
        if (!parsed) return Error {Errc::InvalidAmount, parsed.error().detail};
        amount = *parsed;
    }
    return client.perform(request, step.user, amount);
}

std::string replyWords(ScenarioStep::Do action, const finance::Reply& reply)
{
    using Do = ScenarioStep::Do;
    const std::string value = reply.value.toString();
    std::string words;
    switch (action) {
    case Do::OpenTracker:
    case Do::Donate:
    case Do::Total:
        words = "total " + value;
        break;
    case Do::PoolAdd:
    case Do::PoolTotal:
        words = "pool total " + value;
        break;
    case Do::Deposit:
    case Do::Withdraw:
    case Do::Balance:
        words = "balance " + value;
        break;
    case Do::Zakat:
        words = "zakat due " + value;
        break;
    case Do::SetNisab:
    case Do::GetNisab:
        words = "nisab " + value;
        break;
    case Do::Transaction:
        words = "processed " + value;
        break;
    case Do::StartTransaction:
        words = "started " + reply.text + " (" + value + ")";
        break;
    case Do::Report:
        words = reply.text;
        break;
    default:
        words = value;
        break;
    }
    if (reply.id) words += " (ledger record " + std::to_string(*reply.id) + ")";
    return words;
}

} // namespace sc
