// The finance services through the headless runner and the command line:
// the reply lines of every finance step, state on restart (reset, recover,
// --recover-state), malformed amounts, --data-dir and --export-audit, a
// SIGKILL in the middle of a stream of donations, one owner per data
// directory, outputs that would replace the ledger, and the ledger file
// holding everything after a clean exit. The parser's refusals of
// bad finance files are rows of tst_scenariorunner's bad-scenario table.

#include "apptest.h"
#include "core/finance/datadir.h"
#include "core/finance/ledger.h"
#include "core/finance/money.h"
#include "core/scenario/scenario.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <sstream>
#include <unistd.h>

using namespace apptest;

namespace {

QString dataFile(const char* name)
{
    return QStringLiteral(SC_TEST_DATA_DIR "/finance/") + QLatin1String(name);
}

/// A headless run of `file` with its ledger in `dataDir`, the trace on standard output.
Run runFinance(const QString& file, const QString& dataDir, const QStringList& extra = {})
{
    return runApp(QStringList {QStringLiteral("--headless"), QStringLiteral("--scenario"), file,
                      QStringLiteral("--data-dir"), dataDir}
        + extra);
}

Run exportAudit(const QString& dataDir, const QString& csv)
{
    return runApp({QStringLiteral("--export-audit"), csv, QStringLiteral("--data-dir"), dataDir});
}

/// The reply lines of a trace exactly as written, without their "seq" (which
/// depends on how many events the tree's start published).
QStringList replies(const QByteArray& trace)
{
    static const QRegularExpression seq(QStringLiteral(R"(^\{"seq":\d+,)"));
    QStringList out;
    for (const QByteArray& line : completeLines(trace)) {
        if (!line.contains(R"("event":"reply")")) continue;
        QString text = QString::fromUtf8(line);
        if (!text.contains(seq)) return {QStringLiteral("no seq first: ") + text};
        out << text.replace(seq, QStringLiteral("{"));
    }
    return out;
}

/// The rows of an exported CSV below its header (no field of these tests needs quoting).
QList<QStringList> csvRows(const QByteArray& csv)
{
    QList<QStringList> rows;
    const QStringList lines = QString::fromUtf8(csv).split(QLatin1Char('\n'));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (!lines[i].isEmpty()) rows << lines[i].split(QLatin1Char(','));
    }
    return rows;
}

const QByteArray kCsvHeader = "id,time,kind,user,amount,result,error\n";

/// A finance scenario with `steps` (JSON objects) written to `file`.
bool writeScenario(const QString& file, const QStringList& steps)
{
    // (Ordinary literals: moc's lexer misreads raw strings that begin with a quote.)
    const QByteArray json = "{\"tree\": \"finance\", \"steps\": [" + steps.join(QLatin1Char(',')).toUtf8() + "]}";
    QFile f(file);
    return f.open(QIODevice::WriteOnly) && f.write(json) == json.size();
}

/// Trackers for `users`, then `count` donations among them in turn: far more
/// than can finish before a test stops the run (each waits for a durable commit).
QStringList donationStream(const QStringList& users, int count)
{
    QStringList steps;
    for (const QString& user : users)
        steps << QStringLiteral("{\"do\": \"open_tracker\", \"user\": \"%1\"}").arg(user);
    for (int i = 0; i < count; ++i)
        steps << QStringLiteral("{\"do\": \"donate\", \"user\": \"%1\", \"amount\": \"1.%2\"}")
                     .arg(users[i % users.size()])
                     .arg(10 + i % 90);
    return steps;
}

/// Starts a headless run of `scenario` in the background, its trace in `trace`.
bool startRun(QProcess& process, const QString& scenario, const QString& trace, const QString& data)
{
#ifdef SC_APP_BINARY
    process.setProcessEnvironment(appEnvironment());
    process.setStandardOutputFile(QProcess::nullDevice());
    process.start(QStringLiteral(SC_APP_BINARY),
        {QStringLiteral("--headless"), QStringLiteral("--scenario"), scenario, QStringLiteral("--trace"), trace,
            QStringLiteral("--data-dir"), data});
    return process.waitForStarted();
#else
    Q_UNUSED(process);
    Q_UNUSED(scenario);
    Q_UNUSED(trace);
    Q_UNUSED(data);
    return false;
#endif
}

/// id -> value of every donation answered ok in the complete lines of the trace.
QHash<QString, QString> okDonations(const QString& trace)
{
    QHash<QString, QString> ids;
    for (const QByteArray& line : completeLines(readAll(trace))) {
        if (!line.contains(R"("event":"reply","do":"donate","ok":true)")) continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        ids.insert(o.value(QLatin1String("id")).toString(), o.value(QLatin1String("value")).toString());
    }
    return ids;
}

/// A one-line refusal: the exit status, and exactly `supervision-console: ` + a line containing `text`.
QString refusalProblem(const Run& run, int exitCode, const QString& text)
{
    const QString err = QString::fromUtf8(run.err);
    if (run.exitCode != exitCode) return QStringLiteral("exit status %1: %2").arg(run.exitCode).arg(err);
    if (run.err.count('\n') != 1 || !run.err.startsWith("supervision-console: "))
        return QStringLiteral("not one line: ") + err;
    if (!err.contains(text)) return QStringLiteral("no '%1' in: %2").arg(text, err);
    return {};
}

} // namespace

class TstFinanceScenarios : public QObject {
    Q_OBJECT

private slots:
    // -- in-process --

