// Shared helpers for the core test binaries (header only, included by each
// tst_*.cpp). Threading: Journal and Gate are written from process callbacks
// on runtime workers and read by the test thread; EventLog belongs to the
// test thread that created it.
#pragma once

#include "core/runtime/events.h"
#include "core/base/exitreason.h"
#include "core/finance/money.h"
#include "core/base/result.h"
#include "core/runtime/runtime.h"
#include "core/supervision/supervisor.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QtGlobal>
#include <algorithm>
#include <any>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

// Readable QCOMPARE failures for the runtime's value types (found by ADL).
namespace sc {
inline char* toString(Errc code)
{
    return qstrdup(errcName(code));
}
inline char* toString(const ExitReason& reason)
{
    return qstrdup(reason.toString().c_str());
}
} // namespace sc

namespace sctest {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// How long a test waits for something that should happen "soon". Generous,
/// so the suite passes on a loaded two-core machine; a passing run never
/// waits this long.
inline constexpr std::chrono::milliseconds kLong = 20s;

inline QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

inline QStringList qsl(const std::vector<std::string>& v)
{
    QStringList out;
    for (const auto& s : v)
        out << qs(s);
    return out;
}

/// A string message (std::any must not hold a char pointer).
inline sc::Term msg(const char* text)
{
    return sc::Term(std::string(text));
}

inline std::string textOf(const sc::Term& t)
{
    if (const auto* s = std::any_cast<std::string>(&t)) return *s;
    return {};
}

inline int intOf(const sc::Term& t, int fallback = -1)
{
    if (const auto* i = std::any_cast<int>(&t)) return *i;
    return fallback;
}

/// A thread-safe list of what the helper processes saw, in order, that the
/// test thread can wait on.
class Journal {
public:
    void add(std::string item)
    {
        {
            std::lock_guard lock(m_mutex);
            m_items.push_back(std::move(item));
        }
        m_cv.notify_all();
    }
    std::vector<std::string> items() const
    {
        std::lock_guard lock(m_mutex);
        return m_items;
    }
    int count(const std::string& item) const
    {
        std::lock_guard lock(m_mutex);
        return int(std::count(m_items.begin(), m_items.end(), item));
    }
    bool contains(const std::string& item) const { return count(item) > 0; }
    /// Position of the first `item`, or -1.
    int indexOf(const std::string& item) const
    {
        std::lock_guard lock(m_mutex);
        auto it = std::find(m_items.begin(), m_items.end(), item);
        return it == m_items.end() ? -1 : int(it - m_items.begin());
    }
    bool waitFor(const std::function<bool(const std::vector<std::string>&)>& pred,
        std::chrono::milliseconds timeout = kLong) const
    {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, timeout, [&] { return pred(m_items); });
    }
    bool waitForItem(const std::string& item, std::chrono::milliseconds timeout = kLong) const
    {
        return waitFor(
            [&](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), item) != v.end(); }, timeout);
    }
    bool waitForCount(const std::string& item, int n, std::chrono::milliseconds timeout = kLong) const
    {
        return waitFor(
            [&](const std::vector<std::string>& v) { return std::count(v.begin(), v.end(), item) >= n; }, timeout);
    }

private:
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_cv;
    std::vector<std::string> m_items;
};

/// A one-shot latch. A callback blocked on a gate is the "handler stuck for
/// seconds" the runtime must cope with; the cap keeps a failing test from
/// hanging for ever.
class Gate {
public:
    void open()
    {
        {
            std::lock_guard lock(m_mutex);
            m_open = true;
        }
        m_cv.notify_all();
    }
    bool isOpen() const
    {
        std::lock_guard lock(m_mutex);
        return m_open;
    }
    /// True if the gate opened before the timeout.
    bool wait(std::chrono::milliseconds timeout = 30s) const
    {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, timeout, [&] { return m_open; });
    }

private:
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_cv;
    bool m_open = false;
};

/// Opens a gate when the test function leaves, so that a failing test does
/// not leave a callback blocked while the Runtime's destructor joins it.
/// Declare it after the Runtime.
struct OpenOnExit {
    std::shared_ptr<Gate> gate;
    ~OpenOnExit()
    {
        if (gate) gate->open();
    }
};

/// "start root/a" / "exit root/a killed": the lifecycle line used to compare
/// orders with what OTP does.
inline std::string lifecycleLine(const sc::Event& e)
{
    if (e.kind == sc::EventKind::Start) return "start " + e.path;
    if (e.kind == sc::EventKind::Exit) return "exit " + e.path + " " + e.reason;
    return {};
}

