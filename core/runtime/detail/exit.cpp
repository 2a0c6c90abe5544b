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
    auto dying = markDead(p, reason);
    if (!dying) return false;
    signalDeath(p, reason, *dying);
    return true;
}

std::unique_ptr<Runtime::Impl::Dying> Runtime::Impl::markDead(
    const std::shared_ptr<Process>& p, const ExitReason& reason)
{
    auto owned = std::make_unique<Dying>();
    Dying& dying = *owned;
    std::shared_ptr<CallSlot> pendingCall;
    {
        std::lock_guard lock(p->mutex);
        if (p->run == Process::Run::Dead) return nullptr;
        busyUp(); // the propagation (signalDeath) keeps the runtime busy
        if (p->run != Process::Run::Idle && !p->hanging) busyDown();
        p->run = Process::Run::Dead;
        p->dead.store(true);
        dying.links.swap(p->links);
        dying.watchers.swap(p->watchers);
        dying.watchers.insert(dying.watchers.end(), std::make_move_iterator(p->requests.begin()),
            std::make_move_iterator(p->requests.end()));
        p->requests.clear();
        dying.dropped.swap(p->mailbox);
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
    return owned;
}

void Runtime::Impl::signalDeath(const std::shared_ptr<Process>& p, const ExitReason& reason, Dying& dying)
{
    // In OTP every signal of an exit leaves at once, before any receiver
    // acts on one. A linked process that does not trap exits therefore dies
    // of it before a supervisor that traps can react to its EXIT (and shut
    // that process down with a reason of its own), and the supervisor still
    // gets this EXIT before the one of the process the link killed. So: those
    // that die are marked dead first, then the EXIT messages and DOWNs go
    // out, then the dead ones' own links and monitors are signalled.
    std::vector<std::pair<std::shared_ptr<Process>, std::unique_ptr<Dying>>> killed;
    std::vector<std::shared_ptr<Process>> others;
    for (Pid l : dying.links) {
        auto lp = find(l);
        if (!lp) continue;
        {
            std::lock_guard lock(lp->mutex);
            std::erase(lp->links, p->pid);
        }
        if (!lp->trapExit.load() && !reason.isNormal()) {
            if (auto d = markDead(lp, reason)) killed.emplace_back(std::move(lp), std::move(d));
        } else {
            others.push_back(std::move(lp));
        }
    }
    for (const auto& lp : others)
        exitSignal(lp, p->pid, reason, false);
    for (auto& w : dying.watchers) {
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
    for (auto& [lp, d] : killed)
        signalDeath(lp, reason, *d);
    busyDown();
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
