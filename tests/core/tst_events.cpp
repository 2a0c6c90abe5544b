// Observability: the event stream (gap-free sequence, one order for
// everyone) and the snapshot the GUI polls; waitQuiescent for the runner.
#include "coretest.h"

#include <QTest>

#include <atomic>
#include <future>
#include <map>
#include <stdexcept>
#include <thread>

using namespace sc;
using namespace sctest;

namespace {

struct Crash { };
struct Block {
    std::shared_ptr<Gate> gate;
};
struct Flood { };

/// A worker that counts what it handles and can be blocked inside a callback.
class Probe : public GenServer {
public:
    struct Config {
        std::shared_ptr<Journal> journal;
        std::shared_ptr<Gate> initGate {};      ///< init waits on it
        std::shared_ptr<Gate> terminateGate {}; ///< terminate waits on it
        bool trap = true;
    };
    explicit Probe(std::string id, Config cfg)
        : m_id(std::move(id))
        , m_cfg(std::move(cfg))
    {
    }
    Next init() override
    {
        if (m_cfg.trap)
            trapExits(true);
        if (m_cfg.initGate) {
            m_cfg.journal->add(m_id + ":init waiting");
            m_cfg.initGate->wait();
        }
        return Next::ok();
    }
    Next handleCall(const Term& request, const From&) override { return Next::reply(request); }
    Next handleCast(const Term& m) override
    {
        if (m.type() == typeid(Crash))
            throw std::runtime_error("boom");
        if (const auto* b = std::any_cast<Block>(&m)) {
            m_cfg.journal->add(m_id + ":blocked");
            b->gate->wait();
        }
        if (m.type() == typeid(Flood))
            runtime().cast(self(), Flood {});
        return Next::noreply();
    }
    void terminate(const ExitReason& reason) override
    {
        m_cfg.journal->add(m_id + ":terminate:" + reason.toString());
        if (m_cfg.terminateGate)
            m_cfg.terminateGate->wait();
    }

private:
    std::string m_id;
    Config m_cfg;
};

ChildSpec probe(const std::string& id, const Probe::Config& cfg)
{
    ChildSpec s;
    s.id = id;
    s.start = [id, cfg] { return std::make_unique<Probe>(id, cfg); };
    return s;
}

Result<Pid> spawnProbe(Runtime& rt, const std::string& path, const Probe::Config& cfg)
{
    SpawnOptions opts;
    opts.path = path;
    return rt.spawn(std::make_unique<Probe>(path, cfg), opts);
}

const ProcessInfo* byPath(const Snapshot& s, const std::string& path)
{
    for (const auto& p : s.processes)
        if (p.path == path)
            return &p;
    return nullptr;
}

} // namespace

