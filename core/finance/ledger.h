// Ledger: the append-only audit ledger, one SQLite database (WAL journal,
// synchronous=FULL) per data directory. Independent of the actor runtime; the
// audit_log process wraps it.
//
// Threading: every public member may be called from any thread.
// - append() blocks its caller until the record's transaction has committed or
//   failed. Records queued while a transaction is being written are committed
//   together by one writer thread (group commit: one disk flush per batch).
// - appendAsync() never blocks: `done` runs later on the ledger's writer thread
//   (or at once on the calling thread if the record is refused before being
//   queued). `done` must be quick, must not throw and must not call append()
//   (it would wait for its own thread); appendAsync() from `done` is fine.
// - all(), count() and exportCsv() wait while a batch is being written.
// - The destructor commits what is still queued, answers it, checkpoints the
//   -wal into ledger.sqlite3 (TRUNCATE), then closes.
#pragma once

#include "core/finance/money.h"
#include "core/base/result.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace sc {

/// One financial change (or a rejected request) as stored in the ledger.
struct LedgerRecord {
    std::int64_t id = 0; ///< assigned by the ledger on commit; ignored by append()
    std::string time; ///< ISO-8601 UTC with ms ("2026-01-31T12:00:00.123Z"); stamped by append() if empty
    std::string kind; ///< "donation", "deposit", "withdrawal", ...; must not be empty
    std::string user;
    Money amount;
    std::optional<Money> result; ///< the resulting total or balance
    std::optional<std::string> error; ///< set for a rejected request: its error name

    friend bool operator==(const LedgerRecord&, const LedgerRecord&) = default;
};

/// The append-only audit ledger. Storage failures are Errc::Storage with a
/// detail naming the file and the problem.
class Ledger {
public:
    using Record = LedgerRecord;
    using Done = std::function<void(Result<std::int64_t>)>;
    using BatchDone = std::function<void(Result<std::vector<std::int64_t>>)>;

    /// The schema version kept in PRAGMA user_version.
    static constexpr int kSchemaVersion = 1;
    /// The database's file name inside the data directory.
    static constexpr const char* kFileName = "ledger.sqlite3";

    // -- lifecycle --

    /// Opens the ledger in `dataDir` (created if missing), continuing an
    /// existing one. A file that is corrupted, not SQLite, not a ledger, of a
    /// newer schema or not writable is refused with an error naming the file and
    /// the problem; such a file is never written to. So is a ledger that was
    /// altered: its table or either append-only trigger not as created (or a
    /// trigger added), an id missing from 1..count, a row of the wrong type
    /// (time, kind, user text; amount integer; result integer or NULL; error
    /// text or NULL). `ledger.sqlite3` may not be a symbolic link (the data
    /// directory may). The caller should hold the data directory's
    /// DataDirLock: two writers would interleave their records.
    static Result<std::unique_ptr<Ledger>> open(const std::string& dataDir);
    ~Ledger();
    Ledger(const Ledger&) = delete;
    Ledger& operator=(const Ledger&) = delete;

    /// The database file's path.
    const std::string& path() const { return m_path; }

    // -- writing --

    /// Appends `record` and returns its id once it is durably committed. If the
    /// batch's transaction fails (disk full, read-only, I/O error) every record
    /// of that batch gets the error and none is stored.
    Result<std::int64_t> append(Record record);
    /// The same, answering through `done` instead of blocking (see the top).
    void appendAsync(Record record, Done done);
    /// Appends `records` in one transaction, all or none, and answers with
    /// their ids in order (an empty batch is answered at once).
    void appendBatchAsync(std::vector<Record> records, BatchDone done);

    // -- reading --

    /// Every record in id order.
    Result<std::vector<Record>> all() const;
    Result<std::int64_t> count() const;
    /// The accepted records (no error) of any of `kinds`, of `user` if given,
    /// in id order: what a service rebuilds its state from.
    Result<std::vector<Record>> accepted(
        const std::vector<std::string>& kinds, const std::optional<std::string>& user = std::nullopt) const;
    /// Writes the whole ledger as LedgerReader::exportCsv does, through a
    /// connection of its own (commits go on meanwhile).
    Status exportCsv(const std::string& file) const;

    /// Number of append transactions committed since open (group-commit metric).
    std::uint64_t commitCount() const { return m_commits.load(); }

private:
    struct Pending {
        std::vector<Record> records;
        BatchDone done;
    };

    Ledger(std::string path, sqlite3* db, sqlite3_stmt* insert);
    void writerLoop();
    Status writeBatch(const std::vector<Pending>& batch, std::vector<std::int64_t>& ids);
    Result<std::vector<Record>> select(const std::string& where, const std::vector<std::string>& args) const;
    Error storageError(const std::string& what) const;

    const std::string m_path;
    mutable std::mutex m_dbMutex; ///< guards m_db and m_insert
    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_insert = nullptr;

    std::mutex m_queueMutex;
    std::condition_variable m_queueCv;
    std::vector<Pending> m_queue;
    bool m_stopping = false;

    std::atomic<std::uint64_t> m_commits {0};
    std::thread m_writer; ///< last: starts once everything above exists
};

/// A read-only connection to a data directory's ledger, for readers beside
/// the writer (the reporting database process, the GUI's audit table). It
/// sees every committed record and never writes.
///
/// Threading: one thread at a time; any thread.
class LedgerReader {
public:
    /// Errc::Storage if there is no ledger in `dataDir`, it is a symbolic
    /// link, or it cannot be opened. Reading needs no DataDirLock.
    static Result<std::unique_ptr<LedgerReader>> open(const std::string& dataDir);
    ~LedgerReader();
    LedgerReader(const LedgerReader&) = delete;
    LedgerReader& operator=(const LedgerReader&) = delete;

    const std::string& path() const { return m_path; }

    /// The records whose id is greater than `afterId`, in id order, at most
    /// `limit` (0: all). Errc::Storage for a row of the wrong type (never read as 0).
    Result<std::vector<LedgerRecord>> after(std::int64_t afterId, std::size_t limit = 0);

    /// Count and sum of amounts per kind, accepted records apart from rejected ones.
    struct KindSummary {
        std::string kind;
        bool accepted = true;
        std::int64_t count = 0;
        Money sum;
    };
    /// Errc::Storage on a read failure, including a sum beyond Money's range.
    Result<std::vector<KindSummary>> summary();
    /// The whole ledger as CSV: header `id,time,kind,user,amount,result,error`,
    /// amounts with two decimals, RFC 4180 quoting, "\n" line ends; a text
    /// cell beginning with = + - @, a tab or CR gets a leading ' so that no
    /// spreadsheet runs it as a formula. One snapshot (one read transaction),
    /// whatever a writer commits meanwhile, streamed row by row into a
    /// temporary file beside `file` (".NAME.tmp-XXXXXX", locked while
    /// written; unlocked ones left by killed exports are removed) that is
    /// flushed and renamed over it: a failure never leaves a partial file. A
    /// new file gets 0666 less the umask; a replaced one keeps its mode.
    /// Errc::Storage on failure, a row of the wrong type included;
    /// Errc::BadArgument if `file` is one of the data directory's own files
    /// (checkOutputPath), which is left untouched.
    Status exportCsv(const std::string& file);

private:
    LedgerReader(std::string path, sqlite3* db);
    std::string m_path;
    sqlite3* m_db;
};

} // namespace sc
