// The main window's process actions: Kill, Crash, Hang, the exit signals, Flood,
// Terminate child and Start a child, with the tree's context menu that offers
// them and the supervisor settings; each asks the bridge, which answers later.
#include "ui/window/mainwindow.h"

#include "ui/bridge/runtimebridge.h"
#include "ui/charts/runtimechart.h"
#include "ui/common/theme.h"
#include "ui/finance/financeconsole.h"
#include "ui/tree/inspector.h"
#include "ui/tree/processtreemodel.h"
#include "ui/tree/treegraphview.h"

#include <QAction>
#include <QDockWidget>
#include <QEvent>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QToolBar>
#include <QTreeView>
#include <algorithm>

namespace sc::ui {

void MainWindow::createActions()
{
    m_kill = new QAction(theme::actionIcon(theme::ActionIcon::Kill), tr("&Kill"), this);
    m_kill->setShortcuts({QKeySequence(Qt::Key_Delete), QKeySequence(Qt::Key_K)});
    m_kill->setToolTip(tr("Kill the selected process: an untrappable exit, its terminate() does not run (Del, K)"));
    connect(m_kill, &QAction::triggered, this, [this] {
        for (sc::Pid pid : selectedPids())
            m_bridge->kill(pid);
    });

    m_shutdown = new QAction(theme::actionIcon(theme::ActionIcon::Shutdown), tr("E&xit: shutdown"), this);
    m_shutdown->setShortcut(QKeySequence(Qt::Key_S));
    m_shutdown->setToolTip(tr("Send the selected process the exit signal 'shutdown' (S); "
                              "a process that traps exits receives it as a message"));
    connect(m_shutdown, &QAction::triggered, this, [this] {
        for (sc::Pid pid : selectedPids())
            m_bridge->exitProcess(pid, sc::ExitReason::shutdown());
    });

    auto forEachSelected = [this](auto act) {
        return [this, act] {
            for (sc::Pid pid : selectedPids())
                act(pid);
        };
    };
    m_crash = new QAction(tr("&Crash"), this);
    m_crash->setShortcut(QKeySequence(Qt::Key_C));
    m_crash->setToolTip(tr("Raise an exception inside the selected process's next callback (C): "
                           "its terminate() runs and it ends with an error"));
    connect(m_crash, &QAction::triggered, this, forEachSelected([this](sc::Pid pid) { m_bridge->crash(pid); }));
    m_hang = new QAction(tr("&Hang"), this);
    m_hang->setShortcut(QKeySequence(Qt::Key_H));
    m_hang->setToolTip(tr("Make the selected process's next callback never return (H): the runtime keeps serving "
                          "the others, shows it stuck after a few seconds, and a kill ends it"));
    connect(m_hang, &QAction::triggered, this, forEachSelected([this](sc::Pid pid) { m_bridge->hang(pid); }));

    m_exitNormal = new QAction(tr("Exit: &normal"), this);
    m_exitNormal->setShortcut(QKeySequence(Qt::Key_N));
    m_exitNormal->setToolTip(tr("Send the exit signal 'normal' (N): ignored unless the process traps exits"));
    connect(m_exitNormal, &QAction::triggered, this,
        forEachSelected([this](sc::Pid pid) { m_bridge->exitProcess(pid, sc::ExitReason::normal()); }));

    m_flood = new QAction(tr("&Flood mailbox (100,000)"), this);
    m_flood->setShortcut(QKeySequence(Qt::Key_M));
    m_flood->setToolTip(tr("Send 100,000 messages to the selected process (M) and watch its mailbox"));
    connect(m_flood, &QAction::triggered, this, [this] { floodSelected(100'000); });
    m_floodWith = new QAction(tr("Flood mailbox &with…"), this);
    m_floodWith->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_M));
    m_floodWith->setToolTip(tr("Send as many messages as you choose to the selected process (Shift+M)"));
    connect(m_floodWith, &QAction::triggered, this, [this] {
        bool ok = false;
        const int count = QInputDialog::getInt(
            this, tr("Flood mailbox"), tr("Messages to send:"), m_lastFlood, 1, 1'000'000, 1000, &ok);
        if (!ok) return;
        m_lastFlood = count;
        floodSelected(count);
    });

    m_terminateChild = new QAction(tr("&Terminate child"), this);
    m_terminateChild->setShortcut(QKeySequence(Qt::Key_T));
    m_terminateChild->setToolTip(tr("Ask the selected process's supervisor to terminate it (T); "
                                    "its supervisor's menu can restart it"));
    connect(m_terminateChild, &QAction::triggered, this, forEachSelected([this](sc::Pid pid) {
        const QModelIndex index = m_processes->indexOfPid(pid);
        const QModelIndex parent = index.parent();
        if (!parent.isValid()) return;
        const sc::Pid supervisor = parent.data(ProcessTreeModel::PidRole).toULongLong();
        const QString id = index.data(ProcessTreeModel::PathRole).toString().section(QLatin1Char('/'), -1);
        m_terminated.append({supervisor, id});
        m_bridge->terminateChild(supervisor, id);
    }));

    // Ctrl++ and Ctrl+- are the zoom keys (View menu); a second binding would make both ambiguous.
    m_expandAll = new QAction(tr("&Expand all"), this);
    m_expandAll->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_collapseAll = new QAction(tr("&Collapse all"), this);
    m_collapseAll->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));

