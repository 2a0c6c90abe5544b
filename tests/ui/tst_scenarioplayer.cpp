// The scenario player and its panel on a real runtime: loading, stepping,
// playing, pausing, replacing a tree, bad files, finance answers in words.

#include "scenarioplayer.h"

#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
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
        ScenarioPlayer player(rt);
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
        ScenarioPlayer player(rt);
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
        ScenarioPlayer player(rt);
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
        ScenarioPlayer player(rt);
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
        ScenarioPlayer player(rt);
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
        ScenarioPlayer player(rt);
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
        ScenarioPlayer player(rt);
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
        ScenarioPlayer player(rt);
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
        ScenarioPlayer player(rt);
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
        auto player = std::make_unique<ScenarioPlayer>(rt);
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
        ScenarioPlayer player(rt);
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
        ScenarioPlayer player(rt);
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
        ScenarioPlayer player(rt);
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
        ScenarioPlayer player(rt);
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
        ScenarioPlayer player(rt);
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
        QCOMPARE(first->toolTip(0), QStringLiteral("killed"));
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
        ScenarioPlayer player(rt);
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
        ScenarioPlayer player(rt);
        QMenu menu;
        sc::ui::fillScenarioMenu(&menu, &player, dir.path());
        const auto actions = menu.actions();
        QCOMPARE(actions.size(), 5); // Open…, Reopen, separator, two demos
        QCOMPARE(actions.at(4)->text(), QStringLiteral("Second"));
        // Reopen offers the scenario file loaded last; none yet.
        QAction* reopen = actions.at(1);
        Q_EMIT menu.aboutToShow();
        QVERIFY(!reopen->isVisible());

        QSignalSpy started(&player, &ScenarioPlayer::treeStarted);
        actions.at(4)->trigger();
        QCOMPARE(player.title(), QStringLiteral("Second"));
        QVERIFY(started.wait(kWaitMs));
        Q_EMIT menu.aboutToShow();
        QVERIFY(reopen->isVisible());
        QCOMPARE(reopen->text(), QStringLiteral("&Reopen b.json"));
        QCOMPARE(player.recentFile(), QFileInfo(dir.filePath(QStringLiteral("b.json"))).absoluteFilePath());
    }
};

QTEST_MAIN(TstScenarioPlayer)
#include "tst_scenarioplayer.moc"
