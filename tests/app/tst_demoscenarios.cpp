// The demo scenarios shipped in resources/scenarios (each parses, is listed
// in resources.qrc, has a title and runs headless to exit 0, telling the
// story its description tells), the flood step and the title/description
// labels of the scenario format, and ScenarioSession on a caller's runtime.

#include "apptest.h"
#include "core/scenario/scenario.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <sstream>

using namespace apptest;

namespace {

QString resourcesDir()
{
    return QDir::cleanPath(QStringLiteral(SC_TEST_DATA_DIR "/../../resources"));
}

QStringList demoFiles()
{
    QStringList files;
    const QDir dir(resourcesDir() + QStringLiteral("/scenarios"));
    for (const QString& name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        files << dir.filePath(name);
    return files;
}

QString runnerFile(const char* name)
{
    return QStringLiteral(SC_TEST_DATA_DIR "/runner/") + QLatin1String(name);
}

/// --headless --scenario FILE --trace - --workers 2 --data-dir DIR
Run runHeadless(const QString& file, const QString& dataDir)
{
    return runApp({QStringLiteral("--headless"), QStringLiteral("--scenario"), file, QStringLiteral("--trace"),
        QStringLiteral("-"), QStringLiteral("--workers"), QStringLiteral("2"), QStringLiteral("--data-dir"), dataDir});
}

/// The trace's reply values to `what` steps, in order ("15.00", or the error name).
QStringList replies(const QByteArray& trace, const QString& what)
{
    QStringList values;
    for (const QByteArray& line : completeLines(trace)) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QLatin1String("event")).toString() != QLatin1String("reply")
            || o.value(QLatin1String("do")).toString() != what)
            continue;
        values << (o.value(QLatin1String("ok")).toBool() ? o.value(QLatin1String("value")).toString()
                                                         : o.value(QLatin1String("error")).toString());
    }
    return values;
}

QStringList eventsOf(const QByteArray& trace, const QString& kind)
{
    QStringList paths;
    for (const QByteArray& line : completeLines(trace)) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QLatin1String("event")).toString() == kind) paths << o.value(QLatin1String("path")).toString();
    }
    return paths;
}

sc::Scenario scenarioOf(const char* json)
{
    auto s = sc::parseScenario(json, "test.json");
    if (!s) qFatal("bad test scenario: %s", s.error().detail.c_str());
    return *s;
}

} // namespace

class TstDemoScenarios : public QObject {
    Q_OBJECT

private slots:
    // -- the demos --

    void demosExist()
    {
        const QStringList files = demoFiles();
        QVERIFY2(files.size() >= 8, qPrintable(files.join(QLatin1Char(' '))));
    }

    void demoParses_data()
    {
        QTest::addColumn<QString>("file");
        for (const QString& file : demoFiles())
            QTest::newRow(qPrintable(QFileInfo(file).fileName())) << file;
    }

