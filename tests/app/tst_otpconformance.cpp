// OTP conformance: runs every scenario in tests/data/otp through the headless
// runner and compares its start/exit/step/result events with the sequence
// real Erlang/OTP produced for the same scenario (the checked-in NAME.otp,
// made with shared/tools/otp-oracle; see tests/data/otp/README.md).
//
// A scenario with a sidecar NAME.unordered file is compared with every
// maximal run of consecutive `exit` lines treated as unordered (OTP itself
// does not define the order there). `step sleep` lines are dropped on both
// sides: the sleeps only let OTP settle after a crash, and the oracle may
// print their marker before or after the crash's events.
//
// A process that never finished starting (its init crashed or returned
// ignore) is `failstart PATH CLASS` on both sides: the oracle prints it so,
// and in our trace it is an `exit` whose pid had no `start`. In OTP its exit
// races with its supervisor's next moves (a crash report is written first),
// so within one step the failstart lines are compared as a group (sorted,
// after the step's other lines), everything else in order.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>
#include <QSet>
#include <QTest>
#include <algorithm>
#include <vector>

namespace {

constexpr int kScenarioTimeoutMs = 60000;

QString otpDir()
{
    return QStringLiteral(SC_TEST_DATA_DIR "/otp");
}

// "exit PATH error:boom" -> "exit PATH error"; our reasons are normal |
// shutdown | shutdown:detail | killed | error:message, OTP's classes are the
// part before the first ':'.
QString reasonClass(const QString& reason)
{
    const qsizetype colon = reason.indexOf(QLatin1Char(':'));
    return colon < 0 ? reason : reason.left(colon);
}

// The oracle prints results as `result DO ok`, `result DO error`, `result DO
// ignore` (a dynamic start_child whose child's init said ignore; our runner
// answers it ok with "ignored": OTP's restart_child of such a child is
// `{:ok, :undefined}`, printed `ok`), `result terminate_child :ok` or `result
// terminate_child {:error, :not_found}`.
QString normaliseResult(const QString& value)
{
    const QString v = value.trimmed();
    if (v == QLatin1String("ok") || v == QLatin1String(":ok") || v.startsWith(QLatin1String("{:ok"))
        || v == QLatin1String("ignore"))
        return QStringLiteral("ok");
    if (v.startsWith(QLatin1String("{:error")) || v.startsWith(QLatin1String("error"))
        || v.startsWith(QLatin1String(":error")))
        return QStringLiteral("error");
    return v; // unexpected: kept verbatim so the diff shows it
}

QStringList readExpected(const QString& otpFile, QString* error)
{
    QFile f(otpFile);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = QStringLiteral("cannot read %1: %2").arg(otpFile, f.errorString());
        return {};
    }
    QStringList out;
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'));
    for (const QString& raw : lines) {
        const QString line = raw.trimmed();
        if (line.isEmpty() || line == QLatin1String("step sleep")) continue;
        if (line.startsWith(QLatin1String("result "))) {
            const qsizetype sp = line.indexOf(QLatin1Char(' '), 7);
            if (sp < 0) {
                out << line;
                continue;
            }
            out << line.left(sp) + QLatin1Char(' ') + normaliseResult(line.mid(sp + 1));
        } else {
            out << line;
        }
    }
    return out;
}

struct Actual {
    QStringList events;
    QStringList badLines; // stdout lines that are not JSON objects
};

