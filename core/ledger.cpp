#include "ledger.h"

#include "money.h"

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <future>
#include <sqlite3.h>
#include <system_error>

namespace fs = std::filesystem;

namespace sc {

namespace {

Error storage(const std::string& file, const std::string& what)
{
    return Error {Errc::Storage, file + ": " + what};
}

std::string sqliteMessage(sqlite3* db, int rc)
{
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const std::string code = sqlite3_errstr(rc);
    if (msg != code) msg += " (" + code + ")";
    return msg;
}

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

/// Runs a statement that returns no rows we need.
int exec(sqlite3* db, const char* sql)
{
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
}

/// Runs a one-row, one-column query. Returns the sqlite code; `out` gets the text.
int queryText(sqlite3* db, const char* sql, std::string& out)
{
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(st, 0);
        out.assign(text ? reinterpret_cast<const char*>(text) : "", static_cast<size_t>(sqlite3_column_bytes(st, 0)));
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        out.clear();
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

std::string columnText(sqlite3_stmt* st, int col)
{
    const auto* text = sqlite3_column_text(st, col);
    return text ? std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(st, col)))
                : std::string();
}

void bindText(sqlite3_stmt* st, int col, const std::string& s)
{
    sqlite3_bind_text(st, col, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

constexpr const char* kSchema = R"sql(
CREATE TABLE records(
    id INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    kind TEXT NOT NULL,
    user TEXT NOT NULL,
    amount INTEGER NOT NULL,
    result INTEGER NULL,
    error TEXT NULL);
CREATE TRIGGER records_no_update BEFORE UPDATE ON records
    BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records
    BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END;
)sql";

constexpr const char* kSelect = "SELECT id, time, kind, user, amount, result, error FROM records ";
constexpr const char* kInsert = "INSERT INTO records(time, kind, user, amount, result, error) VALUES(?, ?, ?, ?, ?, ?)";

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

/// The records `where` selects, in id order; `args` bind its '?'s in order.
Result<std::vector<LedgerRecord>> readRecords(sqlite3* db, const std::string& path, const std::string& where,
    const std::vector<std::string>& args, std::size_t limit = 0)
{
    std::string sql = std::string(kSelect) + where + " ORDER BY id";
    if (limit > 0) sql += " LIMIT " + std::to_string(limit);
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    for (std::size_t i = 0; rc == SQLITE_OK && i < args.size(); ++i)
        bindText(st, static_cast<int>(i) + 1, args[i]);
    std::vector<LedgerRecord> rows;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        LedgerRecord r;
        r.id = sqlite3_column_int64(st, 0);
        r.time = columnText(st, 1);
        r.kind = columnText(st, 2);
        r.user = columnText(st, 3);
        r.amount = Money::fromMinorUnits(sqlite3_column_int64(st, 4));
        if (sqlite3_column_type(st, 5) != SQLITE_NULL) r.result = Money::fromMinorUnits(sqlite3_column_int64(st, 5));
        if (sqlite3_column_type(st, 6) != SQLITE_NULL) r.error = columnText(st, 6);
        rows.push_back(std::move(r));
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return storage(path, "read failed: " + sqliteMessage(db, rc));
    return rows;
}

} // namespace

// -- lifecycle --

Result<std::unique_ptr<Ledger>> Ledger::open(const std::string& dataDir)
{
    std::error_code ec;
    fs::create_directories(dataDir, ec);
    if (ec) return storage(dataDir, "cannot create the data directory: " + ec.message());
    if (!fs::is_directory(dataDir, ec)) return storage(dataDir, "the data directory is not a directory");

    const std::string path = (fs::path(dataDir) / kFileName).string();
    const auto status = fs::status(path, ec);
    const bool exists = fs::exists(status);
    if (exists && !fs::is_regular_file(status)) return storage(path, "not a regular file");

    // An existing file is opened without CREATE and only read until it has
    // proven to be a healthy ledger: nothing below writes to a refused file.
    DbGuard g;
    int rc = sqlite3_open_v2(path.c_str(), &g.db, SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE), nullptr);
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
    auto rows = all();
    if (!rows) return rows.error();
    return writeCsv(*rows, file);
}

