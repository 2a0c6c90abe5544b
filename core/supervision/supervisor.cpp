#include "core/supervision/supervisor.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace sc {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const char* restartName(Restart r)
{
    switch (r) {
    case Restart::Permanent:
        return "permanent";
    case Restart::Transient:
        return "transient";
    case Restart::Temporary:
        return "temporary";
    }
    return "permanent";
}

std::string Shutdown::toString() const
{
    switch (kind) {
    case Kind::BrutalKill:
        return "brutal_kill";
    case Kind::Infinity:
        return "infinity";
    case Kind::Timeout:
        break;
    }
    return std::to_string(timeout.count()) + " ms";
}

namespace {

// Requests a supervisor answers (the client API below sends them as calls).
struct StartChildRequest {
    ChildSpec spec;
};
struct TerminateChildRequest {
    std::string id;
    Pid pid = 0;
};
struct RestartChildRequest {
    std::string id;
};
struct DeleteChildRequest {
    std::string id;
};
struct WhichChildrenRequest { };
struct SetFlagsRequest {
    SupervisorFlags flags;
};
struct CountChildrenRequest { };
/// Cast to itself when a restart failed: retried after other messages, as OTP does.
struct TryAgainRestart {
    std::string id;
};

constexpr auto kForever = std::chrono::milliseconds::max();

std::unique_ptr<GenServer> build(const ChildSpec& spec, Error& error)
{
    try {
        auto server = spec.start ? spec.start() : nullptr;
        if (!server) error = Error {Errc::StartFailed, "the child's start function returned nothing"};
        return server;
    } catch (const std::exception& e) {
        error = Error {Errc::StartFailed, std::string("error:") + e.what()};
    } catch (...) {
        error = Error {Errc::StartFailed, "error:unknown exception"};
    }
    return nullptr;
}

Result<Pid> spawnChild(Runtime& rt, const std::string& parentPath, const ChildSpec& spec, std::uint32_t restarts,
    std::uint32_t order)
{
    Error error {Errc::StartFailed, {}};
    auto server = build(spec, error);
    if (!server) return error;
    SpawnOptions options;
    options.link = true;
    options.path = parentPath + "/" + spec.id;
    options.restarts = restarts;
    options.startOrder = order;
    return rt.spawn(std::move(server), options);
}

/// A new child's place: after every child listed (they are in start order).
std::uint32_t nextOrder(const std::vector<detail::SupervisedChild>& children)
{
    return children.empty() ? 1 : children.back().order + 1;
}

void publish(Runtime& rt, EventKind kind, Pid pid, const std::string& path, std::string reason = {})
{
    Event e;
    e.kind = kind;
    e.pid = pid;
    e.path = path;
    e.reason = std::move(reason);
    rt.events().publish(std::move(e));
}

/// which_children and count_children, answered alike by both kinds of supervisor.
std::optional<Next> introspect(const Term& request, const std::vector<detail::SupervisedChild>& children)
{
    if (std::any_cast<WhichChildrenRequest>(&request)) {
        std::vector<ChildInfo> out;
        for (const auto& c : children) {
            ChildInfo i;
            i.id = c.spec.id;
            i.pid = c.pid;
            i.state = c.pid ? ChildInfo::State::Running
                            : (c.restarting ? ChildInfo::State::Restarting : ChildInfo::State::Undefined);
            i.type = c.spec.type;
            out.push_back(std::move(i));
        }
        return Next::reply(Result<std::vector<ChildInfo>>(std::move(out)));
    }
    if (std::any_cast<CountChildrenRequest>(&request)) {
        ChildCounts n;
        for (const auto& c : children) {
            ++n.specs;
            n.active += c.pid ? 1 : 0;
            (c.spec.type == ChildType::Supervisor ? n.supervisors : n.workers) += 1;
        }
        return Next::reply(Result<ChildCounts>(n));
    }
    return std::nullopt;
}

} // namespace

bool detail::RestartWindow::add(int intensity, std::chrono::milliseconds period)
{
    const auto now = Clock::now();
    while (!m_times.empty() && now - m_times.front() > period)
        m_times.pop_front();
    m_times.push_back(now);
    return int(m_times.size()) <= intensity;
}

