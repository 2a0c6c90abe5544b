// The main window: its views and docks, the finance and scenario panels, live updates, settings and the File menu (mainwindow.h).
#include "ui/window/mainwindow.h"

#include "ui/finance/auditlog.h"
#include "ui/common/celldelegate.h"
#include "ui/events/eventlogmodel.h"
#include "ui/events/eventlogpanel.h"
#include "ui/finance/financeconsole.h"
#include "ui/tree/inspector.h"
#include "ui/tree/processtreemodel.h"
#include "ui/bridge/ledgerfeed.h"
#include "ui/bridge/runtimebridge.h"
#include "ui/charts/runtimechart.h"
#include "ui/scenario/scenariomenu.h"
#include "ui/scenario/scenariopanel.h"
#include "ui/scenario/scenarioplayer.h"
#include "ui/common/theme.h"
#include "ui/events/timeline.h"
#include "ui/tree/treegraphview.h"

#include <QAction>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDesktopServices>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFrame>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QShortcut>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>
#include <algorithm>
#include <spdlog/spdlog.h>

namespace sc::ui {

namespace {
// Readable from the back of a classroom on a projector.
constexpr qreal basePointSize = 14.0;
// A selected process that ended is looked for under its path this long.
constexpr std::chrono::seconds followFor {3};
constexpr std::size_t maxFollowed = 16;
constexpr std::chrono::milliseconds statusRefresh {250};
// Every dock can be moved, floated and closed (the View menu brings it back).
constexpr auto kDockFeatures
    = QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable;
} // namespace

MainWindow::MainWindow(RuntimeBridge& bridge, QWidget* parent)
    : QMainWindow(parent)
    , m_bridge(&bridge)
    , m_processes(new ProcessTreeModel(this))
    , m_events(new EventLogModel(this))
{
    setWindowTitle(tr("Supervision Console"));
    setObjectName(QStringLiteral("MainWindow"));
    QFont base = font();
    base.setPointSizeF(std::max(base.pointSizeF(), basePointSize));
    setFont(base);

    createActions();
    createViews();
    createStatusBar();
    createTeachingControls();
    createFirstRunHint();
    setRecoverState(false);

    connect(m_bridge, &RuntimeBridge::snapshotUpdated, this, &MainWindow::applySnapshot);
    connect(m_bridge, &RuntimeBridge::eventsArrived, this, &MainWindow::appendEvents);
    connect(m_bridge, &RuntimeBridge::eventsArrived, m_graph, &TreeGraphView::noteEvents);
    connect(m_bridge, &RuntimeBridge::tickFinished, this, [this] { showTickTime(false); });
    connect(m_bridge, &RuntimeBridge::actionFinished, this,
        [this](sc::Pid, const QString& action, bool ok, const QString& message) {
            showActionResult(message, ok);
            if (ok)
                spdlog::info("{}: {}", action.toStdString(), message.toStdString());
            else
                spdlog::warn("{}: {}", action.toStdString(), message.toStdString());
        });

    // Most of the screen (a projector's included), at least 1500 x 950 where it fits.
    QSize size(1500, 950);
    if (const QScreen* screen = QGuiApplication::primaryScreen())
        size = size.expandedTo(screen->availableGeometry().size() * 9 / 10)
                   .boundedTo(screen->availableGeometry().size());
    resize(size);
    m_bridge->tick();
    m_bridge->start();
}

MainWindow::~MainWindow() = default;

// -- construction --

void MainWindow::createViews()
{
    const QFontMetrics metrics(font());
    const auto columnWidth = [&metrics](const QString& sample) { return metrics.horizontalAdvance(sample) + 40; };
    QFont headerFont = font();
    headerFont.setBold(true);

    m_processView = new QTreeView(this);
    m_processView->setObjectName(QStringLiteral("processTree"));
    m_processView->setModel(m_processes);
    m_processView->setUniformRowHeights(true);
    m_processView->setAlternatingRowColors(true);
    m_processView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_processView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_processView->setAllColumnsShowFocus(true);
    m_processView->setIconSize(QSize(metrics.height() * 3 / 4, metrics.height() * 3 / 4));
    m_processView->setIndentation(metrics.height() + 4);
    m_processView->setContextMenuPolicy(Qt::CustomContextMenu);
    auto* cells = new CellDelegate(m_processView);
    cells->setBarColumn(ProcessTreeModel::MailboxColumn, ProcessTreeModel::SortRole, 10'000);
    m_processView->setItemDelegate(cells);
    QHeaderView* header = m_processView->header();
    header->setFont(headerFont);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setStretchLastSection(true);
    // The name is what a class reads: it keeps a width that shows a whole
    // finance path's last part at depth three, and the other columns scroll.
    header->setSectionResizeMode(ProcessTreeModel::NameColumn, QHeaderView::Interactive);
    header->resizeSection(ProcessTreeModel::NameColumn,
        columnWidth(QStringLiteral("transaction_processor")) + 3 * (metrics.height() + 4) + metrics.height());
    header->resizeSection(ProcessTreeModel::PidColumn, columnWidth(QStringLiteral("000000")));
    header->resizeSection(ProcessTreeModel::KindColumn, columnWidth(QStringLiteral("dynamic_supervisor")));
    header->resizeSection(ProcessTreeModel::StrategyColumn, columnWidth(QStringLiteral("rest_for_one")));
    header->resizeSection(ProcessTreeModel::StatusColumn, columnWidth(QStringLiteral("initializing")));
    header->resizeSection(ProcessTreeModel::MailboxColumn, columnWidth(tr("Mailbox")));
    header->resizeSection(ProcessTreeModel::RestartsColumn, columnWidth(tr("Restarts")));
    header->resizeSection(ProcessTreeModel::HandledColumn, columnWidth(QStringLiteral("00000000")));

    // The tree drawn as a tree in the centre; the same model as a table in a dock.
    m_graph = new TreeGraphView(this);
    m_graph->setObjectName(QStringLiteral("treeGraph"));
    m_graph->setModel(m_processes);
    setCentralWidget(m_graph);
    connect(m_graph, &TreeGraphView::selectionChanged, this, [this](sc::Pid pid) {
        const std::vector<sc::Pid> selected = selectedPids();
        if (pid && (selected.size() != 1 || selected.front() != pid)) selectProcess(pid);
    });
    connect(m_graph, &TreeGraphView::contextMenuRequested, this, &MainWindow::showContextMenuFor);
    // Hovering Kill previews what the supervisor's strategy will take down with the selection.
    if (QWidget* killButton = m_toolBar->widgetForAction(m_kill)) killButton->installEventFilter(this);
    connect(m_kill, &QAction::hovered, this, [this] {
        const std::vector<sc::Pid> pids = selectedPids();
        m_graph->setKillPreview(pids.empty() ? 0 : pids.front());
    });

    m_find = new QLineEdit(this);
    m_find->setObjectName(QStringLiteral("findProcess"));
    m_find->setPlaceholderText(tr("Find a process (Ctrl+F)"));
    m_find->setClearButtonEnabled(true);
    m_find->setMaximumWidth(QFontMetrics(font()).horizontalAdvance(QLatin1Char('M')) * 18);
    m_toolBar->addSeparator();
    m_toolBar->addWidget(m_find);
    auto* findShortcut = new QAction(this);
    findShortcut->setShortcut(QKeySequence::Find);
    addAction(findShortcut);
    connect(findShortcut, &QAction::triggered, m_find, [this] {
        m_find->setFocus();
        m_find->selectAll();
    });
    // Esc in the find box hands the keyboard back to the tree.
    auto* leaveFind = new QShortcut(QKeySequence(Qt::Key_Escape), m_find, nullptr, nullptr, Qt::WidgetShortcut);
    connect(leaveFind, &QShortcut::activated, m_graph, [this] { m_graph->setFocus(Qt::ShortcutFocusReason); });
    connect(m_find, &QLineEdit::returnPressed, this, [this] {
        const int matches = m_graph->search(m_find->text());
        statusBar()->showMessage(matches == 0 ? tr("No process matches \"%1\"").arg(m_find->text())
                                              : tr("%n process(es) match", nullptr, matches),
            4000);
    });

    connect(m_processes, &QAbstractItemModel::rowsInserted, this, &MainWindow::expandInserted);
    connect(m_processView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::updateActions);
    connect(m_processView, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex index = m_processView->indexAt(pos);
        if (index.isValid())
            showContextMenuFor(
                index.data(ProcessTreeModel::PidRole).toULongLong(), m_processView->viewport()->mapToGlobal(pos));
    });
    connect(m_expandAll, &QAction::triggered, m_processView, &QTreeView::expandAll);
    connect(m_collapseAll, &QAction::triggered, m_processView, &QTreeView::collapseAll);

    m_eventPanel = new EventLogPanel(m_events, this);

    m_timeline = new Timeline(this);
    m_timeline->setObjectName(QStringLiteral("timeline"));
    connect(m_bridge, &RuntimeBridge::eventsArrived, m_timeline, &Timeline::append);
    // An event names the pid it happened to; a restarted process has a new one, found by its path.
    const auto selectFromEvent = [this](sc::Pid pid, const QString& path) {
        if (selectProcess(pid)) return;
        const QModelIndex index = m_processes->indexOfPath(path);
        if (index.isValid()) selectProcess(m_processes->pidAt(index));
    };
    connect(m_timeline, &Timeline::eventActivated, this, selectFromEvent);
    connect(m_eventPanel, &EventLogPanel::eventActivated, this, selectFromEvent);

    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(QStringLiteral("logView"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000); // the rotating log file keeps the rest
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);

    m_chart = new RuntimeChart(this);
    connect(m_bridge, &RuntimeBridge::eventsArrived, m_chart, &RuntimeChart::addEvents);
    m_inspector = new Inspector(m_bridge, this);

    // The tree keeps the most room. Below it the timeline, beside the event
    // log and its neighbours (tabs); on the right the panels read one at a
    // time (tabs too), the charts among them, where they have the height.
    QDockWidget* timelineDock
        = addDock(tr("Timeline"), QStringLiteral("timelineDock"), m_timeline, Qt::BottomDockWidgetArea);
    QDockWidget* eventDock = m_eventDock
        = addDock(tr("Events"), QStringLiteral("eventDock"), m_eventPanel, Qt::BottomDockWidgetArea);
    splitDockWidget(timelineDock, eventDock, Qt::Horizontal);
    QDockWidget* tableDock = addDock(tr("Process table"), QStringLiteral("tableDock"), m_processView, eventDock);
    QDockWidget* logDock = addDock(tr("Log"), QStringLiteral("logDock"), m_log, eventDock);
    eventDock->raise();
    m_inspectorDock = addDock(tr("Inspector"), QStringLiteral("inspectorDock"), m_inspector, Qt::RightDockWidgetArea);
    QDockWidget* chartDock = addDock(tr("Charts"), QStringLiteral("chartDock"), m_chart, m_inspectorDock);
    m_inspectorDock->raise();
    resizeDocks({timelineDock, eventDock}, {11, 9}, Qt::Horizontal);
    resizeDocks({eventDock}, {metrics.height() * 11}, Qt::Vertical);
    resizeDocks({m_inspectorDock}, {width() / 3}, Qt::Horizontal);

    QMenu* view = m_viewMenu = menuBar()->addMenu(tr("&View"));
    auto* fit = view->addAction(tr("&Fit tree to window"), m_graph, &TreeGraphView::fitToWindow);
    fit->setShortcut(QKeySequence(Qt::Key_F));
    auto* zoomIn = view->addAction(tr("Zoom &in"), m_graph, &TreeGraphView::zoomIn);
    zoomIn->setShortcut(QKeySequence::ZoomIn);
    auto* zoomOut = view->addAction(tr("Zoom &out"), m_graph, &TreeGraphView::zoomOut);
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    view->addSeparator();
    view->addAction(m_expandAll);
    view->addAction(m_collapseAll);
    view->addSeparator();
    view->addAction(timelineDock->toggleViewAction());
    view->addAction(eventDock->toggleViewAction());
    view->addAction(chartDock->toggleViewAction());
    view->addAction(tableDock->toggleViewAction());
    view->addAction(logDock->toggleViewAction());
    view->addAction(m_inspectorDock->toggleViewAction());

    updateActions();
}

QDockWidget* MainWindow::addDock(const QString& title, const QString& name, QWidget* widget, Qt::DockWidgetArea area)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(name);
    dock->setFeatures(kDockFeatures);
    dock->setWidget(widget);
    addDockWidget(area, dock);
    return dock;
}

