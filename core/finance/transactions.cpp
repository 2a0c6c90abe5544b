// transaction_processor and the transient transaction workers.
#include "core/finance/service.h"

#include <stdexcept>

namespace sc::finance::detail {

namespace {

class TransactionProcessor : public Service {
public:
    TransactionProcessor()
        : Service(kProcessorName)
    {
    }

    Next handleCall(const Term& request, const From& from) override
    {
        if (auto p = std::any_cast<ProcessTransaction>(&request)) {
            // Pattern 9 of the guide: an invalid transaction is a broken
            // contract; let it crash and let the supervisor restart us.
            if (p->amount <= Money())
                throw std::invalid_argument("amount must be positive, got " + p->amount.toString());
            ++m_processed;
            return Next::reply(Answer(valueOf(p->amount)));
        }
        return Service::handleCall(request, from);
    }

    std::string describeState() const override { return "processed: " + std::to_string(m_processed); }

private:
    std::uint64_t m_processed = 0;
};

class TransactionWorker : public Service {
public:
    explicit TransactionWorker(Money amount)
        : m_amount(amount)
    {
    }

    Next setUp() override { return Next::ok().continueWith(ProcessTransaction {m_amount}); }

    Next handleContinue(const Term& arg) override
    {
        const Pid processor = runtime().whereis(kProcessorName);
        if (!processor) return Next::stop(ExitReason::error("transaction_processor is not running"));
        auto r = runtime().call(processor, arg);
        if (!r) return Next::stop(ExitReason::error("transaction failed: " + r.error().toString()));
        m_done = true;
        return Next::stop(ExitReason::normal());
    }

    std::string describeState() const override
    {
        return "amount: " + m_amount.toString() + (m_done ? "\nprocessed" : "\nprocessing");
    }

private:
    Money m_amount;
    bool m_done = false;
};

} // namespace

std::unique_ptr<GenServer> makeTransactionProcessor(ContextPtr)
{
    return std::make_unique<TransactionProcessor>();
}

std::unique_ptr<GenServer> makeTransactionWorker(Money amount)
{
    return std::make_unique<TransactionWorker>(amount);
}

} // namespace sc::finance::detail
