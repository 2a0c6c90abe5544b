#include "app/options.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <string_view>
#include <utility>

namespace sc::app {

namespace {

constexpr unsigned kMaxWorkers = 1024;
constexpr unsigned kMaxAfterMs = 600'000;

Error bad(std::string message)
{
    return Error {Errc::BadArgument, std::move(message)};
}

} // namespace

Result<Options> parseOptions(const std::vector<std::string>& args)
{
    Options o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
            if (arg == "-h")
                o.help = true;
            else if (arg.starts_with("-"))
                return bad("unknown option '" + arg + "'");
            else
                return bad("unexpected argument '" + arg + "'");
            continue;
        }

        // --name or --name=value
        const auto eq = arg.find('=');
        const std::string name = arg.substr(0, eq);
        std::optional<std::string> inlineValue;
        if (eq != std::string::npos) inlineValue = arg.substr(eq + 1);

        const std::pair<std::string_view, bool*> flags[] = {{"--headless", &o.headless}, {"--help", &o.help},
            {"--version", &o.version}, {"--recover-state", &o.recoverState}, {"--presenter", &o.presenter}};
        if (auto flag
            = std::find_if(std::begin(flags), std::end(flags), [&](const auto& f) { return f.first == name; });
            flag != std::end(flags)) {
            if (inlineValue) return bad("option '" + name + "' takes no value");
            *flag->second = true;
            continue;
        }

        std::optional<std::string>* slot = nullptr;
        if (name == "--scenario")
            slot = &o.scenario;
        else if (name == "--trace")
            slot = &o.trace;
        else if (name == "--screenshot")
            slot = &o.screenshot;
        else if (name == "--data-dir")
            slot = &o.dataDir;
        else if (name == "--export-audit")
            slot = &o.exportAudit;
        else if (name != "--workers" && name != "--after")
            return bad("unknown option '" + name + "'");

        std::string value;
        if (inlineValue) {
            value = *inlineValue;
        } else {
            // A following option is not taken as the value: "--scenario --headless" is a mistake.
            if (i + 1 >= args.size() || (args[i + 1].starts_with("-") && args[i + 1] != "-"))
                return bad("option '" + name + "' needs a value");
            value = args[++i];
        }
        if (value.empty()) return bad("option '" + name + "' needs a non-empty value");

        if (slot) {
            if (*slot) return bad("option '" + name + "' given twice");
            *slot = value;
            continue;
        }
        unsigned n = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        const bool number = ec == std::errc() && end == value.data() + value.size();
        if (name == "--after") {
            if (o.screenshotAfterMs) return bad("option '--after' given twice");
            if (!number || n > kMaxAfterMs)
                return bad("--after: '" + value + "' is not a delay (expected milliseconds from 0 to "
                    + std::to_string(kMaxAfterMs) + ")");
            o.screenshotAfterMs = n;
            continue;
        }
        if (!number || n < 1 || n > kMaxWorkers)
            return bad("--workers: '" + value + "' is not a thread count (expected an integer from 1 to "
                + std::to_string(kMaxWorkers) + ")");
        o.workers = n;
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
    return R"(Usage: supervision-console [OPTIONS]

A live Erlang/OTP-style supervision tree you can break and watch heal.

Options:
  --headless          Run without a window: build the scenario's tree, run its
                      steps, write the trace and exit (needs --scenario).
  --scenario FILE     The scenario (JSON, see docs/scenarios.md). Without
                      --headless it picks the tree the window shows, stopped
                      before the first step (a --screenshot run plays it);
                      the default is the finance tree, with its console and
                      audit log.
  --trace FILE|-      Where the headless trace goes, one JSON object a line;
                      '-' (the default) is standard output.
  --workers N         Worker threads for the runtime (1 to 1024; default: the
                      machine's hardware threads).
  --screenshot FILE   Save a picture of the window (PNG) and quit (exit 1 if
                      it cannot be saved). The window starts with the default
                      layout; saved settings are neither read nor written.
  --after MS          With --screenshot: take it MS milliseconds after the
                      window shows (default 1000), e.g. while a scenario plays.
  --presenter         Start in presenter mode: large type, high contrast.
  --data-dir DIR      Where the finance services keep their audit ledger
                      (created if missing; default: the application data
                      folder, ~/.local/share/Supervision Console on Linux).
                      One running instance at a time may use it.
  --recover-state     Restarted finance services rebuild their state from the
                      ledger (as "state_on_restart": "recover" in a scenario);
                      by default they start empty, as OTP restarts do.
  --export-audit FILE Write the audit ledger of the data directory as CSV to
                      FILE and exit (prints nothing on success). Works while
                      another instance uses the directory.
  -h, --help          Show this help and exit.
  --version           Show the version and exit.

Exit status: 0 on success, 1 if the run or the export failed, 2 for a bad
command line or scenario file, an output file that is the ledger, one of its
side files or the scenario, or a data directory in use by another instance.
)";
}

} // namespace sc::app
