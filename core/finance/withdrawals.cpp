// withdrawals: the balance of each user (deposits and withdrawals).
#include "core/finance/commit.h"

#include <map>

namespace sc::finance::detail {

namespace {

class Withdrawals : public LedgerService {
public:
    explicit Withdrawals(ContextPtr context)
        : LedgerService(kWithdrawalsName, std::move(context))
    {
    }

    Next setUp() override
    {
        if (config().recoverState) {
            auto records = recover({kDeposit, kWithdrawal});
            if (!records) return cannotRecover(records.error());
            for (const auto& r : *records)
                m_balances[r.user] = r.result.value_or(Money());
        }
        return Next::ok();
    }

    Next handleCall(const Term& request, const From& from) override
    {
        if (auto q = std::any_cast<GetBalance>(&request)) return Next::reply(Answer(valueOf(committed(q->user))));
        if (std::any_cast<Deposit>(&request) || std::any_cast<Withdraw>(&request)) return submit(request, from);
        return LedgerService::handleCall(request, from);
    }

    std::string describeState() const override
    {
        std::string s = "balances: " + std::to_string(m_balances.size());
        for (const auto& [user, balance] : m_balances)
            s += "\n  " + user + " " + balance.toString();
        return s;
    }

protected:
    Decision decide(const Term& request) override
    {
        if (auto d = std::any_cast<Deposit>(&request)) {
            auto r = record(kDeposit, d->user, d->amount);
            if (d->amount <= Money()) return reject(std::move(r), notPositive(d->amount));
            auto balance = draft(d->user).plus(d->amount);
            if (!balance) return reject(std::move(r), balance.error());
            return change(std::move(r), *balance);
        }
        const auto& w = std::any_cast<const Withdraw&>(request);
        auto r = record(kWithdrawal, w.user, w.amount);
        if (w.amount <= Money()) return reject(std::move(r), notPositive(w.amount));
        const Money balance = draft(w.user);
        if (balance < w.amount)
            return reject(std::move(r),
                Error {Errc::InsufficientFunds,
                    "the balance of " + w.user + " is " + balance.toString() + ", less than " + w.amount.toString()});
        return change(std::move(r), *balance.minus(w.amount));
    }
    void beginDraft() override { m_draft.clear(); }
    void commitDraft() override
    {
        for (auto& [user, balance] : m_draft)
            m_balances[user] = balance;
        m_draft.clear();
    }
    void discardDraft() override { m_draft.clear(); }

private:
    Money committed(const std::string& user) const
    {
        auto it = m_balances.find(user);
        return it == m_balances.end() ? Money() : it->second;
    }
    Money draft(const std::string& user) const
    {
        auto it = m_draft.find(user);
        return it == m_draft.end() ? committed(user) : it->second;
    }
    Decision change(LedgerRecord r, Money balance)
    {
        m_draft[r.user] = balance;
        r.result = balance;
        return accept(std::move(r), valueOf(balance));
    }

    std::map<std::string, Money> m_balances;
    std::map<std::string, Money> m_draft;
};

} // namespace

std::unique_ptr<GenServer> makeWithdrawals(ContextPtr context)
{
    return std::make_unique<Withdrawals>(std::move(context));
}

} // namespace sc::finance::detail
