#include "ui/tree/processtreemodel.h"
#include "ui/bridge/runtimebridge.h"
#include "core/supervision/supervisor.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <memory>

using sc::ui::ProcessTreeModel;
using sc::ui::RuntimeBridge;
using namespace std::chrono_literals;

#include "uitest.h"

using uitest::Idle;
using uitest::idleChild;

namespace {

/// What a test needs to know of the events the bridge delivered.
struct Seen {
    sc::EventKind kind;
    sc::Pid pid;
    std::string reason;
};

bool contains(const std::vector<Seen>& seen, sc::EventKind kind, sc::Pid pid, const std::string& reason = {})
{
    return std::any_of(seen.begin(), seen.end(),
        [&](const Seen& s) { return s.kind == kind && s.pid == pid && (reason.empty() || s.reason == reason); });
}

} // namespace

class TestRuntimeBridge : public QObject {
    Q_OBJECT

    struct Answer {
        sc::Pid pid;
        QString action;
        bool ok;
        QString message;
        bool onGuiThread;
    };

    /// Answers as a widget gets them: through a connection with a GUI-thread context.
    void collectAnswers(RuntimeBridge& bridge, std::vector<Answer>& answers)
    {
        connect(&bridge, &RuntimeBridge::actionFinished, this,
            [&answers](sc::Pid pid, const QString& action, bool ok, const QString& message) {
                answers.push_back({pid, action, ok, message, QThread::currentThread() == qApp->thread()});
            });
    }

private Q_SLOTS:
    void deliversSnapshotsAndEvents()
    {
        sc::Runtime runtime({.workers = 2});
        RuntimeBridge bridge(runtime);
        std::vector<Seen> seen;
        connect(&bridge, &RuntimeBridge::eventsArrived, this, [&seen](const std::vector<sc::Event>& events) {
            QCOMPARE(QThread::currentThread(), qApp->thread());
            for (const sc::Event& e : events)
                seen.push_back({e.kind, e.pid, e.reason});
        });
        QSignalSpy ticks(&bridge, &RuntimeBridge::tickFinished);

        const auto pid = runtime.spawn(std::make_unique<Idle>(), {.path = "idle"});
        QVERIFY(pid.ok());
        bridge.start(10ms);

        QTRY_VERIFY(bridge.snapshot().find(*pid) != nullptr);
        const sc::ProcessInfo* info = bridge.snapshot().find(*pid);
        QCOMPARE(std::string(info->path), std::string("idle"));
        QTRY_VERIFY(contains(seen, sc::EventKind::Start, *pid));
        QVERIFY(ticks.count() > 0);
        QVERIFY(bridge.lastTickTime() <= bridge.longestTickTime());
    }

    void killAnswersOnTheGuiThread()
    {
        sc::Runtime runtime({.workers = 2});
        RuntimeBridge bridge(runtime);
        std::vector<Seen> seen;
        connect(&bridge, &RuntimeBridge::eventsArrived, this, [&seen](const std::vector<sc::Event>& events) {
            for (const sc::Event& e : events)
                seen.push_back({e.kind, e.pid, e.reason});
        });
        std::vector<Answer> answers;
        collectAnswers(bridge, answers);

        const auto pid = runtime.spawn(std::make_unique<Idle>(), {.path = "victim"});
        QVERIFY(pid.ok());
        bridge.start(10ms);
        QTRY_VERIFY(bridge.snapshot().find(*pid) != nullptr);

        bridge.kill(*pid);
        QTRY_COMPARE(answers.size(), 1u);
        QVERIFY(answers[0].onGuiThread);
        QCOMPARE(answers[0].pid, *pid);
        QCOMPARE(answers[0].action, QStringLiteral("kill"));
        QVERIFY(answers[0].ok);
        QVERIFY2(answers[0].message.contains(QStringLiteral("victim")), qPrintable(answers[0].message));
        QVERIFY(!runtime.isAlive(*pid));
        QTRY_VERIFY(contains(seen, sc::EventKind::Exit, *pid, "killed"));
        QTRY_VERIFY(bridge.snapshot().find(*pid) == nullptr);

        // A second kill finds nobody, and says so.
        bridge.kill(*pid);
        QTRY_COMPARE(answers.size(), 2u);
        QVERIFY(!answers[1].ok);
    }

