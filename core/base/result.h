// Result and Error: how every fallible call in core answers (a value or a named
// Errc with its detail), and the Pid that errors may name.
// Threading: plain value types.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace sc {

using Pid = std::uint64_t; ///< 0 is "no process"

/// Errors a caller of the runtime can get back. They are values, never exceptions.
enum class Errc {
    NoProc,            ///< the process is dead or never existed
    Timeout,           ///< a call got no answer in time
    Exit,              ///< the callee exited during the call; detail holds its reason
    CallingSelf,       ///< a process called itself
    AlreadyRegistered, ///< the name or key is taken; owner says by whom
    NotFound,          ///< no such name, key or child
    AlreadyStarted,    ///< start_child: the id is running; owner is its pid
    AlreadyPresent,    ///< start_child: the id is listed but not running
    Running,           ///< restart_child/delete_child: the child is running
    Restarting,        ///< the child is being restarted
    MaxChildren,       ///< a dynamic supervisor is full
    Ignore,            ///< init asked not to be started
    StartFailed,       ///< init stopped or threw; detail holds the reason
    NotSupported,      ///< the operation does not apply to this process
    BadArgument,       ///< a malformed argument
    // -- the finance services' errors --
    InvalidAmount,     ///< a malformed, zero, negative or out-of-range amount
    InvalidWealth,     ///< zakat on negative wealth
    InsufficientFunds, ///< a withdrawal larger than the balance
    NotReady,          ///< the service has not finished loading
    Storage,           ///< the ledger could not commit: nothing was acknowledged
    InUse,             ///< the data directory belongs to another running instance
};

/// The snake_case name used in traces and messages ("max_children").
const char* errcName(Errc code);

struct Error {
    Errc code;
    std::string detail;
    Pid owner = 0;

    std::string toString() const;
    friend bool operator==(const Error&, const Error&) = default;
};

/// A value or a named error (a small std::expected for C++20).
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value)
        : m_v(std::in_place_index<0>, std::move(value))
    {
    }
    Result(Error error)
        : m_v(std::in_place_index<1>, std::move(error))
    {
    }
    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(m_v); }
    const T& value() const { return std::get<0>(m_v); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

struct Ok {
    friend bool operator==(Ok, Ok) { return true; }
};
using Status = Result<Ok>;

} // namespace sc
