// The app itself killed with SIGKILL at a random moment of a long stream of
// finance requests (issue 6, item 4). After each kill the data directory is
// reopened: the ledger opens cleanly, every request the trace shows answered
// is in it exactly once (an ok as the accepted record the reply named, an
// insufficient_funds as a recorded rejection), nothing else is, the ledger
// takes new records, and the app restarted with --recover-state on it
// reports the ledger's totals.
//
// SC_CRASH_REPEATS=N sets the number of repetitions (default 5), and
// SC_CRASH_SEED=S replays a run: every repetition's stream and kill moment
// derive from the seed printed at the start (one repetition alone:
// app_tst_appcrash 'killedMidStream:rep 17' with the same seed and N > 17).
// A failing repetition keeps its directory (scenario, trace, stderr, ledger)
// and names it in the message.

#include "apptest.h"
#include "core/finance/finance.h"
#include "core/finance/ledger.h"
#include "core/finance/money.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <algorithm>
#include <limits>
#include <map>
#include <optional>

using namespace apptest;

namespace {

// -- the stream --

enum class Kind { Donate, PoolAdd, Deposit, Withdraw };

/// One request of the stream. Its amount is unique in the stream, so the
/// ledger record it writes (accepted or rejected) is found by amount alone.
struct Request {
    Kind kind = Kind::Donate;
    QString user;
    qint64 cents = 0;
    /// What the services must answer, worked out when the stream is made (the
    /// requests run one after another): the new total or balance, or nothing
    /// for a withdrawal beyond the balance (insufficient_funds, recorded as refused).
    std::optional<qint64> result;
};

const QStringList kUsers {
    QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol"), QString::fromUtf8("zo\xc3\xab")};
/// The user of the record the test appends to the ledger between the two runs.
const QString kAppendedUser = QStringLiteral("after-crash");

/// Requests per stream (each writes two trace lines, step and reply).
constexpr int kRequests = 4000;
/// Request i asks for 10.00 + i cents, or for a withdrawal beyond any
/// balance (the deposits add up to far less) kHugeCents + i cents.
constexpr qint64 kBaseCents = 1000;
constexpr qint64 kHugeCents = 1'000'000'000;

const char* stepName(Kind kind)
{
    switch (kind) {
    case Kind::Donate:
        return "donate";
    case Kind::PoolAdd:
        return "pool_add";
    case Kind::Deposit:
        return "deposit";
    case Kind::Withdraw:
        return "withdraw";
    }
    return "?";
}

const char* recordKind(Kind kind)
{
    switch (kind) {
    case Kind::Donate:
        return sc::finance::kDonation;
    case Kind::PoolAdd:
        return sc::finance::kPoolDonation;
    case Kind::Deposit:
        return sc::finance::kDeposit;
    case Kind::Withdraw:
        return sc::finance::kWithdrawal;
    }
    return "?";
}

QString amountText(qint64 cents)
{
    return QString::fromStdString(sc::Money::fromMinorUnits(cents).toString());
}

std::vector<Request> makeStream(QRandomGenerator& rng)
{
    std::vector<Request> stream;
    std::map<QString, qint64> totals, balances;
    qint64 pool = 0;
    for (int i = 0; i < kRequests; ++i) {
        Request r;
        const quint32 draw = rng.bounded(20);
        r.kind = draw < 12 ? Kind::Donate : draw < 15 ? Kind::PoolAdd : draw < 17 ? Kind::Deposit : Kind::Withdraw;
        r.user = kUsers[int(rng.bounded(quint32(kUsers.size())))];
        r.cents = kBaseCents + i;
        // Some withdrawals certainly refused, besides those that meet a low balance.
        if (r.kind == Kind::Withdraw && rng.bounded(3) == 0) r.cents = kHugeCents + i;
        switch (r.kind) {
        case Kind::Donate:
            r.result = totals[r.user] += r.cents;
            break;
        case Kind::PoolAdd:
            r.result = pool += r.cents;
            break;
        case Kind::Deposit:
            r.result = balances[r.user] += r.cents;
            break;
        case Kind::Withdraw:
            if (balances[r.user] >= r.cents) r.result = balances[r.user] -= r.cents;
            break;
        }
        stream.push_back(r);
    }
    return stream;
}

QJsonObject userStep(const char* action, const QString& user)
{
    return QJsonObject {{QStringLiteral("do"), QLatin1String(action)}, {QStringLiteral("user"), user}};
}

QJsonObject amountStep(const char* action, const QString& user, qint64 cents)
{
    QJsonObject step = userStep(action, user);
    step.insert(QStringLiteral("amount"), amountText(cents));
    return step;
}

/// The scenario's steps: a tracker per user, then the stream, so request i is steps[kUsers.size() + i].
QJsonArray streamSteps(const std::vector<Request>& stream)
{
    QJsonArray steps;
    for (const QString& user : kUsers)
        steps.append(userStep("open_tracker", user));
    for (const Request& r : stream)
        steps.append(amountStep(stepName(r.kind), r.user, r.cents));
    return steps;
}

bool writeScenario(const QString& file, const QJsonArray& steps)
{
    const QJsonObject scenario {{QStringLiteral("tree"), QStringLiteral("finance")}, {QStringLiteral("steps"), steps}};
    const QByteArray json = QJsonDocument(scenario).toJson(QJsonDocument::Compact);
    QFile f(file);
    return f.open(QIODevice::WriteOnly) && f.write(json) == json.size() && f.flush();
}

// -- the trace --

/// A step of the trace with its reply, if the reply's line is complete.
struct Traced {
    QString action;
    QString user;
    std::optional<QJsonObject> reply;
};

/// The steps of the complete lines of a trace, in order (a last line cut
/// short by the kill is not read). Empty with `*problem` set if a complete
/// line is not a JSON object or a reply has no step before it.
std::vector<Traced> tracedSteps(const QByteArray& trace, QString* problem)
{
    std::vector<Traced> steps;
    const QList<QByteArray> lines = completeLines(trace);
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(lines[i], &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject()) {
            *problem = QStringLiteral("trace line %1 is not a JSON object (%2): %3")
                           .arg(i + 1)
                           .arg(error.errorString(), QString::fromUtf8(lines[i]));
            return {};
        }
        const QJsonObject o = doc.object();
        const QString event = o.value(QLatin1String("event")).toString();
        if (event == QLatin1String("step")) {
            steps.push_back({o.value(QLatin1String("do")).toString(), o.value(QLatin1String("user")).toString(), {}});
        } else if (event == QLatin1String("reply")) {
            if (steps.empty() || steps.back().reply) {
                *problem = QStringLiteral("trace line %1: a reply without a step before it").arg(i + 1);
                return {};
            }
            steps.back().reply = o;
        }
    }
    return steps;
}

std::optional<qint64> centsOf(const QJsonValue& value)
{
    const auto money = sc::Money::parse(value.toString().toStdString());
    if (!money) return std::nullopt;
    return money->minorUnits();
}

// -- the ledger --

/// What the ledger holds, summed as the services and the report read it.
struct Totals {
    std::map<QString, qint64> trackers; ///< per user: the last accepted donation's result
    std::map<QString, qint64> donatedByUser; ///< per user: the sum of accepted donations
    std::map<QString, qint64> balances; ///< per user: the last accepted deposit's or withdrawal's result
    std::map<QString, qint64> depositedByUser; ///< per user: deposits minus withdrawals
    qint64 donations = 0, pool = 0, deposits = 0, withdrawals = 0;
    qint64 records = 0, rejected = 0;
    qint64 maxId = 0;

