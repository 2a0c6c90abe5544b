// Internal to core: the process record, and what marks the thread running
// its callback.
// Threading: fields under `mutex` are guarded by it; atomics are read by
// snapshots without it; `server` is touched only by the thread that owns
// the process's run (Run::Running).
#pragma once

#include "core/runtime/detail/chain.h"
#include "core/runtime/detail/envelope.h"
#include "core/runtime/detail/lock.h"
#include "core/runtime/detail/slottable.h"
#include "core/runtime/genserver.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sc::detail {

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

/// The process whose callback this thread is running, if any (defined in
/// runtime.cpp; constant-initialised, so reading it costs no TLS init check).
extern constinit thread_local Process* t_current;

struct CurrentGuard {
    Process* saved;
    explicit CurrentGuard(Process* p)
        : saved(t_current)
    {
        t_current = p;
    }
    ~CurrentGuard() { t_current = saved; }
};

/// What an exception escaping a callback says, for the exit reason.
inline std::string exceptionReason(std::exception_ptr e)
{
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
        return "unknown exception";
    }
}

} // namespace sc::detail
