// DynamicSupervisor: a supervisor that starts with no children and is given
// them one at a time (start_child), all alike and one_for_one.
// Threading: a GenServer; it runs on the runtime's workers. Talk to it with
// the client API (client.h).
#pragma once

#include "core/supervision/supervisorbase.h"
#include "core/supervision/types.h"

#include <optional>
#include <string>

namespace sc {

class DynamicSupervisor : public detail::SupervisorBase {
public:
    explicit DynamicSupervisor(DynamicSupervisorFlags flags = {});

    Next init() override;
    Next handleCall(const Term& request, const From& from) override;
    void terminate(const ExitReason& reason) override;
    std::string describeState() const override;
    ProcessKind kind() const override { return ProcessKind::DynamicSupervisor; }

private:
    bool onChildExit(std::size_t index, const ExitReason& reason) override;
    bool restart(std::size_t index) override;
    Next unexpectedCast(const Term& message) override;

    std::optional<int> m_maxChildren; ///< unset: unlimited
};

} // namespace sc