    QString reportText() const
    {
        return QStringLiteral("donations=%1 pool=%2 deposits=%3 withdrawals=%4 records=%5 rejected=%6")
            .arg(amountText(donations), amountText(pool), amountText(deposits), amountText(withdrawals))
            .arg(records)
            .arg(rejected);
    }
};

Totals totalsOf(const std::vector<sc::LedgerRecord>& records)
{
    Totals t;
    for (const auto& r : records) {
        ++t.records;
        t.maxId = std::max<qint64>(t.maxId, r.id);
        if (r.error) {
            ++t.rejected;
            continue;
        }
        const QString user = QString::fromStdString(r.user);
        const qint64 amount = r.amount.minorUnits();
        const qint64 result = r.result ? r.result->minorUnits() : 0;
        if (r.kind == sc::finance::kDonation) {
            t.donations += amount;
            t.donatedByUser[user] += amount;
            t.trackers[user] = result;
        } else if (r.kind == sc::finance::kPoolDonation) {
            t.pool += amount;
        } else if (r.kind == sc::finance::kDeposit) {
            t.deposits += amount;
            t.depositedByUser[user] += amount;
            t.balances[user] = result;
        } else if (r.kind == sc::finance::kWithdrawal) {
            t.withdrawals += amount;
            t.depositedByUser[user] -= amount;
            t.balances[user] = result;
        }
    }
    return t;
}

// -- the figures of a whole run, printed at the end --

struct Figures {
    int repetitions = 0;
    int killedByLines = 0;
    int killedByDelay = 0;
    int finishedFirst = 0; ///< the stream ended before the kill landed
    qint64 answeredOk = 0;
    std::map<Kind, qint64> okByKind;
    qint64 answeredRejected = 0;
    int noLedgerYet = 0; ///< killed before the ledger file was created
    int noRecordYet = 0; ///< the file was there, but no record in it
    int walLeft = 0; ///< a write-ahead log was left behind for the open to recover
    qint64 records = 0;
    qint64 unanswered = 0; ///< committed, but the kill came before the answer reached the trace
    qint64 minLines = std::numeric_limits<qint64>::max(), maxLines = 0;
    qint64 minAnswered = std::numeric_limits<qint64>::max(), maxAnswered = 0;
    int minDelayMs = std::numeric_limits<int>::max(), maxDelayMs = 0;
};

} // namespace

