// Ledger: opening (and creating) the audit ledger, its writer thread with
// group commit, and the writer connection's reads.
#include "core/finance/ledger.h"

#include "core/finance/ledgercheck.h"
#include "core/finance/ledgerdb.h"
#include "core/finance/money.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <future>
#include <spdlog/spdlog.h>
#include <system_error>

namespace fs = std::filesystem;

namespace sc {

using namespace ledgerdb;

namespace {

std::string nowIso()
{
    using namespace std::chrono;
    const auto ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm {};
#ifdef _WIN32
    gmtime_s(&tm, &secs);
#else
    gmtime_r(&secs, &tm);
#endif
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
        tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return buf;
}

/// Owns a connection until released; closes it on every early return of open().
struct DbGuard {
    sqlite3* db = nullptr;
    sqlite3_stmt* insert = nullptr;
    ~DbGuard()
    {
        sqlite3_finalize(insert);
        sqlite3_close_v2(db);
    }
};

} // namespace

// -- lifecycle --

Result<std::unique_ptr<Ledger>> Ledger::open(const std::string& dataDir)
{
    std::error_code ec;
    fs::create_directories(dataDir, ec);
    if (ec) return storage(dataDir, "cannot create the data directory: " + ec.message());
    if (!fs::is_directory(dataDir, ec)) return storage(dataDir, "the data directory is not a directory");

    const std::string path = (fs::path(dataDir) / kFileName).string();
    const auto file = fileToOpen(dataDir, path);
    if (!file) return file.error();
    const auto status = fs::status(path, ec);
    const bool exists = fs::exists(status);
    if (exists && !fs::is_regular_file(status)) return storage(path, "not a regular file");

    // An existing file is opened without CREATE and only read until it has
    // proven to be a healthy ledger: nothing below writes to a refused file.
    DbGuard g;
    int rc = sqlite3_open_v2(file->c_str(), &g.db,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | (exists ? 0 : SQLITE_OPEN_CREATE), nullptr);
    if (rc != SQLITE_OK) return storage(path, "cannot open: " + sqliteMessage(g.db, rc));
    sqlite3_extended_result_codes(g.db, 1);
    sqlite3_busy_timeout(g.db, 5000);
    if (sqlite3_db_readonly(g.db, "main") == 1) return storage(path, "the file is read-only");

    std::string text;
    rc = queryText(g.db, "PRAGMA user_version", text);
    if (rc != SQLITE_OK) return storage(path, "not a readable SQLite database: " + sqliteMessage(g.db, rc));
    const int version = std::atoi(text.c_str());
    if (version > kSchemaVersion)
        return storage(path,
            "ledger schema version " + std::to_string(version) + " is newer than this program's "
                + std::to_string(kSchemaVersion));
    // Every check below is for version 0 or kSchemaVersion: anything else
    // (user_version is a signed 32-bit field) would pass them all unchecked.
    if (version != 0 && version != kSchemaVersion)
        return storage(path, "unknown ledger schema version " + std::to_string(version));

    rc = queryText(g.db, "PRAGMA quick_check", text);
    if (rc != SQLITE_OK) return storage(path, "corrupted database: " + sqliteMessage(g.db, rc));
    if (text != "ok") return storage(path, "corrupted database: " + text);

    rc = queryText(g.db, "SELECT count(*) FROM sqlite_master", text);
    if (rc != SQLITE_OK) return storage(path, "corrupted database: " + sqliteMessage(g.db, rc));
    const bool empty = text == "0";
    if (version == 0 && !empty)
        return storage(path, "an SQLite database that is not an audit ledger (no schema version)");

    if (version == kSchemaVersion) {
        // Both statements, before anything is written: a `records` that can be
        // read but not inserted into (a view) must be refused untouched too.
        for (const char* sql : {kSelect, kInsert}) {
            sqlite3_stmt* probe = nullptr;
            rc = sqlite3_prepare_v2(g.db, sql, -1, &probe, nullptr);
            sqlite3_finalize(probe);
            if (rc != SQLITE_OK) return storage(path, "not an audit ledger: " + sqliteMessage(g.db, rc));
        }
        // Tampering refused, not repaired: what was changed is evidence.
        auto problem = schemaProblem(g.db);
        if (!problem) problem = recordsProblem(g.db);
        if (problem)
            return storage(path, "a damaged or altered audit ledger: " + *problem + "; the file was left untouched");
    }

    // From here on the file is known to be a healthy ledger (or empty).
    rc = queryText(g.db, "PRAGMA journal_mode=WAL", text);
    if (rc != SQLITE_OK || text != "wal")
        return storage(path, "cannot switch to the WAL journal: " + (rc != SQLITE_OK ? sqliteMessage(g.db, rc) : text));
    rc = exec(g.db, "PRAGMA synchronous=FULL");
    if (rc != SQLITE_OK) return storage(path, "cannot set synchronous=FULL: " + sqliteMessage(g.db, rc));

    if (version == 0) {
        rc = exec(g.db, "BEGIN IMMEDIATE");
        if (rc == SQLITE_OK) rc = exec(g.db, kSchema);
        if (rc == SQLITE_OK) rc = exec(g.db, ("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
        if (rc == SQLITE_OK) rc = exec(g.db, "COMMIT");
        if (rc != SQLITE_OK) {
            const std::string msg = sqliteMessage(g.db, rc);
            if (!sqlite3_get_autocommit(g.db)) exec(g.db, "ROLLBACK");
            return storage(path, "cannot create the ledger schema: " + msg);
        }
    }

    rc = sqlite3_prepare_v2(g.db, kInsert, -1, &g.insert, nullptr);
    if (rc != SQLITE_OK) return storage(path, "not an audit ledger: " + sqliteMessage(g.db, rc));

    std::unique_ptr<Ledger> ledger(new Ledger(path, g.db, g.insert));
    g.db = nullptr;
    g.insert = nullptr;
    return ledger;
}

Ledger::Ledger(std::string path, sqlite3* db, sqlite3_stmt* insert)
    : m_path(std::move(path))
    , m_db(db)
    , m_insert(insert)
    , m_writer([this] { writerLoop(); })
{
}

Ledger::~Ledger()
{
    {
        std::lock_guard lk(m_queueMutex);
        m_stopping = true;
    }
    m_queueCv.notify_all();
    m_writer.join();
    sqlite3_finalize(m_insert);
    // Moves every committed record from the -wal into ledger.sqlite3 and
    // empties the -wal, so that the file alone holds the ledger after a clean
    // exit. SQLite does this by itself only when the last connection closes,
    // and a reader (the reporting database, the window's audit table) may
    // close after this one.
    const int rc = sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    if (rc != SQLITE_OK) spdlog::warn("{}: checkpoint at close failed: {}", m_path, sqliteMessage(m_db, rc));
    sqlite3_close_v2(m_db);
}

Error Ledger::storageError(const std::string& what) const
{
    return storage(m_path, what);
}

// -- writing --

Result<std::int64_t> Ledger::append(Record record)
{
    if (std::this_thread::get_id() == m_writer.get_id())
        return Error {Errc::CallingSelf, "Ledger::append called from the ledger's writer thread; use appendAsync"};
    std::promise<Result<std::int64_t>> answer;
    auto future = answer.get_future();
    appendAsync(std::move(record), [&answer](Result<std::int64_t> r) { answer.set_value(std::move(r)); });
    return future.get();
}

void Ledger::appendAsync(Record record, Done done)
{
    std::vector<Record> one;
    one.push_back(std::move(record));
    appendBatchAsync(std::move(one), [done = std::move(done)](Result<std::vector<std::int64_t>> ids) {
        if (ids)
            done(ids->front());
        else
            done(ids.error());
    });
}

void Ledger::appendBatchAsync(std::vector<Record> records, BatchDone done)
{
    if (records.empty()) {
        done(std::vector<std::int64_t> {});
        return;
    }
    const std::string stamp = nowIso();
    for (Record& record : records) {
        if (record.kind.empty()) {
            done(Error {Errc::BadArgument, "a ledger record needs a kind"});
            return;
        }
        if (record.time.empty()) record.time = stamp;
    }
    {
        std::unique_lock lk(m_queueMutex);
        if (!m_stopping) {
            m_queue.push_back({std::move(records), std::move(done)});
            lk.unlock();
            m_queueCv.notify_one();
            return;
        }
    }
    done(storageError("the ledger is closing"));
}

void Ledger::writerLoop()
{
    std::vector<Pending> batch;
    std::vector<std::int64_t> ids;
    for (;;) {
        batch.clear();
        {
            std::unique_lock lk(m_queueMutex);
            m_queueCv.wait(lk, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty()) return; // stopping, and everything queued has been answered
            batch.swap(m_queue);
        }
        ids.clear();
        const Status status = writeBatch(batch, ids);
        std::size_t next = 0;
        for (Pending& p : batch) {
            try {
                if (status.ok()) {
                    const auto first = ids.begin() + static_cast<std::ptrdiff_t>(next);
                    p.done(std::vector<std::int64_t>(first, first + static_cast<std::ptrdiff_t>(p.records.size())));
                } else {
                    p.done(status.error());
                }
            } catch (...) {
                // A throwing callback must not cost the other callers their answers.
            }
            next += p.records.size();
        }
    }
}

Status Ledger::writeBatch(const std::vector<Pending>& batch, std::vector<std::int64_t>& ids)
{
    std::lock_guard lk(m_dbMutex);
    auto fail = [&](const char* step, int rc) -> Status {
        const std::string msg = sqliteMessage(m_db, rc);
        sqlite3_reset(m_insert);
        if (!sqlite3_get_autocommit(m_db)) exec(m_db, "ROLLBACK");
        ids.clear();
        return storageError(std::string(step) + " failed: " + msg);
    };

    int rc = exec(m_db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return fail("begin", rc);
    for (const Pending& p : batch) {
        for (const Record& r : p.records) {
            sqlite3_reset(m_insert);
            sqlite3_clear_bindings(m_insert);
            bindText(m_insert, 1, r.time);
            bindText(m_insert, 2, r.kind);
            bindText(m_insert, 3, r.user);
            sqlite3_bind_int64(m_insert, 4, r.amount.minorUnits());
            if (r.result) sqlite3_bind_int64(m_insert, 5, r.result->minorUnits());
            if (r.error) bindText(m_insert, 6, *r.error);
            rc = sqlite3_step(m_insert);
            if (rc != SQLITE_DONE) return fail("insert", rc);
            ids.push_back(sqlite3_last_insert_rowid(m_db));
        }
    }
    sqlite3_reset(m_insert);
    rc = exec(m_db, "COMMIT");
    if (rc != SQLITE_OK) return fail("commit", rc);
    m_commits.fetch_add(1);
    return Ok {};
}

// -- reading --

Result<std::vector<Ledger::Record>> Ledger::all() const
{
    return select({}, {});
}

Result<std::vector<Ledger::Record>> Ledger::accepted(
    const std::vector<std::string>& kinds, const std::optional<std::string>& user) const
{
    if (kinds.empty()) return std::vector<Record> {};
    std::string where = "WHERE error IS NULL AND kind IN (?";
    for (std::size_t i = 1; i < kinds.size(); ++i)
        where += ", ?";
    where += ")";
    std::vector<std::string> args = kinds;
    if (user) {
        where += " AND user = ?";
        args.push_back(*user);
    }
    return select(where, args);
}

Result<std::vector<Ledger::Record>> Ledger::select(const std::string& where, const std::vector<std::string>& args) const
{
    std::lock_guard lk(m_dbMutex);
    return readRecords(m_db, m_path, where, args);
}

Result<std::int64_t> Ledger::count() const
{
    std::lock_guard lk(m_dbMutex);
    std::string text;
    const int rc = queryText(m_db, "SELECT count(*) FROM records", text);
    if (rc != SQLITE_OK) return storageError("read failed: " + sqliteMessage(m_db, rc));
    return std::int64_t(std::stoll(text));
}

Status Ledger::exportCsv(const std::string& file) const
{
    // Through a connection of its own: the export streams one snapshot
    // without holding up the writer's commits for as long as it writes.
    auto reader = LedgerReader::open(fs::path(m_path).parent_path().string());
    if (!reader) return reader.error();
    return (*reader)->exportCsv(file);
}

} // namespace sc
