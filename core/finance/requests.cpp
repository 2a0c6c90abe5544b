// The finance requests: lookups in the one table, how requests and answers
// read, and the user-name rule (see requests.h).
#include "core/finance/requests.h"

namespace sc::finance {

namespace {

/// `pattern` with each "{key}" replaced by its value.
std::string fill(std::string_view pattern, std::initializer_list<std::pair<std::string_view, std::string_view>> values)
{
    std::string out;
    for (std::size_t i = 0; i < pattern.size();) {
        bool replaced = false;
        for (const auto& [key, value] : values) {
            if (pattern.substr(i, key.size()) == key) {
                out += value;
                i += key.size();
                replaced = true;
                break;
            }
        }
        if (!replaced) out += pattern[i++];
    }
    return out;
}

} // namespace

// -- the requests --

std::optional<Request> requestNamed(std::string_view name)
{
    for (const RequestInfo& info : kRequests)
        if (info.name == name) return info.request;
    return std::nullopt;
}

bool takesUser(Request r)
{
    return requestInfo(r).user;
}

bool takesAmount(Request r)
{
    return requestInfo(r).amount.has_value();
}

bool takesSignedAmount(Request r)
{
    const auto& amount = requestInfo(r).amount;
    return amount && amount->isSigned;
}

Result<Money> parseAmount(Request request, std::string_view text)
{
    return takesSignedAmount(request) ? Money::parseSigned(text) : Money::parse(text);
}

// -- how requests and answers read --

std::string describeRequest(Request request, std::string_view user, std::string_view amount)
{
    const RequestInfo& info = requestInfo(request);
    return fill(info.phrase, {{"{do}", info.name}, {"{user}", user}, {"{amount}", amount}});
}

std::string describeReply(Request request, const Reply& reply)
{
    const std::string value = reply.value.toString();
    std::string words = fill(requestInfo(request).answer, {{"{value}", value}, {"{text}", reply.text}});
    if (reply.id) words += " (ledger record " + std::to_string(*reply.id) + ")";
    return words;
}

// -- the user name --

std::optional<UserNameProblem> findUserNameProblem(std::string_view user)
{
    using Kind = UserNameProblem::Kind;
    if (user.empty()) return UserNameProblem {Kind::Empty, std::nullopt};
    if (user.size() > kMaxUserBytes) return UserNameProblem {Kind::TooLong, std::nullopt};
    if (user.find('/') != std::string_view::npos) return UserNameProblem {Kind::Slash, std::nullopt};
    if (auto bad = findForbiddenText(user)) return UserNameProblem {Kind::ForbiddenText, bad};
    return std::nullopt;
}

Status checkUserName(std::string_view user)
{
    if (!findUserNameProblem(user)) return Ok {};
    std::string got = std::to_string(user.size()) + " bytes";
    if (const auto bad = findForbiddenText(user)) got += " with " + bad->toString();
    return Error {Errc::BadArgument, "invalid user name (expected " + std::string(kUserNameRule) + "), got " + got};
}

} // namespace sc::finance