QDockWidget* MainWindow::addDock(const QString& title, const QString& name, QWidget* widget, QDockWidget* tabWith)
{
    QDockWidget* dock = addDock(title, name, widget, dockWidgetArea(tabWith));
    tabifyDockWidget(tabWith, dock);
    return dock;
}

void MainWindow::addFinancePanels(const QString& dataDir)
{
    if (m_console) return;
    m_console = new FinanceConsole(m_bridge->finance(), this);
    m_console->setObjectName(QStringLiteral("financeConsole"));
    // The console scrolls rather than squeeze the tree on a small screen.
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    if (m_readOnlyReason.isEmpty()) {
        scroll->setWidget(m_console);
    } else {
        // No finance tree runs in this window: the forms could only time out.
        m_console->setEnabled(false);
        m_readOnlyNotice = new QLabel(m_readOnlyReason, this);
        m_readOnlyNotice->setObjectName(QStringLiteral("readOnlyNotice"));
        m_readOnlyNotice->setWordWrap(true);
        m_readOnlyNotice->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_readOnlyNotice->setFont(m_console->font()); // as large as the forms it explains
        m_readOnlyNotice->setStyleSheet(theme::noticeStyleSheet());
        auto* page = new QWidget(this);
        auto* column = new QVBoxLayout(page);
        column->addWidget(m_readOnlyNotice);
        column->addWidget(m_console);
        scroll->setWidget(page);
    }
    QDockWidget* consoleDock = m_financeDock
        = addDock(tr("Finance"), QStringLiteral("financeDock"), scroll, m_inspectorDock);
    consoleDock->raise();
    // Wide enough for the whole console beside its vertical scroll bar.
    resizeDocks({consoleDock},
        {m_console->sizeHint().width() + style()->pixelMetric(QStyle::PM_ScrollBarExtent) + 2 * scroll->frameWidth()
            + 12},
        Qt::Horizontal);
    connect(m_console, &FinanceConsole::answered, this, [this](const QString& action, bool ok, const QString& text) {
        showActionResult(action + QStringLiteral(": ") + text, ok);
        spdlog::info("finance {}: {}", action.toStdString(), text.toStdString());
    });

    // One feed reads the ledger for both: the table and the chart's donations.
    auto* ledgerFeed = new LedgerFeed(dataDir, this);
    m_audit = new AuditLogPanel(ledgerFeed, this);
    m_audit->setObjectName(QStringLiteral("auditLog"));
    connect(ledgerFeed, &LedgerFeed::recordsArrived, m_chart, &RuntimeChart::addLedgerRecords);
    QDockWidget* auditDock = m_auditDock = addDock(tr("Audit log"), QStringLiteral("auditDock"), m_audit, m_eventDock);
    m_eventDock->raise();
    showReadOnlyPanels();

    m_viewMenu->addAction(consoleDock->toggleViewAction());
    m_viewMenu->addAction(auditDock->toggleViewAction());
    m_exportAudit->setVisible(true);
    connect(m_audit, &AuditLogPanel::exported, this,
        [this](bool ok, const QString& message) { showActionResult(message, ok); });
}

