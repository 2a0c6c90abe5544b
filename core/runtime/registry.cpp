// The registry: names (erlang:register) and keys in named registries
// (Elixir's Registry), each held by one live process and released at its
// death; the facade's members and Runtime::Impl's (detail/impl.h).
#include "core/runtime/detail/impl.h"

#include <algorithm>

namespace sc {

using detail::Process;

namespace {

/// A key in a named registry, apart from every plain name (which has no NUL).
std::string keyOf(const std::string& registry, const std::string& key)
{
    return registry + '\0' + key;
}
std::string displayName(const std::string& key)
{
    std::string s = key;
    std::replace(s.begin(), s.end(), '\0', '/');
    return s;
}

} // namespace

Status Runtime::Impl::registerEntry(const std::string& key, const std::string& display, Pid pid)
{
    auto p = find(pid);
    std::lock_guard lock(registryMutex);
    if (!p || p->dead.load()) return Error {Errc::NoProc, display};
    const bool plainName = key.find('\0') == std::string::npos;
    if (plainName) {
        // One name per process, as erlang:register/2 allows.
        for (const auto& own : p->names)
            if (own.find('\0') == std::string::npos)
                return Error {Errc::AlreadyRegistered, "the process is already registered as " + own, pid};
    }
    auto [it, inserted] = registry.emplace(key, pid);
    if (!inserted) return Error {Errc::AlreadyRegistered, display, it->second};
    p->names.push_back(key);
    Event e;
    e.kind = EventKind::Register;
    e.pid = pid;
    e.path = *p->path;
    e.name = display;
    events->publish(std::move(e));
    return Ok {};
}

Status Runtime::Impl::unregisterEntry(const std::string& key, const std::string& display)
{
    std::lock_guard lock(registryMutex);
    auto it = registry.find(key);
    if (it == registry.end()) return Error {Errc::NotFound, display};
    Pid pid = it->second;
    registry.erase(it);
    std::string path;
    if (auto p = find(pid)) {
        std::erase(p->names, key);
        path = *p->path;
    }
    Event e;
    e.kind = EventKind::Unregister;
    e.pid = pid;
    e.path = std::move(path);
    e.name = display;
    events->publish(std::move(e));
    return Ok {};
}

void Runtime::Impl::releaseNames(Process& p)
{
    std::lock_guard lock(registryMutex);
    for (const auto& key : p.names) {
        registry.erase(key);
        Event e;
        e.kind = EventKind::Unregister;
        e.pid = p.pid;
        e.path = *p.path;
        e.name = displayName(key);
        events->publish(std::move(e));
    }
    p.names.clear();
}

Status Runtime::registerName(const std::string& name, Pid pid)
{
    if (name.empty()) return Error {Errc::BadArgument, "empty name"};
    return d->registerEntry(name, name, pid);
}

Status Runtime::unregisterName(const std::string& name)
{
    return d->unregisterEntry(name, name);
}

Pid Runtime::whereis(const std::string& name) const
{
    std::lock_guard lock(d->registryMutex);
    auto it = d->registry.find(name);
    return it == d->registry.end() ? 0 : it->second;
}

Status Runtime::registerKey(const std::string& registry, const std::string& key, Pid pid)
{
    if (registry.empty() || key.empty()) return Error {Errc::BadArgument, "empty registry or key"};
    return d->registerEntry(keyOf(registry, key), registry + "/" + key, pid);
}

Status Runtime::unregisterKey(const std::string& registry, const std::string& key)
{
    return d->unregisterEntry(keyOf(registry, key), registry + "/" + key);
}

Pid Runtime::lookupKey(const std::string& registry, const std::string& key) const
{
    std::lock_guard lock(d->registryMutex);
    auto it = d->registry.find(keyOf(registry, key));
    return it == d->registry.end() ? 0 : it->second;
}

std::vector<std::pair<std::string, Pid>> Runtime::registryEntries(const std::string& registry) const
{
    const std::string prefix = registry + '\0';
    std::vector<std::pair<std::string, Pid>> out;
    std::lock_guard lock(d->registryMutex);
    for (const auto& [k, pid] : d->registry)
        if (k.starts_with(prefix)) out.emplace_back(k.substr(prefix.size()), pid);
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace sc
