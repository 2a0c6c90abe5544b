// Helpers shared by the app tests: running the supervision-console binary
// and reading its trace.
#pragma once

#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>

namespace apptest {

constexpr int kRunTimeoutMs = 120000;

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

/// The environment of a run: no display (the headless path needs none), plus `extra`.
inline QProcessEnvironment appEnvironment(const QHash<QString, QString>& extra = {})
{
    auto env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        env.remove(QLatin1String(name));
    for (auto it = extra.begin(); it != extra.end(); ++it)
        env.insert(it.key(), it.value());
    return env;
}

inline Run runApp(const QStringList& args, const QHash<QString, QString>& env = {})
{
    Run run;
#ifdef SC_APP_BINARY
    QProcess process;
    process.setProcessEnvironment(appEnvironment(env));
    process.start(QStringLiteral(SC_APP_BINARY), args);
    if (!process.waitForFinished(kRunTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        qWarning("supervision-console %s did not finish", qPrintable(args.join(QLatin1Char(' '))));
        return run;
    }
    if (process.exitStatus() == QProcess::NormalExit) run.exitCode = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
#else
    Q_UNUSED(args);
    Q_UNUSED(env);
#endif
    return run;
}

/// The file's bytes; empty if it cannot be read.
inline QByteArray readAll(const QString& file)
{
    QFile f(file);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// The complete lines of a trace (a line cut short by a kill is left out).
inline QList<QByteArray> completeLines(const QByteArray& trace)
{
    QList<QByteArray> lines = trace.split('\n');
    lines.removeLast(); // after the last '\n': empty, or a line still being written
    return lines;
}

/// What a reader relies on, as "start P", "exit P REASON", "step DO TARGET|USER",
/// "result DO ok|ERROR", "reply DO ok|ERROR" and "log P"; checks seq is 1, 2, 3, ...
/// `withStuck` false leaves out the runtime's "stuck" reports, which a hung
/// process gets after 5 s: when, depends on the machine's speed.
inline QStringList lifecycle(const QByteArray& trace, bool* ok, bool withStuck = true)
{
    *ok = true;
    QStringList events;
    qint64 expectedSeq = 1;
    for (const QByteArray& line : completeLines(trace)) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QLatin1String("seq")).toInteger() != expectedSeq++) {
            qWarning("bad trace line: %s", line.constData());
            *ok = false;
        }
        auto field = [&o](const char* key) { return o.value(QLatin1String(key)).toString(); };
        const QString event = field("event");
        const QString answer = o.value(QLatin1String("ok")).toBool() ? QStringLiteral("ok") : field("error");
        if (event == QLatin1String("log") && !withStuck && field("message").startsWith(QLatin1String("stuck:")))
            continue;
        if (event == QLatin1String("start") || event == QLatin1String("log"))
            events << event + QLatin1Char(' ') + field("path");
        else if (event == QLatin1String("exit"))
            events << QStringLiteral("exit %1 %2").arg(field("path"), field("reason"));
        else if (event == QLatin1String("step"))
            events << QStringLiteral("step %1 %2%3").arg(field("do"), field("target"), field("user")).trimmed();
        else if (event == QLatin1String("result") || event == QLatin1String("reply"))
            events << QStringLiteral("%1 %2 %3").arg(event, field("do"), answer);
    }
    return events;
}

/// A refused command line: exit status 2, then exactly two lines on standard
/// error, the problem (`message`) and a pointer to --help. Empty if so, else what is wrong.
inline QString usageErrorProblem(const Run& run, const QString& message)
{
    if (run.exitCode != 2) return QStringLiteral("exit status %1, not 2").arg(run.exitCode);
    const QStringList lines = QString::fromUtf8(run.err).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (lines.size() != 2) return QStringLiteral("not two lines on stderr: ") + QString::fromUtf8(run.err);
    if (lines[0] != QStringLiteral("supervision-console: ") + message) return QStringLiteral("got: ") + lines[0];
    if (!lines[1].contains(QLatin1String("--help"))) return QStringLiteral("no --help hint: ") + lines[1];
    return {};
}

} // namespace apptest
