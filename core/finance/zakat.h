// Zakat: the calculation of zakat due on wealth above the nisab.
// Threading: a pure function on values; callable from any thread, never blocks.
#pragma once

#include "core/finance/money.h"
#include "core/base/result.h"

namespace sc {

/// The zakat due on `wealth`: 2.5% of it (one fortieth), rounded UP to the
/// next minor unit, so the amount paid is never short: 100.01 gives 2.51
/// (2.50025 rounded up), 0.01 gives 0.01, 10,000.00 gives 250.00. Integer
/// arithmetic only; exact and overflow-free for every Money up to Money::max().
///
/// Wealth below `nisab` owes nothing (zero); wealth equal to the nisab owes
/// zakat. Errors: negative wealth is Errc::InvalidWealth, a negative nisab
/// Errc::InvalidAmount; the detail says which value was refused.
Result<Money> zakatDue(Money wealth, Money nisab = Money());

} // namespace sc
