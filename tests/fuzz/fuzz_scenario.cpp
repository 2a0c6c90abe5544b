// Fuzz target: the scenario file reader (parseScenario in core/scenario.h),
// fed the input as a file's content.
//
// It must answer a scenario or an error, never crash, hang or exhaust the
// stack (deep nesting is refused by depth). Properties checked (a violation
// aborts):
// - an error is BadArgument, one line (no control characters) that starts
//   with the file's name, as the window and the command line show it;
// - a scenario has a root, and every step describes itself in one line.
#include "core/scenario/scenario.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

// A failed property names itself, then aborts: libFuzzer and the replay test see a crash.
#define FUZZ_CHECK(condition)                                                                                          \
    ((condition)                                                                                                       \
            ? void(0)                                                                                                  \
            : (std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #condition), std::abort()))

bool oneLine(const std::string& text)
{
    for (char c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::string fileName = "fuzz.json";
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto scenario = sc::parseScenario(text, fileName);
    if (!scenario) {
        const sc::Error& e = scenario.error();
        FUZZ_CHECK(e.code == sc::Errc::BadArgument);
        FUZZ_CHECK(e.detail.rfind(fileName + ": ", 0) == 0 && e.detail.size() > fileName.size() + 2);
        FUZZ_CHECK(oneLine(e.detail));
        return 0;
    }
    FUZZ_CHECK(!scenario->tree.id.empty());
    for (const sc::ScenarioStep& step : scenario->steps) {
        const std::string line = sc::describeStep(step);
        FUZZ_CHECK(!line.empty() && line.find('\n') == std::string::npos);
        FUZZ_CHECK(sc::stepName(step) != nullptr);
    }
    return 0;
}
