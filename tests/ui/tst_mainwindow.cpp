#include "auditlog.h"
#include "eventlogmodel.h"
#include "finance.h"
#include "financeconsole.h"
#include "mainwindow.h"
#include "processtreemodel.h"
#include "runtimebridge.h"
#include "supervisor.h"

#include <QAction>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <memory>

using sc::ui::MainWindow;
using sc::ui::ProcessTreeModel;

namespace {

class Idle : public sc::GenServer { };

sc::ChildSpec idleChild(const std::string& id)
{
    sc::ChildSpec spec;
    spec.id = id;
    spec.start = [] { return std::make_unique<Idle>(); };
    return spec;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_runtime = std::make_unique<sc::Runtime>(sc::RuntimeOptions {.workers = 2});
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

        const sc::Pid tracker = m_runtime->lookupKey(sc::finance::kTrackerRegistry, "alice");
        QTRY_VERIFY(m_window->processModel()->indexOfPid(tracker).isValid());
        cleanup();
    }

private:
    std::unique_ptr<sc::Runtime> m_runtime;
    std::unique_ptr<MainWindow> m_window;
    sc::Pid m_root = 0;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
