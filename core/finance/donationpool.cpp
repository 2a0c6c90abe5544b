// donation_pool: the shared pool of donations and its invariant.
#include "core/finance/commit.h"

#include <algorithm>

namespace sc::finance::detail {

namespace {

class DonationPool : public LedgerService {
public:
    explicit DonationPool(ContextPtr context)
        : LedgerService(kPoolName, std::move(context))
    {
    }

    Next setUp() override
    {
        if (config().recoverState) {
            auto records = recover({kPoolDonation});
            if (!records) return cannotRecover(records.error());
            for (const auto& r : *records) {
                auto total = m_total.plus(r.amount);
                if (!total) return cannotRecover(Error {Errc::Storage, sumBeyondRange(r.kind, false, r.id)});
                m_total = *total;
                m_donations.push_back({r.user, r.amount});
                m_amounts.push_back(r.amount);
            }
            m_committed = m_donations.size();
        }
        m_draftTotal = m_total;
        return Next::ok();
    }

    Next handleCall(const Term& request, const From& from) override
    {
        if (std::any_cast<GetTotal>(&request)) return Next::reply(Answer(valueOf(m_total)));
        if (std::any_cast<PoolAdd>(&request)) return submit(request, from);
        return LedgerService::handleCall(request, from);
    }

    std::string describeState() const override
    {
        std::string s = "total: " + m_total.toString() + "\ndonations: " + std::to_string(m_committed);
        const std::size_t shown = std::min<std::size_t>(m_committed, 10);
        for (std::size_t i = m_committed - shown; i < m_committed; ++i)
            s += "\n  " + m_donations[i].user + " " + m_donations[i].amount.toString();
        return s;
    }

protected:
    Decision decide(const Term& request) override
    {
        const auto& add = std::any_cast<const PoolAdd&>(request);
        auto r = record(kPoolDonation, add.user, add.amount);
        if (add.amount <= Money()) return reject(std::move(r), notPositive(add.amount));
        auto total = m_draftTotal.plus(add.amount);
        if (!total)
            return reject(std::move(r), invalidAmount("the pool's total would overflow: " + total.error().detail));

        // Pattern 8 of the guide: apply, validate the whole state, and keep the
        // old state if the new one is inconsistent.
        m_donations.push_back({add.user, add.amount});
        m_amounts.push_back(add.amount);
        if (!poolInvariantHolds(*total, m_amounts)) {
            m_donations.pop_back();
            m_amounts.pop_back();
            return reject(
                std::move(r), invalidAmount("refused: the pool's total would not equal the sum of its donations"));
        }
        m_draftTotal = *total;
        r.result = m_draftTotal;
        return accept(std::move(r), valueOf(m_draftTotal));
    }
    void beginDraft() override { m_draftTotal = m_total; }
    void commitDraft() override
    {
        m_total = m_draftTotal;
        m_committed = m_donations.size();
    }
    void discardDraft() override
    {
        m_draftTotal = m_total;
        m_donations.resize(m_committed);
        m_amounts.resize(m_committed);
    }

private:
    struct Donation {
        std::string user;
        Money amount;
    };
    Money m_total;
    Money m_draftTotal;
    std::vector<Donation> m_donations; ///< the committed ones, then the draft's
    std::vector<Money> m_amounts; ///< the same amounts, as the invariant check reads them
    std::size_t m_committed = 0;
};

} // namespace

std::unique_ptr<GenServer> makeDonationPool(ContextPtr context)
{
    return std::make_unique<DonationPool>(std::move(context));
}

} // namespace sc::finance::detail

namespace sc::finance {

bool poolInvariantHolds(Money total, const std::vector<Money>& donations)
{
    Money sum;
    for (const Money amount : donations) {
        auto next = sum.plus(amount);
        if (!next) return false;
        sum = *next;
    }
    return sum == total;
}

} // namespace sc::finance
