// Snapshot's members: copying re-points the rows' paths, and finding a row.
#include "core/runtime/snapshot.h"

#include <cstdint>

namespace sc {

Snapshot& Snapshot::operator=(const Snapshot& other)
{
    if (this == &other) return *this;
    lastSeq = other.lastSeq;
    m_paths = other.m_paths;
    processes = other.processes;
    // Rows whose path lies in the other's storage point into ours; others
    // (a hand-built snapshot's) keep pointing where they did.
    const auto from = reinterpret_cast<std::uintptr_t>(other.m_paths.data());
    const auto end = from + other.m_paths.size();
    for (auto& p : processes) {
        const auto at = reinterpret_cast<std::uintptr_t>(p.path.data());
        if (!p.path.empty() && at >= from && at + p.path.size() <= end)
            p.path = std::string_view(m_paths.data() + (at - from), p.path.size());
    }
    return *this;
}

const ProcessInfo* Snapshot::find(Pid pid) const
{
    for (const auto& p : processes)
        if (p.pid == pid) return &p;
    return nullptr;
}

} // namespace sc
