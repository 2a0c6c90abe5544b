// Supervisor: the static supervisor, whose children are given at start.
// This header also brings in the rest of supervision (the value types, the
// dynamic supervisor and the client API), so that one include serves a caller.
// Threading: Supervisor and DynamicSupervisor are GenServers; they run on the
// runtime's workers. The client API is callable from any thread and blocks the
// caller until the supervisor answers; so does startSupervisor.
#pragma once

#include "core/runtime/runtime.h"
#include "core/supervision/client.h"
#include "core/supervision/dynamicsupervisor.h"
#include "core/supervision/supervisorbase.h"
#include "core/supervision/types.h"

#include <string>
#include <vector>

namespace sc {

/// A static supervisor: children start in order, stop in reverse order, and
/// are restarted by the strategy; one restart too many stops them all and
/// ends the supervisor with `shutdown`.
class Supervisor : public detail::SupervisorBase {
public:
    Supervisor(SupervisorFlags flags, std::vector<ChildSpec> children);

    Next init() override;
    Next handleCall(const Term& request, const From& from) override;
    void terminate(const ExitReason& reason) override;
    std::string describeState() const override;
    ProcessKind kind() const override { return ProcessKind::Supervisor; }

private:
    bool onChildExit(std::size_t index, const ExitReason& reason) override;
    bool restart(std::size_t index) override;
    Next unexpectedCast(const Term& message) override;
    bool restartFrom(std::size_t first, std::size_t last, std::size_t failed);
    void stopChildren(std::size_t first);
};

/// Starts a supervision tree's root from any thread: returns once the whole
/// tree has started (or failed to).
Result<Pid> startSupervisor(Runtime& rt, std::string path, SupervisorFlags flags, std::vector<ChildSpec> children);

} // namespace sc
