// RuntimeBridge: the frame tick, the event drain and the actions run off the GUI thread (runtimebridge.h).
#include "ui/bridge/runtimebridge.h"

#include "core/scenario/scenario.h"

#include <algorithm>

namespace sc::ui {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::nanoseconds;

namespace {
// Enough for several seconds of a restart storm in a large tree; beyond it
// the subscription drops and counts instead of growing.
constexpr std::size_t subscriptionCapacity = 200'000;
} // namespace

RuntimeBridge::RuntimeBridge(sc::Runtime& runtime, QObject* parent)
    : ProcessSource(parent)
    , m_runtime(runtime)
    , m_subscription(runtime.events().subscribe(subscriptionCapacity))
    , m_finance(runtime)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &RuntimeBridge::onTimer);
}

RuntimeBridge::~RuntimeBridge()
{
    m_timer.stop();
    m_actions.clear();
    m_actions.waitForDone();
    m_runtime.events().unsubscribe(m_subscription);
}

// -- polling --

void RuntimeBridge::start(std::chrono::milliseconds interval)
{
    m_interval = std::max(interval, std::chrono::milliseconds(1));
    m_sinceLastTick.invalidate();
    m_timer.start(m_interval);
}

void RuntimeBridge::stop()
{
    m_timer.stop();
}

void RuntimeBridge::onTimer()
{
    if (m_sinceLastTick.isValid()) {
        const auto late = duration_cast<microseconds>(nanoseconds(m_sinceLastTick.nsecsElapsed()) - m_interval);
        m_longestStall = std::max(m_longestStall, late);
    }
    m_sinceLastTick.start();
    tick();
}

void RuntimeBridge::tick()
{
    QElapsedTimer clock;
    clock.start();

    m_runtime.snapshot(m_snapshot, sc::PeakRead::Take); // reuses the last snapshot's memory; this is the frame
    const std::vector<sc::Event> events = m_subscription->drain();
    for (const sc::Event& e : events) {
        if (m_lastEventSeq && e.seq > m_lastEventSeq + 1) m_dropped += e.seq - m_lastEventSeq - 1;
        m_lastEventSeq = e.seq;
    }

    Q_EMIT snapshotUpdated(m_snapshot);
    if (!events.empty()) Q_EMIT eventsArrived(events);

    m_lastTick = duration_cast<microseconds>(nanoseconds(clock.nsecsElapsed()));
    m_longestTick = std::max(m_longestTick, m_lastTick);
    Q_EMIT tickFinished(m_lastTick);
}

// -- teaching --

void RuntimeBridge::setPace(std::chrono::milliseconds perMessage)
{
    m_runtime.setPace(perMessage);
}

std::chrono::milliseconds RuntimeBridge::pace() const
{
    return m_runtime.pace();
}

void RuntimeBridge::setPaused(bool paused)
{
    m_runtime.setPaused(paused);
}

bool RuntimeBridge::isPaused() const
{
    return m_runtime.isPaused();
}

void RuntimeBridge::stepOne()
{
    m_runtime.stepOne();
}

// -- actions --

QString RuntimeBridge::describe(sc::Pid pid) const
{
    const sc::ProcessInfo* info = m_snapshot.find(pid);
    if (info && !info->path.empty())
        return tr("%1 (pid %2)")
            .arg(QString::fromUtf8(info->path.data(), static_cast<qsizetype>(info->path.size())))
            .arg(pid);
    return tr("pid %1").arg(pid);
}

void RuntimeBridge::runAction(sc::Pid pid, const QString& action, std::function<Answer()> job)
{
    m_actions.start([this, pid, action, job = std::move(job)] {
        const Answer answer = job();
        postTo(this, [this, pid, action, answer] { Q_EMIT actionFinished(pid, action, answer.ok, answer.message); });
    });
}

void RuntimeBridge::kill(sc::Pid pid)
{
    const QString who = describe(pid);
    runAction(pid, QStringLiteral("kill"), [runtime = &m_runtime, pid, who] {
        if (!runtime->isAlive(pid)) return Answer {false, tr("%1 is not running").arg(who)};
        runtime->kill(pid);
        return Answer {true, tr("Killed %1").arg(who)};
    });
}

void RuntimeBridge::exitProcess(sc::Pid pid, const sc::ExitReason& reason)
{
    const QString who = describe(pid);
    runAction(pid, QStringLiteral("exit"), [runtime = &m_runtime, pid, who, reason] {
        if (!runtime->isAlive(pid)) return Answer {false, tr("%1 is not running").arg(who)};
        runtime->exit(pid, reason);
        return Answer {true, tr("Sent exit(%1) to %2").arg(QString::fromStdString(reason.toString()), who)};
    });
}

