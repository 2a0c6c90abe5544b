// Internal to core: the process record and the pieces of Runtime::Impl.
// Threading: fields under `mutex` are guarded by it; atomics are read by
// snapshots without it; `server` is touched only by the thread that owns
// the process's run (Run::Running).
#pragma once

#include "core/runtime/runtime.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

namespace sc::detail {

/// A mutex in one int: taking and giving it back are one atomic
/// instruction each when no one else wants it (glibc's pthread mutex runs
/// about 55 instructions for the pair, and a message takes five pairs).
/// A contender spins briefly, then sleeps on the int (std::atomic::wait: a
/// futex on Linux).
class Lock {
public:
    void lock() noexcept
    {
        int expected = 0;
        if (!m_state.compare_exchange_strong(expected, 1, std::memory_order_acquire, std::memory_order_relaxed))
            lockSlow();
    }
    bool try_lock() noexcept
    {
        int expected = 0;
        return m_state.compare_exchange_strong(expected, 1, std::memory_order_acquire, std::memory_order_relaxed);
    }
    void unlock() noexcept
    {
        if (m_state.exchange(0, std::memory_order_release) == 2) m_state.notify_one();
    }

private:
    void lockSlow() noexcept
    {
        for (int i = 0; i < 100; ++i) {
            if (m_state.load(std::memory_order_relaxed) == 0 && try_lock()) return;
        }
        // 2: held, and someone may be asleep on it; its unlock wakes one.
        while (m_state.exchange(2, std::memory_order_acquire) != 0)
            m_state.wait(2, std::memory_order_relaxed);
    }

    std::atomic<int> m_state {0}; ///< 0 free, 1 held, 2 held with sleepers
};

/// A queue that can also take one at the front, in small blocks of storage
/// linked in order. It allocates nothing until the first message (a
/// million idle processes cost no blocks), then keeps its last block when
/// it empties, so that a process exchanging messages allocates nothing per
/// message; a flood's other blocks go back as they are drained.
template <typename T> class Chain {
public:
    Chain() = default;
    Chain(const Chain&) = delete;
    Chain& operator=(const Chain&) = delete;
    ~Chain()
    {
        clear();
        delete m_first;
    }

    bool empty() const { return m_size == 0; }
    std::size_t size() const { return m_size; }
    T& front() { return m_first->items()[m_head]; }

    void push_back(T&& v)
    {
        if (!m_last || m_tail == kBlock) {
            Block* b = new Block;
            if (m_last)
                m_last->next = b;
            else
                m_first = b, m_head = 0;
            m_last = b;
            m_tail = 0;
        }
        new (&m_last->items()[m_tail++]) T(std::move(v));
        ++m_size;
    }
    void push_front(T&& v)
    {
        if (m_size == 0) {
            push_back(std::move(v));
            return;
        }
        if (m_head == 0) {
            Block* b = new Block;
            b->next = m_first;
            m_first = b;
            m_head = kBlock;
        }
        new (&m_first->items()[--m_head]) T(std::move(v));
        ++m_size;
    }
    void pop_front()
    {
        m_first->items()[m_head++].~T();
        --m_size;
        if (m_size == 0) {
            m_head = m_tail = 0; // m_first == m_last: kept for the next message
        } else if (m_head == kBlock) {
            Block* b = m_first;
            m_first = b->next;
            m_head = 0;
            delete b;
        }
    }
    /// Removes the first element for which `match` is true, keeping the
    /// others' order; false if none matched.
    template <typename F> bool eraseFirst(F match)
    {
        Block* b = m_first;
        std::size_t i = m_head;
        for (std::size_t n = 0; n < m_size; ++n) {
            if (i == kBlock) b = b->next, i = 0;
            if (!match(b->items()[i])) {
                ++i;
                continue;
            }
            // Shift the ones after it down by one, then drop the last.
            for (std::size_t k = n + 1; k < m_size; ++k) {
                Block* nb = b;
                std::size_t ni = i + 1;
                if (ni == kBlock) nb = b->next, ni = 0;
                b->items()[i] = std::move(nb->items()[ni]);
                b = nb, i = ni;
            }
            popBack();
            return true;
        }
        return false;
    }
    void clear()
    {
        while (m_size > 0)
            pop_front();
    }
    /// Appends all of `other`'s, emptying it.
    void append(Chain& other)
    {
        while (!other.empty()) {
            push_back(std::move(other.front()));
            other.pop_front();
        }
    }
    void swap(Chain& other) noexcept
    {
        std::swap(m_first, other.m_first);
        std::swap(m_last, other.m_last);
        std::swap(m_head, other.m_head);
        std::swap(m_tail, other.m_tail);
        std::swap(m_size, other.m_size);
    }

private:
    static constexpr std::size_t kBlock = std::max<std::size_t>(1, 960 / sizeof(T));
    struct Block {
        Block* next = nullptr;
        alignas(T) unsigned char storage[kBlock * sizeof(T)];
        T* items() { return std::launder(reinterpret_cast<T*>(storage)); }
    };

    void popBack()
    {
        m_last->items()[--m_tail].~T();
        --m_size;
        if (m_size == 0) {
            m_head = m_tail = 0; // the one block left is kept
        } else if (m_tail == 0) {
            Block* b = m_first;
            while (b->next != m_last)
                b = b->next;
            delete m_last;
            b->next = nullptr;
            m_last = b;
            m_tail = kBlock;
        }
    }

    Block* m_first = nullptr;
    Block* m_last = nullptr;
    std::size_t m_head = 0; ///< index of the front in m_first
    std::size_t m_tail = 0; ///< one past the back in m_last
    std::size_t m_size = 0;
};

struct CallSlot;

/// Takes the answer to an asynchronous request (Runtime::sendRequest) to the
/// caller's mailbox; implemented by the runtime.
class ReplySink {
public:
    virtual void answered(CallSlot& slot, std::optional<Term> value, std::optional<Error> error) = 0;

protected:
    ~ReplySink() = default;
};

/// Where a call's answer lands: filled once, by the reply or by the callee's
/// death. A blocking call waits on it; an asynchronous request (`sink` set)
/// has the answer sent on to `replyTo` instead.
struct CallSlot {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::optional<Term> value;
    std::optional<Error> error;