// QVERIFY2 builds its message even when the check holds, and thousands of
// records are checked per repetition: this builds it only on failure, after
// the repetition's seed and kill moment (`where`).
#define CHECK(condition, what)                                                                                         \
    do {                                                                                                               \
        if (!(condition)) QFAIL(qPrintable(where + (what)));                                                           \
    } while (false)

class TstAppCrash : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
        bool ok = false;
        const int repeats = qEnvironmentVariableIntValue("SC_CRASH_REPEATS", &ok);
        m_repeats = ok && repeats > 0 ? repeats : 5;
        const QByteArray seed = qgetenv("SC_CRASH_SEED");
        m_seed = seed.isEmpty() ? QRandomGenerator::system()->generate64() : seed.toULongLong(&ok);
        QVERIFY2(seed.isEmpty() || ok, "SC_CRASH_SEED is not an unsigned integer");
        qInfo("tst_appcrash: %d repetitions, seed %llu (replay with SC_CRASH_SEED=%llu SC_CRASH_REPEATS=%d)", m_repeats,
            static_cast<unsigned long long>(m_seed), static_cast<unsigned long long>(m_seed), m_repeats);
        m_clock.start();
    }

    void cleanupTestCase()
    {
        const Figures& f = m_figures;
        if (f.repetitions == 0) return;
        qInfo("tst_appcrash: %d repetitions in %.1f s (seed %llu): %d killed after a number of trace lines, %d after "
              "a delay (%d to %d ms), %d finished first",
            f.repetitions, double(m_clock.elapsed()) / 1000.0, static_cast<unsigned long long>(m_seed), f.killedByLines,
            f.killedByDelay, f.killedByDelay ? f.minDelayMs : 0, f.maxDelayMs, f.finishedFirst);
        qInfo("tst_appcrash: trace at the kill: %lld to %lld complete lines, %lld to %lld requests answered",
            f.minLines, f.maxLines, f.minAnswered, f.maxAnswered);
        qInfo("tst_appcrash: checked %lld requests answered ok (%lld donate, %lld pool_add, %lld deposit, %lld "
              "withdraw) and %lld answered insufficient_funds against %lld ledger records (%lld committed but "
              "unanswered when killed)",
            f.answeredOk, f.okByKind.count(Kind::Donate) ? f.okByKind.at(Kind::Donate) : 0,
            f.okByKind.count(Kind::PoolAdd) ? f.okByKind.at(Kind::PoolAdd) : 0,
            f.okByKind.count(Kind::Deposit) ? f.okByKind.at(Kind::Deposit) : 0,
            f.okByKind.count(Kind::Withdraw) ? f.okByKind.at(Kind::Withdraw) : 0, f.answeredRejected, f.records,
            f.unanswered);
        qInfo("tst_appcrash: the ledger after the kill: not created yet in %d repetitions, without a record in %d, "
              "with a write-ahead log left to recover in %d",
            f.noLedgerYet, f.noRecordYet, f.walLeft);
    }

    /// A kill can cut the trace's last line short: it is not read, while a
    /// complete line that does not parse is an error.
    void traceCutShort()
    {
        const QByteArray trace = "{\"seq\":1,\"event\":\"start\",\"path\":\"finance\",\"pid\":1}\n"
                                 "{\"seq\":2,\"event\":\"step\",\"do\":\"donate\",\"user\":\"alice\"}\n"
                                 "{\"seq\":3,\"event\":\"reply\",\"do\":\"donate\",\"ok\":true,\"value\":\"10.00\","
                                 "\"id\":\"1\"}\n"
                                 "{\"seq\":4,\"event\":\"step\",\"do\":\"donate\",\"user\":\"bob\"}\n"
                                 "{\"seq\":5,\"event\":\"reply\",\"do\":\"donate\",\"ok\":tr";
        QString problem;
        const std::vector<Traced> steps = tracedSteps(trace, &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(steps.size(), std::size_t(2));
        QCOMPARE(steps[0].user, QStringLiteral("alice"));
        QVERIFY(steps[0].reply);
        QCOMPARE(steps[0].reply->value(QLatin1String("id")).toString(), QStringLiteral("1"));
        QCOMPARE(steps[1].user, QStringLiteral("bob"));
        QVERIFY(!steps[1].reply);

        QVERIFY(tracedSteps(trace.left(trace.lastIndexOf('\n') + 1) + "{\"seq\":5,\"ev\n", &problem).empty());
        QVERIFY2(problem.contains(QLatin1String("trace line 5 is not a JSON object")), qPrintable(problem));
        problem.clear();
        QVERIFY(tracedSteps(trace.left(trace.indexOf('\n') + 1) + trace.mid(trace.indexOf("{\"seq\":3")), &problem)
                    .empty());
        QVERIFY2(problem.contains(QLatin1String("a reply without a step before it")), qPrintable(problem));
    }

    void killedMidStream_data()
    {
        QTest::addColumn<int>("repetition");
        QTest::addColumn<quint64>("seed");
        QRandomGenerator seeds(m_seed);
        for (int i = 0; i < m_repeats; ++i)
            QTest::addRow("rep %d", i) << i << seeds.generate64();
    }

    void killedMidStream()
    {
#ifdef SC_APP_BINARY
        QFETCH(int, repetition);
        QFETCH(quint64, seed);
        QRandomGenerator rng(seed);

        // Kept on failure, for a look at the trace and the ledger.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        dir.setAutoRemove(false);
        const QString data = dir.filePath(QStringLiteral("data"));
        const QString trace = dir.filePath(QStringLiteral("trace.jsonl"));
        const QString scenario = dir.filePath(QStringLiteral("stream.json"));

        const std::vector<Request> stream = makeStream(rng);
        const QJsonArray steps = streamSteps(stream);
        QVERIFY(writeScenario(scenario, steps));
        const int firstRequest = int(kUsers.size());

        // The moment: mostly after a number of trace lines anywhere in the stream (each
        // request writes two), sometimes after a delay, which also reaches the start-up
        // before the first line (the ledger's creation, the tree starting: about the
        // first 200 ms here, so half the delays fall within 250 ms).
        const bool byDelay = rng.bounded(4) == 0;
        const int delayMs = !byDelay ? 0 : rng.bounded(2) == 0 ? int(rng.bounded(250)) : int(rng.bounded(1000));
        const qint64 killAtLines = byDelay ? 0 : 1 + qint64(rng.bounded(quint32(2 * kRequests)));
        const QString where = QStringLiteral("rep %1, seed %2, kill %3, dir %4: ")
                                  .arg(repetition)
                                  .arg(seed)
                                  .arg(byDelay ? QStringLiteral("%1 ms after the start").arg(delayMs)
                                               : QStringLiteral("at %1 trace lines").arg(killAtLines),
                                      dir.path());

        // -- run, and kill --

        { // The watcher needs the file to exist; the app truncates it, keeping the inode.
            QFile f(trace);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        QFile traceReader(trace);
        QVERIFY(traceReader.open(QIODevice::ReadOnly));
        QFileSystemWatcher watcher({trace});
        QProcess app;
        app.setProcessEnvironment(appEnvironment());
        app.setStandardOutputFile(QProcess::nullDevice());
        app.setStandardErrorFile(dir.filePath(QStringLiteral("stderr.txt")));
        QEventLoop loop;
        qint64 linesSeen = 0;
        bool killed = false;
        auto kill = [&] {
            if (killed || app.state() != QProcess::Running) return;
            app.kill(); // SIGKILL
            killed = true;
            loop.quit();
        };
        QObject::connect(&watcher, &QFileSystemWatcher::fileChanged, &loop, [&] {
            const QByteArray more = traceReader.readAll();
            linesSeen += more.count('\n');
            if (!byDelay && linesSeen >= killAtLines) kill();
        });
        QObject::connect(&app, &QProcess::finished, &loop, &QEventLoop::quit);
        QTimer giveUp; // not a timing assertion: only a bound on a wait for an event that is due
        giveUp.setSingleShot(true);
        QObject::connect(&giveUp, &QTimer::timeout, &loop, &QEventLoop::quit);
        app.start(QStringLiteral(SC_APP_BINARY),
            {QStringLiteral("--headless"), QStringLiteral("--scenario"), scenario, QStringLiteral("--trace"), trace,
                QStringLiteral("--data-dir"), data});
        CHECK(app.waitForStarted(), app.errorString());
        if (byDelay) QTimer::singleShot(delayMs, &loop, kill);
        giveUp.start(kRunTimeoutMs);
        loop.exec();
        const bool timedOut = !killed && app.state() != QProcess::NotRunning;
        if (timedOut) app.kill();
        CHECK(app.waitForFinished(kRunTimeoutMs), QStringLiteral("the app did not end"));
        CHECK(!timedOut,
            QStringLiteral("no kill within %1 s: %2 trace lines seen").arg(kRunTimeoutMs / 1000).arg(linesSeen));
        // Killed, or (only in theory: the stream is far longer than any wait) done with it first.
        const bool finishedFirst = app.exitStatus() == QProcess::NormalExit;
        CHECK(app.exitStatus() == QProcess::CrashExit || app.exitCode() == 0,
            QStringLiteral("the app exited %1 before the kill: %2")
                .arg(app.exitCode())
                .arg(QString::fromUtf8(readAll(dir.filePath(QStringLiteral("stderr.txt"))))));

        // -- the trace --

        const QByteArray traceBytes = readAll(trace);
        QString problem;
        const std::vector<Traced> traced = tracedSteps(traceBytes, &problem);
        CHECK(problem.isEmpty(), problem);
        CHECK(traced.size() <= std::size_t(steps.size()), QStringLiteral("more steps traced than run"));
        for (std::size_t s = 0; s < traced.size(); ++s) {
            const QJsonObject step = steps[qsizetype(s)].toObject();
            CHECK(traced[s].action == step.value(QLatin1String("do")).toString()
                    && traced[s].user == step.value(QLatin1String("user")).toString(),
                QStringLiteral("traced step %1 is %2 %3, not steps[%1]").arg(s).arg(traced[s].action, traced[s].user));
        }
        std::size_t answered = 0; // the steps with a complete reply line: a prefix, as they run one by one
        while (answered < traced.size() && traced[answered].reply)
            ++answered;
        CHECK(answered + 1 >= traced.size(), QStringLiteral("a reply is missing before the last step"));

        // -- the ledger --

        const QString ledgerFile = QDir(data).filePath(QLatin1String(sc::Ledger::kFileName));
        const bool ledgerExisted = QFileInfo::exists(ledgerFile);
        const bool walExisted = QFileInfo(ledgerFile + QLatin1String("-wal")).size() > 0;
        auto opened = sc::Ledger::open(data.toStdString());
        CHECK(opened.ok(),
            QStringLiteral("the ledger does not open: ")
                + QString::fromStdString(opened.ok() ? "" : opened.error().toString()));
        std::unique_ptr<sc::Ledger> ledger = std::move(*opened);
        auto all = ledger->all();
        CHECK(all.ok(), QString::fromStdString(all.ok() ? "" : all.error().toString()));
        const std::vector<sc::LedgerRecord> records = *all;

        // Every record is one request's, at most once, as that request asked.
        std::map<qint64, const sc::LedgerRecord*> byCents;
        qint64 lastRecorded = -1; // the highest request index with a record
        for (const auto& r : records) {
            const qint64 cents = r.amount.minorUnits();
            const qint64 index = cents >= kHugeCents ? cents - kHugeCents : cents - kBaseCents;
            CHECK(index >= 0 && index < kRequests && stream[std::size_t(index)].cents == cents,
                QStringLiteral("record %1 (%2 %3) is no request's")
                    .arg(r.id)
                    .arg(QString::fromStdString(r.kind), amountText(cents)));
            CHECK(byCents.emplace(cents, &r).second,
                QStringLiteral("request %1 (%2) is in the ledger twice: records %3 and %4")
                    .arg(index)
                    .arg(amountText(cents))
                    .arg(byCents[cents]->id)
                    .arg(r.id));
            const Request& request = stream[std::size_t(index)];
            CHECK(r.kind == recordKind(request.kind) && QString::fromStdString(r.user) == request.user,
                QStringLiteral("record %1 is %2 of %3; request %4 is %5 of %6")
                    .arg(r.id)
                    .arg(QString::fromStdString(r.kind), QString::fromStdString(r.user))
                    .arg(index)
                    .arg(QLatin1String(recordKind(request.kind)), request.user));
            CHECK(r.error.has_value() != r.result.has_value(),
                QStringLiteral("record %1 has both or neither of a result and an error").arg(r.id));
            // Each request's outcome is known: the ledger must hold that one.
            CHECK(r.error ? !request.result
                          : request.result && r.result && *r.result == sc::Money::fromMinorUnits(*request.result),
                QStringLiteral("record %1 (%2) says %3; request %4 should have made it %5")
                    .arg(r.id)
                    .arg(amountText(cents),
                        r.error ? QString::fromStdString(*r.error) : amountText(r.result->minorUnits()))
                    .arg(index)
                    .arg(request.result ? amountText(*request.result) : QStringLiteral("insufficient_funds")));
            lastRecorded = std::max(lastRecorded, index);
        }

        // Every answered request is in the ledger as answered. And since each request
        // waits for the one before it, and the runner writes (and flushes) a request's
        // trace lines before it sends the next, the ledger holds exactly the first
        // requests, up to the last answered one or the one after it (committed, but
        // killed before its answer reached the trace).
        qint64 answeredOk = 0, answeredRejected = 0;
        std::map<Kind, qint64> okByKind;
        for (std::size_t s = firstRequest; s < answered; ++s) {
            const Request& request = stream[s - firstRequest];
            const QJsonObject& reply = *traced[s].reply;
            const auto it = byCents.find(request.cents);
            const auto which = [&] {
                return QStringLiteral("request %1 (%2 %3 for %4)")
                    .arg(s - firstRequest)
                    .arg(QLatin1String(stepName(request.kind)), amountText(request.cents), request.user);
            };
            CHECK(it != byCents.end(),
                which() + QStringLiteral(" was answered but is not in the ledger: ")
                    + QString::fromUtf8(QJsonDocument(reply).toJson(QJsonDocument::Compact)));
            const sc::LedgerRecord& r = *it->second;
            if (reply.value(QLatin1String("ok")).toBool()) {
                ++answeredOk;
                ++okByKind[request.kind];
                CHECK(reply.value(QLatin1String("id")).toString() == QString::number(r.id),
                    which()
                        + QStringLiteral(" was answered as record %1 but is record %2")
                              .arg(reply.value(QLatin1String("id")).toString())
                              .arg(r.id));
                CHECK(!r.error && r.result && centsOf(reply.value(QLatin1String("value"))) == r.result->minorUnits(),
                    which()
                        + QStringLiteral(" was answered %1; record %2 says %3")
                              .arg(reply.value(QLatin1String("value")).toString())
                              .arg(r.id)
                              .arg(r.result ? amountText(r.result->minorUnits()) : QStringLiteral("no result")));
            } else {
                ++answeredRejected;
                const QString error = reply.value(QLatin1String("error")).toString();
                CHECK(error == QLatin1String("insufficient_funds"),
                    which() + QStringLiteral(" was answered with the unexpected error ") + error);
                CHECK(r.error && QString::fromStdString(*r.error) == error,
                    which() + QStringLiteral(" was refused (%1) but record %2 does not say so").arg(error).arg(r.id));
            }
        }
        const qint64 lastAnswered = qint64(answered) - 1 - firstRequest; // negative: no request answered yet
        CHECK(lastRecorded < 0 || lastRecorded <= lastAnswered + 1,
            QStringLiteral("request %1 is in the ledger, but the trace answers only up to request %2 (the trace "
                           "must be flushed per line)")
                .arg(lastRecorded)
                .arg(lastAnswered));
        for (qint64 i = 0; i <= lastRecorded; ++i)
            CHECK(byCents.count(stream[std::size_t(i)].cents),
                QStringLiteral("request %1 is missing from the ledger, though request %2 is in it")
                    .arg(i)
                    .arg(lastRecorded));

        // The ledger takes new records after the crash, its ids going on.
        const Totals before = totalsOf(records);
        sc::LedgerRecord appended;
        appended.kind = sc::finance::kDonation;
        appended.user = kAppendedUser.toStdString();
        appended.amount = sc::Money::fromMinorUnits(42);
        appended.result = appended.amount;
        const auto appendedId = ledger->append(appended);
        CHECK(appendedId.ok(), QString::fromStdString(appendedId.ok() ? "" : appendedId.error().toString()));
        QCOMPARE(*appendedId, before.maxId + 1);
        auto withAppended = ledger->all();
        QVERIFY(withAppended.ok());
        QCOMPARE(withAppended->size(), records.size() + 1);
        const Totals expected = totalsOf(*withAppended);
        ledger.reset();

        // -- the app again, recovering its state from the ledger --

        QStringList users = kUsers;
        users << kAppendedUser;
        QJsonArray recoverSteps;
        for (const QString& user : users)
            recoverSteps.append(userStep("open_tracker", user));
        for (const QString& user : users)
            recoverSteps.append(userStep("total", user));
        for (const QString& user : kUsers)
            recoverSteps.append(userStep("balance", user));
        recoverSteps.append(QJsonObject {{QStringLiteral("do"), QStringLiteral("pool_total")}});
        recoverSteps.append(QJsonObject {{QStringLiteral("do"), QStringLiteral("report")}});
        constexpr qint64 kLastDonation = 2 * kHugeCents; // unique in the stream
        recoverSteps.append(amountStep("donate", kUsers[0], kLastDonation));
        const QString recoverScenario = dir.filePath(QStringLiteral("recover.json"));
        QVERIFY(writeScenario(recoverScenario, recoverSteps));
        const Run rerun = runApp({QStringLiteral("--headless"), QStringLiteral("--scenario"), recoverScenario,
            QStringLiteral("--data-dir"), data, QStringLiteral("--recover-state")});
        CHECK(rerun.exitCode == 0,
            QStringLiteral("the run with --recover-state exited %1: %2")
                .arg(rerun.exitCode)
                .arg(QString::fromUtf8(rerun.err)));
        const std::vector<Traced> again = tracedSteps(rerun.out, &problem);
        CHECK(problem.isEmpty(), problem);
        QCOMPARE(qsizetype(again.size()), recoverSteps.size());
        qsizetype k = 0;
        // The value of the next step's reply, which must be ok.
        auto value = [&](QString* what) -> std::optional<qint64> {
            const Traced& t = again[std::size_t(k++)];
            *what = t.action + QLatin1Char(' ') + t.user;
            if (!t.reply || !t.reply->value(QLatin1String("ok")).toBool()) return std::nullopt;
            return centsOf(t.reply->value(QLatin1String("value")));
        };
        auto expect = [&](qint64 want, const QString& what, std::optional<qint64> got) {
            return got == want ? QString()
                               : QStringLiteral("%1 answered %2 after recovery; the ledger says %3")
                                     .arg(what, got ? amountText(*got) : QStringLiteral("an error"), amountText(want));
        };
        QString what;
        for (int pass = 0; pass < 2; ++pass) { // open_tracker answers the starting total, total the same
            for (const QString& user : users) {
                const auto total = value(&what);
                const auto it = expected.trackers.find(user);
                const qint64 want = it == expected.trackers.end() ? 0 : it->second;
                CHECK(expect(want, what, total).isEmpty(), expect(want, what, total));
                const auto sum = expected.donatedByUser.find(user);
                QCOMPARE(want, sum == expected.donatedByUser.end() ? 0 : sum->second);
            }
        }
        for (const QString& user : kUsers) {
            const auto balance = value(&what);
            const auto it = expected.balances.find(user);
            const qint64 want = it == expected.balances.end() ? 0 : it->second;
            CHECK(expect(want, what, balance).isEmpty(), expect(want, what, balance));
            const auto sum = expected.depositedByUser.find(user);
            QCOMPARE(want, sum == expected.depositedByUser.end() ? 0 : sum->second);
        }
        const auto pool = value(&what);
        CHECK(expect(expected.pool, what, pool).isEmpty(), expect(expected.pool, what, pool));
        const Traced& report = again[std::size_t(k)];
        const auto donated = value(&what);
        CHECK(expect(expected.donations, what, donated).isEmpty(), expect(expected.donations, what, donated));
        QCOMPARE(report.reply->value(QLatin1String("text")).toString(), expected.reportText());
        const Traced& last = again[std::size_t(k)];
        const auto newTotal = value(&what);
        const qint64 firstUserTotal = expected.trackers.count(kUsers[0]) ? expected.trackers.at(kUsers[0]) : 0;
        CHECK(expect(firstUserTotal + kLastDonation, what, newTotal).isEmpty(),
            expect(firstUserTotal + kLastDonation, what, newTotal));
        const QString lastId = last.reply->value(QLatin1String("id")).toString();
        QCOMPARE(lastId, QString::number(expected.maxId + 1));

        // The donation made after recovery is in the ledger once, under the id its reply named.
        opened = sc::Ledger::open(data.toStdString());
        CHECK(opened.ok(), QString::fromStdString(opened.ok() ? "" : opened.error().toString()));
        all = (*opened)->all();
        QVERIFY(all.ok());
        QCOMPARE(all->size(), withAppended->size() + 1);
        const sc::LedgerRecord& stored = all->back();
        QCOMPARE(QString::number(stored.id), lastId);
        QCOMPARE(stored.amount.minorUnits(), kLastDonation);
        QCOMPARE(QString::fromStdString(stored.user), kUsers[0]);

        // -- figures --

        const qint64 lines = completeLines(traceBytes).size();
        const qint64 requestsAnswered = std::max<qint64>(lastAnswered + 1, 0);
        Figures& f = m_figures;
        ++f.repetitions;
        ++(byDelay ? f.killedByDelay : f.killedByLines);
        if (byDelay) {
            f.minDelayMs = std::min(f.minDelayMs, delayMs);
            f.maxDelayMs = std::max(f.maxDelayMs, delayMs);
        }
        if (finishedFirst) ++f.finishedFirst;
        f.answeredOk += answeredOk;
        for (const auto& [kind, n] : okByKind)
            f.okByKind[kind] += n;
        if (!ledgerExisted) ++f.noLedgerYet;
        if (ledgerExisted && records.empty()) ++f.noRecordYet;
        if (walExisted) ++f.walLeft;
        f.answeredRejected += answeredRejected;
        f.records += qint64(records.size());
        f.unanswered += lastRecorded + 1 - requestsAnswered;
        f.minLines = std::min(f.minLines, lines);
        f.maxLines = std::max(f.maxLines, lines);
        f.minAnswered = std::min(f.minAnswered, requestsAnswered);
        f.maxAnswered = std::max(f.maxAnswered, requestsAnswered);
        qInfo("%s%lld trace lines, %lld requests answered (%lld ok, %lld refused), %zu records%s", qPrintable(where),
            lines, requestsAnswered, answeredOk, answeredRejected, records.size(),
            lastRecorded + 1 > requestsAnswered ? ", the last one unanswered" : "");
        dir.setAutoRemove(true);
#endif
    }

private:
    int m_repeats = 5;
    quint64 m_seed = 0;
    QElapsedTimer m_clock;
    Figures m_figures;
};

QTEST_GUILESS_MAIN(TstAppCrash)
#include "tst_appcrash.moc"
