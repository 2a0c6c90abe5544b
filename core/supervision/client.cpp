// The client API of supervisors: each function is one call carrying a
// request from requests.h.
#include "core/supervision/client.h"

#include "core/supervision/requests.h"

namespace sc {

namespace {

template <typename R> R ask(Runtime& rt, Pid supervisor, Term request, std::chrono::milliseconds timeout = kNoTimeout)
{
    auto r = rt.call(supervisor, std::move(request), timeout);
    if (!r) return r.error();
    if (auto v = std::any_cast<R>(&r.value())) return std::move(*v);
    if (auto v = std::any_cast<Result<Pid>>(&r.value()); v && !v->ok()) return v->error();
    return Error {Errc::NotSupported, "unexpected answer"};
}

} // namespace

Result<Pid> startChild(Runtime& rt, Pid supervisor, ChildSpec spec, std::chrono::milliseconds timeout)
{
    return ask<Result<Pid>>(rt, supervisor, detail::StartChildRequest {std::move(spec)}, timeout);
}

Status terminateChild(Runtime& rt, Pid supervisor, const std::string& id, std::chrono::milliseconds timeout)
{
    return ask<Status>(rt, supervisor, detail::TerminateChildRequest {id, 0}, timeout);
}

Status terminateChild(Runtime& rt, Pid supervisor, Pid child)
{
    return ask<Status>(rt, supervisor, detail::TerminateChildRequest {{}, child});
}

Result<Pid> restartChild(Runtime& rt, Pid supervisor, const std::string& id, std::chrono::milliseconds timeout)
{
    return ask<Result<Pid>>(rt, supervisor, detail::RestartChildRequest {id}, timeout);
}

Status deleteChild(Runtime& rt, Pid supervisor, const std::string& id)
{
    return ask<Status>(rt, supervisor, detail::DeleteChildRequest {id});
}

Status setSupervisorFlags(Runtime& rt, Pid supervisor, SupervisorFlags flags)
{
    return ask<Status>(rt, supervisor, detail::SetFlagsRequest {flags});
}

Result<std::vector<ChildInfo>> whichChildren(Runtime& rt, Pid supervisor)
{
    return ask<Result<std::vector<ChildInfo>>>(rt, supervisor, detail::WhichChildrenRequest {});
}

Result<ChildCounts> countChildren(Runtime& rt, Pid supervisor)
{
    return ask<Result<ChildCounts>>(rt, supervisor, detail::CountChildrenRequest {});
}

} // namespace sc
