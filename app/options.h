// Threading: pure functions, called once from main() before any thread or
// QApplication exists.
#pragma once

#include "core/base/result.h"

#include <optional>
#include <string>
#include <vector>

namespace sc::app {

/// The command line of supervision-console (see usage()).
struct Options {
    bool headless = false;
    bool help = false;
    bool version = false;
    std::optional<std::string> scenario;
    std::optional<std::string> trace; ///< "-" is stdout; unset: stdout (headless only)
    unsigned workers = 0; ///< 0: the machine's hardware threads
    std::optional<std::string> screenshot;
    /// --after MS: how long after the window shows the screenshot is taken.
    std::optional<unsigned> screenshotAfterMs;
    /// Start in presenter mode (large type, high contrast).
    bool presenter = false;
    /// Where the finance services keep their ledger; unset: the platform's
    /// application data location (main() computes it).
    std::optional<std::string> dataDir;
    /// Write the data directory's audit ledger as CSV to this file and exit.
    std::optional<std::string> exportAudit;
    /// Finance services rebuild their state from the ledger when restarted.
    bool recoverState = false;
};

/// Parses argv[1..]. The error's detail is one line saying what is wrong.
Result<Options> parseOptions(const std::vector<std::string>& args);

/// The --help text.
std::string usage();

} // namespace sc::app
