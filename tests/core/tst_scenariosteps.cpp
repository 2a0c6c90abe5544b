// The steps of a scenario file: every tree step has its own name, the
// finance steps are the request table's open_tracker ... report, and each
// name parses back to its step.
#include "core/scenario/scenario.h"

#include <QTest>
#include <set>
#include <string>

using Do = sc::ScenarioStep::Do;
using Request = sc::finance::Request;

namespace {

sc::ScenarioStep stepOf(Do action, Request request = Request::OpenTracker)
{
    sc::ScenarioStep step;
    step.action = action;
    step.request = request;
    return step;
}

} // namespace

Q_DECLARE_METATYPE(Do)

class TestScenarioSteps : public QObject {
    Q_OBJECT

private slots:
    void names_data()
    {
        QTest::addColumn<Do>("action");
        QTest::addColumn<QString>("name");
        const std::pair<Do, const char*> steps[] {{Do::Kill, "kill"}, {Do::Crash, "crash"}, {Do::Stop, "stop"},
            {Do::StartChild, "start_child"}, {Do::TerminateChild, "terminate_child"},
            {Do::RestartChild, "restart_child"}, {Do::Sleep, "sleep"}, {Do::StopTree, "stop_tree"},
            {Do::Flood, "flood"}, {Do::Hang, "hang"}};
        for (const auto& [action, name] : steps)
            QTest::newRow(name) << action << QString::fromLatin1(name);
    }
    void names()
    {
        QFETCH(Do, action);
        QFETCH(QString, name);
        QCOMPARE(QString::fromLatin1(sc::stepName(stepOf(action))), name);
        QVERIFY(!sc::isFinanceStep(action));
    }

    /// A finance step is named by its request's row of the request table.
    void financeStepsAreNamedByTheRequestTable()
    {
        QVERIFY(sc::isFinanceStep(Do::Request));
        const char* names[] {"open_tracker", "donate", "total", "pool_add", "pool_total", "deposit", "withdraw",
            "balance", "zakat", "set_nisab", "get_nisab", "transaction", "start_transaction", "report"};
        QCOMPARE(std::size(names), sc::finance::kRequests.size());
        for (std::size_t i = 0; i < std::size(names); ++i) {
            QCOMPARE(QString::fromLatin1(sc::stepName(stepOf(Do::Request, Request(i)))), QString::fromLatin1(names[i]));
        }
    }

    void everyNameIsItsOwn()
    {
        std::set<std::string> names;
        for (int i = int(Do::Kill); i < int(Do::Request); ++i)
            QVERIFY(names.insert(sc::stepName(stepOf(Do(i)))).second);
        for (const auto& info : sc::finance::kRequests)
            QVERIFY(names.insert(sc::stepName(stepOf(Do::Request, info.request))).second);
    }

    void financeStepsParseWithTheFinanceTree()
    {
        const auto scenario = sc::parseScenario(R"({"tree": "finance", "steps": [
            {"do": "open_tracker", "user": "alice"},
            {"do": "donate", "user": "alice", "amount": "10"},
            {"do": "zakat", "wealth": "-5"},
            {"do": "report"},
            {"do": "kill", "target": "finance/core/donation_pool"}]})",
            "steps.json");
        QVERIFY2(scenario.ok(), scenario.ok() ? "" : scenario.error().detail.c_str());
        QCOMPARE(scenario->steps.size(), std::size_t {5});
        QCOMPARE(scenario->steps[0].action, Do::Request);
        QCOMPARE(scenario->steps[0].request, Request::OpenTracker);
        QCOMPARE(scenario->steps[1].request, Request::Donate);
        QCOMPARE(sc::describeStep(scenario->steps[1]), std::string("donate 10.00 from alice"));
        QCOMPARE(sc::describeStep(scenario->steps[2]), std::string("zakat on -5.00"));
        QCOMPARE(scenario->steps[3].request, Request::Report);
        QCOMPARE(scenario->steps[4].action, Do::Kill);
    }

    /// A user name is held to finance's rule (findUserNameProblem), each
    /// problem in words of its own; the expectation is the rule's words.
    void userNamesFollowTheFinanceRule_data()
    {
        QTest::addColumn<QByteArray>("user");
        QTest::addColumn<QString>("problem");
        QTest::newRow("empty") << QByteArray(R"("")") << QStringLiteral("empty user name");
        QTest::newRow("too long") << QByteArray('"' + QByteArray(65, 'a') + '"')
                                  << QStringLiteral("user name of 65 bytes");
        QTest::newRow("slash") << QByteArray(R"("a/b")") << QStringLiteral(R"("a/b" contains '/')");
        QTest::newRow("control") << QByteArray(R"("a\u0007b")")
                                 << QStringLiteral(R"("a\u0007b" contains a control character)");
    }
    void userNamesFollowTheFinanceRule()
    {
        QFETCH(QByteArray, user);
        QFETCH(QString, problem);
        const auto scenario = sc::parseScenario(
            R"({"tree": "finance", "steps": [{"do": "balance", "user": )" + user.toStdString() + "}]}", "steps.json");
        QVERIFY(!scenario.ok());
        const QString expected = QStringLiteral("steps.json: steps[0].user: %1 (expected a user name: %2)")
                                     .arg(problem, QString::fromLatin1(sc::finance::kUserNameRule));
        QCOMPARE(QString::fromStdString(scenario.error().detail), expected);
    }

    void unknownStepListsEveryName()
    {
        const auto scenario
            = sc::parseScenario(R"({"tree": {"id": "root"}, "steps": [{"do": "explode"}]})", "steps.json");
        QVERIFY(!scenario.ok());
        const auto& detail = scenario.error().detail;
        QVERIFY2(detail.find(R"("kill", "crash")") != std::string::npos, detail.c_str());
        QVERIFY2(detail.find(R"("start_transaction" or "report")") != std::string::npos, detail.c_str());
    }
};

QTEST_GUILESS_MAIN(TestScenarioSteps)
#include "tst_scenariosteps.moc"
