// FinanceClient: finance.h's request API, the calls other code makes to the
// finance services (found by their registered names).
#include "core/finance/finance.h"

#include "core/finance/service.h"
#include "core/supervision/supervisor.h"

namespace sc::finance {

namespace {

using namespace detail;

/// Unwraps a call's answer of type T, passing the runtime's errors through.
template <typename T> Result<T> unwrap(Result<Term> r)
{
    if (!r) return r.error();
    if (auto* value = std::any_cast<T>(&*r)) return std::move(*value);
    return Error {Errc::BadArgument, "unexpected answer"};
}

Result<Pid> find(Runtime& rt, const char* name)
{
    if (const Pid pid = rt.whereis(name)) return pid;
    return Error {Errc::NoProc, std::string(name) + " is not running"};
}

} // namespace

template <typename Message> Result<Reply> FinanceClient::callService(const char* name, Message message)
{
    auto pid = find(m_rt, name);
    if (!pid) return pid.error();
    auto answer = unwrap<Answer>(m_rt.call(*pid, std::move(message), m_timeout));
    if (!answer) return answer.error();
    return std::move(*answer);
}

Result<Reply> FinanceClient::openTracker(const std::string& user)
{
    if (auto valid = checkUserName(user); !valid) return valid.error();
    if (const Pid pid = m_rt.lookupKey(kTrackerRegistry, user))
        return Error {Errc::AlreadyStarted, "a tracker for " + user + " is running", pid};
    auto sup = find(m_rt, kTrackersName);
    if (!sup) return sup.error();
    auto ticket = unwrap<Ticket>(m_rt.call(*sup, GetTicket {}, m_timeout));
    if (!ticket) return ticket.error();

    ChildSpec spec;
    spec.id = user;
    spec.start = [user, context = ticket->context] { return makeTracker(user, context); };
    auto started = startChild(m_rt, *sup, std::move(spec));
    if (!started) {
        if (started.error().detail.find("already_started") != std::string::npos)
            return Error {
                Errc::AlreadyStarted, "a tracker for " + user + " is running", m_rt.lookupKey(kTrackerRegistry, user)};
        return started.error();
    }
    auto answer = unwrap<Answer>(m_rt.call(*started, GetTotal {}, m_timeout));
    if (!answer) return answer.error();
    return std::move(*answer);
}

Result<Reply> FinanceClient::donate(const std::string& user, Money amount)
{
    if (auto valid = checkUserName(user); !valid) return valid.error();
    const Pid tracker = m_rt.lookupKey(kTrackerRegistry, user);
    if (!tracker) return Error {Errc::NotFound, "no tracker for " + user + " (open one first)"};
    auto answer = unwrap<Answer>(m_rt.call(tracker, Donate {amount}, m_timeout));
    if (!answer) return answer.error();
    return std::move(*answer);
}

Result<Reply> FinanceClient::total(const std::string& user)
{
    if (auto valid = checkUserName(user); !valid) return valid.error();
    const Pid tracker = m_rt.lookupKey(kTrackerRegistry, user);
    if (!tracker) return Error {Errc::NotFound, "no tracker for " + user + " (open one first)"};
    auto answer = unwrap<Answer>(m_rt.call(tracker, GetTotal {}, m_timeout));
    if (!answer) return answer.error();
    return std::move(*answer);
}

Result<Reply> FinanceClient::poolAdd(const std::string& user, Money amount)
{
    if (auto valid = checkUserName(user); !valid) return valid.error();
    return callService(kPoolName, PoolAdd {user, amount});
}

Result<Reply> FinanceClient::poolTotal()
{
    return callService(kPoolName, GetTotal {});
}

Result<Reply> FinanceClient::deposit(const std::string& user, Money amount)
{
    if (auto valid = checkUserName(user); !valid) return valid.error();
    return callService(kWithdrawalsName, Deposit {user, amount});
}

Result<Reply> FinanceClient::withdraw(const std::string& user, Money amount)
{
    if (auto valid = checkUserName(user); !valid) return valid.error();
    return callService(kWithdrawalsName, Withdraw {user, amount});
}

Result<Reply> FinanceClient::balance(const std::string& user)
{
    if (auto valid = checkUserName(user); !valid) return valid.error();
    return callService(kWithdrawalsName, GetBalance {user});
}

Result<Reply> FinanceClient::zakat(Money wealth)
{
    return callService(kZakatName, Zakat {wealth});
}
Result<Reply> FinanceClient::setNisab(Money nisab)
{
    return callService(kZakatName, SetNisab {nisab});
}
Result<Reply> FinanceClient::getNisab()
{
    return callService(kZakatName, GetNisab {});
}
Result<Reply> FinanceClient::transaction(Money amount)
{
    return callService(kProcessorName, ProcessTransaction {amount});
}

Result<Reply> FinanceClient::startTransaction(Money amount)
{
    if (amount <= Money()) return notPositive(amount);
    auto sup = find(m_rt, kTransactionsName);
    if (!sup) return sup.error();
    auto ticket = unwrap<Ticket>(m_rt.call(*sup, GetTicket {}, m_timeout));
    if (!ticket) return ticket.error();

    ChildSpec spec;
    spec.id = "tx-" + std::to_string(ticket->serial);
    spec.restart = Restart::Transient;
    spec.start = [amount] { return makeTransactionWorker(amount); };
    const std::string path = std::string(kTransactionsPath) + "/" + spec.id;
    auto started = startChild(m_rt, *sup, std::move(spec));
    if (!started) return started.error();
    return Reply {amount, std::nullopt, path};
}

Result<Report> FinanceClient::reportTotals()
{
    auto pid = find(m_rt, kReportName);
    if (!pid) return pid.error();
    auto report = unwrap<Result<Report>>(m_rt.call(*pid, MakeReport {}, m_timeout));
    if (!report) return report.error();
    return std::move(*report);
}

Result<Reply> FinanceClient::perform(Request request, const std::string& user, Money amount)
{
    switch (request) {
    case Request::OpenTracker:
        return openTracker(user);
    case Request::Donate:
        return donate(user, amount);
    case Request::Total:
        return total(user);
    case Request::PoolAdd:
        return poolAdd(user, amount);
    case Request::PoolTotal:
        return poolTotal();
    case Request::Deposit:
        return deposit(user, amount);
    case Request::Withdraw:
        return withdraw(user, amount);
    case Request::Balance:
        return balance(user);
    case Request::Zakat:
        return zakat(amount);
    case Request::SetNisab:
        return setNisab(amount);
    case Request::GetNisab:
        return getNisab();
    case Request::Transaction:
        return transaction(amount);
    case Request::StartTransaction:
        return startTransaction(amount);
    case Request::Report:
        return report();
    }
    return Error {Errc::NotSupported, "unknown request"};
}

Result<Reply> FinanceClient::report()
{
    auto totals = reportTotals();
    if (!totals) return totals.error();
    return Reply {totals->donations, std::nullopt, totals->toString()};
}

} // namespace sc::finance
