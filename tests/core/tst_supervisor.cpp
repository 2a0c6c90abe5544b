// Supervisors: start and stop order, the three strategies, restart types,
// restart intensity and escalation, shutdown kinds, the child API, and
// dynamic supervisors. Expected orders were checked against OTP 25.
#include "coretest.h"

#include <QTest>
#include <atomic>
#include <future>
#include <set>
#include <stdexcept>

using namespace sc;
using namespace sctest;

Q_DECLARE_METATYPE(sc::Strategy)
Q_DECLARE_METATYPE(sc::Restart)

namespace {

// -- commands a Worker understands (sent with cast) --
struct Crash { };
struct StopWith {
    ExitReason reason;
};
struct Block {
    std::shared_ptr<Gate> gate;
};

/// How a Worker behaves; shared by every incarnation of a child.
struct WorkerConfig {
    std::shared_ptr<Journal> journal;
    /// Workers trap exits by default, so that `shutdown` runs terminate.
    bool trap = true;
    /// When set, terminate blocks on it (at most terminateCap): a slow cleanup.
    std::shared_ptr<Gate> terminateGate {};
    std::chrono::milliseconds terminateCap {30s};
    /// Replaces the plain init when set (to fail or ignore).
    std::function<Next(const std::string& id)> init {};
    /// A name to register in init.
    std::string name {};
};

/// A supervised worker that writes "<id>:init", "<id>:terminate:<reason>",
/// "<id>:terminate-end", "<id>:blocked" to the tree's journal.
class Worker : public GenServer {
public:
    Worker(std::string id, WorkerConfig config)
        : m_id(std::move(id))
        , m_cfg(std::move(config))
    {
    }
    Next init() override
    {
        if (m_cfg.trap) trapExits(true);
        m_cfg.journal->add(m_id + ":init");
        if (!m_cfg.name.empty()) {
            auto st = runtime().registerName(m_cfg.name, self());
            if (!st) return Next::stop(ExitReason::error("name taken"));
        }
        return m_cfg.init ? m_cfg.init(m_id) : Next::ok();
    }
    Next handleCall(const Term& request, const From&) override { return Next::reply(request); }
    Next handleCast(const Term& m) override
    {
        if (m.type() == typeid(Crash)) throw std::runtime_error("boom");
        if (const auto* s = std::any_cast<StopWith>(&m)) return Next::stop(s->reason);
        if (const auto* b = std::any_cast<Block>(&m)) {
            m_cfg.journal->add(m_id + ":blocked");
            b->gate->wait();
            m_cfg.journal->add(m_id + ":unblocked");
        }
        return Next::noreply();
    }
    Next handleContinue(const Term& arg) override
    {
        if (arg.type() == typeid(Crash)) throw std::runtime_error("boom");
        return Next::noreply();
    }
    void terminate(const ExitReason& reason) override
    {
        m_cfg.journal->add(m_id + ":terminate:" + reason.toString());
        if (m_cfg.terminateGate) {
            m_cfg.terminateGate->wait(m_cfg.terminateCap);
            m_cfg.journal->add(m_id + ":terminate-end");
        }
    }

private:
    std::string m_id;
    WorkerConfig m_cfg;
};

ChildSpec worker(const std::string& id, const WorkerConfig& cfg, Restart restart = Restart::Permanent,
    std::optional<Shutdown> shutdown = std::nullopt)
{
    ChildSpec s;
    s.id = id;
    s.start = [id, cfg] { return std::make_unique<Worker>(id, cfg); };
    s.restart = restart;
    s.shutdown = shutdown;
    s.type = ChildType::Worker;
    return s;
}

ChildSpec supervisor(
    const std::string& id, SupervisorFlags flags, std::vector<ChildSpec> children, Restart restart = Restart::Permanent)
{
    ChildSpec s;
    s.id = id;
    s.start = [flags, children] { return std::make_unique<Supervisor>(flags, children); };
    s.restart = restart;
    s.type = ChildType::Supervisor;
    return s;
}

SupervisorFlags flags(
    Strategy strategy = Strategy::OneForOne, int intensity = 3, std::chrono::milliseconds period = 5000ms)
{
    return SupervisorFlags {strategy, intensity, period};
}

/// Ends a child with `reason`: kill for killed, a throw for error:boom, its
/// own stop otherwise.
void endWith(Runtime& rt, Pid p, const std::string& reason)
{
    if (reason == "killed")
        rt.kill(p);
    else if (reason == "error:boom")
        rt.cast(p, Crash {});
    else
        rt.cast(p, StopWith {ExitReason::parse(reason)});
}

std::optional<ChildInfo> childInfo(Runtime& rt, Pid sup, const std::string& id)
{
    auto children = whichChildren(rt, sup);
    if (!children) return std::nullopt;
    for (const auto& c : *children)
        if (c.id == id) return c;
    return std::nullopt;
}

/// The ids a supervisor lists, sorted (which_children's order is not part of the contract).
QStringList childIds(Runtime& rt, Pid sup)
{
    QStringList ids;
    auto children = whichChildren(rt, sup);
    if (children)
        for (const auto& c : *children)
            ids << qs(c.id);
    ids.sort();
    return ids;
}

/// True if `expected` occurs in `actual` in this order (other lines may sit between).
bool isSubsequence(const std::vector<std::string>& expected, const std::vector<std::string>& actual)
{
    std::size_t i = 0;
    for (const auto& line : actual)
        if (i < expected.size() && line == expected[i]) ++i;
    return i == expected.size();
}

Result<Pid> spawnDynamic(Runtime& rt, const std::string& path, DynamicSupervisorFlags f)
{
    SpawnOptions opts;
    opts.path = path;
    return rt.spawn(std::make_unique<DynamicSupervisor>(f), opts);
}

} // namespace

