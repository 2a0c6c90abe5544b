// The parser: a JSON scenario file read into a Scenario value, or one line
// saying where the file is wrong and what was expected (docs/scenarios.md).
// Threading: pure (loadScenario reads the file); any thread.
#pragma once

#include "core/base/result.h"
#include "core/scenario/types.h"

#include <string>
#include <string_view>

namespace sc {

/// Parses and validates a scenario. The error's detail is one line naming
/// the file, the field (as a JSON path such as steps[2].target) and what
/// was expected.
Result<Scenario> parseScenario(std::string_view json, const std::string& fileName);
/// Reads the file, then parseScenario; an unreadable file is an error too.
Result<Scenario> loadScenario(const std::string& fileName);

} // namespace sc
