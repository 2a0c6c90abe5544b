// The command line of supervision-console. QCommandLineParser reads it; this
// file holds the option table (which --help prints) and what Qt does not
// know: the messages in our words, values that look like options, the
// numeric ranges and which options go together.
#include "app/options.h"

#include <QCommandLineParser>
#include <QStringList>

#include <algorithm>
#include <charconv>
#include <string_view>
#include <utility>

namespace sc::app {

namespace {

constexpr unsigned kMaxWorkers = 1024;
constexpr unsigned kMaxAfterMs = 600'000;

struct OptionSpec {
    std::string_view name; ///< the long name, without "--"
    std::string_view valueName; ///< empty: a flag
    std::string_view help; ///< --help's text, '\n' between its lines
    std::string_view shortName = {};
};

// In the order --help lists them.
constexpr OptionSpec kOptions[] = {
    {"headless", "",
        "Run without a window: build the scenario's tree, run its\n"
        "steps, write the trace and exit (needs --scenario)."},
    {"scenario", "FILE",
        "The scenario (JSON, see docs/scenarios.md). Without\n"
        "--headless it picks the tree the window shows, stopped\n"
        "before the first step (a --screenshot run plays it);\n"
        "the default is the finance tree, with its console and\n"
        "audit log."},
    {"trace", "FILE|-",
        "Where the headless trace goes, one JSON object a line;\n"
        "'-' (the default) is standard output."},
    {"workers", "N",
        "Worker threads for the runtime (1 to 1024; default: the\n"
        "machine's hardware threads)."},
    {"screenshot", "FILE",
        "Save a picture of the window (PNG) and quit (exit 1 if\n"
        "it cannot be saved). The window starts with the default\n"
        "layout; saved settings are neither read nor written."},
    {"after", "MS",
        "With --screenshot: take it MS milliseconds after the\n"
        "window shows (default 1000), e.g. while a scenario plays."},
    {"presenter", "", "Start in presenter mode: large type, high contrast."},
    {"data-dir", "DIR",
        "Where the finance services keep their audit ledger\n"
        "(created if missing; default: the application data\n"
        "folder, ~/.local/share/Supervision Console on Linux).\n"
        "One running instance at a time may use it."},
    {"recover-state", "",
        "Restarted finance services rebuild their state from the\n"
        "ledger (as \"state_on_restart\": \"recover\" in a scenario);\n"
        "by default they start empty, as OTP restarts do."},
    {"export-audit", "FILE",
        "Write the audit ledger of the data directory as CSV to\n"
        "FILE and exit (prints nothing on success). Works while\n"
        "another instance uses the directory."},
    {"help", "", "Show this help and exit.", "h"},
    {"version", "", "Show the version and exit."},
};

/// Where --help's descriptions start: "  " and the option, padded.
constexpr std::size_t kSyntaxWidth = 20;

// Latin-1 maps each byte to one character and back, so a file name passes
// through Qt unchanged whatever its encoding; the option names are ASCII.
QString fromBytes(std::string_view bytes)
{
    return QString::fromLatin1(bytes.data(), qsizetype(bytes.size()));
}

std::string toBytes(const QString& text)
{
    return text.toLatin1().toStdString();
}

Error bad(std::string message)
{
    return Error {Errc::BadArgument, std::move(message)};
}

bool looksLikeOption(const std::string& arg)
{
    return arg.starts_with("-") && arg != "-";
}

/// What is wrong with the form of the command line, in our words, or nothing.
/// Qt parses more leniently than we allow (it takes "--scenario --headless" as
/// a scenario named "--headless", "--" as the end of the options and
/// "-headless" as "-h -e -a ..."), so those cases are named here too.
std::optional<std::string> formError(const QCommandLineParser& parser, bool parsed, const std::vector<std::string>& args)
{
    const QStringList found = parser.optionNames();
    for (const OptionSpec& spec : kOptions) {
        if (spec.valueName.empty()) continue;
        const QString name = fromBytes(spec.name);
        const QStringList values = parser.values(name);
        const std::string option = "--" + std::string(spec.name);
        if (found.count(name) > values.size()) return "option '" + option + "' needs a value";
        // A following option is not taken as the value: "--scenario --headless" is a mistake.
        for (const QString& value : values) {
            const std::string text = toBytes(value);
            if (looksLikeOption(text) && std::ranges::find(args, option + "=" + text) == args.end())
                return "option '" + option + "' needs a value";
        }
    }
    // Every argument left that starts with '-' was read as an option: one dash is only for -h.
    for (const std::string& arg : args) {
        if (looksLikeOption(arg) && arg != "-h" && !(arg.size() > 2 && arg.starts_with("--")))
            return "unknown option '" + arg + "'";
    }
    if (const QStringList unknown = parser.unknownOptionNames(); !unknown.isEmpty())
        return "unknown option '--" + toBytes(unknown.front()) + "'";
    for (const OptionSpec& spec : kOptions) {
        const std::string prefix = "--" + std::string(spec.name) + "=";
        if (spec.valueName.empty() && std::ranges::any_of(args, [&](const auto& a) { return a.starts_with(prefix); }))
            return "option '--" + std::string(spec.name) + "' takes no value";
    }
    if (const QStringList positional = parser.positionalArguments(); !positional.isEmpty()) {
        const std::string arg = toBytes(positional.front());
        return (arg.starts_with("-") ? "unknown option '" : "unexpected argument '") + arg + "'";
    }
    // Anything else Qt refused (nothing above misses a case of Qt 6.4's): never accept it silently.
    if (!parsed) return toBytes(parser.errorText());
    return std::nullopt;
}

/// The values of an option, or our message if one is empty.
Result<QStringList> nonEmptyValues(const QCommandLineParser& parser, std::string_view name)
{
    QStringList values = parser.values(fromBytes(name));
    if (values.contains(QString())) return bad("option '--" + std::string(name) + "' needs a non-empty value");
    return values;
}

/// The value of an option that may be given once.
Result<std::optional<std::string>> single(const QCommandLineParser& parser, std::string_view name)
{
    auto values = nonEmptyValues(parser, name);
    if (!values) return values.error();
    if (values->size() > 1) return bad("option '--" + std::string(name) + "' given twice");
    if (values->isEmpty()) return std::optional<std::string>();
    return std::optional<std::string>(toBytes(values->front()));
}

std::optional<unsigned> number(const std::string& text)
{
    unsigned n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return n;
}

} // namespace

Result<Options> parseOptions(const std::vector<std::string>& args)
{
    QCommandLineParser parser;
    for (const OptionSpec& spec : kOptions) {
        QStringList names {fromBytes(spec.name)};
        if (!spec.shortName.empty()) names.prepend(fromBytes(spec.shortName));
        parser.addOption(QCommandLineOption(names, QString(), fromBytes(spec.valueName)));
    }
    QStringList argv {QStringLiteral("supervision-console")};
    for (const std::string& arg : args)
        argv.append(fromBytes(arg));
    const bool parsed = parser.parse(argv);
    if (auto wrong = formError(parser, parsed, args)) return bad(std::move(*wrong));

    Options o;
    o.headless = parser.isSet(QStringLiteral("headless"));
    o.help = parser.isSet(QStringLiteral("help"));
    o.version = parser.isSet(QStringLiteral("version"));
    o.recoverState = parser.isSet(QStringLiteral("recover-state"));
    o.presenter = parser.isSet(QStringLiteral("presenter"));
    const std::pair<std::string_view, std::optional<std::string>*> texts[] = {{"scenario", &o.scenario},
        {"trace", &o.trace}, {"screenshot", &o.screenshot}, {"data-dir", &o.dataDir},
        {"export-audit", &o.exportAudit}};
    for (const auto& [name, slot] : texts) {
        auto value = single(parser, name);
        if (!value) return value.error();
        *slot = std::move(*value);
    }
    auto after = single(parser, "after");
    if (!after) return after.error();
    if (*after) {
        const auto ms = number(**after);
        if (!ms || *ms > kMaxAfterMs)
            return bad("--after: '" + **after + "' is not a delay (expected milliseconds from 0 to "
                + std::to_string(kMaxAfterMs) + ")");
        o.screenshotAfterMs = *ms;
    }
    // --workers may be given again (the last counts); each value must be a count.
    const auto workers = nonEmptyValues(parser, "workers");
    if (!workers) return workers.error();
    for (const QString& value : *workers) {
        const auto n = number(toBytes(value));
        if (!n || *n < 1 || *n > kMaxWorkers)
            return bad("--workers: '" + toBytes(value) + "' is not a thread count (expected an integer from 1 to "
                + std::to_string(kMaxWorkers) + ")");
        o.workers = *n;
    }

    if (o.help || o.version) return o;
    if (o.exportAudit) {
        // Its own mode: it reads the ledger and starts nothing.
        if (o.headless || o.scenario || o.trace || o.screenshot || o.screenshotAfterMs || o.recoverState || o.workers
            || o.presenter)
            return bad("--export-audit can only be combined with --data-dir");
        if (*o.exportAudit == "-") return bad("--export-audit needs a file name ('-' is not supported)");
        return o;
    }
    if (o.headless && !o.scenario) return bad("--headless needs --scenario FILE");
    if (!o.headless && o.trace) return bad("--trace needs --headless");
    if (o.headless && o.screenshot) return bad("--screenshot cannot be combined with --headless");
    if (o.headless && o.presenter) return bad("--presenter cannot be combined with --headless");
    if (o.screenshotAfterMs && !o.screenshot) return bad("--after needs --screenshot FILE");
    if (o.scenario && *o.scenario == "-") return bad("--scenario needs a file name ('-' is not supported)");
    return o;
}

std::string usage()
{
    std::string text = "Usage: supervision-console [OPTIONS]\n\n"
                       "A live Erlang/OTP-style supervision tree you can break and watch heal.\n\n"
                       "Options:\n";
    for (const OptionSpec& spec : kOptions) {
        std::string syntax;
        if (!spec.shortName.empty()) syntax.append("-").append(spec.shortName).append(", ");
        syntax.append("--").append(spec.name);
        if (!spec.valueName.empty()) syntax.append(" ").append(spec.valueName);
        syntax.resize(std::max(syntax.size() + 1, kSyntaxWidth), ' ');
        text.append("  ").append(syntax);
        for (const char c : spec.help) {
            text += c;
            if (c == '\n') text.append(2 + kSyntaxWidth, ' ');
        }
        text += '\n';
    }
    return text + R"(
Exit status: 0 on success, 1 if the run or the export failed, 2 for a bad
command line or scenario file, an output file that is the ledger, one of its
side files or the scenario, or a data directory in use by another instance.
)";
}

} // namespace sc::app
