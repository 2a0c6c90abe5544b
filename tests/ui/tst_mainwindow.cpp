#include "ui/finance/auditlog.h"
#include "ui/events/eventlogmodel.h"
#include "core/finance/finance.h"
#include "ui/finance/financeconsole.h"
#include "ui/tree/inspector.h"
#include "core/finance/ledger.h"
#include "ui/window/mainwindow.h"
#include "ui/tree/processtreemodel.h"
#include "ui/bridge/runtimebridge.h"
#include "ui/charts/runtimechart.h"
#include "ui/scenario/scenariopanel.h"
#include "ui/scenario/scenarioplayer.h"
#include "core/supervision/supervisor.h"
#include "ui/common/theme.h"
#include "ui/events/timeline.h"
#include "ui/tree/treegraphview.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDesktopServices>
#include <QDockWidget>
#include <QFileDialog>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
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
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QUrl>
#include <algorithm>
#include <memory>
#include <spdlog/sinks/qt_sinks.h>
#include <spdlog/spdlog.h>

using sc::ui::EventLogModel;
using sc::ui::MainWindow;
using sc::ui::ProcessTreeModel;

#include "uitest.h"

using uitest::idleChild;

namespace {

/// Every shortcut of `window` (its actions, its menus' actions, its QShortcuts), as
/// "key sequence" → the names of what it triggers.
QMap<QString, QStringList> shortcutsOf(QWidget* window)
{
    QMap<QString, QStringList> keys;
    QSet<QAction*> actions;
    for (QAction* action : window->findChildren<QAction*>())
        actions.insert(action);
    for (QMenu* menu : window->findChildren<QMenu*>()) {
        for (QAction* action : menu->actions())
            actions.insert(action);
    }
    for (QAction* action : window->actions())
        actions.insert(action);
    for (QAction* action : std::as_const(actions)) {
        const QString name = action->text().isEmpty() ? action->objectName() : action->text();
        for (const QKeySequence& key : action->shortcuts())
            keys[key.toString()] << QStringLiteral("action '%1'").arg(name);
    }
    for (QShortcut* shortcut : window->findChildren<QShortcut*>()) {
        for (const QKeySequence& key : shortcut->keys())
            keys[key.toString()] << QStringLiteral("shortcut of %1").arg(shortcut->parent()->objectName());
    }
    return keys;
}

/// Accepts the next file dialog with `file`, as a user would.
void answerFileDialog(const QString& file)
{
    QTimer::singleShot(0, qApp, [file] {
        auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
        if (!dialog) {
            answerFileDialog(file); // not open yet
            return;
        }
        dialog->selectFile(file);
        QMetaObject::invokeMethod(dialog, "accept");
    });
}

/// Receives the URLs QDesktopServices::openUrl is asked to open.
class UrlCatcher : public QObject {
    Q_OBJECT
public:
    QList<QUrl> urls;
public Q_SLOTS:
    void open(const QUrl& url) { urls << url; }
};

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

public:
    /// Before the QApplication: besides the offscreen platform's default 800 x 600 screen (where
    /// the other tests' windows open), a 1280 x 720 projector and a 1920 x 1080 screen for
    /// presenter mode's tests.
    static void initMain()
    {
        static QTemporaryDir config; // read when the platform starts
        if (qgetenv("QT_QPA_PLATFORM") != "offscreen" || !config.isValid()) return;
        QJsonArray screens;
        int x = 0;
        for (const QSize size : {QSize(800, 600), QSize(1280, 720), QSize(1920, 1080)}) {
            screens.append(QJsonObject {{"name", QStringLiteral("screen%1x%2").arg(size.width()).arg(size.height())},
                {"x", x}, {"y", 0}, {"width", size.width()}, {"height", size.height()}, {"logicalDpi", 96},
                {"logicalBaseDpi", 96}, {"dpr", 1.0}});
            x += size.width();
        }
        const QString file = config.filePath(QStringLiteral("screens.json"));
        QFile out(file);
        if (!out.open(QIODevice::WriteOnly)) return;
        out.write(QJsonDocument(
            QJsonObject {{"synchronousWindowSystemEvents", false}, {"windowFrameMargins", true}, {"screens", screens}})
                      .toJson());
        out.close();
        qputenv("QT_QPA_PLATFORM", "offscreen:configfile=" + QFile::encodeName(file));
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Settings go to a test location, never the user's.
        QStandardPaths::setTestModeEnabled(true);
        MainWindow::openSettings()->clear();
    }

    void init()
    {
        // A stuck callback is reported after 300 ms here (5 s in the app).
        m_runtime = std::make_unique<sc::Runtime>(
            sc::RuntimeOptions {.workers = 2, .stuckAfter = std::chrono::milliseconds(300)});
        // The bridge and the window first: they see the events of everything started after them.
        m_bridge = std::make_unique<sc::ui::RuntimeBridge>(*m_runtime);
        m_window = std::make_unique<MainWindow>(*m_bridge);
        const auto root = sc::startSupervisor(*m_runtime, "root", {}, {idleChild("a"), idleChild("b")});
        QVERIFY(root.ok());
        m_root = *root;
        QTRY_COMPARE(m_window->processModel()->processCount(), 3);
    }

    void cleanup()
    {
        m_window.reset(); // before the runtime it watches
        m_player.reset();
        m_bridge.reset();
        m_runtime.reset();
    }

    void showsTheLiveTree()
    {
        QCOMPARE(m_window->windowTitle(), QStringLiteral("Supervision Console"));
        ProcessTreeModel* model = m_window->processModel();
        const QModelIndex root = model->indexOfPid(m_root);
        QVERIFY(root.isValid());
        QCOMPARE(model->rowCount(root), 2);
        QVERIFY(m_window->processView()->isExpanded(root));
        QTRY_VERIFY(m_window->eventModel()->rowCount() >= 3);
        QVERIFY(m_window->font().pointSizeF() >= 12);
    }

