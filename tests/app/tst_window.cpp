// The window's command line: --screenshot with --after and --presenter, and
// what it refuses. The window itself is tested in tests/ui.
#include "apptest.h"
#include "core/finance/datadir.h"
#include "core/finance/ledger.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <cstdint>
#include <limits>

using namespace apptest;

namespace {

/// The environment of a window run: offscreen, and settings in `config`.
QHash<QString, QString> windowEnvironment(const QString& config)
{
    return {
        {QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen")}, {QStringLiteral("XDG_CONFIG_HOME"), config}};
}

sc::LedgerRecord donation(const char* user, std::int64_t cents)
{
    sc::LedgerRecord r;
    r.kind = "donation";
    r.user = user;
    r.amount = sc::Money::fromMinorUnits(cents);
    r.result = r.amount;
    return r;
}

/// The window's log file in `dataDir`.
QString logFileOf(const QString& dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("logs/supervision-console.log"));
}

/// Starts the window (offscreen, settings in `config`) on `dataDir`; true once it has logged its start.
bool startWindow(QProcess& app, const QString& dataDir, const QString& config)
{
#ifdef SC_APP_BINARY
    app.setProcessEnvironment(appEnvironment(windowEnvironment(config)));
    app.start(QStringLiteral(SC_APP_BINARY), {QStringLiteral("--data-dir"), dataDir});
    if (!app.waitForStarted(kRunTimeoutMs)) return false;
    // Standard error is unbuffered: the line is there as soon as it is logged.
    QByteArray err;
    const bool started = QTest::qWaitFor(
        [&] {
            err += app.readAllStandardError();
            return err.contains("started; data directory") || app.state() != QProcess::Running;
        },
        kRunTimeoutMs);
    return started && app.state() == QProcess::Running;
#else
    Q_UNUSED(app);
    Q_UNUSED(dataDir);
    Q_UNUSED(config);
    return false;
#endif
}

void stopWindow(QProcess& app)
{
    if (app.state() == QProcess::NotRunning) return;
    app.kill();
    app.waitForFinished(kRunTimeoutMs);
}

/// The records a reader sees in `dataDir`'s ledger; -1 if it cannot be read.
qsizetype recordsIn(const QString& dataDir)
{
    auto reader = sc::LedgerReader::open(dataDir.toStdString());
    if (!reader) return -1;
    auto records = (*reader)->after(0);
    return records ? qsizetype(records->size()) : -1;
}

} // namespace

class TestWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
#ifndef SC_APP_BINARY
        QSKIP("supervision-console is not built (SC_BUILD_UI=OFF)");
#endif
    }

    void refusedCommandLines_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("after without screenshot") << QStringList {QStringLiteral("--after"), QStringLiteral("500")}
                                                  << QStringLiteral("--after needs --screenshot FILE");
        QTest::newRow("after not a number")
            << QStringList {QStringLiteral("--screenshot"), QStringLiteral("x.png"), QStringLiteral("--after=soon")}
            << QStringLiteral("--after: 'soon' is not a delay (expected milliseconds from 0 to 600000)");
        QTest::newRow("after negative") << QStringList {QStringLiteral("--screenshot"), QStringLiteral("x.png"),
            QStringLiteral("--after=-1")}
                                        << QStringLiteral(
                                               "--after: '-1' is not a delay (expected milliseconds from 0 to 600000)");
        QTest::newRow("after too long")
            << QStringList {QStringLiteral("--screenshot"), QStringLiteral("x.png"), QStringLiteral("--after"),
                   QStringLiteral("600001")}
            << QStringLiteral("--after: '600001' is not a delay (expected milliseconds from 0 to 600000)");
        QTest::newRow("after twice") << QStringList {QStringLiteral("--screenshot"), QStringLiteral("x.png"),
            QStringLiteral("--after=1"), QStringLiteral("--after=2")}
                                     << QStringLiteral("option '--after' given twice");
        QTest::newRow("presenter with value")
            << QStringList {QStringLiteral("--presenter=yes")} << QStringLiteral("option '--presenter' takes no value");
        QTest::newRow("presenter headless") << QStringList {QStringLiteral("--headless"), QStringLiteral("--scenario"),
            QStringLiteral("x.json"), QStringLiteral("--presenter")}
                                            << QStringLiteral("--presenter cannot be combined with --headless");
    }

    void refusedCommandLines()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const QString problem = usageErrorProblem(runApp(args), message);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void helpNamesTheWindowOptions()
    {
        const Run help = runApp({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        for (const char* option : {"--screenshot FILE", "--after MS", "--presenter", "--scenario FILE"})
            QVERIFY2(help.out.contains(option), option);
    }

    /// A presenter-mode screenshot taken later than the default; the user's
    /// settings are left alone.
    void presenterScreenshotAfterADelay()
    {
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("presenter.png"));
        const QString config = dir.filePath(QStringLiteral("config"));
        const Run run = runApp(
            {QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("data")), QStringLiteral("--screenshot"), png,
                QStringLiteral("--after"), QStringLiteral("300"), QStringLiteral("--presenter")},
            {{QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen")},
                {QStringLiteral("XDG_CONFIG_HOME"), config}});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(readAll(png).startsWith("\x89PNG\r\n\x1a\n"));
        QVERIFY2(run.err.contains("presenter mode on"), run.err.constData());
        QVERIFY(QDir(config).isEmpty());
    }

    /// A second window on a data folder another instance owns opens it
    /// read-only (a --screenshot run shows no dialog) and writes nothing
    /// there: not the ledger, not the lock, not a log file.
    void secondWindowOnALockedFolderWritesNothing()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("data"));
        // This test is the other instance: it holds the lock, and its ledger
        // is open with records in the -wal.
        auto lock = sc::DataDirLock::acquire(data.toStdString());
        QVERIFY(lock.ok());
        auto ledger = sc::Ledger::open(data.toStdString());
        QVERIFY(ledger.ok());
        QVERIFY((*ledger)->append(donation("alice", 10050)).ok());
        QVERIFY((*ledger)->append(donation("bob", 700)).ok());
        const QDir folder(data);
        const auto entries = [&folder] {
            return folder.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
        };
        const QStringList filesBefore = entries();
        const QString db = folder.filePath(QStringLiteral("ledger.sqlite3"));
        const QString wal = db + QStringLiteral("-wal");
        const QString lockFile = folder.filePath(QLatin1String(sc::kDataDirLockName));
        const QByteArray dbBefore = readAll(db);
        const QByteArray walBefore = readAll(wal);
        const QByteArray lockBefore = readAll(lockFile);
        QVERIFY(!walBefore.isEmpty());

        const QString png = dir.filePath(QStringLiteral("read-only.png"));
        const Run run = runApp({QStringLiteral("--data-dir"), data, QStringLiteral("--screenshot"), png,
                                   QStringLiteral("--after"), QStringLiteral("300")},
            windowEnvironment(dir.filePath(QStringLiteral("config"))));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(readAll(png).startsWith("\x89PNG\r\n\x1a\n"));
        const QByteArray said = QStringLiteral("%1: the data folder is in use by another Supervision Console "
                                               "(process %2); opened read-only")
                                    .arg(data)
                                    .arg(QCoreApplication::applicationPid())
                                    .toUtf8();
        QVERIFY2(run.err.contains(said), run.err.constData());
        QVERIFY2(!run.err.contains("the tree did not start"), run.err.constData());

        QCOMPARE(readAll(db), dbBefore);
        QCOMPARE(readAll(wal), walBefore);
        QCOMPARE(readAll(lockFile), lockBefore);
        QCOMPARE(entries(), filesBefore); // no logs/ either
        // The owner goes on writing.
        QVERIFY((*ledger)->append(donation("carol", 100)).ok());
    }

    /// --scenario FILE opens the window stopped before step 1, as the Scenarios menu does; the
    /// teacher plays it. (A --screenshot run plays it, nobody being there to press Play: see
    /// windowCloseLeavesNothingOnlyInTheWal.)
    void scenarioLaunchStopsBeforeStepOne()
    {
#ifdef SC_APP_BINARY
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("kill.json"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"tree": {"id": "root", "children": [{"id": "a"}]},
                    "steps": [{"do": "kill", "target": "root/a"}, {"do": "kill", "target": "root/a"}]})");
        f.close();
        QProcess app;
        app.setProcessEnvironment(appEnvironment(windowEnvironment(dir.filePath(QStringLiteral("config")))));
        app.setReadChannel(QProcess::StandardError);
        app.start(QStringLiteral(SC_APP_BINARY),
            {QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("data")), QStringLiteral("--scenario"), file});
        // The window's log says, once the tree runs, whether it plays.
        QByteArray err;
        QElapsedTimer clock;
        clock.start();
        while (!err.contains("the tree runs;") && app.state() != QProcess::NotRunning && clock.elapsed() < kRunTimeoutMs) {
            app.waitForReadyRead(1000);
            err += app.readAllStandardError();
        }
        app.kill();
        app.waitForFinished();
        err += app.readAllStandardError();
        QVERIFY2(err.contains("scenario kill.json: the tree runs; stopped before step 1 of 2"), err.constData());
        QVERIFY2(!err.contains("scenario step 1"), err.constData());
