// Writes the seed corpus of fuzz_ledger into the directory given as the only
// argument: real ledgers made with the Ledger API, damaged copies of them (the
// storage faults of docs/reliability.md), and SQLite files that are close to
// a ledger but not one. Run by hand when the ledger's format changes:
//   build/h-fuzz/tests/fuzz/fuzz_ledger_seeds tests/fuzz/corpus/ledger
#include "core/finance/ledger.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sqlite3.h>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

fs::path g_out;
fs::path g_work;

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeSeed(const std::string& name, const std::string& bytes)
{
    const fs::path path = g_out / (name + ".sqlite3");
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    std::printf("%s: %zu bytes\n", path.c_str(), bytes.size());
}

sc::LedgerRecord record(std::string kind, std::string user, std::int64_t amount, std::optional<std::int64_t> result,
    std::optional<std::string> error = std::nullopt)
{
    sc::LedgerRecord r;
    r.kind = std::move(kind);
    r.user = std::move(user);
    r.amount = sc::Money::fromMinorUnits(amount);
    if (result) r.result = sc::Money::fromMinorUnits(*result);
    r.error = std::move(error);
    return r;
}

void sql(sqlite3* db, const std::string& text)
{
    char* message = nullptr;
    if (sqlite3_exec(db, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string why = message ? message : "?";
        sqlite3_free(message);
        throw std::runtime_error(text + ": " + why);
    }
}

// A ledger written by the Ledger API; with `smallPages`, rewritten with
// 512-byte pages and a rollback journal, so that the fuzzer has fewer bytes
// to get through (Ledger::open switches it back to WAL).
std::string ledger(const std::string& name, const std::vector<sc::LedgerRecord>& records, bool smallPages = false)
{
    const fs::path dir = g_work / name;
    {
        auto opened = sc::Ledger::open(dir.string());
        if (!opened) throw std::runtime_error(opened.error().detail);
        for (const auto& r : records)
            if (auto id = (*opened)->append(r); !id) throw std::runtime_error(id.error().detail);
    } // closing checkpoints the WAL into the file
    const fs::path file = dir / sc::Ledger::kFileName;
    if (smallPages) {
        sqlite3* db = nullptr;
        sqlite3_open(file.c_str(), &db);
        sql(db, "PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;");
        sqlite3_close(db);
    }
    return readFile(file);
}

// An SQLite file made by `script` alone (512-byte pages, rollback journal).
std::string database(const std::string& name, const std::string& script)
{
    const fs::path file = g_work / (name + ".db");
    sqlite3* db = nullptr;
    sqlite3_open(file.c_str(), &db);
    sql(db, "PRAGMA page_size=512; PRAGMA journal_mode=DELETE;" + script);
    sqlite3_close(db);
    return readFile(file);
}

constexpr const char* kRecordsColumns
    = "id INTEGER PRIMARY KEY, time TEXT NOT NULL, kind TEXT NOT NULL, user TEXT NOT NULL, amount INTEGER NOT NULL, "
      "result INTEGER NULL, error TEXT NULL";

void writeAll()
{
    const std::int64_t max = std::numeric_limits<std::int64_t>::max();
    const std::int64_t min = std::numeric_limits<std::int64_t>::min();

    writeSeed("empty_ledger", ledger("empty", {}));
    const std::string donations = ledger("donations",
        {record("donation", "alice", 1000, 1000), record("donation", "bob", 250, 1250),
            record("donation", "alice", 5, 1255)});
    writeSeed("donations", donations);
    writeSeed("mixed_small_pages",
        ledger("mixed",
            {record("deposit", "alice", 10000, 10000), record("withdrawal", "alice", 2500, 7500),
                record("withdrawal", "alice", 99999, std::nullopt, "insufficient_funds"),
                record("zakat", "", 500000, 12500), record("pool_add", "carol", 1, 1),
                record("transaction", "dave,\"quoted\"\nline", 700, 700)},
            true));
    // The sum of the donations is beyond Money's range: summary() must say so.
    writeSeed("sum_overflow_small_pages",
        ledger("extremes",
            {record("donation", "max", max, std::nullopt), record("donation", "max", max, std::nullopt),
                record("refund", "min", min, 0)},
            true));

    // Storage faults on a real ledger.
    const std::string small = ledger("donations_small", {record("donation", "alice", 1000, 1000)}, true);
    writeSeed("one_donation_small_pages", small);
    writeSeed("truncated_header", small.substr(0, 100));
    writeSeed("truncated_half", small.substr(0, small.size() / 2));
    writeSeed("truncated_last_byte", small.substr(0, small.size() - 1));
    writeSeed("garbage_appended", small + std::string(700, '\xAB'));
    std::string flipped = small;
    flipped[small.size() - 100] = static_cast<char>(flipped[small.size() - 100] ^ 0x5A);
    flipped[600] = static_cast<char>(flipped[600] ^ 0xFF);
    writeSeed("bytes_flipped", flipped);
    std::string magic = small;
    magic[0] = 'X';
    writeSeed("bad_magic", magic);
    std::string newer = small;
    newer[63] = 2; // PRAGMA user_version, big-endian at offset 60
    writeSeed("schema_version_2", newer);
    std::string negative = small;
    negative[60] = negative[61] = negative[62] = '\xFF'; // user_version -256 + negative[63]
    writeSeed("schema_version_negative", negative);
    std::string pageSize = small;
    pageSize[16] = 0x03; // page size 768: not a power of two
    writeSeed("bad_page_size", pageSize);
    writeSeed(
        "not_a_database", "id,time,kind,user,amount,result,error\n1,2026-01-01T00:00:00.000Z,donation,a,1.00,,\n");
    writeSeed("zero_bytes", "");

    // SQLite files that are not ledgers, or pretend to be.
    writeSeed("other_database", database("other", "CREATE TABLE notes(text TEXT); INSERT INTO notes VALUES('hello');"));
    writeSeed("records_is_a_view",
        database("view",
            std::string("CREATE TABLE t(") + kRecordsColumns
                + "); INSERT INTO t VALUES(1, '2026-01-01T00:00:00.000Z', 'donation', 'alice', 100, 100, NULL);"
                  "CREATE VIEW records AS SELECT * FROM t; PRAGMA user_version=1;"));
    writeSeed("records_missing_column",
        database("missing",
            "CREATE TABLE records(id INTEGER PRIMARY KEY, time TEXT, kind TEXT, user TEXT, amount "
            "INTEGER); PRAGMA user_version=1;"));
    writeSeed("records_odd_types",
        database("types",
            std::string("CREATE TABLE records(") + "id INTEGER PRIMARY KEY, time, kind, user, amount, result, error"
                + "); INSERT INTO records VALUES(1, NULL, X'00FF', 3.5, 'ten', 1e300, 42);"
                  "INSERT INTO records VALUES(2, 'x', 'donation', 'u', 9223372036854775807, NULL, NULL);"
                  "INSERT INTO records VALUES(3, 'x', 'donation', 'u', 1, NULL, NULL);"
                  "PRAGMA user_version=1;"));
    writeSeed("version_1_without_records", database("bare", "CREATE TABLE x(a); PRAGMA user_version=1;"));
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
        return 2;
    }
    g_out = argv[1];
    std::string tmpl = (fs::temp_directory_path() / "sc-ledger-seeds-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
        std::perror("mkdtemp");
        return 1;
    }
    g_work = tmpl;
    int rc = 0;
    try {
        fs::create_directories(g_out);
        writeAll();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        rc = 1;
    }
    std::error_code ec;
    fs::remove_all(g_work, ec);
    return rc;
}