    createFileMenu();
    QMenu* process = menuBar()->addMenu(tr("&Process"));
    process->addAction(m_kill);
    process->addAction(m_crash);
    process->addAction(m_hang);
    process->addAction(m_shutdown);
    process->addAction(m_exitNormal);
    process->addAction(m_flood);
    process->addAction(m_floodWith);
    process->addAction(m_terminateChild);

    QToolBar* tools = m_toolBar = addToolBar(tr("Process"));
    tools->setObjectName(QStringLiteral("processToolBar"));
    tools->setMovable(false);
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tools->setIconSize(QSize(28, 28));
    tools->addAction(m_kill);
    tools->addAction(m_crash);
    tools->addAction(m_shutdown);
}

// -- actions --

std::vector<sc::Pid> MainWindow::selectedPids() const
{
    std::vector<sc::Pid> pids;
    for (const QModelIndex& index : m_processView->selectionModel()->selectedRows())
        pids.push_back(m_processes->pidAt(index));
    return pids;
}

void MainWindow::floodSelected(int count)
{
    for (sc::Pid pid : selectedPids())
        m_bridge->flood(pid, count);
}

void MainWindow::startDynamicChild(sc::Pid supervisor)
{
    const QModelIndex index = m_processes->indexOfPid(supervisor);
    if (!index.isValid()) return;
    const QString path = index.data(ProcessTreeModel::PathRole).toString();
    if (const auto form = m_console ? FinanceConsole::childForm(path) : std::nullopt) {
        bool ok = false;
        const QString input = QInputDialog::getText(this, tr("Start a child of %1").arg(path),
            FinanceConsole::childPrompt(*form), QLineEdit::Normal, QString(), &ok);
        if (!ok) return;
        m_financeDock->show();
        m_financeDock->raise();
        m_console->startChild(*form, input.trimmed());
        return;
    }
    m_bridge->startWorker(supervisor, QStringLiteral("w%1").arg(++m_startedByHand));
}

