// Helpers shared by the ui tests: hand-built snapshots and an idle child.
#pragma once

#include "core/runtime/runtime.h"
#include "core/supervision/supervisor.h"

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace uitest {

/// Snapshot rows view their path; these test paths live for the whole run.
inline std::string_view intern(const std::string& path)
{
    static std::unordered_set<std::string> paths;
    return *paths.insert(path).first;
}

inline sc::ProcessInfo process(
    sc::Pid pid, sc::Pid parent, const std::string& path, sc::ProcessKind kind = sc::ProcessKind::Worker)
{
    sc::ProcessInfo info;
    info.pid = pid;
    info.parent = parent;
    info.path = intern(path);
    info.kind = kind;
    return info;
}

/// Runtime::snapshot() lists processes in no particular order: neither does this.
inline sc::Snapshot snapshotOf(std::vector<sc::ProcessInfo> processes)
{
    std::reverse(processes.begin(), processes.end());
    sc::Snapshot s;
    s.processes = std::move(processes);
    return s;
}

class Idle : public sc::GenServer { };

inline sc::ChildSpec idleChild(const std::string& id)
{
    sc::ChildSpec spec;
    spec.id = id;
    spec.start = [] { return std::make_unique<Idle>(); };
    return spec;
}

} // namespace uitest
