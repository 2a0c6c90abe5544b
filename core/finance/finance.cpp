#include "core/finance/finance.h"

#include "core/supervision/supervisor.h"
#include "core/base/text.h"
#include "core/finance/zakat.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <spdlog/spdlog.h>
#include <stdexcept>

namespace sc::finance {

using namespace std::chrono_literals;

namespace {

// -- shared by one tree --

struct Context {
    Config config;
};
using ContextPtr = std::shared_ptr<const Context>;

std::atomic<int> g_databaseConnections {0};

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
PendingBatches g_pendingBatches;

using Answer = Result<Reply>;

Reply valueOf(Money value)
{
    Reply r;
    r.value = value;
    return r;
}

Error invalidAmount(const std::string& what)
{
    return Error {Errc::InvalidAmount, what};
}

// -- messages --
// Calls answer with an Answer unless said otherwise.

struct Donate {
    Money amount;
};
struct GetTotal { };
struct PoolAdd {
    std::string user;
    Money amount;
};
struct Deposit {
    std::string user;
    Money amount;
};
struct Withdraw {
    std::string user;
    Money amount;
};
struct GetBalance {
    std::string user;
};
struct Zakat {
    Money wealth;
};
struct SetNisab {
    Money nisab;
};
struct GetNisab { };
struct ProcessTransaction {
    Money amount;
};
/// report_generator: answered with a Result<Report>.
struct MakeReport { };
/// database: answered with a Result<Report>.
struct QueryTotals { };
/// database, cast: the answer comes back as a plain message Loaded.
struct LoadTotals {
    Pid replyTo = 0;
};
struct Loaded {
    Result<Report> totals;
};
struct StartLoad { };
/// A finance dynamic supervisor: answered with a Ticket.
struct GetTicket { };
struct Ticket {
    ContextPtr context;
    std::uint64_t serial = 0; ///< 1, 2, ... per supervisor incarnation
};
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

// ---------------------------------------------------------------------------
// audit_log

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

// ---------------------------------------------------------------------------
// LedgerService: the commit protocol every state-changing service shares.

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
    Result<std::vector<LedgerRecord>> recover(std::vector<std::string> kinds, std::optional<std::string> user = {})
    {
        const Pid log = runtime().whereis(kAuditLogName);
        if (!log) return Error {Errc::NoProc, "the audit log is not running"};
        auto r = runtime().call(log, Recover {std::move(kinds), std::move(user)});
        if (!r) return r.error();
        return std::any_cast<Result<std::vector<LedgerRecord>>>(*r);
    }

public:
    Next handleInfo(const Info& info) override
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

    void flush()
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

    /// Ends the batch in flight: answers its callers and starts the next batch.
    void finish(const Result<std::vector<std::int64_t>>& ids)
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

    /// The answer to a request whose record was not written: Exit if the audit
    /// log died before taking it, else Storage; a refusal says what it was.
    static Error notWritten(const Error& why, const Answer& decided)
    {
        if (why.code == Errc::Exit) return why;
        if (decided.ok()) return Error {Errc::Storage, why.detail};
        return Error {Errc::Storage,
            why.detail + " (the request was refused with " + errcName(decided.error().code)
                + ", and that refusal could not be recorded)"};
    }

    std::vector<Waiting> m_waiting;
    std::optional<InFlight> m_inFlight;
    std::uint64_t m_nextTag = 1;
    Pid m_auditLog = 0;
    MonitorRef m_auditRef = 0;
};

/// The record of a change request before it is decided.
LedgerRecord record(const char* kind, std::string user, Money amount)
{
    LedgerRecord r;
    r.kind = kind;
    r.user = std::move(user);
    r.amount = amount;
    return r;
}

Error notPositive(Money amount)
{
    return invalidAmount("the amount must be positive, got " + amount.toString());
}

/// "the ledger's donation sum exceeds the money range at record 7": a ledger
/// whose amounts cannot be added up (only a foreign row can do that).
std::string sumBeyondRange(const std::string& kind, bool refused, std::int64_t id)
{
    return "the ledger's " + std::string(refused ? "refused " : "") + kind
        + " sum exceeds the money range at record " + std::to_string(id);
}

/// A read that failed because another connection held a lock (SQLITE_BUSY
/// after the reader's busy timeout, or SQLITE_LOCKED): the only ledger read
/// error worth trying again. The ledger's errors carry SQLite's own message
/// for them, "database is locked" / "database table is locked".
bool transientReadError(const Error& e)
{
    return e.code == Errc::Storage && e.detail.find("is locked") != std::string::npos;
}

// ---------------------------------------------------------------------------
// trackers/<user>

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

// ---------------------------------------------------------------------------
// donation_pool

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

// ---------------------------------------------------------------------------
// withdrawals

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

// ---------------------------------------------------------------------------
// zakat_calculator

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

// ---------------------------------------------------------------------------
// transaction_processor and the transient transaction workers

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

// ---------------------------------------------------------------------------
// reporting/database and reporting/report_generator

class Database : public Service {
public:
    explicit Database(ContextPtr context)
        : Service(kDatabaseName, std::move(context))
    {
    }
    ~Database() override { close(); }