    void exitWithShutdownEndsAWorker()
    {
        sc::Runtime runtime({.workers = 2});
        RuntimeBridge bridge(runtime);
        std::vector<Seen> seen;
        connect(&bridge, &RuntimeBridge::eventsArrived, this, [&seen](const std::vector<sc::Event>& events) {
            for (const sc::Event& e : events)
                seen.push_back({e.kind, e.pid, e.reason});
        });
        std::vector<Answer> answers;
        collectAnswers(bridge, answers);
        const auto pid = runtime.spawn(std::make_unique<Idle>(), {.path = "worker"});
        QVERIFY(pid.ok());
        bridge.start(10ms);

        bridge.exitProcess(*pid, sc::ExitReason::shutdown());
        QTRY_COMPARE(answers.size(), 1u);
        QVERIFY(answers[0].ok);
        QCOMPARE(answers[0].action, QStringLiteral("exit"));
        QTRY_VERIFY(contains(seen, sc::EventKind::Exit, *pid, "shutdown"));
        QTRY_VERIFY(!runtime.isAlive(*pid));
    }

    void modelShowsTheRestartOfAKilledChild()
    {
        sc::Runtime runtime({.workers = 2});
        RuntimeBridge bridge(runtime);
        ProcessTreeModel model;
        connect(&bridge, &RuntimeBridge::snapshotUpdated, &model, &ProcessTreeModel::apply);

        const auto root = sc::startSupervisor(runtime, "root", {}, {idleChild("a"), idleChild("b"), idleChild("c")});
        QVERIFY(root.ok());
        bridge.start(10ms);
        QTRY_COMPARE(model.rowCount(model.indexOfPid(*root)), 3);

        const QModelIndex rootIndex = model.indexOfPid(*root);
        const QModelIndex b = model.index(1, 0, rootIndex);
        const QString path = b.data(ProcessTreeModel::PathRole).toString();
        const sc::Pid old = model.pidAt(b);
        const QPersistentModelIndex c(model.index(2, 0, rootIndex));
        QVERIFY(path.endsWith(QStringLiteral("b")));

        bridge.kill(old);
        // The supervisor restarts b: a new pid, at b's place, one restart.
        QTRY_VERIFY(model.indexOfPath(path).isValid() && model.pidAt(model.indexOfPath(path)) != old);
        const QModelIndex again = model.indexOfPath(path);
        QCOMPARE(again.row(), 1);
        QCOMPARE(again.parent(), model.indexOfPid(*root));
        QTRY_COMPARE(model.indexOfPath(path, ProcessTreeModel::RestartsColumn).data().toString(), QStringLiteral("1"));
        QVERIFY(c.isValid());
        QCOMPARE(c.row(), 2);
    }

    /// The teaching controls through the ProcessSource interface: pace, pause and one step.
    void teachingControlsReachTheRuntime()
    {
        sc::Runtime runtime({.workers = 2});
        RuntimeBridge bridge(runtime);
        sc::ui::ProcessSource& source = bridge;
        source.setPace(300ms);
        QCOMPARE(runtime.pace(), 300ms);
        QCOMPARE(source.pace(), 300ms);
        source.setPace(0ms);
        source.setPaused(true);
        QVERIFY(runtime.isPaused());
        QVERIFY(source.isPaused());
        const auto pid = runtime.spawn(std::make_unique<Idle>(), {.path = "idle"});
        QVERIFY(pid.ok());
        runtime.send(*pid, std::string("one"));
        runtime.send(*pid, std::string("two"));
        const auto handled = [&] {
            const sc::Snapshot info = runtime.info(*pid);
            return info.processes.empty() ? std::uint64_t(0) : info.processes.front().handled;
        };
        QCOMPARE(handled(), std::uint64_t(0));
        source.stepOne();
        QTRY_COMPARE(handled(), std::uint64_t(1));
        source.setPaused(false);
        QVERIFY(!runtime.isPaused());
        QTRY_COMPARE(handled(), std::uint64_t(2));
    }

    /// "Start a child" outside the finance tree: a temporary worker under the dynamic supervisor.
    void startsAWorkerUnderADynamicSupervisor()
    {
        sc::Runtime runtime({.workers = 2});
        RuntimeBridge bridge(runtime);
        std::vector<Answer> answers;
        collectAnswers(bridge, answers);
        const auto pool = runtime.spawn(std::make_unique<sc::DynamicSupervisor>(), {.path = "pool"});
        QVERIFY(pool.ok());
        bridge.startWorker(*pool, QStringLiteral("w1"));
        QTRY_COMPARE(answers.size(), 1u);
        QVERIFY2(answers[0].ok, qPrintable(answers[0].message));
        QCOMPARE(answers[0].action, QStringLiteral("start_child"));
        QVERIFY(answers[0].onGuiThread);
        bridge.tick();
        const auto row = std::find_if(bridge.snapshot().processes.begin(), bridge.snapshot().processes.end(),
            [](const sc::ProcessInfo& p) { return p.path == "pool/w1"; });
        QVERIFY(row != bridge.snapshot().processes.end());
    }
};

QTEST_MAIN(TestRuntimeBridge)
#include "tst_runtimebridge.moc"