/// Collects the runtime's event stream on the test thread. Waiting is done
/// with Subscription::waitAndDrain until a predicate holds or a deadline
/// passes: never a fixed sleep.
class EventLog {
public:
    explicit EventLog(sc::Runtime& rt)
        : m_rt(rt)
        , m_sub(rt.events().subscribe())
    {
    }
    ~EventLog() { m_rt.events().unsubscribe(m_sub); }
    EventLog(const EventLog&) = delete;
    EventLog& operator=(const EventLog&) = delete;

    /// Everything received so far (drains first).
    const std::vector<sc::Event>& events()
    {
        pump();
        return m_events;
    }
    /// Forget what was received so far (the next waits look at new events only).
    void clear()
    {
        pump();
        m_events.clear();
    }
    bool waitUntil(
        const std::function<bool(const std::vector<sc::Event>&)>& pred, std::chrono::milliseconds timeout = kLong)
    {
        const auto deadline = Clock::now() + timeout;
        pump();
        while (!pred(m_events)) {
            const auto now = Clock::now();
            if (now >= deadline) return false;
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + 1ms;
            for (auto& e : m_sub->waitAndDrain(left))
                m_events.push_back(std::move(e));
        }
        return true;
    }
    /// Lets the clock pass `d` while draining events: a condition wait on a
    /// deadline, for tests whose subject is time (a restart window).
    void drainFor(std::chrono::milliseconds d)
    {
        const auto deadline = Clock::now() + d;
        waitUntil([&](const std::vector<sc::Event>&) { return Clock::now() >= deadline; }, d + 1s);
    }
    /// Start and Exit events as lines, in order, optionally only those whose
    /// path starts with `prefix`.
    std::vector<std::string> lifecycle(const std::string& prefix = {})
    {
        pump();
        std::vector<std::string> out;
        for (const auto& e : m_events) {
            if (e.kind != sc::EventKind::Start && e.kind != sc::EventKind::Exit) continue;
            if (!prefix.empty() && e.path.rfind(prefix, 0) != 0) continue;
            out.push_back(lifecycleLine(e));
        }
        return out;
    }
    bool waitLifecycleCount(std::size_t n, std::chrono::milliseconds timeout = kLong)
    {
        return waitUntil(
            [&](const std::vector<sc::Event>& v) {
                return std::size_t(std::count_if(v.begin(), v.end(), [](const sc::Event& e) {
                    return e.kind == sc::EventKind::Start || e.kind == sc::EventKind::Exit;
                })) >= n;
            },
            timeout);
    }
    bool waitForLine(const std::string& line, std::chrono::milliseconds timeout = kLong)
    {
        return waitUntil(
            [&](const std::vector<sc::Event>& v) {
                return std::any_of(v.begin(), v.end(), [&](const sc::Event& e) { return lifecycleLine(e) == line; });
            },
            timeout);
    }
    bool waitForKind(sc::EventKind kind, const std::string& path, std::chrono::milliseconds timeout = kLong)
    {
        return waitUntil(
            [&](const std::vector<sc::Event>& v) {
                return std::any_of(
                    v.begin(), v.end(), [&](const sc::Event& e) { return e.kind == kind && e.path == path; });
            },
            timeout);
    }
    /// The first event of `kind` at `path`, if any.
    const sc::Event* find(sc::EventKind kind, const std::string& path)
    {
        pump();
        for (const auto& e : m_events)
            if (e.kind == kind && e.path == path) return &e;
        return nullptr;
    }
    int countKind(sc::EventKind kind, const std::string& path = {})
    {
        pump();
        return int(std::count_if(m_events.begin(), m_events.end(),
            [&](const sc::Event& e) { return e.kind == kind && (path.empty() || e.path == path); }));
    }

private:
    void pump()
    {
        for (auto& e : m_sub->drain())
            m_events.push_back(std::move(e));
    }
    sc::Runtime& m_rt;
    std::shared_ptr<sc::Subscription> m_sub;
    std::vector<sc::Event> m_events;
};

/// A full disk, made honestly even as root: while it lives, every write by
/// this process to a regular file at an offset past `bytes` fails with EFBIG
/// (SIGXFSZ ignored), exactly as a full disk fails writes with ENOSPC.
/// lift() (or the destructor, if a check failed first) restores the old limit
/// and signal disposition. Nothing should be printed while it is active: a
/// log written to a file would be cut too.
class FileSizeLimit {
public:
    explicit FileSizeLimit(std::uint64_t bytes)
    {
        m_active = ::getrlimit(RLIMIT_FSIZE, &m_old) == 0;
        m_oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit full = m_old;
        full.rlim_cur = rlim_t(bytes);
        m_active = m_active && ::setrlimit(RLIMIT_FSIZE, &full) == 0;
    }
    ~FileSizeLimit() { lift(); }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;

