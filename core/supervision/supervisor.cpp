// Supervisor: children started in order, restarted by strategy, stopped in
// reverse order; and startSupervisor, which starts a tree's root.
#include "core/supervision/supervisor.h"

#include "core/supervision/requests.h"

#include <sstream>
#include <stdexcept>

namespace sc {

using detail::DeleteChildRequest;
using detail::RestartChildRequest;
using detail::StartChildRequest;
using detail::TerminateChildRequest;

Supervisor::Supervisor(SupervisorFlags flags, std::vector<ChildSpec> children)
    : SupervisorBase(flags)
{
    m_children.reserve(children.size());
    for (auto& spec : children)
        m_children.push_back(Child {std::move(spec), 0, false, 0, std::uint32_t(m_children.size() + 1)});
}

Next Supervisor::init()
{
    beginInit();
    for (std::size_t i = 0; i < m_children.size();) {
        for (std::size_t j = 0; j < i; ++j)
            if (m_children[j].spec.id == m_children[i].spec.id)
                return Next::stop(ExitReason::shutdown("duplicate_child_name " + m_children[i].spec.id));
        auto r = startChild(m_children[i]);
        if (!r && r.error().code != Errc::Ignore) {
            const std::string detail = "failed_to_start_child " + m_children[i].spec.id + " " + r.error().detail;
            stopChildren(0);
            return Next::stop(ExitReason::shutdown(detail));
        }
        if (!r && m_children[i].spec.restart == Restart::Temporary) {
            m_children.erase(m_children.begin() + std::ptrdiff_t(i));
            continue;
        }
        ++i;
    }
    return Next::ok();
}

void Supervisor::stopChildren(std::size_t first)
{
    for (std::size_t i = m_children.size(); i-- > first;)
        shutdownChild(m_children[i]);
}

bool Supervisor::onChildExit(std::size_t index, const ExitReason& reason)
{
    if (wantsRestart(m_children[index].spec.restart, reason)) return restart(index);
    // A transient child that ended orderly stays listed, not running.
    if (m_children[index].spec.restart == Restart::Temporary)
        m_children.erase(m_children.begin() + std::ptrdiff_t(index));
    return true;
}

bool Supervisor::restart(std::size_t index)
{
    if (!admitRestart()) return false;
    setStatus(ProcessStatus::Restarting);
    bool ok = true;
    switch (m_flags.strategy) {
    case Strategy::OneForOne:
        ok = restartFrom(index, index + 1, index);
        break;
    case Strategy::OneForAll:
        ok = restartFrom(0, m_children.size(), index);
        break;
    case Strategy::RestForOne:
        ok = restartFrom(index, m_children.size(), index);
        break;
    }
    setStatus(ProcessStatus::Running);
    return ok;
}

/// Stops children [first, last) in reverse order (temporary ones are dropped),
/// then starts them again in order. A start that fails is retried later.
bool Supervisor::restartFrom(std::size_t first, std::size_t last, std::size_t failed)
{
    for (std::size_t i = last; i-- > first;) {
        if (i == failed) continue;
        shutdownChild(m_children[i]);
        if (m_children[i].spec.restart == Restart::Temporary) {
            m_children.erase(m_children.begin() + std::ptrdiff_t(i));
            --last;
        }
    }
    for (std::size_t i = first; i < last; ++i) {
        Child& c = m_children[i];
        announceRestart(c);
        auto r = startChild(c);
        if (!r && r.error().code != Errc::Ignore) {
            // Later children stay stopped; the retry restarts this one and, by strategy, those after it.
            retryLater(c);
            return true;
        }
        c.restarting = false;
    }
    return true;
}

Next Supervisor::unexpectedCast(const Term&)
{
    // OTP's supervisor has no clause for other casts: it crashes (function_clause),
    // stopping its children; a DynamicSupervisor logs and ignores them instead.
    throw std::runtime_error("unexpected cast");
}

Next Supervisor::handleCall(const Term& request, const From& from)
{
    if (auto start = std::any_cast<StartChildRequest>(&request)) {
        if (Child* c = find(start->spec.id)) {
            if (c->pid) return Next::reply(Result<Pid>(Error {Errc::AlreadyStarted, c->spec.id, c->pid}));
            return Next::reply(Result<Pid>(Error {Errc::AlreadyPresent, c->spec.id}));
        }
        // An ignored child stays listed, as undefined, unless it is temporary.
        return Next::reply(addChild(start->spec, start->spec.restart != Restart::Temporary));
    }
    if (auto term = std::any_cast<TerminateChildRequest>(&request)) {
        Child* c = term->pid ? nullptr : find(term->id);
        if (term->pid)
            if (auto i = indexOf(term->pid)) c = &m_children[*i];
        if (!c) return Next::reply(Status(Error {Errc::NotFound, term->id}));
        shutdownChild(*c);
        c->restarting = false;
        if (c->spec.restart == Restart::Temporary) std::erase_if(m_children, [c](const Child& x) { return &x == c; });
        return Next::reply(Status(Ok {}));
    }
    if (auto re = std::any_cast<RestartChildRequest>(&request)) {
        Child* c = find(re->id);
        if (!c) return Next::reply(Result<Pid>(Error {Errc::NotFound, re->id}));
        if (c->pid) return Next::reply(Result<Pid>(Error {Errc::Running, re->id}));
        if (c->restarting) return Next::reply(Result<Pid>(Error {Errc::Restarting, re->id}));
        return Next::reply(startChild(*c));
    }
    if (auto del = std::any_cast<DeleteChildRequest>(&request)) {
        Child* c = find(del->id);
        if (!c) return Next::reply(Status(Error {Errc::NotFound, del->id}));
        if (c->pid) return Next::reply(Status(Error {Errc::Running, del->id}));
        if (c->restarting) return Next::reply(Status(Error {Errc::Restarting, del->id}));
        std::erase_if(m_children, [c](const Child& x) { return &x == c; });
        return Next::reply(Status(Ok {}));
    }
    return SupervisorBase::handleCall(request, from);
}

void Supervisor::terminate(const ExitReason&)
{
    stopChildren(0);
}

std::string Supervisor::describeState() const
{
    std::ostringstream s;
    s << strategyName(m_flags.strategy) << ", at most " << m_flags.intensity << " restarts in "
      << m_flags.period.count() << " ms\n";
    for (const auto& c : m_children) {
        s << c.spec.id << ": " << (c.pid ? "running" : (c.restarting ? "restarting" : "stopped")) << ", "
          << restartName(c.spec.restart) << ", shutdown " << c.spec.effectiveShutdown().toString() << ", " << c.restarts
          << " restarts\n";
    }
    return s.str();
}

Result<Pid> startSupervisor(Runtime& rt, std::string path, SupervisorFlags flags, std::vector<ChildSpec> children)
{
    SpawnOptions options;
    options.path = std::move(path);
    return rt.spawn(std::make_unique<Supervisor>(flags, std::move(children)), options);
}

} // namespace sc
