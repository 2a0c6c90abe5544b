// The session (session.h): performing a scenario's steps on a runtime,
// finding their targets by path, and settling after them.
#include "core/scenario/session.h"

#include "core/scenario/financesteps.h"
#include "core/scenario/trace.h"
#include "core/scenario/treebuilder.h"
#include "core/scenario/worker.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>

namespace sc {

using std::chrono::milliseconds;

namespace {

/// "60 s", or "250 ms" when not whole seconds.
std::string seconds(milliseconds bound)
{
    if (bound.count() % 1000 == 0) return std::to_string(bound.count() / 1000) + " s";
    return std::to_string(bound.count()) + " ms";
}

} // namespace

class ScenarioSession::Impl {
public:
    using Do = ScenarioStep::Do;

    Impl(Runtime& rt, Scenario scenario, SessionOptions options)
        : m_scenario(std::move(scenario))
        , m_options(std::move(options))
        , m_rt(rt)
        , m_events(m_rt.events().subscribe())
    {
    }

    ~Impl()
    {
        // Nothing published afterwards reaches the trace.
        m_rt.events().unsubscribe(m_events);
        m_teardown->finish();
    }

    Result<Pid> startTree()
    {
        auto root = m_scenario.finance
            ? finance::startFinanceTree(m_rt, financeConfig(m_scenario, m_options.dataDir, m_options.recoverState))
            : startScenarioTree(m_rt, m_scenario.tree, m_teardown);
        if (!root) {
            if (!m_scenario.finance && ScenarioSession::treeFailedToStart(root.error())) {
                Event e;
                e.kind = EventKind::Log;
                e.reason = "the tree did not start (" + root.error().detail + "); the steps are skipped";
                m_rt.events().publish(std::move(e));
            }
            writeTrace();
            return root;
        }
        m_root = *root;
        return root;
    }

    Status stopTree(milliseconds timeout)
    {
        m_teardown->finish();
        Status stopped = Ok {};
        if (m_root) stopped = m_rt.stop(m_root, ExitReason::shutdown(), timeout);
        writeTrace();
        if (!stopped && stopped.error().code == Errc::NoProc) return Ok {};
        return stopped;
    }

    bool settle()
    {
        // In slices, so that cancel() is noticed soon.
        const auto deadline = std::chrono::steady_clock::now() + m_options.quiescenceTimeout;
        bool quiet = false;
        while (!isCancelled()) {
            const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            if (m_rt.waitQuiescent(std::min(left, milliseconds(100)))) {
                quiet = true;
                break;
            }
        }
        writeTrace();
        return quiet;
    }

    void cancel()
    {
        {
            std::lock_guard lock(m_cancelMutex);
            m_cancelled = true;
        }
        m_cancelCv.notify_all();
    }

    bool isCancelled() const
    {
        std::lock_guard lock(m_cancelMutex);
        return m_cancelled;
    }

    StepOutcome perform(const ScenarioStep& step, std::size_t index)
    {
        // Whatever happened since the last settle (a restart done by hand) counts when finding the target.
        writeTrace();
        publish(EventKind::Step, step, step.target, {}, step.user);
        // The step line is in the trace before the step runs, so that one that hangs shows there.
        writeTrace();
        const auto started = std::chrono::steady_clock::now();
        auto outcome = performStep(step);
        // Each wait below is bounded by stepTimeout; a finance step makes
        // several calls, so the whole step is measured too. A sleep lasts
        // what it says (at most kMaxSleepMs).
        if (step.action != Do::Sleep && std::chrono::steady_clock::now() - started >= m_options.stepTimeout) {
            outcome.ok = false;
            outcome.timedOut = true;
            outcome.answer = "steps[" + std::to_string(index) + "] (" + stepName(step) + ") did not finish within "
                + seconds(m_options.stepTimeout);
            publish(EventKind::Log, step, step.target, outcome.answer);
            writeTrace();
        }
        return outcome;
    }

