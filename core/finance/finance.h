// Finance: the charity-finance services of the Elixir guide, as GenServers in
// one supervision tree, with every financial change in the audit ledger.
//
//   finance                        supervisor, one_for_one
//   ├── audit_log                  worker: owns the Ledger; commits records in groups
//   ├── core                       supervisor, one_for_one
//   │   ├── zakat_calculator       worker: zakat and the nisab
//   │   ├── donation_pool          worker: total + list, invariant checked on every update
//   │   ├── withdrawals            worker: balances per user
//   │   ├── transaction_processor  worker: crashes on a transaction of zero or less
//   │   ├── trackers               dynamic supervisor: one tracker per user (registry)
//   │   └── transactions           dynamic supervisor: transient transaction workers
//   └── reporting                  supervisor, one_for_one
//       ├── database               worker: a read-only SQLite connection, opened in init
//       └── report_generator       worker: loads its data in a continue step
//
// Threading: the client API (FinanceClient) may be used from any thread that
// is not running a finance service's callback; every call blocks its caller
// until the service answers or the timeout passes. The services themselves
// run on the runtime's workers.
//
// Acknowledgement: a change is answered `ok` only once its ledger record has
// committed durably. A service collects the requests that arrive while its
// previous batch is being committed and sends them as one all-or-none batch,
// so one disk flush serves many requests; until a batch commits, the state
// the service answers from does not include it. A refused change is a record
// too (its error, no result), answered with its refusal only once that record
// has committed. If the batch fails, its changes and refusals alike are
// answered Errc::Storage and the state stays as it was. If the audit log dies
// before taking the batch, they are answered Errc::Exit and the batch can no
// longer be written. Every answer the service gives is definite: `ok` and a
// recorded refusal are on disk exactly once; Storage and Exit were not. Two
// answers come from the runtime instead and are in doubt: Exit because the
// service itself died during the call, and Timeout; a batch the service had
// already handed to the audit log is committed all the same. With
// `recoverState` the service's next incarnation includes such records (its
// recovery waits for every batch handed to a ledger before it).
#pragma once

#include "core/finance/ledger.h"
#include "core/finance/money.h"
#include "core/finance/requests.h"
#include "core/runtime/runtime.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sc::finance {

// -- names --

/// Registered names of the services (Runtime::whereis).
inline constexpr const char* kAuditLogName = "finance.audit_log";
inline constexpr const char* kZakatName = "finance.zakat_calculator";
inline constexpr const char* kPoolName = "finance.donation_pool";
inline constexpr const char* kWithdrawalsName = "finance.withdrawals";
inline constexpr const char* kProcessorName = "finance.transaction_processor";
inline constexpr const char* kTrackersName = "finance.trackers";
inline constexpr const char* kTransactionsName = "finance.transactions";
inline constexpr const char* kDatabaseName = "finance.database";
inline constexpr const char* kReportName = "finance.report_generator";
/// Every service above (any of them registered: a finance tree runs).
inline constexpr std::array<const char*, 9> kServiceNames {kAuditLogName, kZakatName, kPoolName, kWithdrawalsName,
    kProcessorName, kTrackersName, kTransactionsName, kDatabaseName, kReportName};
/// The keyed registry the trackers register in, one key per user.
inline constexpr const char* kTrackerRegistry = "finance.trackers";

/// The tree's paths.
inline constexpr const char* kRootPath = "finance";
inline constexpr const char* kTrackersPath = "finance/core/trackers";
inline constexpr const char* kTransactionsPath = "finance/core/transactions";

/// Ledger record kinds.
inline constexpr const char* kDonation = "donation"; ///< to a user's tracker; result: the new total
inline constexpr const char* kPoolDonation = "pool_donation"; ///< result: the pool's new total
inline constexpr const char* kDeposit = "deposit"; ///< result: the new balance
inline constexpr const char* kWithdrawal = "withdrawal"; ///< result: the new balance
inline constexpr const char* kNisab = "nisab"; ///< amount: the new nisab

// -- configuration --

struct Config {
    /// Where the ledger lives (created if missing). Required.
    std::string dataDir;
    /// false: a restarted service starts from init's empty state (OTP's rule).
    /// true (`state_on_restart: recover`): trackers, the pool and the balances
    /// rebuild their state from the ledger's accepted records in their init.
    bool recoverState = false;
    /// The nisab the zakat calculator starts with.
    Money nisab;
    /// How long report_generator's load takes (its continue step waits this
    /// long, without blocking, before asking the database): the Elixir
    /// guide's expensive dataset load. Until then reports answer not_ready.
    std::chrono::milliseconds reportLoad {0};
    /// Restart intensity of every finance supervisor: at most `intensity`
    /// restarts in any `period` (Elixir's default: 3 in 5 s). One more and the
    /// supervisor gives up, which its own supervisor sees as a crash.
    int intensity = 3;
    std::chrono::milliseconds period {5000};
};