void MainWindow::setReadOnlyDataDir(const QString& reason)
{
    m_readOnlyReason = reason;
    updateTitle();
    // Also where no title bar shows (a projector in full screen, a screenshot).
    if (!m_readOnlyLabel) {
        m_readOnlyLabel = new QLabel(tr("Read-only data folder"), this);
        m_readOnlyLabel->setObjectName(QStringLiteral("readOnlyLabel"));
        m_readOnlyLabel->setContentsMargins(12, 0, 12, 0);
        // A font and a palette, not a style sheet: a style sheet would drop the window's type size here.
        QFont bold = font();
        bold.setBold(true);
        m_readOnlyLabel->setFont(bold);
        QPalette palette = m_readOnlyLabel->palette();
        palette.setColor(QPalette::WindowText, theme::warnColor());
        m_readOnlyLabel->setPalette(palette);
        statusBar()->insertPermanentWidget(0, m_readOnlyLabel);
    }
    m_readOnlyLabel->setToolTip(reason);
    m_readOnlyLabel->setVisible(!reason.isEmpty());
    // An empty tree would look like a fault; say why, and what there is to do.
    m_graph->setEmptyText(reason.isEmpty() ? tr("No processes")
                                           : tr("Read-only data folder: the finance tree runs in the window that owns "
                                                "it.\nThe demos of the Scenarios menu play here."));
}