bool MainWindow::selectProcess(sc::Pid pid)
{
    const QModelIndex index = m_processes->indexOfPid(pid);
    if (!index.isValid()) return false;
    m_processView->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_processView->scrollTo(index);
    return true;
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event)
{
    if (m_graph && m_toolBar && watched == m_toolBar->widgetForAction(m_kill)) {
        if (event->type() == QEvent::Enter) {
            const std::vector<sc::Pid> pids = selectedPids();
            m_graph->setKillPreview(pids.empty() ? 0 : pids.front());
        } else if (event->type() == QEvent::Leave) {
            m_graph->setKillPreview(0);
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::showContextMenuFor(sc::Pid target, const QPoint& globalPos)
{
    const QModelIndex index = m_processes->indexOfPid(target);
    if (!index.isValid()) return;
    if (const auto selected = selectedPids(); std::find(selected.begin(), selected.end(), target) == selected.end())
        selectProcess(target);
    QMenu menu(this);
    if (m_presenterMode) menu.setFont(font()); // a window of its own, which would keep the standard size
    const std::vector<sc::Pid> pids = selectedPids();
    menu.addSection(pids.size() == 1
            ? index.siblingAtColumn(ProcessTreeModel::NameColumn).data(ProcessTreeModel::PathRole).toString()
            : tr("%n processes", nullptr, static_cast<int>(pids.size())));
    menu.addAction(m_kill);
    menu.addAction(m_crash);
    menu.addAction(m_hang);
    menu.addAction(m_shutdown);
    menu.addAction(m_exitNormal);
    menu.addAction(m_flood);
    menu.addAction(m_floodWith);
    if (index.parent().isValid()) menu.addAction(m_terminateChild);

    const auto kind = static_cast<sc::ProcessKind>(index.data(ProcessTreeModel::KindRole).toInt());
    const sc::Pid pid = index.data(ProcessTreeModel::PidRole).toULongLong();
    if (pids.size() == 1 && kind == sc::ProcessKind::DynamicSupervisor)
        menu.addAction(tr("Start a &child…"), this, [this, pid] { startDynamicChild(pid); });
    if (pids.size() == 1 && kind != sc::ProcessKind::Worker) {
        for (const auto& [supervisor, id] : std::as_const(m_terminated)) {
            if (supervisor != pid) continue;
            const QString childId = id;
            menu.addAction(tr("Restart child %1").arg(childId), this, [this, pid, childId] {
                m_terminated.removeAll(std::pair {pid, childId});
                m_bridge->restartChild(pid, childId);
            });
        }
        const sc::ProcessInfo* info = m_bridge->snapshot().find(pid);
        if (info) {
            QMenu* strategy = menu.addMenu(tr("Strategy"));
            // A dynamic supervisor is one_for_one by definition.
            std::vector<sc::Strategy> strategies {sc::Strategy::OneForOne};
            if (kind != sc::ProcessKind::DynamicSupervisor)
                strategies.insert(strategies.end(), {sc::Strategy::OneForAll, sc::Strategy::RestForOne});
            const sc::SupervisorFlags current {
                info->strategy, int(info->intensity), std::chrono::milliseconds(info->periodMs)};
            for (sc::Strategy st : strategies) {
                QAction* a
                    = strategy->addAction(QString::fromLatin1(sc::strategyName(st)), this, [this, pid, current, st] {
                          sc::SupervisorFlags f = current;
                          f.strategy = st;
                          m_bridge->setSupervisorFlags(pid, f);
                      });
                a->setCheckable(true);
                a->setChecked(st == info->strategy);
            }
            QMenu* intensity = menu.addMenu(tr("Restart intensity"));
            for (const auto& [n, seconds] :
                {std::pair {1, 5}, std::pair {3, 5}, std::pair {10, 10}, std::pair {100, 1}}) {
                QAction* a = intensity->addAction(tr("%n restart(s) in %1 s", nullptr, n).arg(seconds), this,
                    [this, pid, current, n = n, seconds = seconds] {
                        sc::SupervisorFlags f = current;
                        f.intensity = n;
                        f.period = std::chrono::seconds(seconds);
                        m_bridge->setSupervisorFlags(pid, f);
                    });
                a->setCheckable(true);
                a->setChecked(int(info->intensity) == n && info->periodMs == unsigned(seconds * 1000));
            }
        }
    }
    m_graph->setKillPreview(target);
    connect(&menu, &QMenu::aboutToHide, m_graph, [this] { m_graph->setKillPreview(0); });
    menu.exec(globalPos);
}

} // namespace sc::ui