    Next setUp() override
    {
        auto reader = LedgerReader::open(config().dataDir);
        if (!reader) return Next::stop(ExitReason::error(reader.error().toString()));
        m_reader = std::move(*reader);
        g_databaseConnections.fetch_add(1);
        return Next::ok();
    }

    Next handleCall(const Term& request, const From& from) override
    {
        if (std::any_cast<QueryTotals>(&request)) return Next::reply(totals());
        return Service::handleCall(request, from);
    }

    Next handleCast(const Term& message) override
    {
        if (auto load = std::any_cast<LoadTotals>(&message)) {
            runtime().send(load->replyTo, Loaded {totals()});
            return Next::noreply();
        }
        return Service::handleCast(message);
    }

    /// Releases what init acquired (a kill skips this; the destructor then does it).
    void terminate(const ExitReason&) override { close(); }

    std::string describeState() const override
    {
        return "connection: " + (m_reader ? "open (read-only) " + m_reader->path() : std::string("closed"))
            + "\nqueries: " + std::to_string(m_queries);
    }

private:
    void close()
    {
        if (!m_reader) return;
        m_reader.reset();
        g_databaseConnections.fetch_sub(1);
    }

    Result<Report> totals()
    {
        ++m_queries;
        auto kinds = m_reader->summary();
        if (!kinds) return explain(kinds.error());
        Report report;
        for (const auto& k : *kinds) {
            report.records += k.count;
            if (!k.accepted) {
                report.rejected += k.count;
                continue;
            }
            if (k.kind == kDonation) report.donations = k.sum;
            if (k.kind == kPoolDonation) report.pool = k.sum;
            if (k.kind == kDeposit) report.deposits = k.sum;
            if (k.kind == kWithdrawal) report.withdrawals = k.sum;
        }
        return report;
    }

    /// Why summary() failed, said plainly where it can be. SQLite's SUM stops
    /// at "integer overflow" without naming the kind or the row (a foreign
    /// row can hold any 64-bit amount); the same sums taken in id order with
    /// checked arithmetic name both. Anything else is passed on as it is.
    Error explain(const Error& failed)
    {
        if (transientReadError(failed)) return failed; // a scan would only wait again
        std::map<std::pair<std::string, bool>, Money> sums;
        std::int64_t afterId = 0;
        for (;;) {
            auto page = m_reader->after(afterId, kScanPage);
            if (!page || page->empty()) return failed;
            for (const auto& r : *page) {
                Money& sum = sums[{r.kind, r.error.has_value()}];
                auto next = sum.plus(r.amount);
                if (!next)
                    return Error {
                        Errc::Storage, m_reader->path() + ": " + sumBeyondRange(r.kind, r.error.has_value(), r.id)};
                sum = *next;
            }
            afterId = page->back().id;
        }
    }
    static constexpr std::size_t kScanPage = 1000;

    std::unique_ptr<LedgerReader> m_reader;
    std::uint64_t m_queries = 0;
};

class ReportGenerator : public Service {
public:
    explicit ReportGenerator(ContextPtr context)
        : Service(kReportName, std::move(context))
    {
    }

    Next setUp() override
    {
        // Pattern 6 of the guide: return at once, load in the continue step.
        return Next::ok().continueWith(StartLoad {});
    }

    Next handleContinue(const Term&) override
    {
        const auto delay = config().reportLoad;
        if (delay.count() > 0)
            runtime().sendAfter(self(), StartLoad {}, delay);
        else
            startLoad();
        return Next::noreply();
    }