void MainWindow::showReadOnlyPanels()
{
    // Read-only, the ledger and the reason are what there is to see.
    if (m_readOnlyReason.isEmpty() || !m_auditDock) return;
    for (QDockWidget* dock : {m_financeDock, m_auditDock}) {
        dock->show();
        dock->raise();
    }
}

void MainWindow::addScenarioPlayer(ScenarioPlayer* player)
{
    if (m_player) return;
    m_player = player;
    m_scenarioPanel = new ScenarioPanel(player, this);
    m_scenarioPanel->setFeatures(kDockFeatures);
    addDockWidget(Qt::RightDockWidgetArea, m_scenarioPanel);
    tabifyDockWidget(m_inspectorDock, m_scenarioPanel);
    m_viewMenu->addAction(m_scenarioPanel->toggleViewAction());
    QMenu* scenarios = new QMenu(tr("&Scenarios"), this);
    menuBar()->insertMenu(m_runtimeMenu->menuAction(), scenarios);
    fillScenarioMenu(scenarios, player);
    addOpenScenarioToFileMenu();
    connect(player, &ScenarioPlayer::treeStarted, this, &MainWindow::showRestartMode);
    connect(player, &ScenarioPlayer::failed, this, [this](const QString& message) {
        showActionResult(message, false);
        spdlog::warn("scenario: {}", message.toStdString());
    });
    connect(player, &ScenarioPlayer::scenarioLoaded, this, [this, player] {
        // A scenario picked while the window shows something else comes to the front.
        if (player->stepCount() > 0) m_scenarioPanel->raise();
        spdlog::info("scenario {} loaded: {} steps", player->name().toStdString(), player->stepCount());
    });
    connect(player, &ScenarioPlayer::stepFinished, this, [player](int index, bool ok, const QString& answer) {
        spdlog::info("scenario step {} ({}): {}{}", index + 1, player->stepText(index).toStdString(),
            ok ? "" : "failed: ", answer.toStdString());
    });
    connect(player, &ScenarioPlayer::treeStarted, this, [player] {
        const int steps = player->stepCount();
        spdlog::info("scenario {}: the tree runs; {}", player->name().toStdString(),
            player->isPlaying() ? std::string("playing")
                : steps > 0     ? fmt::format("stopped before step 1 of {}", steps)
                                : std::string("no steps"));
    });
    // "Finance tree" is the way back to the finance services: their console comes to the front
    // (queued: the app adds the finance panels on this same signal).
    connect(
        player, &ScenarioPlayer::treeStarted, this,
        [this, player](sc::Pid, bool finance) {
            if (!finance || player->stepCount() > 0 || !m_financeDock) return;
            m_financeDock->show();
            m_financeDock->raise();
        },
        Qt::QueuedConnection);
    showScenarioEnds(player);
}

