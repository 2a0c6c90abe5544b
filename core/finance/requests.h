// The finance requests: ONE table of every request a client can make (its
// names, its fields, the service group that answers it, how a step and its
// answer read), and the rules of its fields (the user name, the amount).
// FinanceClient::perform, the scenario steps and the finance console derive
// their lists from kRequests; nothing else lists the requests.
//
// Threading: constants and pure functions; any thread.
#pragma once

#include "core/base/result.h"
#include "core/base/text.h"
#include "core/finance/money.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sc::finance {

// -- the requests --

/// Every request a client can make, in kRequests' order.
enum class Request {
    OpenTracker,
    Donate,
    Total,
    PoolAdd,
    PoolTotal,
    Deposit,
    Withdraw,
    Balance,
    Zakat,
    SetNisab,
    GetNisab,
    Transaction,
    StartTransaction,
    Report,
};

/// The amount a request carries (for Zakat: the wealth).
struct AmountField {
    /// Its key in a scenario step: "amount", or "wealth" for Zakat.
    std::string_view key;
    /// For people: "Amount", "Wealth", "Nisab".
    std::string_view label;
    /// Whether it may be negative: only Zakat's wealth, which the calculator
    /// itself refuses with InvalidWealth (the Elixir guide's
    /// `calculate_zakat(-1000)` test). Every other amount is a magnitude.
    bool isSigned = false;
};

/// One row of the request table.
struct RequestInfo {
    Request request;
    /// As scenario files spell it, the step's "do": "open_tracker", "pool_add".
    std::string_view name;
    /// FinanceClient's method: "openTracker", "poolAdd" (the console's object
    /// names and its `answered` signal spell requests so).
    std::string_view method;
    /// For people: "Open tracker", "Pool donation".
    std::string_view title;
    /// What it does, in one line (the console's tooltip).
    std::string_view help;
    /// The group of requests one service answers: "Donations", "Pool",
    /// "Withdrawals", "Zakat", "Transactions", "Report". Rows of one group
    /// are adjacent, in the order people see them.
    std::string_view group;
    /// Whether it names a user (checkUserName's rule).
    bool user = false;
    /// Its amount, if it takes one.
    std::optional<AmountField> amount;
    /// How a step of it reads (describeRequest): "{do}" is `name`, "{user}"
    /// the user, "{amount}" the amount: "{do} {amount} from {user}".
    std::string_view phrase;
    /// How its answer reads (describeReply): "{value}" is Reply::value,
    /// "{text}" Reply::text: "total {value}", "started {text} ({value})".
    std::string_view answer;
};

namespace detail {
inline constexpr AmountField kAmount {"amount", "Amount", false};
}

/// The request table, indexed by Request.
inline constexpr std::array<RequestInfo, 14> kRequests {{
    {Request::OpenTracker, "open_tracker", "openTracker", "Open tracker",
        "Starts finance/core/trackers/<user> under the trackers dynamic supervisor", "Donations", true, std::nullopt,
        "{do} {user}", "total {value}"},
    {Request::Donate, "donate", "donate", "Donate",
        "Adds to the user's tracker; answered once the ledger record is on disk", "Donations", true, detail::kAmount,
        "{do} {amount} from {user}", "total {value}"},
    {Request::Total, "total", "total", "Tracker total", "The total of the user's tracker", "Donations", true,
        std::nullopt, "{do} of {user}", "total {value}"},
    {Request::PoolAdd, "pool_add", "poolAdd", "Pool donation",
        "Adds to the shared donation pool (finance.donation_pool)", "Pool", true, detail::kAmount,
        "{do} {amount} from {user}", "pool total {value}"},
    {Request::PoolTotal, "pool_total", "poolTotal", "Pool total", "The donation pool's total", "Pool", false,
        std::nullopt, "{do}", "pool total {value}"},
    {Request::Deposit, "deposit", "deposit", "Deposit", "Adds to the user's balance (finance.withdrawals)",
        "Withdrawals", true, detail::kAmount, "{do} {amount} for {user}", "balance {value}"},
    {Request::Withdraw, "withdraw", "withdraw", "Withdraw",
        "Takes from the user's balance; refused if the balance is smaller", "Withdrawals", true, detail::kAmount,
        "{do} {amount} for {user}", "balance {value}"},
    {Request::Balance, "balance", "balance", "Balance", "The user's balance", "Withdrawals", true, std::nullopt,
        "{do} of {user}", "balance {value}"},
    {Request::Zakat, "zakat", "zakat", "Zakat", "2.5% of wealth at or above the nisab, rounded up to the cent",
        "Zakat", false, AmountField {"wealth", "Wealth", true}, "{do} on {amount}", "zakat due {value}"},
    {Request::SetNisab, "set_nisab", "setNisab", "Set nisab", "The least wealth that owes zakat", "Zakat", false,
        AmountField {"amount", "Nisab", false}, "{do} {amount}", "nisab {value}"},
    {Request::GetNisab, "get_nisab", "getNisab", "Get nisab", "The nisab in force", "Zakat", false, std::nullopt,
        "{do}", "nisab {value}"},
    {Request::Transaction, "transaction", "transaction", "Transaction",
        "Processed by finance.transaction_processor; 0 crashes it (let it crash) and its supervisor restarts it",
        "Transactions", false, detail::kAmount, "{do} {amount}", "processed {value}"},
    {Request::StartTransaction, "start_transaction", "startTransaction", "Start transaction",
        "Starts a transient worker under finance/core/transactions that processes the amount and exits",
        "Transactions", false, detail::kAmount, "{do} {amount}", "started {text} ({value})"},
    {Request::Report, "report", "report", "Report", "finance.report_generator sums the ledger's accepted records",
        "Report", false, std::nullopt, "{do}", "{text}"},
}};

