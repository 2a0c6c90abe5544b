// The data directory's lock and its output-path checks (datadir.h).
#include "core/finance/datadir.h"

#include "core/finance/ledger.h"

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

namespace fs = std::filesystem;

namespace sc {

namespace {

std::string lockPath(const std::string& dataDir)
{
    return (fs::path(dataDir) / kDataDirLockName).string();
}

Error inUse(const std::string& dataDir, const std::string& ownerText)
{
    std::string owner;
    for (char c : ownerText)
        if (std::isdigit(static_cast<unsigned char>(c))) owner += c;
    owner = owner.substr(0, 18); // a pid, not whatever a hostile file holds: fits an int64
    return Error {Errc::InUse,
        dataDir + ": the data directory is in use by another Supervision Console"
            + (owner.empty() ? std::string() : " (process " + owner + ")")
            + "; close it, or choose another directory with --data-dir",
        owner.empty() ? 0 : Pid(std::stoull(owner))};
}

#ifdef _WIN32
// Locked far beyond the pid text, so that a second instance can still read it.
constexpr DWORD kLockOffset = 1u << 30;
#endif

} // namespace

// -- DataDirLock --

Result<DataDirLock> DataDirLock::acquire(const std::string& dataDir)
{
    std::error_code ec;
    fs::create_directories(dataDir, ec);
    if (ec) return Error {Errc::Storage, dataDir + ": cannot create the data directory: " + ec.message()};
    if (!fs::is_directory(dataDir, ec)) return Error {Errc::Storage, dataDir + ": not a directory"};
    const std::string file = lockPath(dataDir);
    if (fs::is_symlink(fs::symlink_status(file, ec)))
        return Error {Errc::Storage, file + ": the lock file is a symbolic link; remove it"};

    DataDirLock lock;
    lock.m_dir = dataDir;
#ifdef _WIN32
    const fs::path wide(std::u8string(file.begin(), file.end()));
    HANDLE h = ::CreateFileW(wide.c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
        OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE)
        return Error {Errc::Storage,
            file + ": cannot open the lock file: " + std::system_category().message(int(::GetLastError()))};
    OVERLAPPED at {};
    at.Offset = kLockOffset;
    if (!::LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &at)) {
        char text[32] = {};
        DWORD n = 0;
        ::ReadFile(h, text, sizeof text - 1, &n, nullptr);
        ::CloseHandle(h);
        return inUse(dataDir, std::string(text, n));
    }
    lock.m_handle = h;
    const std::string pid = std::to_string(::GetCurrentProcessId()) + "\n";
    ::SetFilePointer(h, 0, nullptr, FILE_BEGIN);
    ::SetEndOfFile(h);
    DWORD written = 0;
    ::WriteFile(h, pid.data(), DWORD(pid.size()), &written, nullptr);
#else
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return Error {Errc::Storage, file + ": cannot open the lock file: " + std::strerror(errno)};
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int why = errno;
        char text[32] = {};
        const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
        ::close(fd);
        if (why == EWOULDBLOCK) return inUse(dataDir, std::string(text, n > 0 ? std::size_t(n) : 0));
        return Error {Errc::Storage, file + ": cannot lock: " + std::strerror(why)};
    }
    lock.m_fd = fd;
    // The pid is for people only; a failure to write it does not matter.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, pid.data(), pid.size(), 0);
#endif
    return lock;
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept
{
    *this = std::move(other);
}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept
{
    if (this == &other) return *this;
    release();
    m_dir = std::move(other.m_dir);
#ifdef _WIN32
    m_handle = std::exchange(other.m_handle, nullptr);
#else
    m_fd = std::exchange(other.m_fd, -1);
#endif
    return *this;
}

DataDirLock::~DataDirLock()
{
    release();
}

bool DataDirLock::held() const
{
#ifdef _WIN32
    return m_handle != nullptr;
#else
    return m_fd >= 0;
#endif
}

void DataDirLock::release()
{
    // The file stays: removing it would race with an instance that has just
    // opened it and is about to lock it.
#ifdef _WIN32
    if (m_handle) {
        OVERLAPPED at {};
        at.Offset = kLockOffset;
        ::UnlockFileEx(m_handle, 0, 1, 0, &at);
        ::CloseHandle(m_handle);
        m_handle = nullptr;
    }
#else
    if (m_fd >= 0) {
        ::close(m_fd); // drops the flock
        m_fd = -1;
    }
#endif
}

// -- outputs --

std::vector<std::string> protectedDataFiles(const std::string& dataDir)
{
    const std::string ledger = (fs::path(dataDir) / Ledger::kFileName).string();
    return {ledger, ledger + "-wal", ledger + "-shm", ledger + "-journal", lockPath(dataDir)};
}

namespace {

/// Where writing to `path` would land: dangling symlinks followed (up to a
/// bound, as the kernel does), so that the link's target is what is compared.
fs::path landing(fs::path path)
{
    std::error_code ec;
    for (int hops = 0; hops < 40; ++hops) {
        const auto st = fs::symlink_status(path, ec);
        if (ec || !fs::is_symlink(st)) break;
        if (fs::exists(path, ec)) break; // a live link: fs::equivalent follows it
        const fs::path target = fs::read_symlink(path, ec);
        if (ec) break;
        path = target.is_absolute() ? target : path.parent_path() / target;
    }
    return path;
}

bool sameName(const fs::path& a, const fs::path& b)
{
#if defined(_WIN32) || defined(__APPLE__)
    // The usual file systems there ignore case.
    const std::string x = a.string(), y = b.string();
    return std::equal(x.begin(), x.end(), y.begin(), y.end(),
        [](char p, char q) { return std::tolower(static_cast<unsigned char>(p)) == std::tolower(static_cast<unsigned char>(q)); });
#else
    return a == b;
#endif
}

} // namespace

bool sameFile(const std::string& a, const std::string& b)
{
    if (a.empty() || b.empty()) return false;
    const fs::path pa = landing(fs::path(a)), pb = landing(fs::path(b));
    std::error_code ec;
    const bool ea = fs::exists(pa, ec), eb = fs::exists(pb, ec);
    if (ea && eb) return fs::equivalent(pa, pb, ec) && !ec;
    if (ea != eb) return false;
    // Neither exists yet: the same name in the same directory.
    const fs::path da = pa.has_parent_path() ? pa.parent_path() : fs::path("."),
                   db = pb.has_parent_path() ? pb.parent_path() : fs::path(".");
    if (!sameName(pa.filename(), pb.filename())) return false;
    if (fs::exists(da, ec) && fs::exists(db, ec)) return fs::equivalent(da, db, ec) && !ec;
    return fs::weakly_canonical(da, ec) == fs::weakly_canonical(db, ec);
}

Status checkOutputPath(
    const std::string& output, const std::string& what, const std::string& dataDir, const std::vector<std::string>& inputs)
{
    auto refuse = [&](const std::string& file, const std::string& role) -> Status {
        return Error {Errc::BadArgument,
            output + ": refusing to write " + what + " there: it is " + role + " (" + file + ")"};
    };
    if (!dataDir.empty()) {
        const std::string lock = lockPath(dataDir);
        for (const std::string& file : protectedDataFiles(dataDir))
            if (sameFile(output, file))
                return refuse(file,
                    file == lock ? "the data directory's lock file" : "a file of the data directory's audit ledger");
    }
    for (const std::string& file : inputs)
        if (sameFile(output, file)) return refuse(file, "an input of this run");
    return Ok {};
}

} // namespace sc