Actual convertTrace(const QByteArray& stdoutBytes)
{
    Actual a;
    QSet<qint64> started; // pids with a start event: an exit of any other is a failed start
    const QList<QByteArray> lines = stdoutBytes.split('\n');
    for (const QByteArray& raw : lines) {
        const QByteArray line = raw.trimmed();
        if (line.isEmpty()) continue;
        QJsonParseError perr;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &perr);
        if (perr.error != QJsonParseError::NoError || !doc.isObject()) {
            a.badLines << QString::fromUtf8(line);
            continue;
        }
        const QJsonObject o = doc.object();
        const QString ev = o.value(QLatin1String("event")).toString();
        const qint64 pid = o.value(QLatin1String("pid")).toInteger();
        if (ev == QLatin1String("start")) {
            started.insert(pid);
            a.events << QStringLiteral("start ") + o.value(QLatin1String("path")).toString();
        } else if (ev == QLatin1String("exit")) {
            a.events << QStringLiteral("%1 %2 %3")
                            .arg(started.contains(pid) ? QStringLiteral("exit") : QStringLiteral("failstart"),
                                o.value(QLatin1String("path")).toString(),
                                reasonClass(o.value(QLatin1String("reason")).toString()));
        } else if (ev == QLatin1String("step")) {
            const QString what = o.value(QLatin1String("do")).toString();
            if (what != QLatin1String("sleep")) a.events << QStringLiteral("step ") + what;
        } else if (ev == QLatin1String("result")) {
            const QJsonValue ok = o.value(QLatin1String("ok"));
            a.events << QStringLiteral("result %1 %2")
                            .arg(o.value(QLatin1String("do")).toString(),
                                ok.isBool() ? (ok.toBool() ? QStringLiteral("ok") : QStringLiteral("error"))
                                            : QStringLiteral("<ok missing>"));
        }
        // other event kinds (spawn, restart, give_up, log, ...) are ignored
    }
    return a;
}

// Sorts every maximal run of consecutive "exit ..." lines.
QStringList sortExitRuns(QStringList seq)
{
    qsizetype i = 0;
    while (i < seq.size()) {
        if (!seq.at(i).startsWith(QLatin1String("exit "))) {
            ++i;
            continue;
        }
        qsizetype j = i;
        while (j < seq.size() && seq.at(j).startsWith(QLatin1String("exit ")))
            ++j;
        std::sort(seq.begin() + i, seq.begin() + j);
        i = j;
    }
    return seq;
}

// Moves the failstart lines of each step (from one `step` line to the next)
// after the step's other lines, sorted: their order is not defined.
QStringList groupFailstarts(const QStringList& seq)
{
    QStringList out, failstarts;
    auto flush = [&] {
        failstarts.sort();
        out << failstarts;
        failstarts.clear();
    };
    for (const QString& line : seq) {
        if (line.startsWith(QLatin1String("step "))) flush();
        (line.startsWith(QLatin1String("failstart ")) ? failstarts : out) << line;
    }
    flush();
    return out;
}

// Side-by-side diff (LCS alignment). Markers: ' ' same, '|' differs,
// '<' only in OTP, '>' only in ours.
QString sideBySide(const QStringList& expected, const QStringList& actual)
{
    const qsizetype n = expected.size(), m = actual.size();
    std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
    for (qsizetype i = n - 1; i >= 0; --i)
        for (qsizetype j = m - 1; j >= 0; --j)
            lcs[i][j] = expected.at(i) == actual.at(j) ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    struct Row {
        QString left, right;
        char mark;
    };
    std::vector<Row> rows;
    QStringList dels, ins;
    auto flush = [&] {
        const qsizetype k = std::max(dels.size(), ins.size());
        for (qsizetype r = 0; r < k; ++r) {
            const bool hl = r < dels.size(), hr = r < ins.size();
            rows.push_back(
                {hl ? dels.at(r) : QString(), hr ? ins.at(r) : QString(), hl && hr ? '|' : (hl ? '<' : '>')});
        }
        dels.clear();
        ins.clear();
    };
    qsizetype i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && expected.at(i) == actual.at(j)) {
            flush();
            rows.push_back({expected.at(i), actual.at(j), ' '});
            ++i;
            ++j;
        } else if (j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) {
            dels << expected.at(i++);
        } else {
            ins << actual.at(j++);
        }
    }
    flush();
    qsizetype width = 14;
    for (const Row& r : rows)
        width = std::max(width, r.left.size());
    QString out = QStringLiteral("\n  %1   %2\n")
                      .arg(QStringLiteral("OTP (expected)").leftJustified(width), QStringLiteral("ours (actual)"));
    for (const Row& r : rows) {
        out += QString(QLatin1Char(r.mark == ' ' ? ' ' : '!'));
        out += QLatin1Char(' ');
        out += r.left.leftJustified(width);
        out += QLatin1Char(' ');
        out += QLatin1Char(r.mark);
        out += QLatin1Char(' ');
        out += r.right;
        out += QLatin1Char('\n');
    }
    return out;
}

} // namespace

