// supervision-console: the command line, the headless scenario runner and
// the desktop window. The headless path never creates a QApplication, so it
// needs no display.

#include "mainwindow.h"
#include "options.h"
#include "scenario.h"

#include <QApplication>
#include <QFile>
#include <QTimer>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

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
    auto logger = spdlog::stderr_logger_mt(kProgram);
    logger->set_pattern("%n: %l: %v");
    spdlog::set_default_logger(std::move(logger));
}

int runHeadless(const sc::app::Options& options)
{
    auto scenario = sc::loadScenario(*options.scenario);
    if (!scenario) return fail(2, scenario.error().detail);

    std::ofstream file;
    std::ostream* trace = &std::cout;
    if (options.trace && *options.trace != "-") {
        file.open(*options.trace, std::ios::binary | std::ios::trunc);
        if (!file) return fail(2, *options.trace + ": cannot write the trace: " + std::strerror(errno));
        trace = &file;
    }
    const int code = sc::runScenario(*scenario, {.workers = options.workers, .trace = trace});
    if (!trace->flush())
        return fail(
            1, (trace == &file ? *options.trace : std::string("standard output")) + ": writing the trace failed");
    return code;
}

/// The scenario the window shows: --scenario FILE, or the built-in demo.
sc::Result<sc::Scenario> windowScenario(const sc::app::Options& options)
{
    if (options.scenario) return sc::loadScenario(*options.scenario);
    QFile demo(QStringLiteral(":/scenarios/demo.json"));
    if (!demo.open(QIODevice::ReadOnly)) return sc::Error {sc::Errc::NotFound, "the built-in demo scenario is missing"};
    const QByteArray json = demo.readAll();
    return sc::parseScenario(
        std::string_view(json.constData(), std::size_t(json.size())), demo.fileName().toStdString());
}

int runWindow(int argc, char** argv, const sc::app::Options& options)
{
    // Before QApplication, so that a bad file is reported without a display.
    const auto scenario = windowScenario(options);
    if (!scenario) return fail(2, scenario.error().detail);

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Supervision Console"));
    QApplication::setApplicationVersion(QStringLiteral(SC_VERSION));

    sc::Runtime runtime({.workers = options.workers});
    // The window subscribes to the runtime's events first, so its log shows the tree starting.
    sc::ui::MainWindow window(runtime);
    if (auto root = sc::startScenarioTree(runtime, scenario->tree); !root)
        return fail(1, "the tree did not start: " + root.error().toString());
    window.show();
    if (options.screenshot) {
        const QString file = QString::fromStdString(*options.screenshot);
        QTimer::singleShot(1000, &window, [&window, file] {
            const bool saved = window.saveScreenshot(file);
            if (!saved) fail(1, file.toStdString() + ": cannot save the screenshot");
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return QApplication::exec();
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

    logToStderr();
    if (options->headless) {
        const int code = runHeadless(*options);
        // A worker may still be sleeping in a slow terminate; do not wait for it.
        std::fflush(nullptr);
        std::_Exit(code);
    }
    return runWindow(argc, argv, *options);
}
