#include "core/finance/ledger.h"

#include "core/finance/datadir.h"
#include "core/finance/money.h"

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <future>
#include <random>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <string_view>
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

/// A text cell of the export: one that a spreadsheet would take for a
/// formula (= + - @, or a tab or CR that some strip first) gets a leading '
/// (OWASP's advice against CSV injection), then RFC 4180 quoting.
void appendCsvText(std::string& out, const std::string& s)
{
    const bool formula = !s.empty() && std::string_view("=+-@\t\r").find(s.front()) != std::string_view::npos;
    const bool quoted = s.find_first_of(",\"\r\n") != std::string::npos;
    if (quoted) out += '"';
    if (formula) out += '\'';
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    if (quoted) out += '"';
}

constexpr std::string_view kCsvHeader = "id,time,kind,user,amount,result,error\n";

void appendCsvRow(std::string& out, const LedgerRecord& r)
{
    out += std::to_string(r.id);
    out += ',';
    appendCsvText(out, r.time);
    out += ',';
    appendCsvText(out, r.kind);
    out += ',';
    appendCsvText(out, r.user);
    out += ',';
    out += r.amount.toString();
    out += ',';
    if (r.result) out += r.result->toString();
    out += ',';
    if (r.error) appendCsvText(out, *r.error);
    out += '\n';
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

/// The columns of kSelect, with the storage class each must have: a row of
/// another type (a text result, a real amount) is a damaged ledger, never read as 0.
struct ColumnType {
    const char* name;
    int type;
    bool nullable;
};
constexpr std::array<ColumnType, 7> kColumns {{{"id", SQLITE_INTEGER, false}, {"time", SQLITE_TEXT, false},
    {"kind", SQLITE_TEXT, false}, {"user", SQLITE_TEXT, false}, {"amount", SQLITE_INTEGER, false},
    {"result", SQLITE_INTEGER, true}, {"error", SQLITE_TEXT, true}}};

const char* typeName(int type)
{
    switch (type) {
    case SQLITE_INTEGER:
        return "integer";
    case SQLITE_FLOAT:
        return "real";
    case SQLITE_TEXT:
        return "text";
    case SQLITE_BLOB:
        return "blob";
    default:
        return "NULL";
    }
}

/// What is wrong with the types of the row `st` stands on (a kSelect row), if anything.
std::optional<std::string> rowProblem(sqlite3_stmt* st)
{
    for (int col = 0; col < int(kColumns.size()); ++col) {
        const ColumnType& want = kColumns[std::size_t(col)];
        const int type = sqlite3_column_type(st, col);
        if (type == want.type || (type == SQLITE_NULL && want.nullable)) continue;
        return "record " + std::to_string(sqlite3_column_int64(st, 0)) + ": its " + want.name + " is "
            + typeName(type) + ", not " + typeName(want.type) + (want.nullable ? " or NULL" : "");
    }
    return std::nullopt;
}

/// The row `st` stands on (a kSelect row), or what is wrong with it.
Result<LedgerRecord> readRow(sqlite3_stmt* st, const std::string& path)
{
    if (auto problem = rowProblem(st)) return storage(path, *problem);
    LedgerRecord r;
    r.id = sqlite3_column_int64(st, 0);
    r.time = columnText(st, 1);
    r.kind = columnText(st, 2);
    r.user = columnText(st, 3);
    r.amount = Money::fromMinorUnits(sqlite3_column_int64(st, 4));
    if (sqlite3_column_type(st, 5) != SQLITE_NULL) r.result = Money::fromMinorUnits(sqlite3_column_int64(st, 5));
    if (sqlite3_column_type(st, 6) != SQLITE_NULL) r.error = columnText(st, 6);
    return r;
}

/// Hands each record `where` selects to `use`, in id order, one at a time;
/// `args` bind its '?'s in order. Stops at the first bad row or failing `use`.
/// One statement is one read transaction: the rows are one snapshot of the
/// ledger, whatever a writer commits meanwhile.
Status forEachRecord(sqlite3* db, const std::string& path, const std::string& where,
    const std::vector<std::string>& args, std::size_t limit, const std::function<Status(LedgerRecord)>& use)
{
    std::string sql = std::string(kSelect) + where + " ORDER BY id";
    if (limit > 0) sql += " LIMIT " + std::to_string(limit);
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    for (std::size_t i = 0; rc == SQLITE_OK && i < args.size(); ++i)
        bindText(st, static_cast<int>(i) + 1, args[i]);
    Status status = Ok {};
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        auto row = readRow(st, path);
        if (row) status = use(std::move(*row));
        if (!row || !status) {
            sqlite3_finalize(st);
            return row ? status : Status(row.error());
        }
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return storage(path, "read failed: " + sqliteMessage(db, rc));
    return Ok {};
}

/// The records `where` selects, in id order; `args` bind its '?'s in order.
Result<std::vector<LedgerRecord>> readRecords(sqlite3* db, const std::string& path, const std::string& where,
    const std::vector<std::string>& args, std::size_t limit = 0)
{
    std::vector<LedgerRecord> rows;
    const Status read = forEachRecord(db, path, where, args, limit, [&rows](LedgerRecord r) -> Status {
        rows.push_back(std::move(r));
        return Ok {};
    });
    if (!read) return read.error();
    return rows;
}

/// A ledger's schema objects as SQLite keeps them (type, name, sql), made
/// once from kSchema in a memory database: a healthy ledger's are these, exactly.
struct SchemaObject {
    std::string type, name, sql;
};

std::vector<SchemaObject> schemaObjects(sqlite3* db, std::string* error)
{
    std::vector<SchemaObject> objects;
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db,
        "SELECT type, name, sql FROM sqlite_master WHERE name = 'records' OR type = 'trigger' ORDER BY name", -1, &st,
        nullptr);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        objects.push_back({columnText(st, 0), columnText(st, 1), columnText(st, 2)});
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && error) *error = sqliteMessage(db, rc);
    return objects;
}

