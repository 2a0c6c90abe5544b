// The scenario player: a scenario's state as the views show it (its steps,
// their answers, playing or paused, ended), over the bridge's ScenarioController.
//
// Threading: ScenarioPlayer lives on the GUI thread, and every public member
// is called there. The player owns a ScenarioController
// (ui/bridge), whose worker thread starts and stops trees, performs steps and
// waits for quiescence (all blocking); the GUI thread only queues jobs for it
// and never waits for it. Answers come back as queued calls, so every signal
// is emitted on the GUI thread. The destructor cancels the job in progress (a
// sleep or a wait for quiescence ends at once; a finance call runs to its
// answer) and joins the thread. The bridge's runtime must outlive the player.
#pragma once

#include "core/runtime/events.h"
#include "core/scenario/types.h"
#include "ui/bridge/scenariocontroller.h"

#include <QObject>
#include <QString>
#include <QTimer>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace sc::ui {

class RuntimeBridge;

/// Plays a scenario (the headless runner's JSON format, docs/scenarios.md) on
/// the window's runtime: starts its tree, then performs its steps one at a
/// time, on request (step()) or continuously (play()) with a pause between
/// steps. A step is done when the runtime is quiescent again, so the window
/// shows each step's whole cascade before the next one begins. The player
/// owns the tree it started: loading another scenario stops it first, with
/// every registered name released, so a finance tree can follow a finance tree.
/// When the tree's root ends on its own (it gave up, or was killed or stopped
/// by a step or by hand) the scenario has ended: no step runs against the
/// dead tree until restart() or another load.
class ScenarioPlayer : public QObject {
    Q_OBJECT

public:
    enum class State {
        Empty, ///< nothing loaded, or the last tree failed to start
        Loading, ///< stopping the previous tree and starting this one
        Ready, ///< the tree runs; steps can be performed
        Ended, ///< the tree's root is gone: no step runs until restart() or another load
    };

    /// One step's answer, once it is done.
    struct StepResult {
        bool ok = true;
        QString answer; ///< in words: "total 10.00", "max_children", "root/a is not alive; nothing done"
    };

    /// Plays on the bridge's runtime.
    explicit ScenarioPlayer(RuntimeBridge& bridge, QObject* parent = nullptr);
    ~ScenarioPlayer() override;

    // -- loading --
    /// Where a finance tree keeps its ledger, and --recover-state: used by
    /// every later load.
    void setDataDir(const std::string& dataDir) { m_dataDir = dataDir; }
    const std::string& dataDir() const { return m_dataDir; }
    void setRecoverState(bool recover) { m_recoverState = recover; }
    /// Non-empty: finance scenarios are not started (each load of one fails
    /// with this message) because the data directory is open read-only.
    void setFinanceRefusal(const QString& reason) { m_financeRefusal = reason; }
    /// Stops the tree this player started, if any, and starts `scenario`'s,
    /// paused before step 0. Returns at once: treeStarted or failed answers.
    /// `name` is shown when the scenario has no title (the file's name);
    /// `file`, if it came from one, becomes recentFile().
    void load(const sc::Scenario& scenario, const QString& name, const QString& file = {});
    /// Reads `file` (a path, or a resource such as ":/scenarios/x.json") and
    /// loads it. A file that cannot be read or does not parse emits failed
    /// with the loader's message, changes nothing (the current tree keeps
    /// running) and returns false.
    bool loadFile(const QString& file);
    /// Loads the current scenario again, from step 0 with a fresh tree.
    void restart();
    /// The finance services with no steps, as the window starts them, on
    /// dataDir(): the tree of the Scenarios menu's "Finance tree".
    static sc::Scenario financeTree();
    /// Loads financeTree() as "Finance tree". While finance scenarios are
    /// refused (financeRefusal()), fails as load() does with the reason.
    void loadFinanceTree();
    QString financeRefusal() const { return m_financeRefusal; }
    /// Cancels what is running or queued and stops the current tree (as a
    /// supervisor does: children in reverse start order), blocking the GUI
    /// thread up to about `timeout`; false if the tree did not stop in time
    /// (the runtime's end then kills it). For the app's exit: a finance tree
    /// so stopped closes its readers before its ledger.
    bool stopTree(std::chrono::milliseconds timeout);

