// Service: the base of every finance process (registration under its name,
// the tree's configuration), the helpers the services share, and the factory
// of each service (one file per service or close family). Internal to core/finance.
#pragma once

#include "core/finance/messages.h"

#include <memory>
#include <string>

namespace sc::finance::detail {

inline Reply valueOf(Money value)
{
    Reply r;
    r.value = value;
    return r;
}

inline Error invalidAmount(const std::string& what)
{
    return Error {Errc::InvalidAmount, what};
}

inline Error notPositive(Money amount)
{
    return invalidAmount("the amount must be positive, got " + amount.toString());
}

/// "the ledger's donation sum exceeds the money range at record 7": a ledger
/// whose amounts cannot be added up (only a foreign row can do that).
inline std::string sumBeyondRange(const std::string& kind, bool refused, std::int64_t id)
{
    return "the ledger's " + std::string(refused ? "refused " : "") + kind
        + " sum exceeds the money range at record " + std::to_string(id);
}

/// Every finance process: registered under its name (if it has one) before
/// its own setUp runs, reading the tree's configuration.
class Service : public GenServer {
public:
    explicit Service(const char* name = nullptr, ContextPtr context = {})
        : m_name(name)
        , m_context(std::move(context))
    {
    }

    Next init() final
    {
        if (m_name) {
            if (auto r = runtime().registerName(m_name, self()); !r)
                return Next::stop(ExitReason::error(r.error().toString()));
        }
        return setUp();
    }

protected:
    /// init, after the registration.
    virtual Next setUp() { return Next::ok(); }
    const Config& config() const { return m_context->config; }
    static Next cannotRecover(const Error& why)
    {
        return Next::stop(ExitReason::error("cannot recover: " + why.toString()));
    }

private:
    const char* m_name;
    ContextPtr m_context;
};

// -- the services --

std::unique_ptr<GenServer> makeAuditLog(ContextPtr context); // auditlog.cpp
std::unique_ptr<GenServer> makeTracker(std::string user, ContextPtr context); // tracker.cpp
std::unique_ptr<GenServer> makeDonationPool(ContextPtr context); // donationpool.cpp
std::unique_ptr<GenServer> makeWithdrawals(ContextPtr context); // withdrawals.cpp
std::unique_ptr<GenServer> makeZakatCalculator(ContextPtr context); // zakatcalculator.cpp
std::unique_ptr<GenServer> makeTransactionProcessor(ContextPtr context); // transactions.cpp
std::unique_ptr<GenServer> makeTransactionWorker(Money amount); // transactions.cpp
std::unique_ptr<GenServer> makeDatabase(ContextPtr context); // reporting.cpp
std::unique_ptr<GenServer> makeReportGenerator(ContextPtr context); // reporting.cpp

} // namespace sc::finance::detail
