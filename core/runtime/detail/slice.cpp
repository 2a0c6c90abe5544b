// Running a process: its slice of messages (or the one message the pace
// gate grants), each handed to its GenServer's callback, and what the
// callback's answer asks for (a reply, a stop, a continue, an idle timeout);
// also a callback that never returns (Runtime::hang, the watchdog's report).
// Runtime::Impl's members (detail/impl.h), called by the scheduler's workers.
#include "core/runtime/detail/impl.h"

#include <spdlog/spdlog.h>
#include <stdexcept>

namespace sc {

using detail::CallSlot;
using detail::Clock;
using detail::CurrentGuard;
using detail::Envelope;
using detail::exceptionReason;
using detail::Process;
using detail::ProcessKilled;
using detail::reasonOf;
using detail::replyInfo;

void Runtime::Impl::markStuck(Pid pid, bool on, std::chrono::milliseconds ran)
{
    auto p = find(pid);
    if (!p) return; // killed meanwhile: its exit says enough
    p->stats->stuck.store(on, std::memory_order_relaxed);
    if (on) {
        spdlog::warn("runtime: {} ({}) stuck: a callback has not returned for {} ms", p->pid, *p->path, ran.count());
        publish(EventKind::Log, *p, "stuck: a callback has not returned for " + std::to_string(ran.count()) + " ms");
    } else {
        publish(EventKind::Log, *p, "no longer stuck: the callback returned");
    }
}

void Runtime::Impl::hangUntilKilled(Process& p)
{
    std::unique_lock lock(p.mutex);
    if (p.run == Process::Run::Dead) return;
    p.hanging = true;
    busyDown();
    if (!p.cv) p.cv = std::make_unique<std::condition_variable_any>();
    p.cv->wait(lock, [&] { return p.run == Process::Run::Dead; });
}

void Runtime::Impl::runSlice(const std::shared_ptr<Process>& p)
{
    runMessages(p, [](const Envelope&) { return false; });
}

bool Runtime::Impl::runOne(const std::shared_ptr<Process>& p)
{
    bool used = false;
    runMessages(p, [&](const Envelope& e) {
        // A stale idle timeout is not a step of the cascade: it must not use
        // up the step the teacher asked for.
        used = !(e.kind == Envelope::Kind::Timeout && e.ref != p->timeoutGeneration);
        return used;
    });
    return used;
}

template <typename Last> void Runtime::Impl::runMessages(const std::shared_ptr<Process>& p, Last last)
{
    {
        std::unique_lock lock(p->mutex);
        while (p->borrowers > 0) // a describe reads its state: a moment
            p->cv->wait(lock);
        if (p->run != Process::Run::Queued) return;
        p->run = Process::Run::Running;
        if (p->inbox.empty()) p->inbox.swap(p->mailbox); // saves the loop a lock
    }
    CurrentGuard current(p.get());
    detail::Scheduler::sliceBegin(p->pid);
    for (unsigned i = 0; i < options.maxBatch; ++i) {
        if (p->inbox.empty()) {
            std::lock_guard lock(p->mutex);
            if (p->run == Process::Run::Dead) break;
            if (p->mailbox.empty()) {
                p->run = Process::Run::Idle;
                if (p->borrowers > 0) p->cv->notify_all(); // a describe waits for this
                busyDown();
                detail::Scheduler::sliceEnd();
                return;
            }
            p->inbox.swap(p->mailbox);
        }
        if (p->dead.load()) break;
        Envelope e = std::move(p->inbox.front());
        p->inbox.pop_front();
        p->stats->bump(p->stats->taken);
        const bool stop = last(e);
        detail::Scheduler::callbackBegin();
        dispatch(p, e);
        if (stop || p->dead.load()) break;
    }
    detail::Scheduler::sliceEnd();
    release(p, true);
}

void Runtime::Impl::release(const std::shared_ptr<Process>& p, bool yielded)
{
    bool requeue = false;
    {
        std::lock_guard lock(p->mutex);
        if (p->run != Process::Run::Running) return;
        if (p->mailbox.empty() && p->inbox.empty()) {
            p->run = Process::Run::Idle;
            busyDown();
        } else {
            p->run = Process::Run::Queued;
            requeue = true;
        }
        if (p->borrowers > 0) p->cv->notify_all(); // a describe waits for this
    }
    if (requeue) scheduler->push(p, yielded);
}

void Runtime::Impl::dispatch(const std::shared_ptr<Process>& p, Envelope& e)
{
    GenServer& s = *p->server;
    if (e.kind == Envelope::Kind::Timeout) {
        if (e.ref != p->timeoutGeneration) return; // a message arrived since: this timeout is stale
    } else {
        ++p->timeoutGeneration; // any message cancels the idle timeout
    }
    std::optional<Next> next; // made in place from the callback's answer, not assigned over a blank one
    std::shared_ptr<CallSlot> callSlot;
    try {
        switch (e.kind) {
        case Envelope::Kind::Message:
            next.emplace(s.handleInfo(Info {Info::Kind::Message, std::move(e.payload), 0, {}, 0, {}}));
            break;
        case Envelope::Kind::Cast:
            next.emplace(s.handleCast(e.payload));
            break;
        case Envelope::Kind::Call:
            callSlot = e.slot;
            next.emplace(s.handleCall(e.payload, From(e.slot)));
            break;
        case Envelope::Kind::Exit:
            if (e.from != 0 && e.from == p->parent) {
                // gen_server: a trapped exit from the parent ends the process with that reason.
                p->stats->bump(p->stats->handled);
                terminateAndDie(p, reasonOf(e));
                return;
            }
            next.emplace(s.handleInfo(Info {Info::Kind::Exit, {}, e.from, reasonOf(e), 0, {}}));
            break;
        case Envelope::Kind::Down:
            next.emplace(s.handleInfo(Info {Info::Kind::Down, {}, e.from, reasonOf(e), e.ref, {}}));
            break;
        case Envelope::Kind::Timeout:
            next.emplace(s.handleInfo(Info {Info::Kind::Timeout, {}, 0, {}, 0, {}}));
            break;
        case Envelope::Kind::Continue:
            next.emplace(s.handleContinue(e.payload));
            break;
        case Envelope::Kind::Stop:
            terminateAndDie(p, reasonOf(e));
            return;
        case Envelope::Kind::Crash:
            throw std::runtime_error(std::any_cast<const std::string&>(e.payload));
        case Envelope::Kind::Hang:
            hangUntilKilled(*p);
            return;
        case Envelope::Kind::Reply:
            next.emplace(s.handleInfo(Info {Info::Kind::Reply, std::move(e.payload), e.from, {}, e.ref, {}}));
            break;
        case Envelope::Kind::ReplyError:
            next.emplace(s.handleInfo(replyInfo(e)));
            break;
        }
    } catch (const ProcessKilled&) {
        return;
    } catch (...) {
        // Let it crash: the exception ends this process, and only it.
        terminateAndDie(p, ExitReason::error(exceptionReason(std::current_exception())));
        return;
    }
    p->stats->bump(p->stats->handled);
    apply(p, *next, callSlot);
}

void Runtime::Impl::apply(const std::shared_ptr<Process>& p, Next& n, const std::shared_ptr<CallSlot>& callSlot)
{
    if (p->dead.load()) return; // killed while the callback ran: whatever it asked for is void
    if (n.m_reply && callSlot) callSlot->fill(std::move(*n.m_reply));
    if (n.m_stop) {
        terminateAndDie(p, *n.m_stop);
        return;
    }
    if (n.m_continue) {
        Envelope e;
        e.kind = Envelope::Kind::Continue;
        e.payload = std::move(*n.m_continue);
        enqueue(p, std::move(e), true);
    }
    if (n.m_timeout) armTimeout(p, *n.m_timeout);
}

void Runtime::Impl::armTimeout(const std::shared_ptr<Process>& p, std::chrono::milliseconds ms)
{
    Envelope e;
    e.kind = Envelope::Kind::Timeout;
    e.ref = p->timeoutGeneration;
    timers->schedule(Clock::now() + ms, p->pid, std::move(e));
}

} // namespace sc