void RuntimeBridge::crash(sc::Pid pid)
{
    const QString who = describe(pid);
    runAction(pid, QStringLiteral("crash"), [runtime = &m_runtime, pid, who] {
        if (!runtime->isAlive(pid)) return Answer {false, tr("%1 is not running").arg(who)};
        runtime->crash(pid, "crash requested from the console");
        return Answer {true, tr("Crashed %1 (an exception in its next callback)").arg(who)};
    });
}

void RuntimeBridge::hang(sc::Pid pid)
{
    const QString who = describe(pid);
    runAction(pid, QStringLiteral("hang"), [runtime = &m_runtime, pid, who] {
        if (!runtime->isAlive(pid)) return Answer {false, tr("%1 is not running").arg(who)};
        runtime->hang(pid);
        return Answer {true, tr("%1's next callback hangs until it is killed").arg(who)};
    });
}

void RuntimeBridge::flood(sc::Pid pid, int count)
{
    const QString who = describe(pid);
    runAction(pid, QStringLiteral("flood"), [runtime = &m_runtime, pid, who, count] {
        if (!runtime->isAlive(pid)) return Answer {false, tr("%1 is not running").arg(who)};
        for (int i = 0; i < count; ++i)
            runtime->send(pid, std::string("flood"));
        return Answer {true, tr("Sent %Ln message(s) to %1", nullptr, count).arg(who)};
    });
}

namespace {
QString errorText(const sc::Error& e)
{
    return QString::fromStdString(e.toString()).replace(QLatin1Char('_'), QLatin1Char(' '));
}
} // namespace

void RuntimeBridge::terminateChild(sc::Pid supervisor, const QString& childId)
{
    const QString who = describe(supervisor);
    runAction(supervisor, QStringLiteral("terminate_child"), [runtime = &m_runtime, supervisor, who, childId] {
        const auto r = sc::terminateChild(*runtime, supervisor, childId.toStdString());
        return r ? Answer {true, tr("%1 terminated its child %2").arg(who, childId)}
                 : Answer {false, tr("terminate %1: %2").arg(childId, errorText(r.error()))};
    });
}

void RuntimeBridge::restartChild(sc::Pid supervisor, const QString& childId)
{
    const QString who = describe(supervisor);
    runAction(supervisor, QStringLiteral("restart_child"), [runtime = &m_runtime, supervisor, who, childId] {
        const auto r = sc::restartChild(*runtime, supervisor, childId.toStdString());
        return r ? Answer {true, tr("%1 restarted its child %2").arg(who, childId)}
                 : Answer {false, tr("restart %1: %2").arg(childId, errorText(r.error()))};
    });
}

void RuntimeBridge::startChild(sc::Pid supervisor, sc::ChildSpec spec)
{
    const QString who = describe(supervisor);
    runAction(
        supervisor, QStringLiteral("start_child"), [runtime = &m_runtime, supervisor, who, spec = std::move(spec)] {
            const QString id = QString::fromStdString(spec.id);
            const auto r = sc::startChild(*runtime, supervisor, spec);
            return r ? Answer {true, tr("%1 started its child %2 (pid %3)").arg(who, id).arg(*r)}
                     : Answer {false, tr("start %1: %2").arg(id, errorText(r.error()))};
        });
}

void RuntimeBridge::startWorker(sc::Pid supervisor, const QString& id)
{
    startChild(supervisor, sc::scenarioWorkerSpec(id.toStdString()));
}

void RuntimeBridge::setSupervisorFlags(sc::Pid supervisor, const sc::SupervisorFlags& flags)
{
    const QString who = describe(supervisor);
    runAction(supervisor, QStringLiteral("set_flags"), [runtime = &m_runtime, supervisor, who, flags] {
        const auto r = sc::setSupervisorFlags(*runtime, supervisor, flags);
        return r ? Answer {true,
                   tr("%1 is now %2, at most %3 restarts in %4 ms")
                       .arg(who, QString::fromLatin1(sc::strategyName(flags.strategy)))
                       .arg(flags.intensity)
                       .arg(flags.period.count())}
                 : Answer {false, tr("%1: %2").arg(who, errorText(r.error()))};
    });
}

void RuntimeBridge::describeProcess(sc::Pid pid)
{
    m_actions.start([this, pid] {
        const auto state = m_runtime.describe(pid);
        const auto relations = m_runtime.relations(pid);
        QList<qulonglong> links;
        QList<qulonglong> monitors;
        if (relations) {
            for (sc::Pid p : relations->links)
                links << p;
            for (sc::Pid p : relations->monitoredBy)
                monitors << p;
        }
        const bool ok = state.ok();
        const QString text = ok ? QString::fromStdString(*state) : errorText(state.error());
        postTo(this, [this, pid, ok, text, links, monitors] { Q_EMIT described(pid, ok, text, links, monitors); });
    });
}

} // namespace sc::ui
