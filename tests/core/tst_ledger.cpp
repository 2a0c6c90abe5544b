// Ledger: the append-only audit ledger. Ids continue across reopen, concurrent
// appends are group-committed and each acknowledged record is stored exactly
// once, damaged, altered and symlinked files are refused and left untouched,
// a failed commit acknowledges nothing, closing leaves every record in
// ledger.sqlite3, the CSV export is exact (formula cells neutralised, one
// snapshot, the umask and an existing mode honoured, stale temporaries
// removed), and a SIGKILL mid-stream loses no acknowledged record.
#include "coretest.h"
#include "core/finance/ledger.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <condition_variable>
#include <csignal>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace sc;

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

LedgerRecord rec(std::string kind, std::string user, std::int64_t amount, std::optional<std::int64_t> result = {},
    std::optional<std::string> error = {})
{
    LedgerRecord r;
    r.kind = std::move(kind);
    r.user = std::move(user);
    r.amount = Money::fromMinorUnits(amount);
    if (result) r.result = Money::fromMinorUnits(*result);
    r.error = std::move(error);
    return r;
}

std::unique_ptr<Ledger> openOrNull(const QString& dir)
{
    auto r = Ledger::open(dir.toStdString());
    if (!r) {
        qWarning("open failed: %s", r.error().toString().c_str());
        return nullptr;
    }
    return std::move(r.value());
}

QByteArray readAll(const QString& file)
{
    QFile f(file);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString& file, const QByteArray& bytes)
{
    QFile f(file);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

QStringList entries(const QString& dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name);
}

/// The file-size limit that makes the disk full for the ledger in `dir`: no
/// write may go past the end of its database or its WAL.
std::uint64_t fullDiskBytes(const QString& dir)
{
    const auto size = [&](const char* name) { return QFileInfo(dir + "/" + name).size(); };
    return std::uint64_t(std::max({size("ledger.sqlite3"), size("ledger.sqlite3-wal"), qint64(4096)}));
}

using Ids = std::vector<std::int64_t>;

/// appendBatchAsync, waited for (at most 30 s: a lost answer fails, never hangs).
Result<Ids> appendBatch(Ledger& ledger, std::vector<LedgerRecord> records)
{
    auto answer = std::make_shared<std::promise<Result<Ids>>>();
    auto future = answer->get_future();
    ledger.appendBatchAsync(std::move(records), [answer](Result<Ids> r) { answer->set_value(std::move(r)); });
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
        return Error {Errc::Timeout, "appendBatchAsync did not answer"};
    return future.get();
}

/// `r` stamped with `time` (a record's time is otherwise the moment of append).
LedgerRecord timed(LedgerRecord r, const char* time)
{
    r.time = time;
    return r;
}

/// Runs `sql` on the file with SQLite itself, as someone tampering with it would.
bool sqliteExec(const QString& file, const QByteArray& sql)
{
    sqlite3* db = nullptr;
    bool ok = sqlite3_open(QFile::encodeName(file).constData(), &db) == SQLITE_OK;
    char* error = nullptr;
    ok = ok && sqlite3_exec(db, sql.constData(), nullptr, nullptr, &error) == SQLITE_OK;
    if (error) qWarning("%s: %s", sql.constData(), error);
    sqlite3_free(error);
    sqlite3_close(db);
    return ok;
}

/// A ledger in `dir` with records 1..n (donations of alice, amounts 1..n).
bool makeLedger(const QString& dir, int n)
{
    auto ledger = Ledger::open(dir.toStdString());
    if (!ledger) return false;
    for (int i = 1; i <= n; ++i)
        if (!(*ledger)->append(rec("donation", "alice", i, i))) return false;
    return true;
}

int unixMode(const QString& file)
{
    struct stat st {};
    return ::stat(QFile::encodeName(file).constData(), &st) == 0 ? int(st.st_mode & 07777) : -1;
}

QList<qint64> idsOf(const Result<std::vector<LedgerRecord>>& records)
{
    QList<qint64> ids;
    if (records)
        for (const auto& r : *records)
            ids << r.id;
    return ids;
}

} // namespace

class TestLedger : public QObject {
    Q_OBJECT

private slots:
    void appendAndReopenContinuesIds()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString dir = tmp.filePath("not/yet/there"); // open creates it
        {
            auto ledger = openOrNull(dir);
            QVERIFY(ledger);
            QCOMPARE(qs(ledger->path()), dir + "/ledger.sqlite3");
            QCOMPARE(ledger->count().value(), 0);
            auto a = ledger->append(rec("donation", "alice", 10000, 10000));
            auto b = ledger->append(rec("withdrawal", "bob", 500, {}, "insufficient_funds"));
            QVERIFY(a && b);
            QCOMPARE(*a, 1);
            QCOMPARE(*b, 2);
            QCOMPARE(ledger->commitCount(), 2u);
        }
        auto ledger = openOrNull(dir);
        QVERIFY(ledger);
        QCOMPARE(ledger->count().value(), 2);
        auto c = ledger->append(rec("deposit", "bob", 7, 7));
        QVERIFY(c);
        QCOMPARE(*c, 3);