    StepOutcome performStep(const ScenarioStep& step)
    {
        if (isFinanceStep(step.action)) {
            const auto reply = performFinanceStep(m_client, step);
            publishReply(step, reply);
            if (!reply) return {false, reply.error().toString()};
            return {true, finance::describeReply(step.request, *reply)};
        }
        switch (step.action) {
        case Do::Sleep: {
            std::unique_lock lock(m_cancelMutex);
            m_cancelCv.wait_for(lock, milliseconds(step.ms), [this] { return m_cancelled; });
            return {true, "slept " + std::to_string(step.ms) + " ms"};
        }
        case Do::StopTree:
            if (auto stopped = m_rt.stop(m_root, ExitReason::shutdown(), m_options.stepTimeout); !stopped) {
                publish(EventKind::Log, step, {}, "stop_tree: " + stopped.error().toString());
                return {false, stopped.error().toString()};
            }
            return {true, "the tree stopped"};
        default:
            break;
        }

        const bool answers
            = step.action == Do::StartChild || step.action == Do::TerminateChild || step.action == Do::RestartChild;
        const auto target = find(step.target);
        if (!target) {
            // OTP ignores a signal to a dead pid; a call to one answers noproc.
            publish(EventKind::Log, step, step.target,
                std::string(stepName(step)) + ": " + step.target + " is not alive; nothing done");
            if (answers) publishResult(step, Status(Error {Errc::NoProc, step.target}));
            return {false, step.target + " is not alive; nothing done"};
        }
        if (answers && target->kind == ProcessKind::Worker) {
            publishResult(step, Status(Error {Errc::NotSupported, step.target}));
            return {false, std::string(errcName(Errc::NotSupported)) + ": " + step.target + " is a worker"};
        }
        const Pid pid = target->pid;
        switch (step.action) {
        case Do::Kill:
            m_rt.kill(pid);
            return {true, "killed"};
        case Do::Crash:
            // Scenario workers crash on this cast as the OTP corpus expects of
            // them; any other process (the finance services) gets Runtime::crash.
            if (m_scenario.finance)
                m_rt.crash(pid);
            else
                m_rt.cast(pid, std::string("crash"));
            return {true, "crash requested"};
        case Do::Hang:
            m_rt.hang(pid);
            return {true, "hang requested"};
        case Do::Stop:
            if (!m_scenario.finance) {
                m_rt.cast(pid, StopRequest {ExitReason::parse(step.reason)});
            } else if (auto stopped = m_rt.stop(pid, ExitReason::parse(step.reason), m_options.stepTimeout);
                       !stopped && stopped.error().code != Errc::NoProc) {
                // The finance services know no StopRequest: proc_lib:stop, as sys:terminate would.
                publish(EventKind::Log, step, step.target, "stop: " + stopped.error().toString());
                return {false, stopped.error().toString()};
            }
            return {true, "asked to stop (" + step.reason + ")"};
        case Do::StartChild:
            // DynamicSupervisor.start_child on a static supervisor is an error in OTP too.
            if (target->kind != ProcessKind::DynamicSupervisor) {
                const Status refused = Error {Errc::NotSupported, step.target};
                publishResult(step, refused);
                return answer(refused, "started");
            } else {
                const auto started
                    = startChild(m_rt, pid, scenarioChildSpec(*step.child, m_teardown), m_options.stepTimeout);
                publishResult(step, started);
                return answer(started, "started");
            }
        case Do::TerminateChild: {
            const auto terminated = terminateChild(m_rt, pid, step.id, m_options.stepTimeout);
            publishResult(step, terminated);
            return answer(terminated, "terminated");
        }
        case Do::RestartChild: {
            const auto restarted = restartChild(m_rt, pid, step.id, m_options.stepTimeout);
            publishResult(step, restarted);
            return answer(restarted, "restarted");
        }
        case Do::Flood: {
            // A hung process keeps every message: bounding what all mailboxes
            // hold bounds the memory a file can make them take. (A process
            // that drains its mailbox, or is killed, makes room again.)
            if (const std::int64_t queued = queuedMessages(); queued + step.count > m_options.floodLimit) {
                const std::string refused = "flood refused: " + std::to_string(queued) + " messages are queued, and "
                    + std::to_string(step.count) + " more to " + step.target + " would make "
                    + std::to_string(queued + step.count) + ", beyond the at most "
                    + std::to_string(m_options.floodLimit) + " floods may leave queued";
                publish(EventKind::Log, step, step.target, refused);
                return {false, refused};
            }
            // Plain messages: scenario workers, supervisors and the finance
            // services all ignore ones they do not know, so only the mailbox shows them.
            for (int i = 0; i < step.count; ++i)
                m_rt.send(pid, std::string("flood"));
            return {true, "sent " + std::to_string(step.count) + " messages"};
        }
        default: // sleep, stop_tree and the finance steps are done above
            return {};
        }
    }

    const Scenario m_scenario;
    const SessionOptions m_options;
    Pid m_root = 0;

    std::uint64_t droppedEvents() const { return m_events->dropped(); }
    bool traceCut() const { return m_trace.isCut(); }

private:
    template <typename T> static StepOutcome answer(const Result<T>& result, const char* done)
    {
        // OTP's start_child/restart_child answer `ignore` for a child whose init said so: not an error.
        if (!result && result.error().code == Errc::Ignore) return {true, "ignored"};
        if (!result) return {false, errcName(result.error().code)};
        return {true, done};
    }