    Next handleInfo(const Info& info) override
    {
        if (info.kind == Info::Kind::Message && std::any_cast<StartLoad>(&info.message)) {
            startLoad();
            return Next::noreply();
        }
        if (info.kind == Info::Kind::Message) {
            if (auto loaded = std::any_cast<Loaded>(&info.message)) {
                if (m_state != State::Loading) return Next::noreply();
                if (m_databaseRef) demonitor(m_database, m_databaseRef);
                m_databaseRef = 0;
                if (!loaded->totals) {
                    loadFailed(loaded->totals.error());
                    return Next::noreply();
                }
                m_state = State::Ready;
                m_loaded = *loaded->totals;
                return Next::noreply();
            }
        }
        if (info.kind == Info::Kind::Down && info.ref == m_databaseRef) {
            m_databaseRef = 0;
            // The database died before answering: its restart is on the way.
            if (m_state == State::Loading) retryLoad();
            return Next::noreply();
        }
        return Service::handleInfo(info);
    }

    Next handleCall(const Term& request, const From& from) override
    {
        if (std::any_cast<MakeReport>(&request)) {
            if (m_state == State::Loading)
                return Next::reply(
                    Result<Report>(Error {Errc::NotReady, "report_generator is still loading its data"}));
            // The loaded totals made the service ready; a report is always
            // current. After a failed load each report asks again, once: the
            // answer is the ledger's current problem, or the service is ready.
            const Pid db = runtime().whereis(kDatabaseName);
            if (!db) return Next::reply(Result<Report>(Error {Errc::NoProc, "the database is not running"}));
            auto r = runtime().call(db, QueryTotals {});
            if (!r) return Next::reply(Result<Report>(r.error()));
            ++m_reports;
            auto totals = std::any_cast<Result<Report>>(*r);
            if (m_state == State::Failed && totals) {
                m_state = State::Ready;
                m_loaded = *totals;
            }
            return Next::reply(std::move(totals));
        }
        return Service::handleCall(request, from);
    }

    std::string describeState() const override
    {
        const std::string attempts = "\nload attempts: " + std::to_string(m_loadAttempts);
        if (m_state == State::Loading) return "status: loading" + attempts;
        const std::string reports = "\nreports: " + std::to_string(m_reports);
        if (m_state == State::Failed) return "status: loading failed: " + m_loadError.toString() + attempts + reports;
        return "status: ready\nloaded: " + m_loaded.toString() + reports + attempts;
    }

private:
    enum class State { Loading, Ready, Failed };
    /// Loads that may fail on a busy ledger before the service gives up.
    static constexpr int kLoadAttempts = 3;

    void startLoad()
    {
        m_database = runtime().whereis(kDatabaseName);
        if (!m_database) {
            retryLoad(); // being restarted
            return;
        }
        ++m_loadAttempts;
        m_databaseRef = monitor(m_database);
        runtime().cast(m_database, LoadTotals {self()});
    }
    void retryLoad() { runtime().sendAfter(self(), StartLoad {}, 100ms); }

    /// A busy ledger is tried again, a few times; any other failure (a sum
    /// beyond the money range, a damaged file) would fail the same way
    /// again, so the service stops loading and reports answer the error.
    void loadFailed(const Error& why)
    {
        if (transientReadError(why) && ++m_busyLoads < kLoadAttempts) {
            spdlog::warn("report_generator: loading failed ({} of {} tries), retrying: {}", m_busyLoads, kLoadAttempts,
                why.toString());
            retryLoad();
            return;
        }
        m_state = State::Failed;
        m_loadError = Error {Errc::Storage, why.detail};
        spdlog::error("report_generator: loading failed, not retrying: {}", why.toString());
    }

