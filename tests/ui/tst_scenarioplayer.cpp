// The scenario player and its panel on a real runtime: loading, stepping,
// playing, pausing, replacing a tree, bad files, finance answers in words;
// the end of a scenario whose root gave up, in the window too.

#include "core/finance/finance.h"
#include "ui/window/mainwindow.h"
#include "ui/tree/processtreemodel.h"
#include "ui/bridge/runtimebridge.h"
#include "ui/scenario/scenariomenu.h"
#include "ui/scenario/scenariopanel.h"
#include "ui/scenario/scenarioplayer.h"
#include "ui/common/theme.h"
#include "ui/tree/treegraphview.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <memory>

using sc::ui::ScenarioPanel;
using sc::ui::ScenarioPlayer;

namespace {

constexpr int kWaitMs = 20000;

sc::Scenario scenarioOf(const char* json)
{
    auto s = sc::parseScenario(json, "test.json");
    if (!s) qFatal("bad test scenario: %s", s.error().detail.c_str());
    return *s;
}

/// The live process at `path`, or 0.
sc::Pid pidAt(const sc::Runtime& rt, std::string_view path)
{
    const sc::Snapshot snapshot = rt.snapshot();
    for (const auto& p : snapshot.processes) {
        if (p.path == path) return p.pid;
    }
    return 0;
}

/// Every live process whose path is `root` or below it.
std::vector<sc::Pid> pidsUnder(const sc::Runtime& rt, const std::string& root)
{
    std::vector<sc::Pid> pids;
    const sc::Snapshot snapshot = rt.snapshot();
    for (const auto& p : snapshot.processes) {
        if (p.path == root || p.path.starts_with(root + "/")) pids.push_back(p.pid);
    }
    return pids;
}

const char* const kKillB = R"({"title": "Kill b", "description": "b dies and comes back.",
    "tree": {"id": "root", "children": [{"id": "a"}, {"id": "b"}]},
    "steps": [{"do": "kill", "target": "root/b"}, {"do": "stop", "target": "root/a", "reason": "normal"},
              {"do": "flood", "target": "root/a", "count": 1000}, {"do": "kill", "target": "root/b"}]})";

/// The root may restart a child once a minute: the second kill of a makes it give up, and the third
/// step finds no tree.
const char* const kGiveUp = R"({"title": "Give up", "tree": {"id": "root", "intensity": 1, "period_ms": 60000,
    "children": [{"id": "a"}]},
    "steps": [{"do": "kill", "target": "root/a"}, {"do": "kill", "target": "root/a"},
              {"do": "kill", "target": "root/a"}]})";

/// The action of the window's Scenarios menu named `objectName`, or nullptr.
QAction* scenarioMenuAction(sc::ui::MainWindow& window, const char* objectName)
{
    for (QAction* menu : window.menuBar()->actions()) {
        if (!menu->menu()) continue;
        for (QAction* a : menu->menu()->actions()) {
            if (a->objectName() == QLatin1String(objectName)) return a;
        }
    }
    return nullptr;
}

/// A player wired as the window wires it: a running bridge hands it the runtime's events.
struct BridgedPlayer {
    explicit BridgedPlayer(sc::Runtime& rt)
        : bridge(rt)
        , player(bridge)
    {
        QObject::connect(&bridge, &sc::ui::RuntimeBridge::eventsArrived, &player, &ScenarioPlayer::noteEvents);
        bridge.start();
    }
    sc::ui::RuntimeBridge bridge;
    ScenarioPlayer player;
};

/// Loads and waits for the tree; the player's root, or 0.
sc::Pid loadAndWait(ScenarioPlayer& player, const sc::Scenario& scenario, const QString& name = QStringLiteral("t"))
{
    QSignalSpy started(&player, &ScenarioPlayer::treeStarted);
    player.load(scenario, name);
    if (!started.wait(kWaitMs)) return 0;
    return started.at(0).at(0).value<sc::Pid>();
}

} // namespace

