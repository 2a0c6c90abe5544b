// The trace: the order of a run's events, one JSON object per line
// (docs/scenarios.md, "The trace"); the OTP conformance corpus compares it.
// Threading: traceLine is pure; a TraceWriter is used by one thread at a time.
#pragma once

#include "core/runtime/events.h"

#include <cstdint>
#include <iosfwd>
#include <string>

namespace sc {

/// The trace line for one event ({"seq":..,"event":..,...}), without newline.
std::string traceLine(const Event& event);

/// Writes events to a trace, one line each, flushed per line, up to `limit`
/// bytes: the line that would go beyond is replaced by
/// {"event":"trace_cut",...} (room for it is kept, so no line is ever cut
/// in half) and nothing is written after it.
class TraceWriter {
public:
    /// `out` null: nothing is written (and the trace is never cut).
    TraceWriter(std::ostream* out, std::uint64_t limit);

    void write(const Event& event);
    /// The trace reached its limit: it ends with a trace_cut line.
    bool isCut() const { return m_cut; }

private:
    void writeLine(const std::string& line);

    std::ostream* m_out;
    std::uint64_t m_limit;
    std::uint64_t m_bytes = 0;
    bool m_cut = false;
    const std::string m_cutLine;
};

} // namespace sc
