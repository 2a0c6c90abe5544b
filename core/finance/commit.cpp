// The commit protocol (see commit.h): LedgerService's batches and their answers.
#include "core/finance/commit.h"

namespace sc::finance::detail {

PendingBatches g_pendingBatches;

Result<std::vector<LedgerRecord>> LedgerService::recover(std::vector<std::string> kinds, std::optional<std::string> user)
{
    const Pid log = runtime().whereis(kAuditLogName);
    if (!log) return Error {Errc::NoProc, "the audit log is not running"};
    auto r = runtime().call(log, Recover {std::move(kinds), std::move(user)});
    if (!r) return r.error();
    return std::any_cast<Result<std::vector<LedgerRecord>>>(*r);
}

Next LedgerService::handleInfo(const Info& info)
{
    if (info.kind == Info::Kind::Message) {
        if (auto done = std::any_cast<Committed>(&info.message)) {
            if (m_inFlight && m_inFlight->tag == done->tag) finish(done->ids);
            return Next::noreply();
        }
    }
    if (info.kind == Info::Kind::Down && info.ref == m_auditRef) {
        m_auditRef = 0;
        m_auditLog = 0;
        // A batch the audit log took is answered by the ledger whatever
        // happens to the process; one it did not take never will be, and
        // claiming it here makes sure it never is written.
        if (m_inFlight && m_inFlight->claim->take(Claim::Abandoned))
            finish(Error {Errc::Exit,
                "the audit log exited (" + info.reason.toString()
                    + ") before taking the request; nothing was written"});
        return Next::noreply();
    }
    return Service::handleInfo(info);
}

void LedgerService::flush()
{
    std::vector<LedgerRecord> records;
    std::vector<Entry> entries;
    beginDraft();
    for (auto& w : m_waiting) {
        Decision d = decide(w.request);
        std::optional<std::size_t> index;
        if (d.record) {
            index = records.size();
            records.push_back(std::move(*d.record));
        }
        entries.push_back({std::move(w.from), std::move(d.answer), index});
    }
    m_waiting.clear();

    const Pid log = runtime().whereis(kAuditLogName);
    if (!log) {
        m_inFlight = InFlight {0, std::move(entries)};
        finish(Error {Errc::Storage, "the audit log is not running"});
        return;
    }
    if (log != m_auditLog) {
        if (m_auditRef) demonitor(m_auditLog, m_auditRef);
        m_auditLog = log;
        m_auditRef = monitor(log);
    }
    m_inFlight = InFlight {m_nextTag++, std::move(entries)};
    runtime().cast(log, Append {std::move(records), self(), m_inFlight->tag, m_inFlight->claim});
}

void LedgerService::finish(const Result<std::vector<std::int64_t>>& ids)
{
    if (ids)
        commitDraft();
    else
        discardDraft();
    for (auto& e : m_inFlight->entries) {
        if (e.record && !ids) {
            // A refusal is a record too: answering it without one would
            // be an answer the ledger cannot show, so it fails like a change.
            runtime().reply(e.from, Answer(notWritten(ids.error(), e.answer)));
            continue;
        }
        if (e.answer.ok() && e.record) e.answer.value().id = (*ids)[*e.record];
        runtime().reply(e.from, std::move(e.answer));
    }
    m_inFlight.reset();
    if (!m_waiting.empty()) flush();
}

Error LedgerService::notWritten(const Error& why, const Answer& decided)
{
    if (why.code == Errc::Exit) return why;
    if (decided.ok()) return Error {Errc::Storage, why.detail};
    return Error {Errc::Storage,
        why.detail + " (the request was refused with " + errcName(decided.error().code)
            + ", and that refusal could not be recorded)"};
}

} // namespace sc::finance::detail
