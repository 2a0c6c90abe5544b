// What Supervisor and DynamicSupervisor share (see supervisorbase.h).
#include "core/supervision/supervisorbase.h"

#include "core/runtime/runtime.h"
#include "core/supervision/requests.h"

#include <algorithm>

namespace sc::detail {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

/// Cast to itself when a restart failed: retried after other messages, as OTP does.
struct TryAgainRestart {
    std::string id;
};

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

Result<Pid> spawnChild(
    Runtime& rt, const std::string& parentPath, const ChildSpec& spec, std::uint32_t restarts, std::uint32_t order)
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
std::optional<Next> introspect(const Term& request, const std::vector<SupervisedChild>& children)
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

bool RestartWindow::add(int intensity, std::chrono::milliseconds period)
{
    const auto now = Clock::now();
    while (!m_times.empty() && now - m_times.front() > period)
        m_times.pop_front();
    m_times.push_back(now);
    return int(m_times.size()) <= intensity;
}

SupervisorBase::SupervisorBase(SupervisorFlags flags)
    : m_flags(flags)
{
}

// -- callbacks --

Next SupervisorBase::handleInfo(const Info& info)
{
    if (info.kind != Info::Kind::Exit) return Next::noreply();
    auto index = indexOf(info.from);
    if (!index) return Next::noreply(); // not a child (or already handled): OTP ignores it
    m_children[*index].pid = 0;
    if (!onChildExit(*index, info.reason)) return Next::stop(ExitReason::shutdown());
    return Next::noreply();
}

Next SupervisorBase::handleCast(const Term& message)
{
    auto again = std::any_cast<TryAgainRestart>(&message);
    if (!again) return unexpectedCast(message);
    auto it = std::find_if(m_children.begin(), m_children.end(),
        [&](const Child& c) { return c.spec.id == again->id && c.restarting && !c.pid; });
    if (it != m_children.end() && !restart(std::size_t(it - m_children.begin())))
        return Next::stop(ExitReason::shutdown());
    return Next::noreply();
}

Next SupervisorBase::handleCall(const Term& request, const From&)
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
    if (auto answer = introspect(request, m_children)) return std::move(*answer);
    return Next::reply(Result<Pid>(Error {Errc::NotSupported, "unknown request"}));
}

// -- lifecycle --

void SupervisorBase::beginInit()
{
    trapExits(true);
    setStrategy(m_flags.strategy);
    setIntensity(m_flags.intensity, m_flags.period);
    announceStarted();
}

// -- children --

Result<Pid> SupervisorBase::startChild(Child& child)
{
    auto r = spawnChild(runtime(), path(), child.spec, child.restarts, child.order);
    child.pid = r ? *r : 0;
    return r;
}

Result<Pid> SupervisorBase::addChild(ChildSpec spec, bool keepIgnored)
{
    // Its place: after every child listed (they are in start order).
    const std::uint32_t order = m_children.empty() ? 1 : m_children.back().order + 1;
    Child child {std::move(spec), 0, false, 0, order};
    auto r = startChild(child);
    if (r || (keepIgnored && r.error().code == Errc::Ignore)) m_children.push_back(std::move(child));
    return r;
}

SupervisorBase::Child* SupervisorBase::find(const std::string& id)
{
    auto it = std::find_if(m_children.begin(), m_children.end(), [&](const Child& c) { return c.spec.id == id; });
    return it == m_children.end() ? nullptr : &*it;
}

std::optional<std::size_t> SupervisorBase::indexOf(Pid pid) const
{
    if (pid == 0) return std::nullopt; // an exit signal from outside any process; 0 is also a child not running
    for (std::size_t i = 0; i < m_children.size(); ++i)
        if (m_children[i].pid == pid) return i;
    return std::nullopt;
}

bool SupervisorBase::wantsRestart(Restart restart, const ExitReason& reason)
{
    return restart == Restart::Permanent || (restart == Restart::Transient && !reason.isOrderly());
}

// -- stopping --

SupervisorBase::PendingStop SupervisorBase::signalStop(Pid pid, const Shutdown& shutdown)
{
    PendingStop stop {pid, runtime().monitor(self(), pid), shutdown};
    if (shutdown.kind == Shutdown::Kind::BrutalKill)
        runtime().kill(pid);
    else
        runtime().exit(pid, ExitReason::shutdown());
    return stop;
}

void SupervisorBase::awaitStop(const PendingStop& stop, std::chrono::milliseconds wait)
{
    auto isDown = [&](const Info& i) { return i.kind == Info::Kind::Down && i.ref == stop.mon; };
    if (stop.shutdown.kind == Shutdown::Kind::Timeout) {
        if (!receive(isDown, wait)) {
            runtime().kill(stop.pid);
            receive(isDown, std::nullopt);
        }
    } else {
        receive(isDown, std::nullopt);
    }
    runtime().unlink(self(), stop.pid);
}

void SupervisorBase::stopChild(Pid pid, const Shutdown& shutdown)
{
    awaitStop(signalStop(pid, shutdown), shutdown.timeout);
    receive([pid](const Info& i) { return i.kind == Info::Kind::Exit && i.from == pid; }, 0ms);
}

void SupervisorBase::shutdownChild(Child& child)
{
    if (!child.pid) return;
    stopChild(child.pid, child.spec.effectiveShutdown());
    child.pid = 0;
}

// -- restarts --

bool SupervisorBase::admitRestart()
{
    if (!m_window.add(m_flags.intensity, m_flags.period)) {
        publish(runtime(), EventKind::GiveUp, self(), path(), "reached_max_restart_intensity");
        return false;
    }
    noteRestart();
    return true;
}

void SupervisorBase::announceRestart(Child& child)
{
    ++child.restarts;
    publish(runtime(), EventKind::Restart, 0, path() + "/" + child.spec.id);
}

void SupervisorBase::retryLater(Child& child)
{
    child.restarting = true;
    runtime().cast(self(), TryAgainRestart {child.spec.id});
}

} // namespace sc::detail