// ---------------------------------------------------------------------------
// Shared by both supervisors: stopping one child as OTP's supervisor:shutdown/2 does.

namespace {

class ChildStopper {
public:
    /// Monitors the child, sends the exit signal the shutdown spec asks for,
    /// waits (killing it when the timeout passes), then unlinks and drops
    /// its EXIT message so it is not mistaken for a new failure.
    template <typename Receive>
    static void stop(Runtime& rt, Pid self, Pid child, const Shutdown& shutdown, Receive&& receive)
    {
        const MonitorRef mon = rt.monitor(self, child);
        auto isDown = [mon](const Info& i) { return i.kind == Info::Kind::Down && i.ref == mon; };
        switch (shutdown.kind) {
        case Shutdown::Kind::BrutalKill:
            rt.kill(child);
            receive(isDown, std::nullopt);
            break;
        case Shutdown::Kind::Timeout:
            rt.exit(child, ExitReason::shutdown());
            if (!receive(isDown, shutdown.timeout)) {
                rt.kill(child);
                receive(isDown, std::nullopt);
            }
            break;
        case Shutdown::Kind::Infinity:
            rt.exit(child, ExitReason::shutdown());
            receive(isDown, std::nullopt);
            break;
        }
        rt.unlink(self, child);
        receive([child](const Info& i) { return i.kind == Info::Kind::Exit && i.from == child; }, 0ms);
    }
};

} // namespace

// ---------------------------------------------------------------------------

Supervisor::Supervisor(SupervisorFlags flags, std::vector<ChildSpec> children)
    : m_flags(flags)
{
    m_children.reserve(children.size());
    for (auto& spec : children)
        m_children.push_back(Child {std::move(spec), 0, false, 0, std::uint32_t(m_children.size() + 1)});
}

Next Supervisor::init()
{
    trapExits(true);
    setStrategy(m_flags.strategy);
    setIntensity(m_flags.intensity, m_flags.period);
    announceStarted();
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

Result<Pid> Supervisor::startChild(Child& child)
{
    auto r = spawnChild(runtime(), path(), child.spec, child.restarts, child.order);
    child.pid = r ? *r : 0;
    return r;
}

void Supervisor::shutdownChild(Child& child)
{
    if (!child.pid) return;
    ChildStopper::stop(runtime(), self(), child.pid, child.spec.effectiveShutdown(),
        [this](const auto& pred, std::optional<std::chrono::milliseconds> t) { return receive(pred, t); });
    child.pid = 0;
}

void Supervisor::stopChildren(std::size_t first)
{
    for (std::size_t i = m_children.size(); i-- > first;)
        shutdownChild(m_children[i]);
}

Supervisor::Child* Supervisor::find(const std::string& id)
{
    auto it = std::find_if(m_children.begin(), m_children.end(), [&](const Child& c) { return c.spec.id == id; });
    return it == m_children.end() ? nullptr : &*it;
}

std::optional<std::size_t> Supervisor::indexOf(Pid pid) const
{
    if (pid == 0) return std::nullopt; // an exit signal from outside any process; 0 is also a child not running
    for (std::size_t i = 0; i < m_children.size(); ++i)
        if (m_children[i].pid == pid) return i;
    return std::nullopt;
}

bool Supervisor::onChildExit(std::size_t index, const ExitReason& reason)
{
    Child& c = m_children[index];
    c.pid = 0;
    switch (c.spec.restart) {
    case Restart::Temporary:
        m_children.erase(m_children.begin() + std::ptrdiff_t(index));
        return true;
    case Restart::Transient:
        if (reason.isOrderly()) return true;
        break;
    case Restart::Permanent:
        break;
    }
    return restart(index);
}

bool Supervisor::restart(std::size_t index)
{
    if (!m_window.add(m_flags.intensity, m_flags.period)) {
        publish(runtime(), EventKind::GiveUp, self(), path(), "reached_max_restart_intensity");
        return false;
    }
    noteRestart();
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
        ++c.restarts;
        publish(runtime(), EventKind::Restart, 0, path() + "/" + c.spec.id);
        auto r = startChild(c);
        if (!r && r.error().code != Errc::Ignore) {
            // Later children stay stopped; the retry restarts this one and, by strategy, those after it.
            c.restarting = true;
            runtime().cast(self(), TryAgainRestart {c.spec.id});
            return true;
        }
        c.restarting = false;
    }
    return true;
}

