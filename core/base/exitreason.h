// ExitReason: why a process ended, in OTP's terms (normal, shutdown, kill, killed,
// noproc, error:<what>), and which of them are orderly.
// Threading: plain value type, safe to copy between threads.
#pragma once

#include <string>
#include <string_view>

namespace sc {

/// Why a process ended, as in Erlang: normal, shutdown, {shutdown, Detail},
/// killed, or anything else (an error, i.e. a crash). `noproc` is what a
/// monitor or a call reports for a process that was already gone.
class ExitReason {
public:
    enum class Kind { Normal, Shutdown, Killed, Error, NoProc };

    ExitReason() = default;
    static ExitReason normal() { return {Kind::Normal, {}}; }
    static ExitReason shutdown(std::string detail = {}) { return {Kind::Shutdown, std::move(detail)}; }
    static ExitReason killed() { return {Kind::Killed, {}}; }
    static ExitReason error(std::string message) { return {Kind::Error, std::move(message)}; }
    static ExitReason noproc() { return {Kind::NoProc, {}}; }

    /// "normal", "shutdown", "shutdown:<detail>", "killed", "noproc",
    /// "error:<message>"; any other text is the error of that text.
    static ExitReason parse(std::string_view text);

    Kind kind() const { return m_kind; }
    const std::string& detail() const { return m_detail; }

    bool isNormal() const { return m_kind == Kind::Normal; }
    /// normal, shutdown and {shutdown, _}: the reasons a transient child is not restarted for.
    bool isOrderly() const { return m_kind == Kind::Normal || m_kind == Kind::Shutdown; }

    /// The spelling used in traces and logs; parse(toString()) round-trips.
    std::string toString() const;

    friend bool operator==(const ExitReason&, const ExitReason&) = default;

private:
    ExitReason(Kind kind, std::string detail)
        : m_kind(kind)
        , m_detail(std::move(detail))
    {
    }
    Kind m_kind = Kind::Normal;
    std::string m_detail;
};

} // namespace sc
