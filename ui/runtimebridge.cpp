#include "runtimebridge.h"

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
    : QObject(parent)
    , m_runtime(runtime)
    , m_subscription(runtime.events().subscribe(subscriptionCapacity))
{
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &RuntimeBridge::onTimer);
    // A kill waits until its target is dead; a few threads keep one slow
    // action from holding up the next.
    m_actions.setMaxThreadCount(4);
    m_actions.setObjectName(QStringLiteral("sc-ui-actions"));
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

    m_runtime.snapshot(m_snapshot); // reuses the last snapshot's memory
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
        // Emitted on the pool thread: receivers on the GUI thread get it queued.
        Q_EMIT actionFinished(pid, action, answer.ok, answer.message);
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

} // namespace sc::ui
