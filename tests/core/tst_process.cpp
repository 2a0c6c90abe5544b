// Processes: GenServer callbacks, calls and their errors, timers, let it
// crash, and the scheduler's promises (fairness, one thread at a time, a
// blocked callback does not stall the others).
#include "coretest.h"

#include <QTest>
#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

using namespace sc;
using namespace sctest;

namespace {

class Scripted;

/// A string or an int message as text, for the journal.
std::string shown(const Term& t)
{
    if (const auto* i = std::any_cast<int>(&t)) return std::to_string(*i);
    return textOf(t);
}

/// The callbacks of a Scripted process; unset ones keep the default.
struct Script {
    std::function<Next(Scripted&)> init {};
    std::function<Next(Scripted&, const Term&, const From&)> call {};
    std::function<Next(Scripted&, const Term&)> cast {};
    std::function<Next(Scripted&, const Info&)> info {};
    std::function<Next(Scripted&, const Term&)> cont {};
    std::function<void(Scripted&, const ExitReason&)> terminate {};
    std::string state {};
};

/// A GenServer whose callbacks are given as lambdas, so that each test shows
/// the behaviour it needs next to its assertions. Without a script it
/// echoes calls and writes what it receives to the journal.
class Scripted : public GenServer {
public:
    Scripted(std::shared_ptr<Journal> journal, Script script = {})
        : journal(std::move(journal))
        , m_script(std::move(script))
    {
    }

    Next init() override
    {
        journal->add("init");
        return m_script.init ? m_script.init(*this) : Next::ok();
    }
    Next handleCall(const Term& request, const From& from) override
    {
        journal->add("call:" + textOf(request));
        return m_script.call ? m_script.call(*this, request, from) : Next::reply(request);
    }
    Next handleCast(const Term& message) override
    {
        journal->add("cast:" + textOf(message));
        return m_script.cast ? m_script.cast(*this, message) : Next::noreply();
    }
    Next handleInfo(const Info& info) override
    {
        switch (info.kind) {
        case Info::Kind::Message:
            journal->add("info:" + textOf(info.message));
            break;
        case Info::Kind::Timeout:
            journal->add("timeout");
            break;
        case Info::Kind::Exit:
            journal->add("exit:" + info.reason.toString());
            break;
        case Info::Kind::Down:
            journal->add("down:" + info.reason.toString());
            break;
        case Info::Kind::Reply:
            journal->add(
                info.error ? std::string("reply-error:") + errcName(info.error->code) : "reply:" + shown(info.message));
            break;
        }
        return m_script.info ? m_script.info(*this, info) : Next::noreply();
    }
    Next handleContinue(const Term& arg) override
    {
        journal->add("continue:" + textOf(arg));
        return m_script.cont ? m_script.cont(*this, arg) : Next::noreply();
    }
    void terminate(const ExitReason& reason) override
    {
        journal->add("terminate:" + reason.toString());
        if (m_script.terminate) m_script.terminate(*this, reason);
    }
    std::string describeState() const override { return m_script.state; }

    using GenServer::receive;
    using GenServer::runtime;
    using GenServer::self;

    std::shared_ptr<Journal> journal;
    From held; ///< a call kept waiting with noreply
    int counter = 0;
    std::vector<RequestId> requests; ///< ids returned by sendRequest, oldest first

private:
    Script m_script;
};

/// Calls "hold" are kept waiting; any cast answers the held one with 42.
Script holdingCalls()
{
    return {.call =
                [](Scripted& s, const Term& req, const From& from) {
                    if (textOf(req) == "hold") {
                        s.held = from;
                        return Next::noreply();
                    }
                    return Next::reply(req);
                },
        .cast =
            [](Scripted& s, const Term&) {
                s.runtime().reply(s.held, Term(42));
                return Next::noreply();
            }};
}

Result<Pid> spawnScripted(
    Runtime& rt, const std::shared_ptr<Journal>& j, Script script = {}, const std::string& path = {})
{
    SpawnOptions opts;
    opts.path = path;
    return rt.spawn(std::make_unique<Scripted>(j, std::move(script)), opts);
}

/// A call's answer, asked on another thread so the test thread stays free.
std::future<Result<Term>> callAsync(Runtime& rt, Pid to, Term request, std::chrono::milliseconds timeout)
{
    return std::async(
        std::launch::async, [&rt, to, request = std::move(request), timeout] { return rt.call(to, request, timeout); });
}

bool ready(std::future<Result<Term>>& f, std::chrono::milliseconds within = kLong)
{
    return f.wait_for(within) == std::future_status::ready;
}

/// Re-sends itself a message for ever: the process that would starve the
/// others if the scheduler did not make it yield.
class Flooder : public GenServer {
public:
    explicit Flooder(std::shared_ptr<std::atomic<long>> ticks)
        : m_ticks(std::move(ticks))
    {
    }
    Next init() override
    {
        runtime().send(self(), msg("tick"));
        return Next::ok();
    }
    Next handleInfo(const Info&) override
    {
        m_ticks->fetch_add(1);
        runtime().send(self(), msg("tick"));
        return Next::noreply();
    }

private:
    std::shared_ptr<std::atomic<long>> m_ticks;
};

/// Counts entries into its callback, to catch two threads inside it at once,
/// and checks that each sender's messages arrive in the order sent.
class ReentryProbe : public GenServer {
public:
    struct Shared {
        std::atomic<int> inside {0};
        std::atomic<int> violations {0};
        std::atomic<int> outOfOrder {0};
        std::atomic<long> handled {0};
    };
    explicit ReentryProbe(std::shared_ptr<Shared> shared)
        : m_shared(std::move(shared))
    {
    }
    Next handleCast(const Term& message) override { return onMessage(message); }
    Next handleInfo(const Info& info) override { return onMessage(info.message); }
    Next handleCall(const Term& request, const From&) override
    {
        onMessage(request);
        return Next::reply(0);
    }

private:
    Next onMessage(const Term& message)
    {
        if (m_shared->inside.fetch_add(1) != 0) m_shared->violations.fetch_add(1);
        // Stay inside a little so that an overlap would be seen.
        for (int i = 0; i < 50; ++i)
            std::this_thread::yield();
        const int v = intOf(message);
        const int sender = v / 1'000'000;
        const int seq = v % 1'000'000;
        if (sender >= 0 && sender < int(std::size(m_last))) {
            if (seq <= m_last[sender]) m_shared->outOfOrder.fetch_add(1);
            m_last[sender] = seq;
        }
        m_shared->handled.fetch_add(1);
        m_shared->inside.fetch_sub(1);
        return Next::noreply();
    }
    std::shared_ptr<Shared> m_shared;
    int m_last[16] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
};

/// One of a pair that bounces a ball between them for ever, each bounce a
/// message that wakes the other. Told "poke", it wakes `third` with "hello"
/// just before its next bounce, so that the third is queued behind the
/// partner it wakes right after.
class Bouncer : public GenServer {
public:
    Bouncer(std::shared_ptr<std::atomic<Pid>> partner, Pid third, std::shared_ptr<std::atomic<long>> bounces)
        : m_partner(std::move(partner))
        , m_third(third)
        , m_bounces(std::move(bounces))
    {
    }
    Next handleInfo(const Info& info) override
    {
        if (textOf(info.message) == "poke") {
            m_poke = true;
            return Next::noreply();
        }
        m_bounces->fetch_add(1);
        if (m_poke) {
            m_poke = false;
            runtime().send(m_third, msg("hello"));
        }
        runtime().send(m_partner->load(), msg("ball"));
        return Next::noreply();
    }

private:
    std::shared_ptr<std::atomic<Pid>> m_partner;
    Pid m_third = 0;
    std::shared_ptr<std::atomic<long>> m_bounces;
    bool m_poke = false;
};

/// Where processes woken together note the threads they ran on. The first
/// to arrive stays in its callback until a second thread has arrived too:
/// with the stall watchdog off, only a worker that steals the rest of its
/// queue can get there.
struct Meeting {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::thread::id> threads;
    int handled = 0;
    bool met = false; ///< the first saw a second thread arrive
    bool firstLeft = false; ///< the first has left its callback