    void parseFinanceScenario()
    {
        const auto s = sc::loadScenario(dataFile("every_step.json").toStdString());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().detail.c_str());
        QVERIFY(s->finance);
        QVERIFY(!s->recoverState);
        QCOMPARE(s->reportLoad.count(), 0);
        QCOMPARE(s->tree.id, std::string("finance"));
        QCOMPARE(s->tree.children.size(), std::size_t(3));
        QCOMPARE(s->tree.children[1].children[4].id, std::string("trackers"));
        QCOMPARE(s->tree.children[1].children[4].type, sc::ScenarioNode::Type::DynamicSupervisor);

        using Do = sc::ScenarioStep::Do;
        using Request = sc::finance::Request;
        QCOMPARE(s->steps[0].action, Do::Request);
        QCOMPARE(s->steps[0].request, Request::OpenTracker);
        QCOMPARE(s->steps[0].user, std::string("alice"));
        QCOMPARE(s->steps[3].request, Request::Donate);
        QCOMPARE(s->steps[3].amount, std::string("200.5"));
        QVERIFY(sc::isFinanceStep(Do::Request));
        QVERIFY(!sc::isFinanceStep(Do::StopTree));
        sc::ScenarioStep start;
        start.action = Do::Request;
        start.request = Request::StartTransaction;
        QCOMPARE(sc::stepName(start), "start_transaction");

