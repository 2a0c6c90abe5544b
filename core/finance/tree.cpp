// The finance supervision tree: its supervisors, and startFinanceTree, which
// builds the tree of finance.h from the services' factories.
#include "core/finance/service.h"

#include "core/supervision/supervisor.h"

#include <memory>
#include <vector>

namespace sc::finance {

namespace {

using namespace detail;

/// A finance dynamic supervisor (trackers, transactions): registered, and
/// hands out the tree's context with a serial number for naming children.
class FinanceDynamicSupervisor : public DynamicSupervisor {
public:
    FinanceDynamicSupervisor(const char* name, ContextPtr context)
        : DynamicSupervisor(DynamicSupervisorFlags {context->config.intensity, context->config.period, std::nullopt})
        , m_name(name)
        , m_context(std::move(context))
    {
    }
    Next init() override
    {
        if (auto r = runtime().registerName(m_name, self()); !r)
            return Next::stop(ExitReason::error(r.error().toString()));
        return DynamicSupervisor::init();
    }
    Next handleCall(const Term& request, const From& from) override
    {
        if (std::any_cast<GetTicket>(&request)) return Next::reply(Ticket {m_context, ++m_serial});
        return DynamicSupervisor::handleCall(request, from);
    }

private:
    const char* m_name;
    ContextPtr m_context;
    std::uint64_t m_serial = 0;
};

/// A worker made by `make`, one of the services' factories (service.h).
ChildSpec worker(const char* id, std::unique_ptr<GenServer> (*make)(ContextPtr), const ContextPtr& context)
{
    ChildSpec spec;
    spec.id = id;
    spec.start = [make, context] { return make(context); };
    return spec;
}

ChildSpec dynamicSupervisor(const char* id, const char* name, const ContextPtr& context)
{
    ChildSpec spec;
    spec.id = id;
    spec.type = ChildType::Supervisor;
    spec.start = [name, context] { return std::make_unique<FinanceDynamicSupervisor>(name, context); };
    return spec;
}

SupervisorFlags flags(const Config& config)
{
    return {Strategy::OneForOne, config.intensity, config.period};
}

ChildSpec supervisor(const char* id, const Config& config, std::vector<ChildSpec> children)
{
    ChildSpec spec;
    spec.id = id;
    spec.type = ChildType::Supervisor;
    spec.start
        = [f = flags(config), children = std::move(children)] { return std::make_unique<Supervisor>(f, children); };
    return spec;
}

} // namespace

Result<Pid> startFinanceTree(Runtime& rt, const Config& config)
{
    if (config.dataDir.empty()) return Error {Errc::BadArgument, "finance: no data directory given"};
    if (config.nisab < Money()) return invalidAmount("the nisab cannot be negative, got " + config.nisab.toString());
    // The audit log opens the ledger in its init; opening it here first turns
    // a damaged or unwritable file into one plain error rather than a failed
    // child nested in a failed child.
    if (auto ledger = Ledger::open(config.dataDir); !ledger) return ledger.error();
    auto context = std::make_shared<const Context>(Context {config});
    std::vector<ChildSpec> core {
        worker("zakat_calculator", makeZakatCalculator, context),
        worker("donation_pool", makeDonationPool, context),
        worker("withdrawals", makeWithdrawals, context),
        worker("transaction_processor", makeTransactionProcessor, context),
        dynamicSupervisor("trackers", kTrackersName, context),
        dynamicSupervisor("transactions", kTransactionsName, context),
    };
    std::vector<ChildSpec> reporting {
        worker("database", makeDatabase, context),
        worker("report_generator", makeReportGenerator, context),
    };
    std::vector<ChildSpec> root {
        worker("audit_log", makeAuditLog, context),
        supervisor("core", config, std::move(core)),
        supervisor("reporting", config, std::move(reporting)),
    };
    return startSupervisor(rt, kRootPath, flags(config), std::move(root));
}

} // namespace sc::finance
