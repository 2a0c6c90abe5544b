// supervision-console: the command line, the headless scenario runner and
// the desktop window. The headless path never creates a QApplication, so it
// needs no display.

#include "core/finance/datadir.h"
#include "ui/window/datadirdialog.h"
#include "core/finance/finance.h"
#include "core/finance/ledger.h"
#include "ui/window/mainwindow.h"
#include "app/options.h"
#include "ui/bridge/runtimebridge.h"
#include "core/scenario/scenario.h"
#include "ui/scenario/scenarioplayer.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QIcon>
#include <QPlainTextEdit>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QTimer>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <spdlog/sinks/qt_sinks.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <unistd.h>
#endif

namespace {

constexpr const char* kProgram = "supervision-console";

int fail(int code, const std::string& message)
{
    std::fprintf(stderr, "%s: %s\n", kProgram, message.c_str());
    return code;
}

/// Logs (the runtime's crash reports among them) go to stderr, so that
/// `--trace -` keeps standard output for the trace alone.
void logToStderr()
{
    auto logger = std::make_shared<spdlog::logger>(kProgram, std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("%n: %l: %v");
    spdlog::set_default_logger(std::move(logger));
}

/// --data-dir, or the platform's application data location
/// (~/.local/share/Supervision Console on Linux). QStandardPaths needs no
/// QApplication, only the application name set in main().
std::string dataDir(const sc::app::Options& options)
{
    if (options.dataDir) return *options.dataDir;
    return QDir::toNativeSeparators(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).toStdString();
}

/// --export-audit FILE: the ledger of the data directory as CSV.
int exportAudit(const sc::app::Options& options)
{
    const std::string dir = dataDir(options);
    if (dir.empty()) return fail(1, "no application data folder on this system; name one with --data-dir DIR");
    if (auto allowed = sc::checkOutputPath(*options.exportAudit, "the audit export", dir); !allowed)
        return fail(2, allowed.error().detail);
    // Read-only and without the data directory's lock: exporting never
    // creates or changes a ledger (a mistyped --data-dir is an error, not an
    // empty export), never keeps a window from starting, and beside a running
    // instance reads one consistent snapshot.
    auto ledger = sc::LedgerReader::open(dir);
    if (!ledger) return fail(1, ledger.error().detail);
    if (auto written = (*ledger)->exportCsv(*options.exportAudit); !written) return fail(1, written.error().detail);
    return 0;
}

/// While it lives, the app's log goes to standard error, to a rotating file
/// in the data directory (logs/supervision-console.log, 3 files of 5 MiB)
/// unless the directory is open read-only (another instance owns it, and
/// its files), and to the window's Log dock; afterwards to standard error
/// alone, so that no message is sent to a widget that is gone.
class WindowLog {
public:
    WindowLog(const std::string& dataDir, bool readOnly, QPlainTextEdit* view)
    {
        auto logger = std::make_shared<spdlog::logger>(kProgram);
        logger->sinks().push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
        const std::string file = (std::filesystem::path(dataDir) / "logs" / "supervision-console.log").string();
        try {
            if (!readOnly)
                logger->sinks().push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(file, 5 << 20, 3));
        } catch (const spdlog::spdlog_ex& e) {
            std::fprintf(stderr, "%s: %s: cannot write the log file (%s); logging to the window only\n", kProgram,
                file.c_str(), e.what());
        }
        logger->sinks().push_back(std::make_shared<spdlog::sinks::qt_sink_mt>(view, "appendPlainText"));
        logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %l: %v");
        // A warning is on disk at once, anything else within a second: the file is
        // what a teacher reads after a session, the app may be ended by a signal.
        logger->flush_on(spdlog::level::warn);
        spdlog::set_default_logger(std::move(logger));
        spdlog::flush_every(std::chrono::seconds(1));
        spdlog::info(
            "{} {} started; data directory {}{}", kProgram, SC_VERSION, dataDir, readOnly ? " (read-only)" : "");
    }
    ~WindowLog()
    {
        spdlog::default_logger()->flush();
        logToStderr();
    }
};

int runHeadless(const sc::app::Options& options)
{
    auto scenario = sc::loadScenario(*options.scenario);
    if (!scenario) return fail(2, scenario.error().detail);

    const std::string data = dataDir(options);
    if (scenario->finance && data.empty())
        return fail(1, "no application data folder on this system; name one with --data-dir DIR");
    const bool toFile = options.trace && *options.trace != "-";
    if (toFile) {
        if (auto allowed = sc::checkOutputPath(*options.trace, "the trace", data, {*options.scenario}); !allowed)
            return fail(2, allowed.error().detail);
    }
    // One owner per data directory, before anything opens the ledger; held
    // until the process ends, after runScenario has closed the ledger.
    sc::DataDirLock lock;
    if (scenario->finance) {
        auto acquired = sc::DataDirLock::acquire(data);
        if (!acquired) return fail(acquired.error().code == sc::Errc::InUse ? 2 : 1, acquired.error().detail);
        lock = std::move(*acquired);
    }

    std::ofstream file;
    std::ostream* trace = &std::cout;
    if (toFile) {
        file.open(*options.trace, std::ios::binary | std::ios::trunc);
        if (!file) return fail(2, *options.trace + ": cannot write the trace: " + std::strerror(errno));
        trace = &file;
    }
    sc::RunOptions run;
    run.workers = options.workers;
    run.trace = trace;
    run.dataDir = data;
    run.recoverState = options.recoverState;
    const int code = sc::runScenario(*scenario, run);
    if (!trace->flush())
        return fail(
            1, (trace == &file ? *options.trace : std::string("standard output")) + ": writing the trace failed");
    return code;
}

/// The scenario the window shows: --scenario FILE, or the finance tree.
sc::Result<sc::Scenario> windowScenario(const sc::app::Options& options)
{
    if (options.scenario) return sc::loadScenario(*options.scenario);
    return sc::ui::ScenarioPlayer::financeTree();
}

#ifdef Q_OS_UNIX
int quitSignalPipe[2] = {-1, -1};

extern "C" void onQuitSignal(int signal)
{
    // A second one while the window closes ends the process at once, as without this handler.
    static volatile std::sig_atomic_t received = 0;
    if (received) {
        std::signal(signal, SIG_DFL);
        std::raise(signal);
        return;
    }
    received = 1;
    const char byte = char(signal);
    [[maybe_unused]] const auto written = ::write(quitSignalPipe[1], &byte, 1); // async-signal-safe
}
#endif

/// SIGTERM and SIGINT (a logout, `kill`, Ctrl+C in the terminal) close the
/// window as Quit does: the log is flushed, the settings are saved and a
/// finance tree stops in order, where the default action ended the process
/// with the log's last lines unwritten. The handler only writes a byte; the
/// window closes from the event loop.
void closeOnQuitSignals(QWidget* window)
{
#ifdef Q_OS_UNIX
    if (quitSignalPipe[0] < 0 && ::pipe2(quitSignalPipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        spdlog::warn("cannot watch for SIGTERM: {}", std::strerror(errno));
        return;
    }
    auto* notifier = new QSocketNotifier(quitSignalPipe[0], QSocketNotifier::Read, window);
    QObject::connect(notifier, &QSocketNotifier::activated, window, [window] {
        char signal = 0;
        while (::read(quitSignalPipe[0], &signal, 1) == 1) { }
        spdlog::info("{}: closing the window", signal == SIGTERM ? "SIGTERM" : "SIGINT");
        window->close();
        QApplication::quit(); // also if something kept the window open
    });
    struct sigaction action { };
    action.sa_handler = onQuitSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (const int signal : {SIGTERM, SIGINT})
        ::sigaction(signal, &action, nullptr);
#else
    Q_UNUSED(window);
#endif
}

/// How long closing the window waits for the finance tree to stop in order
/// (its workers' own shutdown timeouts are 5 s) before the runtime kills it.
constexpr std::chrono::seconds kCloseStop {10};

int runWindow(int argc, char** argv, const sc::app::Options& options)
{
    // Before QApplication, so that a bad file is reported without a display.
    const auto scenario = windowScenario(options);
    if (!scenario) return fail(2, scenario.error().detail);

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Supervision Console"));
    QApplication::setApplicationVersion(QStringLiteral(SC_VERSION));
    // The id of packaging/linux/*.desktop: Wayland and X11 docks match the window to its menu entry by it.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.supervisionconsole.SupervisionConsole"));
    // Every size, so that title bars, docks and task switchers need not scale one picture.
    QIcon icon;
    for (const int size : {16, 22, 24, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/icons/supervision-console-%1.png").arg(size), QSize(size, size));
    QApplication::setWindowIcon(icon);

    const std::string given = dataDir(options);
    if (given.empty()) return fail(1, "no application data folder on this system; name one with --data-dir DIR");
    // One owner per data directory: the window holds its lock from before the finance tree starts
    // until after the runtime, and the ledger in it, are gone (declared before the runtime). A folder
    // in use asks what to do, before the window opens; a --screenshot run shows no dialog and reads
    // the folder read-only.
    sc::ui::AskAboutDataDir ask = &sc::ui::DataDirDialog::ask;
    if (options.screenshot)
        ask = [](const sc::ui::DataDirProblem&) {
            return sc::ui::DataDirChoice {sc::ui::DataDirChoice::Kind::ReadOnly, {}};
        };
    auto claim = sc::ui::claimDataDir(given, ask);
    if (!claim) return fail(1, claim.error().detail);
    if (claim->mode == sc::ui::DataDirClaim::Mode::Quit) return fail(2, claim->problem.detail.toStdString());
    const bool readOnly = claim->mode == sc::ui::DataDirClaim::Mode::ReadOnly;
    const std::string data = claim->dataDir;
    const QString dataText = QString::fromStdString(data);

    sc::Runtime runtime({.workers = options.workers});
    // The one seam between the runtime and the widgets: the window, its finance console and the
    // scenario player all go through it. It subscribes to the runtime's events now, before the
    // tree starts, so the window's log shows it starting.
    sc::ui::RuntimeBridge bridge(runtime);
    // The player outlives the window, whose scenario dock points at it.
    sc::ui::ScenarioPlayer player(bridge);
    player.setDataDir(data);
    player.setRecoverState(options.recoverState);
    int code = 0;
    {
        sc::ui::MainWindow window(bridge);
        // Before the log says "started": from then on a SIGTERM closes the window in order.
        closeOnQuitSignals(&window);
        window.addScenarioPlayer(&player);
        window.setDataDir(dataText);
        window.setRecoverState(options.recoverState);
        if (readOnly) {
            window.setReadOnlyDataDir(sc::ui::readOnlyNotice(claim->problem));
            player.setFinanceRefusal(sc::ui::readOnlyFinanceRefusal(claim->problem));
        }
        const WindowLog log(data, readOnly, window.logView());
        if (readOnly) spdlog::warn("{}", sc::ui::readOnlyReason(claim->problem).toStdString());
        // Finance panels come with the first finance tree: now for the default one (so that the saved
        // layout places them), or when a finance scenario is picked later. Read-only, the audit log
        // reads the other instance's ledger from the start.
        if (scenario->finance || readOnly) window.addFinancePanels(dataText);
        QObject::connect(
            &player, &sc::ui::ScenarioPlayer::treeStarted, &window, [&window, dataText](sc::Pid, bool finance) {
                if (finance) window.addFinancePanels(dataText);
            });
        // The first tree not starting (an unusable data directory, say) ends the app, as before the window opened.
        auto firstLoad = std::make_shared<QMetaObject::Connection>();
        *firstLoad = QObject::connect(&player, &sc::ui::ScenarioPlayer::failed, &window, [](const QString& message) {
            fail(1, "the tree did not start: " + message.toStdString());
            QApplication::exit(1);
        });
        QObject::connect(
            &player, &sc::ui::ScenarioPlayer::treeStarted, &window, [firstLoad] { QObject::disconnect(*firstLoad); });
        if (readOnly && scenario->finance) {
            // The finance tree would write the ledger: read-only starts with no tree, the demos at hand.
            QObject::disconnect(*firstLoad);
        } else if (options.scenario) {
            const QString file = QString::fromStdString(*options.scenario);
            player.load(*scenario, QFileInfo(file).fileName(), file);
            // Stopped before step 1, as a scenario picked from the menu: the teacher plays it. A
            // screenshot run has nobody to press Play, so it plays (--after picks the moment).
            if (options.screenshot) player.play();
        } else {
            player.loadFinanceTree();
        }
        // A screenshot shows the default layout, the same on every machine, and leaves the user's settings alone.
        if (!options.screenshot) window.restoreSettings();
        if (options.presenter) window.setPresenterMode(true);
        // The same size on every machine, an offscreen or small screen included.
        if (options.screenshot) window.resize(1600, 1000);
        window.show();
        if (options.screenshot) {
            const QString file = QString::fromStdString(*options.screenshot);
            QTimer::singleShot(int(options.screenshotAfterMs.value_or(1000)), &window, [&window, file] {
                const bool saved = window.saveScreenshot(file);
                if (!saved) fail(1, file.toStdString() + ": cannot save the screenshot");
                QApplication::exit(saved ? 0 : 1);
            });
        }
        code = QApplication::exec();
    }
    // The window, and the audit log's reader with it, is gone. A finance tree stops in order, its
    // readers before the audit log, so that the ledger is closed (and checkpointed) by the last
    // connection to it; the runtime's end then frees what is left, before the lock is released.
    if (player.isFinance()) player.stopTree(kCloseStop);
    return code;
}

} // namespace

int main(int argc, char** argv)
{
    const auto options = sc::app::parseOptions(std::vector<std::string>(argv + 1, argv + argc));
    if (!options) {
        fail(2, options.error().detail);
        std::fprintf(stderr, "Try '%s --help' for more information.\n", kProgram);
        return 2;
    }
    if (options->help) {
        std::fputs(sc::app::usage().c_str(), stdout);
        return 0;
    }
    if (options->version) {
        std::printf("%s %s\n", kProgram, SC_VERSION);
        return 0;
    }

    // Before anything asks QStandardPaths for the data folder.
    QCoreApplication::setApplicationName(QStringLiteral("Supervision Console"));
    logToStderr();
    if (options->exportAudit) return exportAudit(*options);
    if (options->headless) {
        const int code = runHeadless(*options);
        // A worker may still be sleeping in a slow terminate; do not wait for it.
        std::fflush(nullptr);
        std::_Exit(code);
    }
    return runWindow(argc, argv, *options);
}
