// Threading: a GenServer's callbacks run on one runtime worker thread at a
// time, one message at a time; its members need no locks. The protected
// helpers may only be called from inside its own callbacks.
#pragma once

#include "core/base/exitreason.h"
#include "core/base/result.h"
#include "core/runtime/types.h"

#include <any>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace sc {

class Runtime;
namespace detail {
struct CallSlot;
class Process;
} // namespace detail

/// What handle_info receives: a plain message, a trapped exit signal, a
/// monitor's DOWN, the idle timeout, or the answer to a Runtime::sendRequest.
struct Info {
    enum class Kind { Message, Exit, Down, Timeout, Reply };
    // Constructors rather than an aggregate: one is made per message, and
    // aggregate initialisation zeroes the whole object first.
    Info() noexcept { }
    explicit Info(Kind kind, Term message = {}, Pid from = 0, ExitReason reason = {}, MonitorRef ref = 0,
        std::optional<Error> error = {})
        : kind(kind)
        , message(std::move(message))
        , from(from)
        , reason(std::move(reason))
        , ref(ref)
        , error(std::move(error))
    {
    }
    Kind kind = Kind::Message;
    Term message; ///< Message; Reply: the value
    Pid from = 0; ///< Exit: the linked process; Down: the monitored one; Reply: the server
    ExitReason reason; ///< Exit, Down
    MonitorRef ref = 0; ///< Down: the monitor; Reply: the request's id
    std::optional<Error> error; ///< Reply: why no value came (NoProc, Exit)
};

/// The caller of a handle_call that has not been answered yet; keep it to
/// reply later with Runtime::reply.
class From {
public:
    From() = default;
    bool valid() const { return m_slot != nullptr; }

private:
    friend class Runtime;
    explicit From(std::shared_ptr<detail::CallSlot> slot)
        : m_slot(std::move(slot))
    {
    }
    std::shared_ptr<detail::CallSlot> m_slot;
};

/// What a callback asks the runtime to do next: keep going (optionally with a
/// reply, a continue step or an idle timeout), stop with a reason, or (init
/// only) ignore.
class Next {
public:
    /// User-provided, so that making one (every callback does) sets the
    /// members it has instead of zeroing all 120 bytes first.
    Next() noexcept { }
    static Next ok() { return Next(); }
    static Next noreply() { return Next(); }
    static Next reply(Term value)
    {
        Next n;
        n.m_reply = std::move(value);
        return n;
    }
    static Next stop(ExitReason reason)
    {
        Next n;
        n.m_stop = std::move(reason);
        return n;
    }
    static Next stopReply(ExitReason reason, Term value)
    {
        Next n = stop(std::move(reason));
        n.m_reply = std::move(value);
        return n;
    }
    static Next ignore()
    {
        Next n;
        n.m_ignore = true;
        return n;
    }
    /// Runs handle_continue(arg) before any other message.
    Next continueWith(Term arg) &&
    {
        m_continue = std::move(arg);
        return std::move(*this);
    }
    /// Delivers an Info::Kind::Timeout if no message arrives within `ms`.
    Next timeout(std::chrono::milliseconds ms) &&
    {
        m_timeout = ms;
        return std::move(*this);
    }

private:
    friend class Runtime;
    std::optional<Term> m_reply;
    std::optional<ExitReason> m_stop;
    std::optional<Term> m_continue;
    std::optional<std::chrono::milliseconds> m_timeout;
    bool m_ignore = false;
};

/// A process's behaviour, after Elixir's GenServer. Subclass it; the object
/// is the process's state. An exception escaping a callback ends the process
/// with reason error:<what()> (let it crash).
class GenServer {
public:
    virtual ~GenServer() = default;

    // -- callbacks --
    virtual Next init() { return Next::ok(); }
    /// Default: crash, as gen_server does for an unexpected call.
    virtual Next handleCall(const Term& request, const From& from);
    /// Default: ignore.
    virtual Next handleCast(const Term& message);
    /// Default: ignore (trapped exits from non-parents included).
    virtual Next handleInfo(const Info& info);
    virtual Next handleContinue(const Term& arg);
    /// Runs when the process stops itself, crashes, or (trapping exits) is told
    /// to shut down by its parent. Not run for `kill`.
    virtual void terminate(const ExitReason&) { }

    /// The process's state as readable text (inspector panels, logs).
    virtual std::string describeState() const { return {}; }
    virtual ProcessKind kind() const { return ProcessKind::Worker; }

protected:
    Pid self() const { return m_self; }
    Runtime& runtime() const { return *m_runtime; }
    /// Exit signals from linked processes arrive as Info::Kind::Exit messages.
    void trapExits(bool on);
    Status link(Pid other);
    void unlink(Pid other);
    MonitorRef monitor(Pid other);
    void demonitor(Pid other, MonitorRef ref);

    /// Blocks this process until a message matching `pred` arrives or the
    /// deadline passes, leaving other messages queued (selective receive).
    /// Other processes keep running meanwhile.
    std::optional<Info> receive(
        const std::function<bool(const Info&)>& pred, std::optional<std::chrono::milliseconds> timeout);

    /// Publishes this process's Start event now rather than after init
    /// returns (supervisors do this before starting their children, as OTP's
    /// traces show them).
    void announceStarted();
    /// What the snapshot shows for this process.
    void setStatus(ProcessStatus status);
    void setStrategy(Strategy strategy);
    /// Supervisors: what the snapshot shows of their restart intensity.
    void setIntensity(int intensity, std::chrono::milliseconds period);
    /// Supervisors: a restart the intensity counts happened now.
    void noteRestart();
    const std::string& path() const;

private:
    friend class Runtime;
    friend class detail::Process;
    Runtime* m_runtime = nullptr;
    Pid m_self = 0;
    detail::Process* m_process = nullptr;
};

} // namespace sc
