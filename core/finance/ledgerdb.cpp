// The ledger's SQLite table: running SQL and reading rows (see ledgerdb.h).
#include "core/finance/ledgerdb.h"

#include "core/finance/money.h"

namespace sc::ledgerdb {

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

int exec(sqlite3* db, const char* sql)
{
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
}

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

Result<std::vector<LedgerRecord>> readRecords(sqlite3* db, const std::string& path, const std::string& where,
    const std::vector<std::string>& args, std::size_t limit)
{
    std::vector<LedgerRecord> rows;
    const Status read = forEachRecord(db, path, where, args, limit, [&rows](LedgerRecord r) -> Status {
        rows.push_back(std::move(r));
        return Ok {};
    });
    if (!read) return read.error();
    return rows;
}

} // namespace sc::ledgerdb
