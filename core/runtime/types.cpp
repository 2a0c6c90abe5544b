// The names of the runtime's value types (types.h), as logs, events and
// traces spell them (OTP's spelling).
#include "core/runtime/types.h"

namespace sc {

const char* processKindName(ProcessKind k)
{
    switch (k) {
    case ProcessKind::Worker:
        return "worker";
    case ProcessKind::Supervisor:
        return "supervisor";
    case ProcessKind::DynamicSupervisor:
        return "dynamic_supervisor";
    }
    return "worker";
}

const char* strategyName(Strategy s)
{
    switch (s) {
    case Strategy::OneForOne:
        return "one_for_one";
    case Strategy::OneForAll:
        return "one_for_all";
    case Strategy::RestForOne:
        return "rest_for_one";
    }
    return "one_for_one";
}

const char* processStatusName(ProcessStatus s)
{
    switch (s) {
    case ProcessStatus::Initializing:
        return "initializing";
    case ProcessStatus::Running:
        return "running";
    case ProcessStatus::Terminating:
        return "terminating";
    case ProcessStatus::Restarting:
        return "restarting";
    case ProcessStatus::Stuck:
        return "stuck";
    }
    return "running";
}

} // namespace sc
