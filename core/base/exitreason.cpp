// ExitReason's parsing and names (exitreason.h).
#include "core/base/exitreason.h"

namespace sc {

ExitReason ExitReason::parse(std::string_view text)
{
    if (text == "normal")
        return normal();
    if (text == "shutdown")
        return shutdown();
    if (text == "killed")
        return killed();
    if (text == "noproc")
        return noproc();
    if (text.starts_with("shutdown:"))
        return shutdown(std::string(text.substr(9)));
    if (text.starts_with("error:"))
        return error(std::string(text.substr(6)));
    return error(std::string(text));
}

std::string ExitReason::toString() const
{
    switch (m_kind) {
    case Kind::Normal:
        return "normal";
    case Kind::Shutdown:
        return m_detail.empty() ? "shutdown" : "shutdown:" + m_detail;
    case Kind::Killed:
        return "killed";
    case Kind::NoProc:
        return "noproc";
    case Kind::Error:
        break;
    }
    return "error:" + m_detail;
}

} // namespace sc
