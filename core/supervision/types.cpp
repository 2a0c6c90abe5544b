// The names of supervision's value types, as OTP writes them.
#include "core/supervision/types.h"

namespace sc {

const char* restartName(Restart r)
{
    switch (r) {
    case Restart::Permanent:
        return "permanent";
    case Restart::Transient:
        return "transient";
    case Restart::Temporary:
        return "temporary";
    }
    return "permanent";
}

std::string Shutdown::toString() const
{
    switch (kind) {
    case Kind::BrutalKill:
        return "brutal_kill";
    case Kind::Infinity:
        return "infinity";
    case Kind::Timeout:
        break;
    }
    return std::to_string(timeout.count()) + " ms";
}

} // namespace sc