namespace {

// `file` replaced by `bytes` as one step: written to a temporary file beside
// it, flushed to the disk, then renamed over it. A crash leaves the old file
// or the new one, never a part of either.
#ifdef _WIN32
std::string lastErrorText()
{
    return std::system_category().message(static_cast<int>(::GetLastError()));
}

Status replaceFile(const std::string& file, const std::string& bytes)
{
    static std::atomic<unsigned> serial {0};
    const fs::path target(std::u8string(file.begin(), file.end()));
    const fs::path tmp = target.parent_path()
        / (L"." + target.filename().wstring() + L".tmp-" + std::to_wstring(::GetCurrentProcessId()) + L"-"
            + std::to_wstring(serial++));
    const HANDLE h = ::CreateFileW(tmp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE) return storage(file, "cannot create a temporary file: " + lastErrorText());
    auto failWith = [&](const char* step) -> Status {
        const std::string why = lastErrorText();
        ::CloseHandle(h);
        ::DeleteFileW(tmp.c_str());
        return storage(file, std::string(step) + " failed: " + why);
    };
    for (std::size_t done = 0; done < bytes.size();) {
        const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(bytes.size() - done, 1u << 30));
        DWORD n = 0;
        if (!::WriteFile(h, bytes.data() + done, chunk, &n, nullptr) || n == 0) return failWith("write");
        done += n;
    }
    if (!::FlushFileBuffers(h)) return failWith("flush");
    ::CloseHandle(h);
    if (!::MoveFileExW(tmp.c_str(), target.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        const std::string why = lastErrorText();
        ::DeleteFileW(tmp.c_str());
        return storage(file, "rename failed: " + why);
    }
    return Ok {};
}
#else
Status replaceFile(const std::string& file, const std::string& bytes)
{
    const fs::path target(file);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::string tmpl = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    const int fd = mkstemp(tmpl.data());
    if (fd < 0) return storage(file, std::string("cannot create a temporary file: ") + std::strerror(errno));

    auto failWith = [&](const char* step) -> Status {
        const std::string why = std::strerror(errno);
        ::close(fd);
        ::unlink(tmpl.c_str());
        return storage(file, std::string(step) + " failed: " + why);
    };
    ::fchmod(fd, 0644);
    for (size_t done = 0; done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return failWith("write");
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) return failWith("fsync");
    if (::close(fd) != 0) {
        const std::string why = std::strerror(errno);
        ::unlink(tmpl.c_str());
        return storage(file, "close failed: " + why);
    }
    if (::rename(tmpl.c_str(), file.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        ::unlink(tmpl.c_str());
        return storage(file, "rename failed: " + why);
    }
    // Make the rename itself durable (best effort: some file systems refuse).
    const int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return Ok {};
}
#endif

} // namespace

Status writeCsv(const std::vector<LedgerRecord>& rows, const std::string& file)
{
    std::string csv = "id,time,kind,user,amount,result,error\n";
    for (const LedgerRecord& r : rows) {
        csv += std::to_string(r.id) + ',' + csvField(r.time) + ',' + csvField(r.kind) + ',' + csvField(r.user) + ','
            + r.amount.toString() + ',' + (r.result ? r.result->toString() : std::string()) + ','
            + (r.error ? csvField(*r.error) : std::string()) + '\n';
    }

    return replaceFile(file, csv);
}

} // namespace sc

// ---------------------------------------------------------------------------

namespace sc {

Result<std::unique_ptr<LedgerReader>> LedgerReader::open(const std::string& dataDir)
{
    const std::string path = (fs::path(dataDir) / Ledger::kFileName).string();
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return storage(path, "no audit ledger here");
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    if (rc != SQLITE_OK) {
        const std::string why = sqliteMessage(db, rc);
        sqlite3_close_v2(db);
        return storage(path, "cannot open: " + why);
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
    return std::unique_ptr<LedgerReader>(new LedgerReader(path, db));
}

LedgerReader::LedgerReader(std::string path, sqlite3* db)
    : m_path(std::move(path))
    , m_db(db)
{
}

LedgerReader::~LedgerReader()
{
    sqlite3_close_v2(m_db);
}

Result<std::vector<LedgerRecord>> LedgerReader::after(std::int64_t afterId, std::size_t limit)
{
    return readRecords(m_db, m_path, "WHERE id > " + std::to_string(afterId), {}, limit);
}

Status LedgerReader::exportCsv(const std::string& file)
{
    auto rows = after(0);
    if (!rows) return rows.error();
    return writeCsv(*rows, file);
}

Result<std::vector<LedgerReader::KindSummary>> LedgerReader::summary()
{
    constexpr const char* kSql
        = "SELECT kind, error IS NULL, COUNT(*), SUM(amount) FROM records GROUP BY kind, error IS NULL ORDER BY kind";
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(m_db, kSql, -1, &st, nullptr);
    std::vector<KindSummary> rows;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        KindSummary k;
        k.kind = columnText(st, 0);
        k.accepted = sqlite3_column_int(st, 1) != 0;
        k.count = sqlite3_column_int64(st, 2);
        k.sum = Money::fromMinorUnits(sqlite3_column_int64(st, 3));
        rows.push_back(std::move(k));
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return storage(m_path, "read failed: " + sqliteMessage(m_db, rc));
    return rows;
}

} // namespace sc