    State m_state = State::Loading;
    Report m_loaded;
    Error m_loadError {Errc::Storage, {}};
    Pid m_database = 0;
    MonitorRef m_databaseRef = 0;
    std::uint64_t m_reports = 0;
    int m_loadAttempts = 0; ///< loads asked of the database
    int m_busyLoads = 0; ///< of those, answered "the ledger is locked"
};

// ---------------------------------------------------------------------------
// the tree

template <typename Server> ChildSpec worker(const char* id, const ContextPtr& context)
{
    ChildSpec spec;
    spec.id = id;
    spec.start = [context]() -> std::unique_ptr<GenServer> {
        if constexpr (std::is_constructible_v<Server, ContextPtr>)
            return std::make_unique<Server>(context);
        else
            return std::make_unique<Server>();
    };
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

// -- client helpers --

/// The shared text rule (text.h) plus what a path component needs.
bool validUser(const std::string& user)
{
    return !user.empty() && user.size() <= 64 && user.find('/') == std::string::npos && !findForbiddenText(user);
}

Error badUser(const std::string& user)
{
    std::string got = std::to_string(user.size()) + " bytes";
    if (const auto bad = findForbiddenText(user)) got += " with " + bad->toString();
    return Error {Errc::BadArgument,
        "invalid user name (expected 1 to 64 bytes without '/', control or bidirectional control characters), got "
            + got};
}

/// Unwraps a call's answer of type T, passing the runtime's errors through.
template <typename T> Result<T> unwrap(Result<Term> r)
{
    if (!r) return r.error();
    if (auto* value = std::any_cast<T>(&*r)) return std::move(*value);
    return Error {Errc::BadArgument, "unexpected answer"};
}

Result<Pid> find(Runtime& rt, const char* name)
{
    if (const Pid pid = rt.whereis(name)) return pid;
    return Error {Errc::NoProc, std::string(name) + " is not running"};
}

} // namespace

// ---------------------------------------------------------------------------

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

std::string Report::toString() const
{
    return "donations=" + donations.toString() + " pool=" + pool.toString() + " deposits=" + deposits.toString()
        + " withdrawals=" + withdrawals.toString() + " records=" + std::to_string(records)
        + " rejected=" + std::to_string(rejected);
}

int openDatabaseConnections()
{
    return g_databaseConnections.load();
}

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
        worker<ZakatCalculator>("zakat_calculator", context),
        worker<DonationPool>("donation_pool", context),
        worker<Withdrawals>("withdrawals", context),
        worker<TransactionProcessor>("transaction_processor", context),
        dynamicSupervisor("trackers", kTrackersName, context),
        dynamicSupervisor("transactions", kTransactionsName, context),
    };
    std::vector<ChildSpec> reporting {
        worker<Database>("database", context),
        worker<ReportGenerator>("report_generator", context),
    };
    std::vector<ChildSpec> root {
        worker<AuditLog>("audit_log", context),
        supervisor("core", config, std::move(core)),
        supervisor("reporting", config, std::move(reporting)),
    };
    return startSupervisor(rt, kRootPath, flags(config), std::move(root));
}

// -- client API --

template <typename Message> Result<Reply> FinanceClient::callService(const char* name, Message message)
{
    auto pid = find(m_rt, name);
    if (!pid) return pid.error();
    auto answer = unwrap<Answer>(m_rt.call(*pid, std::move(message), m_timeout));
    if (!answer) return answer.error();
    return std::move(*answer);
}

Result<Reply> FinanceClient::openTracker(const std::string& user)
{
    if (!validUser(user)) return badUser(user);
    if (const Pid pid = m_rt.lookupKey(kTrackerRegistry, user))
        return Error {Errc::AlreadyStarted, "a tracker for " + user + " is running", pid};
    auto sup = find(m_rt, kTrackersName);
    if (!sup) return sup.error();
    auto ticket = unwrap<Ticket>(m_rt.call(*sup, GetTicket {}, m_timeout));
    if (!ticket) return ticket.error();

    ChildSpec spec;
    spec.id = user;
    spec.start = [user, context = ticket->context] { return std::make_unique<Tracker>(user, context); };
    auto started = startChild(m_rt, *sup, std::move(spec));
    if (!started) {
        if (started.error().detail.find("already_started") != std::string::npos)
            return Error {
                Errc::AlreadyStarted, "a tracker for " + user + " is running", m_rt.lookupKey(kTrackerRegistry, user)};
        return started.error();
    }
    auto answer = unwrap<Answer>(m_rt.call(*started, GetTotal {}, m_timeout));
    if (!answer) return answer.error();
    return std::move(*answer);
}

Result<Reply> FinanceClient::donate(const std::string& user, Money amount)
{
    if (!validUser(user)) return badUser(user);
    const Pid tracker = m_rt.lookupKey(kTrackerRegistry, user);
    if (!tracker) return Error {Errc::NotFound, "no tracker for " + user + " (open one first)"};
    auto answer = unwrap<Answer>(m_rt.call(tracker, Donate {amount}, m_timeout));
    if (!answer) return answer.error();
    return std::move(*answer);
}

Result<Reply> FinanceClient::total(const std::string& user)
{
    if (!validUser(user)) return badUser(user);
    const Pid tracker = m_rt.lookupKey(kTrackerRegistry, user);
    if (!tracker) return Error {Errc::NotFound, "no tracker for " + user + " (open one first)"};
    auto answer = unwrap<Answer>(m_rt.call(tracker, GetTotal {}, m_timeout));
    if (!answer) return answer.error();
    return std::move(*answer);
}

