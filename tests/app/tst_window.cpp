// The window's command line: --screenshot with --after and --presenter, and
// what it refuses. The window itself is tested in tests/ui.
#include "apptest.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace apptest;

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
};

QTEST_GUILESS_MAIN(TestWindow)
#include "tst_window.moc"
