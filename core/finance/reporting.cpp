// reporting/database and reporting/report_generator: the read-only connection
// to the ledger, and the reports summed from it.
#include "core/finance/service.h"

#include <atomic>
#include <map>
#include <spdlog/spdlog.h>

namespace sc::finance::detail {

using namespace std::chrono_literals;

namespace {

std::atomic<int> g_databaseConnections {0};

// -- messages between report_generator and database --

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

/// A read that failed because another connection held a lock (SQLITE_BUSY
/// after the reader's busy timeout, or SQLITE_LOCKED): the only ledger read
/// error worth trying again. The ledger's errors carry SQLite's own message
/// for them, "database is locked" / "database table is locked".
bool transientReadError(const Error& e)
{
    return e.code == Errc::Storage && e.detail.find("is locked") != std::string::npos;
}

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

} // namespace

std::unique_ptr<GenServer> makeDatabase(ContextPtr context)
{
    return std::make_unique<Database>(std::move(context));
}

std::unique_ptr<GenServer> makeReportGenerator(ContextPtr context)
{
    return std::make_unique<ReportGenerator>(std::move(context));
}

} // namespace sc::finance::detail

namespace sc::finance {

std::string Report::toString() const
{
    return "donations=" + donations.toString() + " pool=" + pool.toString() + " deposits=" + deposits.toString()
        + " withdrawals=" + withdrawals.toString() + " records=" + std::to_string(records)
        + " rejected=" + std::to_string(rejected);
}

int openDatabaseConnections()
{
    return detail::g_databaseConnections.load();
}

} // namespace sc::finance
