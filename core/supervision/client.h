// The client API of supervisors: start, stop, restart and list a running
// supervisor's children, and change its flags.
// Threading: callable from any thread (a process's callback included); each
// call blocks the caller until the supervisor answers.
#pragma once

#include "core/runtime/runtime.h"
#include "core/supervision/types.h"

#include <chrono>
#include <string>
#include <vector>

namespace sc {

/// Calls to the supervisor wait for ever by default, as OTP's do; a
/// `timeout` makes them answer Timeout instead (the supervisor carries on).
inline constexpr std::chrono::milliseconds kNoTimeout = std::chrono::milliseconds::max();
/// Static supervisor: adds the spec and starts it (errors AlreadyStarted,
/// AlreadyPresent, or the start's error). Dynamic: starts a new child
/// (MaxChildren when full).
Result<Pid> startChild(Runtime& rt, Pid supervisor, ChildSpec spec, std::chrono::milliseconds timeout = kNoTimeout);
/// Static: by id; the spec stays listed (temporary ones are dropped).
Status terminateChild(
    Runtime& rt, Pid supervisor, const std::string& id, std::chrono::milliseconds timeout = kNoTimeout);
/// Dynamic: by pid.
Status terminateChild(Runtime& rt, Pid supervisor, Pid child);
/// Static: starts a stopped child again. Errors: Running, Restarting, NotFound.
Result<Pid> restartChild(
    Runtime& rt, Pid supervisor, const std::string& id, std::chrono::milliseconds timeout = kNoTimeout);
/// Static: removes a stopped child's spec. Errors: Running, Restarting, NotFound.
Status deleteChild(Runtime& rt, Pid supervisor, const std::string& id);
/// Changes a running supervisor's strategy and restart intensity (the
/// restarts already in its window still count). A dynamic supervisor takes
/// only one_for_one (else NotSupported). Errors also: BadArgument (negative
/// intensity, period under 1 ms), NoProc; a worker crashes, as a gen_server
/// does on an unexpected call (the caller gets Exit).
Status setSupervisorFlags(Runtime& rt, Pid supervisor, SupervisorFlags flags);
Result<std::vector<ChildInfo>> whichChildren(Runtime& rt, Pid supervisor);
Result<ChildCounts> countChildren(Runtime& rt, Pid supervisor);

} // namespace sc
