// The commit protocol: how a finance service commits its changes to the
// audit ledger. LedgerService decides requests against a draft and sends them
// to the audit log in batches (Append); the audit log answers each batch with
// Committed once the ledger has it. Internal to core/finance.
#pragma once

#include "core/finance/service.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sc::finance::detail {

// -- batches in flight --

/// Batches handed to a ledger and not answered yet, across every audit log in
/// the program. A killed audit log's ledger still commits what it took,
/// possibly after a new audit log is already serving recoveries; a recovery
/// must see those records, or the recovered state and the ledger part ways.
class PendingBatches {
public:
    std::uint64_t take()
    {
        std::lock_guard lock(m_mutex);
        m_open.insert(++m_last);
        return m_last;
    }
    void done(std::uint64_t ticket)
    {
        {
            std::lock_guard lock(m_mutex);
            m_open.erase(ticket);
        }
        m_cv.notify_all();
    }
    /// Waits until every batch taken so far has been answered; false on timeout.
    bool waitForEarlier(std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(m_mutex);
        const std::uint64_t upTo = m_last;
        return m_cv.wait_for(lock, timeout, [&] { return m_open.empty() || *m_open.begin() > upTo; });
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::set<std::uint64_t> m_open;
    std::uint64_t m_last = 0;
};
extern PendingBatches g_pendingBatches;

// -- messages between a service and the audit log --

/// audit_log, cast: commit `records` all or none, then send Committed{tag} to replyTo.
///
/// Exactly one side claims a batch: the audit log before it hands the batch
/// to the ledger (Claim::Taken), or the service when the audit log has died
/// first (Claim::Abandoned). So a batch the service gives up on is never
/// written, and a taken one is always answered by a Committed.
struct Claim {
    enum : int { Open, Taken, Abandoned };
    std::atomic<int> state {Open};
    bool take(int to)
    {
        int open = Open;
        return state.compare_exchange_strong(open, to);
    }
};
struct Append {
    std::vector<LedgerRecord> records;
    Pid replyTo = 0;
    std::uint64_t tag = 0;
    std::shared_ptr<Claim> claim;
};
struct Committed {
    std::uint64_t tag = 0;
    Result<std::vector<std::int64_t>> ids;
};
/// audit_log: answered with a Result<std::vector<LedgerRecord>> of accepted records.
struct Recover {
    std::vector<std::string> kinds;
    std::optional<std::string> user;
};

// -- LedgerService: the commit protocol every state-changing service shares --

/// Change requests are decided against a draft of the state and sent to the
/// audit log as one batch, refusals as records too; the draft becomes the
/// state, and the callers get their answers (refusals included), only once
/// the batch has committed. Requests that arrive meanwhile wait and form the
/// next batch.
class LedgerService : public Service {
public:
    using Service::Service;

protected:
    struct Decision {
        std::optional<LedgerRecord> record; ///< accepted changes and recorded rejections
        Answer answer;
    };

    /// Decides one change request against the draft, updating the draft if
    /// it accepts. Only called between beginDraft and commit/discardDraft.
    virtual Decision decide(const Term& request) = 0;
    virtual void beginDraft() = 0;
    virtual void commitDraft() = 0;
    virtual void discardDraft() = 0;

    static Decision accept(LedgerRecord record, Reply reply) { return {std::move(record), std::move(reply)}; }
    static Decision reject(LedgerRecord record, Error error)
    {
        record.error = errcName(error.code);
        record.result.reset();
        return {std::move(record), std::move(error)};
    }

    /// Queues a change request; its caller is answered once it has committed.
    Next submit(const Term& request, const From& from)
    {
        m_waiting.push_back({request, from});
        if (!m_inFlight) flush();
        return Next::noreply();
    }

    /// The accepted records of `kinds` (of `user`), asked of the audit log;
    /// used by init in recover mode.
    Result<std::vector<LedgerRecord>> recover(std::vector<std::string> kinds, std::optional<std::string> user = {});

public:
    Next handleInfo(const Info& info) override;

private:
    struct Waiting {
        Term request;
        From from;
    };
    struct Entry {
        From from;
        Answer answer;
        std::optional<std::size_t> record;
    };
    struct InFlight {
        std::uint64_t tag = 0;
        std::vector<Entry> entries;
        std::shared_ptr<Claim> claim = std::make_shared<Claim>();
    };

    void flush();

    /// Ends the batch in flight: answers its callers and starts the next batch.
    void finish(const Result<std::vector<std::int64_t>>& ids);

    /// The answer to a request whose record was not written: Exit if the audit
    /// log died before taking it, else Storage; a refusal says what it was.
    static Error notWritten(const Error& why, const Answer& decided);

    std::vector<Waiting> m_waiting;
    std::optional<InFlight> m_inFlight;
    std::uint64_t m_nextTag = 1;
    Pid m_auditLog = 0;
    MonitorRef m_auditRef = 0;
};

/// The record of a change request before it is decided.
inline LedgerRecord record(const char* kind, std::string user, Money amount)
{
    LedgerRecord r;
    r.kind = kind;
    r.user = std::move(user);
    r.amount = amount;
    return r;
}

} // namespace sc::finance::detail
