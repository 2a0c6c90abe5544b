// The command-line parser (app/options.h) on its own: what each option means,
// the message for each kind of bad input, and the --help text. The binary's
// side (exit codes, stderr) is tst_scenariorunner's.
#include "app/options.h"

#include <QTest>

using sc::app::Options;
using sc::app::parseOptions;

namespace {

std::vector<std::string> toArgs(const QStringList& list)
{
    std::vector<std::string> args;
    for (const QString& arg : list)
        args.push_back(arg.toStdString());
    return args;
}

/// The options as one line, so a data row can say what it expects.
QString describe(const Options& o)
{
    const auto text = [](const std::optional<std::string>& v) {
        return v ? QStringLiteral("[%1]").arg(QString::fromStdString(*v)) : QStringLiteral("-");
    };
    QStringList parts;
    if (o.headless) parts << QStringLiteral("headless");
    if (o.help) parts << QStringLiteral("help");
    if (o.version) parts << QStringLiteral("version");
    if (o.presenter) parts << QStringLiteral("presenter");
    if (o.recoverState) parts << QStringLiteral("recover");
    if (o.scenario) parts << QStringLiteral("scenario=") + text(o.scenario);
    if (o.trace) parts << QStringLiteral("trace=") + text(o.trace);
    if (o.workers) parts << QStringLiteral("workers=%1").arg(o.workers);
    if (o.screenshot) parts << QStringLiteral("screenshot=") + text(o.screenshot);
    if (o.screenshotAfterMs) parts << QStringLiteral("after=%1").arg(*o.screenshotAfterMs);
    if (o.dataDir) parts << QStringLiteral("data-dir=") + text(o.dataDir);
    if (o.exportAudit) parts << QStringLiteral("export=") + text(o.exportAudit);
    return parts.join(QLatin1Char(' '));
}

} // namespace