void MainWindow::showScenarioEnds(ScenarioPlayer* player)
{
    // The player learns of its root's end from the same events the views get.
    connect(m_bridge, &RuntimeBridge::eventsArrived, player, &ScenarioPlayer::noteEvents);
    // The final tree, crossed out where it gave up, stays until the teacher restarts or loads
    // another: the ghosts of what ended are held, and a new tree's processes replace them.
    connect(player, &ScenarioPlayer::ended, this, [this](const QString& reason) {
        m_graph->setGhostsHeld(true);
        m_scenarioPanel->raise(); // where the restart is offered
        spdlog::info("scenario ended: {}", reason.toStdString());
    });
    connect(player, &ScenarioPlayer::scenarioLoaded, this, [this] { m_graph->setGhostsHeld(false); });
}

void MainWindow::createStatusBar()
{
    // Each label is as wide as its widest likely text, so the bar does not
    // jitter as the numbers change four times a second.
    const QFontMetrics metrics(font());
    const auto makeLabel = [this, &metrics](const QString& widest) {
        auto* label = new QLabel(this);
        label->setContentsMargins(12, 0, 12, 0);
        label->setMinimumWidth(metrics.horizontalAdvance(widest) + 24);
        statusBar()->addPermanentWidget(label);
        return label;
    };
    m_droppedLabel = makeLabel(tr("%1 events dropped").arg(999999));
    m_droppedLabel->setStyleSheet(QStringLiteral("color: %1; font-weight: bold;").arg(theme::errorColor().name()));
    m_droppedLabel->hide();
    m_countLabel = makeLabel(tr("Processes: %1").arg(99999));
    m_seqLabel = makeLabel(tr("Events: #%1").arg(9999999));
    m_tickLabel = makeLabel(tr("Refresh: %1 ms (max %2 ms)").arg(QStringLiteral("88.8"), QStringLiteral("888.8")));
    m_tickLabel->setToolTip(tr("GUI-thread time of one refresh (snapshot, event drain and view updates), "
                               "and the longest so far"));
}

// -- settings --