    void actionsNeedASelection()
    {
        QVERIFY(!m_window->killAction()->isEnabled());
        QVERIFY(!m_window->shutdownAction()->isEnabled());
        QVERIFY(m_window->selectProcess(m_root));
        QVERIFY(m_window->killAction()->isEnabled());
        QVERIFY(m_window->shutdownAction()->isEnabled());
    }

    void killRestartsAndTheSelectionFollows()
    {
        ProcessTreeModel* model = m_window->processModel();
        const QModelIndex a = model->index(0, 0, model->indexOfPid(m_root));
        const sc::Pid old = model->pidAt(a);
        const QString path = a.data(ProcessTreeModel::PathRole).toString();
        QVERIFY(m_window->selectProcess(old));

        m_window->killAction()->trigger();

        QTRY_VERIFY(!m_window->selectedPids().empty() && m_window->selectedPids().front() != old);
        const sc::Pid now = m_window->selectedPids().front();
        QCOMPARE(model->indexOfPid(now).data(ProcessTreeModel::PathRole).toString(), path);
        QCOMPARE(model->indexOfPid(now).row(), 0);
        QTRY_COMPARE(model->indexOfPid(now, ProcessTreeModel::RestartsColumn).data().toString(), QStringLiteral("1"));
    }

    /// Crash: an exception inside the callback; the supervisor restarts the child.
    void crashRestartsWithAnErrorReason()
    {
        ProcessTreeModel* model = m_window->processModel();
        const sc::Pid old = model->pidAt(model->index(0, 0, model->indexOfPid(m_root)));
        auto events = m_runtime->events().subscribe();
        QVERIFY(m_window->selectProcess(old));
        m_window->crashAction()->trigger();
        QTRY_VERIFY(!m_window->selectedPids().empty() && m_window->selectedPids().front() != old);
        bool crashed = false;
        for (const sc::Event& e : events->drain())
            crashed |= e.kind == sc::EventKind::Exit && e.pid == old && e.reason.starts_with("error:crash");
        QVERIFY(crashed);
    }

    /// Hang: the window stays live, the process is shown stuck (and the
    /// event log says so), and a kill ends it and restarts it.
    void hangShowsStuckUntilKilled()
    {
        ProcessTreeModel* model = m_window->processModel();
        const sc::Pid old = model->pidAt(model->index(0, 0, model->indexOfPid(m_root)));
        QVERIFY(m_window->selectProcess(old));
        m_window->hangAction()->trigger();
        QTRY_COMPARE(model->indexOfPid(old, ProcessTreeModel::StatusColumn).data().toString(), QStringLiteral("stuck"));
        const auto logged = [this] {
            const QAbstractItemModel* events = m_window->eventModel();
            for (int row = 0; row < events->rowCount(); ++row) {
                if (events->index(row, EventLogModel::Reason).data().toString().startsWith(QLatin1String("stuck: ")))
                    return true;
            }
            return false;
        };
        QTRY_VERIFY(logged());

        m_window->killAction()->trigger();
        QTRY_VERIFY(!m_window->selectedPids().empty() && m_window->selectedPids().front() != old);
        const sc::Pid now = m_window->selectedPids().front();
        QTRY_COMPARE(model->indexOfPid(now, ProcessTreeModel::StatusColumn).data().toString(), QStringLiteral("running"));
    }

    /// Flood: the messages arrive and are handled; terminate and restart child
    /// and a strategy change go through the supervisor.
    void floodTerminateRestartAndStrategy()
    {
        ProcessTreeModel* model = m_window->processModel();
        const sc::Pid b = model->pidAt(model->index(1, 0, model->indexOfPid(m_root)));
        QVERIFY(m_window->selectProcess(b));
        m_window->floodAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            model->indexOfPid(b, ProcessTreeModel::HandledColumn).data(ProcessTreeModel::SortRole).toULongLong() >= 100'000,
            20000);

        QSignalSpy finished(m_window->bridge(), &sc::ui::RuntimeBridge::actionFinished);
        m_window->terminateChildAction()->trigger();
        QTRY_VERIFY(!m_runtime->isAlive(b));
        QTRY_COMPARE(model->processCount(), 2);
        m_window->bridge()->restartChild(m_root, QStringLiteral("b"));
        QTRY_COMPARE(model->processCount(), 3);
        QTRY_VERIFY(std::any_of(finished.begin(), finished.end(), [](const QList<QVariant>& args) {
            return args.at(1).toString() == "restart_child" && args.at(2).toBool();
        }));