        const auto recover = sc::parseScenario(
            R"({"tree": "finance", "state_on_restart": "recover", "report_load_ms": 250, "steps": [
                {"do": "open_tracker", "user": "bob"}, {"do": "kill", "target": "finance/core/trackers/bob"},
                {"do": "start_transaction", "amount": "x"},
                {"do": "crash", "target": "finance/core/transactions/tx-1"}]})",
            "r.json");
        QVERIFY2(recover.ok(), recover.ok() ? "" : recover.error().detail.c_str());
        QVERIFY(recover->recoverState);
        QCOMPARE(recover->reportLoad.count(), 250);
        // The scenario or the command line may ask for recovery.
        QVERIFY(sc::financeConfig(*recover, "d", false).recoverState);
        QVERIFY(sc::financeConfig(*s, "d", true).recoverState);
        QVERIFY(!sc::financeConfig(*s, "d", false).recoverState);
        QCOMPARE(sc::financeConfig(*recover, "d", false).reportLoad.count(), 250);
        QCOMPARE(sc::financeConfig(*recover, "d", false).dataDir, std::string("d"));
    }

    void replyTraceLine()
    {
        sc::Event e;
        e.seq = 41;
        e.kind = sc::EventKind::Reply;
        e.action = "donate";
        e.value = "300.00";
        e.id = 17;
        QCOMPARE(QString::fromStdString(sc::traceLine(e)),
            QStringLiteral(R"({"seq":41,"event":"reply","do":"donate","ok":true,"value":"300.00","id":"17"})"));
        e.action = "start_transaction";
        e.id = 0;
        e.text = "finance/core/transactions/tx-1";
        QCOMPARE(QString::fromStdString(sc::traceLine(e)),
            QStringLiteral(R"({"seq":41,"event":"reply","do":"start_transaction","ok":true,"value":"300.00",)"
                           R"("text":"finance/core/transactions/tx-1"})"));

        sc::Event refused;
        refused.seq = 42;
        refused.kind = sc::EventKind::Reply;
        refused.action = "withdraw";
        refused.ok = false;
        refused.error = "insufficient_funds";
        refused.reason = "the balance of carol is 100.00, less than 130.00";
        QCOMPARE(QString::fromStdString(sc::traceLine(refused)),
            QStringLiteral(R"({"seq":42,"event":"reply","do":"withdraw","ok":false,"error":"insufficient_funds",)"
                           R"("message":"the balance of carol is 100.00, less than 130.00"})"));
        refused.reason.clear();
        QCOMPARE(QString::fromStdString(sc::traceLine(refused)),
            QStringLiteral(R"({"seq":42,"event":"reply","do":"withdraw","ok":false,"error":"insufficient_funds"})"));

        sc::Event step;
        step.seq = 40;
        step.kind = sc::EventKind::Step;
        step.action = "donate";
        step.user = "alice";
        QCOMPARE(QString::fromStdString(sc::traceLine(step)),
            QStringLiteral(R"({"seq":40,"event":"step","do":"donate","user":"alice"})"));
    }

    void runInProcess()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto s = sc::loadScenario(dataFile("restart_recover.json").toStdString());
        QVERIFY(s.ok());
        std::ostringstream trace;
        sc::RunOptions options;
        options.workers = 2;
        options.trace = &trace;
        options.dataDir = dir.filePath(QStringLiteral("data")).toStdString();
        QCOMPARE(sc::runScenario(*s, options), 0);
        QVERIFY2(replies(QByteArray::fromStdString(trace.str()))
                     .contains(QStringLiteral(R"({"event":"reply","do":"total","ok":true,"value":"300.50"})")),
            trace.str().c_str());
    }

    /// The "nisab" key sets the zakat calculator's starting nisab.
    void nisabKeyStartsTheCalculator()
    {
        QTemporaryDir dir;
        const auto s = sc::parseScenario(R"({"tree": "finance", "nisab": "5000.00", "steps": [
                {"do": "get_nisab"}, {"do": "zakat", "wealth": "4999.99"}, {"do": "zakat", "wealth": "10000"}]})",
            "n.json");
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().detail.c_str());
        QCOMPARE(s->nisab, sc::Money::fromMinorUnits(500000));
        std::ostringstream trace;
        sc::RunOptions options;
        options.trace = &trace;
        options.dataDir = dir.filePath(QStringLiteral("data")).toStdString();
        QCOMPARE(sc::runScenario(*s, options), 0);
        QCOMPARE(replies(QByteArray::fromStdString(trace.str())),
            (QStringList {R"({"event":"reply","do":"get_nisab","ok":true,"value":"5000.00"})",
                R"({"event":"reply","do":"zakat","ok":true,"value":"0.00"})",
                R"({"event":"reply","do":"zakat","ok":true,"value":"250.00"})"}));
    }

    // -- the binary --

    void everyStep()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const Run run = runFinance(dataFile("every_step.json"), dir.filePath(QStringLiteral("data")));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QStringList expected {
            R"({"event":"reply","do":"open_tracker","ok":true,"value":"0.00"})",
            R"({"event":"reply","do":"open_tracker","ok":false,"error":"already_started","message":"a tracker for alice is running"})",
            R"({"event":"reply","do":"donate","ok":true,"value":"100.00","id":"1"})",
            R"({"event":"reply","do":"donate","ok":true,"value":"300.50","id":"2"})",
            R"({"event":"reply","do":"donate","ok":false,"error":"invalid_amount","message":"the amount must be positive, got 0.00"})",
            R"j({"event":"reply","do":"donate","ok":false,"error":"not_found","message":"no tracker for nobody (open one first)"})j",
            R"({"event":"reply","do":"total","ok":true,"value":"300.50"})",
            R"j({"event":"reply","do":"total","ok":false,"error":"not_found","message":"no tracker for nobody (open one first)"})j",
            R"({"event":"reply","do":"pool_add","ok":true,"value":"5.25","id":"4"})",
            R"({"event":"reply","do":"pool_add","ok":true,"value":"15.25","id":"5"})",
            R"({"event":"reply","do":"pool_total","ok":true,"value":"15.25"})",
            R"({"event":"reply","do":"deposit","ok":true,"value":"100.00","id":"6"})",
            R"({"event":"reply","do":"withdraw","ok":false,"error":"insufficient_funds","message":"the balance of carol is 100.00, less than 130.00"})",
            R"({"event":"reply","do":"withdraw","ok":true,"value":"70.00","id":"8"})",
            R"({"event":"reply","do":"balance","ok":true,"value":"70.00"})",
            R"({"event":"reply","do":"balance","ok":true,"value":"0.00"})",
            R"({"event":"reply","do":"zakat","ok":true,"value":"250.00"})",
            R"({"event":"reply","do":"zakat","ok":true,"value":"2.51"})",
            R"({"event":"reply","do":"set_nisab","ok":true,"value":"5000.00","id":"9"})",
            R"({"event":"reply","do":"get_nisab","ok":true,"value":"5000.00"})",
            R"({"event":"reply","do":"zakat","ok":true,"value":"0.00"})",
            R"({"event":"reply","do":"zakat","ok":true,"value":"125.00"})",
            R"({"event":"reply","do":"transaction","ok":true,"value":"7.00"})",
            R"({"event":"reply","do":"start_transaction","ok":true,"value":"9.99","text":"finance/core/transactions/tx-1"})",
            R"({"event":"reply","do":"start_transaction","ok":false,"error":"invalid_amount","message":"the amount must be positive, got 0.00"})",
            R"({"event":"reply","do":"report","ok":true,"value":"300.50","text":"donations=300.50 pool=15.25 deposits=100.00 withdrawals=30.00 records=9 rejected=2"})",
        };
        QCOMPARE(replies(run.out), expected);

        // One step line before each reply, naming the user and no target.
        bool ok = false;
        const QStringList events = lifecycle(run.out, &ok);
        QVERIFY2(ok, run.out.constData());
        QCOMPARE(events.filter(QRegularExpression(QStringLiteral("^step "))).size(), expected.size());
        QVERIFY(events.contains(QStringLiteral("step pool_add زيد")));
        QVERIFY(events.contains(QStringLiteral("step report")));
        QVERIFY(!run.out.contains(R"("event":"step","do":"donate","target")"));
    }

    void treeStepsOnFinancePaths()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const Run run = runFinance(dataFile("tree_steps.json"), dir.filePath(QStringLiteral("data")));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        bool ok = false;
        QStringList events = lifecycle(run.out, &ok);
        QVERIFY2(ok, run.out.constData());
        // The transaction worker exits as soon as the processor has answered it,
        // which may be before or after the runner traces the reply it got.
        const auto reply = events.indexOf(QStringLiteral("reply start_transaction ok"));
        if (reply > 0 && events[reply - 1] == QLatin1String("exit finance/core/transactions/tx-1 normal"))
            events.swapItemsAt(reply - 1, reply);
        const QStringList expected {"start finance", "start finance/audit_log", "start finance/core",
            "start finance/core/zakat_calculator", "start finance/core/donation_pool", "start finance/core/withdrawals",
            "start finance/core/transaction_processor", "start finance/core/trackers",
            "start finance/core/transactions", "start finance/reporting", "start finance/reporting/database",
            "start finance/reporting/report_generator",
            // open_tracker, then kill, crash and stop: each service is restarted by its supervisor
            "step open_tracker alice", "start finance/core/trackers/alice", "reply open_tracker ok",
            "step kill finance/core/trackers/alice", "exit finance/core/trackers/alice killed",
            "start finance/core/trackers/alice", "step crash finance/core/donation_pool",
            "exit finance/core/donation_pool error:crash", "start finance/core/donation_pool",
            "step stop finance/core/withdrawals", "exit finance/core/withdrawals shutdown",
            "start finance/core/withdrawals", "step stop finance/core/zakat_calculator",
            "exit finance/core/zakat_calculator error:boom", "start finance/core/zakat_calculator",
            // the child API on the finance supervisors
            "step terminate_child finance/reporting", "exit finance/reporting/report_generator shutdown",
            "result terminate_child ok", "step restart_child finance/reporting",
            "start finance/reporting/report_generator", "result restart_child ok", "step terminate_child finance/core",
            "result terminate_child not_found", "step start_child finance/core/transactions",
            "start finance/core/transactions/extra", "result start_child ok",
            "step kill finance/core/transactions/extra", "exit finance/core/transactions/extra killed",
            // a transaction worker ends normal once done, so a later step finds it gone
            "step start_transaction", "start finance/core/transactions/tx-1", "reply start_transaction ok",
            "exit finance/core/transactions/tx-1 normal", "step crash finance/core/transactions/tx-1",
            "log finance/core/transactions/tx-1", "step sleep",
            // stop_tree: children in reverse start order, then their supervisor
            "step stop_tree", "exit finance/reporting/report_generator shutdown",
            "exit finance/reporting/database shutdown", "exit finance/reporting shutdown",
            "exit finance/core/transactions shutdown", "exit finance/core/trackers/alice shutdown",
            "exit finance/core/trackers shutdown", "exit finance/core/transaction_processor shutdown",
            "exit finance/core/withdrawals shutdown", "exit finance/core/donation_pool shutdown",
            "exit finance/core/zakat_calculator shutdown", "exit finance/core shutdown",
            "exit finance/audit_log shutdown", "exit finance shutdown"};
        QCOMPARE(events, expected);
    }

    void stateOnRestart_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("value"); ///< what total, pool_total and balance answer after the restarts
        const QStringList none;
        const QStringList recover {QStringLiteral("--recover-state")};
        QTest::newRow("reset") << dataFile("restart_reset.json") << none << QStringLiteral("0.00,0.00,0.00");
        QTest::newRow("recover") << dataFile("restart_recover.json") << none << QStringLiteral("300.50,5.00,70.00");
        QTest::newRow("reset, --recover-state")
            << dataFile("restart_reset.json") << recover << QStringLiteral("300.50,5.00,70.00");
        QTest::newRow("recover, --recover-state")
            << dataFile("restart_recover.json") << recover << QStringLiteral("300.50,5.00,70.00");
    }

    void stateOnRestart()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        QFETCH(QString, file);
        QFETCH(QStringList, args);
        QFETCH(QString, value);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const Run run = runFinance(file, dir.filePath(QStringLiteral("data")), args);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QStringList values = value.split(QLatin1Char(','));
        const QString reply = QStringLiteral(R"({"event":"reply","do":"%1","ok":true,"value":"%2"%3})");
        const QStringList expected {reply.arg(QLatin1String("open_tracker"), QLatin1String("0.00"), QString()),
            reply.arg(QLatin1String("donate"), QLatin1String("100.00"), QLatin1String(R"(,"id":"1")")),
            reply.arg(QLatin1String("donate"), QLatin1String("300.50"), QLatin1String(R"(,"id":"2")")),
            reply.arg(QLatin1String("total"), values[0], QString()),
            reply.arg(QLatin1String("pool_add"), QLatin1String("5.00"), QLatin1String(R"(,"id":"3")")),
            reply.arg(QLatin1String("pool_total"), values[1], QString()),
            reply.arg(QLatin1String("deposit"), QLatin1String("100.00"), QLatin1String(R"(,"id":"4")")),
            reply.arg(QLatin1String("withdraw"), QLatin1String("70.00"), QLatin1String(R"(,"id":"5")")),
            reply.arg(QLatin1String("balance"), values[2], QString())};
        QCOMPARE(replies(run.out), expected);
        // The restarts really happened between the change and the question.
        bool ok = false;
        const QStringList events = lifecycle(run.out, &ok);
        QVERIFY(ok);
        for (const char* exit : {"exit finance/core/trackers/alice killed",
                 "exit finance/core/donation_pool error:crash", "exit finance/core/withdrawals shutdown"})
            QVERIFY2(events.contains(QLatin1String(exit)), exit);
    }

    void malformedAmountIsAnAnswer()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const Run run = runFinance(dataFile("malformed_amount.json"), dir.filePath(QStringLiteral("data")));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        // The message is the amount parser's (a wealth is parsed signed), JSON-escaped.
        auto refused = [](const char* step, const char* amount, bool signedAmount = false) {
            const auto parsed = signedAmount ? sc::Money::parseSigned(amount) : sc::Money::parse(amount);
            if (parsed.ok()) return QStringLiteral("parsed: %1").arg(QLatin1String(amount));
            QJsonObject o;
            o.insert(QStringLiteral("m"), QString::fromStdString(parsed.error().detail));
            QByteArray message = QJsonDocument(o).toJson(QJsonDocument::Compact);
            message = message.mid(5, message.size() - 6); // {"m":"..."} -> "..."
            return QStringLiteral(R"({"event":"reply","do":"%1","ok":false,"error":"invalid_amount","message":%2})")
                .arg(QLatin1String(step), QString::fromUtf8(message));
        };
        const QStringList expected {R"({"event":"reply","do":"open_tracker","ok":true,"value":"0.00"})",
            refused("donate", "abc"), refused("donate", "-5"), refused("donate", "1.001"), refused("donate", ""),
            refused("zakat", "1e3"),
            // The wealth is signed (the Elixir guide's test): the calculator refuses a negative one.
            R"({"event":"reply","do":"zakat","ok":false,"error":"invalid_wealth","message":"-1000.00 is negative"})",
            refused("zakat", "+5", true),
            refused("set_nisab", "92233720368547758.08"),
            R"({"event":"reply","do":"donate","ok":true,"value":"12.34","id":"1"})",
            R"({"event":"reply","do":"total","ok":true,"value":"12.34"})"};
        QCOMPARE(replies(run.out), expected);
    }

    void reportWhileLoading()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const Run run = runFinance(dataFile("report_loading.json"), dir.filePath(QStringLiteral("data")));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QString notReady = QStringLiteral(R"({"event":"reply","do":"report","ok":false,"error":"not_ready",)"
                                                R"("message":"report_generator is still loading its data"})");
        QCOMPARE(replies(run.out), (QStringList {notReady, notReady}));
    }

    void unusableDataDirectory()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        // A ledger file that is not a database: the tree does not start (exit 1),
        // the message names the file, and the file is left as it was.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString ledger = dir.filePath(QStringLiteral("ledger.sqlite3"));
        QFile f(ledger);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a database\n");
        f.close();
        const Run run = runFinance(dataFile("every_step.json"), dir.path());
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(ledger.toUtf8()) && run.err.contains("did not start"), run.err.constData());
        QVERIFY(!run.out.contains(R"("event":"reply")"));
        QCOMPARE(readAll(ledger), QByteArray("not a database\n"));

        const Run exported = exportAudit(dir.path(), dir.filePath(QStringLiteral("a.csv")));
        QCOMPARE(exported.exitCode, 1);
        QVERIFY2(exported.err.count('\n') == 1 && exported.err.contains(ledger.toUtf8()), exported.err.constData());
    }

    // -- --export-audit and --data-dir --

    void exportAuditWritesEveryRecord()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString data = dir.filePath(QStringLiteral("data"));
        const Run run = runFinance(dataFile("every_step.json"), data);
        QVERIFY2(run.exitCode == 0, run.err.constData());

        const QString csv = dir.filePath(QStringLiteral("audit.csv"));
        const Run exported = exportAudit(data, csv);
        QCOMPARE(exported.exitCode, 0);
        QVERIFY(exported.out.isEmpty());
        QVERIFY2(exported.err.isEmpty(), exported.err.constData());
        const QByteArray text = readAll(csv);
        QVERIFY2(text.startsWith(kCsvHeader), text.constData());
        QVERIFY(text.endsWith('\n'));

        // Everything but the time, which is ISO-8601 UTC with milliseconds.
        const QStringList expected {"1,donation,alice,100.00,100.00,", "2,donation,alice,200.50,300.50,",
            "3,donation,alice,0.00,,invalid_amount", "4,pool_donation,زيد,5.25,5.25,",
            "5,pool_donation,bob,10.00,15.25,", "6,deposit,carol,100.00,100.00,",
            "7,withdrawal,carol,130.00,,insufficient_funds", "8,withdrawal,carol,30.00,70.00,",
            "9,nisab,,5000.00,5000.00,"};
        static const QRegularExpression iso(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)"));
        QStringList rows;
        for (QStringList row : csvRows(text)) {
            QCOMPARE(row.size(), 7);
            QVERIFY2(iso.match(row[1]).hasMatch(), qPrintable(row[1]));
            row.removeAt(1);
            rows << row.join(QLatin1Char(','));
        }
        QCOMPARE(rows, expected);

        // Exporting again replaces the file with the same records.
        QCOMPARE(exportAudit(data, csv).exitCode, 0);
        QCOMPARE(readAll(csv), text);
    }

    void exportAuditErrors()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // No ledger: an error, and no data directory is created by looking.
        const QString missing = dir.filePath(QStringLiteral("nothing-here"));
        const Run none = exportAudit(missing, dir.filePath(QStringLiteral("a.csv")));
        QCOMPARE(none.exitCode, 1);
        QVERIFY2(none.err.count('\n') == 1 && none.err.contains("no audit ledger"), none.err.constData());
        QVERIFY(!QFileInfo::exists(missing));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("a.csv"))));

        // A target that cannot be written.
        const QString data = dir.filePath(QStringLiteral("data"));
        QCOMPARE(runFinance(dataFile("restart_reset.json"), data).exitCode, 0);
        const QString unwritable = dir.filePath(QStringLiteral("no/such/dir/a.csv"));
        const Run bad = exportAudit(data, unwritable);
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.count('\n') == 1 && bad.err.startsWith("supervision-console: ")
                && bad.err.contains(unwritable.toUtf8()),
            bad.err.constData());
        QVERIFY(bad.out.isEmpty());
    }

    void exportAuditCommandLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString file = dataFile("every_step.json");
        QTest::newRow("with headless") << QStringList {QStringLiteral("--export-audit"), QStringLiteral("a.csv"),
            QStringLiteral("--headless"), QStringLiteral("--scenario"), file}
                                       << QStringLiteral("--export-audit can only be combined with --data-dir");
        QTest::newRow("with recover-state")
            << QStringList {QStringLiteral("--export-audit=a.csv"), QStringLiteral("--recover-state")}
            << QStringLiteral("--export-audit can only be combined with --data-dir");
        QTest::newRow("to stdout") << QStringList {QStringLiteral("--export-audit"), QStringLiteral("-")}
                                   << QStringLiteral("--export-audit needs a file name ('-' is not supported)");
        QTest::newRow("missing file") << QStringList {QStringLiteral("--export-audit")}
                                      << QStringLiteral("option '--export-audit' needs a value");
        QTest::newRow("data-dir missing value") << QStringList {QStringLiteral("--headless"),
            QStringLiteral("--scenario"), file, QStringLiteral("--data-dir")}
                                                << QStringLiteral("option '--data-dir' needs a value");
        QTest::newRow("data-dir empty") << QStringList {QStringLiteral("--data-dir=")}
                                        << QStringLiteral("option '--data-dir' needs a non-empty value");
        QTest::newRow("recover-state with value") << QStringList {QStringLiteral("--recover-state=yes")}
                                                  << QStringLiteral("option '--recover-state' takes no value");
    }

    void exportAuditCommandLine()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const QString problem = usageErrorProblem(runApp(args), message);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    /// The window opens on the finance tree, starts its ledger in the data
    /// directory and logs to a rotating file there.
    void windowStartsTheFinanceTreeAndLogsToTheDataDirectory()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("data"));
        const QString png = dir.filePath(QStringLiteral("window.png"));
        const Run run = runApp({QStringLiteral("--data-dir"), data, QStringLiteral("--screenshot"), png},
            {{QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen")}});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(QFileInfo(png).size() > 0);
        QVERIFY(QFileInfo::exists(data + QStringLiteral("/ledger.sqlite3")));
        const QByteArray log = readAll(data + QStringLiteral("/logs/supervision-console.log"));
        QVERIFY2(log.contains("started; data directory"), log.constData());
    }

    void helpNamesTheFinanceOptions()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        const Run help = runApp({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        for (const char* option : {"--data-dir DIR", "--export-audit FILE", "--recover-state"})
            QVERIFY2(help.out.contains(option), option);
    }

    void defaultDataDirectory()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        // On Linux the application data location is $XDG_DATA_HOME/<application name>.
        QTemporaryDir home;
        QVERIFY(home.isValid());
        const QHash<QString, QString> env {{QStringLiteral("XDG_DATA_HOME"), home.path()}};
        const Run run
            = runApp({QStringLiteral("--headless"), QStringLiteral("--scenario"), dataFile("restart_reset.json")}, env);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(QFileInfo::exists(home.filePath(QStringLiteral("Supervision Console/ledger.sqlite3"))));

        const QString csv = home.filePath(QStringLiteral("audit.csv"));
        const Run exported = runApp({QStringLiteral("--export-audit"), csv}, env);
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        QCOMPARE(csvRows(readAll(csv)).size(), 5);
    }

    // -- SIGKILL --

    /// Every donation the trace shows answered ok is in the ledger exactly
    /// once after the process is killed mid-stream: an ok is only written
    /// once its record has committed.
    void sigkillMidStream()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#else
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QStringList users {QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")};
        constexpr int kDonations = 100000;
        const QString scenario = dir.filePath(QStringLiteral("stream.json"));
        QVERIFY(writeScenario(scenario, donationStream(users, kDonations)));

        const QString trace = dir.filePath(QStringLiteral("trace.jsonl"));
        const QString data = dir.filePath(QStringLiteral("data"));
        QProcess process;
        process.setStandardErrorFile(dir.filePath(QStringLiteral("stderr.txt")));
        QVERIFY(startRun(process, scenario, trace, data));

        QTRY_VERIFY_WITH_TIMEOUT(okDonations(trace).size() >= 50 || process.state() == QProcess::NotRunning, 60000);
        QCOMPARE(process.state(), QProcess::Running); // still streaming: the kill lands mid-stream
        process.kill(); // SIGKILL
        QVERIFY(process.waitForFinished(kRunTimeoutMs));
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);

        const QHash<QString, QString> answered = okDonations(trace);
        QVERIFY(answered.size() >= 50);
        QVERIFY(answered.size() < kDonations);

        const QString csv = dir.filePath(QStringLiteral("audit.csv"));
        const Run exported = exportAudit(data, csv);
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        const QByteArray text = readAll(csv);
        QVERIFY(text.startsWith(kCsvHeader));
        QHash<QString, int> seen;
        QHash<QString, QStringList> byId;
        for (const QStringList& row : csvRows(text)) {
            QCOMPARE(row.size(), 7);
            ++seen[row[0]];
            byId.insert(row[0], row);
        }
        for (auto it = answered.begin(); it != answered.end(); ++it) {
            QVERIFY2(seen.value(it.key()) == 1,
                qPrintable(QStringLiteral("record %1 seen %2 times").arg(it.key()).arg(seen.value(it.key()))));
            const QStringList& row = byId[it.key()];
            QCOMPARE(row[2], QStringLiteral("donation"));
            QVERIFY(users.contains(row[3]));
            QCOMPARE(row[5], it.value()); // the total the reply announced
            QVERIFY(row[6].isEmpty());
        }
        // Ids are unique (records written but not yet answered when the kill came may follow).
        for (auto it = seen.begin(); it != seen.end(); ++it)
            QVERIFY2(it.value() == 1, qPrintable(it.key()));
#endif
    }

    // -- one owner per data directory --

    /// A second headless run on a data directory in use is refused at once
    /// (exit 2, the lock's one line naming the owner's pid) and writes
    /// nothing: the withdrawal of the same 100.00 cannot happen twice.
    void secondRunOnADataDirectoryInUseIsRefused()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#else
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString data = dir.filePath(QStringLiteral("data"));
        const QString withdraw = QStringLiteral(R"j({"do": "withdraw", "user": "carol", "amount": "100.00"})j");
        const QString first = dir.filePath(QStringLiteral("first.json"));
        QVERIFY(writeScenario(first,
            QStringList {QStringLiteral(R"j({"do": "deposit", "user": "carol", "amount": "100.00"})j"), withdraw}
                + donationStream({QStringLiteral("alice")}, 100000)));
        const QString trace = dir.filePath(QStringLiteral("first.jsonl"));
        QProcess owner;
        owner.setStandardErrorFile(QProcess::nullDevice());
        QVERIFY(startRun(owner, first, trace, data));
        QTRY_VERIFY_WITH_TIMEOUT(!okDonations(trace).isEmpty() || owner.state() == QProcess::NotRunning, 60000);
        QCOMPARE(owner.state(), QProcess::Running);

        // The second instance, with the balance it would recover: 100.00 again.
        const QString second = dir.filePath(QStringLiteral("second.json"));
        QVERIFY(writeScenario(second,
            {QStringLiteral(R"j({"do": "deposit", "user": "mallory", "amount": "5.00"})j"), withdraw}));
        const QString secondTrace = dir.filePath(QStringLiteral("second.jsonl"));
        const Run refused = runFinance(second, data,
            {QStringLiteral("--recover-state"), QStringLiteral("--trace"), secondTrace});
        const QString problem = refusalProblem(refused, 2,
            data + QStringLiteral(": the data directory is in use by another Supervision Console (process %1)")
                       .arg(owner.processId()));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(refused.out.isEmpty());
        QVERIFY(!QFileInfo::exists(secondTrace)); // refused before anything was opened

        owner.kill();
        QVERIFY(owner.waitForFinished(kRunTimeoutMs));
        const QString csv = dir.filePath(QStringLiteral("audit.csv"));
        const Run exported = exportAudit(data, csv);
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        int withdrawals = 0;
        for (const QStringList& row : csvRows(readAll(csv))) {
            QVERIFY2(row[3] != QLatin1String("mallory"), qPrintable(row.join(QLatin1Char(','))));
            withdrawals += row[2] == QLatin1String("withdrawal");
        }
        QCOMPARE(withdrawals, 1);

        // With the owner gone, the directory is free again.
        const Run later = runFinance(second, data);
        QVERIFY2(later.exitCode == 0, later.err.constData());
#endif
    }

    /// --export-audit takes no lock and writes nothing of the ledger: beside a
    /// running instance it exports one consistent snapshot (ids 1..n, the
    /// same rows a later export starts with), and the ledger's files keep
    /// their bytes (nothing is checkpointed by it).
    void exportWhileAnotherInstanceWrites()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#else
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString data = dir.filePath(QStringLiteral("data"));
        const QString scenario = dir.filePath(QStringLiteral("stream.json"));
        QVERIFY(writeScenario(scenario, donationStream({QStringLiteral("alice"), QStringLiteral("bob")}, 100000)));
        const QString trace = dir.filePath(QStringLiteral("trace.jsonl"));
        QProcess owner;
        owner.setStandardErrorFile(QProcess::nullDevice());
        QVERIFY(startRun(owner, scenario, trace, data));
        QTRY_VERIFY_WITH_TIMEOUT(okDonations(trace).size() >= 20 || owner.state() == QProcess::NotRunning, 60000);

        const QString during = dir.filePath(QStringLiteral("during.csv"));
        const Run exported = exportAudit(data, during);
        QCOMPARE(owner.state(), QProcess::Running); // it was writing all along
        QVERIFY2(exported.exitCode == 0 && exported.err.isEmpty(), exported.err.constData());
        owner.kill();
        QVERIFY(owner.waitForFinished(kRunTimeoutMs));

        const QByteArray snapshot = readAll(during);
        QVERIFY(snapshot.startsWith(kCsvHeader));
        const QList<QStringList> rows = csvRows(snapshot);
        QVERIFY(rows.size() >= 20);
        for (int i = 0; i < rows.size(); ++i) {
            QCOMPARE(rows[i].size(), 7);
            QCOMPARE(rows[i][0], QString::number(i + 1));
        }

        // After the owner's SIGKILL the -wal still holds records: an export
        // reads them and leaves both files as they were.
        const QString db = data + QStringLiteral("/ledger.sqlite3");
        const QByteArray dbBytes = readAll(db), walBytes = readAll(db + QStringLiteral("-wal"));
        QVERIFY(walBytes.size() > 0);
        const QString after = dir.filePath(QStringLiteral("after.csv"));
        QCOMPARE(exportAudit(data, after).exitCode, 0);
        QCOMPARE(readAll(db), dbBytes);
        QCOMPARE(readAll(db + QStringLiteral("-wal")), walBytes);
        QVERIFY(readAll(after).startsWith(snapshot)); // the snapshot is a prefix of the ledger
