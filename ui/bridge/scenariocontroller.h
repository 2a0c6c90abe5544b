// The scenario player's controller: the part that drives a ScenarioSession
// on our runtime (starts and stops trees, performs steps, waits for
// quiescence) for the player in ui/scenario, which keeps the state a view shows.
//
// Threading: lives on the GUI thread; every public member is called there.
// It owns one worker thread on which its session does everything that
// blocks; the GUI thread only queues jobs for it and never waits for it,
// except in stopTree (the app's exit). Answers come back as queued calls, so
// every signal is emitted on the GUI thread, tagged with the generation the
// player gave the job (a newer load supersedes an older one's answers). The
// destructor cancels the job in progress (a sleep or a wait for quiescence
// ends at once; a finance call runs to its answer) and joins the thread. The
// Runtime must outlive the controller.
#pragma once

#include "core/scenario/scenario.h"

#include <QObject>
#include <QString>
#include <chrono>
#include <memory>

namespace sc::ui {

class RuntimeBridge;

class ScenarioController : public QObject {
    Q_OBJECT

public:
    /// Drives scenarios on the bridge's runtime.
    explicit ScenarioController(RuntimeBridge& bridge, QObject* parent = nullptr);
    ~ScenarioController() override;

    /// A newer load (or stop) supersedes everything queued or running: the
    /// session in progress is cancelled and older jobs do nothing.
    void supersede(int generation);
    /// Stops the tree started before, if any (its names released), then starts
    /// `scenario`'s and lets it settle: treeStarted, or loadFailed with the
    /// reason. A non-empty `refusal` fails the load with it once the old tree
    /// has stopped (one tree's state at a time).
    void load(int generation, std::shared_ptr<const sc::Scenario> scenario, const sc::SessionOptions& options,
        const QString& refusal);
    /// Performs step `index` of the session of `generation` and waits for
    /// quiescence: stepDone. Nothing if a newer load replaced the session.
    /// An answer whose cascade outlasted `quiescenceTimeout` says so.
    void perform(int generation, int index, std::chrono::milliseconds quiescenceTimeout);
    /// Stops the current tree after the jobs queued before (supersede() first
    /// to cancel them), blocking the GUI thread up to about `timeout`; false
    /// if it did not stop in time. For the app's exit.
    bool stopTree(std::chrono::milliseconds timeout);

Q_SIGNALS:
    void treeStarted(int generation, sc::Pid root);
    void loadFailed(int generation, const QString& message);
    /// `rootAlive`: whether the tree's root was still alive once the step's cascade was over.
    void stepDone(int generation, int index, bool ok, const QString& answer, bool rootAlive);

private:
    class Worker;
    std::unique_ptr<Worker> m_worker;
};

} // namespace sc::ui