    ReplySink* sink = nullptr;
    Pid replyTo = 0;
    Pid server = 0;
    std::uint64_t requestId = 0;

    bool fill(Term v) { return settle(std::move(v), std::nullopt); }
    bool fail(Error e) { return settle(std::nullopt, std::move(e)); }

private:
    bool settle(std::optional<Term> v, std::optional<Error> e)
    {
        {
            std::lock_guard lock(mutex);
            if (done) return false;
            done = true;
            if (!sink) {
                value = std::move(v);
                error = std::move(e);
            }
        }
        if (sink)
            sink->answered(*this, std::move(v), std::move(e));
        else
            cv.notify_all();
        return true;
    }
};

struct Envelope {
    enum class Kind : std::uint8_t {
        Message,
        Cast,
        Call,
        Exit,
        Down,
        Timeout,
        Continue,
        Stop,
        Crash,
        Hang,
        Reply,
        ReplyError
    };
    Kind kind = Kind::Message;
    Term payload;
    Pid from = 0;
    /// Exit, Down, Stop only: kept out of line, so that an envelope is one
    /// cache line and moving a plain message moves no string.
    std::unique_ptr<ExitReason> reason;
    std::uint64_t ref = 0; ///< Down: the monitor; Timeout: the idle-timeout generation; Reply: the request
    std::shared_ptr<CallSlot> slot;
};

/// Someone watching a process: a process (gets a Down message) or a waiting call (its slot fails).
struct Watcher {
    MonitorRef ref = 0;
    Pid watcher = 0;
    std::shared_ptr<CallSlot> slot;
};

/// An enum kept in one byte: three of them in the snapshot's slot, which
/// is kept to four cache lines.
template <typename E> class ByteAtomic {
public:
    explicit ByteAtomic(E e) noexcept
        : m_value(std::uint8_t(e))
    {
    }
    void store(E e, std::memory_order order = std::memory_order_seq_cst) { m_value.store(std::uint8_t(e), order); }
    E load(std::memory_order order = std::memory_order_seq_cst) const { return E(m_value.load(order)); }

private:
    std::atomic<std::uint8_t> m_value;
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
    /// Messages ever put in the mailbox; the mailbox's length is arrived - taken.
    std::atomic<std::uint32_t> arrived {0};
    std::atomic<std::uint32_t> restarts {0};
    ByteAtomic<ProcessStatus> status {ProcessStatus::Initializing};
    ByteAtomic<ProcessKind> kind {ProcessKind::Worker};
    ByteAtomic<Strategy> strategy {Strategy::OneForOne};
    /// Set by the watchdog, cleared by the worker when the callback returns.
    std::atomic<bool> stuck {false};
    /// The most messages seen waiting in the senders' chain since a snapshot
    /// last took it (Runtime::snapshot with PeakRead::Take): raised by
    /// senders, beside `arrived`, which they write anyway; zeroed by that
    /// snapshot (hence mutable).
    mutable std::atomic<std::uint32_t> peak {0};
    std::atomic<std::uint64_t> path[kPathWords] {};
    // Written by the owning process only, a cache line away from `arrived`,
    // which its senders write: counting costs no read-modify-write.
    std::atomic<std::uint64_t> handled {0};
    std::atomic<std::uint32_t> taken {0}; ///< messages taken off the mailbox
    /// For the owner's counters; release, so that a reader that sees a
    /// message taken also sees it arrive (the snapshot reads taken first).
    template <typename N> static void bump(std::atomic<N>& c)
    {
        c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }
    // Supervisors only, last: a snapshot reads them for supervisors alone.
    std::atomic<std::uint32_t> intensity {0};
    std::atomic<std::uint32_t> periodMs {0};
    /// Its place among its supervisor's children (SpawnOptions::startOrder);
    /// set at spawn, in the four bytes the stamps' alignment leaves here.
    std::atomic<std::uint32_t> startOrder {0};
    /// Newest first; written by the supervisor only.
    std::atomic<std::int64_t> recentRestartsNs[kRecentRestarts] {};
};

static_assert(sizeof(Slot) == 256, "a slot is four cache lines");

class SlotTable {
public:
    SlotTable() = default;
    ~SlotTable();
    SlotTable(const SlotTable&) = delete;
    SlotTable& operator=(const SlotTable&) = delete;

