// trackers/<user>: the donation tracker of one user.
#include "core/finance/commit.h"

namespace sc::finance::detail {

namespace {

class Tracker : public LedgerService {
public:
    Tracker(std::string user, ContextPtr context)
        : LedgerService(nullptr, std::move(context))
        , m_user(std::move(user))
    {
    }

    Next setUp() override
    {
        if (auto r = runtime().registerKey(kTrackerRegistry, m_user, self()); !r)
            return Next::stop(ExitReason::error(std::string("already_started ") + r.error().toString()));
        if (config().recoverState) {
            auto records = recover({kDonation}, m_user);
            if (!records) return cannotRecover(records.error());
            if (!records->empty()) m_total = records->back().result.value_or(Money());
        }
        return Next::ok();
    }

    Next handleCall(const Term& request, const From& from) override
    {
        if (std::any_cast<GetTotal>(&request)) return Next::reply(Answer(valueOf(m_total)));
        if (std::any_cast<Donate>(&request)) return submit(request, from);
        return LedgerService::handleCall(request, from);
    }

    std::string describeState() const override { return "user: " + m_user + "\ntotal: " + m_total.toString(); }

protected:
    Decision decide(const Term& request) override
    {
        const auto& donate = std::any_cast<const Donate&>(request);
        auto r = record(kDonation, m_user, donate.amount);
        if (donate.amount <= Money()) return reject(std::move(r), notPositive(donate.amount));
        auto total = m_draft.plus(donate.amount);
        if (!total) return reject(std::move(r), total.error());
        m_draft = *total;
        r.result = m_draft;
        return accept(std::move(r), valueOf(m_draft));
    }
    void beginDraft() override { m_draft = m_total; }
    void commitDraft() override { m_total = m_draft; }
    void discardDraft() override { m_draft = m_total; }

private:
    std::string m_user;
    Money m_total;
    Money m_draft;
};

} // namespace

std::unique_ptr<GenServer> makeTracker(std::string user, ContextPtr context)
{
    return std::make_unique<Tracker>(std::move(user), std::move(context));
}

} // namespace sc::finance::detail