std::unique_ptr<QSettings> MainWindow::openSettings()
{
    return std::make_unique<QSettings>(QCoreApplication::applicationName(), QStringLiteral("console"));
}

void MainWindow::restoreSettings()
{
    m_remember = true;
    const auto settings = openSettings();
    if (const QByteArray geometry = settings->value(QStringLiteral("window/geometry")).toByteArray();
        !geometry.isEmpty())
        restoreGeometry(geometry);
    if (const QByteArray state = settings->value(QStringLiteral("window/state")).toByteArray(); !state.isEmpty())
        restoreState(state, layoutVersion);
    setPresenterMode(settings->value(QStringLiteral("theme")).toString() == QLatin1String("presenter"));
    showReadOnlyPanels(); // whatever the saved layout hid
    m_firstRunHint->setVisible(!settings->value(QStringLiteral("hints/firstRunDismissed")).toBool());
    if (m_player && m_player->recentFile().isEmpty())
        m_player->setRecentFile(settings->value(QStringLiteral("scenario/last")).toString());
}

void MainWindow::saveSettings() const
{
    const auto settings = openSettings();
    // In presenter mode, the layout it replaced: presenter mode arranges its own from that one.
    settings->setValue(QStringLiteral("window/geometry"), m_presenterMode ? m_geometryBeforePresenter : saveGeometry());
    settings->setValue(
        QStringLiteral("window/state"), m_presenterMode ? m_stateBeforePresenter : saveState(layoutVersion));
    settings->setValue(
        QStringLiteral("theme"), m_presenterMode ? QStringLiteral("presenter") : QStringLiteral("standard"));
    if (m_player && !m_player->recentFile().isEmpty())
        settings->setValue(QStringLiteral("scenario/last"), m_player->recentFile());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_remember) saveSettings();
    QMainWindow::closeEvent(event);
}

// -- live updates --

void MainWindow::applySnapshot(const sc::Snapshot& snapshot)
{
    std::vector<std::pair<sc::Pid, QString>> selectedBefore;
    for (const QModelIndex& index : m_processView->selectionModel()->selectedRows())
        selectedBefore.emplace_back(m_processes->pidAt(index), index.data(ProcessTreeModel::PathRole).toString());

    m_processes->apply(snapshot);
    m_chart->addSample(snapshot);
    followRestarts(selectedBefore);

    m_lastSeq = std::max(m_lastSeq, snapshot.lastSeq);
    m_countLabel->setText(tr("Processes: %1").arg(m_processes->processCount()));
    m_seqLabel->setText(tr("Events: #%1").arg(m_lastSeq));
    if (const std::uint64_t dropped = m_bridge->droppedEvents()) {
        m_droppedLabel->setText(tr("%1 events dropped").arg(dropped));
        m_droppedLabel->show();
    }
}

void MainWindow::appendEvents(const std::vector<sc::Event>& events)
{
    m_events->append(events);
    m_lastSeq = std::max(m_lastSeq, events.back().seq);
    m_seqLabel->setText(tr("Events: #%1").arg(m_lastSeq));
}

void MainWindow::showTickTime(bool force)
{
    const auto now = std::chrono::steady_clock::now();
    if (!force && m_lastTickShown && now - *m_lastTickShown < statusRefresh) return;
    m_lastTickShown = now;
    const auto ms = [](std::chrono::microseconds us) {
        return QString::number(std::chrono::duration<double, std::milli>(us).count(), 'f', 1);
    };
    m_tickLabel->setText(
        tr("Refresh: %1 ms (max %2 ms)").arg(ms(m_bridge->lastTickTime()), ms(m_bridge->longestTickTime())));
}

void MainWindow::showActionResult(const QString& message, bool ok)
{
    statusBar()->setStyleSheet(
        ok ? QString() : QStringLiteral("QStatusBar { color: %1; }").arg(theme::errorColor().name()));
    statusBar()->showMessage(message, 5000);
}

void MainWindow::followRestarts(const std::vector<std::pair<sc::Pid, QString>>& selectedBefore)
{
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [pid, path] : selectedBefore) {
        // Looking a path up is linear in the tree: follow a handful, not a mass selection.
        if (m_follow.size() < maxFollowed && !m_processes->indexOfPid(pid).isValid())
            m_follow.push_back({path, pid, now + followFor});
    }
    if (m_follow.empty()) return;

    QItemSelectionModel* selection = m_processView->selectionModel();
    std::erase_if(m_follow, [&](const Follow& follow) {
        const QModelIndex found = m_processes->indexOfPath(follow.path);
        if (found.isValid() && m_processes->pidAt(found) != follow.oldPid) {
            const auto flags = QItemSelectionModel::Select | QItemSelectionModel::Rows;
            if (!selection->currentIndex().isValid())
                selection->setCurrentIndex(found, flags);
            else
                selection->select(found, flags);
            return true;
        }
        return now > follow.until;
    });
}