Result<Reply> FinanceClient::poolAdd(const std::string& user, Money amount)
{
    if (!validUser(user)) return badUser(user);
    return callService(kPoolName, PoolAdd {user, amount});
}

Result<Reply> FinanceClient::poolTotal()
{
    return callService(kPoolName, GetTotal {});
}

Result<Reply> FinanceClient::deposit(const std::string& user, Money amount)
{
    if (!validUser(user)) return badUser(user);
    return callService(kWithdrawalsName, Deposit {user, amount});
}

Result<Reply> FinanceClient::withdraw(const std::string& user, Money amount)
{
    if (!validUser(user)) return badUser(user);
    return callService(kWithdrawalsName, Withdraw {user, amount});
}

Result<Reply> FinanceClient::balance(const std::string& user)
{
    if (!validUser(user)) return badUser(user);
    return callService(kWithdrawalsName, GetBalance {user});
}

Result<Reply> FinanceClient::zakat(Money wealth)
{
    return callService(kZakatName, Zakat {wealth});
}
Result<Reply> FinanceClient::setNisab(Money nisab)
{
    return callService(kZakatName, SetNisab {nisab});
}
Result<Reply> FinanceClient::getNisab()
{
    return callService(kZakatName, GetNisab {});
}
Result<Reply> FinanceClient::transaction(Money amount)
{
    return callService(kProcessorName, ProcessTransaction {amount});
}

Result<Reply> FinanceClient::startTransaction(Money amount)
{
    if (amount <= Money()) return notPositive(amount);
    auto sup = find(m_rt, kTransactionsName);
    if (!sup) return sup.error();
    auto ticket = unwrap<Ticket>(m_rt.call(*sup, GetTicket {}, m_timeout));
    if (!ticket) return ticket.error();

    ChildSpec spec;
    spec.id = "tx-" + std::to_string(ticket->serial);
    spec.restart = Restart::Transient;
    spec.start = [amount] { return std::make_unique<TransactionWorker>(amount); };
    const std::string path = std::string(kTransactionsPath) + "/" + spec.id;
    auto started = startChild(m_rt, *sup, std::move(spec));
    if (!started) return started.error();
    return Reply {amount, std::nullopt, path};
}

Result<Report> FinanceClient::reportTotals()
{
    auto pid = find(m_rt, kReportName);
    if (!pid) return pid.error();
    auto report = unwrap<Result<Report>>(m_rt.call(*pid, MakeReport {}, m_timeout));
    if (!report) return report.error();
    return std::move(*report);
}

bool takesUser(Request r)
{
    switch (r) {
    case Request::OpenTracker:
    case Request::Donate:
    case Request::Total:
    case Request::PoolAdd:
    case Request::Deposit:
    case Request::Withdraw:
    case Request::Balance:
        return true;
    default:
        return false;
    }
}

bool takesAmount(Request r)
{
    switch (r) {
    case Request::Donate:
    case Request::PoolAdd:
    case Request::Deposit:
    case Request::Withdraw:
    case Request::Zakat:
    case Request::SetNisab:
    case Request::Transaction:
    case Request::StartTransaction:
        return true;
    default:
        return false;
    }
}

bool takesSignedAmount(Request r)
{
    return r == Request::Zakat;
}

Result<Money> parseAmount(Request request, std::string_view text)
{
    return takesSignedAmount(request) ? Money::parseSigned(text) : Money::parse(text);
}

Result<Reply> FinanceClient::perform(Request request, const std::string& user, Money amount)
{
    switch (request) {
    case Request::OpenTracker:
        return openTracker(user);
    case Request::Donate:
        return donate(user, amount);
    case Request::Total:
        return total(user);
    case Request::PoolAdd:
        return poolAdd(user, amount);
    case Request::PoolTotal:
        return poolTotal();
    case Request::Deposit:
        return deposit(user, amount);
    case Request::Withdraw:
        return withdraw(user, amount);
    case Request::Balance:
        return balance(user);
    case Request::Zakat:
        return zakat(amount);
    case Request::SetNisab:
        return setNisab(amount);
    case Request::GetNisab:
        return getNisab();
    case Request::Transaction:
        return transaction(amount);
    case Request::StartTransaction:
        return startTransaction(amount);
    case Request::Report:
        return report();
    }
    return Error {Errc::NotSupported, "unknown request"};
}

Result<Reply> FinanceClient::report()
{
    auto totals = reportTotals();
    if (!totals) return totals.error();
    return Reply {totals->donations, std::nullopt, totals->toString()};
}

} // namespace sc::finance
