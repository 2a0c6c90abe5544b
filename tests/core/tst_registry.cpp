// Registry: one name per process, unique keys in named registries (Elixir's
// Registry), automatic release when the owner dies, and the events it emits.
#include "coretest.h"

#include <QTest>

#include <algorithm>
#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>

using namespace sc;
using namespace sctest;

namespace {

struct Crash { };
struct StopWith {
    ExitReason reason;
};

/// A process that may register a name and keys for itself in init.
class Holder : public GenServer {
public:
    Holder(std::string name = {}, std::vector<std::pair<std::string, std::string>> keys = {})
        : m_name(std::move(name))
        , m_keys(std::move(keys))
    {
    }
    Next init() override
    {
        if (!m_name.empty() && !runtime().registerName(m_name, self()))
            return Next::stop(ExitReason::error("name taken"));
        for (const auto& [reg, key] : m_keys)
            if (!runtime().registerKey(reg, key, self()))
                return Next::stop(ExitReason::error("key taken"));
        return Next::ok();
    }
    Next handleCall(const Term& request, const From&) override { return Next::reply(request); }
    Next handleCast(const Term& m) override
    {
        if (m.type() == typeid(Crash))
            throw std::runtime_error("boom");
        if (const auto* s = std::any_cast<StopWith>(&m))
            return Next::stop(s->reason);
        return Next::noreply();
    }

private:
    std::string m_name;
    std::vector<std::pair<std::string, std::string>> m_keys;
};

Pid spawnHolder(Runtime& rt, const std::string& path, std::string name = {},
    std::vector<std::pair<std::string, std::string>> keys = {})
{
    SpawnOptions opts;
    opts.path = path;
    auto r = rt.spawn(std::make_unique<Holder>(std::move(name), std::move(keys)), opts);
    return r.ok() ? *r : 0;
}

} // namespace

