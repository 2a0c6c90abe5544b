// The runtime's small value types: what a process is and how it is doing,
// shared by the facade, snapshots, events and the views that draw them.
#pragma once

#include "core/base/result.h"

#include <any>
#include <cstdint>

namespace sc {

using Term = std::any;
using MonitorRef = std::uint64_t;

enum class ProcessKind { Worker, Supervisor, DynamicSupervisor };
enum class Strategy { OneForOne, OneForAll, RestForOne };
/// Stuck: a callback has run past RuntimeOptions::stuckAfter without
/// returning or waiting in the runtime (shown instead of its other status).
enum class ProcessStatus { Initializing, Running, Terminating, Restarting, Stuck };

const char* processKindName(ProcessKind);
const char* strategyName(Strategy);
const char* processStatusName(ProcessStatus);

using TimerRef = std::uint64_t;
using RequestId = std::uint64_t;

} // namespace sc
