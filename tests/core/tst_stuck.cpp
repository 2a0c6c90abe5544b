// Stuck callbacks: a handler that does not return is reported, does not
// stop the others, can be killed (its supervisor restarts it), and does not
// hang the runtime's shutdown.
#include "coretest.h"

#include <QTest>
#include <future>
#include <thread>

using namespace sc;
using namespace sctest;

namespace {

/// Answers calls with "pong"; a cast of "block" waits on a gate the test
/// holds, as a callback stuck in a loop or on an outside resource would.
class Blocker : public GenServer {
public:
    explicit Blocker(std::shared_ptr<Gate> gate)
        : m_gate(std::move(gate))
    {
    }
    Next handleCall(const Term&, const From&) override { return Next::reply(std::string("pong")); }
    Next handleCast(const Term& message) override
    {
        if (textOf(message) == "block") m_gate->wait(std::chrono::hours(1));
        return Next::noreply();
    }

private:
    std::shared_ptr<Gate> m_gate;
};

RuntimeOptions quickToReport()
{
    RuntimeOptions o;
    o.workers = 2;
    o.stuckAfter = 200ms;
    return o;
}

bool isLogOf(const Event& e, const std::string& path, const std::string& prefix)
{
    return e.kind == EventKind::Log && e.path == path && e.reason.rfind(prefix, 0) == 0;
}

} // namespace

class TestStuck : public QObject {
    Q_OBJECT

private slots:
    void aStuckCallbackIsReportedWhileTheOthersRun()
    {
        Runtime rt(quickToReport());
        EventLog log(rt);
        auto gate = std::make_shared<Gate>();
        OpenOnExit release {gate};
        auto stuck = rt.spawn(std::make_unique<Blocker>(gate), {.path = "stuck"});
        auto other = rt.spawn(std::make_unique<Blocker>(gate), {.path = "other"});
        QVERIFY(stuck && other);

        rt.cast(*stuck, msg("block"));
        QVERIFY(log.waitUntil([](const std::vector<Event>& es) {
            return std::any_of(
                es.begin(), es.end(), [](const Event& e) { return isLogOf(e, "stuck", "stuck: a callback"); });
        }));
        auto row = rowOf(rt, *stuck);
        QVERIFY(row);
        QCOMPARE(row->status, ProcessStatus::Stuck);
        QCOMPARE(QString(processStatusName(row->status)), QString("stuck"));
        QCOMPARE(rowOf(rt, *other)->status, ProcessStatus::Running);

        // Both workers' worth of other work still gets done.
        for (int i = 0; i < 200; ++i) {
            auto r = rt.call(*other, msg("ping"));
            QVERIFY2(r, r ? "" : r.error().toString().c_str());
        }

        // Once it returns, it is no longer shown stuck, and it answers again.
        gate->open();
        QVERIFY(log.waitUntil([](const std::vector<Event>& es) {
            return std::any_of(es.begin(), es.end(), [](const Event& e) { return isLogOf(e, "stuck", "no longer"); });
        }));
        QCOMPARE(rowOf(rt, *stuck)->status, ProcessStatus::Running);
        QVERIFY(rt.call(*stuck, msg("ping")));
        // Reported once, not once per watchdog round.
        const auto& events = log.events();
        QCOMPARE(
            std::count_if(events.begin(), events.end(), [](const Event& e) { return isLogOf(e, "stuck", "stuck: "); }),
            std::ptrdiff_t(1));
    }

