// Internal to core: the process record and the pieces of Runtime::Impl.
// Threading: fields under `mutex` are guarded by it; atomics are read by
// snapshots without it; `server` is touched only by the thread that owns
// the process's run (Run::Running).
#pragma once

#include "runtime.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace sc::detail {

/// Where a call's answer lands: filled once, by the reply or by the callee's death.
struct CallSlot {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::optional<Term> value;
    std::optional<Error> error;

    bool fill(Term v)
    {
        {
            std::lock_guard lock(mutex);
            if (done) return false;
            done = true;
            value = std::move(v);
        }
        cv.notify_all();
        return true;
    }
    bool fail(Error e)
    {
        {
            std::lock_guard lock(mutex);
            if (done) return false;
            done = true;
            error = std::move(e);
        }
        cv.notify_all();
        return true;
    }
};

struct Envelope {
    enum class Kind : std::uint8_t { Message, Cast, Call, Exit, Down, Timeout, Continue, Stop, Describe, Crash };
    Kind kind = Kind::Message;
    Term payload;
    Pid from = 0;
    ExitReason reason;
    std::uint64_t ref = 0; ///< Down: the monitor; Timeout: the idle-timeout generation
    std::shared_ptr<CallSlot> slot;
};

/// Someone watching a process: a process (gets a Down message) or a waiting call (its slot fails).
struct Watcher {
    MonitorRef ref = 0;
    Pid watcher = 0;
    std::shared_ptr<CallSlot> slot;
};

/// What a snapshot reads of a process, kept in a dense table so that a
/// snapshot of 100,000 processes is one linear pass over memory. Identity
/// fields (pid, parent, path) change under a seqlock (`version` odd while
/// written); the counters are plain atomics, current when read.
struct alignas(64) Slot {
    static constexpr std::size_t kPathWords = 16; ///< 128 bytes of path inline
    static constexpr std::size_t kRecentRestarts = 8;
    std::atomic<std::uint32_t> version {0};
    std::atomic<std::uint32_t> pathLength {0};
    std::atomic<Pid> pid {0}; ///< 0: free
    std::atomic<Pid> parent {0};
    std::atomic<std::uint32_t> mailbox {0};
    std::atomic<std::uint32_t> restarts {0};
    std::atomic<std::uint64_t> handled {0};
    std::atomic<ProcessStatus> status {ProcessStatus::Initializing};
    std::atomic<ProcessKind> kind {ProcessKind::Worker};
    std::atomic<Strategy> strategy {Strategy::OneForOne};
    std::atomic<std::uint64_t> path[kPathWords] {};
    // Supervisors only, last: a snapshot reads them for supervisors alone.
    std::atomic<std::uint32_t> intensity {0};
    std::atomic<std::uint32_t> periodMs {0};
    /// Newest first; written by the supervisor only.
    std::atomic<std::int64_t> recentRestartsNs[kRecentRestarts] {};
};

class SlotTable {
public:
    SlotTable() = default;
    ~SlotTable();
    SlotTable(const SlotTable&) = delete;
    SlotTable& operator=(const SlotTable&) = delete;

    Slot* acquire(Pid pid, Pid parent, const std::string& path, ProcessKind kind, std::uint32_t restarts);
    /// The process died: snapshots stop showing it at once.
    void vacate(Slot* slot);
    /// The process object is gone (no callback can touch the slot): reuse it.
    void release(Slot* slot);
    /// Fills `out` with every occupied slot (or just `only`), paths in `out`'s own storage.
    void read(Snapshot& out, const Slot* only = nullptr) const;
    std::size_t live() const { return m_live.load(std::memory_order_relaxed); }

private:
    static constexpr std::size_t kChunk = 1024;
    static constexpr std::size_t kMaxChunks = 16384;
    std::mutex m_mutex; ///< guards the free list and chunk creation
    std::vector<Slot*> m_free;
    std::atomic<Slot*> m_chunks[kMaxChunks] {};
    std::atomic<std::size_t> m_used {0}; ///< slots handed out at least once
    std::atomic<std::size_t> m_live {0};
};

class Process {
public:
    enum class Run : std::uint8_t { Idle, Queued, Running, Dead };

    Pid pid = 0;
    Pid parent = 0;
    std::shared_ptr<const std::string> path;
    std::unique_ptr<GenServer> server;

    std::mutex mutex;
    std::condition_variable cv; ///< a blocked receive waits here
    std::deque<Envelope> mailbox;
    Run run = Run::Running;
    bool waiting = false; ///< blocked in a selective receive
    bool startAnnounced = false;
    std::vector<Pid> links;
    std::vector<Watcher> watchers;
    std::shared_ptr<CallSlot> pendingCall; ///< the call this process is blocked in
    std::vector<std::string> names; ///< guarded by the registry's mutex

    std::atomic<bool> dead {false};
    std::atomic<bool> trapExit {false};
    Slot* stats = nullptr; ///< counters the snapshot reads; vacated at death
    SlotTable* slots = nullptr;

    ~Process()
    {
        if (stats) slots->release(stats);
    }
    std::uint64_t timeoutGeneration = 0; ///< owner thread only
};

/// Thrown inside a callback whose process was killed while it blocked; it
/// unwinds the stale callback, whose effects are void anyway.
struct ProcessKilled { };

} // namespace sc::detail
