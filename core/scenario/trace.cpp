// The trace (trace.h): an event as a line, and the writer that holds the
// trace to its limit.
#include "core/scenario/trace.h"

#include <nlohmann/json.hpp>
#include <ostream>

namespace sc {

using nlohmann::json;

std::string traceLine(const Event& e)
{
    nlohmann::ordered_json j;
    j["seq"] = e.seq;
    switch (e.kind) {
    case EventKind::Start:
    case EventKind::Exit:
        j["event"] = e.kind == EventKind::Start ? "start" : "exit";
        j["path"] = e.path;
        j["pid"] = e.pid;
        if (e.kind == EventKind::Exit) j["reason"] = e.reason;
        break;
    case EventKind::Step:
        j["event"] = "step";
        j["do"] = e.action;
        if (!e.path.empty()) j["target"] = e.path;
        if (!e.user.empty()) j["user"] = e.user;
        break;
    case EventKind::Reply:
        j["event"] = "reply";
        j["do"] = e.action;
        j["ok"] = e.ok;
        if (e.ok) {
            j["value"] = e.value;
            if (!e.text.empty()) j["text"] = e.text;
            // A string: ledger ids are 64-bit, beyond what a JSON reader's double keeps exact.
            if (e.id != 0) j["id"] = std::to_string(e.id);
        } else {
            j["error"] = e.error;
            if (!e.reason.empty()) j["message"] = e.reason;
        }
        break;
    case EventKind::StepResult:
        j["event"] = "result";
        j["do"] = e.action;
        j["ok"] = e.ok;
        if (!e.ok) j["error"] = e.error;
        if (e.ignored) j["ignored"] = true;
        break;
    default:
        // Everything else under its own name, with whichever fields it carries.
        j["event"] = eventKindName(e.kind);
        if (!e.path.empty()) j["path"] = e.path;
        if (e.pid) j["pid"] = e.pid;
        if (e.parent) j["parent"] = e.parent;
        if (!e.name.empty()) j["name"] = e.name;
        if (!e.reason.empty()) j[e.kind == EventKind::Log ? "message" : "reason"] = e.reason;
        break;
    }
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

TraceWriter::TraceWriter(std::ostream* out, std::uint64_t limit)
    : m_out(out)
    , m_limit(limit)
    , m_cutLine(nlohmann::ordered_json {{"event", "trace_cut"}, {"limit", limit},
          {"message", "the trace reached its limit of " + std::to_string(limit) + " bytes; the run was stopped"}}
                    .dump())
{
}

void TraceWriter::write(const Event& event)
{
    if (m_out && !m_cut) writeLine(traceLine(event));
}

/// Whole lines only: the line that would go beyond traceLimit is replaced
/// by one saying the trace was cut there (room for it is kept), and nothing follows.
void TraceWriter::writeLine(const std::string& line)
{
    const std::uint64_t room = m_limit > m_cutLine.size() + 1 ? m_limit - m_cutLine.size() - 1 : 0;
    if (m_bytes + line.size() + 1 > room) {
        m_cut = true;
        *m_out << m_cutLine << std::endl;
        return;
    }
    m_bytes += line.size() + 1;
    *m_out << line << std::endl;
}

} // namespace sc