class TestSupervisor : public QObject {
    Q_OBJECT

private slots:
    // -- starting --
    void childrenStartInOrder()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto root = startSupervisor(rt, "root", flags(),
            {worker("a", cfg), worker("b", cfg), supervisor("s", flags(), {worker("x", cfg), worker("y", cfg)}),
                worker("c", cfg)});
        QVERIFY(root.ok());
        // Started means every child has started: no wait needed.
        QCOMPARE(qsl(log.lifecycle()),
            QStringList({"start root", "start root/a", "start root/b", "start root/s", "start root/s/x",
                "start root/s/y", "start root/c"}));
        QCOMPARE(qsl(j->items()), QStringList({"a:init", "b:init", "x:init", "y:init", "c:init"}));
        const auto* sStart = log.find(EventKind::Start, "root/s");
        QVERIFY(sStart);
        QCOMPARE(sStart->parent, *root);
        QCOMPARE(pidAt(rt, *root, "s/x") != 0, true);
    }

    void stopTreeStopsInReverseOrder()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto root = startSupervisor(rt, "root", flags(),
            {worker("a", cfg), worker("b", cfg), supervisor("s", flags(), {worker("x", cfg), worker("y", cfg)}),
                worker("c", cfg)});
        QVERIFY(root.ok());
        log.clear();
        QVERIFY(rt.stop(*root, ExitReason::shutdown(), kLong).ok());
        QVERIFY(log.waitLifecycleCount(7));
        QCOMPARE(qsl(log.lifecycle()),
            QStringList({"exit root/c shutdown", "exit root/s/y shutdown", "exit root/s/x shutdown",
                "exit root/s shutdown", "exit root/b shutdown", "exit root/a shutdown", "exit root shutdown"}));
        // Trapping workers ran their cleanup.
        for (const char* id : {"a", "b", "c", "x", "y"})
            QVERIFY(j->contains(std::string(id) + ":terminate:shutdown"));
        QCOMPARE(rt.processCount(), std::size_t(0));
    }

    // -- strategies --
    void strategy_data()
    {
        QTest::addColumn<sc::Strategy>("strategy");
        QTest::addColumn<QString>("victim");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QStringList>("expected");
        const auto O = Strategy::OneForOne;
        const auto A = Strategy::OneForAll;
        const auto R = Strategy::RestForOne;
        QTest::newRow("one_for_one, a killed") << O << "a"
                                               << "killed" << QStringList {"exit root/a killed", "start root/a"};
        QTest::newRow("one_for_one, b killed") << O << "b"
                                               << "killed" << QStringList {"exit root/b killed", "start root/b"};
        QTest::newRow("one_for_one, c killed") << O << "c"
                                               << "killed" << QStringList {"exit root/c killed", "start root/c"};
        QTest::newRow("one_for_one, b crashes")
            << O << "b"
            << "error:boom" << QStringList {"exit root/b error:boom", "start root/b"};
        QTest::newRow("one_for_all, a killed")
            << A << "a"
            << "killed"
            << QStringList {"exit root/a killed", "exit root/c shutdown", "exit root/b shutdown", "start root/a",
                   "start root/b", "start root/c"};
        QTest::newRow("one_for_all, b killed")
            << A << "b"
            << "killed"
            << QStringList {"exit root/b killed", "exit root/c shutdown", "exit root/a shutdown", "start root/a",
                   "start root/b", "start root/c"};
        QTest::newRow("one_for_all, c killed")
            << A << "c"
            << "killed"
            << QStringList {"exit root/c killed", "exit root/b shutdown", "exit root/a shutdown", "start root/a",
                   "start root/b", "start root/c"};
        QTest::newRow("one_for_all, b crashes")
            << A << "b"
            << "error:boom"
            << QStringList {"exit root/b error:boom", "exit root/c shutdown", "exit root/a shutdown", "start root/a",
                   "start root/b", "start root/c"};
        QTest::newRow("rest_for_one, a killed")
            << R << "a"
            << "killed"
            << QStringList {"exit root/a killed", "exit root/c shutdown", "exit root/b shutdown", "start root/a",
                   "start root/b", "start root/c"};
        QTest::newRow("rest_for_one, b killed")
            << R << "b"
            << "killed" << QStringList {"exit root/b killed", "exit root/c shutdown", "start root/b", "start root/c"};
        QTest::newRow("rest_for_one, c killed") << R << "c"
                                                << "killed" << QStringList {"exit root/c killed", "start root/c"};
        QTest::newRow("rest_for_one, b crashes")
            << R << "b"
            << "error:boom"
            << QStringList {"exit root/b error:boom", "exit root/c shutdown", "start root/b", "start root/c"};
        QTest::newRow("rest_for_one, b stops shutdown:detail")
            << R << "b"
            << "shutdown:detail"
            << QStringList {"exit root/b shutdown:detail", "exit root/c shutdown", "start root/b", "start root/c"};
    }
    void strategy()
    {
        QFETCH(sc::Strategy, strategy);
        QFETCH(QString, victim);
        QFETCH(QString, reason);
        QFETCH(QStringList, expected);
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto root
            = startSupervisor(rt, "root", flags(strategy), {worker("a", cfg), worker("b", cfg), worker("c", cfg)});
        QVERIFY(root.ok());
        std::map<std::string, Pid> before;
        for (const char* id : {"a", "b", "c"})
            before[id] = childPid(rt, *root, id);
        log.clear();

        endWith(rt, before[victim.toStdString()], reason.toStdString());
        QVERIFY(log.waitLifecycleCount(std::size_t(expected.size())));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(qsl(log.lifecycle()), expected);

        // Restarted children have new pids; the others were left alone.
        for (const char* id : {"a", "b", "c"}) {
            const Pid now = childPid(rt, *root, id);
            QVERIFY(now != 0);
            const bool restarted = expected.contains(QStringLiteral("start root/") + id);
            QCOMPARE(now != before[id], restarted);
        }
        QVERIFY(rt.isAlive(*root));
        // The supervisor announced the restart of the child that died.
        QVERIFY(log.find(EventKind::Restart, "root/" + victim.toStdString()));
    }

    void nestedStrategy_data()
    {
        QTest::addColumn<sc::Strategy>("strategy");
        QTest::addColumn<QString>("victim");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("rest_for_one restarts a whole subtree in order")
            << Strategy::RestForOne << "a"
            << "killed"
            << QStringList {"exit root/a killed", "exit root/c shutdown", "exit root/s/y shutdown",
                   "exit root/s/x shutdown", "exit root/s shutdown", "start root/a", "start root/s", "start root/s/x",
                   "start root/s/y", "start root/c"};
        QTest::newRow("one_for_all above a supervisor that gives up")
            << Strategy::OneForAll << "s/x"
            << "error:boom"
            << QStringList {"exit root/s/x error:boom", "exit root/s/y shutdown", "exit root/s shutdown",
                   "exit root/c shutdown", "exit root/a shutdown", "start root/a", "start root/s", "start root/s/x",
                   "start root/s/y", "start root/c"};
        QTest::newRow("one_for_one inside, nothing above")
            << Strategy::OneForAll << "s/y"
            << "killed" << QStringList {"exit root/s/y killed", "start root/s/y"};
    }
    void nestedStrategy()
    {
        QFETCH(sc::Strategy, strategy);
        QFETCH(QString, victim);
        QFETCH(QString, reason);
        QFETCH(QStringList, expected);
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        // s gives up at its first failure when its children crash, not when killed.
        const int sIntensity = reason == "error:boom" ? 0 : 3;
        auto root = startSupervisor(rt, "root", flags(strategy),
            {worker("a", cfg),
                supervisor("s", flags(Strategy::OneForOne, sIntensity), {worker("x", cfg), worker("y", cfg)}),
                worker("c", cfg)});
        QVERIFY(root.ok());
        const Pid target = pidAt(rt, *root, victim.toStdString());
        QVERIFY(target);
        log.clear();
        endWith(rt, target, reason.toStdString());
        QVERIFY(log.waitLifecycleCount(std::size_t(expected.size())));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(qsl(log.lifecycle()), expected);
        QVERIFY(rt.isAlive(*root));
    }

    // -- restart types --
    void restartTypes_data()
    {
        QTest::addColumn<sc::Restart>("restart");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<bool>("restarted");
        QTest::addColumn<bool>("listed");
        const char* reasons[] = {"normal", "shutdown", "shutdown:detail", "killed", "error:boom", "error:bad state"};
        for (const char* r : reasons) {
            const bool orderly = ExitReason::parse(r).isOrderly();
            QTest::addRow("permanent, %s", r) << Restart::Permanent << r << true << true;
            QTest::addRow("transient, %s", r) << Restart::Transient << r << !orderly << true;
            QTest::addRow("temporary, %s", r) << Restart::Temporary << r << false << false;
        }
    }
    void restartTypes()
    {
        QFETCH(sc::Restart, restart);
        QFETCH(QString, reason);
        QFETCH(bool, restarted);
        QFETCH(bool, listed);
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto root = startSupervisor(
            rt, "root", flags(Strategy::OneForOne, 10, 60s), {worker("a", cfg, restart), worker("b", cfg)});
        QVERIFY(root.ok());
        const Pid a = childPid(rt, *root, "a");
        const Pid b = childPid(rt, *root, "b");
        log.clear();
        endWith(rt, a, reason.toStdString());
        const std::string exitLine = "exit root/a " + reason.toStdString();
        QVERIFY(log.waitForLine(exitLine));
        if (restarted) QVERIFY(log.waitForLine("start root/a"));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(qsl(log.lifecycle()),
            restarted ? QStringList({qs(exitLine), "start root/a"}) : QStringList({qs(exitLine)}));

        const auto info = childInfo(rt, *root, "a");
        QCOMPARE(info.has_value(), listed);
        if (info) {
            if (restarted) {
                QCOMPARE(info->state, ChildInfo::State::Running);
                QVERIFY(info->pid != 0 && info->pid != a);
            } else {
                QCOMPARE(info->state, ChildInfo::State::Undefined);
                QCOMPARE(info->pid, Pid(0));
            }
        }
        auto counts = countChildren(rt, *root);
        QVERIFY(counts.ok());
        QCOMPARE(counts->specs, listed ? 2 : 1);
        QCOMPARE(counts->active, restarted ? 2 : 1);
        QCOMPARE(childPid(rt, *root, "b"), b); // the sibling is untouched
    }

    void siblingsStoppedByStrategy_data()
    {
        QTest::addColumn<sc::Strategy>("strategy");
        QTest::addColumn<sc::Restart>("restart");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<bool>("listed");
        QTest::newRow("one_for_all drops a temporary sibling")
            << Strategy::OneForAll << Restart::Temporary
            << QStringList {"exit root/a killed", "exit root/c shutdown", "exit root/t shutdown", "start root/a",
                   "start root/c"}
            << false;
        QTest::newRow("rest_for_one drops a temporary sibling")
            << Strategy::RestForOne << Restart::Temporary
            << QStringList {"exit root/a killed", "exit root/c shutdown", "exit root/t shutdown", "start root/a",
                   "start root/c"}
            << false;
        QTest::newRow("one_for_all restarts a transient sibling")
            << Strategy::OneForAll << Restart::Transient
            << QStringList {"exit root/a killed", "exit root/c shutdown", "exit root/t shutdown", "start root/a",
                   "start root/t", "start root/c"}
            << true;
    }
    void siblingsStoppedByStrategy()
    {
        QFETCH(sc::Strategy, strategy);
        QFETCH(sc::Restart, restart);
        QFETCH(QStringList, expected);
        QFETCH(bool, listed);
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto root = startSupervisor(
            rt, "root", flags(strategy), {worker("a", cfg), worker("t", cfg, restart), worker("c", cfg)});
        QVERIFY(root.ok());
        log.clear();
        rt.kill(childPid(rt, *root, "a"));
        QVERIFY(log.waitLifecycleCount(std::size_t(expected.size())));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(qsl(log.lifecycle()), expected);
        QCOMPARE(childIds(rt, *root).contains("t"), listed);
    }

    // -- restart intensity --
    void intensity_data()
    {
        QTest::addColumn<int>("intensity");
        QTest::newRow("intensity 0") << 0;
        QTest::newRow("intensity 1") << 1;
        QTest::newRow("intensity 3") << 3;
    }
    void intensity()
    {
        QFETCH(int, intensity);
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto root = startSupervisor(rt, "root", flags(Strategy::OneForOne, intensity, 60s),
            {worker("a", cfg), worker("b", cfg), worker("c", cfg)});
        QVERIFY(root.ok());
        // `intensity` restarts within the period are allowed...
        for (int i = 0; i < intensity; ++i) {
            log.clear();
            rt.cast(childPid(rt, *root, "b"), Crash {});
            QVERIFY(log.waitForLine("start root/b"));
            QVERIFY(rt.isAlive(*root));
        }
        // ...one more and the supervisor stops its children in reverse order
        // and exits with shutdown.
        log.clear();
        rt.cast(childPid(rt, *root, "b"), Crash {});
        QVERIFY(log.waitForLine("exit root shutdown"));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(qsl(log.lifecycle()),
            QStringList(
                {"exit root/b error:boom", "exit root/c shutdown", "exit root/a shutdown", "exit root shutdown"}));
        QCOMPARE(log.countKind(EventKind::GiveUp, "root"), 1);
        QVERIFY(!rt.isAlive(*root));
        QCOMPARE(rt.processCount(), std::size_t(0));
    }

    void slidingWindow()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto root
            = startSupervisor(rt, "root", flags(Strategy::OneForOne, 1, 200ms), {worker("a", cfg), worker("b", cfg)});
        QVERIFY(root.ok());
        log.clear();
        rt.cast(childPid(rt, *root, "b"), Crash {});
        QVERIFY(log.waitForLine("start root/b"));
        // The first restart leaves the 200 ms window: let the clock pass.
        log.drainFor(250ms);
        log.clear();
        rt.cast(childPid(rt, *root, "b"), Crash {});
        QVERIFY(log.waitForLine("start root/b"));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(qsl(log.lifecycle()), QStringList({"exit root/b error:boom", "start root/b"}));
        QVERIFY(rt.isAlive(*root));
        QCOMPARE(log.countKind(EventKind::GiveUp), 0);
    }

    void escalationThroughThreeLevels()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto leaf = supervisor("leaf", flags(Strategy::OneForOne, 0), {worker("w1", cfg), worker("w2", cfg)});
        auto mid = supervisor("mid", flags(Strategy::OneForOne, 0), {leaf, worker("m2", cfg)});
        auto root = startSupervisor(rt, "root", flags(), {worker("r1", cfg), mid, worker("r2", cfg)});
        QVERIFY(root.ok());
        const Pid r1 = childPid(rt, *root, "r1");
        const Pid r2 = childPid(rt, *root, "r2");
        log.clear();
        rt.cast(pidAt(rt, *root, "mid/leaf/w1"), Crash {});
        const QStringList expected {"exit root/mid/leaf/w1 error:boom", "exit root/mid/leaf/w2 shutdown",
            "exit root/mid/leaf shutdown", "exit root/mid/m2 shutdown", "exit root/mid shutdown", "start root/mid",
            "start root/mid/leaf", "start root/mid/leaf/w1", "start root/mid/leaf/w2", "start root/mid/m2"};
        QVERIFY(log.waitLifecycleCount(std::size_t(expected.size())));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(qsl(log.lifecycle()), expected);
        QCOMPARE(log.countKind(EventKind::GiveUp, "root/mid/leaf"), 1);
        QCOMPARE(log.countKind(EventKind::GiveUp, "root/mid"), 1);
        QCOMPARE(log.countKind(EventKind::GiveUp, "root"), 0);
        QVERIFY(rt.isAlive(*root));
        QCOMPARE(childPid(rt, *root, "r1"), r1);
        QCOMPARE(childPid(rt, *root, "r2"), r2);
        QVERIFY(pidAt(rt, *root, "mid/leaf/w1") != 0);
    }

    void rootGivesUp()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto leaf = supervisor("leaf", flags(Strategy::OneForOne, 0), {worker("w1", cfg), worker("w2", cfg)});
        auto mid = supervisor("mid", flags(Strategy::OneForOne, 0), {leaf, worker("m2", cfg)});
        auto root
            = startSupervisor(rt, "root", flags(Strategy::OneForOne, 0), {worker("r1", cfg), mid, worker("r2", cfg)});
        QVERIFY(root.ok());
        log.clear();
        rt.cast(pidAt(rt, *root, "mid/leaf/w1"), Crash {});
        QVERIFY(log.waitForLine("exit root shutdown"));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(qsl(log.lifecycle()),
            QStringList({"exit root/mid/leaf/w1 error:boom", "exit root/mid/leaf/w2 shutdown",
                "exit root/mid/leaf shutdown", "exit root/mid/m2 shutdown", "exit root/mid shutdown",
                "exit root/r2 shutdown", "exit root/r1 shutdown", "exit root shutdown"}));
        QCOMPARE(log.countKind(EventKind::GiveUp, "root"), 1);
        // The whole tree is gone.
        QCOMPARE(rt.processCount(), std::size_t(0));
        QVERIFY(rt.snapshot().processes.empty());
    }

    void childThatCannotRestartMakesSupervisorGiveUp()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        auto attempts = std::make_shared<std::atomic<int>>(0);
        WorkerConfig flaky {j};
        flaky.init = [attempts](const std::string&) {
            return attempts->fetch_add(1) == 0 ? Next::ok() : Next::stop(ExitReason::error("cannot start"));
        };
        WorkerConfig cfg {j};
        auto root = startSupervisor(rt, "root", flags(Strategy::OneForOne, 3, 60s),
            {worker("a", cfg), worker("flaky", flaky), worker("c", cfg)});
        QVERIFY(root.ok());
        log.clear();
        rt.cast(childPid(rt, *root, "flaky"), Crash {});
        QVERIFY(log.waitForLine("exit root shutdown"));
        QVERIFY(rt.waitQuiescent(kLong));
        // Each failed attempt counted: 3 restarts allowed, the 4th gives up
        // (OTP: 1 first start + 3 failed attempts).
        QCOMPARE(attempts->load(), 4);
        const auto lines = log.lifecycle();
        QVERIFY2(isSubsequence({"exit root/flaky error:boom", "exit root/c shutdown", "exit root/a shutdown",
                                   "exit root shutdown"},
                     lines),
            qPrintable(qsl(lines).join(", ")));
        QVERIFY(!qsl(lines).contains("start root/flaky"));
        QCOMPARE(rt.processCount(), std::size_t(0));
    }

    void restartingShownWhileRetried()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        auto gate = std::make_shared<Gate>();
        OpenOnExit opener {gate};
        auto attempts = std::make_shared<std::atomic<int>>(0);
        WorkerConfig flaky {j};
        flaky.init = [attempts, gate, j](const std::string&) {
            const int n = attempts->fetch_add(1) + 1;
            if (n == 1) return Next::ok();
            if (n == 2) {
                j->add("flaky:second attempt");
                gate->wait();
            }
            return Next::stop(ExitReason::error("cannot start"));
        };
        WorkerConfig cfg {j};
        auto root = startSupervisor(rt, "root", flags(Strategy::OneForOne, 3, 60s),
            {worker("a", cfg), worker("flaky", flaky), worker("c", cfg)});
        QVERIFY(root.ok());
        rt.cast(childPid(rt, *root, "flaky"), Crash {});
        QVERIFY(j->waitForItem("flaky:second attempt"));
        // Ask while the supervisor is busy with the second attempt; the
        // question waits in its mailbox until the attempt has failed.
        auto listing = std::async(std::launch::async, [&] { return whichChildren(rt, *root); });
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(rt, *root).value_or(ProcessInfo {}).mailbox >= 1, int(kLong.count()));
        gate->open();
        QCOMPARE(listing.wait_for(kLong), std::future_status::ready);
        auto children = listing.get();
        QVERIFY(children.ok());
        bool seen = false;
        for (const auto& c : *children) {
            if (c.id == "flaky") {
                seen = true;
                QCOMPARE(c.state, ChildInfo::State::Restarting);
                QCOMPARE(c.pid, Pid(0));
            } else {
                QCOMPARE(c.state, ChildInfo::State::Running);
            }
        }
        QVERIFY(seen);
        QVERIFY(log.waitForLine("exit root shutdown"));
        QCOMPARE(attempts->load(), 4);
    }

    // -- stopping --
    void shutdownTimeoutEndsInKill_data()
    {
        QTest::addColumn<QString>("stuckIn");
        QTest::addColumn<bool>("wholeTree");
        QTest::newRow("slow terminate, terminate_child") << "terminate" << false;
        QTest::newRow("slow terminate, tree stopped") << "terminate" << true;
        QTest::newRow("stuck handler, terminate_child") << "handler" << false;
        QTest::newRow("stuck handler, tree stopped") << "handler" << true;
    }
    void shutdownTimeoutEndsInKill()
    {
        QFETCH(QString, stuckIn);
        QFETCH(bool, wholeTree);
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        auto gate = std::make_shared<Gate>();
        OpenOnExit opener {gate};
        WorkerConfig slow {j};
        if (stuckIn == "terminate") {
            slow.terminateGate = gate; // terminate takes 5 s unless let go
            slow.terminateCap = 5s;
        }
        WorkerConfig cfg {j};
        auto root = startSupervisor(
            rt, "root", flags(), {worker("a", slow, Restart::Permanent, Shutdown::after(100ms)), worker("b", cfg)});
        QVERIFY(root.ok());
        if (stuckIn == "handler") {
            rt.cast(childPid(rt, *root, "a"), Block {gate});
            QVERIFY(j->waitForItem("a:blocked"));
        }
        log.clear();
        const auto t0 = Clock::now();
        if (wholeTree)
            QVERIFY(rt.stop(*root, ExitReason::shutdown(), kLong).ok());
        else
            QVERIFY(terminateChild(rt, *root, "a").ok());
        const auto elapsed = Clock::now() - t0;
        // The child's cleanup was still running (or it never got to it) when
        // the supervisor gave up waiting and killed it.
        QVERIFY(!j->contains("a:terminate-end"));
        QVERIFY(!gate->isOpen());
        QVERIFY2(elapsed < 4s, "the supervisor waited for the slow child instead of killing it");
        if (stuckIn == "terminate") QVERIFY(j->contains("a:terminate:shutdown"));
        QVERIFY(log.waitForLine("exit root/a killed"));
        if (wholeTree) {
            QCOMPARE(qsl(log.lifecycle()),
                QStringList({"exit root/b shutdown", "exit root/a killed", "exit root shutdown"}));
        } else {
            QCOMPARE(qsl(log.lifecycle()), QStringList({"exit root/a killed"}));
            const auto a = childInfo(rt, *root, "a");
            QVERIFY(a.has_value());
            QCOMPARE(a->pid, Pid(0));
        }
        // Once let go, the dead callback changes nothing: no late terminate.
        gate->open();
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(j->count("a:terminate:shutdown"), stuckIn == "terminate" ? 1 : 0);
        QCOMPARE(log.countKind(EventKind::Exit, "root/a"), 1);
    }

    void brutalKill_data()
    {
        QTest::addColumn<bool>("wholeTree");
        QTest::newRow("terminate_child") << false;
        QTest::newRow("tree stopped") << true;
    }
    void brutalKill()
    {
        QFETCH(bool, wholeTree);
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto root
            = startSupervisor(rt, "root", flags(), {worker("a", cfg, Restart::Permanent, Shutdown::brutalKill())});
        QVERIFY(root.ok());
        log.clear();
        if (wholeTree)
            QVERIFY(rt.stop(*root, ExitReason::shutdown(), kLong).ok());
        else
            QVERIFY(terminateChild(rt, *root, "a").ok());
        QVERIFY(log.waitForLine("exit root/a killed"));
        QVERIFY(rt.waitQuiescent(kLong));
        // Killed at once: although it traps exits, no terminate ran.
        QVERIFY(!j->contains("a:terminate:shutdown"));
        QVERIFY(!j->contains("a:terminate:killed"));
    }

    void infinityWaitsForTerminate()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        auto gate = std::make_shared<Gate>();
        OpenOnExit opener {gate};
        WorkerConfig slow {j};
        slow.terminateGate = gate;
        auto root = startSupervisor(rt, "root", flags(), {worker("a", slow, Restart::Permanent, Shutdown::infinity())});
        QVERIFY(root.ok());
        auto pending = std::async(std::launch::async, [&] { return terminateChild(rt, *root, "a"); });
        QVERIFY(j->waitForItem("a:terminate:shutdown"));
        // The supervisor waits as long as the cleanup takes.
        QCOMPARE(pending.wait_for(0ms), std::future_status::timeout);
        gate->open();
        QCOMPARE(pending.wait_for(kLong), std::future_status::ready);
        QVERIFY(pending.get().ok());
        QVERIFY(log.waitForLine("exit root/a shutdown"));
        QVERIFY(j->contains("a:terminate-end"));
        QVERIFY(j->indexOf("a:terminate-end") > j->indexOf("a:terminate:shutdown"));
    }

    void defaultShutdownValues()
    {
        ChildSpec w;
        w.type = ChildType::Worker;
        QCOMPARE(w.effectiveShutdown().kind, Shutdown::Kind::Timeout);
        QCOMPARE(w.effectiveShutdown().timeout.count(), 5000);
        ChildSpec s;
        s.type = ChildType::Supervisor;
        QCOMPARE(s.effectiveShutdown().kind, Shutdown::Kind::Infinity);
        s.shutdown = Shutdown::brutalKill();
        QCOMPARE(s.effectiveShutdown().kind, Shutdown::Kind::BrutalKill);
        SupervisorFlags f;
        QCOMPARE(f.strategy, Strategy::OneForOne);
        QCOMPARE(f.intensity, 3);
        QCOMPARE(f.period.count(), 5000);
    }

    void childCrashingInContinueIsRestarted()
    {
        // init returned: the child has started, whatever its continue step
        // does next. A crash there is a crash of a running child (restart),
        // not a failed start (OTP: start_link has already returned {ok, Pid}).
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        auto starts = std::make_shared<std::atomic<int>>(0);
        WorkerConfig cfg {j};
        WorkerConfig crashy {j};
        crashy.init = [starts](const std::string&) {
            return starts->fetch_add(1) == 0 ? Next::ok().continueWith(Term(Crash {})) : Next::ok();
        };
        for (int round = 0; round < 20; ++round) {
            starts->store(0);
            log.clear();
            auto root = startSupervisor(rt, "root", flags(), {worker("a", crashy), worker("b", cfg)});
            QVERIFY2(root.ok(), root.ok() ? "" : root.error().toString().c_str());
            QVERIFY(log.waitForLine("exit root/a error:boom"));
            QVERIFY(log.waitLifecycleCount(5));
            QVERIFY(rt.waitQuiescent(kLong));
            // a's crash races with b's start; its restart comes after both.
            auto lines = qsl(log.lifecycle());
            QCOMPARE(lines.size(), 5);
            QCOMPARE(lines.mid(0, 2), QStringList({"start root", "start root/a"}));
            QCOMPARE(lines.last(), QStringLiteral("start root/a"));
            auto middle = lines.mid(2, 2);
            middle.sort();
            QCOMPARE(middle, QStringList({"exit root/a error:boom", "start root/b"}));
            QVERIFY(rt.stop(*root, ExitReason::shutdown(), kLong).ok());
        }
    }

    void killedChildWhileCallbackBlockedIsRestarted()
    {
        // Its callback is stuck, yet the supervisor sees it dead at once and
        // restarts it.
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        auto gate = std::make_shared<Gate>();
        OpenOnExit opener {gate};
        WorkerConfig cfg {j};
        auto root = startSupervisor(rt, "root", flags(), {worker("a", cfg), worker("b", cfg)});
        QVERIFY(root.ok());
        const Pid a = childPid(rt, *root, "a");
        rt.cast(a, Block {gate});
        QVERIFY(j->waitForItem("a:blocked"));
        log.clear();
        rt.kill(a);
        QVERIFY(log.waitForLine("start root/a"));
        QVERIFY(!gate->isOpen());
        QCOMPARE(qsl(log.lifecycle()), QStringList({"exit root/a killed", "start root/a"}));
        const Pid a2 = childPid(rt, *root, "a");
        QVERIFY(a2 != 0 && a2 != a);
        QVERIFY(rt.call(a2, msg("ping"), kLong).ok());
    }

    // -- start failures --
    void failingChildAtStartup_data()
    {
        QTest::addColumn<QString>("how");
        QTest::newRow("init stops") << "stop";
        QTest::newRow("init throws") << "throw";
    }
    void failingChildAtStartup()
    {
        QFETCH(QString, how);
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        WorkerConfig bad {j};
        bad.init = [how](const std::string&) -> Next {
            if (how == "throw") throw std::runtime_error("no database");
            return Next::stop(ExitReason::error("no database"));
        };
        auto root = startSupervisor(
            rt, "root", flags(), {worker("a", cfg), worker("a2", cfg), worker("ledger", bad), worker("c", cfg)});
        QVERIFY(!root.ok());
        QCOMPARE(root.error().code, Errc::StartFailed);
        // failed_to_start_child: the id and the reason.
        QVERIFY2(qs(root.error().detail).contains("ledger"), root.error().detail.c_str());
        QVERIFY2(qs(root.error().detail).contains("no database"), root.error().detail.c_str());
        QVERIFY(log.waitForKind(EventKind::Exit, "root"));
        QVERIFY(rt.waitQuiescent(kLong));
        // The children already started were stopped in reverse order with
        // shutdown; c never started.
        std::vector<std::string> lines;
        for (const auto& l : log.lifecycle())
            if (l.rfind("exit root/ledger", 0) != 0 && l.rfind("exit root ", 0) != 0) lines.push_back(l);
        QCOMPARE(qsl(lines),
            QStringList(
                {"start root", "start root/a", "start root/a2", "exit root/a2 shutdown", "exit root/a shutdown"}));
        const auto* rootExit = log.find(EventKind::Exit, "root");
        QVERIFY2(qs(rootExit->reason).startsWith("shutdown"), rootExit->reason.c_str());
        QVERIFY(j->indexOf("a2:terminate:shutdown") < j->indexOf("a:terminate:shutdown"));
        QVERIFY(!j->contains("c:init"));
        QCOMPARE(rt.processCount(), std::size_t(0));
    }

    void initIgnore()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        WorkerConfig ignoring {j};
        ignoring.init = [](const std::string&) { return Next::ignore(); };
        auto root = startSupervisor(rt, "root", flags(),
            {worker("p", ignoring, Restart::Permanent), worker("tr", ignoring, Restart::Transient),
                worker("t", ignoring, Restart::Temporary), worker("w", cfg)});
        QVERIFY(root.ok());
        // permanent and transient stay listed without a pid; temporary is dropped.
        QCOMPARE(childIds(rt, *root), QStringList({"p", "tr", "w"}));
        for (const char* id : {"p", "tr"}) {
            const auto c = childInfo(rt, *root, id);
            QVERIFY(c.has_value());
            QCOMPARE(c->pid, Pid(0));
            QCOMPARE(c->state, ChildInfo::State::Undefined);
        }
        auto counts = countChildren(rt, *root);
        QVERIFY(counts.ok());
        QCOMPARE(counts->specs, 3);
        QCOMPARE(counts->active, 1);
        QCOMPARE(counts->workers, 3);
        QVERIFY(log.find(EventKind::Start, "root/p") == nullptr);
        // Ignored at start_child too.
        auto added = startChild(rt, *root, worker("late", ignoring, Restart::Permanent));
        Q_UNUSED(added);
        const auto late = childInfo(rt, *root, "late");
        QVERIFY(late.has_value());
        QCOMPARE(late->pid, Pid(0));
    }

    // -- the child API --
    void startChildErrors()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto root
            = startSupervisor(rt, "root", flags(Strategy::OneForOne, 1, 60s), {worker("a", cfg), worker("b", cfg)});
        QVERIFY(root.ok());
        const Pid a = childPid(rt, *root, "a");

        auto d = startChild(rt, *root, worker("d", cfg));
        QVERIFY(d.ok());
        QVERIFY(*d != 0);
        QVERIFY(log.waitForLine("start root/d"));
        QCOMPARE(childPid(rt, *root, "d"), *d);

        auto dup = startChild(rt, *root, worker("a", cfg));
        QVERIFY(!dup.ok());
        QCOMPARE(dup.error().code, Errc::AlreadyStarted);
        QCOMPARE(dup.error().owner, a);

        QVERIFY(terminateChild(rt, *root, "a").ok());
        auto present = startChild(rt, *root, worker("a", cfg));
        QVERIFY(!present.ok());
        QCOMPARE(present.error().code, Errc::AlreadyPresent);

        // A failing start_child is an error, not a restart: with intensity 1,
        // three of them and a crash still leave the supervisor running.
        WorkerConfig bad {j};
        bad.init = [](const std::string&) { return Next::stop(ExitReason::error("nope")); };
        for (int i = 0; i < 3; ++i) {
            auto r = startChild(rt, *root, worker("bad", bad));
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, Errc::StartFailed);
        }
        QVERIFY(!childIds(rt, *root).contains("bad"));
        log.clear();
        rt.cast(childPid(rt, *root, "b"), Crash {});
        QVERIFY(log.waitForLine("start root/b"));
        QVERIFY(rt.waitQuiescent(kLong));
        QVERIFY(rt.isAlive(*root));

        // A child added later is stopped first.
        log.clear();
        QVERIFY(rt.stop(*root, ExitReason::shutdown(), kLong).ok());
        QCOMPARE(
            qsl(log.lifecycle()), QStringList({"exit root/d shutdown", "exit root/b shutdown", "exit root shutdown"}));
    }

    void restartAndDeleteChild()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto root = startSupervisor(
            rt, "root", flags(), {worker("a", cfg), worker("t", cfg, Restart::Temporary), worker("b", cfg)});
        QVERIFY(root.ok());

        auto r = restartChild(rt, *root, "a");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, Errc::Running);
        r = restartChild(rt, *root, "nope");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, Errc::NotFound);
        auto d = deleteChild(rt, *root, "a");
        QVERIFY(!d.ok());
        QCOMPARE(d.error().code, Errc::Running);
        d = deleteChild(rt, *root, "nope");
        QVERIFY(!d.ok());
        QCOMPARE(d.error().code, Errc::NotFound);
        auto t = terminateChild(rt, *root, "nope");
        QVERIFY(!t.ok());
        QCOMPARE(t.error().code, Errc::NotFound);

        const Pid a = childPid(rt, *root, "a");
        log.clear();
        QVERIFY(terminateChild(rt, *root, "a").ok());
        QVERIFY(log.waitForLine("exit root/a shutdown"));
        QVERIFY(!rt.isAlive(a));
        QCOMPARE(childInfo(rt, *root, "a").value_or(ChildInfo {}).state, ChildInfo::State::Undefined);
        QVERIFY(terminateChild(rt, *root, "a").ok()); // already stopped: still ok, as in OTP

        auto again = restartChild(rt, *root, "a");
        QVERIFY(again.ok());
        QVERIFY(*again != 0 && *again != a);
        QVERIFY(log.waitForLine("start root/a"));
        QCOMPARE(childPid(rt, *root, "a"), *again);

        QVERIFY(terminateChild(rt, *root, "a").ok());
        QVERIFY(deleteChild(rt, *root, "a").ok());
        QVERIFY(!childIds(rt, *root).contains("a"));
        r = restartChild(rt, *root, "a");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, Errc::NotFound);

        // A temporary child's spec goes with it.
        QVERIFY(terminateChild(rt, *root, "t").ok());
        QCOMPARE(childIds(rt, *root), QStringList({"b"}));
        r = restartChild(rt, *root, "t");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, Errc::NotFound);
        // Terminated by hand: no restart, and no restart counted.
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(log.countKind(EventKind::Restart), 0);
    }

    void whichAndCountChildren()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto root = startSupervisor(
            rt, "root", flags(), {worker("a", cfg), supervisor("s", flags(), {worker("x", cfg)}), worker("b", cfg)});
        QVERIFY(root.ok());
        auto children = whichChildren(rt, *root);
        QVERIFY(children.ok());
        QCOMPARE(children->size(), std::size_t(3));
        std::map<std::string, ChildInfo> byId;
        for (const auto& c : *children)
            byId[c.id] = c;
        QCOMPARE(byId.size(), std::size_t(3));
        for (const char* id : {"a", "s", "b"}) {
            QCOMPARE(byId[id].state, ChildInfo::State::Running);
            QVERIFY(rt.isAlive(byId[id].pid));
            QCOMPARE(rowOf(rt, byId[id].pid).value_or(ProcessInfo {}).parent, *root);
        }
        QCOMPARE(byId["a"].type, ChildType::Worker);
        QCOMPARE(byId["s"].type, ChildType::Supervisor);
        QCOMPARE(rowOf(rt, byId["s"].pid).value_or(ProcessInfo {}).kind, ProcessKind::Supervisor);

        auto counts = countChildren(rt, *root);
        QVERIFY(counts.ok());
        QCOMPARE(counts->specs, 3);
        QCOMPARE(counts->active, 3);
        QCOMPARE(counts->supervisors, 1);
        QCOMPARE(counts->workers, 2);

        QVERIFY(terminateChild(rt, *root, "a").ok());
        counts = countChildren(rt, *root);
        QVERIFY(counts.ok());
        QCOMPARE(counts->specs, 3);
        QCOMPARE(counts->active, 2);
        QCOMPARE(counts->workers, 2);

        QVERIFY(rt.stop(*root, ExitReason::shutdown(), kLong).ok());
        auto gone = whichChildren(rt, *root);
        QVERIFY(!gone.ok());
        QCOMPARE(gone.error().code, Errc::NoProc);
    }

    // -- dynamic supervisors --
    void dynamicStartChild()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto dyn = spawnDynamic(rt, "dyn", {});
        QVERIFY(dyn.ok());
        QCOMPARE(rowOf(rt, *dyn).value_or(ProcessInfo {}).kind, ProcessKind::DynamicSupervisor);
        auto w1 = startChild(rt, *dyn, worker("w1", cfg));
        auto w2 = startChild(rt, *dyn, worker("w2", cfg));
        QVERIFY(w1.ok() && w2.ok());
        QVERIFY(*w1 != *w2);
        QVERIFY(log.waitForLine("start dyn/w1"));
        QVERIFY(log.waitForLine("start dyn/w2"));
        QCOMPARE(rowOf(rt, *w1).value_or(ProcessInfo {}).parent, *dyn);
        auto children = whichChildren(rt, *dyn);
        QVERIFY(children.ok());
        std::set<Pid> pids;
        for (const auto& c : *children)
            pids.insert(c.pid);
        QCOMPARE(pids, std::set<Pid>({*w1, *w2}));
        auto counts = countChildren(rt, *dyn);
        QVERIFY(counts.ok());
        QCOMPARE(counts->specs, 2);
        QCOMPARE(counts->active, 2);
        QCOMPARE(counts->workers, 2);
        QCOMPARE(counts->supervisors, 0);
        // Failing start: the error, nothing added.
        WorkerConfig bad {j};
        bad.init = [](const std::string&) { return Next::stop(ExitReason::error("nope")); };
        auto failed = startChild(rt, *dyn, worker("bad", bad));
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().code, Errc::StartFailed);
        QCOMPARE(countChildren(rt, *dyn).value().specs, 2);
    }

    void dynamicMaxChildren()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        DynamicSupervisorFlags f;
        f.maxChildren = 2;
        auto dyn = spawnDynamic(rt, "dyn", f);
        QVERIFY(dyn.ok());
        auto w1 = startChild(rt, *dyn, worker("w1", cfg));
        auto w2 = startChild(rt, *dyn, worker("w2", cfg));
        QVERIFY(w1.ok() && w2.ok());
        auto w3 = startChild(rt, *dyn, worker("w3", cfg));
        QVERIFY(!w3.ok());
        QCOMPARE(w3.error().code, Errc::MaxChildren);
        QCOMPARE(QString(errcName(w3.error().code)), QStringLiteral("max_children"));
        QCOMPARE(countChildren(rt, *dyn).value().active, 2);
        // Room again once one is gone.
        QVERIFY(terminateChild(rt, *dyn, *w1).ok());
        auto w4 = startChild(rt, *dyn, worker("w4", cfg));
        QVERIFY(w4.ok());
    }

    void dynamicTerminateChildByPid()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto dyn = spawnDynamic(rt, "dyn", {});
        QVERIFY(dyn.ok());
        auto w1 = startChild(rt, *dyn, worker("w1", cfg));
        auto w2 = startChild(rt, *dyn, worker("w2", cfg));
        QVERIFY(w1.ok() && w2.ok());
        QVERIFY(terminateChild(rt, *dyn, *w1).ok());
        QVERIFY(!rt.isAlive(*w1));
        QVERIFY(log.waitForLine("exit dyn/w1 shutdown"));
        QVERIFY(j->contains("w1:terminate:shutdown"));
        auto children = whichChildren(rt, *dyn);
        QVERIFY(children.ok());
        QCOMPARE(children->size(), std::size_t(1));
        QCOMPARE(children->front().pid, *w2);
        auto unknown = terminateChild(rt, *dyn, *w1);
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().code, Errc::NotFound);
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(log.countKind(EventKind::Start, "dyn/w1"), 1); // not restarted
    }

    void dynamicChildExit_data()
    {
        QTest::addColumn<sc::Restart>("restart");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<bool>("restarted");
        QTest::newRow("permanent killed") << Restart::Permanent << "killed" << true;
        QTest::newRow("permanent normal") << Restart::Permanent << "normal" << true;
        QTest::newRow("transient crash") << Restart::Transient << "error:boom" << true;
        QTest::newRow("transient normal") << Restart::Transient << "normal" << false;
        QTest::newRow("temporary killed") << Restart::Temporary << "killed" << false;
    }
    void dynamicChildExit()
    {
        QFETCH(sc::Restart, restart);
        QFETCH(QString, reason);
        QFETCH(bool, restarted);
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto dyn = spawnDynamic(rt, "dyn", {});
        QVERIFY(dyn.ok());
        auto w = startChild(rt, *dyn, worker("w", cfg, restart));
        auto other = startChild(rt, *dyn, worker("o", cfg));
        QVERIFY(w.ok() && other.ok());
        log.clear();
        endWith(rt, *w, reason.toStdString());
        QVERIFY(log.waitForLine("exit dyn/w " + reason.toStdString()));
        if (restarted) QVERIFY(log.waitForLine("start dyn/w"));
        QVERIFY(rt.waitQuiescent(kLong));
        auto children = whichChildren(rt, *dyn);
        QVERIFY(children.ok());
        std::set<Pid> pids;
        for (const auto& c : *children)
            pids.insert(c.pid);
        // A child that is not restarted is removed from a dynamic supervisor.
        QCOMPARE(children->size(), std::size_t(restarted ? 2 : 1));
        QVERIFY(pids.count(*other));
        QVERIFY(!pids.count(*w));
        QCOMPARE(log.countKind(EventKind::Start, "dyn/w"), restarted ? 1 : 0);
        QVERIFY(rt.isAlive(*dyn));
    }

    void dynamicShutdownStopsAll()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto dyn = spawnDynamic(rt, "dyn", {});
        QVERIFY(dyn.ok());
        for (const char* id : {"w1", "w2", "w3"})
            QVERIFY(startChild(rt, *dyn, worker(id, cfg)).ok());
        log.clear();
        QVERIFY(rt.stop(*dyn, ExitReason::shutdown(), kLong).ok());
        QVERIFY(log.waitLifecycleCount(4));
        auto lines = qsl(log.lifecycle());
        QCOMPARE(lines.size(), 4);
        // Their order is not defined (OTP stops them concurrently); the
        // supervisor ends last.
        QCOMPARE(lines.last(), QStringLiteral("exit dyn shutdown"));
        lines.removeLast();
        lines.sort();
        QCOMPARE(lines, QStringList({"exit dyn/w1 shutdown", "exit dyn/w2 shutdown", "exit dyn/w3 shutdown"}));
        QCOMPARE(rt.processCount(), std::size_t(0));
    }

    void dynamicIntensity()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        DynamicSupervisorFlags f;
        f.intensity = 1;
        f.period = 60s;
        auto dyn = spawnDynamic(rt, "dyn", f);
        QVERIFY(dyn.ok());
        auto w = startChild(rt, *dyn, worker("w", cfg));
        QVERIFY(w.ok());
        rt.kill(*w);
        QVERIFY(log.waitForLine("start dyn/w"));
        auto children = whichChildren(rt, *dyn);
        QVERIFY(children.ok() && children->size() == 1);
        rt.kill(children->front().pid);
        QVERIFY(log.waitForLine("exit dyn shutdown"));
        QCOMPARE(log.countKind(EventKind::GiveUp, "dyn"), 1);
        QVERIFY(!rt.isAlive(*dyn));
    }

    /// What the GUI's restart budget gauge reads: intensity, period and the
    /// recent restarts in the snapshot; a worker shows none.
    void snapshotShowsTheRestartBudget()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        SupervisorFlags f = flags();
        f.intensity = 3;
        f.period = 2s;
        auto root = startSupervisor(rt, "root", f, {worker("a", cfg)});
        QVERIFY(root.ok());
        auto row = rowOf(rt, *root);
        QVERIFY(row);
        QCOMPARE(row->intensity, 3u);
        QCOMPARE(row->periodMs, 2000u);
        QCOMPARE(row->restartsInWindow, 0u);

        for (int i = 1; i <= 2; ++i) {
            auto children = whichChildren(rt, *root);
            QVERIFY(children.ok() && children->size() == 1);
            rt.kill(children->front().pid);
            QVERIFY(log.waitUntil([i](const std::vector<Event>& v) {
                return std::count_if(v.begin(), v.end(), [](const Event& e) {
                    return e.kind == EventKind::Start && e.path == "root/a";
                }) == i + 1;
            }));
        }
        row = rowOf(rt, *root);
        QVERIFY(row);
        QVERIFY(row->restartsInWindow >= 1 && row->restartsInWindow <= 2); // 2 unless the first has left already
        // Once the period has passed they have left the window (and the budget is whole again).
        QTRY_COMPARE_WITH_TIMEOUT(rowOf(rt, *root)->restartsInWindow, 0u, 20000);

        auto children = whichChildren(rt, *root);
        QVERIFY(children.ok());
        const auto workerRow = rowOf(rt, children->front().pid);
        QVERIFY(workerRow);
        QCOMPARE(workerRow->intensity, 0u);
        QCOMPARE(workerRow->restartsInWindow, 0u);
    }

    /// The strategy and intensity change at run time, and the new intensity
    /// decides the next give-up.
    void flagsChangeAtRunTime()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto root = startSupervisor(rt, "root", flags(), {worker("a", cfg), worker("b", cfg)});
        QVERIFY(root.ok());
        QVERIFY(setSupervisorFlags(rt, *root, {Strategy::OneForAll, 0, 60s}).ok());
        auto row = rowOf(rt, *root);
        QVERIFY(row);
        QCOMPARE(row->strategy, Strategy::OneForAll);
        QCOMPARE(row->intensity, 0u);
        QCOMPARE(setSupervisorFlags(rt, *root, {Strategy::OneForAll, -1, 60s}).error().code, Errc::BadArgument);

        auto children = whichChildren(rt, *root);
        QVERIFY(children.ok());
        rt.kill(children->front().pid); // intensity 0: the first restart is one too many
        QVERIFY(log.waitForLine("exit root shutdown"));
        QCOMPARE(log.countKind(EventKind::GiveUp, "root"), 1);

        DynamicSupervisorFlags df;
        auto dyn = spawnDynamic(rt, "dyn", df);
        QVERIFY(dyn.ok());
        QCOMPARE(setSupervisorFlags(rt, *dyn, {Strategy::RestForOne, 3, 5s}).error().code, Errc::NotSupported);
        QVERIFY(setSupervisorFlags(rt, *dyn, {Strategy::OneForOne, 7, 9s}).ok());
        row = rowOf(rt, *dyn);
        QVERIFY(row);
        QCOMPARE(row->intensity, 7u);
        QCOMPARE(row->periodMs, 9000u);
    }

    void dynamicUnderStaticSupervisor()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        ChildSpec pool;
        pool.id = "pool";
        pool.type = ChildType::Supervisor;
        pool.start = [] { return std::make_unique<DynamicSupervisor>(DynamicSupervisorFlags {}); };
        auto root = startSupervisor(rt, "root", flags(Strategy::OneForAll), {worker("a", cfg), pool});
        QVERIFY(root.ok());
        const Pid poolPid = childPid(rt, *root, "pool");
        QVERIFY(startChild(rt, poolPid, worker("job", cfg)).ok());
        QVERIFY(log.waitForLine("start root/pool/job"));
        log.clear();
        // one_for_all: the pool is restarted empty (its children were dynamic).
        rt.kill(childPid(rt, *root, "a"));
        QVERIFY(log.waitLifecycleCount(5));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(qsl(log.lifecycle()),
            QStringList({"exit root/a killed", "exit root/pool/job shutdown", "exit root/pool shutdown", "start root/a",
                "start root/pool"}));
        QCOMPARE(countChildren(rt, childPid(rt, *root, "pool")).value().specs, 0);
    }

    /// An exit signal from a thread that is no process (from 0) is not the
    /// exit of a terminated child (pid 0 too): OTP ignores an EXIT from a
    /// stranger, so the child stays terminated. The soak found this.
    void exitFromOutsideIsNoChildsExit()
    {
        Runtime rt;
        WorkerConfig cfg;
        cfg.journal = std::make_shared<Journal>();
        auto root = startSupervisor(rt, "root", flags(), {worker("a", cfg)});
        QVERIFY(root.ok());
        QVERIFY(terminateChild(rt, *root, "a").ok());
        EventLog log(rt);
        rt.exit(*root, ExitReason::error("from nobody"));
        QVERIFY(rt.waitQuiescent(kLong));
        auto children = whichChildren(rt, *root);
        QVERIFY(children.ok());
        QCOMPARE(children->size(), std::size_t(1));
        QCOMPARE(children->front().pid, Pid(0));
        QVERIFY(rt.isAlive(*root));
        QCOMPARE(qsl(log.lifecycle()), QStringList());
    }

    /// The restart budget the snapshot shows is the supervisor's own count:
    /// each restart within the period adds one, so three kills of a child
    /// under "at most 3 in 60 s" read 3 of 3, and the fourth gives up. The
    /// same at full speed, in slow motion and paused with a step per kill.
    void restartBudgetIsTheIntensityCount_data()
    {
        QTest::addColumn<int>("paceMs");
        QTest::addColumn<bool>("paused");
        QTest::newRow("full speed") << 0 << false;
        QTest::newRow("slow motion") << 15 << false;
        QTest::newRow("paused, stepped") << 0 << true;
    }
    void restartBudgetIsTheIntensityCount()
    {
        QFETCH(int, paceMs);
        QFETCH(bool, paused);
        Runtime rt({.workers = 2});
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        SupervisorFlags f = flags();
        f.intensity = 3;
        f.period = 60s;
        auto root = startSupervisor(
            rt, "root", f, {worker("catalog", cfg), worker("cart", cfg), worker("payments", cfg)});
        QVERIFY(root.ok());
        rt.setPace(std::chrono::milliseconds(paceMs));
        rt.setPaused(paused);
        const auto starts = [](const std::vector<Event>& v) {
            return std::count_if(
                v.begin(), v.end(), [](const Event& e) { return e.kind == EventKind::Start && e.path == "root/cart"; });
        };
        // By the snapshot, not which_children: paused, the supervisor answers no call.
        const auto cartPid = [&rt] {
            const Snapshot s = rt.snapshot();
            for (const ProcessInfo& p : s.processes)
                if (p.path == "root/cart") return p.pid;
            return Pid(0);
        };
        for (std::uint32_t i = 1; i <= 3; ++i) {
            const Pid cart = cartPid();
            QVERIFY(cart);
            rt.kill(cart);
            if (paused) rt.stepOne(); // the supervisor's EXIT
            QVERIFY(log.waitUntil([&](const std::vector<Event>& v) { return starts(v) == i + 1; }));
            QCOMPARE(log.countKind(EventKind::Restart, "root/cart"), int(i));
            QCOMPARE(rowOf(rt, *root)->restartsInWindow, i);
            Snapshot whole;
            rt.snapshot(whole);
            QCOMPARE(whole.find(*root)->restartsInWindow, i);
        }
        QCOMPARE(rowOf(rt, *root)->intensity, 3u);
        rt.kill(cartPid());
        if (paused) rt.stepOne();
        QVERIFY(log.waitForKind(EventKind::GiveUp, "root"));
        rt.setPaused(false);
    }

    /// A supervisor killed during its own init never shows `start` after its
    /// `exit`: announceStarted checks the process is alive, as spawn does.
    void killedDuringItsOwnInitNeverStarts()
    {
        struct KilledInInit : Supervisor {
            using Supervisor::Supervisor;
            Next init() override
            {
                runtime().kill(self());
                return Supervisor::init();
            }
        };
        Runtime rt;
        EventLog log(rt);
        SpawnOptions options;
        options.path = "doomed";
        (void)rt.spawn(std::make_unique<KilledInInit>(flags(), std::vector<ChildSpec> {}), options);
        const auto exited = [](const std::vector<Event>& v) {
            return std::any_of(v.begin(), v.end(),
                [](const Event& e) { return e.kind == EventKind::Exit && e.path == "doomed"; });
        };
        QVERIFY(log.waitUntil(exited));
        QVERIFY(rt.waitQuiescent(kLong));
        const auto& events = log.events();
        const auto exit = std::find_if(events.begin(), events.end(),
            [](const Event& e) { return e.kind == EventKind::Exit && e.path == "doomed"; });
        QVERIFY(std::none_of(exit, events.end(),
            [](const Event& e) { return e.kind == EventKind::Start && e.path == "doomed"; }));
    }

    /// The snapshot carries each child's place in its supervisor's start
    /// order, kept across restarts, so that a view never has to guess it
    /// from pids (a child restarted before the view first saw it).
    void snapshotCarriesTheStartOrder()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto root = startSupervisor(rt, "root", flags(), {worker("catalog", cfg), worker("cart", cfg), worker("payments", cfg)});
        QVERIFY(root.ok());
        rt.kill(childPid(rt, *root, "cart"));
        QVERIFY(log.waitUntil([](const std::vector<Event>& v) {
            return std::count_if(v.begin(), v.end(),
                       [](const Event& e) { return e.kind == EventKind::Start && e.path == "root/cart"; })
                == 2;
        }));
        QCOMPARE(rowOf(rt, childPid(rt, *root, "catalog"))->startOrder, 1u);
        QCOMPARE(rowOf(rt, childPid(rt, *root, "cart"))->startOrder, 2u);
        QCOMPARE(rowOf(rt, childPid(rt, *root, "payments"))->startOrder, 3u);
        QCOMPARE(rowOf(rt, *root)->startOrder, 0u);
        auto extra = startChild(rt, *root, worker("extra", cfg));
        QVERIFY(extra.ok());
        QCOMPARE(rowOf(rt, *extra)->startOrder, 4u);

        DynamicSupervisorFlags df;
        auto dyn = spawnDynamic(rt, "dyn", df);
        QVERIFY(dyn.ok());
        auto first = startChild(rt, *dyn, worker("x", cfg));
        auto second = startChild(rt, *dyn, worker("y", cfg));
        QVERIFY(first.ok() && second.ok());
        QCOMPARE(rowOf(rt, *first)->startOrder, 1u);
        QCOMPARE(rowOf(rt, *second)->startOrder, 2u);
    }

    // -- where the two kinds of supervisor differ (they share the rest) --

    /// OTP's supervisor has no clause for a stray cast and crashes, stopping
    /// its children; a DynamicSupervisor ignores it.
    void strayCastCrashesOnlyTheStaticSupervisor()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto dyn = spawnDynamic(rt, "dyn", {});
        QVERIFY(dyn.ok());
        QVERIFY(startChild(rt, *dyn, worker("w", cfg)).ok());
        rt.cast(*dyn, Crash {});
        QCOMPARE(countChildren(rt, *dyn).value().active, 1); // answered after the cast: still there
        QVERIFY(rt.isAlive(*dyn));

        auto root = startSupervisor(rt, "root", flags(), {worker("a", cfg)});
        QVERIFY(root.ok());
        rt.cast(*root, Crash {});
        QVERIFY(log.waitForLine("exit root/a shutdown"));
        QVERIFY(log.waitForKind(EventKind::Exit, "root"));
        QCOMPARE(qs(log.find(EventKind::Exit, "root")->reason), QStringLiteral("error:unexpected cast"));
        QCOMPARE(log.countKind(EventKind::Start, "root/a"), 1);
    }

    /// A static supervisor keeps a child ignored at start_child (unless
    /// temporary) as undefined; a dynamic one forgets it, and drops a child
    /// whose restart is ignored.
    void ignoredChildren()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        auto starts = std::make_shared<std::atomic<int>>(0);
        WorkerConfig once {j};
        once.init = [starts](const std::string&) { return ++*starts == 1 ? Next::ok() : Next::ignore(); };
        WorkerConfig ignoring {j};
        ignoring.init = [](const std::string&) { return Next::ignore(); };

        auto root = startSupervisor(rt, "root", flags(), {});
        QVERIFY(root.ok());
        QCOMPARE(startChild(rt, *root, worker("p", ignoring)).error().code, Errc::Ignore);
        QCOMPARE(startChild(rt, *root, worker("t", ignoring, Restart::Temporary)).error().code, Errc::Ignore);
        QCOMPARE(childIds(rt, *root), QStringList({"p"}));

        auto dyn = spawnDynamic(rt, "dyn", {});
        QVERIFY(dyn.ok());
        QCOMPARE(startChild(rt, *dyn, worker("p", ignoring)).error().code, Errc::Ignore);
        QCOMPARE(countChildren(rt, *dyn).value().specs, 0);
        auto w = startChild(rt, *dyn, worker("w", once));
        QVERIFY(w.ok());
        rt.kill(*w);
        QVERIFY(log.waitForKind(EventKind::Restart, "dyn/w"));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(countChildren(rt, *dyn).value().specs, 0);
        QVERIFY(rt.isAlive(*dyn));
    }

    /// The inspector's text for each kind of supervisor.
    void describedState()
    {
        Runtime rt;
        EventLog log(rt);
        auto j = std::make_shared<Journal>();
        WorkerConfig cfg {j};
        auto root = startSupervisor(rt, "root", flags(Strategy::OneForOne, 2, 3s),
            {worker("a", cfg), worker("b", cfg, Restart::Transient, Shutdown::brutalKill())});
        QVERIFY(root.ok());
        QVERIFY(terminateChild(rt, *root, "b").ok());
        rt.kill(childPid(rt, *root, "a"));
        QVERIFY(log.waitForLine("start root/a"));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(qs(rt.describe(*root).value()),
            QStringLiteral("one_for_one, at most 2 restarts in 3000 ms\n"
                           "a: running, permanent, shutdown 5000 ms, 1 restarts\n"
                           "b: stopped, transient, shutdown brutal_kill, 0 restarts\n"));

        DynamicSupervisorFlags df;
        df.maxChildren = 4;
        auto dyn = spawnDynamic(rt, "dyn", df);
        QVERIFY(dyn.ok());
        QVERIFY(startChild(rt, *dyn, worker("x", cfg, Restart::Transient)).ok());
        QCOMPARE(qs(rt.describe(*dyn).value()),
            QStringLiteral("dynamic, at most 3 restarts in 5000 ms, 1 of at most 4 children\n"
                           "x: running, transient, 0 restarts\n"));
        auto empty = spawnDynamic(rt, "empty", {});
        QVERIFY(empty.ok());
        QCOMPARE(qs(rt.describe(*empty).value()), QStringLiteral("dynamic, at most 3 restarts in 5000 ms, 0 children\n"));
    }
};

QTEST_GUILESS_MAIN(TestSupervisor)
#include "tst_supervisor.moc"
