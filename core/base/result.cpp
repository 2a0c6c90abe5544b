// The names of the error codes (result.h).
#include "core/base/result.h"

namespace sc {

const char* errcName(Errc code)
{
    switch (code) {
    case Errc::NoProc: return "noproc";
    case Errc::Timeout: return "timeout";
    case Errc::Exit: return "exit";
    case Errc::CallingSelf: return "calling_self";
    case Errc::AlreadyRegistered: return "already_registered";
    case Errc::NotFound: return "not_found";
    case Errc::AlreadyStarted: return "already_started";
    case Errc::AlreadyPresent: return "already_present";
    case Errc::Running: return "running";
    case Errc::Restarting: return "restarting";
    case Errc::MaxChildren: return "max_children";
    case Errc::Ignore: return "ignore";
    case Errc::StartFailed: return "failed_to_start_child";
    case Errc::NotSupported: return "not_supported";
    case Errc::BadArgument: return "bad_argument";
    case Errc::InvalidAmount: return "invalid_amount";
    case Errc::InvalidWealth: return "invalid_wealth";
    case Errc::InsufficientFunds: return "insufficient_funds";
    case Errc::NotReady: return "not_ready";
    case Errc::Storage: return "storage";
    case Errc::InUse: return "in_use";
    }
    return "unknown";
}

std::string Error::toString() const
{
    std::string s = errcName(code);
    if (!detail.empty())
        s += ": " + detail;
    return s;
}

} // namespace sc
