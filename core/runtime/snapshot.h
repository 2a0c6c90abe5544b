// A snapshot of the live processes: what a poller (the GUI's frame, a test)
// reads from the runtime without stopping any process.
#pragma once

#include "core/runtime/types.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace sc {

namespace detail {
class SlotTable;
} // namespace detail

/// One live process as a snapshot shows it. `path` points into the Snapshot
/// that holds this row (paths longer than 128 bytes are shortened there).
struct ProcessInfo {
    Pid pid = 0;
    Pid parent = 0;
    std::string_view path;
    ProcessKind kind = ProcessKind::Worker;
    Strategy strategy = Strategy::OneForOne;
    ProcessStatus status = ProcessStatus::Running;
    std::uint32_t mailbox = 0;
    /// The mailbox's longest since the previous snapshot that took the peaks
    /// (PeakRead::Take), never less than `mailbox`: a flood that came and
    /// drained between two frames still shows. Counted where senders add
    /// messages, so a flood drained while it arrived shows at least half its
    /// height; one that arrived while the process was busy or paused, all.
    std::uint32_t mailboxPeak = 0;
    std::uint32_t restarts = 0;
    std::uint64_t handled = 0;

    // -- supervisors only (zero for workers) --
    /// Restart intensity: at most `intensity` restarts within `periodMs`.
    std::uint32_t intensity = 0;
    std::uint32_t periodMs = 0;
    /// The restarts its intensity counts within the last `periodMs` as of the
    /// snapshot (the part of the restart budget in use; counted up to 8).
    std::uint32_t restartsInWindow = 0;
    /// Its place among its siblings in start order, kept across restarts (a
    /// supervisor's child order, from 1); 0 if no supervisor gave one. Views
    /// draw siblings by it, then by pid.
    std::uint32_t startOrder = 0;
};

/// What a snapshot does with the mailboxes' peaks (ProcessInfo::mailboxPeak).
enum class PeakRead : std::uint8_t {
    Keep, ///< reads them and leaves them for the next snapshot
    Take, ///< reads them and starts new ones: for the one poller that draws frames
};

/// Every live process at about one moment. Copies re-point their rows'
/// paths at their own storage; moves keep it. A hand-built snapshot (tests)
/// may point its rows' paths at strings that outlive it.
class Snapshot {
public:
    Snapshot() = default;
    Snapshot(Snapshot&&) noexcept = default;
    Snapshot& operator=(Snapshot&&) noexcept = default;
    Snapshot(const Snapshot& other) { *this = other; }
    Snapshot& operator=(const Snapshot& other);

    std::uint64_t lastSeq = 0; ///< the last event published before the snapshot began
    std::vector<ProcessInfo> processes; ///< in no particular order (pids grow in spawn order)

    const ProcessInfo* find(Pid pid) const;

private:
    friend class detail::SlotTable;
    std::vector<char> m_paths;
};

struct ProcessRelations {
    std::vector<Pid> links;
    std::vector<Pid> monitoredBy; ///< processes holding a monitor on it
};

} // namespace sc