#endif
    }

    /// The log file has the window's lines while it runs, not only once it exits: a warning at
    /// once (here an error: a ledger whose donations add up beyond the money range, which the
    /// report generator refuses to load), anything else within about a second.
    void logFileFollowsTheRunningWindow_data()
    {
        QTest::addColumn<bool>("badLedger");
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("info") << false << QByteArray("started; data directory");
        QTest::newRow("warning") << true << QByteArray("report_generator: loading failed");
    }
    void logFileFollowsTheRunningWindow()
    {
        QFETCH(bool, badLedger);
        QFETCH(QByteArray, line);
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("data"));
        if (badLedger) {
            auto ledger = sc::Ledger::open(data.toStdString());
            QVERIFY(ledger.ok());
            QVERIFY((*ledger)->append(donation("alice", 100)).ok());
            QVERIFY((*ledger)->append(donation("bob", std::numeric_limits<std::int64_t>::max())).ok());
        }
        QProcess app;
        QVERIFY(startWindow(app, data, dir.filePath(QStringLiteral("config"))));
        QTRY_VERIFY_WITH_TIMEOUT(readAll(logFileOf(data)).contains(line), 20000);
        QCOMPARE(app.state(), QProcess::Running);
        stopWindow(app);
    }

    /// SIGTERM (a logout, `kill`) closes the window as Quit does: it exits normally and the log
    /// file keeps every line, the last one saying why it closed.
    void sigtermClosesTheWindowAndKeepsTheLog()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("data"));
        QProcess app;
        QVERIFY(startWindow(app, data, dir.filePath(QStringLiteral("config"))));
        app.terminate(); // SIGTERM
        QVERIFY(app.waitForFinished(kRunTimeoutMs));
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 0);
        const QByteArray log = readAll(logFileOf(data));
        QVERIFY2(log.contains("started; data directory"), log.constData());
        QVERIFY2(log.contains("SIGTERM: closing the window"), log.constData());
    }

    /// Closing the window closes the ledger: nothing is left only in the
    /// -wal, so ledger.sqlite3 alone (the file people copy) holds every record.
    void windowCloseLeavesNothingOnlyInTheWal_data()
    {
        QTest::addColumn<QByteArray>("scenario");
        QTest::addColumn<bool>("seed");
        // Played in the window: the donations are committed while it runs.
        QTest::newRow("donations in the window") << QByteArray(R"({"tree": "finance", "steps": [
            {"do": "open_tracker", "user": "alice"},
            {"do": "donate", "user": "alice", "amount": "100"},
            {"do": "pool_add", "user": "bob", "amount": "5.25"}]})")
                                                 << false;
        // The default finance tree over a ledger a headless run wrote.
        QTest::newRow("default finance tree") << QByteArray() << true;
    }
    void windowCloseLeavesNothingOnlyInTheWal()
    {
        QFETCH(QByteArray, scenario);
        QFETCH(bool, seed);
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("data"));
        QStringList args {QStringLiteral("--data-dir"), data, QStringLiteral("--screenshot"),
            dir.filePath(QStringLiteral("shot.png"))};
        if (seed) {
            const QString file = QStringLiteral(SC_TEST_DATA_DIR "/finance/every_step.json");
            const Run headless = runApp({QStringLiteral("--headless"), QStringLiteral("--scenario"), file,
                QStringLiteral("--data-dir"), data, QStringLiteral("--trace"), dir.filePath(QStringLiteral("t"))});
            QVERIFY2(headless.exitCode == 0, headless.err.constData());
            args << QStringLiteral("--after") << QStringLiteral("300");
        } else {
            const QString file = dir.filePath(QStringLiteral("donations.json"));
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly) && f.write(scenario) == scenario.size());
            f.close();
            // Steps are 0.8 s apart in the window: time for all three, with room on a loaded machine.
            args << QStringLiteral("--scenario") << file << QStringLiteral("--after") << QStringLiteral("6000");
        }
        const Run run = runApp(args, windowEnvironment(dir.filePath(QStringLiteral("config"))));
        QVERIFY2(run.exitCode == 0, run.err.constData());

        const QString db = QDir(data).filePath(QStringLiteral("ledger.sqlite3"));
        const QFileInfo wal(db + QStringLiteral("-wal"));
        QVERIFY2(
            !wal.exists() || wal.size() == 0, qPrintable(QStringLiteral("%1 bytes left in the -wal").arg(wal.size())));
        const qsizetype records = recordsIn(data);
        QVERIFY2(records >= 1, qPrintable(QStringLiteral("%1 records").arg(records)));
        // ledger.sqlite3 alone, as copied or mailed, holds them all.
        const QString copy = dir.filePath(QStringLiteral("copy"));
        QVERIFY(QDir().mkpath(copy));
        QVERIFY(QFile::copy(db, QDir(copy).filePath(QStringLiteral("ledger.sqlite3"))));
        QCOMPARE(recordsIn(copy), records);
    }
};

QTEST_GUILESS_MAIN(TestWindow)
#include "tst_window.moc"
