// Runtime, the facade (runtime.h): spawning, messages, calls and requests,
// exits, links and monitors, timers, pace and snapshots, each a short entry
// into Runtime::Impl (detail/impl.h). Impl's call machinery is here too: a
// blocking request and its wait, an asynchronous request's answer, and
// describe between two messages.
#include "core/runtime/runtime.h"

#include "core/runtime/detail/impl.h"

#include <algorithm>
#include <spdlog/spdlog.h>
#include <stdexcept>
#include <thread>

namespace sc {

using detail::CallSlot;
using detail::Clock;
using detail::CurrentGuard;
using detail::Envelope;
using detail::exceptionReason;
using detail::kMaxThreads;
using detail::Process;
using detail::ProcessKilled;
using detail::t_current;

constinit thread_local Process* detail::t_current = nullptr; // declared in detail/process.h

Runtime::Runtime(RuntimeOptions options)
    : m_events(std::make_shared<EventBus>())
    , d(std::make_unique<Impl>(m_events, options))
{
    unsigned n = options.workers ? options.workers : std::max(1u, std::thread::hardware_concurrency());
    n = std::min<unsigned>(n, kMaxThreads);
    if (d->options.maxBatch == 0) d->options.maxBatch = 1;
    d->scheduler = std::make_unique<detail::Scheduler>(*d, n, options.stallThreshold, options.stuckAfter);
    d->timers = std::make_unique<detail::Timers>(*d);
    d->scheduler->start();
}

Runtime::~Runtime()
{
    d->shuttingDown.store(true);
    d->scheduler->gate().stop(); // nothing waits on a pause or a pace from here on
    d->timers->stop();
    // Kill from the leaves up is not needed: a supervisor's reaction to a
    // child's exit is a message, and messages are dropped once everything is dead.
    for (;;) {
        std::vector<std::shared_ptr<Process>> all;
        for (auto& s : d->shards) {
            std::shared_lock lock(s.mutex);
            for (auto& [pid, p] : s.map)
                all.push_back(p);
        }
        if (all.empty()) break;
        for (auto& p : all)
            d->die(p, ExitReason::killed());
    }
    d->scheduler->stop();
    if (const int stuck = d->scheduler->join(d->options.shutdownGrace)) {
        // A thread cannot be stopped from outside. What it may touch when
        // its callback returns stays allocated, reachable from here for
        // leak checkers, and it exits once it looks for work again.
        spdlog::error("runtime: {} callback(s) still running {} ms after shutdown; their thread(s) are left behind",
            stuck, d->options.shutdownGrace.count());
        static std::mutex abandonedMutex;
        static auto* abandoned = new std::vector<Impl*>; // never destroyed: the threads may outlive main
        std::lock_guard lock(abandonedMutex);
        abandoned->push_back(d.release());
    }
}

unsigned Runtime::workerCount() const
{
    return d->scheduler->target();
}

void Runtime::setPace(std::chrono::milliseconds perMessage)
{
    d->scheduler->gate().setPace(perMessage);
}

std::chrono::milliseconds Runtime::pace() const
{
    return d->scheduler->gate().pace();
}

void Runtime::setPaused(bool paused)
{
    d->scheduler->gate().setPaused(paused);
}

bool Runtime::isPaused() const
{
    return d->scheduler->gate().paused();
}

void Runtime::stepOne()
{
    d->scheduler->gate().step();
}

Pid Runtime::self()
{
    return t_current ? t_current->pid : 0;
}

Result<Pid> Runtime::spawn(std::unique_ptr<GenServer> server, SpawnOptions options)
{
    Process* caller = t_current;
    if (caller && caller->dead.load()) throw ProcessKilled {}; // a ghost's spawn is void; unwind it
    if (d->shuttingDown.load()) return Error {Errc::NoProc, "the runtime is shutting down"};
    auto p = std::make_shared<Process>();
    p->pid = d->nextPid.fetch_add(1);
    p->parent = options.parent ? options.parent : (options.link && caller ? caller->pid : 0);
    p->path = std::make_shared<const std::string>(
        options.path.empty() ? "<" + std::to_string(p->pid) + ">" : std::move(options.path));
    p->stats = d->slots.acquire(p->pid, p->parent, *p->path, server->kind(), options.restarts, options.startOrder);
    if (!p->stats) return Error {Errc::NoProc, "the process table is full"};
    p->slotTable = &d->slots;
    server->m_runtime = this;
    server->m_self = p->pid;
    server->m_process = p.get();
    p->server = std::move(server);
    d->busyUp(); // owned by this thread until init returns
    {
        auto& s = d->shard(p->pid);
        std::unique_lock lock(s.mutex);
        s.map.emplace(p->pid, p);
    }
    d->publish(EventKind::Spawn, *p);
    if (options.link && caller && !link(caller->pid, p->pid) && caller->dead.load()) {
        // The caller was killed since the check above: its spawn is void,
        // and a child it could not link to must not live on as an orphan.
        d->die(p, ExitReason::killed());
        throw ProcessKilled {};
    }

    Next next;
    std::optional<ExitReason> failure;
    {
        CurrentGuard current(p.get());
        try {
            next = p->server->init();
        } catch (const ProcessKilled&) {
            failure = ExitReason::killed();
        } catch (...) {
            failure = ExitReason::error(exceptionReason(std::current_exception()));
        }
    }
    if (p->dead.load()) return Error {Errc::StartFailed, "killed"};
    if (failure) {
        d->die(p, *failure);
        return Error {Errc::StartFailed, failure->toString()};
    }
    if (next.m_ignore) {
        d->die(p, ExitReason::normal());
        return Error {Errc::Ignore, {}};
    }
    if (next.m_stop) {
        d->die(p, *next.m_stop);
        return Error {Errc::StartFailed, next.m_stop->toString()};
    }
    p->stats->status.store(ProcessStatus::Running);
    {
        bool announce = false;
        {
            std::lock_guard lock(p->mutex);
            announce = !p->startAnnounced && p->run != Process::Run::Dead;
            p->startAnnounced = true;
        }
        if (announce) d->publish(EventKind::Start, *p);
    }
    if (next.m_continue) {
        Envelope e;
        e.kind = Envelope::Kind::Continue;
        e.payload = std::move(*next.m_continue);
        d->enqueue(p, std::move(e), true);
    }
    if (next.m_timeout) d->armTimeout(p, *next.m_timeout);
    // Started: from here on a death is an exit like any other, seen through links.
    d->release(p);
    return p->pid;
}

bool Runtime::isAlive(Pid pid) const
{
    auto p = d->find(pid);
    return p && !p->dead.load();
}

void Runtime::send(Pid to, Term message)
{
    Envelope e;
    e.kind = Envelope::Kind::Message;
    e.payload = std::move(message);
    e.from = self();
    d->send(to, std::move(e));
}

void Runtime::cast(Pid to, Term message)
{
    Envelope e;
    e.kind = Envelope::Kind::Cast;
    e.payload = std::move(message);
    e.from = self();
    d->send(to, std::move(e));
}

void Runtime::crash(Pid target, std::string what)
{
    Envelope e;
    e.kind = Envelope::Kind::Crash;
    e.payload = std::move(what);
    e.from = self();
    d->send(target, std::move(e));
}

void Runtime::hang(Pid target)
{
    Envelope e;
    e.kind = Envelope::Kind::Hang;
    e.from = self();
    d->send(target, std::move(e));
}

namespace {

/// Waits for a slot as a call does: compensating the worker, unwinding if the
/// calling process is killed meanwhile.
Result<Term> waitSlot(Process* caller, CallSlot& slot, std::chrono::milliseconds timeout)
{
    const auto deadline = timeout >= std::chrono::hours(24 * 365) ? Clock::time_point::max() : Clock::now() + timeout;
    std::unique_lock lock(slot.mutex);
    if (!slot.done) {
        detail::Scheduler::enterBlocking();
        if (deadline == Clock::time_point::max())
            slot.cv.wait(lock, [&] { return slot.done; });
        else
            slot.cv.wait_until(lock, deadline, [&] { return slot.done; });
        detail::Scheduler::leaveBlocking();
    }
    if (caller && caller->dead.load()) throw ProcessKilled {};
    if (!slot.done) {
        slot.done = true; // a late reply is dropped
        return Error {Errc::Timeout, {}};
    }
    if (slot.error) return *slot.error;
    return std::move(*slot.value);
}

} // namespace

Result<Term> Runtime::Impl::request(Pid to, Envelope e, std::chrono::milliseconds timeout)
{
    Process* caller = t_current;
    auto target = find(to);
    if (!target) return Error {Errc::NoProc, {}};
    auto slot = std::make_shared<CallSlot>();
    const MonitorRef ref = nextRef.fetch_add(1);
    {
        std::lock_guard lock(target->mutex);
        if (target->run == Process::Run::Dead) return Error {Errc::NoProc, {}};
        target->watchers.push_back({ref, 0, slot});
    }
    if (caller) {
        std::lock_guard lock(caller->mutex);
        caller->pendingCall = slot;
    }
    e.from = caller ? caller->pid : 0;
    e.slot = slot;
    enqueue(target, std::move(e));

    auto cleanup = [&] {
        {
            std::lock_guard lock(target->mutex);
            std::erase_if(target->watchers, [ref](const detail::Watcher& w) { return w.ref == ref; });
        }
        if (caller) {
            std::lock_guard lock(caller->mutex);
            if (caller->pendingCall == slot) caller->pendingCall.reset();
        }
    };
    try {
        auto r = waitSlot(caller, *slot, timeout);
        cleanup();
        return r;
    } catch (...) {
        cleanup();
        throw;
    }
}

Result<RequestId> Runtime::sendRequest(Pid to, Term request)
{
    Process* caller = t_current;
    if (!caller) return Error {Errc::NoProc, "sendRequest is for processes; use call"};
    if (caller->dead.load()) throw ProcessKilled {};
    if (caller->pid == to) return Error {Errc::CallingSelf, {}};
    auto slot = std::make_shared<CallSlot>();
    slot->sink = d.get();
    slot->replyTo = caller->pid;
    slot->server = to;
    slot->requestId = d->nextRef.fetch_add(1);
    const RequestId id = slot->requestId;
    auto target = d->find(to);
    bool watched = false;
    if (target) {
        std::lock_guard lock(target->mutex);
        if (target->run != Process::Run::Dead) {
            target->requests.push_back({id, 0, slot});
            watched = true;
        }
    }
    if (!watched) {
        slot->fail(Error {Errc::NoProc, {}});
        return id;
    }
    Envelope e;
    e.kind = Envelope::Kind::Call;
    e.payload = std::move(request);
    e.from = caller->pid;
    e.slot = std::move(slot);
    d->enqueue(target, std::move(e)); // dropped if it died meanwhile: its death answers
    return id;
}

void Runtime::Impl::answered(CallSlot& slot, std::optional<Term> value, std::optional<Error> error)
{
    if (auto server = find(slot.server)) {
        std::lock_guard lock(server->mutex);
        auto& ws = server->requests;
        // Answers come mostly in the order asked: the oldest is near the front.
        auto it = std::find_if(ws.begin(), ws.end(), [&](const detail::Watcher& w) { return w.ref == slot.requestId; });
        if (it != ws.end()) {
            *it = std::move(ws.back());
            ws.pop_back();
        }
    }
    if (auto caller = find(slot.replyTo)) {
        Envelope e;
        e.kind = value ? Envelope::Kind::Reply : Envelope::Kind::ReplyError;
        e.payload = value ? std::move(*value) : Term(std::move(*error));
        e.from = slot.server;
        e.ref = slot.requestId;
        enqueue(caller, std::move(e));
    }
}

Result<Term> Runtime::call(Pid to, Term request, std::chrono::milliseconds timeout)
{
    Process* caller = t_current;
    if (caller && caller->dead.load()) throw ProcessKilled {};
    if (caller && caller->pid == to) return Error {Errc::CallingSelf, {}};
    Envelope e;
    e.kind = Envelope::Kind::Call;
    e.payload = std::move(request);
    return d->request(to, std::move(e), timeout);
}

void Runtime::reply(const From& from, Term value)
{
    if (!from.m_slot) return;
    if (t_current && t_current->dead.load()) return;
    from.m_slot->fill(std::move(value));
}

Result<std::string> Runtime::Impl::describeBetweenMessages(Pid pid, std::chrono::milliseconds timeout)
{
    const auto p = find(pid);
    if (!p) return Error {Errc::NoProc, {}};
    const auto now = Clock::now();
    const auto deadline
        = timeout >= std::chrono::duration_cast<std::chrono::milliseconds>(Clock::time_point::max() - now)
        ? Clock::time_point::max()
        : now + timeout;
    std::unique_lock lock(p->mutex);
    if (!p->cv) p->cv = std::make_unique<std::condition_variable_any>();
    ++p->borrowers; // from here no slice of it starts
    const auto done = [&] {
        if (--p->borrowers == 0) p->cv->notify_all();
    };
    while (p->run == Process::Run::Running) {
        if (p->cv->wait_until(lock, deadline) == std::cv_status::timeout && p->run == Process::Run::Running) {
            done();
            return Error {Errc::Timeout, {}};
        }
    }
    if (p->run == Process::Run::Dead) {
        done();
        return Error {Errc::NoProc, {}};
    }
    lock.unlock();
    Result<std::string> answer = Error {Errc::Exit, {}};
    try {
        answer = p->server->describeState();
    } catch (...) {
        answer = Error {Errc::Exit, exceptionReason(std::current_exception())};
    }
    lock.lock();
    done();
    return answer;
}

Result<std::string> Runtime::describe(Pid pid, std::chrono::milliseconds timeout)
{
    Process* caller = t_current;
    if (caller && caller->pid == pid) return caller->server->describeState();
    return d->describeBetweenMessages(pid, timeout);
}

void Runtime::exit(Pid target, ExitReason reason)
{
    if (t_current && t_current->dead.load()) return;
    if (auto p = d->find(target)) d->exitSignal(p, self(), reason, false);
}

void Runtime::kill(Pid target)
{
    if (t_current && t_current->dead.load()) return;
    if (auto p = d->find(target)) d->die(p, ExitReason::killed());
}

Status Runtime::stop(Pid target, ExitReason reason, std::chrono::milliseconds timeout)
{
    Envelope e;
    e.kind = Envelope::Kind::Stop;
    e.reason = std::make_unique<ExitReason>(std::move(reason));
    auto r = d->request(target, std::move(e), timeout);
    // Nothing replies to a stop: the request ends with the process's exit
    // (Exit: what stop waits for), a timeout, or NoProc.
    if (!r && r.error().code != Errc::Exit) return r.error();
    return Ok {};
}

Status Runtime::link(Pid a, Pid b)
{
    auto pa = d->find(a);
    if (!pa || pa->dead.load()) return Error {Errc::NoProc, {}};
    auto pb = d->find(b);
    bool bDead = !pb;
    if (pb) {
        Process* first = pa->pid < pb->pid ? pa.get() : pb.get();
        Process* second = pa->pid < pb->pid ? pb.get() : pa.get();
        std::scoped_lock lock(first->mutex, second->mutex);
        if (pa->run == Process::Run::Dead) return Error {Errc::NoProc, {}};
        if (pb->run == Process::Run::Dead) {
            bDead = true;
        } else if (std::find(pa->links.begin(), pa->links.end(), b) == pa->links.end()) {
            pa->links.push_back(b);
            pb->links.push_back(a);
        }
    }
    if (bDead) {
        d->exitSignal(pa, b, ExitReason::noproc(), false);
        return Error {Errc::NoProc, {}};
    }
    return Ok {};
}

void Runtime::unlink(Pid a, Pid b)
{
    for (auto [x, y] : {std::pair {a, b}, std::pair {b, a}}) {
        if (auto p = d->find(x)) {
            std::lock_guard lock(p->mutex);
            std::erase(p->links, y);
        }
    }
}

MonitorRef Runtime::monitor(Pid watcher, Pid target)
{
    const MonitorRef ref = d->nextRef.fetch_add(1);
    auto p = d->find(target);
    if (p) {
        std::lock_guard lock(p->mutex);
        if (p->run != Process::Run::Dead) {
            p->watchers.push_back({ref, watcher, nullptr});
            return ref;
        }
    }
    if (auto w = d->find(watcher)) {
        Envelope e;
        e.kind = Envelope::Kind::Down;
        e.from = target;
        e.reason = std::make_unique<ExitReason>(ExitReason::noproc());
        e.ref = ref;
        d->enqueue(w, std::move(e));
    }
    return ref;
}

void Runtime::demonitor(Pid target, MonitorRef ref)
{
    if (auto p = d->find(target)) {
        std::lock_guard lock(p->mutex);
        std::erase_if(p->watchers, [ref](const detail::Watcher& w) { return w.ref == ref; });
    }
}

void Runtime::setTrapExit(Pid pid, bool on)
{
    if (auto p = d->find(pid)) p->trapExit.store(on);
}

TimerRef Runtime::sendAfter(Pid to, Term message, std::chrono::milliseconds delay)
{
    Envelope e;
    e.kind = Envelope::Kind::Message;
    e.payload = std::move(message);
    e.from = self();
    return d->timers->schedule(Clock::now() + delay, to, std::move(e));
}

bool Runtime::cancelTimer(TimerRef ref)
{
    return d->timers->cancel(ref);
}

Snapshot Runtime::snapshot() const
{
    Snapshot snap;
    snapshot(snap);
    return snap;
}

void Runtime::snapshot(Snapshot& into, PeakRead peaks) const
{
    into.lastSeq = m_events->lastSeq();
    d->slots.read(into, nullptr, peaks == PeakRead::Take);
}

std::size_t Runtime::processCount() const
{
    return d->slots.live();
}

Snapshot Runtime::info(Pid pid) const
{
    Snapshot snap;
    snap.lastSeq = m_events->lastSeq();
    if (auto p = d->find(pid); p && !p->dead.load()) d->slots.read(snap, p->stats);
    return snap;
}

Result<ProcessRelations> Runtime::relations(Pid pid) const
{
    auto p = d->find(pid);
    if (!p) return Error {Errc::NoProc, {}};
    std::lock_guard lock(p->mutex);
    if (p->run == Process::Run::Dead) return Error {Errc::NoProc, {}};
    ProcessRelations r;
    r.links = p->links;
    for (const auto& w : p->watchers)
        if (w.watcher) r.monitoredBy.push_back(w.watcher);
    return r;
}

bool Runtime::waitQuiescent(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(d->quietMutex);
    return d->quietCv.wait_for(lock, timeout, [this] { return d->busy.load() == 0; });
}

} // namespace sc
