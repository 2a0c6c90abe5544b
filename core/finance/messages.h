// The message protocol of the finance services: what FinanceClient sends to
// each service (every call is answered with a Result<Reply> unless said
// otherwise), and the tree's context that the dynamic supervisors hand out.
// Internal to core/finance.
#pragma once

#include "core/finance/finance.h"

#include <cstdint>
#include <memory>
#include <string>

namespace sc::finance::detail {

// -- shared by one tree --

struct Context {
    Config config;
};
using ContextPtr = std::shared_ptr<const Context>;

using Answer = Result<Reply>;

// -- messages --
// Calls answer with an Answer unless said otherwise.

struct Donate {
    Money amount;
};
struct GetTotal { };
struct PoolAdd {
    std::string user;
    Money amount;
};
struct Deposit {
    std::string user;
    Money amount;
};
struct Withdraw {
    std::string user;
    Money amount;
};
struct GetBalance {
    std::string user;
};
struct Zakat {
    Money wealth;
};
struct SetNisab {
    Money nisab;
};
struct GetNisab { };
struct ProcessTransaction {
    Money amount;
};
/// report_generator: answered with a Result<Report>.
struct MakeReport { };
/// A finance dynamic supervisor: answered with a Ticket.
struct GetTicket { };
struct Ticket {
    ContextPtr context;
    std::uint64_t serial = 0; ///< 1, 2, ... per supervisor incarnation
};

} // namespace sc::finance::detail