class TestEvents : public QObject {
    Q_OBJECT

private slots:
    void sequenceIsGapFreeAndOrdered()
    {
        Runtime rt;
        const auto before = rt.events().lastSeq();
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        Probe::Config cfg {j};
        ChildSpec mid;
        mid.id = "mid";
        mid.type = ChildType::Supervisor;
        mid.start = [cfg] {
            return std::make_unique<Supervisor>(SupervisorFlags {Strategy::OneForOne, 0, 60s},
                std::vector<ChildSpec> {probe("m1", cfg)});
        };
        auto root = startSupervisor(rt, "root", SupervisorFlags {}, {probe("a", cfg), mid});
        QVERIFY(root.ok());
        QVERIFY(rt.registerName("a-name", childPid(rt, *root, "a")).ok());
        rt.kill(childPid(rt, *root, "a"));               // exit, restart, unregister
        rt.cast(pidAt(rt, *root, "mid/m1"), Crash {});    // give up in mid, restart of mid
        QVERIFY(log.waitForLine("start root/mid/m1"));
        QVERIFY(rt.waitQuiescent(kLong));
        QVERIFY(rt.stop(*root, ExitReason::shutdown(), kLong).ok());
        QVERIFY(log.waitForLine("exit root shutdown"));

        const auto& ev = log.events();
        QVERIFY(!ev.empty());
        QCOMPARE(ev.front().seq, before + 1);
        for (std::size_t i = 1; i < ev.size(); ++i) {
            QCOMPARE(ev[i].seq, ev[i - 1].seq + 1);
            QVERIFY(ev[i].timeNs >= ev[i - 1].timeNs);
        }
        QCOMPARE(ev.back().seq, rt.events().lastSeq());

        // Every kind of lifecycle event was seen, each with what it is about.
        std::map<EventKind, int> kinds;
        for (const auto& e : ev) {
            ++kinds[e.kind];
            switch (e.kind) {
            case EventKind::Spawn:
            case EventKind::Start:
            case EventKind::Restart:
            case EventKind::GiveUp:
                QVERIFY(e.pid != 0 || e.kind == EventKind::Restart);
                QVERIFY(!e.path.empty());
                break;
            case EventKind::Exit:
                QVERIFY(e.pid != 0);
                QVERIFY(!e.path.empty());
                QVERIFY(!e.reason.empty());
                break;
            case EventKind::Register:
            case EventKind::Unregister:
                QCOMPARE(qs(e.name), QStringLiteral("a-name"));
                break;
            default:
                break;
            }
        }
        for (EventKind k : {EventKind::Spawn, EventKind::Start, EventKind::Exit, EventKind::Restart,
                 EventKind::GiveUp, EventKind::Register, EventKind::Unregister})
            QVERIFY2(kinds[k] > 0, eventKindName(k));

        // Per process: spawn, then start, then exit.
        std::map<Pid, std::vector<EventKind>> perPid;
        for (const auto& e : ev)
            if (e.kind == EventKind::Spawn || e.kind == EventKind::Start || e.kind == EventKind::Exit)
                perPid[e.pid].push_back(e.kind);
        for (const auto& [pid, seq] : perPid) {
            QCOMPARE(int(seq.size()), 3);
            QCOMPARE(seq[0], EventKind::Spawn);
            QCOMPARE(seq[1], EventKind::Start);
            QCOMPARE(seq[2], EventKind::Exit);
        }
        // A restart comes between the exit it answers and the new start.
        std::vector<std::string> aLines;
        for (const auto& e : ev)
            if (e.path == "root/a" && (e.kind == EventKind::Exit || e.kind == EventKind::Restart || e.kind == EventKind::Start))
                aLines.push_back(eventKindName(e.kind));
        QCOMPARE(qsl(aLines),
            QStringList({eventKindName(EventKind::Start), eventKindName(EventKind::Exit),
                eventKindName(EventKind::Restart), eventKindName(EventKind::Start), eventKindName(EventKind::Exit)}));
    }