        auto all = ledger->all();
        QVERIFY(all);
        QCOMPARE(all->size(), size_t(3));
        const QRegularExpression iso(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)");
        for (const auto& r : *all)
            QVERIFY2(iso.match(qs(r.time)).hasMatch(), r.time.c_str());
        const auto& w = (*all)[1];
        QCOMPARE(w.id, 2);
        QCOMPARE(qs(w.kind), QStringLiteral("withdrawal"));
        QCOMPARE(qs(w.user), QStringLiteral("bob"));
        QCOMPARE(w.amount, Money::fromMinorUnits(500));
        QVERIFY(!w.result);
        QCOMPARE(qs(w.error.value_or("")), QStringLiteral("insufficient_funds"));
        QCOMPARE((*all)[0].result.value_or(Money()), Money::fromMinorUnits(10000));
        QVERIFY(!(*all)[0].error);
    }

    void recordWithoutKindIsRefused()
    {
        QTemporaryDir tmp;
        auto ledger = openOrNull(tmp.path());
        QVERIFY(ledger);
        auto r = ledger->append(rec("", "alice", 1));
        QVERIFY(!r);
        QCOMPARE(r.error().code, Errc::BadArgument);
        QCOMPARE(ledger->count().value(), 0);
    }

    void concurrentAppendsAreGroupCommittedExactlyOnce()
    {
        QTemporaryDir tmp;
        auto ledger = openOrNull(tmp.path());
        QVERIFY(ledger);
        constexpr int kThreads = 8;
        constexpr int kPerThread = 60;
        std::mutex m;
        std::map<std::int64_t, std::string> acked; // id -> "user/amount"
        std::atomic<int> failures {0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    const std::string user = "t" + std::to_string(t);
                    auto id = ledger->append(rec("donation", user, i));
                    if (!id) {
                        failures.fetch_add(1);
                        continue;
                    }
                    std::lock_guard lk(m);
                    if (!acked.emplace(*id, user + "/" + std::to_string(i)).second)
                        failures.fetch_add(1000); // the same id handed out twice
                }
            });
        for (auto& t : threads)
            t.join();

        QCOMPARE(failures.load(), 0);
        QCOMPARE(acked.size(), size_t(kThreads * kPerThread));
        auto all = ledger->all();
        QVERIFY(all);
        QCOMPARE(all->size(), acked.size());
        std::set<std::string> contents;
        for (const auto& r : *all) {
            const std::string content = r.user + "/" + std::to_string(r.amount.minorUnits());
            QVERIFY2(contents.insert(content).second, ("stored twice: " + content).c_str());
            auto it = acked.find(r.id);
            QVERIFY2(it != acked.end(), "a stored record nobody was told about");
            QCOMPARE(qs(it->second), qs(content));
        }
        const auto commits = ledger->commitCount();
        qInfo("%d records in %llu commits", kThreads * kPerThread, static_cast<unsigned long long>(commits));
        QVERIFY(commits >= 1);
        QVERIFY2(commits < std::uint64_t(kThreads * kPerThread), "no two appends shared a commit");
    }

    void appendAsyncAnswersLater()
    {
        QTemporaryDir tmp;
        auto ledger = openOrNull(tmp.path());
        QVERIFY(ledger);
        constexpr int kRecords = 200;
        std::mutex m;
        std::condition_variable cv;
        std::vector<std::int64_t> ids;
        int errors = 0;
        for (int i = 0; i < kRecords; ++i)
            ledger->appendAsync(rec("pool_donation", "alice", i + 1), [&](Result<std::int64_t> r) {
                std::lock_guard lk(m);
                if (r)
                    ids.push_back(*r);
                else
                    ++errors;
                cv.notify_all();
            });
        {
            std::unique_lock lk(m);
            QVERIFY(cv.wait_for(lk, std::chrono::seconds(30), [&] { return int(ids.size()) + errors == kRecords; }));
        }
        QCOMPARE(errors, 0);
        std::sort(ids.begin(), ids.end());
        QVERIFY(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
        QCOMPARE(ledger->count().value(), kRecords);
        QVERIFY(ledger->commitCount() < std::uint64_t(kRecords));
    }

    void destructorAnswersWhatIsQueued()
    {
        QTemporaryDir tmp;
        std::atomic<int> answered {0};
        std::atomic<int> ok {0};
        {
            auto ledger = openOrNull(tmp.path());
            QVERIFY(ledger);
            for (int i = 0; i < 50; ++i)
                ledger->appendAsync(rec("deposit", "bob", i), [&](Result<std::int64_t> r) {
                    ok += r.ok();
                    ++answered;
                });
        }
        QCOMPARE(answered.load(), 50);
        auto ledger = openOrNull(tmp.path());
        QVERIFY(ledger);
        QCOMPARE(ledger->count().value(), std::int64_t(ok.load()));
        QCOMPARE(ok.load(), 50);
    }

    void damagedFileIsRefusedAndLeftUntouched_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("problem");
        QTest::newRow("text") << QByteArray("this is not a database\n").repeated(200)
                              << "not a readable SQLite database";
        QByteArray noise(16384, '\0');
        for (int i = 0; i < noise.size(); ++i)
            noise[i] = char((i * 7919 + 13) % 251);
        QTest::newRow("binary noise") << noise << "not a readable SQLite database";
        // A real ledger whose pages after the 100-byte header were overwritten.
        QTest::newRow("sqlite header, damaged pages") << QByteArray() << "corrupted";
    }
    void damagedFileIsRefusedAndLeftUntouched()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, problem);
        QTemporaryDir tmp;
        const QString file = tmp.filePath("ledger.sqlite3");
        if (bytes.isEmpty()) {
            {
                auto ledger = openOrNull(tmp.path());
                QVERIFY(ledger);
                for (int i = 0; i < 20; ++i)
                    QVERIFY(ledger->append(rec("donation", "alice", i)));
            }
            bytes = readAll(file);
            QVERIFY(bytes.size() > 4096);
            QVERIFY(bytes.startsWith("SQLite format 3"));
            for (int i = 100; i < bytes.size(); ++i)
                bytes[i] = char(0xA5 ^ (i & 0xff));
        }
        QVERIFY(writeAll(file, bytes));
        const QStringList before = entries(tmp.path());

        auto r = Ledger::open(tmp.path().toStdString());
        QVERIFY(!r);
        const QString detail = qs(r.error().detail);
        qInfo("%s", qPrintable(detail));
        QCOMPARE(r.error().code, Errc::Storage);
        QVERIFY2(detail.contains(file), qPrintable(detail));
        QVERIFY2(detail.contains(problem), qPrintable(detail));
        QCOMPARE(readAll(file), bytes);
        QCOMPARE(entries(tmp.path()), before);

        // Refused again on a second try: nothing was "repaired" in between.
        QVERIFY(!Ledger::open(tmp.path().toStdString()));
        QCOMPARE(readAll(file), bytes);
    }

    void foreignSqliteDatabaseIsRefusedAndLeftUntouched_data()
    {
        QTest::addColumn<QByteArray>("sql");
        QTest::addColumn<QString>("problem");
        QTest::newRow("another program's database")
            << QByteArray("CREATE TABLE notes(x TEXT); INSERT INTO notes VALUES('hi');") << "not an audit ledger";
        QTest::newRow("newer ledger schema") << QByteArray(
            "CREATE TABLE records(id INTEGER PRIMARY KEY, time TEXT, kind TEXT, user TEXT, amount INTEGER, "
            "result INTEGER, error TEXT); PRAGMA user_version=99;")
                                             << "newer";
        QTest::newRow("ledger version without its table")
            << QByteArray("CREATE TABLE x(y); PRAGMA user_version=1;") << "not an audit ledger";
    }
    void foreignSqliteDatabaseIsRefusedAndLeftUntouched()
    {
        QFETCH(QByteArray, sql);
        QFETCH(QString, problem);
        QTemporaryDir tmp;
        const QString file = tmp.filePath("ledger.sqlite3");
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(QFile::encodeName(file).constData(), &db), SQLITE_OK);
        QCOMPARE(sqlite3_exec(db, sql.constData(), nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
        const QByteArray bytes = readAll(file);
        const QStringList before = entries(tmp.path());

        auto r = Ledger::open(tmp.path().toStdString());
        QVERIFY(!r);
        const QString detail = qs(r.error().detail);
        qInfo("%s", qPrintable(detail));
        QVERIFY2(detail.contains(file), qPrintable(detail));
        QVERIFY2(detail.contains(problem), qPrintable(detail));
        QCOMPARE(readAll(file), bytes);
        QCOMPARE(entries(tmp.path()), before);
    }

    void ledgerPathThatIsNotAFileIsRefused()
    {
        QTemporaryDir tmp;
        QVERIFY(QDir(tmp.path()).mkdir("ledger.sqlite3"));
        auto r = Ledger::open(tmp.path().toStdString());
        QVERIFY(!r);
        QVERIFY2(qs(r.error().detail).contains("not a regular file"), r.error().detail.c_str());

        const QString plainFile = tmp.filePath("plain");
        QVERIFY(writeAll(plainFile, "x"));
        auto r2 = Ledger::open(plainFile.toStdString());
        QVERIFY(!r2);
        QVERIFY2(qs(r2.error().detail).contains(plainFile), r2.error().detail.c_str());
        QCOMPARE(readAll(plainFile), QByteArray("x"));
    }

    void readOnlyDataDirectoryIsRefused()
    {
        QTemporaryDir tmp;
        const QString fresh = tmp.filePath("fresh");
        QVERIFY(QDir(tmp.path()).mkdir("fresh"));
        {
            sctest::ReadOnlyDirectory readOnly(fresh.toStdString());
            if (!readOnly.active()) QSKIP("cannot make a read-only directory here (no bind mount, no chmod)");
            auto r = Ledger::open(fresh.toStdString());
            QVERIFY(!r);
            QCOMPARE(r.error().code, Errc::Storage);
            QVERIFY2(qs(r.error().detail).contains(fresh), r.error().detail.c_str());
        }
        QCOMPARE(entries(fresh), QStringList {});

        const QString existing = tmp.filePath("existing");
        {
            auto ledger = openOrNull(existing);
            QVERIFY(ledger);
            QVERIFY(ledger->append(rec("donation", "alice", 1)));
        }
        const QString file = existing + "/ledger.sqlite3";
        const QByteArray bytes = readAll(file);
        const QStringList before = entries(existing);
        {
            sctest::ReadOnlyDirectory readOnly(existing.toStdString());
            QVERIFY(readOnly.active());
            qInfo("read-only by %s", readOnly.how());
            auto r = Ledger::open(existing.toStdString());
            QVERIFY(!r);
            QCOMPARE(r.error().code, Errc::Storage);
            qInfo("%s", r.error().detail.c_str());
            QVERIFY2(qs(r.error().detail).contains(file), r.error().detail.c_str());
        }
        QCOMPARE(readAll(file), bytes);
        QCOMPARE(entries(existing), before);
    }

    /// A full disk, made honestly even as root: RLIMIT_FSIZE makes every write
    /// past the limit fail with EFBIG (SIGXFSZ ignored), exactly like ENOSPC.
    void fullDiskAcknowledgesNothing_data()
    {
        QTest::addColumn<int>("hugeBytes");
        QTest::addColumn<QString>("failingStep");
        QTest::newRow("fits the page cache: COMMIT fails") << (256 << 10) << "commit failed";
        QTest::newRow("spills the page cache: INSERT fails") << (8 << 20) << "insert failed";
    }
    void fullDiskAcknowledgesNothing()
    {
        QFETCH(int, hugeBytes);
        QFETCH(QString, failingStep);
        QTemporaryDir tmp;
        auto ledger = openOrNull(tmp.path());
        QVERIFY(ledger);
        std::map<std::int64_t, std::string> acked;
        for (int i = 0; i < 5; ++i) {
            auto id = ledger->append(rec("donation", "before", i));
            QVERIFY(id);
            acked[*id] = "before/" + std::to_string(i);
        }

        sctest::FileSizeLimit full(fullDiskBytes(tmp.path()));
        QVERIFY(full.active());

        // A record too large to fit, plus small ones queued alongside it.
        std::mutex m;
        std::condition_variable cv;
        std::vector<std::pair<std::string, Result<std::int64_t>>> answers;
        auto answer = [&](std::string content) {
            return [&, content](Result<std::int64_t> r) {
                std::lock_guard lk(m);
                answers.emplace_back(content, std::move(r));
                cv.notify_all();
            };
        };
        const std::string huge(size_t(hugeBytes), 'x');
        ledger->appendAsync(rec("donation", huge, 1), answer("huge/1"));
        for (int i = 0; i < 10; ++i)
            ledger->appendAsync(rec("donation", "during", i), answer("during/" + std::to_string(i)));
        {
            std::unique_lock lk(m);
            cv.wait_for(lk, std::chrono::seconds(30), [&] { return answers.size() == 11; });
        }
        QVERIFY(full.lift());
        QCOMPARE(answers.size(), size_t(11));

        int refused = 0;
        std::set<std::string> notAcked;
        for (auto& [content, r] : answers) {
            if (r) {
                acked[*r] = content;
                continue;
            }
            if (content == "huge/1") {
                qInfo("%s", r.error().detail.c_str());
                QVERIFY2(qs(r.error().detail).contains(failingStep), r.error().detail.c_str());
            }
            ++refused;
            notAcked.insert(content);
            QCOMPARE(r.error().code, Errc::Storage);
        }
        QVERIFY2(notAcked.count("huge/1"), "the record that cannot fit was acknowledged");

        // Space is back: the same ledger commits again.
        auto after = ledger->append(rec("donation", "after", 1));
        QVERIFY2(after.ok(), after.ok() ? "" : after.error().toString().c_str());
        acked[*after] = "after/1";
        ledger.reset();

        ledger = openOrNull(tmp.path());
        QVERIFY(ledger);
        auto all = ledger->all();
        QVERIFY(all);
        std::set<std::string> seen;
        for (const auto& r : *all) {
            const std::string content
                = (r.user == huge ? "huge" : r.user) + "/" + std::to_string(r.amount.minorUnits());
            QVERIFY2(seen.insert(content).second, ("stored twice: " + content).c_str());
            QVERIFY2(!notAcked.count(content), ("a refused record was stored: " + content).c_str());
            auto it = acked.find(r.id);
            QVERIFY(it != acked.end());
            QCOMPARE(qs(it->second), qs(content));
        }
        QCOMPARE(all->size(), acked.size());
    }

    void appendBatchAsyncKeepsEachBatchTogether()
    {
        QTemporaryDir tmp;
        auto ledger = openOrNull(tmp.path());
        QVERIFY(ledger);

        // An empty batch is answered at once, on the calling thread, with no ids.
        std::optional<Result<Ids>> empty;
        ledger->appendBatchAsync({}, [&](Result<Ids> r) { empty = std::move(r); });
        QVERIFY(empty);
        QVERIFY(empty->ok());
        QVERIFY(empty->value().empty());

        // Batches of 5 from several threads at once: each batch's ids are
        // consecutive and in the batch's order, whatever else was queued.
        constexpr int kThreads = 4;
        constexpr int kBatches = 15;
        constexpr int kPerBatch = 5;
        std::vector<std::vector<std::pair<std::string, Result<Ids>>>> answers(kThreads);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&, t] {
                for (int b = 0; b < kBatches; ++b) {
                    const std::string user = "t" + std::to_string(t) + "b" + std::to_string(b);
                    std::vector<LedgerRecord> batch;
                    for (int i = 0; i < kPerBatch; ++i)
                        batch.push_back(rec("donation", user, i));
                    answers[std::size_t(t)].emplace_back(user, appendBatch(*ledger, std::move(batch)));
                }
            });
        for (auto& t : threads)
            t.join();

        auto all = ledger->all();
        QVERIFY(all);
        QCOMPARE(all->size(), std::size_t(kThreads * kBatches * kPerBatch));
        std::map<std::int64_t, LedgerRecord> byId;
        for (const auto& r : *all)
            byId[r.id] = r;
        for (const auto& perThread : answers)
            for (const auto& [user, ids] : perThread) {
                QVERIFY2(ids.ok(), ids.ok() ? "" : ids.error().toString().c_str());
                QCOMPARE(ids->size(), std::size_t(kPerBatch));
                for (int i = 0; i < kPerBatch; ++i) {
                    QCOMPARE((*ids)[std::size_t(i)], ids->front() + i);
                    const LedgerRecord& stored = byId[(*ids)[std::size_t(i)]];
                    QCOMPARE(qs(stored.user), qs(user));
                    QCOMPARE(stored.amount, Money::fromMinorUnits(i));
                }
            }
    }

    void aBatchIsStoredWholeOrNotAtAll()
    {
        QTemporaryDir tmp;
        auto ledger = openOrNull(tmp.path());
        QVERIFY(ledger);
        QVERIFY(ledger->append(rec("donation", "before", 1)));
        const auto batch = [](const std::string& middle) {
            return std::vector {rec("donation", "a", 1), rec("donation", middle, 2), rec("donation", "c", 3)};
        };

        // The disk fills up in the middle of a batch: none of it is stored.
        Result<Ids> refused = Error {Errc::Timeout, "not asked"};
        {
            sctest::FileSizeLimit full(fullDiskBytes(tmp.path()));
            QVERIFY(full.active());
            refused = appendBatch(*ledger, batch(std::string(std::size_t(8) << 20, 'x')));
            QVERIFY(full.lift());
        }
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, Errc::Storage);
        QCOMPARE(ledger->count().value(), 1);

        // One malformed record refuses the whole batch before anything is queued.
        auto malformed = appendBatch(*ledger, {rec("donation", "x", 1), rec("", "y", 2)});
        QVERIFY(!malformed);
        QCOMPARE(malformed.error().code, Errc::BadArgument);
        QCOMPARE(ledger->count().value(), 1);

        // With space back the same batch is stored whole, in order.
        auto stored = appendBatch(*ledger, batch("b"));
        QVERIFY2(stored.ok(), stored.ok() ? "" : stored.error().toString().c_str());
        QCOMPARE(*stored, (Ids {2, 3, 4}));
        auto all = ledger->all();
        QVERIFY(all);
        QStringList users;
        for (const auto& r : *all)
            users << qs(r.user);
        QCOMPARE(users, (QStringList {"before", "a", "b", "c"}));
    }

    void acceptedIsWhatAServiceRebuildsFrom()
    {
        QTemporaryDir tmp;
        auto ledger = openOrNull(tmp.path());
        QVERIFY(ledger);
        for (auto r : {rec("donation", "alice", 10000, 10000), rec("donation", "alice", 0, {}, "invalid_amount"),
                 rec("donation", "bob", 5000, 5000), rec("deposit", "alice", 20000, 20000),
                 rec("withdrawal", "alice", 3000, 17000), rec("withdrawal", "alice", 100000, {}, "insufficient_funds"),
                 rec("donation", "alice", 2500, 12500), rec("nisab", "", 500000)})
            QVERIFY(ledger->append(r));

        using Kinds = std::vector<std::string>;
        QCOMPARE(idsOf(ledger->accepted(Kinds {"donation"}, "alice")), (QList<qint64> {1, 7}));
        QCOMPARE(idsOf(ledger->accepted(Kinds {"donation"})), (QList<qint64> {1, 3, 7}));
        QCOMPARE(idsOf(ledger->accepted(Kinds {"withdrawal", "deposit"}, "alice")), (QList<qint64> {4, 5}));
        QCOMPARE(idsOf(ledger->accepted(Kinds {"nisab"})), (QList<qint64> {8}));
        QCOMPARE(idsOf(ledger->accepted(Kinds {"donation"}, "carol")), QList<qint64> {});
        QCOMPARE(idsOf(ledger->accepted(Kinds {"donation"}, "alice' OR '1'='1")), QList<qint64> {});
        QCOMPARE(idsOf(ledger->accepted(Kinds {"refund"})), QList<qint64> {});
        QVERIFY(ledger->accepted(Kinds {}).ok());
        QCOMPARE(idsOf(ledger->accepted(Kinds {})), QList<qint64> {});

        // The rows are the stored records, whole.
        auto all = ledger->all();
        auto mine = ledger->accepted(Kinds {"deposit", "withdrawal"});
        QVERIFY(all && mine);
        QCOMPARE(mine->size(), std::size_t(2));
        QVERIFY((*mine)[0] == (*all)[3]);
        QVERIFY((*mine)[1] == (*all)[4]);
    }

    void csvExportIsExact()
    {
        QTemporaryDir tmp;
        auto ledger = openOrNull(tmp.filePath("data"));
        QVERIFY(ledger);
        QVERIFY(ledger->append(timed(rec("donation", "alice", 12345, 12345), "2026-01-02T03:04:05.006Z")));
        QVERIFY(
            ledger->append(timed(rec("withdrawal", "bob", -5, {}, "insufficient_funds"), "2026-01-02T03:04:05.007Z")));
        QVERIFY(ledger->append(timed(rec("deposit", "O'Neil, \"Jr\"", 0, 100), "2026-01-02T03:04:05.008Z")));
        QVERIFY(ledger->append(timed(rec("set_nisab", "two\nlines", 500000, -1), "2026-01-02T03:04:05.009Z")));
        QVERIFY(ledger->append(timed(rec("donation", "max", INT64_MAX, INT64_MIN, "a,b"), "2026-01-02T03:04:05.010Z")));

        const QString file = tmp.filePath("out/audit.csv");
        QVERIFY(QDir(tmp.path()).mkdir("out"));
        QVERIFY(writeAll(file, "old content that must be replaced whole\n"));
        const Status st = ledger->exportCsv(file.toStdString());
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().toString().c_str());
        const QByteArray expected = "id,time,kind,user,amount,result,error\n"
                                    "1,2026-01-02T03:04:05.006Z,donation,alice,123.45,123.45,\n"
                                    "2,2026-01-02T03:04:05.007Z,withdrawal,bob,-0.05,,insufficient_funds\n"
                                    "3,2026-01-02T03:04:05.008Z,deposit,\"O'Neil, \"\"Jr\"\"\",0.00,1.00,\n"
                                    "4,2026-01-02T03:04:05.009Z,set_nisab,\"two\nlines\",5000.00,-0.01,\n"
                                    "5,2026-01-02T03:04:05.010Z,donation,max,92233720368547758.07,"
                                    "-92233720368547758.08,\"a,b\"\n";
        QCOMPARE(readAll(file), expected);
        QCOMPARE(entries(tmp.filePath("out")), QStringList {"audit.csv"}); // no temporary left behind

        // A target that cannot be written: an error naming it, and no file.
        const QString missing = tmp.filePath("no/such/dir/audit.csv");
        const Status bad = ledger->exportCsv(missing.toStdString());
        QVERIFY(!bad);
        QVERIFY2(qs(bad.error().detail).contains(missing), bad.error().detail.c_str());
        QVERIFY(!QFile::exists(missing));
    }

    // -- closing --

    /// After close ledger.sqlite3 alone holds every record, even while a
    /// reader (the reporting database) is still open and keeps SQLite from
    /// checkpointing on its own; the -wal is empty.
    void closingLeavesEverythingInTheLedgerFile()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("data");
        auto ledger = openOrNull(dir);
        QVERIFY(ledger);
        auto reader = LedgerReader::open(dir.toStdString());
        QVERIFY(reader);
        for (int i = 1; i <= 40; ++i) {
            QVERIFY(ledger->append(rec("donation", "alice", i, i)));
            if (i == 20) QCOMPARE((*reader)->after(0)->size(), std::size_t(20)); // the reader has the -wal open
        }
        ledger.reset();
        QCOMPARE((*reader)->after(0)->size(), std::size_t(40));
        const QFileInfo wal(dir + "/ledger.sqlite3-wal");
        QVERIFY2(!wal.exists() || wal.size() == 0, qPrintable(QString::number(wal.size())));

        const QString copy = tmp.filePath("copy");
        QVERIFY(QDir(tmp.path()).mkdir("copy"));
        QVERIFY(QFile::copy(dir + "/ledger.sqlite3", copy + "/ledger.sqlite3"));
        auto copied = LedgerReader::open(copy.toStdString());
        QVERIFY(copied);
        auto rows = (*copied)->after(0);
        QVERIFY2(rows.ok(), rows.ok() ? "" : rows.error().detail.c_str());
        QCOMPARE(rows->size(), std::size_t(40));
        QCOMPARE(rows->back().amount, Money::fromMinorUnits(40));
    }

    // -- symbolic links --

    void symlinkedLedgerIsRefusedUntouched_data()
    {
        QTest::addColumn<bool>("dangling");
        QTest::newRow("dangling") << true;
        QTest::newRow("to a ledger elsewhere") << false;
    }
    void symlinkedLedgerIsRefusedUntouched()
    {
        QFETCH(bool, dangling);
        QTemporaryDir tmp;
        const QString elsewhere = tmp.filePath("elsewhere");
        if (!dangling) QVERIFY(makeLedger(elsewhere, 3));
        QVERIFY(QDir(tmp.path()).mkpath("data"));
        const QString target = elsewhere + "/ledger.sqlite3";
        const QString link = tmp.filePath("data/ledger.sqlite3");
        QVERIFY(QFile::link(target, link));
        const QByteArray bytes = readAll(target);
        const QStringList before = entries(tmp.filePath("data"));

        auto ledger = Ledger::open(tmp.filePath("data").toStdString());
        auto reader = LedgerReader::open(tmp.filePath("data").toStdString());
        for (const Error& e : {ledger ? Error {} : ledger.error(), reader ? Error {} : reader.error()}) {
            qInfo("%s", e.detail.c_str());
            QCOMPARE(e.code, Errc::Storage);
            QVERIFY2(qs(e.detail).startsWith(link + ": the ledger is a symbolic link"), e.detail.c_str());
        }
        QCOMPARE(QFileInfo(link).symLinkTarget(), target);
        QCOMPARE(QFileInfo::exists(target), !dangling); // nothing created through the link
        QCOMPARE(readAll(target), bytes);
        QCOMPARE(entries(tmp.filePath("data")), before);
    }

    void dataDirectoryMayBeASymlink()
    {
        QTemporaryDir tmp;
        QVERIFY(QDir(tmp.path()).mkdir("real"));
        QVERIFY(QFile::link(tmp.filePath("real"), tmp.filePath("link")));
        QVERIFY(makeLedger(tmp.filePath("link"), 2));
        QVERIFY(QFileInfo::exists(tmp.filePath("real/ledger.sqlite3")));
        auto reader = LedgerReader::open(tmp.filePath("link").toStdString());
        QVERIFY2(reader.ok(), reader.ok() ? "" : reader.error().detail.c_str());
        QCOMPARE(idsOf((*reader)->after(0)), (QList<qint64> {1, 2}));
    }

    // -- tampering --

    void alteredLedgerIsRefusedUntouched_data()
    {
        QTest::addColumn<QByteArray>("sql");
        QTest::addColumn<QString>("problem");
        QTest::newRow("dropped trigger") << QByteArray("DROP TRIGGER records_no_delete;")
                                         << "the trigger records_no_delete is missing";
        QTest::newRow("changed trigger")
            << QByteArray("DROP TRIGGER records_no_update; CREATE TRIGGER records_no_update BEFORE UPDATE ON records "
                          "BEGIN SELECT 1; END;")
            << "the trigger records_no_update is not the one this program creates";
        QTest::newRow("added trigger")
            << QByteArray("CREATE TRIGGER sneaky AFTER INSERT ON records BEGIN SELECT 1; END;")
            << "it has a trigger this program did not create, sneaky";
        QTest::newRow("changed table") << QByteArray("ALTER TABLE records ADD COLUMN note TEXT;")
                                       << "the table records is not the one this program creates";
        // Removed with the trigger dropped and put back exactly as it was.
        QTest::newRow("deleted middle record") << QByteArray("DELETE FROM records WHERE id = 3;")
                                               << "record 3 is missing";
        QTest::newRow("deleted first record") << QByteArray("DELETE FROM records WHERE id = 1;")
                                              << "record 1 is missing";
        const QByteArray insert = "INSERT INTO records(id, time, kind, user, amount, result, error) VALUES";
        QTest::newRow("id below 1") << insert + "(0, '2026-01-01T00:00:00.000Z', 'donation', 'x', 1, 1, NULL);"
                                    << "record 0 has an id below 1";
        QTest::newRow("text result") << insert + "(6, '2026-01-01T00:00:00.000Z', 'donation', 'x', 1, 'abc', NULL);"
                                     << "record 6: its result is text, not integer or NULL";
        QTest::newRow("real amount") << insert + "(6, '2026-01-01T00:00:00.000Z', 'donation', 'x', 1.5, 2, NULL);"
                                     << "record 6: its amount is real, not integer";
        QTest::newRow("blob user") << insert + "(6, '2026-01-01T00:00:00.000Z', 'donation', x'00', 1, 2, NULL);"
                                   << "record 6: its user is blob, not text";
        QTest::newRow("blob error") << insert + "(6, '2026-01-01T00:00:00.000Z', 'donation', 'x', 1, NULL, x'07');"
                                    << "record 6: its error is blob, not text or NULL";
    }
    void alteredLedgerIsRefusedUntouched()
    {
        QFETCH(QByteArray, sql);
        QFETCH(QString, problem);
        QTemporaryDir tmp;
        QVERIFY(makeLedger(tmp.path(), 5));
        const QString file = tmp.filePath("ledger.sqlite3");
        if (sql.startsWith("DELETE")) {
            // The trigger is put back with its own text: only the deletion is left to notice.
            sqlite3* db = nullptr;
            QCOMPARE(sqlite3_open(QFile::encodeName(file).constData(), &db), SQLITE_OK);
            sqlite3_stmt* st = nullptr;
            QCOMPARE(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE name = 'records_no_delete'", -1, &st,
                         nullptr),
                SQLITE_OK);
            QCOMPARE(sqlite3_step(st), SQLITE_ROW);
            const QByteArray trigger = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
            sqlite3_finalize(st);
            sqlite3_close(db);
            sql = "DROP TRIGGER records_no_delete; " + sql + " " + trigger + ";";
        }
        QVERIFY(sqliteExec(file, sql));
        const QByteArray bytes = readAll(file);
        const QStringList before = entries(tmp.path());
        QCOMPARE(before, QStringList {"ledger.sqlite3"});

        auto r = Ledger::open(tmp.path().toStdString());
        QVERIFY(!r);
        const QString detail = qs(r.error().detail);
        qInfo("%s", qPrintable(detail));
        QCOMPARE(r.error().code, Errc::Storage);
        QVERIFY2(detail.startsWith(file + ": a damaged or altered audit ledger: " + problem), qPrintable(detail));
        QVERIFY2(detail.endsWith("; the file was left untouched"), qPrintable(detail));
        QCOMPARE(readAll(file), bytes);
        QCOMPARE(entries(tmp.path()), before);
    }

    /// A row of the wrong type is a read error, not a 0.00 in the export.
    void readingARowOfTheWrongTypeIsAnError()
    {
        QTemporaryDir tmp;
        QVERIFY(makeLedger(tmp.filePath("data"), 2));
        QVERIFY(sqliteExec(tmp.filePath("data/ledger.sqlite3"),
            "INSERT INTO records(time, kind, user, amount, result, error) "
            "VALUES('2026-01-01T00:00:00.000Z', 'donation', 'x', 1, 'abc', NULL)"));
        auto reader = LedgerReader::open(tmp.filePath("data").toStdString());
        QVERIFY(reader);
        auto rows = (*reader)->after(0);
        QVERIFY(!rows);
        QCOMPARE(rows.error().code, Errc::Storage);
        QVERIFY2(qs(rows.error().detail).endsWith("record 3: its result is text, not integer or NULL"),
            rows.error().detail.c_str());
        QCOMPARE(idsOf((*reader)->after(0, 2)), (QList<qint64> {1, 2})); // the rows before it still read

        QVERIFY(QDir(tmp.path()).mkdir("out"));
        const Status exported = (*reader)->exportCsv(tmp.filePath("out/audit.csv").toStdString());
        QVERIFY(!exported);
        QVERIFY2(qs(exported.error().detail).contains("record 3"), exported.error().detail.c_str());
        QCOMPARE(entries(tmp.filePath("out")), QStringList {}); // no file, no temporary
    }

    // -- the export --

    void csvFormulaCellsAreNeutralised()
    {
        QTemporaryDir tmp;
        auto ledger = openOrNull(tmp.filePath("data"));
        QVERIFY(ledger);
        const char* t = "2026-01-02T03:04:05.006Z";
        QVERIFY(ledger->append(timed(rec("donation", "=HYPERLINK(\"http://x?\"&A1,\"click\")", 100, 100), t)));
        QVERIFY(ledger->append(timed(rec("donation", "+1", 100, -100, "@SUM(A1)"), t)));
        QVERIFY(ledger->append(timed(rec("-kind", "@me", -5, {}), "=1+1")));
        QVERIFY(ledger->append(timed(rec("donation", "\tx", 1, {}, "\rerr"), t)));
        QVERIFY(ledger->append(timed(rec("donation", "a=b", 1, {}, "x-y"), t))); // only the first character counts

        const QString file = tmp.filePath("audit.csv");
        const Status st = ledger->exportCsv(file.toStdString());
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().toString().c_str());
        const QByteArray expected = "id,time,kind,user,amount,result,error\n"
                                    "1,2026-01-02T03:04:05.006Z,donation,"
                                    "\"'=HYPERLINK(\"\"http://x?\"\"&A1,\"\"click\"\")\",1.00,1.00,\n"
                                    "2,2026-01-02T03:04:05.006Z,donation,'+1,1.00,-1.00,'@SUM(A1)\n"
                                    "3,'=1+1,'-kind,'@me,-0.05,,\n"
                                    "4,2026-01-02T03:04:05.006Z,donation,'\tx,0.01,,\"'\rerr\"\n"
                                    "5,2026-01-02T03:04:05.006Z,donation,a=b,0.01,,x-y\n";
        QCOMPARE(readAll(file), expected);
    }

    void exportModeHonoursTheUmaskAndKeepsAnExistingMode_data()
    {
        QTest::addColumn<int>("umask");
        QTest::addColumn<int>("existing"); ///< the replaced file's mode, or -1: a new file
        QTest::addColumn<int>("mode");
        QTest::newRow("new, umask 077") << 077 << -1 << 0600;
        QTest::newRow("new, umask 022") << 022 << -1 << 0644;
        QTest::newRow("new, umask 002") << 002 << -1 << 0664;
        QTest::newRow("replacing 0600, umask 022") << 022 << 0600 << 0600;
        QTest::newRow("replacing 0640, umask 077") << 077 << 0640 << 0640;
    }
    void exportModeHonoursTheUmaskAndKeepsAnExistingMode()
    {
        QFETCH(int, umask);
        QFETCH(int, existing);
        QFETCH(int, mode);
        QTemporaryDir tmp;
        QVERIFY(makeLedger(tmp.filePath("data"), 2));
        const QString file = tmp.filePath("audit.csv");
        if (existing >= 0) {
            QVERIFY(writeAll(file, "old\n"));
            QCOMPARE(::chmod(QFile::encodeName(file).constData(), mode_t(existing)), 0);
        }
        auto reader = LedgerReader::open(tmp.filePath("data").toStdString());
        QVERIFY(reader);
        const mode_t old = ::umask(mode_t(umask));
        const Status st = (*reader)->exportCsv(file.toStdString());
        ::umask(old);
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().detail.c_str());
        QCOMPARE(unixMode(file), mode);
        QVERIFY(readAll(file).startsWith("id,time,"));
    }

    /// Whoever exports (the window's Export button too) cannot replace the
    /// ledger's own files, however the name is spelled.
    void exportOntoTheLedgersOwnFilesIsRefused_data()
    {
        QTest::addColumn<QString>("target");
        QTest::newRow("the ledger") << "data/ledger.sqlite3";
        QTest::newRow("its -wal") << "data/ledger.sqlite3-wal";
        QTest::newRow("its -shm, through '..'") << "data/../data/ledger.sqlite3-shm";
        QTest::newRow("the lock file") << "data/supervision-console.lock";
    }
    void exportOntoTheLedgersOwnFilesIsRefused()
    {
        QFETCH(QString, target);
        QTemporaryDir tmp;
        auto ledger = openOrNull(tmp.filePath("data"));
        QVERIFY(ledger);
        QVERIFY(ledger->append(rec("donation", "alice", 1, 1)));
        const QByteArray bytes = readAll(tmp.filePath("data/ledger.sqlite3"));
        const QStringList before = entries(tmp.filePath("data"));
        auto reader = LedgerReader::open(tmp.filePath("data").toStdString());
        QVERIFY(reader);
        for (const Status& st : {(*reader)->exportCsv(tmp.filePath(target).toStdString()),
                 ledger->exportCsv(tmp.filePath(target).toStdString())}) {
            QVERIFY(!st);
            QCOMPARE(st.error().code, Errc::BadArgument);
            const QString detail = qs(st.error().detail);
            QVERIFY2(detail.contains("refusing to write the audit export there"), qPrintable(detail));
        }
        QCOMPARE(readAll(tmp.filePath("data/ledger.sqlite3")), bytes);
        QCOMPARE(entries(tmp.filePath("data")), before);
        QCOMPARE(ledger->count().value(), 1);
    }

    void staleTemporariesAreRemoved()
    {
        QTemporaryDir tmp;
        QVERIFY(makeLedger(tmp.filePath("data"), 2));
        const QString out = tmp.filePath("out");
        QVERIFY(QDir(tmp.path()).mkdir("out"));
        // Left by killed exports: a beginning of an export, of this target or another.
        QVERIFY(writeAll(out + "/.audit.csv.tmp-Ab12Cd", "id,time,kind,user,amount,result,error\n1,2026"));
        QVERIFY(writeAll(out + "/.audit.csv.tmp-x9Y8z7", "id,time,ki"));
        QVERIFY(writeAll(out + "/.other.csv.tmp-000000", ""));
        // Not stale or not ours: an export still writing (it holds the lock),
        // another program's file of the same shape, a link, a name of another shape.
        QVERIFY(writeAll(out + "/.audit.csv.tmp-Writer", "id,time"));
        QFile writing(out + "/.audit.csv.tmp-Writer");
        QVERIFY(writing.open(QIODevice::ReadOnly));
        QCOMPARE(::flock(writing.handle(), LOCK_EX | LOCK_NB), 0);
        QVERIFY(writeAll(out + "/.notes.txt.tmp-abcdef", "my notes"));
        QVERIFY(writeAll(tmp.filePath("target"), "id,time"));
        QVERIFY(QFile::link(tmp.filePath("target"), out + "/.link.csv.tmp-L1nk00"));
        QVERIFY(writeAll(out + "/.audit.csv.tmp-toolong", ""));

        auto reader = LedgerReader::open(tmp.filePath("data").toStdString());
        QVERIFY(reader);
        const Status st = (*reader)->exportCsv((out + "/audit.csv").toStdString());
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().detail.c_str());
        QCOMPARE(entries(out),
            (QStringList {".audit.csv.tmp-Writer", ".audit.csv.tmp-toolong", ".link.csv.tmp-L1nk00",
                ".notes.txt.tmp-abcdef", "audit.csv"}));
        QCOMPARE(readAll(out + "/.notes.txt.tmp-abcdef"), QByteArray("my notes"));
    }

    /// The export reads one snapshot and writes nothing of the ledger: beside
    /// an idle writer the files keep their bytes (the -wal is not
    /// checkpointed); beside a busy one every export is a prefix 1..n.
    void exportReadsOneSnapshotAndWritesNothing()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("data");
        auto ledger = openOrNull(dir);
        QVERIFY(ledger);
        for (int i = 1; i <= 30; ++i)
            QVERIFY(ledger->append(rec("donation", "alice", i, i)));
        const QString db = dir + "/ledger.sqlite3", wal = db + "-wal";
        const QByteArray dbBytes = readAll(db), walBytes = readAll(wal);
        QVERIFY(walBytes.size() > 0); // the records are still in the -wal
        auto reader = LedgerReader::open(dir.toStdString());
        QVERIFY(reader);
        const QString csv = tmp.filePath("audit.csv");
        QVERIFY((*reader)->exportCsv(csv.toStdString()).ok());
        QCOMPARE(readAll(csv).count('\n'), 31);
        QCOMPARE(readAll(db), dbBytes);
        QCOMPARE(readAll(wal), walBytes);

        std::atomic<bool> stop {false};
        std::atomic<int> appended {0};
        std::thread writer([&] {
            while (!stop.load())
                if (ledger->append(rec("donation", "bob", 1, 1))) ++appended;
        });
        for (int round = 0; round < 20; ++round) {
            QVERIFY((*reader)->exportCsv(csv.toStdString()).ok());
            const QList<QByteArray> lines = readAll(csv).split('\n');
            for (int i = 1; i + 1 < lines.size(); ++i)
                QCOMPARE(lines[i].left(lines[i].indexOf(',')), QByteArray::number(i));
        }
        stop = true;
        writer.join();
        qInfo("%d records appended during the exports", appended.load());
    }

    void sigkillMidStreamLosesNoAcknowledgedRecord()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("data");
        QProcess helper;
        helper.setProcessChannelMode(QProcess::SeparateChannels);
        helper.start(QStringLiteral(SC_LEDGER_CRASH_HELPER), {dir, "4"});
        QVERIFY2(helper.waitForStarted(), qPrintable(helper.errorString()));

        constexpr int kAckedBeforeKill = 400;
        QByteArray out;
        while (out.count('\n') < kAckedBeforeKill) {
            QVERIFY2(helper.waitForReadyRead(20000),
                qPrintable("helper produced no output: " + helper.readAllStandardError()));
            out += helper.readAllStandardOutput();
        }
        helper.kill(); // SIGKILL, mid-stream
        QVERIFY(helper.waitForFinished(20000));
        QCOMPARE(helper.exitStatus(), QProcess::CrashExit);
        out += helper.readAllStandardOutput(); // lines written before the kill were acknowledged too
        QVERIFY2(helper.readAllStandardError().isEmpty(), "the helper reported an append error");

        std::map<std::int64_t, QString> acked;
        const QList<QByteArray> lines = out.split('\n');
        for (int i = 0; i + 1 < lines.size(); ++i) { // the last piece is empty or an unfinished line
            const QList<QByteArray> f = lines[i].split(' ');
            QCOMPARE(f.size(), 3);
            QVERIFY(acked.emplace(f[0].toLongLong(), QString::fromLatin1(f[1] + "/" + f[2])).second);
        }
        QVERIFY(int(acked.size()) >= kAckedBeforeKill);

        auto ledger = openOrNull(dir);
        QVERIFY(ledger);
        auto all = ledger->all();
        QVERIFY(all);
        std::map<std::int64_t, QString> stored;
        QSet<QString> contents;
        for (const auto& r : *all) {
            const QString content = qs(r.user) + "/" + QString::number(r.amount.minorUnits());
            QVERIFY2(!contents.contains(content), qPrintable("stored twice: " + content));
            contents.insert(content);
            stored.emplace(r.id, content);
        }
        for (const auto& [id, content] : acked) {
            auto it = stored.find(id);
            QVERIFY2(it != stored.end(), qPrintable(QString("acknowledged id %1 is missing").arg(id)));
            QCOMPARE(it->second, content);
        }
        qInfo("%zu acknowledged before SIGKILL, %zu stored", acked.size(), stored.size());
        // The reopened ledger keeps going after the last record.
        auto next = ledger->append(rec("donation", "after", 1));
        QVERIFY(next);
        QVERIFY(*next > stored.rbegin()->first);
    }
};

QTEST_GUILESS_MAIN(TestLedger)
#include "tst_ledger.moc"