class TestOptions : public QObject {
    Q_OBJECT

private slots:
    void accepted_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("options");
        const auto row = [](const char* name, const QStringList& args, const char* options) {
            QTest::newRow(name) << args << QString::fromUtf8(options);
        };
        row("nothing", {}, "");
        row("help", {"--help"}, "help");
        row("-h", {"-h"}, "help");
        row("version", {"--version"}, "version");
        row("help skips the combination rules", {"--help", "--headless"}, "headless help");
        row("headless", {"--headless", "--scenario", "s.json"}, "headless scenario=[s.json]");
        row("inline value", {"--headless", "--scenario=s.json"}, "headless scenario=[s.json]");
        row("inline value with '='", {"--scenario=a=b"}, "scenario=[a=b]");
        row("inline value that looks like an option", {"--scenario=--x"}, "scenario=[--x]");
        row("trace to stdout", {"--headless", "--scenario", "s", "--trace", "-"}, "headless scenario=[s] trace=[-]");
        row("trace to a file", {"--headless", "--scenario", "s", "--trace=t"}, "headless scenario=[s] trace=[t]");
        row("workers", {"--workers", "4"}, "workers=4");
        row("workers 1", {"--workers=1"}, "workers=1");
        row("workers 1024", {"--workers=1024"}, "workers=1024");
        row("workers twice: the last counts", {"--workers", "2", "--workers", "3"}, "workers=3");
        row("screenshot", {"--screenshot", "x.png"}, "screenshot=[x.png]");
        row("after 0", {"--screenshot", "x.png", "--after", "0"}, "screenshot=[x.png] after=0");
        row("after 600000", {"--screenshot", "x.png", "--after=600000"}, "screenshot=[x.png] after=600000");
        row("presenter", {"--presenter"}, "presenter");
        row("data dir", {"--data-dir", "d"}, "data-dir=[d]");
        row("recover state", {"--recover-state"}, "recover");
        row("export audit", {"--export-audit", "a.csv", "--data-dir=d"}, "data-dir=[d] export=[a.csv]");
        row("window", {"--scenario", "s", "--screenshot", "p", "--after", "10", "--presenter", "--workers", "3",
                          "--data-dir", "d", "--recover-state"},
            "presenter recover scenario=[s] workers=3 screenshot=[p] after=10 data-dir=[d]");
    }

    void accepted()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, options);
        const auto parsed = parseOptions(toArgs(args));
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().detail.c_str());
        QCOMPARE(describe(*parsed), options);
    }

    void rejected_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const auto row = [](const char* name, const QStringList& args, const char* message) {
            QTest::newRow(name) << args << QString::fromUtf8(message);
        };
        const QString workers = QStringLiteral("is not a thread count (expected an integer from 1 to 1024)");
        const QString after = QStringLiteral("is not a delay (expected milliseconds from 0 to 600000)");
        // The form of the command line.
        row("unknown option", {"--bogus"}, "unknown option '--bogus'");
        row("unknown option with a value", {"--bogus=1"}, "unknown option '--bogus'");
        row("three dashes", {"---x"}, "unknown option '---x'");
        row("single-dash word", {"-headless"}, "unknown option '-headless'");
        row("single dash, unknown letter", {"-x"}, "unknown option '-x'");
        row("-h with more letters", {"-hx"}, "unknown option '-hx'");
        row("-h with a value", {"-h=1"}, "unknown option '-h=1'");
        row("a lone dash", {"-"}, "unknown option '-'");
        row("a double dash", {"--", "--headless"}, "unknown option '--'");
        row("stray argument", {"scenario.json"}, "unexpected argument 'scenario.json'");
        row("stray argument after options", {"--scenario", "s", "extra"}, "unexpected argument 'extra'");
        row("flag with value", {"--headless=yes"}, "option '--headless' takes no value");
        row("help with value", {"--help=1"}, "option '--help' takes no value");
        row("missing value", {"--workers"}, "option '--workers' needs a value");
        row("missing value at the end", {"--headless", "--scenario"}, "option '--scenario' needs a value");
        row("option as value", {"--scenario", "--headless"}, "option '--scenario' needs a value");
        row("dash word as value", {"--data-dir", "-d"}, "option '--data-dir' needs a value");
        row("negative number as value", {"--workers", "-3"}, "option '--workers' needs a value");
        row("empty value", {"--scenario", ""}, "option '--scenario' needs a non-empty value");
        row("empty inline value", {"--data-dir="}, "option '--data-dir' needs a non-empty value");
        row("empty workers", {"--workers="}, "option '--workers' needs a non-empty value");
        row("given twice", {"--headless", "--scenario", "a", "--scenario=b"}, "option '--scenario' given twice");
        row("after given twice", {"--screenshot", "p", "--after", "1", "--after", "2"},
            "option '--after' given twice");
        // Malformed numbers.
        row("workers not a number", {"--workers", "two"}, qPrintable("--workers: 'two' " + workers));
        row("workers zero", {"--workers=0"}, qPrintable("--workers: '0' " + workers));
        row("workers negative", {"--workers=-3"}, qPrintable("--workers: '-3' " + workers));
        row("workers too many", {"--workers", "1025"}, qPrintable("--workers: '1025' " + workers));
        row("workers with a suffix", {"--workers", "4x"}, qPrintable("--workers: '4x' " + workers));
        row("workers with a sign", {"--workers", "+4"}, qPrintable("--workers: '+4' " + workers));
        row("workers overflowing", {"--workers", "99999999999999999999"},
            qPrintable("--workers: '99999999999999999999' " + workers));
        row("bad workers then good", {"--workers", "x", "--workers", "2"}, qPrintable("--workers: 'x' " + workers));
        row("after not a number", {"--screenshot", "p", "--after", "soon"}, qPrintable("--after: 'soon' " + after));
        row("after negative", {"--screenshot", "p", "--after=-1"}, qPrintable("--after: '-1' " + after));
        row("after too long", {"--screenshot", "p", "--after", "600001"}, qPrintable("--after: '600001' " + after));
        // Options that do not go together.
        row("headless without scenario", {"--headless"}, "--headless needs --scenario FILE");
        row("trace without headless", {"--trace", "-"}, "--trace needs --headless");
        row("screenshot with headless", {"--headless", "--scenario", "s", "--screenshot", "x.png"},
            "--screenshot cannot be combined with --headless");
        row("presenter with headless", {"--headless", "--scenario", "s", "--presenter"},
            "--presenter cannot be combined with --headless");
        row("after without screenshot", {"--after", "5"}, "--after needs --screenshot FILE");
        row("scenario from stdin", {"--headless", "--scenario", "-"},
            "--scenario needs a file name ('-' is not supported)");
        row("export with headless", {"--export-audit", "a.csv", "--headless"},
            "--export-audit can only be combined with --data-dir");
        row("export with workers", {"--export-audit", "a.csv", "--workers", "2"},
            "--export-audit can only be combined with --data-dir");
        row("export to stdout", {"--export-audit", "-"}, "--export-audit needs a file name ('-' is not supported)");
    }

    void rejected()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const auto parsed = parseOptions(toArgs(args));
        QVERIFY2(!parsed.ok(), qPrintable(parsed.ok() ? describe(*parsed) : QString()));
        QCOMPARE(parsed.error().code, sc::Errc::BadArgument);
        QCOMPARE(QString::fromStdString(parsed.error().detail), message);
    }

    void bytesPassThrough()
    {
        // A file name that is not UTF-8 reaches the app byte for byte.
        const std::string name = "\xff\xfe caf\xc3\xa9.json";
        const auto parsed = parseOptions({"--headless", "--scenario", name});
        QVERIFY(parsed.ok());
        QCOMPARE(*parsed->scenario, name);
        const auto bad = parseOptions({"--workers", "\xff"});
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().detail, "--workers: '\xff' is not a thread count (expected an integer from 1 to 1024)");
    }

    void helpListsEveryOption()
    {
        const QString help = QString::fromStdString(sc::app::usage());
        QVERIFY(help.startsWith(QLatin1String("Usage: supervision-console [OPTIONS]\n")));
        for (const char* option : {"--headless ", "--scenario FILE ", "--trace FILE|- ", "--workers N ",
                 "--screenshot FILE ", "--after MS ", "--presenter ", "--data-dir DIR ", "--recover-state ",
                 "--export-audit FILE ", "-h, --help ", "--version "})
            QVERIFY2(help.contains(QLatin1String("\n  ") + QLatin1String(option)), option);
        QVERIFY(help.contains(QLatin1String("\nExit status: 0 on success")));
        // Every line fits 80 columns; descriptions start in one column.
        for (const QString& line : help.split(QLatin1Char('\n'))) {
            QVERIFY2(line.size() <= 80, qPrintable(line));
            if (line.startsWith(QLatin1String("  ")))
                QVERIFY2(line.size() > 22 && line[21] == QLatin1Char(' ') && line[22] != QLatin1Char(' '),
                    qPrintable(line));
        }
    }
};

QTEST_GUILESS_MAIN(TestOptions)
#include "tst_options.moc"