class TstOtpConformance : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        const QDir dir(otpDir());
        QVERIFY2(dir.exists(), qPrintable(QStringLiteral("missing %1").arg(otpDir())));
        QVERIFY2(!dir.entryList({QStringLiteral("*.json")}, QDir::Files).isEmpty(), "no scenarios in tests/data/otp");
    }

    void scenario_data()
    {
        QTest::addColumn<QString>("name");
        const QDir dir(otpDir());
        const QStringList files = dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
        for (const QString& f : files) {
            const QString name = QFileInfo(f).completeBaseName();
            QTest::newRow(qPrintable(name)) << name;
        }
    }

    void scenario()
    {
#ifndef SC_APP_BINARY
        QSKIP("the supervision-console target is not built (SC_BUILD_UI=OFF)");
#else
        QFETCH(QString, name);
        const QDir dir(otpDir());
        const QString json = dir.filePath(name + QStringLiteral(".json"));
        const QString otp = dir.filePath(name + QStringLiteral(".otp"));
        const bool unordered = QFileInfo::exists(dir.filePath(name + QStringLiteral(".unordered")));

        QString readError;
        QStringList expected = readExpected(otp, &readError);
        QVERIFY2(readError.isEmpty(), qPrintable(readError));
        QVERIFY2(!expected.isEmpty(), qPrintable(QStringLiteral("%1 is empty").arg(otp)));

        QProcess proc;
        proc.setProgram(QStringLiteral(SC_APP_BINARY));
        proc.setArguments({QStringLiteral("--headless"), QStringLiteral("--scenario"), json, QStringLiteral("--trace"),
            QStringLiteral("-"), QStringLiteral("--workers"), QStringLiteral("2")});
        proc.start();
        QVERIFY2(proc.waitForStarted(30000),
            qPrintable(QStringLiteral("cannot start %1: %2").arg(proc.program(), proc.errorString())));
        if (!proc.waitForFinished(kScenarioTimeoutMs)) {
            proc.kill();
            proc.waitForFinished(5000);
            const Actual partial = convertTrace(proc.readAllStandardOutput());
            QFAIL(qPrintable(QStringLiteral("%1: runner did not finish within %2 s; events so far:%3")
                                 .arg(name)
                                 .arg(kScenarioTimeoutMs / 1000)
                                 .arg(sideBySide(expected, partial.events))));
        }
        const QByteArray out = proc.readAllStandardOutput();
        const QByteArray err = proc.readAllStandardError();
        QVERIFY2(proc.exitStatus() == QProcess::NormalExit,
            qPrintable(QStringLiteral("%1: runner crashed; stderr:\n%2").arg(name, QString::fromUtf8(err))));
        QVERIFY2(proc.exitCode() == 0,
            qPrintable(QStringLiteral("%1: runner exited %2; stderr:\n%3")
                           .arg(name)
                           .arg(proc.exitCode())
                           .arg(QString::fromUtf8(err))));

        const Actual actual = convertTrace(out);
        QStringList got = groupFailstarts(actual.events);
        expected = groupFailstarts(expected);
        if (unordered) {
            expected = sortExitRuns(expected);
            got = sortExitRuns(got);
        }
        if (got != expected) {
            QFAIL(qPrintable(
                QStringLiteral("%1: events differ from OTP%2:%3")
                    .arg(name, unordered ? QStringLiteral(" (runs of exit lines sorted: .unordered)") : QString(),
                        sideBySide(expected, got))));
        }
        QVERIFY2(actual.badLines.isEmpty(),
            qPrintable(QStringLiteral("%1: trace lines that are not JSON objects:\n%2")
                           .arg(name, actual.badLines.join(QLatin1Char('\n')))));
#endif
    }
};

QTEST_GUILESS_MAIN(TstOtpConformance)
#include "tst_otpconformance.moc"