Next Supervisor::handleInfo(const Info& info)
{
    if (info.kind != Info::Kind::Exit) return Next::noreply();
    auto index = indexOf(info.from);
    if (!index) return Next::noreply(); // not a child (or already handled): OTP ignores it
    if (!onChildExit(*index, info.reason)) return Next::stop(ExitReason::shutdown());
    return Next::noreply();
}

Next Supervisor::handleCast(const Term& message)
{
    if (auto again = std::any_cast<TryAgainRestart>(&message)) {
        auto it = std::find_if(m_children.begin(), m_children.end(),
            [&](const Child& c) { return c.spec.id == again->id && c.restarting && !c.pid; });
        if (it == m_children.end()) return Next::noreply();
        if (!restart(std::size_t(it - m_children.begin()))) return Next::stop(ExitReason::shutdown());
        return Next::noreply();
    }
    // OTP's supervisor has no clause for other casts: it crashes (function_clause),
    // stopping its children; a DynamicSupervisor logs and ignores them instead.
    throw std::runtime_error("unexpected cast");
}

Next Supervisor::handleCall(const Term& request, const From&)
{
    if (auto set = std::any_cast<SetFlagsRequest>(&request)) {
        if (set->flags.intensity < 0 || set->flags.period.count() < 1)
            return Next::reply(Status(Error {Errc::BadArgument, "intensity must be >= 0 and period >= 1 ms"}));
        // Restarts already counted stay in the window, as after a code change in OTP.
        m_flags = set->flags;
        setStrategy(m_flags.strategy);
        setIntensity(m_flags.intensity, m_flags.period);
        return Next::reply(Status(Ok {}));
    }
    if (auto start = std::any_cast<StartChildRequest>(&request)) {
        if (Child* c = find(start->spec.id)) {
            if (c->pid) return Next::reply(Result<Pid>(Error {Errc::AlreadyStarted, c->spec.id, c->pid}));
            return Next::reply(Result<Pid>(Error {Errc::AlreadyPresent, c->spec.id}));
        }
        Child child {start->spec, 0, false, 0, nextOrder(m_children)};
        auto r = startChild(child);
        if (r || (r.error().code == Errc::Ignore && child.spec.restart != Restart::Temporary))
            m_children.push_back(std::move(child));
        return Next::reply(r);
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
    if (auto answer = introspect(request, m_children)) return std::move(*answer);
    return Next::reply(Result<Pid>(Error {Errc::NotSupported, "unknown request"}));
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

// ---------------------------------------------------------------------------

DynamicSupervisor::DynamicSupervisor(DynamicSupervisorFlags flags)
    : m_flags(flags)
{
}

Next DynamicSupervisor::init()
{
    trapExits(true);
    setStrategy(Strategy::OneForOne);
    setIntensity(m_flags.intensity, m_flags.period);
    announceStarted();
    return Next::ok();
}

Result<Pid> DynamicSupervisor::startChild(Child& child)
{
    auto r = spawnChild(runtime(), path(), child.spec, child.restarts, child.order);
    child.pid = r ? *r : 0;
    return r;
}

bool DynamicSupervisor::restart(std::size_t index)
{
    if (!m_window.add(m_flags.intensity, m_flags.period)) {
        publish(runtime(), EventKind::GiveUp, self(), path(), "reached_max_restart_intensity");
        return false;
    }
    noteRestart();
    Child& c = m_children[index];
    ++c.restarts;
    publish(runtime(), EventKind::Restart, 0, path() + "/" + c.spec.id);
    setStatus(ProcessStatus::Restarting);
    auto r = startChild(c);
    setStatus(ProcessStatus::Running);
    if (!r) {
        if (r.error().code == Errc::Ignore) {
            m_children.erase(m_children.begin() + std::ptrdiff_t(index));
        } else {
            c.restarting = true;
            runtime().cast(self(), TryAgainRestart {c.spec.id});
        }
    } else {
        c.restarting = false;
    }
    return true;
}

Next DynamicSupervisor::handleInfo(const Info& info)
{
    if (info.kind != Info::Kind::Exit) return Next::noreply();
    if (info.from == 0) return Next::noreply(); // from outside any process: not a child's exit
    auto it = std::find_if(m_children.begin(), m_children.end(), [&](const Child& c) { return c.pid == info.from; });
    if (it == m_children.end()) return Next::noreply();
    it->pid = 0;
    const bool restartIt = it->spec.restart == Restart::Permanent
        || (it->spec.restart == Restart::Transient && !info.reason.isOrderly());
    if (!restartIt) {
        m_children.erase(it);
        return Next::noreply();
    }
    if (!restart(std::size_t(it - m_children.begin()))) return Next::stop(ExitReason::shutdown());
    return Next::noreply();
}

Next DynamicSupervisor::handleCast(const Term& message)
{
    if (auto again = std::any_cast<TryAgainRestart>(&message)) {
        auto it = std::find_if(m_children.begin(), m_children.end(),
            [&](const Child& c) { return c.spec.id == again->id && c.restarting && !c.pid; });
        if (it != m_children.end() && !restart(std::size_t(it - m_children.begin())))
            return Next::stop(ExitReason::shutdown());
    }
    return Next::noreply();
}

Next DynamicSupervisor::handleCall(const Term& request, const From&)
{
    if (auto set = std::any_cast<SetFlagsRequest>(&request)) {
        if (set->flags.strategy != Strategy::OneForOne)
            return Next::reply(Status(Error {Errc::NotSupported, "a dynamic supervisor is always one_for_one"}));
        if (set->flags.intensity < 0 || set->flags.period.count() < 1)
            return Next::reply(Status(Error {Errc::BadArgument, "intensity must be >= 0 and period >= 1 ms"}));
        m_flags.intensity = set->flags.intensity;
        m_flags.period = set->flags.period;
        setIntensity(m_flags.intensity, m_flags.period);
        return Next::reply(Status(Ok {}));
    }
    if (auto start = std::any_cast<StartChildRequest>(&request)) {
        if (m_flags.maxChildren && int(m_children.size()) >= *m_flags.maxChildren)
            return Next::reply(Result<Pid>(Error {Errc::MaxChildren, {}}));
        Child child {start->spec, 0, false, 0, nextOrder(m_children)};
        auto r = startChild(child);
        if (r) m_children.push_back(std::move(child));
        return Next::reply(r);
    }
    if (auto term = std::any_cast<TerminateChildRequest>(&request)) {
        // DynamicSupervisor.terminate_child takes a pid; an id finds nothing, as in OTP.
        auto it = std::find_if(
            m_children.begin(), m_children.end(), [&](const Child& c) { return term->pid && c.pid == term->pid; });
        if (it == m_children.end())
            return Next::reply(Status(Error {Errc::NotFound, term->pid ? std::to_string(term->pid) : term->id}));
        Pid pid = it->pid;
        const Shutdown shutdown = it->spec.effectiveShutdown();
        m_children.erase(it);
        ChildStopper::stop(runtime(), self(), pid, shutdown,
            [this](const auto& pred, std::optional<std::chrono::milliseconds> t) { return receive(pred, t); });
        return Next::reply(Status(Ok {}));
    }
    if (std::any_cast<RestartChildRequest>(&request) || std::any_cast<DeleteChildRequest>(&request))
        return Next::reply(
            Result<Pid>(Error {Errc::NotSupported, "a dynamic supervisor's children are addressed by pid"}));
    if (auto answer = introspect(request, m_children)) return std::move(*answer);
    return Next::reply(Result<Pid>(Error {Errc::NotSupported, "unknown request"}));
}

void DynamicSupervisor::terminate(const ExitReason&)
{
    // OTP stops a dynamic supervisor's children all at once: signal every
    // child first, then wait for each, killing those whose shutdown runs out.
    struct Pending {
        Pid pid;
        MonitorRef mon;
        Shutdown shutdown;
    };
    std::vector<Pending> pending;
    const auto start = Clock::now();
    for (auto it = m_children.rbegin(); it != m_children.rend(); ++it) {
        if (!it->pid) continue;
        Pending p {it->pid, runtime().monitor(self(), it->pid), it->spec.effectiveShutdown()};
        if (p.shutdown.kind == Shutdown::Kind::BrutalKill)
            runtime().kill(p.pid);
        else
            runtime().exit(p.pid, ExitReason::shutdown());
        pending.push_back(p);
    }
    for (auto& p : pending) {
        auto isDown = [&](const Info& i) { return i.kind == Info::Kind::Down && i.ref == p.mon; };
        if (p.shutdown.kind == Shutdown::Kind::Timeout) {
            auto left
                = std::chrono::duration_cast<std::chrono::milliseconds>(start + p.shutdown.timeout - Clock::now());
            if (!receive(isDown, std::max(left, 0ms))) {
                runtime().kill(p.pid);
                receive(isDown, std::nullopt);
            }
        } else {
            receive(isDown, std::nullopt);
        }
        runtime().unlink(self(), p.pid);
    }
    m_children.clear();
}

std::string DynamicSupervisor::describeState() const
{
    std::ostringstream s;
    s << "dynamic, at most " << m_flags.intensity << " restarts in " << m_flags.period.count() << " ms, ";
    if (m_flags.maxChildren)
        s << m_children.size() << " of at most " << *m_flags.maxChildren << " children\n";
    else
        s << m_children.size() << " children\n";
    for (const auto& c : m_children)
        s << c.spec.id << ": " << (c.pid ? "running" : "restarting") << ", " << restartName(c.spec.restart) << ", "
          << c.restarts << " restarts\n";
    return s.str();
}

// ---------------------------------------------------------------------------
// -- client API --

namespace {
template <typename R> R ask(Runtime& rt, Pid supervisor, Term request, std::chrono::milliseconds timeout = kForever)
{
    auto r = rt.call(supervisor, std::move(request), timeout);
    if (!r) return r.error();
    if (auto v = std::any_cast<R>(&r.value())) return std::move(*v);
    if (auto v = std::any_cast<Result<Pid>>(&r.value()); v && !v->ok()) return v->error();
    return Error {Errc::NotSupported, "unexpected answer"};
}
} // namespace

Result<Pid> startChild(Runtime& rt, Pid supervisor, ChildSpec spec, std::chrono::milliseconds timeout)
{
    return ask<Result<Pid>>(rt, supervisor, StartChildRequest {std::move(spec)}, timeout);
}

Status terminateChild(Runtime& rt, Pid supervisor, const std::string& id, std::chrono::milliseconds timeout)
{
    return ask<Status>(rt, supervisor, TerminateChildRequest {id, 0}, timeout);
}

Status terminateChild(Runtime& rt, Pid supervisor, Pid child)
{
    return ask<Status>(rt, supervisor, TerminateChildRequest {{}, child});
}

Result<Pid> restartChild(Runtime& rt, Pid supervisor, const std::string& id, std::chrono::milliseconds timeout)
{
    return ask<Result<Pid>>(rt, supervisor, RestartChildRequest {id}, timeout);
}

Status deleteChild(Runtime& rt, Pid supervisor, const std::string& id)
{
    return ask<Status>(rt, supervisor, DeleteChildRequest {id});
}

Status setSupervisorFlags(Runtime& rt, Pid supervisor, SupervisorFlags flags)
{
    return ask<Status>(rt, supervisor, SetFlagsRequest {flags});
}

Result<std::vector<ChildInfo>> whichChildren(Runtime& rt, Pid supervisor)
{
    return ask<Result<std::vector<ChildInfo>>>(rt, supervisor, WhichChildrenRequest {});
}

Result<ChildCounts> countChildren(Runtime& rt, Pid supervisor)
{
    return ask<Result<ChildCounts>>(rt, supervisor, CountChildrenRequest {});
}

Result<Pid> startSupervisor(Runtime& rt, std::string path, SupervisorFlags flags, std::vector<ChildSpec> children)
{
    SpawnOptions options;
    options.path = std::move(path);
    return rt.spawn(std::make_unique<Supervisor>(flags, std::move(children)), options);
}

} // namespace sc
