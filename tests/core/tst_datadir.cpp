// DataDirLock: one owner per data directory, refused with the owner's pid,
// released on destruction and when the owner is killed; sameFile by device
// and inode (symlinks, hard links, '..', dangling links, files not yet made);
// checkOutputPath refusing the ledger, its side files, the lock and inputs.
#include "coretest.h"
#include "core/finance/datadir.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <cstdio>
#include <string>
#include <unistd.h>

using namespace sc;

namespace {

std::string path(const QTemporaryDir& tmp, const char* name)
{
    return tmp.filePath(QLatin1String(name)).toStdString();
}

bool touch(const std::string& file)
{
    QFile f(QString::fromStdString(file));
    return f.open(QIODevice::WriteOnly);
}

/// This binary run as `--hold-lock DIR`: takes the lock, says so with its
/// pid on standard output and waits to be killed.
int holdLock(const char* dir)
{
    auto lock = DataDirLock::acquire(dir);
    if (!lock) {
        std::fprintf(stderr, "%s\n", lock.error().detail.c_str());
        return 1;
    }
    std::printf("locked %d\n", int(::getpid()));
    std::fflush(stdout);
    for (;;)
        ::pause();
}

} // namespace

class TestDataDir : public QObject {
    Q_OBJECT

private slots:
    void secondAcquireIsRefusedWithTheOwnersPid()
    {
        QTemporaryDir tmp;
        const std::string dir = path(tmp, "not/yet/there"); // acquire creates it
        auto first = DataDirLock::acquire(dir);
        QVERIFY2(first.ok(), first.ok() ? "" : first.error().detail.c_str());
        QVERIFY(first->held());
        QCOMPARE(first->dataDir(), dir);

        auto second = DataDirLock::acquire(dir);
        QVERIFY(!second);
        QCOMPARE(second.error().code, Errc::InUse);
        const std::string& detail = second.error().detail;
        qInfo("%s", detail.c_str());
        QVERIFY2(detail.find(dir) == 0, detail.c_str());
        QVERIFY2(detail.find("(process " + std::to_string(::getpid()) + ")") != std::string::npos, detail.c_str());
        QVERIFY2(detail.find('\n') == std::string::npos, "the message is one line");
        QCOMPARE(second.error().owner, sc::Pid(::getpid()));
    }

    void releasedOnDestructionAndByRelease()
    {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        {
            auto lock = DataDirLock::acquire(dir);
            QVERIFY(lock);
            // Moved, the lock stays held by its new owner.
            DataDirLock moved = std::move(*lock);
            QVERIFY(moved.held());
            QVERIFY(!lock->held());
            QVERIFY(!DataDirLock::acquire(dir));
        }
        auto again = DataDirLock::acquire(dir);
        QVERIFY2(again.ok(), again.ok() ? "" : again.error().detail.c_str());
        again.value().release();
        QVERIFY(!again->held());
        QVERIFY(DataDirLock::acquire(dir).ok());
        // The lock file stays (removing it would race with a starting instance).
        QVERIFY(QFile::exists(tmp.filePath(QLatin1String(kDataDirLockName))));
    }

    void releasedWhenTheOwnerIsKilled()
    {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        QProcess holder;
        holder.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--hold-lock"), tmp.path()});
        QVERIFY2(holder.waitForStarted(), qPrintable(holder.errorString()));
        QByteArray out;
        while (!out.contains('\n')) {
            QVERIFY2(holder.waitForReadyRead(int(sctest::kLong.count())),
                qPrintable("the holder said nothing: " + holder.readAllStandardError()));
            out += holder.readAllStandardOutput();
        }
        const QByteArray pid = QByteArray::number(holder.processId());
        QCOMPARE(out.trimmed(), "locked " + pid);

        auto refused = DataDirLock::acquire(dir);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, Errc::InUse);
        QVERIFY2(refused.error().detail.find("(process " + pid.toStdString() + ")") != std::string::npos,
            refused.error().detail.c_str());

