// LedgerReader: a read-only connection to a data directory's ledger (the
// reporting database, the window's audit table, the export).
#include "core/finance/ledger.h"

#include "core/finance/datadir.h"
#include "core/finance/ledgercheck.h"
#include "core/finance/ledgercsv.h"
#include "core/finance/ledgerdb.h"

#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace sc {

using namespace ledgerdb;

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
