// DynamicSupervisor: children given one at a time, restarted one_for_one,
// stopped all at once.
#include "core/supervision/dynamicsupervisor.h"

#include "core/runtime/runtime.h"
#include "core/supervision/requests.h"

#include <algorithm>
#include <sstream>

namespace sc {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using detail::DeleteChildRequest;
using detail::RestartChildRequest;
using detail::SetFlagsRequest;
using detail::StartChildRequest;
using detail::TerminateChildRequest;

DynamicSupervisor::DynamicSupervisor(DynamicSupervisorFlags flags)
    : SupervisorBase(SupervisorFlags {Strategy::OneForOne, flags.intensity, flags.period})
    , m_maxChildren(flags.maxChildren)
{
}

Next DynamicSupervisor::init()
{
    beginInit();
    return Next::ok();
}

bool DynamicSupervisor::onChildExit(std::size_t index, const ExitReason& reason)
{
    if (wantsRestart(m_children[index].spec.restart, reason)) return restart(index);
    m_children.erase(m_children.begin() + std::ptrdiff_t(index));
    return true;
}

bool DynamicSupervisor::restart(std::size_t index)
{
    if (!admitRestart()) return false;
    Child& c = m_children[index];
    announceRestart(c);
    setStatus(ProcessStatus::Restarting);
    auto r = startChild(c);
    setStatus(ProcessStatus::Running);
    if (!r) {
        if (r.error().code == Errc::Ignore)
            m_children.erase(m_children.begin() + std::ptrdiff_t(index));
        else
            retryLater(c);
    } else {
        c.restarting = false;
    }
    return true;
}

Next DynamicSupervisor::unexpectedCast(const Term&)
{
    return Next::noreply();
}

Next DynamicSupervisor::handleCall(const Term& request, const From& from)
{
    if (auto set = std::any_cast<SetFlagsRequest>(&request); set && set->flags.strategy != Strategy::OneForOne)
        return Next::reply(Status(Error {Errc::NotSupported, "a dynamic supervisor is always one_for_one"}));
    if (auto start = std::any_cast<StartChildRequest>(&request)) {
        if (m_maxChildren && int(m_children.size()) >= *m_maxChildren)
            return Next::reply(Result<Pid>(Error {Errc::MaxChildren, {}}));
        return Next::reply(addChild(start->spec, false));
    }
    if (auto term = std::any_cast<TerminateChildRequest>(&request)) {
        // DynamicSupervisor.terminate_child takes a pid; an id finds nothing, as in OTP.
        auto index = indexOf(term->pid);
        if (!index)
            return Next::reply(Status(Error {Errc::NotFound, term->pid ? std::to_string(term->pid) : term->id}));
        const Pid pid = m_children[*index].pid;
        const Shutdown shutdown = m_children[*index].spec.effectiveShutdown();
        m_children.erase(m_children.begin() + std::ptrdiff_t(*index));
        stopChild(pid, shutdown);
        return Next::reply(Status(Ok {}));
    }
    if (std::any_cast<RestartChildRequest>(&request) || std::any_cast<DeleteChildRequest>(&request))
        return Next::reply(
            Result<Pid>(Error {Errc::NotSupported, "a dynamic supervisor's children are addressed by pid"}));
    return SupervisorBase::handleCall(request, from);
}

void DynamicSupervisor::terminate(const ExitReason&)
{
    // OTP stops a dynamic supervisor's children all at once: signal every
    // child first, then wait for each, killing those whose shutdown runs out.
    std::vector<PendingStop> pending;
    const auto start = Clock::now();
    for (auto it = m_children.rbegin(); it != m_children.rend(); ++it)
        if (it->pid) pending.push_back(signalStop(it->pid, it->spec.effectiveShutdown()));
    for (const auto& p : pending) {
        auto left = 0ms; // what remains of its timeout, counted from the first signal
        if (p.shutdown.kind == Shutdown::Kind::Timeout)
            left = std::max(
                std::chrono::duration_cast<std::chrono::milliseconds>(start + p.shutdown.timeout - Clock::now()), 0ms);
        awaitStop(p, left);
    }
    m_children.clear();
}

std::string DynamicSupervisor::describeState() const
{
    std::ostringstream s;
    s << "dynamic, at most " << m_flags.intensity << " restarts in " << m_flags.period.count() << " ms, ";
    if (m_maxChildren)
        s << m_children.size() << " of at most " << *m_maxChildren << " children\n";
    else
        s << m_children.size() << " children\n";
    for (const auto& c : m_children)
        s << c.spec.id << ": " << (c.pid ? "running" : "restarting") << ", " << restartName(c.spec.restart) << ", "
          << c.restarts << " restarts\n";
    return s.str();
}

} // namespace sc
