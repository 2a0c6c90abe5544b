// The ledger's SQLite table: the schema, its statements and columns, and the
// helpers that run SQL and read rows. Internal to core/finance (the ledger,
// its reader, its open-time checks and its CSV export share them).
#pragma once

#include "core/base/result.h"
#include "core/finance/ledger.h"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <sqlite3.h>
#include <string>
#include <vector>

namespace sc::ledgerdb {

/// Errc::Storage, "<file>: <what>".
Error storage(const std::string& file, const std::string& what);
/// SQLite's message for `rc` on `db`, with the code's own words if they differ.
std::string sqliteMessage(sqlite3* db, int rc);
/// Runs a statement that returns no rows we need.
int exec(sqlite3* db, const char* sql);
/// Runs a one-row, one-column query. Returns the sqlite code; `out` gets the text.
int queryText(sqlite3* db, const char* sql, std::string& out);
std::string columnText(sqlite3_stmt* st, int col);
void bindText(sqlite3_stmt* st, int col, const std::string& s);

inline constexpr const char* kSchema = R"sql(
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

inline constexpr const char* kSelect = "SELECT id, time, kind, user, amount, result, error FROM records ";
inline constexpr const char* kInsert = "INSERT INTO records(time, kind, user, amount, result, error) VALUES(?, ?, ?, ?, ?, ?)";

/// The columns of kSelect, with the storage class each must have: a row of
/// another type (a text result, a real amount) is a damaged ledger, never read as 0.
struct ColumnType {
    const char* name;
    int type;
    bool nullable;
};
inline constexpr std::array<ColumnType, 7> kColumns {{{"id", SQLITE_INTEGER, false}, {"time", SQLITE_TEXT, false},
    {"kind", SQLITE_TEXT, false}, {"user", SQLITE_TEXT, false}, {"amount", SQLITE_INTEGER, false},
    {"result", SQLITE_INTEGER, true}, {"error", SQLITE_TEXT, true}}};

const char* typeName(int type);
/// What is wrong with the types of the row `st` stands on (a kSelect row), if anything.
std::optional<std::string> rowProblem(sqlite3_stmt* st);
/// The row `st` stands on (a kSelect row), or what is wrong with it.
Result<LedgerRecord> readRow(sqlite3_stmt* st, const std::string& path);

/// Hands each record `where` selects to `use`, in id order, one at a time;
/// `args` bind its '?'s in order. Stops at the first bad row or failing `use`.
/// One statement is one read transaction: the rows are one snapshot of the
/// ledger, whatever a writer commits meanwhile.
Status forEachRecord(sqlite3* db, const std::string& path, const std::string& where,
    const std::vector<std::string>& args, std::size_t limit, const std::function<Status(LedgerRecord)>& use);
/// The records `where` selects, in id order; `args` bind its '?'s in order.
Result<std::vector<LedgerRecord>> readRecords(sqlite3* db, const std::string& path, const std::string& where,
    const std::vector<std::string>& args, std::size_t limit = 0);

} // namespace sc::ledgerdb
