// detail::SlotTable: the dense table of what a snapshot reads of each
// process (its Slot), written by the runtime and read by snapshots without
// stopping anyone. Internal to the runtime.
// Threading: a slot's identity fields change under its seqlock; its counters
// are atomics; the free list is guarded by the table's mutex.
#pragma once

#include "core/runtime/snapshot.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace sc::detail {

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

} // namespace sc::detail
