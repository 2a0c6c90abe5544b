// Threading: every public member of Runtime is thread-safe and may be called
// from any thread: a process's callback (which then acts as that process) or
// any other thread (which acts as nobody). call() and spawn() block the
// calling thread; when that thread is a runtime worker, the scheduler starts
// a stand-in worker so the other processes keep being served.
#pragma once

#include "core/runtime/events.h"
#include "core/base/exitreason.h"
#include "core/runtime/genserver.h"
#include "core/runtime/snapshot.h"
#include "core/base/result.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sc {

namespace detail {
class Scheduler;
class Timers;
class SlotTable;
} // namespace detail

struct RuntimeOptions {
    /// Worker threads; 0 means the machine's hardware threads; at most 1024.
    unsigned workers = 0;
    /// Messages a process handles before it yields its worker to others.
    unsigned maxBatch = 64;
    /// A callback running longer than this is treated as blocked, and a
    /// stand-in worker is started so it cannot stall the runtime.
    std::chrono::milliseconds stallThreshold {50};
    /// A callback running this long without returning (and not waiting in
    /// a call or receive) is reported: a Log event "stuck: ..." and the
    /// snapshot status Stuck until it returns.
    std::chrono::milliseconds stuckAfter {5000};
    /// How long the destructor waits for callbacks still running after every
    /// process was killed. A callback that has not returned by then keeps
    /// its thread, which is left behind (with the runtime's internals, so
    /// that it may still return safely): shutdown never hangs on one.
    std::chrono::milliseconds shutdownGrace {2000};
};

struct SpawnOptions {
    /// Link to the calling process before init runs (spawn_link).
    bool link = false;
    /// The process that started it; a trapped EXIT from it stops the process
    /// (gen_server's parent rule). Defaults to the caller when linking.
    Pid parent = 0;
    /// Shown in snapshots and traces; defaults to "<pid>".
    std::string path;
    /// Carried across restarts for the snapshot.
    std::uint32_t restarts = 0;
    /// Its place among its siblings, for the snapshot (ProcessInfo::startOrder).
    std::uint32_t startOrder = 0;
};

class Runtime {
public:
    explicit Runtime(RuntimeOptions options = {});
    /// Kills every process and joins every thread.
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    // -- processes --
    /// Creates a process and runs its init on the calling thread, like
    /// proc_lib:start_link: returns once init has returned. Errors: Ignore,
    /// StartFailed (detail: the reason), NoProc (the caller is dead).
    Result<Pid> spawn(std::unique_ptr<GenServer> server, SpawnOptions options = {});
    bool isAlive(Pid pid) const;
    /// The calling process, or 0 on a thread that is not running a process.
    static Pid self();

