// What Ledger::open checks before it trusts a file: the schema and the
// stored records as this program made them, and where the file may be opened.
// Internal to core/finance.
#pragma once

#include "core/base/result.h"

#include <optional>
#include <sqlite3.h>
#include <string>

namespace sc::ledgerdb {

/// What is wrong with the file's table and triggers, or nothing: the records
/// table and both append-only triggers exactly as kSchema creates them, and no
/// other trigger (one could act on every insert). Other tables and indexes
/// are left to whoever added them.
std::optional<std::string> schemaProblem(sqlite3* db);
/// What is wrong with the stored records, or nothing: ids run from 1 without
/// a gap (a deleted record is noticed), and every row has its columns' types.
/// Two scans at most, both inside SQLite: count(*) and one pass of typeof().
std::optional<std::string> recordsProblem(sqlite3* db);
/// Where SQLite opens `dataDir`'s ledger, `path` (dataDir/kFileName): the
/// data directory may be a symbolic link (resolved here, since
/// SQLITE_OPEN_NOFOLLOW refuses a link anywhere in the path), the ledger
/// itself may not, dangling or not: following it would read or create a
/// ledger outside the data directory.
Result<std::string> fileToOpen(const std::string& dataDir, const std::string& path);

} // namespace sc::ledgerdb
