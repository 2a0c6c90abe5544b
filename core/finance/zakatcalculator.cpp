// zakat_calculator: zakat on a wealth, and the nisab in force.
#include "core/finance/commit.h"

#include "core/finance/zakat.h"

namespace sc::finance::detail {

namespace {

class ZakatCalculator : public LedgerService {
public:
    explicit ZakatCalculator(ContextPtr context)
        : LedgerService(kZakatName, std::move(context))
        , m_nisab(config().nisab)
        , m_draft(m_nisab)
    {
    }

    Next handleCall(const Term& request, const From& from) override
    {
        if (auto z = std::any_cast<Zakat>(&request)) {
            auto due = zakatDue(z->wealth, m_nisab);
            return Next::reply(due ? Answer(valueOf(*due)) : Answer(due.error()));
        }
        if (std::any_cast<GetNisab>(&request)) return Next::reply(Answer(valueOf(m_nisab)));
        if (std::any_cast<SetNisab>(&request)) return submit(request, from);
        return LedgerService::handleCall(request, from);
    }

    std::string describeState() const override { return "nisab: " + m_nisab.toString(); }

protected:
    Decision decide(const Term& request) override
    {
        const auto& set = std::any_cast<const SetNisab&>(request);
        auto r = record(kNisab, {}, set.nisab);
        if (set.nisab < Money())
            return reject(std::move(r), invalidAmount("the nisab cannot be negative, got " + set.nisab.toString()));
        m_draft = set.nisab;
        r.result = m_draft;
        return accept(std::move(r), valueOf(m_draft));
    }
    void beginDraft() override { m_draft = m_nisab; }
    void commitDraft() override { m_nisab = m_draft; }
    void discardDraft() override { m_draft = m_nisab; }

private:
    Money m_nisab;
    Money m_draft;
};

} // namespace

std::unique_ptr<GenServer> makeZakatCalculator(ContextPtr context)
{
    return std::make_unique<ZakatCalculator>(std::move(context));
}

} // namespace sc::finance::detail