    // -- messages --
    /// Plain message: arrives in handle_info. Sending to a dead pid does nothing.
    void send(Pid to, Term message);
    void cast(Pid to, Term message);
    /// Errors: NoProc, Timeout, Exit (the callee died during the call), CallingSelf.
    Result<Term> call(Pid to, Term request, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    /// gen_server:send_request: a call that leaves the calling process free
    /// instead of blocking it. The server sees an ordinary handle_call; its
    /// answer arrives later in the caller's handle_info (or a receive) as
    /// Info::Kind::Reply with `ref` the id returned, `from` the server and
    /// `message` the value, or `error` saying why there is none (NoProc: no
    /// such process; Exit: it died first). Exactly one Reply per id. Only
    /// from a process's callback (errors: NoProc elsewhere, CallingSelf).
    Result<RequestId> sendRequest(Pid to, Term request);
    /// Answers a call kept waiting with Next::noreply(). A reply from a dead process is dropped.
    void reply(const From& from, Term value);

    // -- failure --
    /// Sends an exit signal, as erlang:exit(Pid, Reason) from the calling process.
    void exit(Pid target, ExitReason reason);
    /// Makes the process crash as if the callback handling this request threw
    /// std::runtime_error(what): terminate runs, and it ends with error:<what>
    /// (queued behind the messages already in its mailbox). For demos and tests.
    void crash(Pid target, std::string what = "crash");
    /// Makes the process's next callback hang, as one stuck in a loop would,
    /// until the process is killed (queued like crash). For demos and tests.
    void hang(Pid target);
    /// The untrappable kill: the target is dead when this returns.
    void kill(Pid target);
    /// Asks a process to run terminate(reason) and end with reason, and waits
    /// for it to be gone (proc_lib:stop). Errors: NoProc, Timeout.
    Status stop(Pid target, ExitReason reason, std::chrono::milliseconds timeout = std::chrono::milliseconds::max());
    /// Links the calling process (or `a`) with `b`. Linking to a dead process
    /// sends the caller an exit signal `noproc`.
    Status link(Pid a, Pid b);
    void unlink(Pid a, Pid b);
    /// `watcher` gets one Info::Kind::Down when `target` ends (noproc if it has already).
    MonitorRef monitor(Pid watcher, Pid target);
    void demonitor(Pid target, MonitorRef ref);
    void setTrapExit(Pid pid, bool on);

    // -- timers --
    TimerRef sendAfter(Pid to, Term message, std::chrono::milliseconds delay);
    /// True if the timer had not fired yet.
    bool cancelTimer(TimerRef ref);

    // -- registry --
    /// One name, one process: a taken name, or a process that already has a
    /// name, is AlreadyRegistered (owner: the holder). Also NoProc.
    Status registerName(const std::string& name, Pid pid);
    Status unregisterName(const std::string& name);
    Pid whereis(const std::string& name) const;
    /// Unique keys in a named registry, like Elixir's Registry (`{:via, ...}`).
    Status registerKey(const std::string& registry, const std::string& key, Pid pid);
    Status unregisterKey(const std::string& registry, const std::string& key);
    Pid lookupKey(const std::string& registry, const std::string& key) const;
    std::vector<std::pair<std::string, Pid>> registryEntries(const std::string& registry) const;

    // -- observability --
    EventBus& events() { return *m_events; }
    /// Every live process, read without stopping any of them: each field is
    /// current when read, and the whole is not one instant.
    Snapshot snapshot() const;
    /// The same into an existing snapshot, reusing its memory (for pollers).
    /// With PeakRead::Take each row's mailboxPeak is the peak since the last
    /// Take, which starts a new one: one poller (the GUI's frame) should take,
    /// or two would split the peaks between them; Keep leaves them unchanged.
    void snapshot(Snapshot& into, PeakRead peaks = PeakRead::Keep) const;
    std::size_t processCount() const;
    /// A snapshot of one process: empty if it is not alive.
    Snapshot info(Pid pid) const;
    /// Whom a live process is linked to and who monitors it (oldest first).
    /// Errors: NoProc.
    Result<ProcessRelations> relations(Pid pid) const;
    /// The process's GenServer::describeState(), asked between two of its
    /// messages, as a system message (sys:get_state): it is not counted in
    /// the mailbox or as handled, and takes no step of slow motion or pause.
    /// A process between messages (idle, or waiting its turn, paused or not)
    /// answers at once on the calling thread, as a suspended OTP process still
    /// answers system messages; one in a callback answers when it returns.
    /// Errors: NoProc, Timeout, Exit.
    Result<std::string> describe(Pid pid, std::chrono::milliseconds timeout = std::chrono::seconds(1));
    /// Waits until nothing is runnable or running, no exit is being
    /// propagated and no process waits in a receive; true if reached in time.
    /// A process held by hang() does not count.
    bool waitQuiescent(std::chrono::milliseconds timeout);
    unsigned workerCount() const;

    // -- teaching: slow motion and pause --
    /// Slow motion: while `perMessage` is above zero the runtime handles at
    /// most one message every `perMessage`, across all processes, so a class
    /// can follow a cascade message by message. Zero: full speed.
    void setPace(std::chrono::milliseconds perMessage);
    std::chrono::milliseconds pace() const;
    /// While paused no process handles a message; what is sent meanwhile
    /// waits in the mailboxes. A kill still acts at once, and so do the exit
    /// signals it sends to linked processes that do not trap exits; to those
    /// that trap (supervisors) they are messages, and wait. Calls wait or
    /// time out as usual.
    void setPaused(bool paused);
    bool isPaused() const;
    /// While paused: lets exactly one more message be handled somewhere.
    void stepOne();

private:
    friend class GenServer;
    friend class detail::Process;
    friend class detail::Scheduler;
    friend class detail::Timers;
    struct Impl;
    std::shared_ptr<EventBus> m_events; ///< shared with d, which may outlive this (see shutdownGrace)
    std::unique_ptr<Impl> d;
};

} // namespace sc