    void demoParses()
    {
        QFETCH(QString, file);
        const auto s = sc::loadScenario(file.toStdString());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().detail.c_str());
        QVERIFY2(!s->title.empty(), "a demo needs a title for the Scenarios menu");
        QVERIFY2(!s->description.empty(), "a demo needs a description");
        QVERIFY2(s->steps.size() <= 15, "short enough to watch");
        // Listed in the resources, so the app ships it.
        QFile qrc(resourcesDir() + QStringLiteral("/resources.qrc"));
        QVERIFY(qrc.open(QIODevice::ReadOnly));
        const QByteArray entry = "<file>scenarios/" + QFileInfo(file).fileName().toUtf8() + "</file>";
        QVERIFY2(qrc.readAll().contains(entry), entry.constData());
    }

    /// tests/data/otp/demo_NAME.json is a copy of resources/scenarios/NN_NAME.json,
    /// so that the OTP conformance test checks the demos as they ship.
    void otpCorpusCopiesMatch()
    {
        const QDir otp(QStringLiteral(SC_TEST_DATA_DIR "/otp"));
        const QStringList copies = otp.entryList({QStringLiteral("demo_*.json")}, QDir::Files, QDir::Name);
        QVERIFY(copies.size() >= 5);
        for (const QString& copy : copies) {
            const QString name = copy.mid(int(qstrlen("demo_")));
            const QStringList originals = demoFiles().filter(
                QRegularExpression(QStringLiteral("/[0-9]+_") + QRegularExpression::escape(name) + QLatin1Char('$')));
            QVERIFY2(originals.size() == 1, qPrintable(copy + QStringLiteral(": no demo NN_") + name));
            QFile a(otp.filePath(copy));
            QFile b(originals.first());
            QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
            QVERIFY2(
                a.readAll() == b.readAll(), qPrintable(copy + QStringLiteral(" differs from ") + originals.first()));
        }
    }

    void demoRunsHeadless_data() { demoParses_data(); }

    void demoRunsHeadless()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        QFETCH(QString, file);
        QTemporaryDir data;
        QVERIFY(data.isValid());
        const Run run = runHeadless(file, data.path());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        bool ok = false;
        const QStringList events = lifecycle(run.out, &ok);
        QVERIFY2(ok, run.out.constData());
        const auto s = sc::loadScenario(file.toStdString());
        QVERIFY(s.ok());
        QCOMPARE(events.filter(QRegularExpression(QStringLiteral("^step "))).size(), qsizetype(s->steps.size()));
    }

    /// What each demo's description promises.
    void demoStories()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        const QString dir = resourcesDir() + QStringLiteral("/scenarios/");
        QTemporaryDir data;
        QVERIFY(data.isValid());

        // Reset: the total is gone after the kill; the ledger still counts it.
        Run run = runHeadless(dir + QStringLiteral("06_state_reset.json"), data.path() + QStringLiteral("/reset"));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(replies(run.out, QStringLiteral("total")), (QStringList {"15.00", "0.00"}));
        QCOMPARE(replies(run.out, QStringLiteral("report")), QStringList {"15.00"});

        // Recover: the total survives the kill.
        run = runHeadless(dir + QStringLiteral("07_state_recover.json"), data.path() + QStringLiteral("/recover"));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(replies(run.out, QStringLiteral("total")), (QStringList {"15.00", "15.00"}));

        // Intensity: payments gives up twice, then the root does, and the last kill finds nothing.
        run = runHeadless(dir + QStringLiteral("05_restart_intensity.json"), data.path());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(
            eventsOf(run.out, QStringLiteral("give_up")), (QStringList {"root/payments", "root/payments", "root"}));
        QCOMPARE(eventsOf(run.out, QStringLiteral("log")), QStringList {"root/web"});

        // Flood: nobody exits from it.
        run = runHeadless(dir + QStringLiteral("08_mailbox_flood.json"), data.path());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        bool ok = false;
        const QStringList events = lifecycle(run.out, &ok);
        QVERIFY(events.contains(QStringLiteral("step flood root/busy")));
    }

    // -- the flood step --

    void floodParses()
    {
        const auto s = sc::parseScenario(R"({"tree": {"id": "root", "children": [{"id": "a"}]}, "steps": [
            {"do": "flood", "target": "root/a", "count": 1},
            {"do": "flood", "target": "root", "count": 1000000}]})",
            "x.json");
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().detail.c_str());
        QCOMPARE(s->steps.at(0).action, sc::ScenarioStep::Do::Flood);
        QCOMPARE(s->steps.at(0).target, std::string("root/a"));
        QCOMPARE(s->steps.at(0).count, 1);
        QCOMPARE(s->steps.at(1).count, 1000000);
        QCOMPARE(sc::stepName(s->steps.at(0)), "flood");
        QCOMPARE(sc::describeStep(s->steps.at(1)), std::string("flood root with 1000000 messages"));
        QVERIFY(!sc::isFinanceStep(sc::ScenarioStep::Do::Flood));
    }

    void floodTrace()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        QTemporaryDir data;
        const Run run = runHeadless(runnerFile("flood.json"), data.path());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        bool ok = false;
        const QStringList events = lifecycle(run.out, &ok);
        QVERIFY(ok);
        // The workers ignore the messages: nobody exits but by the kills.
        QCOMPARE(events,
            (QStringList {"start root", "start root/a", "start root/t", "step flood root/a", "step kill root/a",
                "exit root/a killed", "start root/a", "step flood root/a", "step flood root", "step kill root/t",
                "exit root/t killed", "step flood root/t", "log root/t"}));
    }

    void floodFinanceServices()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        // The finance services ignore plain messages they do not know.
        QTemporaryDir data;
        const Run run = runHeadless(runnerFile("flood_finance.json"), data.path());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(eventsOf(run.out, QStringLiteral("exit")).isEmpty(), run.out.constData());
        QCOMPARE(replies(run.out, QStringLiteral("pool_add")), QStringList {"5.00"});
        QCOMPARE(replies(run.out, QStringLiteral("pool_total")), QStringList {"5.00"});
    }

    // -- title and description --

    void labels()
    {
        const auto s = sc::parseScenario(
            R"({"title": "Crash \u2192 restart", "description": "Two\nlines", "tree": {"id": "root"}, "steps": []})",
            "x.json");
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().detail.c_str());
        QCOMPARE(s->title, std::string("Crash \u2192 restart"));
        QCOMPARE(s->description, std::string("Two\nlines"));
        const auto finance
            = sc::parseScenario(R"({"tree": "finance", "steps": [], "title": "F", "nisab": "1.00"})", "x.json");
        QVERIFY2(finance.ok(), finance.ok() ? "" : finance.error().detail.c_str());
        QCOMPARE(finance->title, std::string("F"));
        const auto none = sc::parseScenario(R"({"tree": {"id": "root"}, "steps": []})", "x.json");
        QVERIFY(none->title.empty() && none->description.empty());
    }

    void labelsRejects_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");
        const QByteArray rest = R"("tree": {"id": "root"}, "steps": []})";
        QTest::newRow("title a number") << "{\"title\": 5, " + rest
                                        << QStringLiteral("title: got 5 (expected a one-line string)");
        QTest::newRow("empty title") << "{\"title\": \"\", " + rest
                                     << QStringLiteral("title: empty title (expected a one-line string)");
        QTest::newRow("title on two lines") << "{\"title\": \"a\\nb\", "
                + rest << QStringLiteral(R"(title: "a\nb" contains a control character (expected a one-line string))");
        QTest::newRow("description an array")
            << "{\"description\": [], " + rest << QStringLiteral("description: got an array (expected a string)");
        QTest::newRow("unknown key names the labels")
            << "{\"name\": \"x\", " + rest
            << QStringLiteral(
                   R"(name: unknown key at the top level (expected "tree" or "steps", or the labels "title" and "description"))");
    }

    void labelsRejects()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        const auto s = sc::parseScenario(std::string_view(json.constData(), std::size_t(json.size())), "case.json");
        QVERIFY(!s.ok());
        QCOMPARE(QString::fromStdString(s.error().detail), QStringLiteral("case.json: ") + message);
    }

    void describeSteps()
    {
        const auto s = sc::parseScenario(R"({"tree": "finance", "steps": [
            {"do": "kill", "target": "finance/core"},
            {"do": "stop", "target": "finance/audit_log", "reason": "shutdown"},
            {"do": "start_child", "target": "finance/core/trackers", "child": {"id": "w"}},
            {"do": "terminate_child", "target": "finance/core", "id": "withdrawals"},
            {"do": "sleep", "ms": 250},
            {"do": "donate", "user": "alice", "amount": "10"},
            {"do": "deposit", "user": "bob", "amount": "abc"},
            {"do": "zakat", "wealth": "10000"},
            {"do": "zakat", "wealth": "-1000"},
            {"do": "withdraw", "user": "bob", "amount": "-5"},
            {"do": "set_nisab", "amount": "5000.5"},
            {"do": "total", "user": "alice"},
            {"do": "report"}]})",
            "x.json");
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().detail.c_str());
        const std::vector<std::string> expected {"kill finance/core", "stop finance/audit_log (shutdown)",
            "start_child w in finance/core/trackers", "terminate_child withdrawals of finance/core", "sleep 250 ms",
            "donate 10.00 from alice", R"(deposit "abc" for bob)", "zakat on 10000.00", "zakat on -1000.00",
            R"(withdraw "-5" for bob)", "set_nisab 5000.50",
            "total of alice", "report"};
        for (std::size_t i = 0; i < expected.size(); ++i)
            QCOMPARE(sc::describeStep(s->steps.at(i)), expected[i]);
    }

    // -- ScenarioSession on a caller's runtime --

    void sessionOnACallersRuntime()
    {
        sc::Runtime rt({.workers = 2});
        std::ostringstream trace;
        const auto scenario = scenarioOf(R"({"tree": {"id": "root", "children": [{"id": "a"},
            {"id": "slow", "stop_delay_ms": 30000, "shutdown": "infinity"}]},
            "steps": [{"do": "kill", "target": "root/a"}, {"do": "terminate_child", "target": "root", "id": "x"},
                      {"do": "restart_child", "target": "root", "id": "a"}]})");
        sc::ScenarioSession session(rt, scenario, {.trace = &trace});
        QCOMPARE(session.stepCount(), std::size_t(3));
        QCOMPARE(session.root(), sc::Pid(0));
        const auto root = session.startTree();
        QVERIFY(root.ok());
        QCOMPARE(session.root(), *root);
        QVERIFY(!session.startTree().ok()); // once
        QVERIFY(session.settle());

        auto outcome = session.perform(0);
        QVERIFY(outcome.ok);
        QCOMPARE(outcome.answer, std::string("killed"));
        QVERIFY(session.settle());
        outcome = session.perform(1);
        QVERIFY(!outcome.ok);
        QCOMPARE(outcome.answer, std::string("not_found"));
        outcome = session.perform(2);
        QVERIFY(!outcome.ok);
        QCOMPARE(outcome.answer, std::string("running"));
        QVERIFY(session.settle());
        bool ok = false;
        const QStringList events = lifecycle(QByteArray::fromStdString(trace.str()), &ok);
        QVERIFY(ok);
        QCOMPARE(events,
            (QStringList {"start root", "start root/a", "start root/slow", "step kill root/a", "exit root/a killed",
                "start root/a", "step terminate_child root", "result terminate_child not_found",
                "step restart_child root", "result restart_child running"}));

        // The slow worker's 30-second terminate is cut short; the tree is gone.
        QVERIFY(session.stopTree(std::chrono::seconds(30)).ok());
        QVERIFY(!rt.isAlive(*root));
        QCOMPARE(rt.processCount(), std::size_t(0));
        QVERIFY(session.stopTree(std::chrono::seconds(30)).ok()); // already gone: fine
    }

    void sessionCancel()
    {
        sc::Runtime rt({.workers = 2});
        sc::ScenarioSession session(
            rt, scenarioOf(R"({"tree": {"id": "root"}, "steps": [{"do": "sleep", "ms": 60000}]})"));
        QVERIFY(session.startTree().ok());
        QVERIFY(!session.isCancelled());
        session.cancel();
        QVERIFY(session.isCancelled());
        // A cancelled session's sleep returns at once, and settle says it did not wait.
        QCOMPARE(session.perform(0).answer, std::string("slept 60000 ms"));
        QVERIFY(!session.settle());
        QVERIFY(session.stopTree(std::chrono::seconds(30)).ok());
    }

    void sessionsOneAfterAnother()
    {
        // A finance tree after a finance tree on one runtime: the names are free again.
        QTemporaryDir data;
        QVERIFY(data.isValid());
        sc::Runtime rt({.workers = 2});
        const auto scenario = scenarioOf(R"({"tree": "finance", "steps": [{"do": "open_tracker", "user": "ann"}]})");
        for (int round = 0; round < 2; ++round) {
            sc::ScenarioSession session(rt, scenario, {.dataDir = data.path().toStdString()});
            const auto root = session.startTree();
            QVERIFY2(root.ok(), root.ok() ? "" : root.error().toString().c_str());
            QVERIFY(session.settle());
            const auto outcome = session.perform(0);
            QVERIFY2(outcome.ok, outcome.answer.c_str());
            QCOMPARE(outcome.answer, std::string("total 0.00"));
            QVERIFY(session.settle());
            QVERIFY(session.stopTree(std::chrono::seconds(30)).ok());
            QCOMPARE(rt.processCount(), std::size_t(0));
        }
    }
};

QTEST_GUILESS_MAIN(TstDemoScenarios)
#include "tst_demoscenarios.moc"