    Slot* acquire(Pid pid, Pid parent, const std::string& path, ProcessKind kind, std::uint32_t restarts,
        std::uint32_t startOrder);
    /// The process died: snapshots stop showing it at once.
    void vacate(Slot* slot);
    /// The process object is gone (no callback can touch the slot): reuse it.
    void release(Slot* slot);
    /// Fills `out` with every occupied slot (or just `only`), paths in `out`'s
    /// own storage; `takePeaks`: the mailbox peaks start again from zero.
    void read(Snapshot& out, const Slot* only = nullptr, bool takePeaks = false) const;
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

    Lock mutex;
    /// A blocked receive waits here; made by the first receive that blocks.
    std::unique_ptr<std::condition_variable_any> cv;
    Chain<Envelope> mailbox; ///< what senders append to, under `mutex`
    /// The owner's: taken from `mailbox` in one go, under one lock for all
    /// (older than anything in `mailbox`). The snapshot's count is both.
    Chain<Envelope> inbox;
    Run run = Run::Running;
    bool waiting = false; ///< blocked in a selective receive
    bool hanging = false; ///< in Runtime::hang: its busy count already given back
    bool startAnnounced = false;
    /// describe()s reading `server` on their own threads while the process
    /// is between messages, or waiting for its slice to end; its next slice
    /// waits on `cv` for them.
    unsigned borrowers = 0;
    std::vector<Pid> links;
    std::vector<Watcher> watchers;
    /// Asynchronous requests waiting for this process's answer (sendRequest),
    /// apart from the monitors, so that answering one does not reorder them.
    std::vector<Watcher> requests;
    std::shared_ptr<CallSlot> pendingCall; ///< the call this process is blocked in
    std::vector<std::string> names; ///< guarded by the registry's mutex

    std::atomic<bool> dead {false};
    std::atomic<bool> trapExit {false};
    Slot* stats = nullptr; ///< counters the snapshot reads; vacated at death
    SlotTable* slotTable = nullptr; ///< not `slots`: a Qt macro where this header meets Qt's

    ~Process()
    {
        if (stats) slotTable->release(stats);
    }
    std::uint64_t timeoutGeneration = 0; ///< owner thread only
};

/// Thrown inside a callback whose process was killed while it blocked; it
/// unwinds the stale callback, whose effects are void anyway.
struct ProcessKilled { };

} // namespace sc::detail