class TstScenarioPlayer : public QObject {
    Q_OBJECT

private slots:
    void stepsOneAtATime()
    {
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        QCOMPARE(player.state(), ScenarioPlayer::State::Empty);
        const sc::Pid root = loadAndWait(player, scenarioOf(kKillB));
        QVERIFY(root != 0);
        QCOMPARE(player.root(), root);
        QCOMPARE(player.state(), ScenarioPlayer::State::Ready);
        QCOMPARE(player.title(), QStringLiteral("Kill b"));
        QCOMPARE(player.description(), QStringLiteral("b dies and comes back."));
        QCOMPARE(player.stepCount(), 4);
        QCOMPARE(player.nextStep(), 0);
        QCOMPARE(player.stepText(0), QStringLiteral("kill root/b"));
        QCOMPARE(player.stepText(1), QStringLiteral("stop root/a (normal)"));
        QCOMPARE(player.stepText(2), QStringLiteral("flood root/a with 1000 messages"));

        const sc::Pid oldB = pidAt(rt, "root/b");
        QVERIFY(oldB != 0);
        QSignalSpy started(&player, &ScenarioPlayer::stepStarted);
        QSignalSpy finished(&player, &ScenarioPlayer::stepFinished);
        QVERIFY(player.step());
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.at(0).at(0).toInt(), 0);
        QCOMPARE(player.runningStep(), 0);
        QVERIFY(!player.step()); // one at a time
        QVERIFY(finished.wait(kWaitMs));
        QCOMPARE(finished.at(0).at(0).toInt(), 0);
        QCOMPARE(finished.at(0).at(1).toBool(), true);
        QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("killed"));
        QCOMPARE(player.nextStep(), 1);
        QCOMPARE(player.runningStep(), -1);
        // The step waited for quiescence: b is back, with a new pid.
        const sc::Pid newB = pidAt(rt, "root/b");
        QVERIFY(newB != 0);
        QVERIFY(newB != oldB);
        QVERIFY(!rt.isAlive(oldB));
        QCOMPARE(player.stepResult(0)->answer, QStringLiteral("killed"));
        QVERIFY(!player.stepResult(1));

        // flood: the worker ignores the messages and lives on.
        QVERIFY(player.step());
        QVERIFY(finished.wait(kWaitMs));
        const sc::Pid a = pidAt(rt, "root/a");
        QVERIFY(player.step());
        QVERIFY(finished.wait(kWaitMs));
        QCOMPARE(finished.at(2).at(2).toString(), QStringLiteral("sent 1000 messages"));
        QCOMPARE(pidAt(rt, "root/a"), a);
    }

    void actsOnProcessesRestartedByHand()
    {
        // The user kills b between two steps; the next step finds its successor.
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        QVERIFY(loadAndWait(player, scenarioOf(kKillB)) != 0);
        const sc::Pid first = pidAt(rt, "root/b");
        rt.kill(first);
        QTRY_VERIFY_WITH_TIMEOUT(pidAt(rt, "root/b") != 0 && pidAt(rt, "root/b") != first, kWaitMs);
        const sc::Pid second = pidAt(rt, "root/b");
        QSignalSpy finished(&player, &ScenarioPlayer::stepFinished);
        QVERIFY(player.step());
        QVERIFY(finished.wait(kWaitMs));
        QCOMPARE(finished.at(0).at(1).toBool(), true);
        QVERIFY(!rt.isAlive(second));
    }

    void playsToTheEnd()
    {
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        QVERIFY(loadAndWait(player, scenarioOf(kKillB)) != 0);
        player.setStepDelay(std::chrono::milliseconds(20));
        QSignalSpy started(&player, &ScenarioPlayer::stepStarted);
        QSignalSpy stepped(&player, &ScenarioPlayer::stepFinished);
        QSignalSpy finished(&player, &ScenarioPlayer::finished);
        player.play();
        QVERIFY(player.isPlaying());
        QVERIFY(finished.wait(kWaitMs));
        QCOMPARE(stepped.count(), 4);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(started.at(i).at(0).toInt(), i);
            QCOMPARE(stepped.at(i).at(0).toInt(), i);
        }
        QVERIFY(!player.isPlaying());
        QVERIFY(player.isFinished());
        QCOMPARE(player.nextStep(), 4);
        QVERIFY(!player.step());
        player.play(); // nothing left
        QVERIFY(!player.isPlaying());
    }

    void pauseStopsAfterTheCurrentStep()
    {
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        QVERIFY(loadAndWait(player, scenarioOf(R"({"tree": {"id": "root", "children": [{"id": "a"}]},
                        "steps": [{"do": "sleep", "ms": 200}, {"do": "kill", "target": "root/a"},
                                  {"do": "kill", "target": "root/a"}]})"))
            != 0);
        player.setStepDelay(std::chrono::milliseconds(0));
        QSignalSpy finished(&player, &ScenarioPlayer::stepFinished);
        player.play();
        QCOMPARE(player.runningStep(), 0);
        player.pause();
        QVERIFY(!player.isPlaying());
        QVERIFY(finished.wait(kWaitMs));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("slept 200 ms"));
        // Paused between steps: nothing runs and nothing is scheduled.
        QCOMPARE(player.runningStep(), -1);
        QCOMPARE(player.nextStep(), 1);
        QVERIFY(!player.isFinished());
        // Stepping by hand goes on from there.
        QVERIFY(player.step());
        QVERIFY(finished.wait(kWaitMs));
        QCOMPARE(finished.at(1).at(0).toInt(), 1);
    }

    void badFilesKeepTheTree()
    {
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        const sc::Pid root = loadAndWait(player, scenarioOf(kKillB));
        QVERIFY(root != 0);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        QSignalSpy failed(&player, &ScenarioPlayer::failed);
        QSignalSpy loaded(&player, &ScenarioPlayer::scenarioLoaded);
        const QString missing = dir.filePath(QStringLiteral("missing.json"));
        QVERIFY(!player.loadFile(missing));
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.at(0).at(0).toString(), missing + QStringLiteral(": cannot read: No such file or directory"));

        const QString bad = dir.filePath(QStringLiteral("bad.json"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"tree": {"id": "root"}, "steps": [{"do": "kill", "target": "root/x"}]})");
        f.close();
        QVERIFY(!player.loadFile(bad));
        QCOMPARE(failed.count(), 2);
        const QString message = failed.at(1).at(0).toString();
        QVERIFY2(message.startsWith(bad + QStringLiteral(": steps[0].target: no node has the path \"root/x\"")),
            qPrintable(message));

        QVERIFY(!player.loadFile(QStringLiteral(":/no/such/resource.json")));
        QCOMPARE(failed.count(), 3);
        QVERIFY(failed.at(2).at(0).toString().startsWith(QStringLiteral(":/no/such/resource.json: cannot read: ")));

        // Nothing changed: same scenario, same tree.
        QCOMPARE(loaded.count(), 0);
        QCOMPARE(player.state(), ScenarioPlayer::State::Ready);
        QCOMPARE(player.root(), root);
        QCOMPARE(player.title(), QStringLiteral("Kill b"));
        QVERIFY(rt.isAlive(root));
        QVERIFY(player.lastError().isEmpty());
    }

    void loadingStopsThePreviousTree()
    {
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        QVERIFY(loadAndWait(player, scenarioOf(R"({"tree": {"id": "first", "children": [{"id": "a"},
                        {"id": "slow", "stop_delay_ms": 30000, "shutdown": "infinity"},
                        {"id": "pool", "type": "dynamic_supervisor"}]},
                        "steps": [{"do": "start_child", "target": "first/pool", "child": {"id": "w"}}]})"))
            != 0);
        QSignalSpy finished(&player, &ScenarioPlayer::stepFinished);
        QVERIFY(player.step());
        QVERIFY(finished.wait(kWaitMs));
        QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("started"));
        const auto before = pidsUnder(rt, "first");
        QCOMPARE(before.size(), std::size_t(5));

        // The slow worker's 30-second terminate is cut short.
        QVERIFY(loadAndWait(player, scenarioOf(R"({"tree": {"id": "second", "children": [{"id": "b"}]}, "steps": []})"))
            != 0);
        for (sc::Pid pid : before)
            QVERIFY(!rt.isAlive(pid));
        QVERIFY(pidsUnder(rt, "first").empty());
        QCOMPARE(pidsUnder(rt, "second").size(), std::size_t(2));
        QVERIFY(player.isFinished()); // no steps
    }

    void restartStartsAFreshTree()
    {
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        const sc::Pid root = loadAndWait(player, scenarioOf(kKillB));
        QVERIFY(root != 0);
        QSignalSpy finished(&player, &ScenarioPlayer::stepFinished);
        QVERIFY(player.step());
        QVERIFY(finished.wait(kWaitMs));
        QSignalSpy started(&player, &ScenarioPlayer::treeStarted);
        player.restart();
        QCOMPARE(player.state(), ScenarioPlayer::State::Loading);
        QCOMPARE(player.nextStep(), 0);
        QVERIFY(!player.stepResult(0));
        QVERIFY(started.wait(kWaitMs));
        QVERIFY(player.root() != root);
        QVERIFY(!rt.isAlive(root));
        QCOMPARE(pidsUnder(rt, "root").size(), std::size_t(3));
    }

    void loadingCancelsALongStep()
    {
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        QVERIFY(loadAndWait(player, scenarioOf(R"({"tree": {"id": "root"}, "steps": [{"do": "sleep", "ms": 60000}]})"))
            != 0);
        QSignalSpy finished(&player, &ScenarioPlayer::stepFinished);
        QVERIFY(player.step());
        // The one-minute sleep ends at once; its answer belongs to the old load and is dropped.
        QVERIFY(loadAndWait(player, scenarioOf(kKillB)) != 0);
        QCOMPARE(finished.count(), 0);
        QCOMPARE(player.nextStep(), 0);
        QVERIFY(player.step());
        QVERIFY(finished.wait(kWaitMs));
        QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("killed"));
    }

    void playWhileLoading()
    {
        // --scenario FILE: load, then play at once.
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        player.setStepDelay(std::chrono::milliseconds(0));
        QSignalSpy finished(&player, &ScenarioPlayer::finished);
        player.load(scenarioOf(kKillB), QStringLiteral("kill.json"));
        player.play();
        QVERIFY(player.isPlaying());
        QVERIFY(finished.wait(kWaitMs));
        QCOMPARE(player.nextStep(), 4);
    }

    void destroyedDuringAStep()
    {
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        auto player = std::make_unique<ScenarioPlayer>(bridge);
        QVERIFY(loadAndWait(*player, scenarioOf(R"({"tree": {"id": "root"}, "steps": [{"do": "sleep", "ms": 60000}]})"))
            != 0);
        QVERIFY(player->step());
        player.reset(); // cancels the sleep and joins
        QVERIFY(pidAt(rt, "root") != 0); // the tree is the runtime's to end
    }

    void financeAnswersInWords()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        player.setDataDir(dir.path().toStdString());
        const char* json = R"({"tree": "finance", "steps": [
            {"do": "open_tracker", "user": "alice"},
            {"do": "donate", "user": "alice", "amount": "10"},
            {"do": "total", "user": "alice"},
            {"do": "withdraw", "user": "bob", "amount": "5.00"},
            {"do": "flood", "target": "finance/core/donation_pool", "count": 500},
            {"do": "pool_total"}]})";
        QSignalSpy started(&player, &ScenarioPlayer::treeStarted);
        player.load(scenarioOf(json), QStringLiteral("finance.json"));
        QVERIFY(started.wait(kWaitMs));
        QCOMPARE(started.at(0).at(1).toBool(), true);
        QVERIFY(player.isFinance());
        QCOMPARE(player.stepText(1), QStringLiteral("donate 10.00 from alice"));
        QCOMPARE(player.stepText(2), QStringLiteral("total of alice"));
        QCOMPARE(player.stepText(3), QStringLiteral("withdraw 5.00 for bob"));

        player.setStepDelay(std::chrono::milliseconds(0));
        QSignalSpy finished(&player, &ScenarioPlayer::finished);
        player.play();
        QVERIFY(finished.wait(kWaitMs));
        QCOMPARE(player.stepResult(0)->answer, QStringLiteral("total 0.00"));
        QVERIFY2(player.stepResult(1)->answer.startsWith(QStringLiteral("total 10.00 (ledger record ")),
            qPrintable(player.stepResult(1)->answer));
        QCOMPARE(player.stepResult(2)->answer, QStringLiteral("total 10.00"));
        QCOMPARE(player.stepResult(3)->ok, false);
        QVERIFY2(player.stepResult(3)->answer.startsWith(QStringLiteral("insufficient_funds: ")),
            qPrintable(player.stepResult(3)->answer));
        QCOMPARE(player.stepResult(4)->answer, QStringLiteral("sent 500 messages"));
        QCOMPARE(player.stepResult(5)->answer, QStringLiteral("pool total 0.00")); // the pool ignored the flood

        // A second finance tree can start: the first one's names are released.
        const sc::Pid first = player.root();
        const sc::Pid second = loadAndWait(player, scenarioOf(R"({"tree": "finance", "steps": []})"));
        QVERIFY(second != 0);
        QVERIFY(second != first);
        QVERIFY(!rt.isAlive(first));
    }

    void treeThatCannotStart()
    {
        // A finance tree needs a data directory.
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        QSignalSpy failed(&player, &ScenarioPlayer::failed);
        player.load(scenarioOf(R"({"tree": "finance", "steps": [{"do": "pool_total"}]})"), QStringLiteral("f"));
        player.play();
        QVERIFY(failed.wait(kWaitMs));
        QVERIFY2(failed.at(0).at(0).toString().startsWith(QStringLiteral("the tree did not start: ")),
            qPrintable(failed.at(0).at(0).toString()));
        QCOMPARE(player.state(), ScenarioPlayer::State::Empty);
        QVERIFY(!player.isPlaying());
        QCOMPARE(player.root(), sc::Pid(0));
        QVERIFY(!player.step());
    }

    /// A read-only data directory: a finance scenario fails with the reason
    /// and creates nothing there; other scenarios play as ever.
    void financeRefusedWhileReadOnly()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("data"));
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        player.setDataDir(data.toStdString());
        player.setFinanceRefusal(QStringLiteral("the data folder is open read-only"));
        QSignalSpy failed(&player, &ScenarioPlayer::failed);
        player.load(scenarioOf(R"({"tree": "finance", "steps": [{"do": "pool_total"}]})"), QStringLiteral("f"));
        QVERIFY(failed.wait(kWaitMs));
        QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("the data folder is open read-only"));
        QCOMPARE(player.state(), ScenarioPlayer::State::Empty);
        QCOMPARE(pidAt(rt, "finance"), sc::Pid(0));
        QVERIFY(!QFileInfo::exists(data)); // not even the directory

        QVERIFY(loadAndWait(player, scenarioOf(kKillB)) != 0);
        QVERIFY(pidAt(rt, "root/b") != 0);
    }

    /// stopTree (the app's exit) stops the tree in order and waits for it.
    void stopTreeStopsAndWaits()
    {
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        const sc::Pid root = loadAndWait(player, scenarioOf(kKillB));
        QVERIFY(root != 0);
        QVERIFY(player.stopTree(std::chrono::seconds(10)));
        QVERIFY(!rt.isAlive(root));
        QVERIFY(pidsUnder(rt, "root").empty());
        QCOMPARE(player.state(), ScenarioPlayer::State::Empty);
        QVERIFY(player.stopTree(std::chrono::seconds(10))); // nothing left: at once
    }

    void panelShowsAndDrives()
    {
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        ScenarioPanel panel(&player);
        panel.show();
        QVERIFY(!panel.stepButton()->isEnabled());
        QVERIFY(!panel.playButton()->isEnabled());

        QVERIFY(loadAndWait(player, scenarioOf(kKillB)) != 0);
        QCOMPARE(panel.titleLabel()->text(), QStringLiteral("Kill b"));
        QTreeWidget* list = panel.stepList();
        QCOMPARE(list->topLevelItemCount(), 4);
        QVERIFY(list->topLevelItem(0)->text(0).contains(QStringLiteral("1. kill root/b")));
        QVERIFY(list->topLevelItem(0)->font(0).bold()); // the next step
        QVERIFY(panel.stepButton()->isEnabled());
        QVERIFY(panel.playButton()->isEnabled());
        QVERIFY(panel.statusLabel()->text().contains(QStringLiteral("step 1 of 4")));

        QSignalSpy stepped(&player, &ScenarioPlayer::stepFinished);
        panel.stepButton()->click();
        QVERIFY(!panel.stepButton()->isEnabled()); // while it runs
        QVERIFY(stepped.wait(kWaitMs));
        QTreeWidgetItem* first = list->topLevelItem(0);
        QVERIFY2(first->text(0).startsWith(QStringLiteral("✓")), qPrintable(first->text(0)));
        QCOMPARE(first->text(1), QStringLiteral("killed"));
        QCOMPARE(first->toolTip(0), QStringLiteral("1. kill root/b")); // the whole step, however narrow the column
        QCOMPARE(first->toolTip(1), QStringLiteral("killed"));
        QVERIFY(!first->font(0).bold());
        QVERIFY(list->topLevelItem(1)->font(0).bold());

        // The speed box sets the pause between steps.
        const int fast = panel.speedBox()->findData(200);
        QVERIFY(fast >= 0);
        panel.speedBox()->setCurrentIndex(fast);
        QCOMPARE(player.stepDelay(), std::chrono::milliseconds(200));

        QSignalSpy finished(&player, &ScenarioPlayer::finished);
        panel.playButton()->click();
        QVERIFY(player.isPlaying());
        QVERIFY(panel.playButton()->text().contains(QStringLiteral("Pause")));
        QVERIFY(finished.wait(kWaitMs));
        QVERIFY(panel.playButton()->text().contains(QStringLiteral("Play")));
        QVERIFY(!panel.playButton()->isEnabled());
        QVERIFY(!panel.stepButton()->isEnabled());
        for (int i = 0; i < 4; ++i)
            QVERIFY2(list->topLevelItem(i)->text(0).startsWith(QStringLiteral("✓")),
                qPrintable(list->topLevelItem(i)->text(0)));

        // Restart from the panel: the list is fresh again.
        QSignalSpy started(&player, &ScenarioPlayer::treeStarted);
        panel.restartButton()->click();
        QVERIFY(started.wait(kWaitMs));
        QCOMPARE(list->topLevelItemCount(), 4);
        QVERIFY(!list->topLevelItem(0)->text(0).startsWith(QStringLiteral("✓")));
        QVERIFY(panel.stepButton()->isEnabled());

        // A refused file is reported in the panel; the scenario stays.
        QVERIFY(!player.loadFile(QStringLiteral("/no/such/file.json")));
        QVERIFY2(panel.statusLabel()->text().contains(QStringLiteral("/no/such/file.json: cannot read")),
            qPrintable(panel.statusLabel()->text()));
        QCOMPARE(list->topLevelItemCount(), 4);
    }

    void panelMarksFailedSteps()
    {
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        ScenarioPanel panel(&player);
        QVERIFY(
            loadAndWait(player, scenarioOf(R"({"tree": {"id": "root", "children": [{"id": "t", "restart": "temporary"},
                        {"id": "d", "type": "dynamic_supervisor", "max_children": 0}]},
                        "steps": [{"do": "kill", "target": "root/t"}, {"do": "kill", "target": "root/t"},
                                  {"do": "start_child", "target": "root/d", "child": {"id": "w"}}]})"))
            != 0);
        player.setStepDelay(std::chrono::milliseconds(0));
        QSignalSpy finished(&player, &ScenarioPlayer::finished);
        player.play();
        QVERIFY(finished.wait(kWaitMs));
        QCOMPARE(player.stepResult(1)->ok, false);
        QCOMPARE(player.stepResult(1)->answer, QStringLiteral("root/t is not alive; nothing done"));
        QCOMPARE(player.stepResult(2)->answer, QStringLiteral("max_children"));
        QVERIFY(panel.stepList()->topLevelItem(1)->text(0).startsWith(QStringLiteral("✗")));
        QCOMPARE(panel.stepList()->topLevelItem(2)->text(1), QStringLiteral("max_children"));
    }

    void demoMenuListsTitles()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto write = [&](const char* name, const QByteArray& text) {
            QFile f(dir.filePath(QLatin1String(name)));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        };
        write("b.json", R"({"title": "Second", "description": "two", "tree": {"id": "r"}, "steps": []})");
        write("a.json", R"({"tree": {"id": "r"}, "steps": []})");
        write("c.json", R"({"tree": {"id": "r"}, "steps": [], "bogus": 1})"); // left out
        write("notes.txt", "not a scenario");
        const auto demos = sc::ui::demoScenarios(dir.path());
        QCOMPARE(demos.size(), 2);
        QCOMPARE(demos.at(0).title, QStringLiteral("a"));
        QCOMPARE(demos.at(1).title, QStringLiteral("Second"));
        QCOMPARE(demos.at(1).description, QStringLiteral("two"));

        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        QMenu menu;
        sc::ui::fillScenarioMenu(&menu, &player, dir.path());
        const auto actions = menu.actions();
        // Open…, Reopen, separator, Restart this scenario, Finance tree, separator, two demos
        QCOMPARE(actions.size(), 8);
        QCOMPARE(actions.at(7)->text(), QStringLiteral("Second"));
        // Reopen offers the scenario file loaded last; none yet.
        QAction* reopen = actions.at(1);
        Q_EMIT menu.aboutToShow();
        QVERIFY(!reopen->isVisible());

        QSignalSpy started(&player, &ScenarioPlayer::treeStarted);
        actions.at(7)->trigger();
        QCOMPARE(player.title(), QStringLiteral("Second"));
        QVERIFY(started.wait(kWaitMs));
        Q_EMIT menu.aboutToShow();
        QVERIFY(reopen->isVisible());
        QCOMPARE(reopen->text(), QStringLiteral("&Reopen b.json"));
        QCOMPARE(player.recentFile(), QFileInfo(dir.filePath(QStringLiteral("b.json"))).absoluteFilePath());
    }

    // -- the end of a scenario --

    /// The root gives up during step 2: the scenario has ended. Playing stops there, step 3 is
    /// never run against the dead tree, and Play and Step do nothing until the restart, which
    /// plays again from step 1.
    void endsWhenTheRootGivesUp()
    {
        sc::Runtime rt({.workers = 2});
        BridgedPlayer bridged(rt);
        ScenarioPlayer& player = bridged.player;
        const sc::Pid root = loadAndWait(player, scenarioOf(kGiveUp));
        QVERIFY(root != 0);
        player.setStepDelay(std::chrono::milliseconds(0));
        QSignalSpy ended(&player, &ScenarioPlayer::ended);
        QSignalSpy started(&player, &ScenarioPlayer::stepStarted);
        QSignalSpy stepped(&player, &ScenarioPlayer::stepFinished);
        player.play();
        QVERIFY(ended.wait(kWaitMs));
        QTRY_COMPARE_WITH_TIMEOUT(stepped.count(), 2, kWaitMs);
        QCOMPARE(player.state(), ScenarioPlayer::State::Ended);
        QVERIFY(player.hasEnded());
        QVERIFY(!player.isPlaying()); // before: a zero delay, and step 3 on its way
        QCOMPARE(started.count(), 2);
        QVERIFY(!player.stepResult(2));
        QVERIFY(!rt.isAlive(root));
        // Whichever saw the end first, the root's own event says how it ended.
        QTRY_COMPARE_WITH_TIMEOUT(
            player.endReason(), QStringLiteral("root gave up (reached max restart intensity)"), kWaitMs);

        player.play();
        QVERIFY(!player.isPlaying());
        QVERIFY(!player.step());
        QCOMPARE(started.count(), 2);

        QSignalSpy treeStarted(&player, &ScenarioPlayer::treeStarted);
        player.restart();
        QVERIFY(treeStarted.wait(kWaitMs));
        QCOMPARE(player.state(), ScenarioPlayer::State::Ready);
        QCOMPARE(player.nextStep(), 0);
        QVERIFY(player.endReason().isEmpty());
        QVERIFY(rt.isAlive(player.root()));
        QVERIFY(player.step());
        QCOMPARE(started.count(), 3);
        QCOMPARE(started.at(2).at(0).toInt(), 0);
    }

    /// No step runs: the root killed by hand between two steps ends the scenario, through the
    /// events the bridge drains.
    void aRootKilledByHandEndsIt()
    {
        sc::Runtime rt({.workers = 2});
        BridgedPlayer bridged(rt);
        ScenarioPlayer& player = bridged.player;
        const sc::Pid root = loadAndWait(player, scenarioOf(kKillB));
        QVERIFY(root != 0);
        QSignalSpy ended(&player, &ScenarioPlayer::ended);
        rt.kill(root);
        QVERIFY(ended.wait(kWaitMs));
        QCOMPARE(ended.at(0).at(0).toString(), QStringLiteral("root exited (killed)"));
        QCOMPARE(player.state(), ScenarioPlayer::State::Ended);
        QVERIFY(!player.step());

        // The finance tree (no steps) killed by hand: the tree has ended, and the panel says so.
        QTemporaryDir dir;
        player.setDataDir(dir.path().toStdString());
        ScenarioPanel panel(&player);
        QSignalSpy started(&player, &ScenarioPlayer::treeStarted);
        player.loadFinanceTree();
        QVERIFY(started.wait(kWaitMs));
        rt.kill(player.root());
        QVERIFY(ended.wait(kWaitMs));
        QCOMPARE(panel.statusLabel()->text(), QStringLiteral("The tree has ended: finance exited (killed)."));
        QVERIFY(panel.playButton()->isHidden());
    }

    /// In the window: the final tree, crossed out where it gave up, stays after the point where
    /// it used to vanish (the ghosts' lifetime, here 300 ms) while snapshots keep coming; the
    /// panel says so and offers the restart in place of Play and Step; "Restart this scenario"
    /// (the panel's, then the menu's) brings the tree back, live, at step 1.
    void theFinalTreeStaysUntilTheRestart_data()
    {
        QTest::addColumn<bool>("presenter");
        QTest::newRow("standard") << false;
        QTest::newRow("presenter") << true;
    }

    void theFinalTreeStaysUntilTheRestart()
    {
        QFETCH(bool, presenter);
        QStandardPaths::setTestModeEnabled(true);
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        {
            sc::ui::MainWindow window(bridge);
            window.addScenarioPlayer(&player);
            window.setPresenterMode(presenter);
            window.resize(1280, 720);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            sc::ui::TreeGraphView* graph = window.graphView();
            graph->setGhostLifetime(std::chrono::milliseconds(300));
            const sc::Pid root = loadAndWait(player, scenarioOf(kGiveUp));
            QVERIFY(root != 0);
            QTRY_COMPARE_WITH_TIMEOUT(graph->nodeCount(), 2, kWaitMs);
            QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
            const int dockWidth = window.scenarioPanel()->width();

            player.setStepDelay(std::chrono::milliseconds(0));
            QSignalSpy ended(&player, &ScenarioPlayer::ended);
            player.play();
            QVERIFY(ended.wait(kWaitMs));
            // The root's give-up and exit have reached the views, and 30 snapshots more (a second
            // or more: over three times the ghosts' lifetime) have been applied since.
            QTRY_VERIFY_WITH_TIMEOUT(graph->hasGivenUp(root) && window.processModel()->processCount() == 0, kWaitMs);
            int snapshots = 0;
            connect(window.bridge(), &sc::ui::RuntimeBridge::snapshotUpdated, this, [&snapshots] { ++snapshots; });
            QTRY_VERIFY_WITH_TIMEOUT(snapshots >= 30, kWaitMs);
            // root and a, as the last snapshot before the end had them (a maybe a restarted one).
            QCOMPARE(graph->nodeCount(), 2);
            QCOMPARE(graph->nodePids().front(), root);
            for (const sc::Pid pid : graph->nodePids())
                QVERIFY(graph->isGhost(pid));
            QVERIFY(graph->hasGivenUp(root)); // crossed out
            QVERIFY(graph->ghostsHeld());

            ScenarioPanel* panel = window.scenarioPanel();
            QVERIFY(!panel->isHidden());
            QVERIFY(panel->playButton()->isHidden());
            QVERIFY(panel->stepButton()->isHidden());
            QCOMPARE(panel->restartButton()->text(), QStringLiteral("↻ Restart this scenario"));
            QVERIFY2(panel->statusLabel()->text().startsWith(
                         QStringLiteral("The scenario has ended at step 2 of 3: root gave up")),
                qPrintable(panel->statusLabel()->text()));
            QCOMPARE(panel->stepList()->topLevelItem(2)->text(1), QStringLiteral("not run: the tree has ended"));

            // The panel's restart: the tree is back and live, the ghosts replaced, at step 1.
            QSignalSpy treeStarted(&player, &ScenarioPlayer::treeStarted);
            panel->restartButton()->click();
            QVERIFY(treeStarted.wait(kWaitMs));
            QCOMPARE(player.nextStep(), 0);
            QVERIFY(!graph->ghostsHeld());
            const sc::Pid again = player.root();
            QTRY_VERIFY_WITH_TIMEOUT(graph->nodeCount() == 2 && graph->nodePids().front() == again, kWaitMs);
            for (const sc::Pid pid : graph->nodePids())
                QVERIFY(!graph->isGhost(pid));
            QVERIFY(!panel->playButton()->isHidden());
            QVERIFY(panel->playButton()->isEnabled());
            QVERIFY(panel->statusLabel()->text().startsWith(QStringLiteral("Paused before step 1 of 3")));
            // The end and the restart left the docks as they were: the tree has its room.
            QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
            QCOMPARE(panel->width(), dockWidth);

            // The menu's restart does the same.
            QAction* restart = scenarioMenuAction(window, "restartScenario");
            QVERIFY(restart);
            QVERIFY(restart->isEnabled());
            restart->trigger();
            QVERIFY(treeStarted.wait(kWaitMs));
            QVERIFY(player.root() != again);
            QCOMPARE(player.nextStep(), 0);
        }
        player.stopTree(std::chrono::seconds(10));
    }

    /// Scenarios -> Finance tree: the finance services start again on the player's data
    /// directory, after a demo, and answer; a read-only window disables the item and says why.
    void financeTreeFromTheMenu()
    {
        QStandardPaths::setTestModeEnabled(true);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        player.setDataDir(dir.path().toStdString());
        {
            sc::ui::MainWindow window(bridge);
            window.addScenarioPlayer(&player);
            QVERIFY(loadAndWait(player, scenarioOf(kKillB)) != 0);
            QAction* finance = scenarioMenuAction(window, "financeTree");
            QVERIFY(finance);
            QVERIFY(finance->isEnabled());
            QVERIFY2(finance->statusTip().contains(QDir::toNativeSeparators(dir.path())), qPrintable(finance->statusTip()));

            QSignalSpy started(&player, &ScenarioPlayer::treeStarted);
            finance->trigger();
            QVERIFY(started.wait(kWaitMs));
            QCOMPARE(started.at(0).at(1).toBool(), true);
            QCOMPARE(player.title(), QStringLiteral("Finance tree"));
            QCOMPARE(pidAt(rt, "root"), sc::Pid(0)); // the demo's tree made way
            sc::finance::FinanceClient client(rt);
            QVERIFY(client.openTracker("ann").ok());
            const auto donated = client.donate("ann", sc::Money::fromMinorUnits(1250));
            QVERIFY2(donated.ok(), donated ? "" : donated.error().toString().c_str());
            QCOMPARE(donated->value, sc::Money::fromMinorUnits(1250));
            QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("ledger.sqlite3"))));
            player.stopTree(std::chrono::seconds(10));

            // Read-only: the item stays, disabled, and says why (read when the menu opens).
            player.setFinanceRefusal(QStringLiteral("the data folder is open read-only"));
            QMenu* menu = qobject_cast<QMenu*>(finance->parent());
            QVERIFY(menu);
            Q_EMIT menu->aboutToShow();
            QVERIFY(!finance->isEnabled());
            QVERIFY2(finance->text().contains(QStringLiteral("read-only")), qPrintable(finance->text()));
            QCOMPARE(finance->toolTip(), QStringLiteral("The data folder is open read-only"));
        }
    }

    // -- the step list --

    void elidesStepText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("room"); ///< the width of this text is the room
        QTest::addColumn<QString>("expected");
        const QString kill = QStringLiteral("kill root/payments/gateway");
        const QString target = QStringLiteral("root/payments/gateway");
        QTest::newRow("fits") << kill << target << kill << kill;
        QTest::newRow("middle segments go first")
            << kill << target << QStringLiteral("kill root/…/gateway") << QStringLiteral("kill root/…/gateway");
        QTest::newRow("then the first")
            << kill << target << QStringLiteral("kill …/gateway") << QStringLiteral("kill …/gateway");
        QTest::newRow("deep path, one segment at a time")
            << QStringLiteral("crash root/a/bb/cc/leaf") << QStringLiteral("root/a/bb/cc/leaf")
            << QStringLiteral("crash root/…/cc/leaf") << QStringLiteral("crash root/…/cc/leaf");
        QTest::newRow("words after the path stay")
            << QStringLiteral("flood root/payments/gateway with 1000 messages") << target
            << QStringLiteral("flood root/…/gateway with 1000 messages")
            << QStringLiteral("flood root/…/gateway with 1000 messages");
        // "…/catalog" does not fit: no path part goes without an ellipsis to say so.
        QTest::newRow("a cut path is always marked")
            << QStringLiteral("4. stop root/catalog (normal)") << QStringLiteral("root/catalog")
            << QStringLiteral("4. stop …catalog (normal)") << QStringLiteral("4. stop …catalog (normal)");
        QTest::newRow("marks in front") << QStringLiteral("✓  12. kill root/payments/gateway") << target
                                        << QStringLiteral("✓  12. kill …/gateway")
                                        << QStringLiteral("✓  12. kill …/gateway");
    }

    void elidesStepText()
    {
        QFETCH(QString, text);
        QFETCH(QString, target);
        QFETCH(QString, room);
        QFETCH(QString, expected);
        const QFontMetrics metrics(QApplication::font());
        QCOMPARE(sc::ui::elideStepText(text, target, metrics, metrics.horizontalAdvance(room)), expected);
    }

    /// Far too narrow: whatever it keeps fits, with one ellipsis at most, and the last segment
    /// goes last.
    void elidesStepTextToAnyWidth()
    {
        const QFontMetrics metrics(QApplication::font());
        const QString text = QStringLiteral("✓  3. restart_child gateway of root/payments/gateway");
        const QString target = QStringLiteral("root/payments/gateway");
        for (int width = 0; width < metrics.horizontalAdvance(text); width += 7) {
            const QString shown = sc::ui::elideStepText(text, target, metrics, width);
            QVERIFY2(metrics.horizontalAdvance(shown) <= width, qPrintable(shown));
            QVERIFY2(shown.count(QStringLiteral("…")) <= 1, qPrintable(shown));
        }
        const int room = metrics.horizontalAdvance(QStringLiteral("✓  3. restart…gateway"));
        const QString shown = sc::ui::elideStepText(text, target, metrics, room);
        QVERIFY2(shown.startsWith(QStringLiteral("✓  3. re")) && shown.endsWith(QStringLiteral("…gateway")),
            qPrintable(shown));
    }

    /// The list gives the steps the room they need (the answers are short) and cuts a long
    /// target so that its last segment shows; the tooltip has it whole.
    void stepListShowsTheLastSegment()
    {
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        ScenarioPanel panel(&player);
        panel.resize(640, 600);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(loadAndWait(player, scenarioOf(R"({"tree": {"id": "root", "children": [
                {"id": "payments", "type": "supervisor", "children": [
                    {"id": "settlements", "type": "supervisor", "children": [{"id": "gateway"}]}]}]},
                "steps": [{"do": "kill", "target": "root/payments/settlements/gateway"}]})"))
            != 0);
        QTreeWidget* list = panel.stepList();
        const QString full = QStringLiteral("1. kill root/payments/settlements/gateway");
        QCOMPARE(list->topLevelItem(0)->toolTip(0), full);
        // Wide enough: the whole step, and more than half the list for it.
        QVERIFY2(panel.shownStepText(0).endsWith(full), qPrintable(panel.shownStepText(0)));
        QVERIFY(list->columnWidth(0) > list->viewport()->width() / 2);

        // As narrow as the panel goes: the last segment stays.
        panel.resize(panel.minimumSizeHint().width(), 600);
        QTRY_VERIFY(list->columnWidth(0) < QFontMetrics(list->font()).horizontalAdvance(full));
        const QString shown = panel.shownStepText(0);
        QVERIFY2(shown.endsWith(QStringLiteral("/gateway")) && shown.contains(QStringLiteral("…")), qPrintable(shown));
        QVERIFY(QFontMetrics(list->topLevelItem(0)->font(0)).horizontalAdvance(shown) <= list->columnWidth(0));
    }

    /// Presenter type reaches every step, the current one (bold) included.
    void presenterTypeReachesTheSteps()
    {
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        ScenarioPanel panel(&player);
        QVERIFY(loadAndWait(player, scenarioOf(kKillB)) != 0);
        QTreeWidget* list = panel.stepList();
        const qreal before = list->font().pointSizeF();
        QCOMPARE(list->topLevelItem(0)->font(0).pointSizeF(), before);
        QVERIFY(list->topLevelItem(0)->font(0).bold());
        sc::ui::theme::scaleFonts(&panel, sc::ui::theme::presenterScale);
        QVERIFY(list->font().pointSizeF() > before);
        QCOMPARE(list->topLevelItem(0)->font(0).pointSizeF(), list->font().pointSizeF());
        QVERIFY(list->topLevelItem(0)->font(0).bold());
        // The others have no font of their own: they are drawn in the list's.
        for (int i = 1; i < list->topLevelItemCount(); ++i)
            QVERIFY(!list->topLevelItem(i)->data(0, Qt::FontRole).isValid());
    }

    /// However short the dock, in presenter type too, nothing is drawn over anything else: the
    /// status sits below the step list, the description above it, the buttons below them all.
    void nothingOverlapsInAShortDock_data()
    {
        QTest::addColumn<int>("height");
        QTest::addColumn<bool>("presenter");
        for (const int height : {220, 300, 380, 480, 640, 900}) {
            QTest::addRow("%d px", height) << height << false;
            QTest::addRow("%d px, presenter", height) << height << true;
        }
    }

    void nothingOverlapsInAShortDock()
    {
        QFETCH(int, height);
        QFETCH(bool, presenter);
        sc::Runtime rt({.workers = 2});
        sc::ui::RuntimeBridge bridge(rt);
        ScenarioPlayer player(bridge);
        ScenarioPanel panel(&player);
        if (presenter) sc::ui::theme::scaleFonts(&panel, sc::ui::theme::presenterScale);
        QVERIFY(loadAndWait(player, scenarioOf(R"({"title": "Restart intensity: a supervisor gives up",
                "description": "payments may restart its children at most 2 times in 60 s, the root at most once in 60 s. Kill gateway three times: the third failure is one too many, so payments gives up.",
                "tree": {"id": "root", "children": [{"id": "a"}]},
                "steps": [{"do": "kill", "target": "root/a"}, {"do": "kill", "target": "root/a"},
                          {"do": "kill", "target": "root/a"}, {"do": "kill", "target": "root/a"}]})"))
            != 0);
        panel.resize(560, height);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        // Top to bottom, each shown part below the one before.
        const auto overlap = [&panel]() -> QString {
            std::vector<QWidget*> column;
            for (QWidget* w : {static_cast<QWidget*>(panel.titleLabel()), panel.descriptionArea(),
                     static_cast<QWidget*>(panel.stepList()), static_cast<QWidget*>(panel.statusLabel()),
                     static_cast<QWidget*>(panel.restartButton())}) {
                if (w->isVisible()) column.push_back(w);
            }
            for (std::size_t i = 1; i < column.size(); ++i) {
                if (column[i - 1]->geometry().bottom() >= column[i]->geometry().top())
                    return QStringLiteral("%1 ends at %2, %3 begins at %4")
                        .arg(column[i - 1]->metaObject()->className())
                        .arg(column[i - 1]->geometry().bottom())
                        .arg(column[i]->metaObject()->className())
                        .arg(column[i]->geometry().top());
            }
            return {};
        };
        QTRY_VERIFY_WITH_TIMEOUT(overlap().isEmpty(), 5000);
        QVERIFY2(overlap().isEmpty(), qPrintable(overlap()));
        QVERIFY(panel.statusLabel()->isVisible() && panel.restartButton()->isVisible());
        // The status is whole: as tall as its text needs.
        QVERIFY(panel.statusLabel()->height() >= panel.statusLabel()->heightForWidth(panel.statusLabel()->width()));
        // Where there is room, the list shows at least three steps.
        if (height >= 640) QVERIFY(panel.stepList()->viewport()->height() >= 3 * panel.stepList()->sizeHintForRow(0));
    }
};

QTEST_MAIN(TstScenarioPlayer)
#include "tst_scenarioplayer.moc"
