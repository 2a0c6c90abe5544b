// detail::Envelope: what travels to a process (a message, a call, an exit
// signal, a DOWN...), the call slot where a call's answer lands, and who
// watches a process. Internal to the runtime.
// Threading: a CallSlot is filled once, from any thread, under its mutex.
#pragma once

#include "core/base/exitreason.h"
#include "core/base/result.h"
#include "core/runtime/genserver.h"

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

namespace sc::detail {

struct CallSlot;

/// Takes the answer to an asynchronous request (Runtime::sendRequest) to the
/// caller's mailbox; implemented by the runtime.
class ReplySink {
public:
    virtual void answered(CallSlot& slot, std::optional<Term> value, std::optional<Error> error) = 0;

protected:
    ~ReplySink() = default;
};

/// Where a call's answer lands: filled once, by the reply or by the callee's
/// death. A blocking call waits on it; an asynchronous request (`sink` set)
/// has the answer sent on to `replyTo` instead.
struct CallSlot {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::optional<Term> value;
    std::optional<Error> error;

    ReplySink* sink = nullptr;
    Pid replyTo = 0;
    Pid server = 0;
    std::uint64_t requestId = 0;

    bool fill(Term v) { return settle(std::move(v), std::nullopt); }
    bool fail(Error e) { return settle(std::nullopt, std::move(e)); }

private:
    bool settle(std::optional<Term> v, std::optional<Error> e)
    {
        {
            std::lock_guard lock(mutex);
            if (done) return false;
            done = true;
            if (!sink) {
                value = std::move(v);
                error = std::move(e);
            }
        }
        if (sink)
            sink->answered(*this, std::move(v), std::move(e));
        else
            cv.notify_all();
        return true;
    }
};

struct Envelope {
    enum class Kind : std::uint8_t {
        Message,
        Cast,
        Call,
        Exit,
        Down,
        Timeout,
        Continue,
        Stop,
        Crash,
        Hang,
        Reply,
        ReplyError
    };
    Kind kind = Kind::Message;
    Term payload;
    Pid from = 0;
    /// Exit, Down, Stop only: kept out of line, so that an envelope is one
    /// cache line and moving a plain message moves no string.
    std::unique_ptr<ExitReason> reason;
    std::uint64_t ref = 0; ///< Down: the monitor; Timeout: the idle-timeout generation; Reply: the request
    std::shared_ptr<CallSlot> slot;
};

/// Someone watching a process: a process (gets a Down message) or a waiting call (its slot fails).
struct Watcher {
    MonitorRef ref = 0;
    Pid watcher = 0;
    std::shared_ptr<CallSlot> slot;
};

/// An Exit, Down or Stop envelope's reason (normal if it has none).
inline const ExitReason& reasonOf(const Envelope& e)
{
    static const ExitReason normal = ExitReason::normal();
    return e.reason ? *e.reason : normal;
}

/// A Reply or ReplyError envelope as handle_info sees it.
inline Info replyInfo(const Envelope& e)
{
    Info i {Info::Kind::Reply, {}, e.from, {}, e.ref, {}};
    if (e.kind == Envelope::Kind::Reply)
        i.message = e.payload;
    else
        i.error = std::any_cast<const Error&>(e.payload);
    return i;
}

} // namespace sc::detail
