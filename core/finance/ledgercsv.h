// The ledger's CSV export file: rows as CSV cells, written to a locked
// temporary that replaces the target in one rename. Internal to core/finance.
#pragma once

#include "core/base/result.h"
#include "core/finance/ledger.h"

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#endif

#include <filesystem>
#include <string>

namespace sc::ledgerdb {

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
    Status add(const LedgerRecord& record);
    /// Writes the rest, flushes it to the disk and renames it over the file.
    Status commit();

private:
    Status flush();
    /// The failure of `step`, with the system's words; the temporary is removed.
    Status fail(const std::string& step);
    void discard();

    std::string m_file;
    std::filesystem::path m_tmp;
    std::string m_chunk;
#ifdef _WIN32
    HANDLE m_handle = INVALID_HANDLE_VALUE;
#else
    int m_fd = -1;
#endif
};

} // namespace sc::ledgerdb
