// audit_log: the process that owns the Ledger and commits the services' batches.
#include "core/finance/commit.h"

namespace sc::finance::detail {

using namespace std::chrono_literals;

namespace {

class AuditLog : public Service {
public:
    explicit AuditLog(ContextPtr context)
        : Service(kAuditLogName, std::move(context))
    {
    }

    Next setUp() override
    {
        auto ledger = Ledger::open(config().dataDir);
        if (!ledger) return Next::stop(ExitReason::error(ledger.error().toString()));
        m_ledger = std::move(*ledger);
        return Next::ok();
    }

    Next handleCast(const Term& message) override
    {
        if (auto append = std::any_cast<Append>(&message)) {
            const std::uint64_t ticket = g_pendingBatches.take();
            if (!append->claim->take(Claim::Taken)) { // its sender gave up on it
                g_pendingBatches.done(ticket);
                return Next::noreply();
            }
            // A batch from a service that has died since is not written: its
            // callers were answered by the death (Exit, in doubt), and its
            // next incarnation may already have recovered without it (a
            // message sent as the sender was killed can arrive after that
            // recovery). Alive now, the sender cannot be recovering before
            // the ticket taken above is answered.
            if (!runtime().isAlive(append->replyTo)) {
                g_pendingBatches.done(ticket);
                return Next::noreply();
            }
            m_appended += append->records.size();
            Runtime& rt = runtime();
            m_ledger->appendBatchAsync(std::move(append->records),
                [&rt, to = append->replyTo, tag = append->tag, ticket](Result<std::vector<std::int64_t>> ids) {
                    g_pendingBatches.done(ticket);
                    rt.send(to, Committed {tag, std::move(ids)});
                });
            return Next::noreply();
        }
        return Service::handleCast(message);
    }

    Next handleCall(const Term& request, const From& from) override
    {
        if (auto recover = std::any_cast<Recover>(&request)) {
            // The batches of the service's previous incarnation may still be
            // on their way into the file (even through a previous audit
            // log's ledger); the recovered state must include them.
            if (!g_pendingBatches.waitForEarlier(10s))
                return Next::reply(Result<std::vector<LedgerRecord>>(
                    Error {Errc::Storage, "records taken earlier are still being written after 10 s"}));
            return Next::reply(m_ledger->accepted(recover->kinds, recover->user));
        }
        return Service::handleCall(request, from);
    }

    void terminate(const ExitReason&) override
    {
        // Commits and answers what is queued, then closes the file. A kill
        // skips terminate; the destructor does the same then.
        m_ledger.reset();
    }

    std::string describeState() const override
    {
        std::string s = "ledger: " + (m_ledger ? m_ledger->path() : std::string("(closed)"));
        s += "\nrecords sent to the ledger: " + std::to_string(m_appended);
        if (m_ledger) s += "\ncommits: " + std::to_string(m_ledger->commitCount());
        return s;
    }

private:
    std::unique_ptr<Ledger> m_ledger;
    std::uint64_t m_appended = 0;
};

} // namespace

std::unique_ptr<GenServer> makeAuditLog(ContextPtr context)
{
    return std::make_unique<AuditLog>(std::move(context));
}

} // namespace sc::finance::detail
