// The requests a supervisor answers: the client API (client.h) sends them as
// calls, SupervisorBase and its two subclasses answer them. Internal to
// core/supervision; nothing else sends them.
#pragma once

#include "core/supervision/types.h"

#include <string>

namespace sc::detail {

struct StartChildRequest {
    ChildSpec spec;
};
/// By id (a static supervisor) or by pid (a dynamic one).
struct TerminateChildRequest {
    std::string id;
    Pid pid = 0;
};
struct RestartChildRequest {
    std::string id;
};
struct DeleteChildRequest {
    std::string id;
};
struct WhichChildrenRequest { };
struct SetFlagsRequest {
    SupervisorFlags flags;
};
struct CountChildrenRequest { };

} // namespace sc::detail