class TestRegistry : public QObject {
    Q_OBJECT

private slots:
    void registerLookupUnregisterName()
    {
        Runtime rt;
        const Pid p = spawnHolder(rt, "p");
        const Pid q = spawnHolder(rt, "q");
        QVERIFY(p && q);
        QCOMPARE(rt.whereis("svc"), Pid(0));
        QVERIFY(rt.registerName("svc", p).ok());
        QCOMPARE(rt.whereis("svc"), p);

        auto taken = rt.registerName("svc", q);
        QVERIFY(!taken.ok());
        QCOMPARE(taken.error().code, Errc::AlreadyRegistered);
        QCOMPARE(taken.error().owner, p);
        QCOMPARE(rt.whereis("svc"), p);

        QVERIFY(rt.unregisterName("svc").ok());
        QCOMPARE(rt.whereis("svc"), Pid(0));
        auto missing = rt.unregisterName("svc");
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, Errc::NotFound);
        QVERIFY(rt.registerName("svc", q).ok());
        QCOMPARE(rt.whereis("svc"), q);
    }

    void aProcessHasOneName()
    {
        // erlang:register/2 refuses a second name for a registered process.
        Runtime rt;
        const Pid p = spawnHolder(rt, "p");
        QVERIFY(rt.registerName("first", p).ok());
        QVERIFY(!rt.registerName("second", p).ok());
        QCOMPARE(rt.whereis("second"), Pid(0));
        QCOMPARE(rt.whereis("first"), p);
    }

    void registerDeadPidIsNoProc()
    {
        Runtime rt;
        const Pid p = spawnHolder(rt, "p");
        QVERIFY(rt.stop(p, ExitReason::normal(), kLong).ok());
        auto n = rt.registerName("svc", p);
        QVERIFY(!n.ok());
        QCOMPARE(n.error().code, Errc::NoProc);
        auto k = rt.registerKey("reg", "k", p);
        QVERIFY(!k.ok());
        QCOMPARE(k.error().code, Errc::NoProc);
        QCOMPARE(rt.whereis("svc"), Pid(0));
        QCOMPARE(rt.lookupKey("reg", "k"), Pid(0));
    }

    void uniqueKeys()
    {
        Runtime rt;
        const Pid p = spawnHolder(rt, "p");
        const Pid q = spawnHolder(rt, "q");
        QVERIFY(rt.registerKey("accounts", "acc-1", p).ok());
        QVERIFY(rt.registerKey("accounts", "acc-2", p).ok()); // many keys per process
        QCOMPARE(rt.lookupKey("accounts", "acc-1"), p);
        QCOMPARE(rt.lookupKey("accounts", "acc-2"), p);
        QCOMPARE(rt.lookupKey("accounts", "acc-3"), Pid(0));

        auto taken = rt.registerKey("accounts", "acc-1", q);
        QVERIFY(!taken.ok());
        QCOMPARE(taken.error().code, Errc::AlreadyRegistered);
        QCOMPARE(taken.error().owner, p);

        // Keys are per registry.
        QVERIFY(rt.registerKey("donors", "acc-1", q).ok());
        QCOMPARE(rt.lookupKey("donors", "acc-1"), q);
        QCOMPARE(rt.lookupKey("accounts", "acc-1"), p);
        // Names and keys do not collide.
        QVERIFY(rt.registerName("acc-1", q).ok());

        auto entries = rt.registryEntries("accounts");
        std::sort(entries.begin(), entries.end());
        QCOMPARE(entries.size(), std::size_t(2));
        QCOMPARE(qs(entries[0].first), QStringLiteral("acc-1"));
        QCOMPARE(entries[0].second, p);
        QCOMPARE(qs(entries[1].first), QStringLiteral("acc-2"));
        QCOMPARE(entries[1].second, p);
        QVERIFY(rt.registryEntries("nobody").empty());

        QVERIFY(rt.unregisterKey("accounts", "acc-1").ok());
        QCOMPARE(rt.lookupKey("accounts", "acc-1"), Pid(0));
        auto missing = rt.unregisterKey("accounts", "acc-1");
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, Errc::NotFound);
        QVERIFY(rt.registerKey("accounts", "acc-1", q).ok());
    }

    void releasedOnDeath_data()
    {
        QTest::addColumn<QString>("how");
        QTest::addColumn<QString>("reason");
        QTest::newRow("stops normally") << "stop" << "normal";
        QTest::newRow("crashes") << "crash" << "error:boom";
        QTest::newRow("exit signal") << "exit" << "shutdown";
        QTest::newRow("killed") << "kill" << "killed";
        QTest::newRow("stopped from outside") << "rt.stop" << "shutdown";
    }
    void releasedOnDeath()
    {
        QFETCH(QString, how);
        QFETCH(QString, reason);
        Runtime rt;
        EventLog log(rt);
        const Pid p = spawnHolder(rt, "owner", "svc", {{"accounts", "acc-1"}, {"donors", "d-9"}});
        QVERIFY(p);
        QCOMPARE(rt.whereis("svc"), p);
        QCOMPARE(rt.lookupKey("accounts", "acc-1"), p);
        if (how == "kill") {
            rt.kill(p);
            // Dead when kill returns, names included.
            QCOMPARE(rt.whereis("svc"), Pid(0));
            QCOMPARE(rt.lookupKey("accounts", "acc-1"), Pid(0));
        } else if (how == "rt.stop") {
            QVERIFY(rt.stop(p, ExitReason::shutdown(), kLong).ok());
        } else {
            if (how == "stop")
                rt.cast(p, StopWith {ExitReason::normal()});
            else if (how == "crash")
                rt.cast(p, Crash {});
            else
                rt.exit(p, ExitReason::shutdown());
            QVERIFY(log.waitForLine("exit owner " + reason.toStdString()));
        }
        QVERIFY(log.waitUntil([](const std::vector<Event>& v) {
            return std::count_if(v.begin(), v.end(), [](const Event& e) { return e.kind == EventKind::Unregister; })
                >= 3;
        }));
        // Released without anyone asking (for kill: already when kill returned).
        QCOMPARE(rt.whereis("svc"), Pid(0));
        QCOMPARE(rt.lookupKey("accounts", "acc-1"), Pid(0));
        QCOMPARE(rt.lookupKey("donors", "d-9"), Pid(0));
        QVERIFY(rt.registryEntries("accounts").empty());
        QStringList released;
        for (const auto& e : log.events())
            if (e.kind == EventKind::Unregister) {
                QCOMPARE(e.pid, p);
                released << qs(e.name);
            }
        released.sort();
        QCOMPARE(released, QStringList({"accounts/acc-1", "donors/d-9", "svc"}));
        // And free for the next one.
        const Pid q = spawnHolder(rt, "heir", "svc", {{"accounts", "acc-1"}});
        QVERIFY(q);
        QCOMPARE(rt.whereis("svc"), q);
    }

    void reRegisteredByRestartedChild_data()
    {
        QTest::addColumn<bool>("kill");
        QTest::newRow("killed") << true;
        QTest::newRow("crashed") << false;
    }
    void reRegisteredByRestartedChild()
    {
        QFETCH(bool, kill);
        Runtime rt;
        EventLog log(rt);
        ChildSpec spec;
        spec.id = "ledger";
        spec.start = [] { return std::make_unique<Holder>("ledger", std::vector<std::pair<std::string, std::string>> {{"services", "ledger"}}); };
        auto root = startSupervisor(rt, "root", SupervisorFlags {}, {spec});
        QVERIFY(root.ok());
        const Pid first = rt.whereis("ledger");
        QVERIFY(first != 0);
        QCOMPARE(childPid(rt, *root, "ledger"), first);
        log.clear();
        if (kill)
            rt.kill(first);
        else
            rt.cast(first, Crash {});
        // The restarted child's init could take the name again: it was free.
        QVERIFY(log.waitForLine("start root/ledger"));
        const Pid second = rt.whereis("ledger");
        QVERIFY(second != 0 && second != first);
        QCOMPARE(childPid(rt, *root, "ledger"), second);
        QCOMPARE(rt.lookupKey("services", "ledger"), second);
        // Register/Unregister events tell the story in order.
        std::vector<std::string> story;
        for (const auto& e : log.events())
            if ((e.kind == EventKind::Register || e.kind == EventKind::Unregister) && e.name == "ledger")
                story.push_back(std::string(eventKindName(e.kind)) + ":" + (e.pid == first ? "first" : e.pid == second ? "second" : "?"));
        QCOMPARE(qsl(story), QStringList({QString(eventKindName(EventKind::Unregister)) + ":first",
                                 QString(eventKindName(EventKind::Register)) + ":second"}));
    }

    void registerEvents()
    {
        Runtime rt;
        EventLog log(rt);
        const Pid p = spawnHolder(rt, "p");
        QVERIFY(rt.registerName("svc", p).ok());
        QVERIFY(rt.registerKey("accounts", "acc-1", p).ok());
        QVERIFY(!rt.registerName("svc", spawnHolder(rt, "q")).ok()); // a refusal is no event
        QVERIFY(rt.unregisterName("svc").ok());
        QVERIFY(rt.unregisterKey("accounts", "acc-1").ok());
        std::vector<std::string> seen;
        for (const auto& e : log.events())
            if (e.kind == EventKind::Register || e.kind == EventKind::Unregister) {
                QCOMPARE(e.pid, p);
                seen.push_back(std::string(e.kind == EventKind::Register ? "+" : "-") + e.name);
            }
        QCOMPARE(qsl(seen), QStringList({"+svc", "+accounts/acc-1", "-svc", "-accounts/acc-1"}));
    }

    void concurrentRegistrationHasOneWinner()
    {
        Runtime rt;
        constexpr int kContenders = 8;
        std::vector<Pid> pids;
        for (int i = 0; i < kContenders; ++i)
            pids.push_back(spawnHolder(rt, "c" + std::to_string(i)));
        for (int round = 0; round < 50; ++round) {
            const std::string name = "svc-" + std::to_string(round);
            std::atomic<int> winners {0};
            std::atomic<int> wrongOwner {0};
            std::vector<std::thread> threads;
            for (int i = 0; i < kContenders; ++i)
                threads.emplace_back([&, i] {
                    auto r = rt.registerName(name, pids[i]);
                    if (r.ok())
                        winners.fetch_add(1);
                    else if (r.error().code != Errc::AlreadyRegistered || r.error().owner == 0)
                        wrongOwner.fetch_add(1);
                });
            for (auto& t : threads)
                t.join();
            QCOMPARE(winners.load(), 1);
            QCOMPARE(wrongOwner.load(), 0);
            QVERIFY(rt.whereis(name) != 0);
            QVERIFY(rt.unregisterName(name).ok());
        }
    }
};

QTEST_GUILESS_MAIN(TestRegistry)
#include "tst_registry.moc"
