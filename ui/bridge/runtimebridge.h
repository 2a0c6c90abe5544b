// Threading: the one seam between the runtime's threads and the widgets.
// A RuntimeBridge lives on the GUI thread. Its timer runs tick() there, which
// calls only Runtime::snapshot() and Subscription::drain(): each takes a
// short runtime lock and neither waits for a process. snapshotUpdated,
// eventsArrived and tickFinished are emitted from tick(), on the GUI thread.
// User actions (kill(), exitProcess()) return at once: the runtime call runs
// on the bridge's own thread pool, and actionFinished (like described) is
// emitted back on the GUI thread through a queued call. The Runtime must outlive the bridge; the
// destructor waits for actions still running.
#pragma once

#include "ui/bridge/handoff.h"
#include "core/runtime/runtime.h"
#include "core/supervision/supervisor.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace sc::ui {

class RuntimeBridge : public QObject {
    Q_OBJECT

public:
    explicit RuntimeBridge(sc::Runtime& runtime, QObject* parent = nullptr);
    ~RuntimeBridge() override;

    // -- polling --
    /// Starts the timer; about 30 Hz unless changed.
    void start(std::chrono::milliseconds interval = std::chrono::milliseconds(33));
    void stop();
    bool isRunning() const { return m_timer.isActive(); }

    /// The last snapshot taken (empty before the first tick); the next tick overwrites it.
    /// Its mailbox peaks are those since the tick before: the bridge is the
    /// runtime's one frame poller (sc::PeakRead::Take), so make one per runtime.
    const sc::Snapshot& snapshot() const { return m_snapshot; }
    sc::Runtime& runtime() const { return m_runtime; }

    // -- measurements --
    /// How long the last tick took on the GUI thread, listeners included.
    std::chrono::microseconds lastTickTime() const { return m_lastTick; }
    std::chrono::microseconds longestTickTime() const { return m_longestTick; }
    /// The longest gap between two timer ticks beyond the interval: how long
    /// the GUI thread was busy elsewhere.
    std::chrono::microseconds longestStall() const { return m_longestStall; }
    /// Events the subscription dropped because the GUI fell behind, counted
    /// from gaps in the (gap-free) sequence numbers, so reading it takes no lock.
    std::uint64_t droppedEvents() const { return m_dropped; }
    /// Starts the longest-tick and longest-stall measurements afresh (after a warm-up).
    void resetMeasurements() { m_longestTick = m_longestStall = std::chrono::microseconds(0); }

public Q_SLOTS:
    /// One pull: snapshot, drain, emit. The timer calls it; tests may too.
    void tick();

    // -- actions (return at once; actionFinished answers) --
    /// The untrappable kill.
    void kill(sc::Pid pid);
    /// An exit signal from nobody, as erlang:exit(Pid, Reason).
    void exitProcess(sc::Pid pid, const sc::ExitReason& reason);
    /// An exception inside the process's next callback (Runtime::crash).
    void crash(sc::Pid pid);
    /// Its next callback never returns until it is killed (Runtime::hang).
    void hang(sc::Pid pid);
    /// `count` plain messages into its mailbox, to watch it grow and drain.
    void flood(sc::Pid pid, int count);
    /// Asks the process's supervisor to terminate it, or to restart a
    /// terminated child (static supervisors; `childId` is the last path part).
    void terminateChild(sc::Pid supervisor, const QString& childId);
    void restartChild(sc::Pid supervisor, const QString& childId);
    /// Starts `spec` as a new child of a dynamic supervisor.
    void startChild(sc::Pid supervisor, sc::ChildSpec spec);
    /// Changes a running supervisor's strategy and restart intensity.
    void setSupervisorFlags(sc::Pid supervisor, const sc::SupervisorFlags& flags);
    /// The process's state as text (GenServer::describeState) and its links
    /// and monitors, answered by described().
    void describeProcess(sc::Pid pid);

Q_SIGNALS:
    void snapshotUpdated(const sc::Snapshot& snapshot);
    /// Oldest first; not emitted for a tick without events.
    void eventsArrived(const std::vector<sc::Event>& events);
    void tickFinished(std::chrono::microseconds duration);
    /// `action` is a short verb ("kill", "exit"); `message` says what happened in words.
    void actionFinished(sc::Pid pid, const QString& action, bool ok, const QString& message);
    /// The answer to describeProcess: ok false if the process was gone.
    void described(sc::Pid pid, bool ok, const QString& state, const QList<qulonglong>& links,
        const QList<qulonglong>& monitoredBy);

private:
    struct Answer {
        bool ok = true;
        QString message;
    };
    void runAction(sc::Pid pid, const QString& action, std::function<Answer()> job);
    QString describe(sc::Pid pid) const;
    void onTimer();

    sc::Runtime& m_runtime;
    std::shared_ptr<sc::Subscription> m_subscription;
    sc::Snapshot m_snapshot;
    QTimer m_timer;
    std::chrono::milliseconds m_interval {33};
    QElapsedTimer m_sinceLastTick;
    std::chrono::microseconds m_lastTick {0};
    std::chrono::microseconds m_longestTick {0};
    std::chrono::microseconds m_longestStall {0};
    std::uint64_t m_lastEventSeq = 0;
    std::uint64_t m_dropped = 0;
    // A kill waits until its target is dead; a few threads keep one slow
    // action from holding up the next.
    JobPool m_actions {4};
};

} // namespace sc::ui
