#include "auditlog.h"
#include "eventlogmodel.h"
#include "finance.h"
#include "financeconsole.h"
#include "inspector.h"
#include "ledger.h"
#include "mainwindow.h"
#include "processtreemodel.h"
#include "runtimebridge.h"
#include "runtimechart.h"
#include "supervisor.h"
#include "theme.h"
#include "treegraphview.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
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

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

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
        // The window first: it sees the events of everything started after it.
        m_window = std::make_unique<MainWindow>(*m_runtime);
        const auto root = sc::startSupervisor(*m_runtime, "root", {}, {idleChild("a"), idleChild("b")});
        QVERIFY(root.ok());
        m_root = *root;
        QTRY_COMPARE(m_window->processModel()->processCount(), 3);
    }

    void cleanup()
    {
        m_window.reset(); // before the runtime it watches
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
        QTRY_COMPARE(model->indexOfPid(now, ProcessTreeModel::Restarts).data().toString(), QStringLiteral("1"));
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
        QTRY_COMPARE(model->indexOfPid(old, ProcessTreeModel::Status).data().toString(), QStringLiteral("stuck"));
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
        QTRY_COMPARE(model->indexOfPid(now, ProcessTreeModel::Status).data().toString(), QStringLiteral("running"));
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
            model->indexOfPid(b, ProcessTreeModel::Handled).data(ProcessTreeModel::SortRole).toULongLong() >= 100'000,
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
            model->indexOfPid(m_root, ProcessTreeModel::Strategy).data().toString(), QStringLiteral("rest_for_one"));
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
        m_window = std::make_unique<MainWindow>(*m_runtime);
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
            return model->indexOfPid(a, ProcessTreeModel::Handled).data(ProcessTreeModel::SortRole).toULongLong();
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

        m_window = std::make_unique<MainWindow>(*m_runtime);
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
        QTRY_COMPARE(model->indexOfPid(m_root, ProcessTreeModel::Mailbox).data(ProcessTreeModel::SortRole).toInt(), 1);
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

private:
    std::unique_ptr<sc::Runtime> m_runtime;
    std::unique_ptr<MainWindow> m_window;
    sc::Pid m_root = 0;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
