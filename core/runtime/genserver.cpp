// GenServer's members: the default callbacks, and the helpers a process
// calls from inside its own callbacks (links, monitors, selective receive,
// what the snapshot shows of it).
#include "core/runtime/genserver.h"

#include "core/runtime/detail/impl.h"

#include <algorithm>
#include <stdexcept>

namespace sc {

using detail::Clock;
using detail::Envelope;
using detail::Process;
using detail::reasonOf;
using detail::replyInfo;

Next GenServer::handleCall(const Term&, const From&)
{
    throw std::runtime_error("unexpected call");
}

Next GenServer::handleCast(const Term&)
{
    return Next::noreply();
}
Next GenServer::handleInfo(const Info&)
{
    return Next::noreply();
}
Next GenServer::handleContinue(const Term&)
{
    return Next::noreply();
}

void GenServer::trapExits(bool on)
{
    m_process->trapExit.store(on);
}
Status GenServer::link(Pid other)
{
    return m_runtime->link(m_self, other);
}
void GenServer::unlink(Pid other)
{
    m_runtime->unlink(m_self, other);
}
MonitorRef GenServer::monitor(Pid other)
{
    return m_runtime->monitor(m_self, other);
}
void GenServer::demonitor(Pid other, MonitorRef ref)
{
    m_runtime->demonitor(other, ref);
}

void GenServer::announceStarted()
{
    bool announce = false;
    {
        std::lock_guard lock(m_process->mutex);
        // As spawn: a process killed during its own init never shows `start` after its `exit`.
        announce = !m_process->startAnnounced && m_process->run != Process::Run::Dead;
        m_process->startAnnounced = true;
    }
    if (announce) m_runtime->d->publish(EventKind::Start, *m_process);
}

void GenServer::setStatus(ProcessStatus status)
{
    m_process->stats->status.store(status);
}
void GenServer::setStrategy(Strategy strategy)
{
    m_process->stats->strategy.store(strategy);
}

void GenServer::setIntensity(int intensity, std::chrono::milliseconds period)
{
    m_process->stats->intensity.store(std::uint32_t(std::max(0, intensity)), std::memory_order_relaxed);
    m_process->stats->periodMs.store(
        std::uint32_t(std::clamp<std::int64_t>(period.count(), 0, UINT32_MAX)), std::memory_order_relaxed);
}

void GenServer::noteRestart()
{
    // The same clock as Event::timeNs.
    const std::int64_t now
        = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
              .count();
    // Shifted from the oldest end, newest written last: a snapshot reading
    // meanwhile sees the old list or the new one with one stamp twice, which
    // restartsWithin counts once.
    auto& stamps = m_process->stats->recentRestartsNs;
    for (std::size_t i = detail::Slot::kRecentRestarts - 1; i > 0; --i)
        stamps[i].store(stamps[i - 1].load(std::memory_order_relaxed), std::memory_order_release);
    stamps[0].store(now, std::memory_order_release);
}

const std::string& GenServer::path() const
{
    return *m_process->path;
}

std::optional<Info> GenServer::receive(
    const std::function<bool(const Info&)>& pred, std::optional<std::chrono::milliseconds> timeout)
{
    Process& p = *m_process;
    const auto deadline = timeout ? Clock::now() + *timeout : Clock::time_point::max();
    auto toInfo = [](const Envelope& e) -> std::optional<Info> {
        switch (e.kind) {
        case Envelope::Kind::Message:
            return Info {Info::Kind::Message, e.payload, e.from, {}, 0, {}};
        case Envelope::Kind::Exit:
            return Info {Info::Kind::Exit, {}, e.from, reasonOf(e), 0, {}};
        case Envelope::Kind::Down:
            return Info {Info::Kind::Down, {}, e.from, reasonOf(e), e.ref, {}};
        case Envelope::Kind::Reply:
        case Envelope::Kind::ReplyError:
            return replyInfo(e);
        default:
            return std::nullopt;
        }
    };
    std::unique_lock lock(p.mutex);
    bool blocking = false;
    std::optional<Info> found;
    for (;;) {
        if (p.run == Process::Run::Dead) break;
        p.inbox.append(p.mailbox); // all of it in order, scanned oldest first
        const bool taken = p.inbox.eraseFirst([&](const Envelope& e) {
            auto info = toInfo(e);
            if (!info || !pred(*info)) return false;
            found = std::move(info);
            return true;
        });
        if (taken) p.stats->bump(p.stats->taken);
        if (found || Clock::now() >= deadline) break;
        if (!blocking) {
            blocking = true;
            lock.unlock();
            detail::Scheduler::enterBlocking();
            lock.lock();
            continue;
        }
        p.waiting = true;
        if (!p.cv) p.cv = std::make_unique<std::condition_variable_any>();
        if (deadline == Clock::time_point::max())
            p.cv->wait(lock);
        else
            p.cv->wait_until(lock, deadline);
        p.waiting = false;
    }
    const bool dead = p.run == Process::Run::Dead;
    lock.unlock();
    if (blocking) detail::Scheduler::leaveBlocking();
    if (dead) throw detail::ProcessKilled {};
    return found;
}
} // namespace sc