#endif
    }

    // -- outputs that would replace the ledger --

    void outputOntoTheLedgerIsRefused_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("target"); ///< relative to the test's directory
        QTest::addColumn<QString>("names"); ///< the file the message names
        const QString ledger = QStringLiteral("data/ledger.sqlite3");
        for (const QString& option : {QStringLiteral("--trace"), QStringLiteral("--export-audit")}) {
            const QByteArray o = option.toUtf8();
            QTest::addRow("%s the ledger", o.constData()) << option << ledger << ledger;
            QTest::addRow("%s its -wal, not made yet", o.constData()) << option << ledger + "-wal" << ledger + "-wal";
            QTest::addRow("%s its -shm", o.constData()) << option << ledger + "-shm" << ledger + "-shm";
            QTest::addRow("%s its -journal", o.constData()) << option << ledger + "-journal" << ledger + "-journal";
            QTest::addRow("%s the lock file", o.constData())
                << option << QStringLiteral("data/supervision-console.lock")
                << QStringLiteral("data/supervision-console.lock");
            QTest::addRow("%s a symlink to the ledger", o.constData()) << option << "link.csv" << ledger;
            QTest::addRow("%s a hard link of the ledger", o.constData()) << option << "hard.csv" << ledger;
            QTest::addRow("%s a dangling symlink to the -wal", o.constData())
                << option << "wal-link.csv" << ledger + "-wal";
            QTest::addRow("%s the ledger through '..'", o.constData())
                << option << QStringLiteral("data/../data/ledger.sqlite3") << ledger;
        }
        QTest::newRow("--trace the scenario") << QStringLiteral("--trace") << "scenario.json" << "scenario.json";
    }
    /// Refused with exit 2 and one line; the ledger keeps every record and
    /// the next run goes on after them instead of reusing their ids.
    void outputOntoTheLedgerIsRefused()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        QFETCH(QString, option);
        QFETCH(QString, target);
        QFETCH(QString, names);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString data = dir.filePath(QStringLiteral("data"));
        const QString scenario = dir.filePath(QStringLiteral("scenario.json"));
        QVERIFY(QFile::copy(dataFile("every_step.json"), scenario));
        QVERIFY2(runFinance(scenario, data).exitCode == 0, "the first run failed");
        const QString ledger = data + QStringLiteral("/ledger.sqlite3");
        // After a clean exit the -wal is empty: gone, it is a file not made yet.
        QCOMPARE(QFileInfo(ledger + QStringLiteral("-wal")).size(), 0);
        QVERIFY(QFile::remove(ledger + QStringLiteral("-wal")));
        QVERIFY(QFile::link(ledger, dir.filePath(QStringLiteral("link.csv"))));
        QVERIFY(QFile::link(ledger + QStringLiteral("-wal"), dir.filePath(QStringLiteral("wal-link.csv"))));
        const QByteArray hard = QFile::encodeName(dir.filePath(QStringLiteral("hard.csv")));
        QCOMPARE(::link(QFile::encodeName(ledger).constData(), hard.constData()), 0);
        const QByteArray ledgerBytes = readAll(ledger), scenarioBytes = readAll(scenario);

        const QString output = dir.filePath(target);
        const Run refused = option == QLatin1String("--trace")
            ? runFinance(scenario, data, {option, output})
            : exportAudit(data, output);
        const QString what
            = option == QLatin1String("--trace") ? QStringLiteral("the trace") : QStringLiteral("the audit export");
        const QString problem = refusalProblem(refused, 2,
            output + QStringLiteral(": refusing to write %1 there: it is ").arg(what));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY2(refused.err.contains("(" + dir.filePath(names).toUtf8() + ")"), refused.err.constData());
        QVERIFY(refused.out.isEmpty());

        QCOMPARE(readAll(ledger), ledgerBytes);
        QCOMPARE(readAll(scenario), scenarioBytes);
        const QFileInfo wal(ledger + QStringLiteral("-wal"));
        QVERIFY(!wal.exists() || wal.size() == 0);
        const Run next = runFinance(scenario, data);
        QVERIFY2(next.exitCode == 0, next.err.constData());
        const QString firstDonation
            = QStringLiteral(R"({"event":"reply","do":"donate","ok":true,"value":"100.00","id":"10"})");
        QVERIFY2(replies(next.out).contains(firstDonation), next.out.constData());
    }

    // -- after a clean exit --

    /// ledger.sqlite3 alone, copied elsewhere, holds every acknowledged
    /// record: the run checkpoints its -wal into it before it ends.
    void cleanExitLeavesEverythingInTheLedgerFile()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString data = dir.filePath(QStringLiteral("data"));
        const Run run = runFinance(dataFile("every_step.json"), data);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QFileInfo wal(data + QStringLiteral("/ledger.sqlite3-wal"));
        QVERIFY2(!wal.exists() || wal.size() == 0, qPrintable(QString::number(wal.size())));

        const QString copy = dir.filePath(QStringLiteral("copy"));
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("copy")));
        QVERIFY(QFile::copy(data + QStringLiteral("/ledger.sqlite3"), copy + QStringLiteral("/ledger.sqlite3")));
        auto reader = sc::LedgerReader::open(copy.toStdString());
        QVERIFY2(reader.ok(), reader.ok() ? "" : reader.error().detail.c_str());
        auto records = (*reader)->after(0);
        QVERIFY2(records.ok(), records.ok() ? "" : records.error().detail.c_str());
        QCOMPARE(records->size(), std::size_t(9)); // every record every_step's replies announce
        QCOMPARE(records->back().id, 9);
        QCOMPARE(records->back().kind, std::string("nisab"));
    }
};

QTEST_GUILESS_MAIN(TstFinanceScenarios)
#include "tst_financescenarios.moc"
