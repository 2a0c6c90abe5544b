// ExitReason: the spelling used in traces, its parser, and which reasons count
// as orderly (the ones a transient child is not restarted for).
#include "coretest.h"

#include <QTest>

using sc::ExitReason;
using namespace sctest;

Q_DECLARE_METATYPE(sc::ExitReason)

class TestExitReason : public QObject {
    Q_OBJECT

private slots:
    void defaultIsNormal()
    {
        ExitReason r;
        QCOMPARE(r.kind(), ExitReason::Kind::Normal);
        QVERIFY(r.isNormal());
        QCOMPARE(r, ExitReason::normal());
    }

    void spelling_data()
    {
        QTest::addColumn<ExitReason>("reason");
        QTest::addColumn<QString>("text");
        QTest::newRow("normal") << ExitReason::normal() << "normal";
        QTest::newRow("shutdown") << ExitReason::shutdown() << "shutdown";
        QTest::newRow("shutdown:detail") << ExitReason::shutdown("detail") << "shutdown:detail";
        QTest::newRow("killed") << ExitReason::killed() << "killed";
        QTest::newRow("noproc") << ExitReason::noproc() << "noproc";
        QTest::newRow("error") << ExitReason::error("boom") << "error:boom";
        QTest::newRow("error with colons") << ExitReason::error("a:b:c") << "error:a:b:c";
        QTest::newRow("error with spaces") << ExitReason::error("injected crash") << "error:injected crash";
        QTest::newRow("shutdown detail with colon") << ExitReason::shutdown("x:y") << "shutdown:x:y";
    }
    void spelling()
    {
        QFETCH(ExitReason, reason);
        QFETCH(QString, text);
        QCOMPARE(qs(reason.toString()), text);
        QCOMPARE(ExitReason::parse(text.toStdString()), reason);
        // Round trip both ways.
        QCOMPARE(ExitReason::parse(reason.toString()), reason);
        QCOMPARE(qs(ExitReason::parse(text.toStdString()).toString()), text);
    }

    void parseDetails()
    {
        auto r = ExitReason::parse("shutdown:maintenance");
        QCOMPARE(r.kind(), ExitReason::Kind::Shutdown);
        QCOMPARE(qs(r.detail()), QStringLiteral("maintenance"));
        r = ExitReason::parse("error:disk full");
        QCOMPARE(r.kind(), ExitReason::Kind::Error);
        QCOMPARE(qs(r.detail()), QStringLiteral("disk full"));
        QCOMPARE(ExitReason::shutdown().detail(), std::string());
    }

    void unknownTextIsAnError_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("word") << "anything";
        QTest::newRow("capitalised keyword") << "Normal";
        QTest::newRow("badarg") << "badarg";
    }
    void unknownTextIsAnError()
    {
        QFETCH(QString, text);
        const auto r = ExitReason::parse(text.toStdString());
        QCOMPARE(r, ExitReason::error(text.toStdString()));
        QVERIFY(!r.isOrderly());
        QCOMPARE(ExitReason::parse(r.toString()), r);
    }

    void isOrderly_data()
    {
        QTest::addColumn<ExitReason>("reason");
        QTest::addColumn<bool>("orderly");
        QTest::addColumn<bool>("normal");
        QTest::newRow("normal") << ExitReason::normal() << true << true;
        QTest::newRow("shutdown") << ExitReason::shutdown() << true << false;
        QTest::newRow("shutdown:detail") << ExitReason::shutdown("detail") << true << false;
        QTest::newRow("killed") << ExitReason::killed() << false << false;
        QTest::newRow("error") << ExitReason::error("boom") << false << false;
        QTest::newRow("noproc") << ExitReason::noproc() << false << false;
    }
    void isOrderly()
    {
        QFETCH(ExitReason, reason);
        QFETCH(bool, orderly);
        QFETCH(bool, normal);
        QCOMPARE(reason.isOrderly(), orderly);
        QCOMPARE(reason.isNormal(), normal);
    }

    void equality()
    {
        QVERIFY(ExitReason::shutdown("a") != ExitReason::shutdown("b"));
        QVERIFY(ExitReason::shutdown() != ExitReason::shutdown("a"));
        QVERIFY(ExitReason::error("x") != ExitReason::shutdown("x"));
        QVERIFY(ExitReason::killed() != ExitReason::error("killed"));
    }
};

QTEST_GUILESS_MAIN(TestExitReason)
#include "tst_exitreason.moc"