const std::vector<SchemaObject>& expectedSchema()
{
    static const std::vector<SchemaObject> objects = [] {
        sqlite3* db = nullptr;
        std::vector<SchemaObject> made;
        if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr) == SQLITE_OK
            && exec(db, kSchema) == SQLITE_OK)
            made = schemaObjects(db, nullptr);
        sqlite3_close_v2(db);
        return made;
    }();
    return objects;
}

/// What is wrong with the file's table and triggers, or nothing: the records
/// table and both append-only triggers exactly as kSchema creates them, and no
/// other trigger (one could act on every insert). Other tables and indexes
/// are left to whoever added them.
std::optional<std::string> schemaProblem(sqlite3* db)
{
    std::string error;
    const std::vector<SchemaObject> found = schemaObjects(db, &error);
    if (!error.empty()) return "its schema cannot be read: " + error;
    const std::vector<SchemaObject>& expected = expectedSchema();
    if (expected.empty()) return std::string("this program cannot build its own schema to compare with");
    for (const SchemaObject& want : expected) {
        const auto it = std::find_if(
            found.begin(), found.end(), [&](const SchemaObject& o) { return o.name == want.name; });
        if (it == found.end()) return "the " + want.type + " " + want.name + " is missing";
        if (it->type != want.type || it->sql != want.sql)
            return "the " + want.type + " " + want.name + " is not the one this program creates";
    }
    for (const SchemaObject& o : found) {
        const bool known = std::any_of(
            expected.begin(), expected.end(), [&](const SchemaObject& want) { return want.name == o.name; });
        if (!known) return "it has a trigger this program did not create, " + o.name;
    }
    return std::nullopt;
}

/// Runs a one-row, one-column query of an integer (0 for NULL or no row).
int queryInt(sqlite3* db, const char* sql, std::int64_t& out)
{
    std::string text;
    const int rc = queryText(db, sql, text);
    out = std::atoll(text.c_str());
    return rc;
}