    void writeTrace()
    {
        for (const auto& event : m_events->drain()) {
            // Start and Exit events name every path in full (a snapshot may shorten long ones).
            if (event.kind == EventKind::Start) m_live[event.path].insert(event.pid);
            if (auto it = m_live.find(event.path); event.kind == EventKind::Exit && it != m_live.end()) {
                it->second.erase(event.pid);
                if (it->second.empty()) m_live.erase(it);
            }
            m_trace.write(event);
        }
    }

    void publish(
        EventKind kind, const ScenarioStep& step, std::string path = {}, std::string text = {}, std::string user = {})
    {
        Event e;
        e.kind = kind;
        e.action = stepName(step);
        e.path = std::move(path);
        e.reason = std::move(text);
        e.user = std::move(user);
        m_rt.events().publish(std::move(e));
    }

    void publishReply(const ScenarioStep& step, const Result<finance::Reply>& reply)
    {
        Event e;
        e.kind = EventKind::Reply;
        e.action = stepName(step);
        e.ok = reply.ok();
        if (reply.ok()) {
            e.value = reply->value.toString();
            e.text = reply->text;
            e.id = reply->id.value_or(0);
        } else {
            e.error = errcName(reply.error().code);
            e.reason = reply.error().detail;
        }
        m_rt.events().publish(std::move(e));
    }

    template <typename T> void publishResult(const ScenarioStep& step, const Result<T>& result)
    {
        Event e;
        e.kind = EventKind::StepResult;
        e.action = stepName(step);
        e.ok = result.ok();
        if (!result.ok() && result.error().code == Errc::Ignore) {
            e.ok = true;
            e.ignored = true;
        } else if (!result.ok()) {
            e.error = errcName(result.error().code);
        }
        m_rt.events().publish(std::move(e));
    }

    /// The messages in every mailbox of the runtime now.
    std::int64_t queuedMessages() const
    {
        std::int64_t queued = 0;
        for (const ProcessInfo& p : m_rt.snapshot().processes)
            queued += p.mailbox;
        return queued;
    }

    struct Target {
        Pid pid;
        ProcessKind kind;
    };

    /// The live process at `path`; the oldest if start_child made several.
    std::optional<Target> find(const std::string& path) const
    {
        if (auto it = m_live.find(path); it != m_live.end()) {
            for (Pid pid : it->second) {
                if (auto snapshot = m_rt.info(pid); !snapshot.processes.empty())
                    return Target {pid, snapshot.processes.front().kind};
            }
        }
        return std::nullopt;
    }

    Runtime& m_rt;
    std::shared_ptr<Teardown> m_teardown = std::make_shared<Teardown>();
    std::shared_ptr<Subscription> m_events;
    finance::FinanceClient m_client {m_rt, std::min<milliseconds>(std::chrono::seconds(30), m_options.stepTimeout)};
    TraceWriter m_trace {m_options.trace, m_options.traceLimit};
    std::map<std::string, std::set<Pid>> m_live; ///< path -> pids started there and not yet exited
    mutable std::mutex m_cancelMutex;
    std::condition_variable m_cancelCv;
    bool m_cancelled = false;
};

ScenarioSession::ScenarioSession(Runtime& rt, Scenario scenario, SessionOptions options)
    : d(std::make_unique<Impl>(rt, std::move(scenario), std::move(options)))
{
}

ScenarioSession::~ScenarioSession() = default;

const Scenario& ScenarioSession::scenario() const
{
    return d->m_scenario;
}

std::size_t ScenarioSession::stepCount() const
{
    return d->m_scenario.steps.size();
}

Result<Pid> ScenarioSession::startTree()
{
    if (d->m_root) return Error {Errc::AlreadyStarted, "the session's tree was started before"};
    return d->startTree();
}

Pid ScenarioSession::root() const
{
    return d->m_root;
}

Status ScenarioSession::stopTree(std::chrono::milliseconds timeout)
{
    return d->stopTree(timeout);
}

StepOutcome ScenarioSession::perform(std::size_t index)
{
    return d->perform(d->m_scenario.steps.at(index), index);
}

bool ScenarioSession::settle()
{
    return d->settle();
}

std::uint64_t ScenarioSession::droppedEvents() const
{
    return d->droppedEvents();
}

bool ScenarioSession::traceCut() const
{
    return d->traceCut();
}

void ScenarioSession::cancel()
{
    d->cancel();
}

bool ScenarioSession::isCancelled() const
{
    return d->isCancelled();
}

} // namespace sc
