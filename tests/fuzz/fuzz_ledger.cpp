// Fuzz target: the ledger reader. The input is written as ledger.sqlite3 in a
// data directory of this process's own (under /dev/shm when there is one),
// then read the ways the app reads a ledger: LedgerReader (after, summary,
// exportCsv) and Ledger::open (all, count, accepted, then one append).
//
// Nothing may crash. Properties checked (a violation aborts):
// - every failure is Errc::Storage with a detail naming the file;
// - a file Ledger::open refuses is byte for byte what it was: "such a file
//   is never written to" (core/ledger.h);
// - LedgerReader never writes, whatever the file: same bytes after it;
// - all() and count() agree.
//
// The seed corpus is written by ledger_seeds.cpp.
#include "core/finance/ledger.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

// A failed property names itself, then aborts: libFuzzer and the replay test see a crash.
#define FUZZ_CHECK(condition)                                                                                          \
    ((condition)                                                                                                       \
            ? void(0)                                                                                                  \
            : (std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #condition), std::abort()))

// The per-process data directory, made once and removed at exit. Never
// destroyed, so that the exit handler can still read it after static
// destructors have run.
const fs::path& dataDir()
{
    static const fs::path* dir = [] {
        std::error_code ec;
        const fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
        std::string tmpl = (base / "sc-fuzz-ledger-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) {
            std::perror("mkdtemp");
            std::abort();
        }
        return new fs::path(tmpl);
    }();
    static const bool removedAtExit = [] {
        return std::atexit([] {
            std::error_code ignored;
            fs::remove_all(*dir, ignored);
        }) == 0;
    }();
    (void)removedAtExit;
    return *dir;
}

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeFile(const fs::path& path, std::string_view bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    FUZZ_CHECK(out.good());
}

// Leaves the data directory empty: no -wal, -shm or CSV of the last input.
void clearDir(const fs::path& dir)
{
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        fs::remove_all(entry.path(), ec);
}

void checkError(const sc::Error& e, const std::string& dir)
{
    FUZZ_CHECK(e.code == sc::Errc::Storage);
    FUZZ_CHECK(e.detail.find(dir) != std::string::npos);
}

void readWithReader(const std::string& dir)
{
    auto reader = sc::LedgerReader::open(dir);
    if (!reader) {
        checkError(reader.error(), dir);
        return;
    }
    auto all = (*reader)->after(0);
    if (!all) checkError(all.error(), dir);
    if (all && !all->empty()) {
        // Paging from the middle, as the GUI's audit table does.
        const auto middle = (*all)[all->size() / 2].id;
        auto rest = (*reader)->after(middle, 2);
        if (!rest)
            checkError(rest.error(), dir);
        else
            FUZZ_CHECK(rest->size() <= 2);
    }
    auto summary = (*reader)->summary();
    if (!summary) checkError(summary.error(), dir);
    const auto csv = (*reader)->exportCsv((fs::path(dir) / "export.csv").string());
    if (!csv.ok()) checkError(csv.error(), dir);
}

void readWithLedger(const std::string& dir, std::string_view bytes)
{
    const fs::path file = fs::path(dir) / sc::Ledger::kFileName;
    auto ledger = sc::Ledger::open(dir);
    if (!ledger) {
        checkError(ledger.error(), dir);
        FUZZ_CHECK(readFile(file) == bytes);
        return;
    }
    auto all = (*ledger)->all();
    if (!all) checkError(all.error(), dir);
    auto count = (*ledger)->count();
    if (!count) checkError(count.error(), dir);
    if (all && count) FUZZ_CHECK(std::int64_t(all->size()) == *count);
    auto accepted = (*ledger)->accepted({"donation", "withdrawal"}, std::string("alice"));
    if (!accepted) checkError(accepted.error(), dir);

    sc::LedgerRecord record;
    record.kind = "donation";
    record.user = "fuzz";
    record.amount = sc::Money::fromMinorUnits(100);
    auto id = (*ledger)->append(record);
    if (!id) checkError(id.error(), dir);

    // A reader beside the open writer, as the reporting process reads.
    readWithReader(dir);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const fs::path& dir = dataDir();
    const fs::path file = dir / sc::Ledger::kFileName;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    clearDir(dir);
    writeFile(file, bytes);

    readWithReader(dir.string());
    FUZZ_CHECK(readFile(file) == bytes);
    clearDir(dir);
    writeFile(file, bytes);
    readWithLedger(dir.string(), bytes);
    clearDir(dir);
    return 0;
}
