// The ledger's CSV export file (see ledgercsv.h).
#include "core/finance/ledgercsv.h"

#include "core/finance/ledgerdb.h"

#ifndef _WIN32
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <random>
#include <string_view>
#include <system_error>
#include <utility>

namespace fs = std::filesystem;

namespace sc::ledgerdb {

namespace {

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

} // namespace

Status CsvFile::add(const LedgerRecord& record)
{
    appendCsvRow(m_chunk, record);
    return m_chunk.size() >= kCsvChunkBytes ? flush() : Status(Ok {});
}

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
        // Appended, not prepended: GCC 12 warns (-Wrestrict, a false positive) on "." + std::string here.
        std::string name = ".";
        name += target.filename().string() + ".tmp-" + randomSuffix();
        const fs::path tmp = dir / name;
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

} // namespace sc::ledgerdb