/// Starts the finance tree under the root path "finance" and returns the
/// root's pid once every child has started. A data directory whose ledger is
/// damaged or cannot be written fails the start with Errc::Storage naming the
/// file and the problem (the file is left as it was).
Result<Pid> startFinanceTree(Runtime& rt, const Config& config);

/// Database connections (reporting/database) open in this program right now;
/// after any number of kills and restarts it is the number of live database
/// processes (0 or 1 per tree).
int openDatabaseConnections();

/// The donation pool's invariant: `total` is the sum of `donations`
/// (computed with checked arithmetic; an overflowing sum breaks it).
bool poolInvariantHolds(Money total, const std::vector<Money>& donations);

// -- reports --

/// What report_generator reports: sums of the accepted records by kind.
struct Report {
    Money donations; ///< to trackers
    Money pool; ///< pool donations
    Money deposits;
    Money withdrawals;
    std::int64_t records = 0; ///< every record, rejections included
    std::int64_t rejected = 0; ///< records of refused requests
    /// "donations=300.00 pool=5.00 deposits=100.00 withdrawals=30.00 records=7 rejected=1"
    std::string toString() const;
    friend bool operator==(const Report&, const Report&) = default;
};

// -- client API --
// Request, its table kRequests, Reply and the rules of a request's fields
// (takesUser, parseAmount, checkUserName) are in requests.h.

/// Requests to the finance services of one runtime, found by their
/// registered names (so they reach a restarted service too). Errors:
/// - the service's own: InvalidAmount (zero, negative or overflowing amounts),
///   InvalidWealth, InsufficientFunds, NotFound (no tracker for the user),
///   AlreadyStarted (open_tracker twice), NotReady (report before loading),
///   Storage (the ledger could not commit the request's record, a change or
///   a refusal: nothing was written; for a report: the ledger cannot be
///   read or summed, e.g. a sum beyond the money range);
/// - the runtime's: NoProc (the service is not running, e.g. restarting),
///   Exit (it crashed during the request), Timeout;
/// - BadArgument: a user name that breaks checkUserName's rule (it becomes a
///   path component).
class FinanceClient {
public:
    explicit FinanceClient(Runtime& rt, std::chrono::milliseconds timeout = std::chrono::seconds(5))
        : m_rt(rt)
        , m_timeout(timeout)
    {
    }

    /// Starts the tracker of `user` (finance/core/trackers/<user>); value: its
    /// starting total (0, or the recovered one).
    Result<Reply> openTracker(const std::string& user);
    /// value: the user's new total.
    Result<Reply> donate(const std::string& user, Money amount);
    Result<Reply> total(const std::string& user);

    /// value: the pool's new total.
    Result<Reply> poolAdd(const std::string& user, Money amount);
    Result<Reply> poolTotal();

    /// value: the new balance.
    Result<Reply> deposit(const std::string& user, Money amount);
    Result<Reply> withdraw(const std::string& user, Money amount);
    Result<Reply> balance(const std::string& user);

    /// value: the zakat due on `wealth` with the current nisab.
    Result<Reply> zakat(Money wealth);
    /// value: the nisab now in force.
    Result<Reply> setNisab(Money nisab);
    Result<Reply> getNisab();

    /// Processed by transaction_processor; value: the amount. An amount of zero
    /// or less crashes the processor (let it crash): the answer is Exit.
    Result<Reply> transaction(Money amount);
    /// Starts a transient worker under finance/core/transactions that has the
    /// processor process the amount and then exits `normal`; value: the
    /// amount, text: the worker's path. Zero or less: InvalidAmount, nothing started.
    Result<Reply> startTransaction(Money amount);

    /// value: the sum of accepted donations; text: Report::toString().
    Result<Reply> report();
    /// The request `request`, with `user` and `amount` where it takes them.
    Result<Reply> perform(Request request, const std::string& user, Money amount);
    Result<Report> reportTotals();

private:
    template <typename Message> Result<Reply> callService(const char* name, Message message);

    Runtime& m_rt;
    std::chrono::milliseconds m_timeout;
};

} // namespace sc::finance