    void subscribersSeeTheSameOrder()
    {
        Runtime rt;
        EventLog first(rt);
        EventLog second(rt);
        auto j = std::make_shared<Journal>();
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&rt, j, t] {
                for (int i = 0; i < 25; ++i) {
                    auto p = spawnProbe(rt, "p" + std::to_string(t) + "-" + std::to_string(i), {j});
                    if (p)
                        rt.kill(*p);
                }
            });
        for (auto& t : threads)
            t.join();
        QVERIFY(rt.waitQuiescent(kLong));
        const auto last = rt.events().lastSeq();
        QVERIFY(first.waitUntil([&](const auto& v) { return !v.empty() && v.back().seq == last; }));
        QVERIFY(second.waitUntil([&](const auto& v) { return !v.empty() && v.back().seq == last; }));
        const auto& a = first.events();
        const auto& b = second.events();
        QCOMPARE(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].seq, b[i].seq);
            QCOMPARE(a[i].kind, b[i].kind);
            QCOMPARE(a[i].pid, b[i].pid);
            if (i)
                QCOMPARE(a[i].seq, a[i - 1].seq + 1);
        }
        QCOMPARE(first.countKind(EventKind::Exit), 100);
    }

    void slowSubscriberDropsAndCounts()
    {
        Runtime rt;
        EventLog all(rt);
        auto small = rt.events().subscribe(5);
        auto j = std::make_shared<Journal>();
        for (int i = 0; i < 10; ++i) {
            auto p = spawnProbe(rt, "p" + std::to_string(i), {j});
            QVERIFY(p.ok());
            rt.kill(*p);
        }
        QVERIFY(rt.waitQuiescent(kLong));
        const auto total = all.events().size();
        QVERIFY(total >= 30); // spawn, start, exit each
        const auto kept = small->drain();
        QVERIFY(kept.size() <= 5);
        QCOMPARE(kept.size() + small->dropped(), total);
        rt.events().unsubscribe(small);
        auto late = spawnProbe(rt, "late", {j});
        QVERIFY(late.ok());
        QVERIFY(small->drain().empty()); // unsubscribed: nothing more
    }

    void snapshotListsEveryLiveProcess()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        Probe::Config cfg {j};
        ChildSpec mid;
        mid.id = "mid";
        mid.type = ChildType::Supervisor;
        mid.start = [cfg] {
            return std::make_unique<Supervisor>(
                SupervisorFlags {Strategy::RestForOne, 3, 5000ms}, std::vector<ChildSpec> {probe("w2", cfg)});
        };
        ChildSpec pool;
        pool.id = "pool";
        pool.type = ChildType::Supervisor;
        pool.start = [] { return std::make_unique<DynamicSupervisor>(DynamicSupervisorFlags {}); };
        auto root = startSupervisor(rt, "root", SupervisorFlags {Strategy::OneForAll, 3, 5000ms},
            {probe("w1", cfg), mid, pool});
        QVERIFY(root.ok());
        const Pid poolPid = childPid(rt, *root, "pool");
        QVERIFY(startChild(rt, poolPid, probe("job", cfg)).ok());
        auto loose = spawnProbe(rt, "loose", cfg);
        QVERIFY(loose.ok());
        QVERIFY(rt.waitQuiescent(kLong));

        const auto snap = rt.snapshot();
        QCOMPARE(snap.processes.size(), std::size_t(7));
        QCOMPARE(rt.processCount(), std::size_t(7));
        QVERIFY(snap.lastSeq <= rt.events().lastSeq());

        struct Want {
            const char* path;
            const char* parentPath;
            ProcessKind kind;
            std::optional<Strategy> strategy;
        };
        const Want wants[] = {
            {"root", nullptr, ProcessKind::Supervisor, Strategy::OneForAll},
            {"root/w1", "root", ProcessKind::Worker, {}},
            {"root/mid", "root", ProcessKind::Supervisor, Strategy::RestForOne},
            {"root/mid/w2", "root/mid", ProcessKind::Worker, {}},
            {"root/pool", "root", ProcessKind::DynamicSupervisor, Strategy::OneForOne},
            {"root/pool/job", "root/pool", ProcessKind::Worker, {}},
            {"loose", nullptr, ProcessKind::Worker, {}},
        };
        for (const auto& w : wants) {
            const auto* p = byPath(snap, w.path);
            QVERIFY2(p, w.path);
            QVERIFY(rt.isAlive(p->pid));
            QCOMPARE(p->kind, w.kind);
            QCOMPARE(p->status, ProcessStatus::Running);
            QCOMPARE(p->mailbox, 0u);
            QCOMPARE(p->restarts, 0u);
            if (w.strategy)
                QCOMPARE(p->strategy, *w.strategy);
            const Pid parent = w.parentPath ? byPath(snap, w.parentPath)->pid : Pid(0);
            QCOMPARE(p->parent, parent);
            const auto one = rowOf(rt, p->pid);
            QVERIFY(one.has_value());
            QCOMPARE(one->pid, p->pid);
            QCOMPARE(one->parent, parent);
            QCOMPARE(qs(pathOf(rt, p->pid)), QString(w.path));
        }
        // Dead processes leave the snapshot at once.
        rt.kill(*loose);
        QVERIFY(!byPath(rt.snapshot(), "loose")); // the snapshot is a temporary: only the null test
        QVERIFY(!rowOf(rt, *loose).has_value());
    }

    void snapshotMailboxAndHandled()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto gate = std::make_shared<Gate>();
        OpenOnExit opener {gate};
        auto p = spawnProbe(rt, "busy", {j});
        QVERIFY(p.ok());
        for (int i = 0; i < 5; ++i)
            QVERIFY(rt.call(*p, Term(i), kLong).ok());
        QVERIFY(rt.waitQuiescent(kLong));
        const auto handledBefore = rowOf(rt, *p).value().handled;
        QVERIFY(handledBefore >= 5);

        rt.cast(*p, Block {gate});
        QVERIFY(j->waitForItem("busy:blocked"));
        constexpr int kQueued = 25;
        for (int i = 0; i < kQueued; ++i)
            rt.send(*p, Term(i));
        const auto snap = rt.snapshot();
        const auto* mine = byPath(snap, "busy");
        QVERIFY(mine);
        QCOMPARE(mine->mailbox, std::uint32_t(kQueued));
        QCOMPARE(rowOf(rt, *p).value().mailbox, std::uint32_t(kQueued));

        gate->open();
        QVERIFY(rt.waitQuiescent(kLong));
        const auto after = rowOf(rt, *p).value();
        QCOMPARE(after.mailbox, 0u);
        QCOMPARE(after.handled, handledBefore + kQueued + 1);
    }

    void snapshotRestartCount()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        auto root = startSupervisor(rt, "root", SupervisorFlags {Strategy::OneForOne, 5, 60s}, {probe("w", {j}), probe("v", {j})});
        QVERIFY(root.ok());
        for (int i = 0; i < 3; ++i) {
            log.clear();
            rt.kill(childPid(rt, *root, "w"));
            QVERIFY(log.waitForLine("start root/w"));
        }
        QVERIFY(rt.waitQuiescent(kLong));
        const auto snap = rt.snapshot();
        QCOMPARE(byPath(snap, "root/w")->restarts, 3u);
        QCOMPARE(byPath(snap, "root/v")->restarts, 0u);
        QCOMPARE(byPath(snap, "root/w")->pid, childPid(rt, *root, "w"));
    }

    void snapshotStatus()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto initGate = std::make_shared<Gate>();
        auto termGate = std::make_shared<Gate>();
        OpenOnExit o1 {initGate};
        OpenOnExit o2 {termGate};

        // initializing: init has not returned yet.
        auto starting = std::async(std::launch::async, [&] {
            return spawnProbe(rt, "starting", {j, initGate});
        });
        QVERIFY(j->waitForItem("starting:init waiting"));
        {
            const auto snap = rt.snapshot();
            const auto* p = byPath(snap, "starting");
            QVERIFY(p);
            QCOMPARE(p->status, ProcessStatus::Initializing);
        }
        initGate->open();
        QCOMPARE(starting.wait_for(kLong), std::future_status::ready);
        const auto started = starting.get();
        QVERIFY(started.ok());
        QCOMPARE(rowOf(rt, *started).value().status, ProcessStatus::Running);

        // terminating: terminate is running.
        auto leaving = spawnProbe(rt, "leaving", {j, nullptr, termGate});
        QVERIFY(leaving.ok());
        auto stopping = std::async(std::launch::async, [&] { return rt.stop(*leaving, ExitReason::shutdown(), kLong); });
        QVERIFY(j->waitForItem("leaving:terminate:shutdown"));
        QCOMPARE(rowOf(rt, *leaving).value_or(ProcessInfo {}).status, ProcessStatus::Terminating);
        termGate->open();
        QCOMPARE(stopping.wait_for(kLong), std::future_status::ready);
        QVERIFY(stopping.get().ok());
    }

    void snapshotRestartingSupervisor()
    {
        // While a supervisor restarts a child (here: the new child's init is
        // stuck), the supervisor shows `restarting` and the child `initializing`.
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        auto gate = std::make_shared<Gate>();
        OpenOnExit opener {gate};
        auto starts = std::make_shared<std::atomic<int>>(0);
        ChildSpec w;
        w.id = "w";
        w.start = [j, gate, starts] {
            Probe::Config cfg {j};
            if (starts->fetch_add(1) > 0)
                cfg.initGate = gate;
            return std::make_unique<Probe>("w", cfg);
        };
        auto root = startSupervisor(rt, "root", SupervisorFlags {}, {w});
        QVERIFY(root.ok());
        rt.kill(childPid(rt, *root, "w"));
        QVERIFY(j->waitForItem("w:init waiting"));
        const auto snap = rt.snapshot();
        QCOMPARE(byPath(snap, "root")->status, ProcessStatus::Restarting);
        QVERIFY(byPath(snap, "root/w"));
        QCOMPARE(byPath(snap, "root/w")->status, ProcessStatus::Initializing);
        gate->open();
        QVERIFY(log.waitForLine("start root/w"));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(rowOf(rt, *root).value().status, ProcessStatus::Running);
    }

    void waitQuiescent()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        auto gate = std::make_shared<Gate>();
        OpenOnExit opener {gate};
        // Work queued: quiescent means all of it was handled.
        auto p = spawnProbe(rt, "p", {j});
        QVERIFY(p.ok());
        const auto h0 = rowOf(rt, *p).value().handled;
        for (int i = 0; i < 500; ++i)
            rt.send(*p, Term(i));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(rowOf(rt, *p).value().handled, h0 + 500);

        // An exit being handled: quiescent means the restart is done.
        auto root = startSupervisor(rt, "root", SupervisorFlags {}, {probe("a", {j}), probe("b", {j})});
        QVERIFY(root.ok());
        log.clear();
        rt.kill(childPid(rt, *root, "a"));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(qsl(log.lifecycle()), QStringList({"exit root/a killed", "start root/a"}));

        // A callback still running is not quiescent.
        rt.cast(*p, Block {gate});
        QVERIFY(j->waitForItem("p:blocked"));
        QVERIFY(!rt.waitQuiescent(200ms));
        gate->open();
        QVERIFY(rt.waitQuiescent(kLong));

        // Nor is a process that keeps itself busy.
        auto busy = spawnProbe(rt, "busy", {j});
        QVERIFY(busy.ok());
        rt.cast(*busy, Flood {});
        QVERIFY(!rt.waitQuiescent(200ms));
        rt.kill(*busy);
        QVERIFY(rt.waitQuiescent(kLong));
    }
};

QTEST_GUILESS_MAIN(TestEvents)
#include "tst_events.moc"