        m_window->bridge()->setSupervisorFlags(m_root, {sc::Strategy::RestForOne, 5, std::chrono::seconds(7)});
        QTRY_COMPARE(
            model->indexOfPid(m_root, ProcessTreeModel::StrategyColumn).data().toString(), QStringLiteral("rest_for_one"));
        const sc::Snapshot snap = m_runtime->info(m_root);
        QCOMPARE(snap.processes.front().intensity, 5u);
    }

    /// Actions are logged through spdlog; with the app's Qt sink they reach the Log dock.
    void actionsAreLoggedToTheLogDock()
    {
        const auto previous = spdlog::default_logger();
        spdlog::set_default_logger(std::make_shared<spdlog::logger>(
            "test", std::make_shared<spdlog::sinks::qt_sink_mt>(m_window->logView(), "appendPlainText")));
        ProcessTreeModel* model = m_window->processModel();
        const sc::Pid a = model->pidAt(model->index(0, 0, model->indexOfPid(m_root)));
        QVERIFY(m_window->selectProcess(a));
        m_window->killAction()->trigger();
        QTRY_VERIFY(m_window->logView()->toPlainText().contains(QStringLiteral("kill: Killed root/a")));
        spdlog::set_default_logger(previous);
    }

    void keyKKillsTheSelectedProcess()
    {
        m_window->show();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        ProcessTreeModel* model = m_window->processModel();
        const sc::Pid old = model->pidAt(model->index(1, 0, model->indexOfPid(m_root)));
        QVERIFY(m_window->selectProcess(old));
        m_window->processView()->setFocus();

        QTest::keyClick(m_window->processView(), Qt::Key_K);

        QTRY_VERIFY(!m_runtime->isAlive(old));
        QTRY_VERIFY(!m_window->selectedPids().empty() && m_window->selectedPids().front() != old);
    }

    void savesAScreenshot()
    {
        m_window->show();
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("window.png"));
        QVERIFY(m_window->saveScreenshot(file));
        const QImage image(file);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), m_window->size() * m_window->devicePixelRatio());
    }

    /// The app's default: the finance tree with its console and audit log.
    /// A donation made in the console is answered there and appears in the
    /// audit log; killing the tracker shows in the tree.
    void financePanelsWorkTogether()
    {
        using Action = sc::ui::FinanceConsole::Action;
        cleanup();
        m_runtime = std::make_unique<sc::Runtime>(sc::RuntimeOptions {.workers = 2});
        m_bridge = std::make_unique<sc::ui::RuntimeBridge>(*m_runtime);
        m_window = std::make_unique<MainWindow>(*m_bridge);
        QTemporaryDir dir;
        sc::finance::Config config;
        config.dataDir = dir.path().toStdString();
        QVERIFY(sc::finance::startFinanceTree(*m_runtime, config).ok());
        m_window->addFinancePanels(dir.path());
        sc::ui::FinanceConsole* console = m_window->financeConsole();
        QVERIFY(console);
        QVERIFY(m_window->auditLog());

        console->userField(Action::OpenTracker)->setText(QStringLiteral("alice"));
        console->button(Action::OpenTracker)->click();
        QTRY_VERIFY(console->answerLabel(Action::OpenTracker)->text().contains(QStringLiteral("0.00")));
        console->userField(Action::Donate)->setText(QStringLiteral("alice"));
        console->amountField(Action::Donate)->setText(QStringLiteral("100.50"));
        console->button(Action::Donate)->click();
        QTRY_VERIFY_WITH_TIMEOUT(
            console->answerLabel(Action::Donate)->text().contains(QStringLiteral("100.50")), 10000);

        sc::ui::AuditLogModel* audit = m_window->auditLog()->model();
        QTRY_COMPARE_WITH_TIMEOUT(audit->rowCount(), 1, 10000);
        QCOMPARE(audit->index(0, sc::ui::AuditLogModel::User).data().toString(), QStringLiteral("alice"));
        QCOMPARE(audit->index(0, sc::ui::AuditLogModel::Result).data().toString(), QStringLiteral("100.50"));
        // The Charts dock counts the donation from the audit log.
        QTRY_COMPARE(m_window->chart()->donatedTotal(), sc::Money::fromMinorUnits(10050));

        const sc::Pid tracker = m_runtime->lookupKey(sc::finance::kTrackerRegistry, "alice");
        QTRY_VERIFY(m_window->processModel()->indexOfPid(tracker).isValid());

        // The inspector shows the tracker's state; after a kill, the state
        // before the restart beside the reset one.
        m_window->show();
        QVERIFY(m_window->selectProcess(tracker));
        sc::ui::Inspector* inspector = m_window->inspector();
        inspector->parentWidget()->show();
        QTRY_VERIFY_WITH_TIMEOUT(inspector->stateText().contains(QStringLiteral("total: 100.50")), 10000);
        QVERIFY(inspector->factsText().contains(QStringLiteral("links: ")));
        m_window->killAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(inspector->stateText().contains(QStringLiteral("total: 0.00")), 10000);
        QVERIFY2(inspector->previousStateText().contains(QStringLiteral("total: 100.50")),
            qPrintable(inspector->previousStateText()));
        cleanup();
    }

    /// Another instance owns the data directory: the window reads its ledger
    /// and says so; the console's forms are disabled.
    void readOnlyDataDirShowsTheLedgerAndDisablesTheConsole()
    {
        using Action = sc::ui::FinanceConsole::Action;
        QTemporaryDir dir;
        {
            auto ledger = sc::Ledger::open(dir.path().toStdString());
            QVERIFY(ledger.ok());
            sc::LedgerRecord r;
            r.kind = "donation";
            r.user = "alice";
            r.amount = sc::Money::fromMinorUnits(10050);
            r.result = r.amount;
            QVERIFY((*ledger)->append(r).ok());
        }
        const QString notice = QStringLiteral("<b>Read-only.</b> The data folder is in use.");
        m_window->setReadOnlyDataDir(notice);
        m_window->addFinancePanels(dir.path());
        QVERIFY2(m_window->windowTitle().endsWith(QStringLiteral("(read-only)")), qPrintable(m_window->windowTitle()));
        QVERIFY(m_window->isReadOnlyDataDir());
        QVERIFY(m_window->graphView()->emptyText().contains(QStringLiteral("Scenarios menu")));
        QVERIFY(m_window->readOnlyNotice());
        QCOMPARE(m_window->readOnlyNotice()->text(), notice);
        QVERIFY(m_window->readOnlyNotice()->isVisibleTo(m_window.get()));
        auto* label = m_window->findChild<QLabel*>(QStringLiteral("readOnlyLabel"));
        QVERIFY(label && label->isVisibleTo(m_window.get()));
        sc::ui::FinanceConsole* console = m_window->financeConsole();
        QVERIFY(console);
        QVERIFY(!console->isEnabled());
        QVERIFY(!console->button(Action::Donate)->isEnabled());
        QVERIFY(!console->userField(Action::Donate)->isEnabled());
        sc::ui::AuditLogModel* audit = m_window->auditLog()->model();
        QTRY_COMPARE_WITH_TIMEOUT(audit->rowCount(), 1, 10000);
        QCOMPARE(audit->index(0, sc::ui::AuditLogModel::User).data().toString(), QStringLiteral("alice"));
        // In front of the events, also over a saved layout that had them in front.
        m_window->restoreSettings();
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QVERIFY(m_window->auditLog()->isVisible());
        QVERIFY(m_window->readOnlyNotice()->isVisible());
    }

    /// Flood with a chosen count: exactly that many more messages are handled.
    void floodsWithAChosenCount()
    {
        ProcessTreeModel* model = m_window->processModel();
        const sc::Pid a = model->pidAt(model->index(0, 0, model->indexOfPid(m_root)));
        const auto handled = [&] {
            return model->indexOfPid(a, ProcessTreeModel::HandledColumn).data(ProcessTreeModel::SortRole).toULongLong();
        };
        QTRY_VERIFY(model->indexOfPid(a).isValid());
        const qulonglong before = handled();
        QVERIFY(m_window->selectProcess(a));
        m_window->floodSelected(2500);
        QTRY_COMPARE(handled(), before + 2500);
    }

    /// "Start a child" on a dynamic supervisor outside the finance tree
    /// starts a temporary scenario worker, numbered.
    void startsAChildOfADynamicSupervisor()
    {
        QVERIFY(sc::startChild(*m_runtime, m_root,
            sc::ChildSpec {.id = "pool",
                .start = [] { return std::make_unique<sc::DynamicSupervisor>(); },
                .type = sc::ChildType::Supervisor})
                    .ok());
        ProcessTreeModel* model = m_window->processModel();
        QTRY_VERIFY(model->indexOfPath(QStringLiteral("root/pool")).isValid());
        const sc::Pid poolPid = model->pidAt(model->indexOfPath(QStringLiteral("root/pool")));

        m_window->startDynamicChild(poolPid);
        m_window->startDynamicChild(poolPid);
        QTRY_COMPARE(model->rowCount(model->indexOfPid(poolPid)), 2);
        QVERIFY(model->indexOfPath(QStringLiteral("root/pool/w1")).isValid());
        QVERIFY(model->indexOfPath(QStringLiteral("root/pool/w2")).isValid());
    }

    /// Presenter mode scales every text, the ones with a font of their own
    /// too, and switches to the high-contrast palette; off restores both.
    void presenterModeScalesTextAndRestoresIt()
    {
        const qreal window = m_window->font().pointSizeF();
        const qreal log = m_window->logView()->font().pointSizeF();
        const QColor background = m_window->palette().color(QPalette::Window);
        QVERIFY(m_window->logView()->testAttribute(Qt::WA_SetFont));

        m_window->presenterAction()->trigger();
        QVERIFY(m_window->presenterMode());
        QCOMPARE(m_window->font().pointSizeF(), window * sc::ui::theme::presenterScale);
        QCOMPARE(m_window->logView()->font().pointSizeF(), log * sc::ui::theme::presenterScale);
        QCOMPARE(m_window->palette().color(QPalette::Window), QColor(Qt::white));
        QCOMPARE(m_window->palette().color(QPalette::WindowText), QColor(Qt::black));

        m_window->presenterAction()->trigger();
        QVERIFY(!m_window->presenterMode());
        QCOMPARE(m_window->font().pointSizeF(), window);
        QCOMPARE(m_window->logView()->font().pointSizeF(), log);
        QCOMPARE(m_window->palette().color(QPalette::Window), background);
    }

    /// Presenter mode draws the tree larger too.
    void presenterModeScalesTheTree()
    {
        QCOMPARE(m_window->graphView()->presenterScale(), 1.0);
        m_window->presenterAction()->trigger();
        QCOMPARE(m_window->graphView()->presenterScale(), sc::ui::theme::presenterScale);
        m_window->presenterAction()->trigger();
        QCOMPARE(m_window->graphView()->presenterScale(), 1.0);
    }

    /// Find (Ctrl+F, Enter) expands, zooms to and centres the match in the
    /// tree; Esc gives the keyboard back to the tree.
    void findZoomsToTheMatchAndEscReturnsToTheTree()
    {
        std::vector<sc::ChildSpec> children;
        for (int i = 0; i < 300; ++i)
            children.push_back(idleChild("w" + std::to_string(i)));
        QVERIFY(sc::startSupervisor(*m_runtime, "big", {}, children).ok());
        QTRY_COMPARE(m_window->processModel()->processCount(), 3 + 301);
        m_window->resize(1280, 720);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        sc::ui::TreeGraphView* graph = m_window->graphView();
        graph->layoutNow();
        const sc::Pid big
            = m_window->processModel()->pidAt(m_window->processModel()->indexOfPath(QStringLiteral("big")));
        QTRY_VERIFY(graph->isCollapsed(big)); // 300 children: a summary

        QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
        auto* find = m_window->findChild<QLineEdit*>(QStringLiteral("findProcess"));
        QVERIFY(find);
        QTRY_VERIFY(find->hasFocus());
        QTest::keyClicks(find, QStringLiteral("big/w250"));
        QTest::keyClick(find, Qt::Key_Return);
        const sc::Pid match
            = m_window->processModel()->pidAt(m_window->processModel()->indexOfPath(QStringLiteral("big/w250")));
        QCOMPARE(graph->selectedPid(), match);
        QVERIFY(!graph->isCollapsed(big));
        QVERIFY(graph->namePixels() >= sc::ui::TreeGraphView::minReadablePixels);
        const QRectF r = graph->nodeRect(match);
        const QPointF centre = graph->mapToViewport(r.center());
        const QPointF middle = QRectF(graph->viewport()->rect()).center();
        QVERIFY2(std::abs(centre.x() - middle.x()) < 2 && std::abs(centre.y() - middle.y()) < 2,
            qPrintable(
                QStringLiteral("%1,%2 vs %3,%4").arg(centre.x()).arg(centre.y()).arg(middle.x()).arg(middle.y())));

        QTest::keyClick(find, Qt::Key_Escape);
        QTRY_VERIFY(graph->hasFocus());
    }

    /// The layout and the theme survive a restart of the app.
    void settingsRememberLayoutAndTheme()
    {
        MainWindow::openSettings()->clear();
        m_window->restoreSettings();
        QVERIFY(!m_window->presenterMode());
        auto* chart = m_window->findChild<QDockWidget*>(QStringLiteral("chartDock"));
        QVERIFY(chart);
        m_window->show();
        QVERIFY(chart->isVisible());
        QVERIFY(chart->toggleViewAction()->isEnabled());
        chart->toggleViewAction()->trigger();
        QVERIFY2(!chart->isVisible(), qPrintable(QString::number(chart->toggleViewAction()->isChecked())));
        m_window->setPresenterMode(true);
        QVERIFY(m_window->close());
        QCOMPARE(MainWindow::openSettings()->value(QStringLiteral("theme")).toString(), QStringLiteral("presenter"));

        m_window = std::make_unique<MainWindow>(*m_bridge);
        m_window->restoreSettings();
        QVERIFY(m_window->presenterMode());
        m_window->show();
        QVERIFY(!m_window->findChild<QDockWidget*>(QStringLiteral("chartDock"))->isVisible());
        MainWindow::openSettings()->clear();
    }

    /// Paused, a killed child is not restarted: its supervisor's EXIT waits
    /// in the mailbox. Stepping lets messages through one by one; resuming
    /// lets the restart happen. Slow motion sets the runtime's pace.
    void pauseStepAndSlowMotion()
    {
        ProcessTreeModel* model = m_window->processModel();
        const sc::Pid a = model->pidAt(model->index(0, 0, model->indexOfPid(m_root)));
        QVERIFY(!m_window->stepAction()->isEnabled());
        m_window->pauseAction()->trigger();
        QVERIFY(m_runtime->isPaused());
        QVERIFY(m_window->stepAction()->isEnabled());

        QVERIFY(m_window->selectProcess(a));
        m_window->killAction()->trigger();
        QTRY_VERIFY(!m_runtime->isAlive(a));
        // The supervisor's EXIT message waits: it is in the mailbox, not handled.
        QTRY_COMPARE(model->indexOfPid(m_root, ProcessTreeModel::MailboxColumn).data(ProcessTreeModel::SortRole).toInt(), 1);
        QCOMPARE(m_runtime->processCount(), std::size_t(2));

        m_window->stepAction()->trigger();
        QTRY_COMPARE(m_runtime->processCount(), std::size_t(3)); // the EXIT handled: a restarted
        m_window->pauseAction()->trigger();
        QVERIFY(!m_runtime->isPaused());
        QVERIFY(!m_window->stepAction()->isEnabled());

        QComboBox* speed = m_window->speedBox();
        const int slow = speed->findData(300);
        QVERIFY(slow > 0);
        m_window->setPace(std::chrono::milliseconds(300));
        QCOMPARE(m_runtime->pace(), std::chrono::milliseconds(300));
        QCOMPARE(speed->currentIndex(), slow);
        m_window->setPace(std::chrono::milliseconds(0));
        QCOMPARE(m_runtime->pace(), std::chrono::milliseconds(0));
    }

    // -- issue 16: keys, presenter mode, the File menu, the restart mode, the first-run hint --

    /// The window as the app builds it: every dock, the scenario player's and the finance panels.
    /// Where the window is and the least it could be, for a failure's message.
    QString windowPlacement() const
    {
        return QStringLiteral("window frame %1x%2 at %3,%4, minimum %5x%6")
            .arg(m_window->frameGeometry().width())
            .arg(m_window->frameGeometry().height())
            .arg(m_window->frameGeometry().x())
            .arg(m_window->frameGeometry().y())
            .arg(m_window->minimumSizeHint().width())
            .arg(m_window->minimumSizeHint().height());
    }

    void buildFullWindow()
    {
        m_window.reset();
        m_player = std::make_unique<sc::ui::ScenarioPlayer>(*m_bridge);
        m_window = std::make_unique<MainWindow>(*m_bridge);
        m_window->addScenarioPlayer(m_player.get());
        m_window->addFinancePanels(m_dataDir.path());
        m_window->setDataDir(m_dataDir.path());
    }

    /// No key sequence triggers two things: Qt would run neither ("Ambiguous shortcut overload").
    void noTwoActionsShareAKey()
    {
        buildFullWindow();
        const QMap<QString, QStringList> keys = shortcutsOf(m_window.get());
        QVERIFY(keys.contains(QKeySequence(QKeySequence::ZoomIn).toString())); // the walk sees the View menu
        QVERIFY(keys.contains(QKeySequence(Qt::Key_K).toString()));
        QVERIFY(keys.contains(QKeySequence(QKeySequence::Open).toString())); // and the Scenarios menu
        QStringList shared;
        for (auto it = keys.cbegin(); it != keys.cend(); ++it) {
            if (it.value().size() > 1)
                shared << it.key() + QStringLiteral(": ") + it.value().join(QStringLiteral(", "));
        }
        QVERIFY2(shared.isEmpty(), qPrintable(shared.join(QLatin1Char('\n'))));
    }

    /// The documented zoom keys zoom the tree, wherever the focus is in the window.
    void ctrlPlusAndMinusZoomTheTree()
    {
        buildFullWindow();
        m_window->show();
        QApplication::setActiveWindow(m_window.get());
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        m_window->setFocus(); // not the tree, whose own +/- keys would zoom without the shortcut
        const double before = m_window->graphView()->zoom();
        QTest::keyClick(m_window.get(), Qt::Key_Plus, Qt::ControlModifier);
        QTRY_VERIFY2(
            m_window->graphView()->zoom() > before, qPrintable(QString::number(m_window->graphView()->zoom())));
        const double zoomedIn = m_window->graphView()->zoom();
        QTest::keyClick(m_window.get(), Qt::Key_Minus, Qt::ControlModifier);
        QTRY_VERIFY(m_window->graphView()->zoom() < zoomedIn);
    }

    /// On a 1280 x 720 projector and a 1920 x 1080 screen (the screens main() gives the offscreen
    /// platform), presenter mode keeps the whole window on the screen: the timeline, the status bar,
    /// Step and the scenario panel stay visible, the menus grow with the text, and leaving restores
    /// the layout and the size.
    void presenterModeFitsTheScreen_data()
    {
        QTest::addColumn<QSize>("screenSize");
        QTest::addColumn<bool>("demo");
        QTest::newRow("1280x720") << QSize(1280, 720) << false;
        QTest::newRow("1280x720, a demo loaded") << QSize(1280, 720) << true;
        QTest::newRow("1920x1080") << QSize(1920, 1080) << false;
        QTest::newRow("1920x1080, a demo loaded") << QSize(1920, 1080) << true;
    }
    void presenterModeFitsTheScreen()
    {
        QFETCH(QSize, screenSize);
        QFETCH(bool, demo);
        QScreen* screen = nullptr;
        for (QScreen* s : QGuiApplication::screens()) {
            if (s->geometry().size() == screenSize) screen = s;
        }
        if (!screen) QSKIP("no such screen (run under the offscreen platform)");
        buildFullWindow();
        if (demo) {
            // A long title and description in the scenario panel's large type: its tallest content.
            QSignalSpy started(m_player.get(), &sc::ui::ScenarioPlayer::treeStarted);
            QVERIFY(
                m_player->loadFile(QStringLiteral(SC_TEST_DATA_DIR "/../../resources/scenarios/03_rest_for_one.json")));
            QVERIFY(started.wait(10000));
        }
        const QRect available = screen->availableGeometry();
        m_window->setScreen(screen);
        m_window->setGeometry(
            QRect(available.topLeft() + QPoint(8, 30), available.size() * 9 / 10)); // its frame inside
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QCOMPARE(m_window->screen(), screen);
        m_window->setRuntimePaused(true); // the status bar at its widest: "PAUSED: press . to …"
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        const QRect before = m_window->geometry();
        auto* events = m_window->findChild<QDockWidget*>(QStringLiteral("eventDock"));
        auto* timeline = m_window->findChild<QDockWidget*>(QStringLiteral("timelineDock"));
        QVERIFY(events && timeline);
        const Qt::DockWidgetArea eventsArea = m_window->dockWidgetArea(events);
        QMenu* fileMenu = m_window->fileMenu();
        const qreal menuSize = fileMenu->font().pointSizeF();

        m_window->setPresenterMode(true);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        const QString where = windowPlacement();
        QVERIFY2(available.contains(m_window->frameGeometry()), qPrintable(where));
        // Visible, and not clipped by the window or anything between (a scroll area's viewport, say).
        const auto shown = [this](QWidget* w) {
            if (!w || !w->isVisible()) return false;
            for (QWidget* a = w->parentWidget(); a; a = a->parentWidget()) {
                if (!a->rect().contains(QRect(w->mapTo(a, QPoint()), w->size()))) return false;
                if (a == m_window.get()) break;
            }
            return true;
        };
        QVERIFY2(shown(m_window->statusBar()), qPrintable(where));
        QVERIFY2(shown(m_window->timeline()), qPrintable(where));
        auto* teaching = m_window->findChild<QToolBar*>(QStringLiteral("teachingToolBar"));
        QVERIFY2(shown(teaching->widgetForAction(m_window->stepAction())), "Step is in the toolbar's overflow");
        m_window->scenarioPanel()->raise();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        QTRY_VERIFY(shown(m_window->scenarioPanel()->widget()));
        // The scenario's Step button, in view (a panel too tall for the screen scrolls its title out).
        QPushButton* step = nullptr;
        for (auto* button : m_window->scenarioPanel()->findChildren<QPushButton*>()) {
            if (button->text() == QStringLiteral("Step")) step = button;
        }
        QVERIFY(step);
        QTRY_VERIFY2(shown(step), qPrintable(where));
        QCOMPARE(timeline->widget(), m_window->timeline()); // whole, not in a scroll area
        // The tree keeps most of the window: a class looks at it, not at the panels.
        const QSize tree = m_window->graphView()->size();
        const QString room = QStringLiteral("tree %1x%2 in %3x%4; toolbar %5 high, timeline dock %6 high, side %7 wide")
                                 .arg(tree.width())
                                 .arg(tree.height())
                                 .arg(m_window->width())
                                 .arg(m_window->height())
                                 .arg(m_window->findChild<QToolBar*>(QStringLiteral("processToolBar"))->geometry()
                                          .united(teaching->geometry())
                                          .height())
                                 .arg(timeline->height())
                                 .arg(m_window->scenarioPanel()->width());
        QVERIFY2(tree.width() * 100 >= m_window->width() * 55, qPrintable(room));
        QVERIFY2(tree.height() * 100 >= m_window->height() * 50, qPrintable(room));
        // Menus are windows of their own, and follow the text too.
        for (QAction* menu : m_window->menuBar()->actions()) {
            if (menu->menu()) QCOMPARE(menu->menu()->font().pointSizeF(), m_window->font().pointSizeF());
        }

        m_window->setPresenterMode(false);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        QCOMPARE(m_window->geometry(), before);
        QCOMPARE(m_window->dockWidgetArea(events), eventsArea);
        QCOMPARE(fileMenu->font().pointSizeF(), menuSize);
        QVERIFY(!events->titleBarWidget());
        QVERIFY(!qobject_cast<QScrollArea*>(m_window->scenarioPanel()->widget())); // its own panel again
        m_window->setRuntimePaused(false);
    }

    /// Standard mode on a 1280 x 720 screen: loading a demo (its long title and description in the
    /// scenario panel) does not make the window taller than the screen, and the tree keeps the largest share.
    void standardModeFitsA720pScreen_data()
    {
        QTest::addColumn<bool>("demo");
        QTest::newRow("the finance tree") << false;
        QTest::newRow("a demo loaded") << true;
    }
    void standardModeFitsA720pScreen()
    {
        QFETCH(bool, demo);
        QScreen* screen = nullptr;
        for (QScreen* s : QGuiApplication::screens()) {
            if (s->geometry().size() == QSize(1280, 720)) screen = s;
        }
        if (!screen) QSKIP("no such screen (run under the offscreen platform)");
        buildFullWindow();
        const QRect available = screen->availableGeometry();
        m_window->setScreen(screen);
        m_window->setGeometry(QRect(available.topLeft() + QPoint(8, 30), available.size() * 9 / 10));
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        // All of the screen, as a maximized window has it.
        const QMargins frame(m_window->geometry().left() - m_window->frameGeometry().left(),
            m_window->geometry().top() - m_window->frameGeometry().top(),
            m_window->frameGeometry().right() - m_window->geometry().right(),
            m_window->frameGeometry().bottom() - m_window->geometry().bottom());
        m_window->setGeometry(available - frame);
        if (demo) {
            QSignalSpy started(m_player.get(), &sc::ui::ScenarioPlayer::treeStarted);
            QVERIFY(
                m_player->loadFile(QStringLiteral(SC_TEST_DATA_DIR "/../../resources/scenarios/03_rest_for_one.json")));
            QVERIFY(started.wait(10000));
        }
        m_window->setRuntimePaused(true); // the status bar at its widest
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        const QString where = windowPlacement();
        QTRY_VERIFY2(available.contains(m_window->frameGeometry()), qPrintable(where));
        QVERIFY2(m_window->statusBar()->isVisible(), qPrintable(where));
        QVERIFY2(m_window->timeline()->isVisible(), qPrintable(where));
        const QSize tree = m_window->graphView()->size();
        for (QDockWidget* dock : m_window->findChildren<QDockWidget*>()) {
            if (dock->visibleRegion().isEmpty()) continue;
            QVERIFY2(tree.width() * tree.height() > dock->width() * dock->height(),
                qPrintable(QStringLiteral("tree %1x%2, %3 %4x%5")
                               .arg(tree.width())
                               .arg(tree.height())
                               .arg(dock->objectName())
                               .arg(dock->width())
                               .arg(dock->height())));
        }
        m_window->setRuntimePaused(false);
    }

    /// File: Open Scenario (the Scenarios menu's own action), Export Audit Log, Save Screenshot,
    /// Open Data Folder, Quit; each one does something.
    void fileMenuItemsAllWork()
    {
        buildFullWindow();
        m_window->show();
        QStringList texts;
        for (QAction* action : m_window->fileMenu()->actions()) {
            if (action->isSeparator() || !action->isVisible()) continue;
            texts << action->text();
            QVERIFY2(action->isEnabled(), qPrintable(action->text()));
        }
        QCOMPARE(texts,
            QStringList({QStringLiteral("&Open Scenario File…"), QStringLiteral("&Export Audit Log…"),
                QStringLiteral("Save Scree&nshot…"), QStringLiteral("Open &Data Folder"), QStringLiteral("&Quit")}));
        const auto action = [this](const char* text) {
            for (QAction* a : m_window->fileMenu()->actions()) {
                if (a->text() == QString::fromUtf8(text)) return a;
            }
            return static_cast<QAction*>(nullptr);
        };

        for (const char* text : {"Save Scree&nshot…", "Open &Data Folder", "&Export Audit Log…"})
            QVERIFY2(action(text), text);
        QTemporaryDir out;
        const QString png = out.filePath(QStringLiteral("shot.png"));
        answerFileDialog(png);
        action("Save Scree&nshot…")->trigger();
        QVERIFY(!QImage(png).isNull());

        UrlCatcher catcher;
        QDesktopServices::setUrlHandler(QStringLiteral("file"), &catcher, "open");
        action("Open &Data Folder")->trigger();
        QDesktopServices::unsetUrlHandler(QStringLiteral("file"));
        QCOMPARE(catcher.urls, QList<QUrl>({QUrl::fromLocalFile(m_dataDir.path())}));

        auto ledger = sc::Ledger::open(m_dataDir.path().toStdString());
        QVERIFY(ledger.ok());
        sc::LedgerRecord record;
        record.kind = "donation";
        record.user = "alice";
        record.amount = sc::Money::fromMinorUnits(250);
        record.result = record.amount;
        QVERIFY((*ledger)->append(record).ok());
        const QString csv = out.filePath(QStringLiteral("audit.csv"));
        QSignalSpy exported(m_window->auditLog(), &sc::ui::AuditLogPanel::exported);
        answerFileDialog(csv);
        action("&Export Audit Log…")->trigger();
        QVERIFY(exported.wait(10000));
        QVERIFY2(exported.at(0).at(0).toBool(), qPrintable(exported.at(0).at(1).toString()));
        QFile written(csv);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QVERIFY(written.readAll().contains("alice"));
    }

    /// A recover-mode run says so before any kill: in the status bar (with what it means) and the title.
    void restartModeIsShown()
    {
        QLabel* label = m_window->restartModeLabel();
        QVERIFY(label);
        QCOMPARE(label->text(), QStringLiteral("Finance restarts: reset"));
        QVERIFY(label->toolTip().contains(QStringLiteral("empty initial state")));
        QCOMPARE(m_window->windowTitle(), QStringLiteral("Supervision Console"));

        m_window->setRecoverState(true);
        QCOMPARE(label->text(), QStringLiteral("Finance restarts: recover state"));
        QVERIFY(label->toolTip().contains(QStringLiteral("--recover-state")));
        QVERIFY(label->toolTip().contains(QStringLiteral("ledger")));
        QCOMPARE(m_window->windowTitle(), QStringLiteral("Supervision Console (recover mode)"));
        m_window->setReadOnlyDataDir(QStringLiteral("in use"));
        QCOMPARE(m_window->windowTitle(), QStringLiteral("Supervision Console (read-only, recover mode)"));
        m_window->show();
        QVERIFY(label->isVisible());
    }

    /// With the scenario player, the mode is the running finance tree's: a scenario's
    /// "state_on_restart": "recover" shows as recover too, and a demo without finance services
    /// shows none.
    void restartModeFollowsTheRunningTree()
    {
        buildFullWindow();
        m_player->setDataDir(m_dataDir.path().toStdString());
        QLabel* label = m_window->restartModeLabel();
        m_window->show();
        const auto play = [this](const char* json) {
            auto scenario = sc::parseScenario(json, "test.json");
            QVERIFY(scenario.ok());
            QSignalSpy started(m_player.get(), &sc::ui::ScenarioPlayer::treeStarted);
            m_player->load(*scenario, QStringLiteral("test"));
            QVERIFY(started.wait(10000));
        };
        play(R"({"tree": "finance", "state_on_restart": "recover", "steps": []})");
        QVERIFY(label->isVisible());
        QCOMPARE(label->text(), QStringLiteral("Finance restarts: recover state"));
        QCOMPARE(m_window->windowTitle(), QStringLiteral("Supervision Console (recover mode)"));
        play(R"({"tree": {"id": "root", "children": [{"id": "a"}]}, "steps": []})");
        QVERIFY(!label->isVisible());
        QCOMPARE(m_window->windowTitle(), QStringLiteral("Supervision Console"));
        play(R"({"tree": "finance", "steps": []})");
        QVERIFY(label->isVisible());
        QCOMPARE(label->text(), QStringLiteral("Finance restarts: reset"));
    }

    /// The first launch says what to do first, until the hint is dismissed, for good.
    void firstRunHintUntilDismissed()
    {
        MainWindow::openSettings()->clear();
        m_window->restoreSettings();
        m_window->show();
        QWidget* hint = m_window->firstRunHint();
        QVERIFY(hint->isVisible());
        auto* text = hint->findChild<QLabel*>(QStringLiteral("firstRunText"));
        QVERIFY(text->text().contains(QStringLiteral("press K")));
        QVERIFY(text->text().contains(QStringLiteral("Scenarios")));
        // A strip beside the tree, not over it (it would cover the root at 1280 x 720), of one or two lines.
        m_window->resize(1280, 720);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        const auto inWindow = [this](QWidget* w) { return QRect(w->mapTo(m_window.get(), QPoint()), w->size()); };
        QTRY_VERIFY(hint->height() > 0);
        QVERIFY2(!inWindow(hint).intersects(inWindow(m_window->graphView())),
            qPrintable(QStringLiteral("hint at %1,%2 %3x%4, tree at %5,%6 %7x%8")
                           .arg(inWindow(hint).x())
                           .arg(inWindow(hint).y())
                           .arg(hint->width())
                           .arg(hint->height())
                           .arg(inWindow(m_window->graphView()).x())
                           .arg(inWindow(m_window->graphView()).y())
                           .arg(m_window->graphView()->width())
                           .arg(m_window->graphView()->height())));
        QVERIFY(m_window->rect().contains(inWindow(hint)));
        QVERIFY2(text->height() <= 2 * text->fontMetrics().lineSpacing() + 4,
            qPrintable(QStringLiteral("%1 px of text").arg(text->height())));

        QTest::mouseClick(hint->findChild<QPushButton*>(QStringLiteral("firstRunDismiss")), Qt::LeftButton);
        QVERIFY(!hint->isVisible());
        m_window = std::make_unique<MainWindow>(*m_bridge);
        m_window->restoreSettings();
        m_window->show();
        QVERIFY(!m_window->firstRunHint()->isVisible());
        MainWindow::openSettings()->clear();
    }

private:
    std::unique_ptr<sc::Runtime> m_runtime;
    std::unique_ptr<sc::ui::RuntimeBridge> m_bridge;
    std::unique_ptr<MainWindow> m_window;
    sc::Pid m_root = 0;
    std::unique_ptr<sc::ui::ScenarioPlayer> m_player;
    QTemporaryDir m_dataDir;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
