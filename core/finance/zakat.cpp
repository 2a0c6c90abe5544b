// The zakat calculation (zakat.h).
#include "core/finance/zakat.h"

namespace sc {

Result<Money> zakatDue(Money wealth, Money nisab)
{
    if (wealth < Money()) return Error {Errc::InvalidWealth, wealth.toString() + " is negative"};
    if (nisab < Money()) return Error {Errc::InvalidAmount, "nisab " + nisab.toString() + " is negative"};
    if (wealth < nisab) return Money();
    // ceil(wealth * 25 / 1000) == ceil(wealth / 40), written as a quotient and
    // a remainder so that nothing is ever multiplied and nothing can overflow.
    constexpr std::int64_t kFortieth = 40;
    const std::int64_t w = wealth.minorUnits();
    return Money::fromMinorUnits(w / kFortieth + (w % kFortieth != 0 ? 1 : 0));
}

} // namespace sc