    // -- playing --
    /// Performs the remaining steps one after another, stepDelay() apart
    /// (from the end of one to the start of the next). Called while loading,
    /// playing starts once the tree has started. Nothing once ended.
    void play();
    /// Stops playing after the step that is running, if any.
    void pause();
    /// Performs the next step; only when ready and paused, with no step
    /// running (so never once ended). False if it did nothing.
    bool step();
    /// The pause between two steps while playing (the "speed"); 800 ms by default.
    void setStepDelay(std::chrono::milliseconds delay);
    std::chrono::milliseconds stepDelay() const { return m_stepDelay; }
    /// The longest wait for quiescence after a step (60 s by default; from the
    /// next load on); a step whose cascade takes longer is finished with a
    /// note saying so, and play goes on.
    void setQuiescenceTimeout(std::chrono::milliseconds timeout) { m_quiescenceTimeout = timeout; }

    // -- state --
    State state() const { return m_state; }
    bool hasScenario() const { return m_scenario != nullptr; }
    /// The loaded scenario (null before the first load).
    const sc::Scenario* scenario() const { return m_scenario.get(); }
    /// The file's "title", else the name given to load().
    QString title() const;
    QString description() const;
    QString name() const { return m_name; }
    /// The scenario file loaded last (not a demo in the resources), for
    /// "Reopen" and as the open dialog's folder; the app restores it from
    /// its settings. Empty if none.
    QString recentFile() const { return m_recentFile; }
    void setRecentFile(const QString& file) { m_recentFile = file; }
    bool isFinance() const { return m_scenario && m_scenario->finance; }
    /// The root of the tree the player started (once ended, the root that
    /// ended); 0 while loading and while none was started.
    sc::Pid root() const { return m_root; }
    int stepCount() const;
    /// The step the next step() or play() performs; stepCount() when all are done.
    int nextStep() const { return m_next; }
    /// The step being performed, or -1.
    int runningStep() const { return m_running; }
    bool isPlaying() const { return m_playing; }
    bool isFinished() const { return m_state == State::Ready && m_next >= stepCount() && m_running < 0; }
    bool hasEnded() const { return m_state == State::Ended; }
    /// Why the scenario ended, in words: "root gave up (reached max restart
    /// intensity)", "root exited (killed)"; empty unless ended.
    QString endReason() const { return m_endReason; }
    /// One line for step `index`: "kill root/b", "donate 10.00 from alice".
    QString stepText(int index) const;
    /// The answer of a step that is done.
    std::optional<StepResult> stepResult(int index) const;
    /// The last load's error, empty after a successful one.
    QString lastError() const { return m_lastError; }

public Q_SLOTS:
    /// The runtime's events, as the window's RuntimeBridge drains them: a
    /// GiveUp or Exit of the root ends the scenario at once, whether a step
    /// or a hand on the keyboard caused it (a step's end checks it too).
    void noteEvents(const std::vector<sc::Event>& events);

Q_SIGNALS:
    /// load() began: a new list of steps (the panel rebuilds on it).
    void scenarioLoaded();
    void treeStarted(sc::Pid root, bool finance);
    /// A file or tree that could not be loaded, in words.
    void failed(const QString& message);
    void stepStarted(int index);
    void stepFinished(int index, bool ok, const QString& answer);
    /// The last step is done.
    void finished();
    /// The tree's root ended on its own (see State::Ended); `reason` as
    /// endReason(). Emitted again if the root's own event, arriving after a
    /// step's check ended it, says more.
    void ended(const QString& reason);
    /// Anything a view shows changed (state, playing, the current step).
    void stateChanged();

private:
    void startStep();
    void onTreeStarted(int generation, sc::Pid root);
    void onLoadFailed(int generation, const QString& message);
    void onStepDone(int generation, int index, bool ok, const QString& answer, bool rootAlive);
    void onDelayOver();
    /// Ready -> Ended: stops playing and says why.
    void endScenario(const QString& reason);
    /// The root in words: the scenario's root id, or "finance".
    QString rootName() const;

    std::unique_ptr<ScenarioController> m_controller;
    std::shared_ptr<const sc::Scenario> m_scenario;
    QString m_name;
    QString m_recentFile;
    std::string m_dataDir;
    bool m_recoverState = false;
    QString m_financeRefusal;
    State m_state = State::Empty;
    int m_generation = 0; ///< counts loads; answers of an older one are dropped
    sc::Pid m_root = 0;
    int m_next = 0;
    int m_running = -1;
    bool m_playing = false;
    std::vector<std::optional<StepResult>> m_results;
    QString m_lastError;
    QString m_endReason;
    bool m_rootGaveUp = false; ///< the root's GiveUp was seen: its Exit says no more
    std::chrono::milliseconds m_stepDelay {800};
    std::chrono::milliseconds m_quiescenceTimeout {60000};
    QTimer m_delay;
};

} // namespace sc::ui