void MainWindow::expandInserted(const QModelIndex& parent, int first, int last)
{
    for (int row = first; row <= last; ++row)
        expandSubtree(m_processes->index(row, 0, parent));
}

void MainWindow::expandSubtree(const QModelIndex& index)
{
    if (!m_processes->hasChildren(index)) return;
    m_processView->expand(index);
    const int rows = m_processes->rowCount(index);
    for (int row = 0; row < rows; ++row)
        expandSubtree(m_processes->index(row, 0, index));
}

// -- the selection --

void MainWindow::updateActions()
{
    const bool any = m_processView->selectionModel()->hasSelection();
    for (QAction* a : {m_kill, m_crash, m_hang, m_shutdown, m_exitNormal, m_flood, m_floodWith, m_terminateChild})
        a->setEnabled(any);
    if (m_graph) {
        const std::vector<sc::Pid> pids = selectedPids();
        if (!pids.empty() && m_graph->selectedPid() != pids.front()) m_graph->selectPid(pids.front());
    }
    if (m_chart) m_chart->setSelectedProcesses(selectedPids());
    if (m_inspector) {
        const std::vector<sc::Pid> pids = selectedPids();
        m_inspector->inspect(pids.size() == 1 ? pids.front() : 0);
    }
}

// -- the File menu, the restart mode, the first-run hint --

void MainWindow::createFileMenu()
{
    m_fileMenu = menuBar()->addMenu(tr("&File"));
    // Open Scenario… joins at the top with the scenario player (addOpenScenarioToFileMenu).
    m_exportAudit = m_fileMenu->addAction(tr("&Export Audit Log…"), this, [this] {
        if (!m_audit) return;
        m_auditDock->show();
        m_auditDock->raise();
        m_audit->chooseExportFile(); // the panel and the status bar say how it went
    });
    m_exportAudit->setStatusTip(tr("Write the finance ledger's audit log to a CSV file"));
    m_exportAudit->setVisible(false); // there is no audit log before the finance panels

    QAction* screenshot = m_fileMenu->addAction(tr("Save Scree&nshot…"), this, [this] {
        const QString pictures = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
        const QString file = QFileDialog::getSaveFileName(this, tr("Save Screenshot"),
            QDir(pictures.isEmpty() ? QDir::homePath() : pictures).filePath(QStringLiteral("supervision-console.png")),
            tr("PNG images (*.png)"));
        if (file.isEmpty()) return;
        const bool saved = saveScreenshot(file);
        showActionResult(saved ? tr("Saved a screenshot of the window to %1").arg(QDir::toNativeSeparators(file))
                               : tr("Cannot write the screenshot to %1").arg(QDir::toNativeSeparators(file)),
            saved);
    });
    screenshot->setStatusTip(tr("Save a picture of the whole window as PNG"));

    m_openDataDir = m_fileMenu->addAction(tr("Open &Data Folder"), this, [this] {
        if (!QDesktopServices::openUrl(QUrl::fromLocalFile(m_dataDir)))
            showActionResult(tr("No file manager opened %1").arg(QDir::toNativeSeparators(m_dataDir)), false);
    });
    m_openDataDir->setVisible(false); // until setDataDir

    m_fileMenu->addSeparator();
    auto* quit = m_fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
}

void MainWindow::addOpenScenarioToFileMenu()
{
    // The Scenarios menu's own action: one place that opens files, one owner of Ctrl+O.
    const QKeySequence open(QKeySequence::Open);
    for (QMenu* menu : findChildren<QMenu*>()) {
        if (menu == m_fileMenu) continue;
        for (QAction* action : menu->actions()) {
            if (action->shortcut() == open) {
                m_fileMenu->insertAction(m_fileMenu->actions().value(0), action);
                m_fileMenu->insertSeparator(m_fileMenu->actions().value(1));
                return;
            }
        }
    }
}

void MainWindow::setDataDir(const QString& dir)
{
    m_dataDir = dir;
    m_openDataDir->setVisible(!dir.isEmpty());
    m_openDataDir->setStatusTip(
        tr("Show %1 (the ledger and the logs) in the file manager").arg(QDir::toNativeSeparators(dir)));
}

