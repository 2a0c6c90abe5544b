// The steps of a scenario file: every ScenarioStep::Do has its own name,
// the finance steps are open_tracker ... report, and each name parses back
// to its step (the tree's steps and the finance steps are two tables).
#include "core/scenario/scenario.h"

#include <QTest>
#include <set>
#include <string>

using Do = sc::ScenarioStep::Do;

Q_DECLARE_METATYPE(Do)

class TestScenarioSteps : public QObject {
    Q_OBJECT

private slots:
    void names_data()
    {
        QTest::addColumn<Do>("action");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("finance");
        const std::pair<Do, const char*> steps[] {{Do::Kill, "kill"}, {Do::Crash, "crash"}, {Do::Stop, "stop"},
            {Do::StartChild, "start_child"}, {Do::TerminateChild, "terminate_child"},
            {Do::RestartChild, "restart_child"}, {Do::Sleep, "sleep"}, {Do::StopTree, "stop_tree"},
            {Do::Flood, "flood"}, {Do::Hang, "hang"}, {Do::OpenTracker, "open_tracker"}, {Do::Donate, "donate"},
            {Do::Total, "total"}, {Do::PoolAdd, "pool_add"}, {Do::PoolTotal, "pool_total"}, {Do::Deposit, "deposit"},
            {Do::Withdraw, "withdraw"}, {Do::Balance, "balance"}, {Do::Zakat, "zakat"}, {Do::SetNisab, "set_nisab"},
            {Do::GetNisab, "get_nisab"}, {Do::Transaction, "transaction"}, {Do::StartTransaction, "start_transaction"},
            {Do::Report, "report"}};
        for (const auto& [action, name] : steps)
            QTest::newRow(name) << action << QString::fromLatin1(name) << (action >= Do::OpenTracker);
    }
    void names()
    {
        QFETCH(Do, action);
        QFETCH(QString, name);
        QFETCH(bool, finance);
        QCOMPARE(QString::fromLatin1(sc::stepName(action)), name);
        QCOMPARE(sc::isFinanceStep(action), finance);
    }

    void everyNameIsItsOwn()
    {
        std::set<std::string> names;
        for (int i = int(Do::Kill); i <= int(Do::Report); ++i)
            QVERIFY(names.insert(sc::stepName(Do(i))).second);
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
        QCOMPARE(scenario->steps[0].action, Do::OpenTracker);
        QCOMPARE(scenario->steps[1].action, Do::Donate);
        QCOMPARE(sc::describeStep(scenario->steps[1]), std::string("donate 10.00 from alice"));
        QCOMPARE(sc::describeStep(scenario->steps[2]), std::string("zakat on -5.00"));
        QCOMPARE(scenario->steps[3].action, Do::Report);
        QCOMPARE(scenario->steps[4].action, Do::Kill);
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