    void aCallThatWaitsIsNotStuck()
    {
        // A callback waiting in a call has its own timeout: it is not reported.
        Runtime rt(quickToReport());
        EventLog log(rt);
        auto gate = std::make_shared<Gate>();
        OpenOnExit release {gate};
        auto server = rt.spawn(std::make_unique<Blocker>(gate), {.path = "server"});
        QVERIFY(server);
        rt.cast(*server, msg("block"));
        QVERIFY(log.waitUntil([](const std::vector<Event>& es) {
            return std::any_of(es.begin(), es.end(), [](const Event& e) { return isLogOf(e, "server", "stuck"); });
        }));

        struct Caller : GenServer {
            Runtime& rt;
            Pid server;
            std::shared_ptr<Journal> journal;
            Caller(Runtime& rt, Pid server, std::shared_ptr<Journal> journal)
                : rt(rt)
                , server(server)
                , journal(std::move(journal))
            {
            }
            Next handleCast(const Term&) override
            {
                auto r = rt.call(server, msg("ping"), 600ms); // the server is stuck: this times out
                journal->add(r ? "answered" : errcName(r.error().code));
                return Next::noreply();
            }
        };
        auto journal = std::make_shared<Journal>();
        auto caller = rt.spawn(std::make_unique<Caller>(rt, *server, journal), {.path = "caller"});
        QVERIFY(caller);
        rt.cast(*caller, msg("go"));
        QVERIFY(journal->waitForItem(errcName(Errc::Timeout)));
        const auto& events = log.events();
        QCOMPARE(
            std::count_if(events.begin(), events.end(), [](const Event& e) { return isLogOf(e, "caller", "stuck"); }),
            std::ptrdiff_t(0));
    }

    void aHungProcessCanBeKilledAndIsRestarted()
    {
        Runtime rt(quickToReport());
        EventLog log(rt);
        auto gate = std::make_shared<Gate>();
        OpenOnExit release {gate};
        ChildSpec spec;
        spec.id = "w";
        spec.start = [gate] { return std::make_unique<Blocker>(gate); };
        auto root = startSupervisor(rt, "root", {}, {spec});
        QVERIFY(root);
        auto children = whichChildren(rt, *root);
        QVERIFY(children && children->size() == 1);
        const Pid first = children->front().pid;

        rt.hang(first);
        QVERIFY(log.waitUntil([](const std::vector<Event>& es) {
            return std::any_of(es.begin(), es.end(), [](const Event& e) { return isLogOf(e, "root/w", "stuck"); });
        }));
        QCOMPARE(rowOf(rt, first)->status, ProcessStatus::Stuck);

        rt.kill(first);
        QVERIFY(log.waitForKind(EventKind::Restart, "root/w"));
        children = whichChildren(rt, *root);
        QVERIFY(children && children->size() == 1);
        const Pid second = children->front().pid;
        QVERIFY(second != 0 && second != first);
        QCOMPARE(rowOf(rt, second)->status, ProcessStatus::Running);
        QVERIFY(rt.call(second, msg("ping")));
    }

    void shutdownDoesNotWaitForACallbackThatNeverReturns()
    {
        auto gate = std::make_shared<Gate>();
        OpenOnExit release {gate}; // lets the left-behind thread go once the test is over
        RuntimeOptions options = quickToReport();
        options.shutdownGrace = 300ms;
        auto rt = std::make_unique<Runtime>(options);
        auto stuck = rt->spawn(std::make_unique<Blocker>(gate), {.path = "stuck"});
        auto other = rt->spawn(std::make_unique<Blocker>(gate), {.path = "other"});
        QVERIFY(stuck && other);
        {
            EventLog log(*rt);
            rt->cast(*stuck, msg("block"));
            QVERIFY(log.waitUntil([](const std::vector<Event>& es) {
                return std::any_of(es.begin(), es.end(), [](const Event& e) { return isLogOf(e, "stuck", "stuck"); });
            }));
        }
        auto events = rt->events().subscribe();
        // Without the grace period the destructor joins the stuck thread for ever.
        auto destroyed = std::async(std::launch::async, [&rt] { rt.reset(); });
        QVERIFY2(destroyed.wait_for(kLong) == std::future_status::ready, "the runtime's destructor hung");
        destroyed.get();
        // Every process was still ended, the stuck one included.
        int exits = 0;
        for (const Event& e : events->drain())
            exits += e.kind == EventKind::Exit;
        QCOMPARE(exits, 2);
    }
};

QTEST_GUILESS_MAIN(TestStuck)
#include "tst_stuck.moc"
