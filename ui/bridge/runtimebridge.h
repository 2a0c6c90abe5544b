// RuntimeBridge: the one seam between the runtime and the widgets (snapshots, events, actions, pace).
// Threading: the one seam between the runtime's threads and the widgets,
// and the ProcessSource over our runtime. A RuntimeBridge lives on the GUI
// thread. Its timer runs tick() there, which calls only Runtime::snapshot()
// and Subscription::drain(): each takes a short runtime lock and neither
// waits for a process. snapshotUpdated, eventsArrived and tickFinished are
// emitted from tick(), on the GUI thread. User actions (kill(),
// exitProcess()...) return at once: the runtime call runs on the bridge's own
// thread pool, and actionFinished (like described) is emitted back on the GUI
// thread through a queued call. The teaching controls (pace, pause, step)
// only set the runtime's flags, which takes no wait. Finance requests go
// through finance() (FinanceRequests), a scenario's session through a
// ScenarioController made on this bridge. The Runtime must outlive the
// bridge; the destructor waits for actions and finance calls still running.
#pragma once

#include "core/runtime/runtime.h"
#include "ui/bridge/financerequests.h"
#include "ui/bridge/handoff.h"
#include "ui/bridge/processsource.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace sc::ui {

class RuntimeBridge : public ProcessSource {
    Q_OBJECT

public:
    explicit RuntimeBridge(sc::Runtime& runtime, QObject* parent = nullptr);
    ~RuntimeBridge() override;

    // -- polling --
    /// Starts the timer; about 30 Hz unless changed.
    void start(std::chrono::milliseconds interval = std::chrono::milliseconds(33)) override;
    void stop() override;
    bool isRunning() const override { return m_timer.isActive(); }

    /// The last snapshot taken (empty before the first tick); the next tick overwrites it.
    /// Its mailbox peaks are those since the tick before: the bridge is the
    /// runtime's one frame poller (sc::PeakRead::Take), so make one per runtime.
    const sc::Snapshot& snapshot() const override { return m_snapshot; }
    /// The runtime itself, for the bridge's own parts (ScenarioController)
    /// and for ui/tree's inspector until it asks isPaused() here: widgets ask
    /// the bridge, never the runtime.
    sc::Runtime& runtime() const { return m_runtime; }
    /// The finance services' requests, run off the GUI thread.
    FinanceRequests& finance() { return m_finance; }

    // -- measurements --
    /// How long the last tick took on the GUI thread, listeners included.
    std::chrono::microseconds lastTickTime() const override { return m_lastTick; }
    std::chrono::microseconds longestTickTime() const override { return m_longestTick; }
    /// The longest gap between two timer ticks beyond the interval: how long
    /// the GUI thread was busy elsewhere.
    std::chrono::microseconds longestStall() const { return m_longestStall; }
    /// Events the subscription dropped because the GUI fell behind, counted
    /// from gaps in the (gap-free) sequence numbers, so reading it takes no lock.
    std::uint64_t droppedEvents() const override { return m_dropped; }
    /// Starts the longest-tick and longest-stall measurements afresh (after a warm-up).
    void resetMeasurements() { m_longestTick = m_longestStall = std::chrono::microseconds(0); }

    // -- teaching: the runtime's slow motion, pause and step --
    void setPace(std::chrono::milliseconds perMessage) override;
    std::chrono::milliseconds pace() const override;
    void setPaused(bool paused) override;
    bool isPaused() const override;
    void stepOne() override;

    /// One pull: snapshot, drain, emit. The timer calls it; tests may too.
    void tick() override;

    // -- actions (return at once; actionFinished answers) --
    void kill(sc::Pid pid) override;
    void exitProcess(sc::Pid pid, const sc::ExitReason& reason) override;
    /// Runtime::crash.
    void crash(sc::Pid pid) override;
    /// Runtime::hang.
    void hang(sc::Pid pid) override;
    void flood(sc::Pid pid, int count) override;
    void terminateChild(sc::Pid supervisor, const QString& childId) override;
    void restartChild(sc::Pid supervisor, const QString& childId) override;
    /// A scenario worker (sc::scenarioWorkerSpec), temporary.
    void startWorker(sc::Pid supervisor, const QString& id) override;
    /// Starts `spec` as a new child of a dynamic supervisor.
    void startChild(sc::Pid supervisor, sc::ChildSpec spec);
    void setSupervisorFlags(sc::Pid supervisor, const sc::SupervisorFlags& flags) override;
    /// GenServer::describeState and the process's links and monitors.
    void describeProcess(sc::Pid pid) override;

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
    FinanceRequests m_finance;
    // A kill waits until its target is dead; a few threads keep one slow
    // action from holding up the next.
    JobPool m_actions {4};
};

} // namespace sc::ui