    void arrive()
    {
        std::unique_lock lock(mutex);
        const auto me = std::this_thread::get_id();
        if (std::find(threads.begin(), threads.end(), me) == threads.end()) threads.push_back(me);
        const bool first = ++handled == 1;
        cv.notify_all();
        if (!first) return;
        met = cv.wait_for(lock, kLong, [&] { return threads.size() >= 2; });
        firstLeft = true;
        cv.notify_all();
    }
    bool waitHandled(int n)
    {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, 2 * kLong, [&] { return handled >= n && firstLeft; });
    }
};

class MeetingGoer : public GenServer {
public:
    explicit MeetingGoer(std::shared_ptr<Meeting> meeting)
        : m_meeting(std::move(meeting))
    {
    }
    Next handleInfo(const Info&) override
    {
        m_meeting->arrive();
        return Next::noreply();
    }

private:
    std::shared_ptr<Meeting> m_meeting;
};

} // namespace

class TestProcess : public QObject {
    Q_OBJECT

private slots:
    // -- init --
    void initOk()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        Pid inside = 0;
        Pid selfInInit = 0;
        auto pid = spawnScripted(rt, j, {.init = [&](Scripted& s) {
            inside = Runtime::self();
            selfInInit = s.self();
            return Next::ok();
        }});
        QVERIFY(pid.ok());
        QVERIFY(*pid != 0);
        QVERIFY(rt.isAlive(*pid));
        QCOMPARE(inside, *pid); // init runs as the new process
        QCOMPARE(selfInInit, *pid);
        QCOMPARE(Runtime::self(), Pid(0)); // the test thread is nobody
        auto r = rt.call(*pid, msg("ping"), kLong);
        QVERIFY(r.ok());
        QCOMPARE(qs(textOf(*r)), QStringLiteral("ping"));
        QCOMPARE(qsl(j->items()), QStringList({"init", "call:ping"}));
    }

    void initStop_data()
    {
        QTest::addColumn<QString>("reason");
        QTest::newRow("normal") << "normal";
        QTest::newRow("shutdown") << "shutdown";
        QTest::newRow("error") << "error:bad config";
    }
    void initStop()
    {
        QFETCH(QString, reason);
        Runtime rt;
        auto j = std::make_shared<Journal>();
        const auto why = ExitReason::parse(reason.toStdString());
        auto pid = spawnScripted(rt, j, {.init = [&](Scripted&) { return Next::stop(why); }});
        QVERIFY(!pid.ok());
        QCOMPARE(pid.error().code, Errc::StartFailed);
        QVERIFY2(qs(pid.error().detail).contains(qs(why.toString())), pid.error().detail.c_str());
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(rt.processCount(), std::size_t(0));
        // gen_server does not run terminate when init stops.
        QCOMPARE(qsl(j->items()), QStringList({"init"}));
    }

    void initIgnore()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j, {.init = [](Scripted&) { return Next::ignore(); }});
        QVERIFY(!pid.ok());
        QCOMPARE(pid.error().code, Errc::Ignore);
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(rt.processCount(), std::size_t(0));
        QCOMPARE(qsl(j->items()), QStringList({"init"}));
    }

    void initThrows()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j, {.init = [](Scripted&) -> Next { throw std::runtime_error("no database"); }});
        QVERIFY(!pid.ok());
        QCOMPARE(pid.error().code, Errc::StartFailed);
        QVERIFY2(qs(pid.error().detail).contains(QStringLiteral("no database")), pid.error().detail.c_str());
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(rt.processCount(), std::size_t(0));
        QCOMPARE(qsl(j->items()), QStringList({"init"}));
    }

    void continueRunsBeforeQueuedMessages()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j,
            {.init =
                    [](Scripted& s) {
                        // Already in the mailbox when init returns.
                        s.runtime().send(s.self(), msg("queued"));
                        return Next::ok().continueWith(msg("c1"));
                    },
                .cont =
                    [](Scripted&, const Term& arg) {
                        return textOf(arg) == "c1" ? Next::noreply().continueWith(msg("c2")) : Next::noreply();
                    }});
        QVERIFY(pid.ok());
        rt.cast(*pid, msg("late"));
        QVERIFY(j->waitForItem("cast:late"));
        QCOMPARE(qsl(j->items()), QStringList({"init", "continue:c1", "continue:c2", "info:queued", "cast:late"}));
    }

    // -- calls, casts, infos --
    void callReplyNow()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(
            rt, j, {.call = [](Scripted&, const Term& req, const From&) { return Next::reply(intOf(req) + 1); }});
        QVERIFY(pid.ok());
        for (int i = 0; i < 10; ++i) {
            auto r = rt.call(*pid, i, kLong);
            QVERIFY(r.ok());
            QCOMPARE(intOf(*r), i + 1);
        }
    }

    void callReplyLater()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j, holdingCalls());
        QVERIFY(pid.ok());
        auto pending = callAsync(rt, *pid, msg("hold"), 30s);
        QVERIFY(j->waitForItem("call:hold"));
        // The server is free to serve others while the first caller waits.
        auto other = rt.call(*pid, msg("ping"), kLong);
        QVERIFY(other.ok());
        QCOMPARE(qs(textOf(*other)), QStringLiteral("ping"));
        QCOMPARE(pending.wait_for(0ms), std::future_status::timeout);
        // Answered from another message.
        rt.cast(*pid, msg("release"));
        QVERIFY(ready(pending));
        auto r = pending.get();
        QVERIFY(r.ok());
        QCOMPARE(intOf(*r), 42);
    }

    void castAndInfoInOrder()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j);
        QVERIFY(pid.ok());
        rt.cast(*pid, msg("a"));
        rt.send(*pid, msg("b"));
        rt.cast(*pid, msg("c"));
        rt.send(*pid, msg("d"));
        QVERIFY(j->waitForItem("info:d"));
        QCOMPARE(qsl(j->items()), QStringList({"init", "cast:a", "info:b", "cast:c", "info:d"}));
    }

    void stopReplyThenStops()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        EventLog log(rt);
        auto pid = spawnScripted(rt, j,
            {.call = [](Scripted&, const Term&,
                         const From&) { return Next::stopReply(ExitReason::normal(), msg("bye")); }},
            "leaver");
        QVERIFY(pid.ok());
        auto r = rt.call(*pid, msg("quit"), kLong);
        QVERIFY(r.ok());
        QCOMPARE(qs(textOf(*r)), QStringLiteral("bye"));
        QVERIFY(log.waitForLine("exit leaver normal"));
        QVERIFY(!rt.isAlive(*pid));
        QVERIFY(j->contains("terminate:normal"));
    }

    void stopFromCallbackWithReason_data()
    {
        QTest::addColumn<QString>("reason");
        QTest::newRow("normal") << "normal";
        QTest::newRow("shutdown") << "shutdown";
        QTest::newRow("shutdown:detail") << "shutdown:detail";
        QTest::newRow("error") << "error:bad state";
    }
    void stopFromCallbackWithReason()
    {
        QFETCH(QString, reason);
        Runtime rt;
        auto j = std::make_shared<Journal>();
        EventLog log(rt);
        auto pid = spawnScripted(
            rt, j, {.cast = [](Scripted&, const Term& m) { return Next::stop(ExitReason::parse(textOf(m))); }}, "w");
        QVERIFY(pid.ok());
        rt.cast(*pid, Term(reason.toStdString()));
        QVERIFY(log.waitForLine("exit w " + reason.toStdString()));
        QVERIFY(!rt.isAlive(*pid));
        QVERIFY(j->contains("terminate:" + reason.toStdString()));
    }

    // -- idle timeout and timers --
    void idleTimeoutFromInit()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j, {.init = [](Scripted&) { return Next::ok().timeout(50ms); }});
        QVERIFY(pid.ok());
        QVERIFY(j->waitForItem("timeout"));
        QCOMPARE(qsl(j->items()), QStringList({"init", "timeout"}));
    }

    void idleTimeoutFromCallback()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j, {.cast = [](Scripted&, const Term&) { return Next::noreply().timeout(30ms); }});
        QVERIFY(pid.ok());
        rt.cast(*pid, msg("arm"));
        QVERIFY(j->waitForItem("timeout"));
        QCOMPARE(qsl(j->items()), QStringList({"init", "cast:arm", "timeout"}));
    }

    void idleTimeoutCancelledByMessage()
    {
        // The idle timeout only fires if no message arrives. "m" is queued
        // before init returns, so the timeout must never fire: "probe" (sent
        // by a timer well after the timeout would have expired) comes without
        // a "timeout" before it.
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j,
            {.init =
                    [](Scripted& s) {
                        s.runtime().send(s.self(), msg("m"));
                        return Next::ok().timeout(300ms);
                    },
                .info =
                    [](Scripted& s, const Info& info) {
                        if (info.kind == Info::Kind::Message && textOf(info.message) == "m")
                            s.runtime().sendAfter(s.self(), msg("probe"), 900ms);
                        return Next::noreply();
                    }});
        QVERIFY(pid.ok());
        QVERIFY(j->waitForItem("info:probe"));
        QCOMPARE(qsl(j->items()), QStringList({"init", "info:m", "info:probe"}));
    }

    void idleTimeoutRearmedByEachMessage()
    {
        // Each message handled re-arms the timeout; it fires once, after the last.
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j,
            {.init =
                    [](Scripted& s) {
                        for (const char* m : {"a", "b", "c"})
                            s.runtime().send(s.self(), msg(m));
                        return Next::ok().timeout(200ms);
                    },
                .info =
                    [](Scripted&, const Info& info) {
                        return info.kind == Info::Kind::Timeout ? Next::noreply() : Next::noreply().timeout(200ms);
                    }});
        QVERIFY(pid.ok());
        QVERIFY(j->waitForItem("timeout"));
        rt.send(*pid, msg("marker"));
        QVERIFY(j->waitForItem("info:marker"));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(qsl(j->items()), QStringList({"init", "info:a", "info:b", "info:c", "timeout", "info:marker"}));
    }

    void describeDoesNotCancelIdleTimeout()
    {
        // describe() is the inspector's system message (sys:get_state): it is
        // no message for the process, so its idle timeout still fires.
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j, {.init = [](Scripted&) { return Next::ok().timeout(300ms); }, .state = "idle"});
        QVERIFY(pid.ok());
        auto d = rt.describe(*pid, kLong);
        QVERIFY(d.ok());
        QVERIFY2(j->waitForItem("timeout"), "the idle timeout was lost after describe()");
        QCOMPARE(qsl(j->items()), QStringList({"init", "timeout"}));
    }

    void sendAfterAndCancelTimer()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j);
        QVERIFY(pid.ok());

        const TimerRef soon = rt.sendAfter(*pid, msg("soon"), 20ms);
        QVERIFY(j->waitForItem("info:soon"));
        QVERIFY(!rt.cancelTimer(soon)); // already fired

        const TimerRef never = rt.sendAfter(*pid, msg("never"), 400ms);
        QVERIFY(rt.cancelTimer(never));
        QVERIFY(!rt.cancelTimer(never)); // only once
        rt.sendAfter(*pid, msg("marker"), 800ms);
        QVERIFY(j->waitForItem("info:marker"));
        QCOMPARE(qsl(j->items()), QStringList({"init", "info:soon", "info:marker"}));
    }

    void timersFireInDeadlineOrder()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j);
        QVERIFY(pid.ok());
        rt.sendAfter(*pid, msg("third"), 300ms);
        rt.sendAfter(*pid, msg("first"), 10ms);
        rt.sendAfter(*pid, msg("second"), 150ms);
        QVERIFY(j->waitForItem("info:third"));
        QCOMPARE(qsl(j->items()), QStringList({"init", "info:first", "info:second", "info:third"}));
    }

    void timerToDeadProcessIsDropped()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j);
        QVERIFY(pid.ok());
        rt.sendAfter(*pid, msg("late"), 50ms);
        QVERIFY(rt.stop(*pid, ExitReason::shutdown(), kLong).ok());
        auto other = spawnScripted(rt, std::make_shared<Journal>());
        QVERIFY(other.ok());
        rt.sendAfter(*other, msg("x"), 200ms);
        QVERIFY(rt.waitQuiescent(kLong));
        QVERIFY(rt.isAlive(*other));
        QVERIFY(!j->contains("info:late"));
    }

    // -- let it crash --
    void exceptionEndsProcess_data()
    {
        QTest::addColumn<QString>("where");
        QTest::newRow("handle_cast") << "cast";
        QTest::newRow("handle_info") << "info";
        QTest::newRow("handle_continue") << "continue";
        QTest::newRow("handle_call") << "call";
    }
    void exceptionEndsProcess()
    {
        QFETCH(QString, where);
        Runtime rt;
        auto j = std::make_shared<Journal>();
        EventLog log(rt);
        auto boom = [](auto&&...) -> Next { throw std::runtime_error("boom"); };
        Script script;
        script.cast = boom;
        script.info = [](Scripted&, const Info& info) -> Next {
            if (textOf(info.message) == "go") throw std::runtime_error("boom");
            return Next::noreply();
        };
        script.cont = boom;
        script.call = boom;
        script.init
            = [where](Scripted&) { return where == "continue" ? Next::ok().continueWith(msg("x")) : Next::ok(); };
        auto pid = spawnScripted(rt, j, script, "crasher");
        QVERIFY2(pid.ok(), pid.ok() ? "" : pid.error().toString().c_str());
        if (where == "cast") {
            rt.cast(*pid, msg("go"));
        } else if (where == "info") {
            rt.send(*pid, msg("go"));
        } else if (where == "call") {
            auto r = rt.call(*pid, msg("go"), 30s);
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, Errc::Exit);
            QVERIFY2(qs(r.error().detail).contains(QStringLiteral("boom")), r.error().detail.c_str());
        }
        QVERIFY(log.waitForLine("exit crasher error:boom"));
        QVERIFY(!rt.isAlive(*pid));
        QVERIFY(j->contains("terminate:error:boom"));
        // Nothing else ends: the runtime keeps serving new processes.
        auto other = spawnScripted(rt, std::make_shared<Journal>());
        QVERIFY(other.ok());
        QVERIFY(rt.call(*other, msg("ping"), kLong).ok());
    }

    void nonStdExceptionEndsProcess()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        EventLog log(rt);
        auto pid = spawnScripted(rt, j, {.cast = [](Scripted&, const Term&) -> Next { throw 42; }}, "odd");
        QVERIFY(pid.ok());
        rt.cast(*pid, msg("go"));
        QVERIFY(log.waitForKind(EventKind::Exit, "odd"));
        QVERIFY2(qs(log.find(EventKind::Exit, "odd")->reason).startsWith(QStringLiteral("error:")),
            log.find(EventKind::Exit, "odd")->reason.c_str());
        QVERIFY(!rt.isAlive(*pid));
    }

    // -- call errors --
    void callDeadOrUnknownIsNoProc()
    {
        Runtime rt;
        auto unknown = rt.call(Pid(987654321), msg("ping"), kLong);
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().code, Errc::NoProc);

        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j);
        QVERIFY(pid.ok());
        QVERIFY(rt.stop(*pid, ExitReason::normal(), kLong).ok());
        QVERIFY(!rt.isAlive(*pid));
        auto dead = rt.call(*pid, msg("ping"), kLong);
        QVERIFY(!dead.ok());
        QCOMPARE(dead.error().code, Errc::NoProc);
        // Casting or sending to the dead does nothing.
        rt.cast(*pid, msg("x"));
        rt.send(*pid, msg("y"));
        QVERIFY(rt.waitQuiescent(kLong));
        QVERIFY(!j->contains("cast:x"));
    }

    void callTimeout()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j, holdingCalls()); // its cast's reply comes too late: the caller gave up
        QVERIFY(pid.ok());
        auto r = rt.call(*pid, msg("hold"), 100ms);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, Errc::Timeout);
        QVERIFY(rt.isAlive(*pid)); // a timeout does not hurt the callee
        rt.cast(*pid, msg("late reply"));
        // The late answer must not be taken for the answer to a later call.
        auto next = rt.call(*pid, msg("ping"), kLong);
        QVERIFY(next.ok());
        QCOMPARE(qs(textOf(*next)), QStringLiteral("ping"));
    }

    void calleeDiesDuringCall_data()
    {
        QTest::addColumn<QString>("how");
        QTest::addColumn<QString>("reason");
        QTest::newRow("killed while waiting") << "kill"
                                              << "killed";
        QTest::newRow("crashes on a later message") << "crash"
                                                    << "error:boom";
        QTest::newRow("stops normally") << "stop"
                                        << "normal";
        QTest::newRow("exit signal shutdown") << "exit"
                                              << "shutdown";
        QTest::newRow("killed inside handle_call") << "kill-blocked"
                                                   << "killed";
    }
    void calleeDiesDuringCall()
    {
        QFETCH(QString, how);
        QFETCH(QString, reason);
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto gate = std::make_shared<Gate>();
        OpenOnExit opener {gate};
        auto pid = spawnScripted(rt, j,
            {.call =
                    [gate, how](Scripted& s, const Term&, const From& from) {
                        if (how == "kill-blocked") {
                            s.journal->add("blocked");
                            gate->wait();
                        }
                        s.held = from;
                        return Next::noreply();
                    },
                .cast = [](Scripted&, const Term& m) -> Next {
                    if (textOf(m) == "crash") throw std::runtime_error("boom");
                    return Next::stop(ExitReason::normal());
                }});
        QVERIFY(pid.ok());
        // A timeout far longer than the wait below: the answer must come from
        // the callee's death, not from the timeout.
        auto pending = callAsync(rt, *pid, msg("hold"), 30s);
        QVERIFY(j->waitForItem("call:hold"));
        if (how == "kill" || how == "kill-blocked") {
            if (how == "kill-blocked") QVERIFY(j->waitForItem("blocked"));
            rt.kill(*pid);
        } else if (how == "crash") {
            rt.cast(*pid, msg("crash"));
        } else if (how == "stop") {
            rt.cast(*pid, msg("stop"));
        } else {
            rt.exit(*pid, ExitReason::shutdown());
        }
        QVERIFY2(ready(pending), "the caller still waits although the callee is dead");
        QVERIFY(!gate->isOpen());
        auto r = pending.get();
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, Errc::Exit);
        QCOMPARE(qs(r.error().detail), reason);
    }

    void callingSelf()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j, {.cast = [](Scripted& s, const Term&) {
            auto r = s.runtime().call(s.self(), msg("me"), 1s);
            s.journal->add(r.ok() ? "ok" : std::string("err:") + errcName(r.error().code));
            return Next::noreply();
        }});
        QVERIFY(pid.ok());
        rt.cast(*pid, msg("go"));
        QVERIFY(j->waitFor([](const auto& v) { return v.size() >= 3; }));
        QCOMPARE(qs(j->items().at(2)), QString("err:") + errcName(Errc::CallingSelf));
        QVERIFY(!j->contains("call:me"));
        QVERIFY(rt.isAlive(*pid));
    }

    void callBetweenProcesses()
    {
        Runtime rt(RuntimeOptions {.workers = 1});
        auto jb = std::make_shared<Journal>();
        auto b = spawnScripted(
            rt, jb, {.call = [](Scripted&, const Term& req, const From&) { return Next::reply(intOf(req) * 2); }});
        QVERIFY(b.ok());
        auto ja = std::make_shared<Journal>();
        const Pid bp = *b;
        auto a = spawnScripted(rt, ja, {.cast = [bp](Scripted& s, const Term&) {
            auto r = s.runtime().call(bp, Term(21), kLong);
            s.journal->add(r.ok() ? "answer:" + std::to_string(intOf(*r)) : "failed");
            return Next::noreply();
        }});
        QVERIFY(a.ok());
        rt.cast(*a, msg("go"));
        QVERIFY(ja->waitFor([](const auto& v) { return v.size() >= 3; }));
        QCOMPARE(qs(ja->items().at(2)), QStringLiteral("answer:42"));
    }

    // -- other API --
    void stopRunsTerminate()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j);
        QVERIFY(pid.ok());
        QVERIFY(rt.stop(*pid, ExitReason::shutdown("bye"), kLong).ok());
        QVERIFY(!rt.isAlive(*pid));
        QCOMPARE(qsl(j->items()), QStringList({"init", "terminate:shutdown:bye"}));
        auto again = rt.stop(*pid, ExitReason::shutdown(), kLong);
        QVERIFY(!again.ok());
        QCOMPARE(again.error().code, Errc::NoProc);
    }

    void describeAsksTheProcess()
    {
        Runtime rt;
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j, {.state = "balance=12"});
        QVERIFY(pid.ok());
        auto d = rt.describe(*pid, kLong);
        QVERIFY(d.ok());
        QCOMPARE(qs(*d), QStringLiteral("balance=12"));
        rt.kill(*pid);
        auto gone = rt.describe(*pid, kLong);
        QVERIFY(!gone.ok());
        QCOMPARE(gone.error().code, Errc::NoProc);
    }

    void selectiveReceive()
    {
        Runtime rt(RuntimeOptions {.workers = 1});
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j, {.cast = [](Scripted& s, const Term&) {
            auto got = s.receive(
                [](const Info& i) { return i.kind == Info::Kind::Message && textOf(i.message) == "wanted"; }, kLong);
            s.journal->add(got ? "received:" + textOf(got->message) : "receive timed out");
            auto none = s.receive([](const Info& i) { return textOf(i.message) == "never"; }, 50ms);
            s.journal->add(none ? "unexpected" : "receive timed out");
            return Next::noreply();
        }});
        QVERIFY(pid.ok());
        auto echo = spawnScripted(rt, std::make_shared<Journal>());
        QVERIFY(echo.ok());
        rt.cast(*pid, msg("go"));
        QVERIFY(j->waitForItem("cast:go"));
        rt.send(*pid, msg("first"));
        // Other processes are served while it waits in receive, even with one worker.
        QVERIFY(rt.call(*echo, msg("ping"), kLong).ok());
        rt.send(*pid, msg("wanted"));
        QVERIFY(j->waitForItem("info:first"));
        QCOMPARE(
            qsl(j->items()), QStringList({"init", "cast:go", "received:wanted", "receive timed out", "info:first"}));
    }

    // -- scheduling --
    void floodingProcessDoesNotStarveOthers_data()
    {
        QTest::addColumn<int>("flooders");
        QTest::newRow("one flooder") << 1;
        QTest::newRow("three flooders") << 3;
    }
    void floodingProcessDoesNotStarveOthers()
    {
        QFETCH(int, flooders);
        // The stall watchdog would hide a scheduler that never makes a busy
        // process yield (it adds a worker after stallThreshold): turn it off
        // so that only yielding after maxBatch messages lets the call through.
        Runtime rt(RuntimeOptions {.workers = 1, .maxBatch = 64, .stallThreshold = std::chrono::hours(1)});
        auto ticks = std::make_shared<std::atomic<long>>(0);
        std::vector<Pid> floods;
        for (int i = 0; i < flooders; ++i) {
            auto f = rt.spawn(std::make_unique<Flooder>(ticks));
            QVERIFY(f.ok());
            floods.push_back(*f);
        }
        auto j = std::make_shared<Journal>();
        auto echo = spawnScripted(rt, j);
        QVERIFY(echo.ok());
        for (int i = 0; i < 5; ++i) {
            auto r = rt.call(*echo, Term(i), kLong);
            QVERIFY2(r.ok(), "a call was not answered while another process floods itself");
            QCOMPARE(intOf(*r), i);
        }
        QVERIFY(ticks->load() > 0); // the flooders do run
        for (Pid f : floods)
            QVERIFY(rt.stop(f, ExitReason::shutdown(), kLong).ok());
    }

    void oneProcessNeverRunsOnTwoThreads_data()
    {
        QTest::addColumn<unsigned>("maxBatch");
        QTest::newRow("yield after every message") << 1u;
        QTest::newRow("default batch") << 64u;
    }
    void oneProcessNeverRunsOnTwoThreads()
    {
        QFETCH(unsigned, maxBatch);
        Runtime rt(RuntimeOptions {.workers = 2, .maxBatch = maxBatch});
        auto shared = std::make_shared<ReentryProbe::Shared>();
        auto probe = rt.spawn(std::make_unique<ReentryProbe>(shared));
        QVERIFY(probe.ok());
        // A second busy process keeps the other worker looking for work.
        auto ticks = std::make_shared<std::atomic<long>>(0);
        auto flood = rt.spawn(std::make_unique<Flooder>(ticks));
        QVERIFY(flood.ok());

        constexpr int kSenders = 4;
        constexpr int kPerSender = 2000;
        std::vector<std::thread> senders;
        for (int s = 0; s < kSenders; ++s) {
            senders.emplace_back([&rt, p = *probe, s] {
                for (int i = 0; i < kPerSender; ++i) {
                    const int v = s * 1'000'000 + i;
                    if (i % 3 == 0)
                        rt.send(p, Term(v));
                    else
                        rt.cast(p, Term(v));
                }
            });
        }
        for (auto& t : senders)
            t.join();
        QVERIFY(rt.stop(*flood, ExitReason::shutdown(), kLong).ok());
        // Fails only if the probe stops making progress: its yields make the
        // run take minutes on a loaded machine under a sanitizer.
        for (long seen = -1; !rt.waitQuiescent(kLong);) {
            const long now = shared->handled.load();
            QVERIFY2(now != seen, "not quiescent, and no message handled since the last wait");
            seen = now;
        }
        QCOMPARE(shared->handled.load(), long(kSenders * kPerSender));
        QCOMPARE(shared->violations.load(), 0);
        QCOMPARE(shared->outOfOrder.load(), 0);
    }

    void blockedHandlerDoesNotStallOthers_data()
    {
        QTest::addColumn<unsigned>("workers");
        QTest::addColumn<int>("blocked");
        QTest::newRow("1 worker, 1 blocked") << 1u << 1;
        QTest::newRow("2 workers, 1 blocked") << 2u << 1;
        QTest::newRow("1 worker, 3 blocked") << 1u << 3;
        QTest::newRow("2 workers, 3 blocked") << 2u << 3;
    }
    void blockedHandlerDoesNotStallOthers()
    {
        QFETCH(unsigned, workers);
        QFETCH(int, blocked);
        Runtime rt(RuntimeOptions {.workers = workers});
        auto gate = std::make_shared<Gate>();
        OpenOnExit opener {gate};
        auto jb = std::make_shared<Journal>();
        std::vector<Pid> sleepers;
        for (int i = 0; i < blocked; ++i) {
            // Sleeping inside a callback is the behaviour under test: the
            // handler stays blocked until the test has seen the others work.
            auto p = spawnScripted(rt, jb, {.cast = [gate](Scripted& s, const Term& m) {
                if (textOf(m) == "block") {
                    s.journal->add("blocked");
                    gate->wait();
                    s.journal->add("unblocked");
                }
                return Next::noreply();
            }});
            QVERIFY(p.ok());
            sleepers.push_back(*p);
            rt.cast(*p, msg("block"));
        }
        QVERIFY(jb->waitForCount("blocked", blocked));

        auto je = std::make_shared<Journal>();
        auto echo = spawnScripted(rt, je);
        QVERIFY(echo.ok());
        for (int i = 0; i < 20; ++i) {
            auto r = rt.call(*echo, Term(i), kLong);
            QVERIFY2(r.ok(), "a call went unanswered while another process was blocked");
            QCOMPARE(intOf(*r), i);
        }
        // New processes start, timers fire.
        auto fresh = spawnScripted(rt, std::make_shared<Journal>());
        QVERIFY(fresh.ok());
        QVERIFY(rt.call(*fresh, msg("hello"), kLong).ok());
        rt.sendAfter(*echo, msg("tick"), 10ms);
        QVERIFY(je->waitForItem("info:tick"));
        // A blocked process's mailbox still takes messages.
        for (Pid p : sleepers)
            rt.cast(p, msg("after"));

        QCOMPARE(jb->count("unblocked"), 0); // all of that happened while they were blocked
        gate->open();
        QVERIFY(jb->waitForCount("cast:after", blocked));
        QCOMPARE(jb->count("unblocked"), blocked);
    }

    // -- asynchronous requests (gen_server:send_request) --
    void sendRequestAnsweredInHandleInfo()
    {
        Runtime rt;
        auto js = std::make_shared<Journal>();
        auto server = spawnScripted(
            rt, js, {.call = [](Scripted&, const Term& req, const From&) { return Next::reply(intOf(req) * 10); }});
        QVERIFY(server.ok());
        auto js2 = std::make_shared<Journal>();
        auto server2 = spawnScripted(
            rt, js2, {.call = [](Scripted&, const Term& req, const From&) { return Next::reply(intOf(req) * 10); }});
        QVERIFY(server2.ok());
        const Pid s1 = *server;
        const Pid s2 = *server2;
        auto j = std::make_shared<Journal>();
        auto client = spawnScripted(rt, j,
            {.cast =
                    [s1, s2](Scripted& s, const Term&) {
                        // Three in flight at once, to two servers.
                        for (auto [to, value] : {std::pair {s1, 1}, std::pair {s2, 2}, std::pair {s1, 3}}) {
                            auto id = s.runtime().sendRequest(to, Term(value));
                            if (!id) {
                                s.journal->add(std::string("sendRequest failed:") + errcName(id.error().code));
                                continue;
                            }
                            s.requests.push_back(*id);
                        }
                        s.journal->add("sent");
                        return Next::noreply();
                    },
                .info =
                    [s1, s2](Scripted& s, const Info& info) {
                        if (info.kind != Info::Kind::Reply) return Next::noreply();
                        // The id says which request this answers; `from` which server.
                        auto it = std::find(s.requests.begin(), s.requests.end(), info.ref);
                        const int k = it == s.requests.end() ? -1 : int(it - s.requests.begin());
                        const Pid expectedFrom = k == 1 ? s2 : s1;
                        s.journal->add("answer " + std::to_string(k) + "=" + shown(info.message)
                            + (info.from == expectedFrom ? " from its server" : " from elsewhere")
                            + (info.error ? " with an error" : ""));
                        return Next::noreply();
                    }});
        QVERIFY(client.ok());
        rt.cast(*client, msg("go"));
        QVERIFY(j->waitFor([](const auto& v) {
            return std::count_if(v.begin(), v.end(), [](const std::string& i) { return i.rfind("answer", 0) == 0; })
                >= 3;
        }));
        QVERIFY(rt.waitQuiescent(kLong));
        const auto items = j->items();
        QCOMPARE(j->indexOf("sent"), 2); // init, cast:go, sent: every answer came after the callback
        for (const char* want :
            {"answer 0=10 from its server", "answer 1=20 from its server", "answer 2=30 from its server"})
            QVERIFY2(j->count(want) == 1, qPrintable(qsl(items).join(QLatin1String(" | "))));
        // No other Reply came.
        QCOMPARE(
            std::count_if(items.begin(), items.end(), [](const std::string& i) { return i.rfind("reply", 0) == 0; }),
            3L);
        // One server's answers come in the order it was asked.
        QVERIFY(j->indexOf("answer 0=10 from its server") < j->indexOf("answer 2=30 from its server"));
        // The servers saw ordinary calls.
        QCOMPARE(js->count("call:"), 2);
        QCOMPARE(js2->count("call:"), 1);
    }

    void sendRequestLeavesCallerFree()
    {
        // The server holds the request; meanwhile the caller answers a call
        // of its own, which a blocking call inside its callback would forbid.
        Runtime rt(RuntimeOptions {.workers = 1});
        auto js = std::make_shared<Journal>();
        auto server = spawnScripted(rt, js, holdingCalls());
        QVERIFY(server.ok());
        const Pid sp = *server;
        auto j = std::make_shared<Journal>();
        auto client = spawnScripted(rt, j, {.cast = [sp](Scripted& s, const Term&) {
            auto id = s.runtime().sendRequest(sp, msg("hold"));
            s.journal->add(id ? "sent" : "sendRequest failed");
            if (id) s.requests.push_back(*id);
            return Next::noreply();
        }});
        QVERIFY(client.ok());
        rt.cast(*client, msg("go"));
        QVERIFY(js->waitForItem("call:hold"));
        auto r = rt.call(*client, msg("ping"), kLong);
        QVERIFY2(r.ok(), "the caller is stuck in its request");
        QCOMPARE(qs(textOf(*r)), QStringLiteral("ping"));
        QCOMPARE(qsl(j->items()), QStringList({"init", "cast:go", "sent", "call:ping"}));
        rt.cast(sp, msg("release")); // replies 42 through Runtime::reply(From)
        QVERIFY(j->waitForItem("reply:42"));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(qsl(j->items()), QStringList({"init", "cast:go", "sent", "call:ping", "reply:42"}));
    }

    void sendRequestWithoutAnswer_data()
    {
        QTest::addColumn<QString>("how");
        QTest::addColumn<QString>("error");
        QTest::newRow("no such process") << "unknown" << errcName(Errc::NoProc);
        QTest::newRow("already dead") << "dead" << errcName(Errc::NoProc);
        QTest::newRow("killed before answering") << "kill" << errcName(Errc::Exit);
        QTest::newRow("crashes before answering") << "crash" << errcName(Errc::Exit);
        QTest::newRow("stops normally before answering") << "stop" << errcName(Errc::Exit);
    }
    void sendRequestWithoutAnswer()
    {
        QFETCH(QString, how);
        QFETCH(QString, error);
        Runtime rt;
        auto js = std::make_shared<Journal>();
        auto server = spawnScripted(rt, js,
            {.call =
                    [](Scripted& s, const Term&, const From& from) {
                        s.held = from;
                        return Next::noreply();
                    },
                .cast = [](Scripted&, const Term& m) -> Next {
                    if (textOf(m) == "crash") throw std::runtime_error("boom");
                    return Next::stop(ExitReason::normal());
                }});
        QVERIFY(server.ok());
        Pid target = *server;
        if (how == "unknown") {
            target = Pid(987654321);
        } else if (how == "dead") {
            QVERIFY(rt.stop(*server, ExitReason::normal(), kLong).ok());
        }
        auto j = std::make_shared<Journal>();
        auto client = spawnScripted(rt, j,
            {.cast =
                    [target](Scripted& s, const Term&) {
                        auto id = s.runtime().sendRequest(target, msg("hold"));
                        s.journal->add(id ? "sent" : std::string("sendRequest failed:") + errcName(id.error().code));
                        if (id) s.requests.push_back(*id);
                        return Next::noreply();
                    },
                .info =
                    [target](Scripted& s, const Info& info) {
                        if (info.kind == Info::Kind::Reply)
                            s.journal->add(std::string(info.ref == s.requests.at(0) ? "its id" : "another id")
                                + (info.from == target ? ", from the server" : ", from elsewhere")
                                + (info.message.has_value() ? ", with a value" : ""));
                        return Next::noreply();
                    }});
        QVERIFY(client.ok());
        rt.cast(*client, msg("go"));
        QVERIFY(j->waitForItem("sent"));
        if (how == "kill" || how == "crash" || how == "stop") {
            QVERIFY(js->waitForItem("call:hold"));
            if (how == "kill")
                rt.kill(*server);
            else
                rt.cast(*server, Term(how.toStdString()));
        }
        const std::string expected = "reply-error:" + error.toStdString();
        QVERIFY2(j->waitForItem(expected), qPrintable(qsl(j->items()).join(QLatin1String(" | "))));
        QVERIFY(!rt.isAlive(target));
        // Exactly one Reply: nothing more comes once the dust settles.
        QVERIFY(rt.waitQuiescent(kLong));
        rt.send(*client, msg("marker"));
        QVERIFY(j->waitForItem("info:marker"));
        QCOMPARE(qsl(j->items()),
            QStringList({"init", "cast:go", "sent", qs(expected), "its id, from the server", "info:marker"}));
    }

    void sendRequestRefusedOutright()
    {
        Runtime rt;
        auto server = spawnScripted(rt, std::make_shared<Journal>());
        QVERIFY(server.ok());
        // Not from a process: there is no one to send the answer to.
        auto outside = rt.sendRequest(*server, msg("x"));
        QVERIFY(!outside.ok());
        QCOMPARE(outside.error().code, Errc::NoProc);
        // To itself: refused at once, no handle_call, no Reply.
        auto j = std::make_shared<Journal>();
        auto self = spawnScripted(rt, j, {.cast = [](Scripted& s, const Term&) {
            auto id = s.runtime().sendRequest(s.self(), msg("me"));
            s.journal->add(id ? "sent" : std::string("refused:") + errcName(id.error().code));
            return Next::noreply();
        }});
        QVERIFY(self.ok());
        rt.cast(*self, msg("go"));
        QVERIFY(j->waitFor([](const auto& v) { return v.size() >= 3; }));
        QVERIFY(rt.waitQuiescent(kLong));
        rt.send(*self, msg("marker"));
        QVERIFY(j->waitForItem("info:marker"));
        QCOMPARE(qsl(j->items()),
            QStringList({"init", "cast:go", QString("refused:") + errcName(Errc::CallingSelf), "info:marker"}));
    }

    void answeredRequestIsForgotten_data()
    {
        QTest::addColumn<bool>("later");
        QTest::addColumn<QString>("death");
        QTest::newRow("reply now, then crash") << false << "crash";
        QTest::newRow("reply now, then kill") << false << "kill";
        QTest::newRow("reply later, then crash") << true << "crash";
        QTest::newRow("reply later, then kill") << true << "kill";
    }
    void answeredRequestIsForgotten()
    {
        // After its answer the request is no longer the server's concern:
        // its death later sends no second Reply for the same id.
        QFETCH(bool, later);
        QFETCH(QString, death);
        Runtime rt;
        auto js = std::make_shared<Journal>();
        auto server = spawnScripted(rt, js,
            {.call =
                    [later](Scripted& s, const Term&, const From& from) {
                        if (!later) return Next::reply(Term(7));
                        s.held = from;
                        return Next::noreply();
                    },
                .cast = [](Scripted& s, const Term& m) -> Next {
                    if (textOf(m) == "crash") throw std::runtime_error("boom");
                    s.runtime().reply(s.held, Term(7));
                    return Next::noreply();
                }});
        QVERIFY(server.ok());
        const Pid sp = *server;
        auto j = std::make_shared<Journal>();
        auto client = spawnScripted(rt, j, {.cast = [sp](Scripted& s, const Term&) {
            auto id = s.runtime().sendRequest(sp, msg("q"));
            s.journal->add(id ? "sent" : "sendRequest failed");
            return Next::noreply();
        }});
        QVERIFY(client.ok());
        rt.cast(*client, msg("go"));
        if (later) {
            QVERIFY(js->waitForItem("call:q"));
            rt.cast(sp, msg("answer"));
        }
        QVERIFY(j->waitForItem("reply:7"));
        if (death == "kill")
            rt.kill(sp);
        else
            rt.cast(sp, msg("crash"));
        QTRY_VERIFY_WITH_TIMEOUT(!rt.isAlive(sp), int(kLong.count()));
        QVERIFY(rt.waitQuiescent(kLong));
        rt.send(*client, msg("marker"));
        QVERIFY(j->waitForItem("info:marker"));
        QCOMPARE(qsl(j->items()), QStringList({"init", "cast:go", "sent", "reply:7", "info:marker"}));
    }

    void receiveWaitsForAReply()
    {
        // A callback can wait for its own request's answer with a selective
        // receive; what arrived meanwhile stays queued, in order.
        Runtime rt(RuntimeOptions {.workers = 1});
        auto js = std::make_shared<Journal>();
        auto server = spawnScripted(rt, js, holdingCalls());
        QVERIFY(server.ok());
        const Pid sp = *server;
        auto j = std::make_shared<Journal>();
        auto client = spawnScripted(rt, j, {.cast = [sp](Scripted& s, const Term&) {
            auto id = s.runtime().sendRequest(sp, msg("hold"));
            if (!id) {
                s.journal->add("sendRequest failed");
                return Next::noreply();
            }
            s.journal->add("waiting");
            auto got = s.receive([&](const Info& i) { return i.kind == Info::Kind::Reply && i.ref == *id; }, kLong);
            s.journal->add(got ? "received:" + shown(got->message) + (got->from == sp ? " from the server" : "")
                               : "receive timed out");
            return Next::noreply();
        }});
        QVERIFY(client.ok());
        rt.cast(*client, msg("go"));
        QVERIFY(j->waitForItem("waiting"));
        QVERIFY(js->waitForItem("call:hold"));
        rt.send(*client, msg("meanwhile"));
        rt.cast(sp, msg("release"));
        QVERIFY(j->waitForItem("info:meanwhile"));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(qsl(j->items()),
            QStringList({"init", "cast:go", "waiting", "received:42 from the server", "info:meanwhile"}));
    }

    void answeredRequestKeepsMonitorOrder()
    {
        // relations() lists a process's monitors oldest first; a request
        // answered between them must not reorder them.
        Runtime rt;
        auto js = std::make_shared<Journal>();
        auto server = spawnScripted(rt, js, holdingCalls());
        QVERIFY(server.ok());
        const Pid sp = *server;
        std::vector<Pid> watchers;
        for (int i = 0; i < 3; ++i) {
            auto w = spawnScripted(rt, std::make_shared<Journal>());
            QVERIFY(w.ok());
            watchers.push_back(*w);
        }
        auto j = std::make_shared<Journal>();
        auto client = spawnScripted(rt, j, {.cast = [sp](Scripted& s, const Term&) {
            s.journal->add(s.runtime().sendRequest(sp, msg("hold")) ? "sent" : "sendRequest failed");
            return Next::noreply();
        }});
        QVERIFY(client.ok());
        rt.monitor(watchers[0], sp);
        rt.cast(*client, msg("go"));
        QVERIFY(js->waitForItem("call:hold"));
        rt.monitor(watchers[1], sp);
        rt.monitor(watchers[2], sp);
        rt.cast(sp, msg("release"));
        QVERIFY(j->waitForItem("reply:42"));
        auto rel = rt.relations(sp);
        QVERIFY(rel.ok());
        auto listed = [](const std::vector<Pid>& v) {
            QList<quint64> out;
            for (Pid p : v)
                out << quint64(p);
            return out;
        };
        QCOMPARE(listed(rel->monitoredBy), listed(watchers));
    }

    // -- mailbox and inbox --
    void continueRunsBeforeManyQueuedMessages()
    {
        // Hundreds already queued (the inbox spans many blocks): each
        // message's continue, and a continue's continue, still run before
        // the next message, wherever the front is in its block.
        Runtime rt;
        auto gate = std::make_shared<Gate>();
        OpenOnExit opener {gate};
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j,
            {.cast =
                    [gate](Scripted&, const Term&) {
                        gate->wait();
                        return Next::noreply();
                    },
                .info = [](Scripted&, const Info& info) { return Next::noreply().continueWith(info.message); },
                .cont =
                    [](Scripted&, const Term& arg) {
                        const std::string t = textOf(arg);
                        const bool again = t.back() == '0' && t.rfind("again ", 0) != 0;
                        return again ? Next::noreply().continueWith(Term("again " + t)) : Next::noreply();
                    }});
        QVERIFY(pid.ok());
        rt.cast(*pid, msg("block"));
        QVERIFY(j->waitForItem("cast:block"));
        constexpr int kQueued = 300;
        for (int i = 0; i < kQueued; ++i)
            rt.send(*pid, Term(std::to_string(i)));
        gate->open();
        QVERIFY(j->waitForItem("continue:" + std::to_string(kQueued - 1)));
        QVERIFY(rt.waitQuiescent(kLong));
        QStringList expected {"init", "cast:block"};
        for (int i = 0; i < kQueued; ++i) {
            const QString n = QString::number(i);
            expected << "info:" + n << "continue:" + n;
            if (i % 10 == 0) expected << "continue:again " + n;
        }
        QCOMPARE(qsl(j->items()), expected);
    }

    void mailboxCountIsWhatWaits()
    {
        // The snapshot's mailbox is Erlang's message_queue_len: what waits,
        // whether still in the mailbox or already taken into the inbox, and
        // not the message being handled nor one taken by a receive.
        Runtime rt;
        std::vector<std::shared_ptr<Gate>> gates {
            std::make_shared<Gate>(), std::make_shared<Gate>(), std::make_shared<Gate>()};
        OpenOnExit o0 {gates[0]}, o1 {gates[1]}, o2 {gates[2]};
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j, {.cast = [gates](Scripted& s, const Term& m) {
            if (textOf(m) == "hold") {
                s.journal->add("holding");
                gates[0]->wait();
            } else if (textOf(m) == "receive") {
                s.journal->add("handling");
                gates[1]->wait();
                auto got = s.receive([](const Info& i) { return textOf(i.message) == "wanted"; }, kLong);
                s.journal->add(got ? "received" : "receive timed out");
                gates[2]->wait();
            }
            return Next::noreply();
        }});
        QVERIFY(pid.ok());
        auto mailbox = [&] {
            auto row = rowOf(rt, *pid);
            return row ? row->mailbox : ~std::uint32_t(0);
        };
        QCOMPARE(mailbox(), 0u);
        rt.cast(*pid, msg("hold"));
        QVERIFY(j->waitForItem("holding"));
        QCOMPARE(mailbox(), 0u); // the one being handled does not count
        rt.cast(*pid, msg("receive"));
        for (int i = 0; i < 30; ++i)
            rt.send(*pid, msg("filler"));
        rt.send(*pid, msg("wanted"));
        for (int i = 0; i < 10; ++i)
            rt.send(*pid, msg("filler"));
        QCOMPARE(mailbox(), 42u); // all still in the mailbox
        gates[0]->open();
        // All 42 were taken into the inbox in one go, and one is being handled.
        QVERIFY(j->waitForItem("handling"));
        QCOMPARE(mailbox(), 41u);
        gates[1]->open();
        QVERIFY(j->waitForItem("received"));
        QCOMPARE(mailbox(), 40u);
        gates[2]->open();
        QVERIFY(j->waitForCount("info:filler", 40));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(mailbox(), 0u);
        QVERIFY(!j->contains("info:wanted"));
    }

    void selectiveReceiveTakesOldestAcrossInboxAndMailbox()
    {
        Runtime rt;
        auto gates = std::make_shared<std::pair<Gate, Gate>>();
        auto j = std::make_shared<Journal>();
        auto pid = spawnScripted(rt, j, {.cast = [gates](Scripted& s, const Term& m) {
            if (textOf(m) == "hold") {
                gates->first.wait();
                return Next::noreply();
            }
            s.journal->add("receiving");
            gates->second.wait(); // meanwhile more arrive in the mailbox
            auto wanted = [](const Info& i) { return textOf(i.message).rfind("want", 0) == 0; };
            for (int k = 0; k < 2; ++k) {
                auto got = s.receive(wanted, kLong);
                s.journal->add(got ? "received " + textOf(got->message) : "receive timed out");
            }
            s.journal->add(s.receive(wanted, 50ms) ? "unexpected" : "no more");
            return Next::noreply();
        }});
        QVERIFY(pid.ok());
        struct Opener {
            std::shared_ptr<std::pair<Gate, Gate>> g;
            ~Opener()
            {
                g->first.open();
                g->second.open();
            }
        } opener {gates};
        rt.cast(*pid, msg("hold"));
        rt.cast(*pid, msg("go"));
        // These are taken into the inbox with "go".
        for (int i = 0; i < 25; ++i)
            rt.send(*pid, Term("a" + std::to_string(i)));
        rt.send(*pid, msg("want old"));
        for (int i = 25; i < 30; ++i)
            rt.send(*pid, Term("a" + std::to_string(i)));
        gates->first.open();
        QVERIFY(j->waitForItem("receiving"));
        // These wait in the mailbox while the inbox holds the older ones.
        rt.send(*pid, msg("want new"));
        rt.send(*pid, msg("b"));
        gates->second.open();
        QVERIFY(j->waitForItem("info:b"));
        QVERIFY(rt.waitQuiescent(kLong));
        QStringList expected {
            "init", "cast:hold", "cast:go", "receiving", "received want old", "received want new", "no more"};
        for (int i = 0; i < 30; ++i)
            expected << "info:a" + QString::number(i);
        expected << "info:b";
        QCOMPARE(qsl(j->items()), expected);
    }

    // -- scheduling: per-worker queues --
    void pingPongDoesNotStarveOthers_data()
    {
        QTest::addColumn<bool>("wokenByThePair");
        // Queued on the pair's worker, behind the "next" slot: only the limit
        // on runs in a row from that slot lets it through.
        QTest::newRow("woken by one of the pair") << true;
        // Queued on the global queue: the worker must look there now and then.
        QTest::newRow("sent a message from outside") << false;
    }
    void pingPongDoesNotStarveOthers()
    {
        // Two processes waking each other for ever run back to back on the
        // worker's "next" slot; a third woken meanwhile must still get its
        // turn. One worker, and no stall watchdog to add another.
        QFETCH(bool, wokenByThePair);
        Runtime rt(RuntimeOptions {.workers = 1, .stallThreshold = std::chrono::hours(1)});
        auto j = std::make_shared<Journal>();
        auto third = spawnScripted(rt, j);
        QVERIFY(third.ok());
        auto bounces = std::make_shared<std::atomic<long>>(0);
        auto partnerOfA = std::make_shared<std::atomic<Pid>>(0);
        auto partnerOfB = std::make_shared<std::atomic<Pid>>(0);
        auto a = rt.spawn(std::make_unique<Bouncer>(partnerOfA, *third, bounces));
        auto b = rt.spawn(std::make_unique<Bouncer>(partnerOfB, *third, bounces));
        QVERIFY(a.ok() && b.ok());
        partnerOfA->store(*b);
        partnerOfB->store(*a);
        rt.send(*a, msg("ball"));
        QTRY_VERIFY_WITH_TIMEOUT(bounces->load() > 1000, int(kLong.count()));
        if (wokenByThePair)
            rt.send(*a, msg("poke")); // on its next bounce it wakes the third, then its partner
        else
            rt.send(*third, msg("hello"));
        QVERIFY2(j->waitForItem("info:hello"), "the third process never ran while the pair bounced");
        const long seen = bounces->load();
        QTRY_VERIFY_WITH_TIMEOUT(bounces->load() > seen + 1000, int(kLong.count())); // and the pair goes on
        QVERIFY(rt.stop(*a, ExitReason::shutdown(), kLong).ok());
        QVERIFY(rt.stop(*b, ExitReason::shutdown(), kLong).ok());
    }

    void blockingCallerHandsOnItsQueue()
    {
        // One worker. A wakes B, then blocks in a call to C, which answers
        // only once B has run: both must run while A waits, although both
        // were queued on A's own worker.
        Runtime rt(RuntimeOptions {.workers = 1, .stallThreshold = std::chrono::hours(1)});
        auto jc = std::make_shared<Journal>();
        auto c = spawnScripted(rt, jc,
            {.call =
                    [](Scripted& s, const Term&, const From& from) {
                        if (s.counter > 0) return Next::reply(Term(42)); // B already ran
                        s.held = from;
                        return Next::noreply();
                    },
                .cast =
                    [](Scripted& s, const Term&) {
                        ++s.counter;
                        if (s.held.valid()) s.runtime().reply(s.held, Term(42));
                        return Next::noreply();
                    }});
        QVERIFY(c.ok());
        const Pid cp = *c;
        auto jb = std::make_shared<Journal>();
        auto b = spawnScripted(rt, jb, {.info = [cp](Scripted& s, const Info&) {
            s.runtime().cast(cp, msg("b ran"));
            return Next::noreply();
        }});
        QVERIFY(b.ok());
        const Pid bp = *b;
        auto ja = std::make_shared<Journal>();
        auto a = spawnScripted(rt, ja, {.cast = [bp, cp](Scripted& s, const Term&) {
            s.runtime().send(bp, msg("wake"));
            auto r = s.runtime().call(cp, msg("ask"), kLong);
            s.journal->add(r ? "answer:" + shown(*r) : std::string("call failed:") + errcName(r.error().code));
            return Next::noreply();
        }});
        QVERIFY(a.ok());
        rt.cast(*a, msg("go"));
        QVERIFY(ja->waitFor([](const auto& v) { return v.size() >= 3; }));
        QCOMPARE(qs(ja->items().at(2)), QStringLiteral("answer:42"));
        QVERIFY(jb->contains("info:wake"));
        QVERIFY(jc->contains("cast:b ran"));
    }

    void wokenByAStuckCallbackStillRuns_data()
    {
        QTest::addColumn<unsigned>("workers");
        QTest::newRow("1 worker") << 1u;
        QTest::newRow("2 workers") << 2u;
    }
    void wokenByAStuckCallbackStillRuns()
    {
        // A wakes B, then stays in its callback (not in a runtime call) until
        // B has run. B sits in A's worker's own queue: the stall watchdog
        // must hand it on, to an idle worker or a stand-in.
        QFETCH(unsigned, workers);
        Runtime rt(RuntimeOptions {.workers = workers});
        auto gate = std::make_shared<Gate>();
        OpenOnExit opener {gate};
        auto jb = std::make_shared<Journal>();
        auto b = spawnScripted(rt, jb, {.info = [gate](Scripted&, const Info&) {
            gate->open();
            return Next::noreply();
        }});
        QVERIFY(b.ok());
        const Pid bp = *b;
        auto ja = std::make_shared<Journal>();
        auto a = spawnScripted(rt, ja, {.cast = [gate, bp](Scripted& s, const Term&) {
            s.runtime().send(bp, msg("wake"));
            s.journal->add(gate->wait(kLong) ? "b ran meanwhile" : "b did not run");
            return Next::noreply();
        }});
        QVERIFY(a.ok());
        rt.cast(*a, msg("go"));
        QVERIFY(ja->waitFor([](const auto& v) { return v.size() >= 3; }, 2 * kLong));
        QCOMPARE(qs(ja->items().at(2)), QStringLiteral("b ran meanwhile"));
        QVERIFY(jb->contains("info:wake"));
    }

    void manyWokenAtOnceAreShared()
    {
        // One callback wakes many processes, all queued on its worker. The
        // first to run stays in its callback until another worker has run
        // one of them too: with the stall watchdog off, only an idle worker
        // stealing from the busy one's queue lets that happen. All run.
        Runtime rt(RuntimeOptions {.workers = 2, .stallThreshold = std::chrono::hours(1)});
        auto meeting = std::make_shared<Meeting>();
        constexpr int kWoken = 64;
        std::vector<Pid> woken;
        for (int i = 0; i < kWoken; ++i) {
            auto p = rt.spawn(std::make_unique<MeetingGoer>(meeting));
            QVERIFY(p.ok());
            woken.push_back(*p);
        }
        auto fan = spawnScripted(rt, std::make_shared<Journal>(), {.cast = [woken](Scripted& s, const Term&) {
            for (Pid p : woken)
                s.runtime().send(p, msg("wake"));
            return Next::noreply();
        }});
        QVERIFY(fan.ok());
        rt.cast(*fan, msg("go"));
        QVERIFY2(meeting->waitHandled(kWoken), "not every woken process ran");
        std::lock_guard lock(meeting->mutex);
        QVERIFY2(meeting->met, "no second worker took any of the woken processes");
        QCOMPARE(meeting->handled, kWoken);
        QCOMPARE(int(meeting->threads.size()), 2);
    }
};

QTEST_GUILESS_MAIN(TestProcess)
#include "tst_process.moc"