namespace detail {
constexpr bool inRequestOrder()
{
    for (std::size_t i = 0; i < kRequests.size(); ++i)
        if (static_cast<std::size_t>(kRequests[i].request) != i) return false;
    return static_cast<std::size_t>(Request::Report) + 1 == kRequests.size();
}
static_assert(inRequestOrder(), "kRequests has one row per Request, in the enum's order");
} // namespace detail

/// The row of `request`.
constexpr const RequestInfo& requestInfo(Request request)
{
    return kRequests[static_cast<std::size_t>(request)];
}
/// The request a scenario file names ("pool_add"), if any.
std::optional<Request> requestNamed(std::string_view name);

/// Whether the request names a user, and whether it carries an amount (for Zakat: the wealth).
bool takesUser(Request request);
bool takesAmount(Request request);
/// Whether the request's amount may be negative (AmountField::isSigned).
bool takesSignedAmount(Request request);
/// The amount of `request` as a person or a file spells it: Money::parseSigned
/// where takesSignedAmount, else Money::parse ("-5" to donate is
/// InvalidAmount here; "-1000" as the zakat's wealth is -1000.00, for the
/// calculator to answer InvalidWealth).
Result<Money> parseAmount(Request request, std::string_view text);

// -- how requests and answers read --

/// The answer to a finance request.
struct Reply {
    Money value; ///< the amount, total, balance, zakat or nisab
    std::optional<std::int64_t> id; ///< the ledger record written for this change, if one was
    std::string text; ///< report: the report; start_transaction: the worker's path
};

/// The request in one line, by its phrase: "donate 10.00 from alice",
/// "total of alice", "zakat on 100.00", "report". `amount` as it is to be shown.
std::string describeRequest(Request request, std::string_view user, std::string_view amount);
/// The answer in words, by the request's answer pattern, with the ledger
/// record if one was written: "total 300.00 (ledger record 17)".
std::string describeReply(Request request, const Reply& reply);

// -- the user name --

/// A user name becomes a path component (finance/core/trackers/<user>) and is
/// shown on one line: 1 to kMaxUserBytes bytes, no '/', and none of the code
/// points text.h forbids.
inline constexpr std::size_t kMaxUserBytes = 64;
/// The rule in words, for messages: "expected " + kUserNameRule.
inline constexpr std::string_view kUserNameRule
    = "1 to 64 bytes without '/', control or bidirectional control characters";

/// What is wrong with a user name, the first problem found in this order.
struct UserNameProblem {
    enum class Kind { Empty, TooLong, Slash, ForbiddenText };
    Kind kind;
    /// ForbiddenText: the first code point the text rule forbids.
    std::optional<ForbiddenText> text;
};
/// The problem of `user`, or nothing if it follows the rule.
std::optional<UserNameProblem> findUserNameProblem(std::string_view user);
/// Ok, or BadArgument: "invalid user name (expected <kUserNameRule>), got 65
/// bytes" (with the first forbidden code point if it holds one).
Status checkUserName(std::string_view user);

} // namespace sc::finance
