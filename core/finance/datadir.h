// The data directory's edges: one owner at a time, and outputs that can
// never name the files the owner keeps there.
//
// Threading: DataDirLock is owned by one thread at a time (it is moved, not
// shared); the free functions are pure apart from reading the file system.
#pragma once

#include "core/base/result.h"

#include <string>
#include <vector>

namespace sc {

/// The lock file's name inside a data directory.
inline constexpr const char* kDataDirLockName = "supervision-console.lock";

/// The exclusive claim of one running instance on a data directory: an
/// advisory lock (flock on POSIX, LockFileEx on Windows) on
/// `DIR/supervision-console.lock`, held for as long as the object lives and
/// released by the operating system if the process dies, SIGKILL included.
/// The file holds the owner's process id, for the refusal message.
class DataDirLock {
public:
    /// Creates the directory if missing, then takes the lock without waiting.
    /// Errc::InUse if another instance (or another lock in this process)
    /// holds it: the detail names the directory and the owner's process,
    /// whose operating-system process id is the error's `owner` (0 if the
    /// lock file does not say);
    /// Errc::Storage if the directory or the lock file cannot be made (the
    /// lock file a symlink, say).
    static Result<DataDirLock> acquire(const std::string& dataDir);

    DataDirLock() = default;
    DataDirLock(DataDirLock&& other) noexcept;
    DataDirLock& operator=(DataDirLock&& other) noexcept;
    DataDirLock(const DataDirLock&) = delete;
    DataDirLock& operator=(const DataDirLock&) = delete;
    ~DataDirLock();

    bool held() const;
    const std::string& dataDir() const { return m_dir; }
    /// Releases the lock now (the destructor does it otherwise).
    void release();

private:
    std::string m_dir;
#ifdef _WIN32
    void* m_handle = nullptr;
#else
    int m_fd = -1;
#endif
};

/// The files of a data directory that no output may replace: the ledger, its
/// side files (-wal, -shm, -journal) and the lock file.
std::vector<std::string> protectedDataFiles(const std::string& dataDir);

/// True if `a` and `b` name the same file, by device and inode (file id on
/// Windows), not by spelling: through symlinks, `..` and hard links. A path
/// that does not exist yet is the same as another if both would be created
/// as the same name in the same directory.
bool sameFile(const std::string& a, const std::string& b);

/// Ok if an output of the program (--trace, --export-audit) may be written
/// to `output`; else Errc::BadArgument naming `what` ("the trace") and the
/// file it would replace: any of protectedDataFiles(dataDir) (dataDir may be
/// empty: none) or of `inputs` (the scenario file, say).
Status checkOutputPath(const std::string& output, const std::string& what, const std::string& dataDir,
    const std::vector<std::string>& inputs = {});

} // namespace sc