void MainWindow::setRecoverState(bool recover)
{
    m_recoverState = recover;
    if (!m_restartModeLabel) {
        m_restartModeLabel = new QLabel(this);
        m_restartModeLabel->setObjectName(QStringLiteral("restartModeLabel"));
        m_restartModeLabel->setContentsMargins(12, 0, 12, 0);
        statusBar()->insertPermanentWidget(0, m_restartModeLabel);
    }
    showRestartMode();
}

void MainWindow::showRestartMode()
{
    // The finance tree's own mode: --recover-state, or a scenario's "state_on_restart": "recover".
    // A demo without finance services has none to show.
    const bool finance = !m_player || m_player->isFinance();
    const bool recover = m_recoverState || (m_player && m_player->isFinance() && m_player->scenario()->recoverState);
    m_restartModeLabel->setVisible(finance);
    m_restartModeLabel->setText(recover ? tr("Finance restarts: recover state") : tr("Finance restarts: reset"));
    m_restartModeLabel->setToolTip(recover
            ? tr("A restarted finance service (a tracker, the pool, the accounts) rebuilds its state from the "
                 "ledger's records (--recover-state, or the scenario's \"state_on_restart\": \"recover\"), so "
                 "a kill loses nothing.")
            : tr("A restarted finance service (a tracker, the pool, the accounts) starts from its empty initial "
                 "state, as an OTP restart does: a kill loses what it held. --recover-state rebuilds it from the "
                 "ledger instead."));
    // Bold where it differs from OTP's default, which is what a class would not expect.
    QFont f = m_restartModeLabel->font();
    f.setBold(recover);
    m_restartModeLabel->setFont(f);
    m_recoverShown = finance && recover;
    updateTitle();
}

void MainWindow::updateTitle()
{
    QStringList notes;
    if (!m_readOnlyReason.isEmpty()) notes << tr("read-only");
    if (m_recoverShown) notes << tr("recover mode");
    setWindowTitle(notes.isEmpty() ? tr("Supervision Console")
                                   : tr("Supervision Console (%1)").arg(notes.join(QStringLiteral(", "))));
}

void MainWindow::createFirstRunHint()
{
    // A strip above the tree rather than over it: it covers no node, and the tree's Fit counts
    // without it. One or two lines, and it goes away with one click.
    auto* hint = new QFrame(this);
    hint->setObjectName(QStringLiteral("firstRunHint"));
    hint->setFrameShape(QFrame::StyledPanel);
    hint->setAutoFillBackground(true);
    QPalette palette = hint->palette();
    palette.setColor(QPalette::Window, theme::selectionColor().lighter(185));
    palette.setColor(QPalette::WindowText, Qt::black);
    hint->setPalette(palette);
    auto* text = new QLabel(
        tr("New here? Select a process and press K to kill it, or pick a demo in Scenarios."),
        hint);
    text->setObjectName(QStringLiteral("firstRunText"));
    text->setWordWrap(true);
    auto* dismiss = new QPushButton(tr("Got it"), hint);
    dismiss->setObjectName(QStringLiteral("firstRunDismiss"));
    connect(dismiss, &QPushButton::clicked, this, &MainWindow::dismissFirstRunHint);
    auto* row = new QHBoxLayout(hint);
    row->setContentsMargins(8, 2, 8, 2);
    row->addWidget(text, 1);
    row->addWidget(dismiss, 0, Qt::AlignVCenter);
    hint->hide(); // restoreSettings shows it on the first launch
    m_firstRunHint = hint;

    auto* area = new QWidget(this);
    area->setObjectName(QStringLiteral("treeArea"));
    auto* column = new QVBoxLayout(area);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    column->addWidget(hint);
    column->addWidget(takeCentralWidget(), 1); // the tree
    setCentralWidget(area);
}

void MainWindow::dismissFirstRunHint()
{
    m_firstRunHint->hide();
    // At once, not on close: a hint dismissed before a crash stays dismissed.
    if (m_remember) openSettings()->setValue(QStringLiteral("hints/firstRunDismissed"), true);
}

bool MainWindow::saveScreenshot(const QString& file)
{
    m_bridge->tick();
    showTickTime(true);
    // Let the labels and views lay out what the tick changed before the grab.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    return grab().save(file, "PNG");
}

} // namespace sc::ui