    /// False if the limit could not be set (then nothing is limited).
    bool active() const { return m_active; }
    /// True if the old limit is back.
    bool lift()
    {
        if (m_lifted) return m_restored;
        m_lifted = true;
        m_restored = ::setrlimit(RLIMIT_FSIZE, &m_old) == 0;
        std::signal(SIGXFSZ, m_oldHandler);
        return m_restored;
    }

private:
    rlimit m_old {};
    void (*m_oldHandler)(int) = SIG_DFL;
    bool m_active = false;
    bool m_lifted = false;
    bool m_restored = false;
};

/// A directory made read-only for everyone, root included: bind-mounted onto
/// itself and remounted read-only (permission bits do not stop root). Needs
/// CAP_SYS_ADMIN; without it (or as a user) falls back to chmod 0555, which
/// binds everyone but root. active() says whether the directory is read-only
/// for this process now. The destructor undoes it.
class ReadOnlyDirectory {
public:
    explicit ReadOnlyDirectory(std::string dir)
        : m_dir(std::move(dir))
    {
        if (::geteuid() == 0) {
            m_mounted = ::mount(m_dir.c_str(), m_dir.c_str(), nullptr, MS_BIND, nullptr) == 0;
            if (m_mounted && ::mount(nullptr, m_dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0)
                release();
        } else {
            m_chmodded = ::chmod(m_dir.c_str(), 0555) == 0;
        }
    }
    ~ReadOnlyDirectory() { release(); }
    ReadOnlyDirectory(const ReadOnlyDirectory&) = delete;
    ReadOnlyDirectory& operator=(const ReadOnlyDirectory&) = delete;

    bool active() const { return m_mounted || m_chmodded; }
    /// How it was made read-only, for the test's log.
    const char* how() const { return m_mounted ? "a read-only bind mount" : "chmod 0555"; }

    void release()
    {
        if (m_mounted) ::umount2(m_dir.c_str(), MNT_DETACH);
        if (m_chmodded) ::chmod(m_dir.c_str(), 0755);
        m_mounted = m_chmodded = false;
    }

private:
    std::string m_dir;
    bool m_mounted = false;
    bool m_chmodded = false;
};

/// A copy of one live process's snapshot row, or nullopt if it is not alive.
/// The copy's path is left empty (a row's path points into its snapshot);
/// use pathOf for it.
inline std::optional<sc::ProcessInfo> rowOf(const sc::Runtime& rt, sc::Pid pid)
{
    const sc::Snapshot snap = rt.info(pid);
    const sc::ProcessInfo* p = snap.find(pid);
    if (!p) return std::nullopt;
    sc::ProcessInfo row = *p;
    row.path = {};
    return row;
}

inline std::string pathOf(const sc::Runtime& rt, sc::Pid pid)
{
    const sc::Snapshot snap = rt.info(pid);
    const sc::ProcessInfo* p = snap.find(pid);
    return p ? std::string(p->path) : std::string();
}

/// The pid of a supervisor's child by id (0 if not listed or not running).
inline sc::Pid childPid(sc::Runtime& rt, sc::Pid sup, const std::string& id)
{
    auto children = sc::whichChildren(rt, sup);
    if (!children) return 0;
    for (const auto& c : *children)
        if (c.id == id) return c.pid;
    return 0;
}

/// Follows ids down a tree: pidAt(rt, root, "mid/leaf/w1").
inline sc::Pid pidAt(sc::Runtime& rt, sc::Pid root, const std::string& relPath)
{
    sc::Pid cur = root;
    std::size_t pos = 0;
    while (cur && pos <= relPath.size()) {
        auto slash = relPath.find('/', pos);
        auto id = relPath.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
        cur = childPid(rt, cur, id);
        if (slash == std::string::npos) break;
        pos = slash + 1;
    }
    return cur;
}

} // namespace sctest

// QCOMPARE prints Money as "250.00"; data tables may carry it.
namespace sc {
inline char* toString(const Money& m)
{
    return qstrdup(m.toString().c_str());
}
} // namespace sc

Q_DECLARE_METATYPE(sc::Money)
Q_DECLARE_METATYPE(sc::Errc)