/// What is wrong with the stored records, or nothing: ids run from 1 without
/// a gap (a deleted record is noticed), and every row has its columns' types.
/// Two scans at most, both inside SQLite: count(*) and one pass of typeof().
std::optional<std::string> recordsProblem(sqlite3* db)
{
    std::int64_t count = 0, first = 0, last = 0;
    int rc = queryInt(db, "SELECT count(*) FROM records", count);
    if (rc == SQLITE_OK) rc = queryInt(db, "SELECT min(id) FROM records", first);
    if (rc == SQLITE_OK) rc = queryInt(db, "SELECT max(id) FROM records", last);
    if (rc != SQLITE_OK) return "its records cannot be read: " + sqliteMessage(db, rc);
    if (count > 0 && first < 1) return "record " + std::to_string(first) + " has an id below 1";
    if (count > 0 && (first != 1 || last != count)) {
        std::int64_t missing = 1;
        if (first == 1)
            rc = queryInt(db,
                "SELECT r.id + 1 FROM records r WHERE NOT EXISTS (SELECT 1 FROM records s WHERE s.id = r.id + 1) "
                "ORDER BY r.id LIMIT 1",
                missing);
        if (rc != SQLITE_OK) return "its records cannot be read: " + sqliteMessage(db, rc);
        return "record " + std::to_string(missing) + " is missing (ids run from 1 without gaps; one was removed)";
    }

    // Shaped for speed (about half the time of NOT(... IN ...) on 1M rows);
    // the id is the rowid, always an integer.
    std::string sql = std::string(kSelect) + "WHERE ";
    for (const ColumnType& c : kColumns) {
        if (&c == &kColumns.front()) continue;
        const std::string differs = std::string("typeof(") + c.name + ") <> '" + typeName(c.type) + "'";
        if (&c != &kColumns[1]) sql += " OR ";
        sql += c.nullable ? "(" + std::string(c.name) + " IS NOT NULL AND " + differs + ")" : differs;
    }
    sql += " ORDER BY id LIMIT 1";
    sqlite3_stmt* st = nullptr;
    rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    std::optional<std::string> problem;
    if (rc == SQLITE_ROW)
        problem = rowProblem(st);
    else if (rc != SQLITE_DONE)
        problem = "its records cannot be read: " + sqliteMessage(db, rc);
    sqlite3_finalize(st);
    return problem;
}

/// Where SQLite opens `dataDir`'s ledger, `path` (dataDir/kFileName): the
/// data directory may be a symbolic link (resolved here, since
/// SQLITE_OPEN_NOFOLLOW refuses a link anywhere in the path), the ledger
/// itself may not, dangling or not: following it would read or create a
/// ledger outside the data directory.
Result<std::string> fileToOpen(const std::string& dataDir, const std::string& path)
{
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(path, ec)))
        return storage(path, "the ledger is a symbolic link; refusing to follow it (the link was left untouched)");
    const fs::path dir = fs::canonical(dataDir, ec);
    if (!ec) return (dir / Ledger::kFileName).string();
    // No directory, so no ledger: the caller says so in its own words.
    if (std::error_code missing; !fs::exists(dataDir, missing)) return path;
    return storage(dataDir, "cannot resolve the data directory: " + ec.message());
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

namespace {

/// Rows are written in chunks of about this many bytes: the export's memory
/// does not grow with the ledger.
constexpr std::size_t kCsvChunkBytes = std::size_t(1) << 16;

std::string randomSuffix()
{
    static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    thread_local std::mt19937_64 random(std::random_device {}());
    std::string suffix(6, '0');
    for (char& c : suffix)
        c = kChars[random() % (sizeof kChars - 1)];
    return suffix;
}

/// The export's file, replaced as one step: the CSV goes in chunks to a
/// temporary file beside it, ".NAME.tmp-XXXXXX", which is flushed to the disk
/// and then renamed over it, so that a crash or a failure leaves the old file
/// or the new one, never a part of either. The temporary is locked (flock)
/// from its creation until the rename: a later export recognises the
/// temporaries of killed exports by the lock nobody holds and removes them.
class CsvFile {
public:
    explicit CsvFile(std::string file)
        : m_file(std::move(file))
    {
    }
    ~CsvFile() { discard(); }
    CsvFile(const CsvFile&) = delete;
    CsvFile& operator=(const CsvFile&) = delete;

    /// Creates the temporary (removing stale ones first) and starts with the header.
    Status open();
    Status add(const LedgerRecord& record)
    {
        appendCsvRow(m_chunk, record);
        return m_chunk.size() >= kCsvChunkBytes ? flush() : Status(Ok {});
    }
    /// Writes the rest, flushes it to the disk and renames it over the file.
    Status commit();

private:
    Status flush();
    /// The failure of `step`, with the system's words; the temporary is removed.
    Status fail(const std::string& step);
    void discard();

