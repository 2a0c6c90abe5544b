// How a process ends: die() (dead for everyone at once: names released,
// links and monitors signalled), the exit signal as its receiver handles
// it, and terminate before death. Runtime::Impl's members (detail/impl.h).
#include "core/runtime/detail/impl.h"

#include <iterator>

namespace sc {

using detail::CallSlot;
using detail::Envelope;
using detail::exceptionReason;
using detail::Process;
using detail::ProcessKilled;

bool Runtime::Impl::die(const std::shared_ptr<Process>& p, const ExitReason& reason)
{
    std::vector<Pid> links;
    std::vector<detail::Watcher> watchers;
    detail::Chain<Envelope> dropped;
    std::shared_ptr<CallSlot> pendingCall;
    {
        std::lock_guard lock(p->mutex);
        if (p->run == Process::Run::Dead) return false;
        busyUp(); // the propagation below keeps the runtime busy
        if (p->run != Process::Run::Idle && !p->hanging) busyDown();
        p->run = Process::Run::Dead;
        p->dead.store(true);
        links.swap(p->links);
        watchers.swap(p->watchers);
        watchers.insert(
            watchers.end(), std::make_move_iterator(p->requests.begin()), std::make_move_iterator(p->requests.end()));
        p->requests.clear();
        dropped.swap(p->mailbox);
        pendingCall = std::move(p->pendingCall);
        if (p->cv) p->cv->notify_all();
    }
    if (pendingCall) pendingCall->fail(Error {Errc::NoProc, "the caller was killed"});
    slots.vacate(p->stats);
    publish(EventKind::Exit, *p, reason.toString());
    releaseNames(*p);
    {
        Shard& s = shard(p->pid);
        std::unique_lock lock(s.mutex);
        s.map.erase(p->pid);
    }
    for (Pid l : links) {
        if (auto lp = find(l)) {
            {
                std::lock_guard lock(lp->mutex);
                std::erase(lp->links, p->pid);
            }
            exitSignal(lp, p->pid, reason, false);
        }
    }
    for (auto& w : watchers) {
        if (w.slot) {
            w.slot->fail(Error {Errc::Exit, reason.toString()});
        } else if (auto wp = find(w.watcher)) {
            Envelope e;
            e.kind = Envelope::Kind::Down;
            e.from = p->pid;
            e.reason = std::make_unique<ExitReason>(reason);
            e.ref = w.ref;
            enqueue(wp, std::move(e));
        }
    }
    busyDown();
    return true;
}

void Runtime::Impl::exitSignal(const std::shared_ptr<Process>& target, Pid from, const ExitReason& reason, bool kill)
{
    if (kill) {
        die(target, ExitReason::killed());
    } else if (target->trapExit.load()) {
        Envelope e;
        e.kind = Envelope::Kind::Exit;
        e.from = from;
        e.reason = std::make_unique<ExitReason>(reason);
        enqueue(target, std::move(e));
    } else if (!reason.isNormal()) {
        die(target, reason);
    }
}

void Runtime::Impl::terminateAndDie(const std::shared_ptr<Process>& p, ExitReason reason)
{
    p->stats->status.store(ProcessStatus::Terminating);
    try {
        p->server->terminate(reason);
    } catch (const ProcessKilled&) {
        return;
    } catch (...) {
        reason = ExitReason::error(exceptionReason(std::current_exception()));
    }
    die(p, reason);
}

} // namespace sc
