// The scenario trace's writer (core/scenario/trace.h): whole lines, one per
// event, and a trace held to its limit by a trace_cut line after which
// nothing is written.
#include "core/scenario/trace.h"

#include <QTest>
#include <sstream>
#include <string>
#include <vector>

namespace {

sc::Event startEvent(std::uint64_t seq)
{
    sc::Event e;
    e.seq = seq;
    e.kind = sc::EventKind::Start;
    e.path = "root/a";
    e.pid = 7;
    return e;
}

std::vector<std::string> linesOf(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

} // namespace

class TestScenarioTrace : public QObject {
    Q_OBJECT

private slots:
    void writesOneLinePerEvent()
    {
        std::ostringstream out;
        sc::TraceWriter writer(&out, 1 << 20);
        writer.write(startEvent(1));
        writer.write(startEvent(2));
        QVERIFY(!writer.isCut());
        QCOMPARE(out.str(), sc::traceLine(startEvent(1)) + "\n" + sc::traceLine(startEvent(2)) + "\n");
    }

    void withoutAStreamWritesNothing()
    {
        sc::TraceWriter writer(nullptr, 1);
        writer.write(startEvent(1));
        QVERIFY(!writer.isCut());
    }

    void cutAtTheLimitWithWholeLines()
    {
        const std::size_t lineBytes = sc::traceLine(startEvent(1)).size() + 1;
        const std::uint64_t limit = 2000;
        std::ostringstream out;
        sc::TraceWriter writer(&out, limit);
        for (std::uint64_t seq = 1; seq <= 100; ++seq)
            writer.write(startEvent(seq));
        QVERIFY(writer.isCut());
        QVERIFY(out.str().size() <= limit);

        const auto lines = linesOf(out.str());
        QVERIFY(lines.size() >= 2);
        QVERIFY(lines.size() < 100);
        for (std::size_t i = 0; i + 1 < lines.size(); ++i)
            QCOMPARE(lines[i], sc::traceLine(startEvent(i + 1)));
        QCOMPARE(lines.back(),
            std::string(R"({"event":"trace_cut","limit":2000,"message":"the trace reached its limit of 2000 bytes; )"
                        R"(the run was stopped"})"));
        // The cut line took the place of the first line with no room left.
        QVERIFY((lines.size() - 1) * lineBytes + lines.back().size() + 1 + lineBytes > limit);

        const auto before = out.str();
        writer.write(startEvent(101));
        QCOMPARE(out.str(), before);
    }

    void aLimitBelowTheCutLineWritesOnlyIt()
    {
        std::ostringstream out;
        sc::TraceWriter writer(&out, 10);
        writer.write(startEvent(1));
        QVERIFY(writer.isCut());
        QCOMPARE(linesOf(out.str()).size(), std::size_t {1});
        QVERIFY(out.str().starts_with(R"({"event":"trace_cut")"));
    }
};

QTEST_GUILESS_MAIN(TestScenarioTrace)
#include "tst_scenariotrace.moc"