        holder.kill(); // SIGKILL: no destructor runs; the system drops the lock
        QVERIFY(holder.waitForFinished(int(sctest::kLong.count())));
        QCOMPARE(holder.exitStatus(), QProcess::CrashExit);
        auto taken = DataDirLock::acquire(dir);
        QVERIFY2(taken.ok(), taken.ok() ? "" : taken.error().detail.c_str());
    }

    void lockFileThatIsASymlinkIsRefused()
    {
        QTemporaryDir tmp;
        const std::string target = path(tmp, "elsewhere.lock");
        QVERIFY(QFile::link(QString::fromStdString(target), tmp.filePath(QLatin1String(kDataDirLockName))));
        auto lock = DataDirLock::acquire(tmp.path().toStdString());
        QVERIFY(!lock);
        QCOMPARE(lock.error().code, Errc::Storage);
        QVERIFY2(lock.error().detail.find("symbolic link") != std::string::npos, lock.error().detail.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(target))); // the link was not followed
    }

    void sameFileByDeviceAndInode_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("same");
        // Relative to a directory holding "file", "other", "sub/", "live" -> file,
        // "hard" (a hard link of file), "dangling" -> "later" (not made yet).
        QTest::newRow("itself") << "file" << "file" << true;
        QTest::newRow("another file") << "file" << "other" << false;
        QTest::newRow("through '..'") << "sub/../file" << "file" << true;
        QTest::newRow("through a symlink") << "live" << "file" << true;
        QTest::newRow("a hard link") << "hard" << "file" << true;
        QTest::newRow("a dangling symlink and its target") << "dangling" << "later" << true;
        QTest::newRow("a dangling symlink and another name") << "dangling" << "other-later" << false;
        QTest::newRow("neither made yet, same name") << "sub/../new" << "new" << true;
        QTest::newRow("neither made yet, other names") << "new" << "new2" << false;
        QTest::newRow("neither made yet, other directories") << "sub/new" << "new" << false;
        QTest::newRow("one made, one not") << "file" << "new" << false;
        QTest::newRow("a directory and a file") << "sub" << "file" << false;
    }
    void sameFileByDeviceAndInode()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, same);
        QTemporaryDir tmp;
        QVERIFY(touch(path(tmp, "file")) && touch(path(tmp, "other")));
        QVERIFY(QDir(tmp.path()).mkdir(QStringLiteral("sub")));
        QVERIFY(QFile::link(QStringLiteral("file"), tmp.filePath(QStringLiteral("live"))));
        QVERIFY(QFile::link(QStringLiteral("later"), tmp.filePath(QStringLiteral("dangling"))));
        QCOMPARE(::link(path(tmp, "file").c_str(), path(tmp, "hard").c_str()), 0);
        const std::string pa = tmp.filePath(a).toStdString(), pb = tmp.filePath(b).toStdString();
        QCOMPARE(sameFile(pa, pb), same);
        QCOMPARE(sameFile(pb, pa), same);
    }

    void checkOutputPathRefusesTheLedgersFilesAndInputs_data()
    {
        QTest::addColumn<QString>("output");
        QTest::addColumn<QString>("names"); ///< what the message names, or empty: allowed
        QTest::newRow("the ledger") << "data/ledger.sqlite3" << "ledger.sqlite3";
        QTest::newRow("its -wal, not made yet") << "data/ledger.sqlite3-wal" << "ledger.sqlite3-wal";
        QTest::newRow("its -shm") << "data/ledger.sqlite3-shm" << "ledger.sqlite3-shm";
        QTest::newRow("its -journal") << "data/ledger.sqlite3-journal" << "ledger.sqlite3-journal";
        QTest::newRow("the lock file") << "data/supervision-console.lock" << "supervision-console.lock";
        QTest::newRow("the ledger through '..'") << "data/../data/ledger.sqlite3" << "ledger.sqlite3";
        QTest::newRow("a symlink to the ledger") << "link.csv" << "ledger.sqlite3";
        QTest::newRow("a hard link of the ledger") << "hard.csv" << "ledger.sqlite3";
        QTest::newRow("the scenario") << "scenario.json" << "scenario.json";
        QTest::newRow("an ordinary new file") << "out.csv" << "";
        QTest::newRow("a file beside the ledger") << "data/audit.csv" << "";
    }
    void checkOutputPathRefusesTheLedgersFilesAndInputs()
    {
        QFETCH(QString, output);
        QFETCH(QString, names);
        QTemporaryDir tmp;
        const std::string data = path(tmp, "data");
        auto lock = DataDirLock::acquire(data);
        QVERIFY(lock);
        QVERIFY(touch(data + "/ledger.sqlite3") && touch(data + "/ledger.sqlite3-shm"));
        QVERIFY(touch(path(tmp, "scenario.json")));
        QVERIFY(QFile::link(QStringLiteral("data/ledger.sqlite3"), tmp.filePath(QStringLiteral("link.csv"))));
        QCOMPARE(::link((data + "/ledger.sqlite3").c_str(), path(tmp, "hard.csv").c_str()), 0);

        const std::string out = tmp.filePath(output).toStdString();
        const Status st = checkOutputPath(out, "the trace", data, {path(tmp, "scenario.json")});
        if (names.isEmpty()) {
            QVERIFY2(st.ok(), st.ok() ? "" : st.error().detail.c_str());
            return;
        }
        QVERIFY(!st);
        QCOMPARE(st.error().code, Errc::BadArgument);
        const QString detail = QString::fromStdString(st.error().detail);
        qInfo("%s", qPrintable(detail));
        QVERIFY2(
            detail.startsWith(QString::fromStdString(out) + ": refusing to write the trace there"), qPrintable(detail));
        QVERIFY2(detail.contains(names), qPrintable(detail));
        // Without a data directory only the inputs are protected.
        QCOMPARE(checkOutputPath(out, "the trace", {}, {path(tmp, "scenario.json")}).ok(), names != "scenario.json");
    }
};

int main(int argc, char** argv)
{
    if (argc == 3 && std::string(argv[1]) == "--hold-lock") return holdLock(argv[2]);
    QCoreApplication app(argc, argv);
    TestDataDir test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_datadir.moc"