    std::string m_file;
    fs::path m_tmp;
    std::string m_chunk;
#ifdef _WIN32
    HANDLE m_handle = INVALID_HANDLE_VALUE;
#else
    int m_fd = -1;
#endif
};

#ifdef _WIN32
std::string lastErrorText()
{
    return std::system_category().message(static_cast<int>(::GetLastError()));
}

// Windows: the temporary is opened without sharing, which is its lock; stale
// temporaries are not looked for.
Status CsvFile::open()
{
    const fs::path target(std::u8string(m_file.begin(), m_file.end()));
    for (int attempt = 0; attempt < 100 && m_handle == INVALID_HANDLE_VALUE; ++attempt) {
        const std::string suffix = randomSuffix();
        const fs::path tmp = target.parent_path()
            / (L"." + target.filename().wstring() + L".tmp-" + std::wstring(suffix.begin(), suffix.end()));
        m_handle = ::CreateFileW(tmp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
        if (m_handle != INVALID_HANDLE_VALUE)
            m_tmp = tmp;
        else if (::GetLastError() != ERROR_FILE_EXISTS)
            return storage(m_file, "cannot create a temporary file: " + lastErrorText());
    }
    if (m_handle == INVALID_HANDLE_VALUE) return storage(m_file, "cannot create a temporary file: all names taken");
    m_chunk.reserve(kCsvChunkBytes + 4096);
    m_chunk = kCsvHeader;
    return Ok {};
}

Status CsvFile::flush()
{
    for (std::size_t done = 0; done < m_chunk.size();) {
        const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(m_chunk.size() - done, 1u << 30));
        DWORD n = 0;
        if (!::WriteFile(m_handle, m_chunk.data() + done, chunk, &n, nullptr) || n == 0) return fail("write");
        done += n;
    }
    m_chunk.clear();
    return Ok {};
}

Status CsvFile::commit()
{
    if (auto written = flush(); !written) return written;
    if (!::FlushFileBuffers(m_handle)) return fail("flush");
    ::CloseHandle(std::exchange(m_handle, INVALID_HANDLE_VALUE));
    const fs::path target(std::u8string(m_file.begin(), m_file.end()));
    if (!::MoveFileExW(m_tmp.c_str(), target.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        return fail("rename");
    m_tmp.clear();
    return Ok {};
}

Status CsvFile::fail(const std::string& step)
{
    const std::string why = lastErrorText();
    discard();
    return storage(m_file, step + " failed: " + why);
}

void CsvFile::discard()
{
    if (m_handle != INVALID_HANDLE_VALUE) ::CloseHandle(std::exchange(m_handle, INVALID_HANDLE_VALUE));
    if (!m_tmp.empty()) ::DeleteFileW(m_tmp.c_str());
    m_tmp.clear();
}
#else
/// ".NAME.tmp-XXXXXX", as this program (and mkstemp before it) names its temporaries.
bool isTemporaryName(const std::string& name)
{
    constexpr std::string_view kTag = ".tmp-";
    constexpr std::size_t kSuffix = 6;
    if (name.size() < 2 + kTag.size() + kSuffix || name.front() != '.') return false;
    if (name.compare(name.size() - kSuffix - kTag.size(), kTag.size(), kTag) != 0) return false;
    return std::all_of(
        name.end() - kSuffix, name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

bool sameInode(const struct stat& a, const struct stat& b)
{
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/// Removes what killed exports to `dir` left behind: files named like a
/// temporary that are regular, are this user's, are locked by no export (a
/// live one holds its lock until the rename) and hold nothing but a beginning
/// of an export (so that another program's file of that shape is left alone).
void removeStaleTemporaries(const fs::path& dir)
{
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (!isTemporaryName(it->path().filename().string())) continue;
        const std::string path = it->path().string();
        // O_NONBLOCK: a FIFO of that name must not hang the export.
        const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) continue;
        struct stat opened {}, named {};
        char head[kCsvHeader.size()];
        ssize_t n = -1;
        if (::fstat(fd, &opened) == 0 && S_ISREG(opened.st_mode) && opened.st_uid == ::geteuid()
            && ::flock(fd, LOCK_EX | LOCK_NB) == 0)
            n = ::pread(fd, head, sizeof head, 0);
        if (n >= 0 && kCsvHeader.substr(0, std::size_t(n)) == std::string_view(head, std::size_t(n))
            && ::lstat(path.c_str(), &named) == 0 && sameInode(opened, named))
            ::unlink(path.c_str());
        ::close(fd);
    }
}

Status CsvFile::open()
{
    const fs::path target(m_file);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    removeStaleTemporaries(dir);
    for (int attempt = 0; attempt < 100 && m_fd < 0; ++attempt) {
        const fs::path tmp = dir / ("." + target.filename().string() + ".tmp-" + randomSuffix());
        // 0666 as for any new file: the kernel applies the umask (and a default ACL).
        const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno == EEXIST) continue;
        if (fd < 0) return storage(m_file, std::string("cannot create a temporary file: ") + std::strerror(errno));
        // Another export's cleanup may have removed it between the creation
        // and the lock: then the name no longer names it, and another is made.
        struct stat opened {}, named {};
        if (::flock(fd, LOCK_EX) == 0 && ::fstat(fd, &opened) == 0 && ::lstat(tmp.c_str(), &named) == 0
            && sameInode(opened, named)) {
            m_fd = fd;
            m_tmp = tmp;
        } else {
            ::close(fd);
        }
    }
    if (m_fd < 0) return storage(m_file, "cannot create a temporary file: all names taken");
    // Replacing a file keeps its mode, before anything is written: a 0600 export stays private.
    struct stat old {};
    if (::stat(m_file.c_str(), &old) == 0 && S_ISREG(old.st_mode) && ::fchmod(m_fd, old.st_mode & 0777) != 0)
        return fail("keeping the file's mode");
    m_chunk.reserve(kCsvChunkBytes + 4096);
    m_chunk = kCsvHeader;
    return Ok {};
}

Status CsvFile::flush()
{
    for (std::size_t done = 0; done < m_chunk.size();) {
        const ssize_t n = ::write(m_fd, m_chunk.data() + done, m_chunk.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("write");
        done += static_cast<std::size_t>(n);
    }
    m_chunk.clear();
    return Ok {};
}

Status CsvFile::commit()
{
    if (auto written = flush(); !written) return written;
    if (::fsync(m_fd) != 0) return fail("fsync");
    // Renamed while still locked: no cleanup can take a live export's file for a stale one.
    if (::rename(m_tmp.c_str(), m_file.c_str()) != 0) return fail("rename");
    m_tmp.clear();
    ::close(std::exchange(m_fd, -1)); // fsync has reported any write error already
    // Make the rename itself durable (best effort: some file systems refuse).
    const fs::path target(m_file);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return Ok {};
}

Status CsvFile::fail(const std::string& step)
{
    const std::string why = std::strerror(errno);
    discard();
    return storage(m_file, step + " failed: " + why);
}

void CsvFile::discard()
{
    if (!m_tmp.empty()) ::unlink(m_tmp.c_str());
    m_tmp.clear();
    if (m_fd >= 0) ::close(std::exchange(m_fd, -1));
}
#endif

} // namespace

} // namespace sc

// ---------------------------------------------------------------------------

namespace sc {

Result<std::unique_ptr<LedgerReader>> LedgerReader::open(const std::string& dataDir)
{
    const std::string path = (fs::path(dataDir) / Ledger::kFileName).string();
    std::error_code ec;
    const auto file = fileToOpen(dataDir, path);
    if (!file) return file.error();
    if (!fs::is_regular_file(path, ec)) return storage(path, "no audit ledger here");
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(file->c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, nullptr);
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
    // Every way of exporting (the command line, the window's Export button)
    // comes here: none may replace the ledger's own files.
    const std::string dataDir = fs::path(m_path).parent_path().string();
    if (auto allowed = checkOutputPath(file, "the audit export", dataDir.empty() ? "." : dataDir); !allowed)
        return allowed;
    // Row by row from one statement (one read transaction, one snapshot)
    // into the file's chunks: no row is kept once it is written.
    CsvFile csv(file);
    if (auto opened = csv.open(); !opened) return opened;
    const Status read = forEachRecord(m_db, m_path, {}, {}, 0, [&csv](LedgerRecord r) { return csv.add(r); });
    if (!read) return read;
    return csv.commit();
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
