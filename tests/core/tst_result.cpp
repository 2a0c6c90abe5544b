// Result/Error: errors are values with OTP's names (the trace prints them).
#include "coretest.h"

#include <QTest>

using namespace sc;
using namespace sctest;


class TestResult : public QObject {
    Q_OBJECT

private slots:
    void valueAndError()
    {
        Result<int> ok(42);
        QVERIFY(ok.ok());
        QVERIFY(bool(ok));
        QCOMPARE(*ok, 42);
        QCOMPARE(ok.value(), 42);

        Result<int> bad(Error {Errc::AlreadyRegistered, "taken", 7});
        QVERIFY(!bad.ok());
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, Errc::AlreadyRegistered);
        QCOMPARE(bad.error().owner, Pid(7));
        QCOMPARE(qs(bad.error().detail), QStringLiteral("taken"));

        Status st = Ok {};
        QVERIFY(st.ok());
    }

    void otpNames_data()
    {
        QTest::addColumn<sc::Errc>("code");
        QTest::addColumn<QString>("name");
        // The names OTP/Elixir use for these answers.
        QTest::newRow("noproc") << Errc::NoProc << "noproc";
        QTest::newRow("timeout") << Errc::Timeout << "timeout";
        QTest::newRow("calling_self") << Errc::CallingSelf << "calling_self";
        QTest::newRow("already_registered") << Errc::AlreadyRegistered << "already_registered";
        QTest::newRow("not_found") << Errc::NotFound << "not_found";
        QTest::newRow("already_started") << Errc::AlreadyStarted << "already_started";
        QTest::newRow("already_present") << Errc::AlreadyPresent << "already_present";
        QTest::newRow("running") << Errc::Running << "running";
        QTest::newRow("restarting") << Errc::Restarting << "restarting";
        QTest::newRow("max_children") << Errc::MaxChildren << "max_children";
        QTest::newRow("ignore") << Errc::Ignore << "ignore";
    }
    void otpNames()
    {
        QFETCH(sc::Errc, code);
        QFETCH(QString, name);
        QCOMPARE(QString::fromUtf8(errcName(code)), name);
    }

    void errorToStringNamesTheError()
    {
        Error e {Errc::MaxChildren, {}, 0};
        QVERIFY(qs(e.toString()).contains(QStringLiteral("max_children")));
        Error d {Errc::StartFailed, "error:boom", 0};
        QVERIFY(qs(d.toString()).contains(QStringLiteral("error:boom")));
    }
};

QTEST_GUILESS_MAIN(TestResult)
#include "tst_result.moc"
