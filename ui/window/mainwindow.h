// The main window. Its members are defined by subject: mainwindow.cpp (the
// views and docks, the finance and scenario panels, live updates, settings,
// the File menu), processactions.cpp (the process actions and the context
// menu), teachingcontrols.cpp (pause, step, slow motion) and
// presenterlayout.cpp (presenter mode).
//
// Threading: GUI thread only. Everything it shows comes from its
// RuntimeBridge; everything it asks of the runtime goes through it too, so
// no slot here ever waits for a runtime thread.
#pragma once

#include "core/runtime/events.h"
#include "core/runtime/snapshot.h"

#include <QMainWindow>
#include <QRect>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

class QAction;
class QComboBox;
class QSettings;
class QDockWidget;
class QLineEdit;
class QPlainTextEdit;
class QToolBar;
class QMenu;
class QLabel;
class QTableView;
class QTreeView;

namespace sc::ui {

class AuditLogPanel;
class EventLogModel;
class EventLogPanel;
class Timeline;
class FinanceConsole;
class Inspector;
class TreeGraphView;
class ProcessTreeModel;
class RuntimeBridge;
class RuntimeChart;
class ScenarioPlayer;
class ScenarioPanel;

/// The console: the live process tree in the centre, the event log and a
/// load chart docked below, counters in the status bar. Kill and Exit act on
/// the selected processes at once, without confirmation. When a selected
/// process ends and its supervisor restarts it, the selection follows to the
/// new pid, so a class can kill the same child again and again.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    /// Shows what `bridge` pulls and asks it for every action. The window
    /// starts the bridge's timer; the bridge must outlive the window.
    explicit MainWindow(RuntimeBridge& bridge, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Adds the finance console (a dock on the right) and the live audit log
    /// of the ledger in `dataDir` (a dock beside the events), for a runtime
    /// running the finance tree.
    void addFinancePanels(const QString& dataDir);

    /// The data directory is open read-only (another instance owns it):
    /// the title says "(read-only)", and the finance console, once added,
    /// says `reason` above its forms, which are disabled (nothing here would
    /// answer them). Call before addFinancePanels.
    void setReadOnlyDataDir(const QString& reason);
    bool isReadOnlyDataDir() const { return !m_readOnlyReason.isEmpty(); }
    /// The console's read-only notice; nullptr unless read-only with finance panels.
    QLabel* readOnlyNotice() const { return m_readOnlyNotice; }

    /// Adds the scenario player's dock (steps, Play/Step, speed) and the
    /// Scenarios menu (open a file, the demos). The player must outlive the window.
    void addScenarioPlayer(ScenarioPlayer* player);

    /// Pulls a fresh snapshot, renders the window and writes it as PNG.
    bool saveScreenshot(const QString& file);

    /// The data folder (ledger, logs) that File → Open Data Folder shows.
    void setDataDir(const QString& dir);
    /// --recover-state: restarted finance services rebuild their state from
    /// the ledger. While a finance tree runs, the status bar (and the title,
    /// when recovering) says which, this option or the scenario's
    /// "state_on_restart", so a class knows what a kill will show before the first one.
    void setRecoverState(bool recover);

    // -- teaching --
    /// Large type and a high-contrast palette, for a projector (View menu, F5).
    /// The docks make room for the tree (the bottom ones become one tab group
    /// with the timeline in front, the side column runs the full height) and
    /// the window stays within its screen's available area; leaving restores
    /// the layout and the size it had before.
    void setPresenterMode(bool on);
    bool presenterMode() const { return m_presenterMode; }
    /// The runtime's slow motion (time per message; zero: full speed) and
    /// pause, as the Runtime menu and toolbar set them.
    void setPace(std::chrono::milliseconds perMessage);
    void setRuntimePaused(bool paused);

    // -- settings --
    /// Window geometry, dock layout and theme from `settings` (call after
    /// every dock exists, addFinancePanels included); once called, closing
    /// the window writes them back.
    void restoreSettings();
    void saveSettings() const;
    /// Where they live: "console" of the application's name
    /// (~/.config/Supervision Console/console.conf on Linux).
    static std::unique_ptr<QSettings> openSettings();

    // -- parts, for tests and the app --
    RuntimeBridge* bridge() const { return m_bridge; }
    ProcessTreeModel* processModel() const { return m_processes; }
    EventLogModel* eventModel() const { return m_events; }
    QTreeView* processView() const { return m_processView; }
    FinanceConsole* financeConsole() const { return m_console; }
    AuditLogPanel* auditLog() const { return m_audit; }
    QAction* killAction() const { return m_kill; }
    QAction* shutdownAction() const { return m_shutdown; }
    QAction* crashAction() const { return m_crash; }
    QAction* hangAction() const { return m_hang; }
    QAction* floodAction() const { return m_flood; }
    QAction* terminateChildAction() const { return m_terminateChild; }
    QAction* pauseAction() const { return m_pause; }
    QAction* stepAction() const { return m_stepOne; }
    QAction* presenterAction() const { return m_presenter; }
    QComboBox* speedBox() const { return m_speed; }
    Inspector* inspector() const { return m_inspector; }
    TreeGraphView* graphView() const { return m_graph; }
    EventLogPanel* eventPanel() const { return m_eventPanel; }
    Timeline* timeline() const { return m_timeline; }
    ScenarioPanel* scenarioPanel() const { return m_scenarioPanel; }
    RuntimeChart* chart() const { return m_chart; }
    /// The Log dock's text: the app's spdlog messages (app/ adds the sink).
    QPlainTextEdit* logView() const { return m_log; }
    QMenu* fileMenu() const { return m_fileMenu; }
    /// "Finance restarts: …" in the status bar.
    QLabel* restartModeLabel() const { return m_restartModeLabel; }
    /// What to do first, above the tree on the first launch (restoreSettings
    /// shows it until it is dismissed; the settings remember that).
    QWidget* firstRunHint() const { return m_firstRunHint; }
    void dismissFirstRunHint();

    /// Starts a child under a dynamic supervisor: for the finance tree's
    /// trackers and transactions through the finance console (asking for the
    /// user or the amount), elsewhere a temporary scenario worker "wN".
    void startDynamicChild(sc::Pid supervisor);
    /// Sends `count` plain messages to each selected process (Flood mailbox).
    void floodSelected(int count);

    /// Selects the process and makes it current; false if it is not shown.
    bool selectProcess(sc::Pid pid);
    std::vector<sc::Pid> selectedPids() const;

private:
    /// Bumped when the docks change so much that an old saved layout would mislead.
    static constexpr int layoutVersion = 2;

    struct Follow {
        QString path;
        sc::Pid oldPid = 0;
        std::chrono::steady_clock::time_point until;
    };

    void createActions();
    void createViews();
    void createStatusBar();
    /// Read-only with finance panels: the Finance and Audit log docks shown and in front.
    void showReadOnlyPanels();
    /// A scenario whose root ended keeps its final tree on screen until the next load.
    void showScenarioEnds(ScenarioPlayer* player);
    void createTeachingControls();
    void createFileMenu();
    void createFirstRunHint();
    /// The Scenarios menu's Open action, also in the File menu.
    void addOpenScenarioToFileMenu();
    void updateTitle();
    void showRestartMode();
    /// Presenter mode's dock layout, or the one it replaced.
    void arrangeForPresenter(bool on);
    /// Puts every docked panel of `area` in one tab group, `front` in front.
    void tabifyDockArea(Qt::DockWidgetArea area, QDockWidget* front);
    /// Presenter mode's dock: no title bar (the tabs name it), its panel in a scroll area.
    void presentDock(QDockWidget* dock, bool on);
    /// Presenter mode's toolbars: short labels and a narrower find box and speed list, so both
    /// fit one line in large type at 1280 px (the menus keep the full names).
    void compactToolBars(bool on);
    /// Sizes and moves the window to fill its screen's available area.
    void fitIntoScreen();
    void settleLayout();
    /// A dock of this window in `area`, or tabbed with `tabWith`.
    QDockWidget* addDock(const QString& title, const QString& name, QWidget* widget, Qt::DockWidgetArea area);
    QDockWidget* addDock(const QString& title, const QString& name, QWidget* widget, QDockWidget* tabWith);
    void showPace();
    void closeEvent(QCloseEvent* event) override;
    void applySnapshot(const sc::Snapshot& snapshot);
    void appendEvents(const std::vector<sc::Event>& events);
    /// At most four times a second unless `force`d: a number changing at 30 Hz cannot be read.
    void showTickTime(bool force);
    void showActionResult(const QString& message, bool ok);
    void updateActions();
    void followRestarts(const std::vector<std::pair<sc::Pid, QString>>& selectedBefore);
    void expandInserted(const QModelIndex& parent, int first, int last);
    void expandSubtree(const QModelIndex& index);
    void showContextMenuFor(sc::Pid pid, const QPoint& globalPos);
    bool eventFilter(QObject* watched, QEvent* event) override;

    RuntimeBridge* m_bridge;
    ProcessTreeModel* m_processes;
    EventLogModel* m_events;
    QTreeView* m_processView = nullptr;
    EventLogPanel* m_eventPanel = nullptr;
    Timeline* m_timeline = nullptr;
    RuntimeChart* m_chart = nullptr;
    QDockWidget* m_eventDock = nullptr;
    QMenu* m_viewMenu = nullptr;
    FinanceConsole* m_console = nullptr;
    AuditLogPanel* m_audit = nullptr;

    QAction* m_kill = nullptr;
    QAction* m_shutdown = nullptr;
    QAction* m_crash = nullptr;
    QAction* m_hang = nullptr;
    QAction* m_exitNormal = nullptr;
    QAction* m_flood = nullptr;
    QAction* m_floodWith = nullptr;
    int m_lastFlood = 10'000;
    QAction* m_terminateChild = nullptr;
    /// Children terminated from here, offered for restart in their supervisor's menu.
    QList<std::pair<sc::Pid, QString>> m_terminated;
    Inspector* m_inspector = nullptr;
    TreeGraphView* m_graph = nullptr;
    QToolBar* m_toolBar = nullptr;
    QLineEdit* m_find = nullptr;
    QPlainTextEdit* m_log = nullptr;
    QDockWidget* m_inspectorDock = nullptr;
    ScenarioPlayer* m_player = nullptr;
    QDockWidget* m_financeDock = nullptr;
    /// Numbers the workers started by hand (w1, w2, ...).
    int m_startedByHand = 0;
    ScenarioPanel* m_scenarioPanel = nullptr;
    QAction* m_expandAll = nullptr;
    QAction* m_collapseAll = nullptr;

    QLabel* m_countLabel = nullptr;
    QLabel* m_seqLabel = nullptr;
    QLabel* m_tickLabel = nullptr;
    QLabel* m_droppedLabel = nullptr;
    QLabel* m_paceLabel = nullptr;

    QAction* m_pause = nullptr;
    QAction* m_stepOne = nullptr;
    QAction* m_presenter = nullptr;
    QComboBox* m_speed = nullptr;
    QMenu* m_runtimeMenu = nullptr;
    bool m_presenterMode = false;
    /// What presenter mode replaced, restored when it ends (and saved as the settings meanwhile).
    QByteArray m_stateBeforePresenter;
    QByteArray m_geometryBeforePresenter;
    QRect m_normalBeforePresenter;
    Qt::DockWidgetArea m_cornerBeforePresenter = Qt::BottomDockWidgetArea;

    QMenu* m_fileMenu = nullptr;
    QAction* m_exportAudit = nullptr;
    QAction* m_openDataDir = nullptr;
    QString m_dataDir;
    bool m_recoverState = false;
    bool m_recoverShown = false; ///< a finance tree runs, and recovers
    QLabel* m_restartModeLabel = nullptr;
    QWidget* m_firstRunHint = nullptr;
    /// Set by restoreSettings: closing writes the settings back.
    bool m_remember = false;

    QString m_readOnlyReason;
    QLabel* m_readOnlyNotice = nullptr;
    QLabel* m_readOnlyLabel = nullptr; ///< in the status bar
    QDockWidget* m_auditDock = nullptr;

    std::vector<Follow> m_follow;
    std::uint64_t m_lastSeq = 0;
    /// Unset until the first refresh: the clock's epoch is boot, not "long ago".
    std::optional<std::chrono::steady_clock::time_point> m_lastTickShown;
};

} // namespace sc::ui
