// Money: an amount as an integer count of minor units, with its parsing and
// formatting; never a double.
// Threading: plain value type, safe to copy between threads; every function is
// pure (no shared state, never blocks).
#pragma once

#include "core/base/result.h"

#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace sc {

/// An amount of money as a signed integer count of minor units (cents for
/// the default currency, two decimal places). There is no floating point on
/// any path: arithmetic is checked, and a result that does not fit is an
/// error, never a wrap.
///
/// The range is that of std::int64_t: -92233720368547758.08 to
/// 92233720368547758.07. Errors are Errc::InvalidAmount with a detail that
/// names the problem.
class Money {
public:
    static constexpr int kDecimals = 2; ///< digits after the decimal point

    // -- construction --

    /// Zero.
    constexpr Money() = default;
    /// The amount of `minor` minor units (cents): fromMinorUnits(305) is 3.05.
    static constexpr Money fromMinorUnits(std::int64_t minor) { return Money(minor); }
    static constexpr Money max() { return Money(std::numeric_limits<std::int64_t>::max()); }
    static constexpr Money min() { return Money(std::numeric_limits<std::int64_t>::min()); }

    /// Parses an amount typed by a person or written in a file. Accepted,
    /// exactly: `DIGITS`, `DIGITS.D` or `DIGITS.DD` in ASCII ("100", "100.5",
    /// "100.50"). Refused, with a detail of the form `"<text>": <problem>`:
    /// - any sign, '+' or '-' ("-0", "+5"): typed amounts are magnitudes; the
    ///   operation (withdraw, refund, ...) says which way money moves;
    /// - leading zeros in the whole part ("007", "00.5"; "0" and "0.50" are
    ///   fine), as in JSON numbers: one spelling per whole part;
    /// - more than two decimal places, even zeros ("0.001", "1.000");
    /// - a point without digits on both sides ("1.", ".5"), more than one point;
    /// - whitespace anywhere, grouping (","), exponents ("1e3"), words ("NaN"),
    ///   non-ASCII characters (including non-ASCII digits such as "١٠٠");
    /// - the empty string, and amounts beyond max().
    /// parse(m.toString()) == m for every m >= 0.
    static Result<Money> parse(std::string_view text);
    /// The same grammar with an optional leading '-', for the few requests
    /// that take a signed value and refuse a negative one with their own
    /// error (the zakat's wealth: invalid_wealth, as in the Elixir guide).
    /// Accepted: what parse accepts, or '-' directly followed by it ("-1000",
    /// "-0.5"; "-0" is zero, as in JSON), down to min(). Refused as parse
    /// refuses, and also: '+' ("+5"), a '-' alone or not followed by a digit
    /// ("-", "--5", "- 5"). parseSigned(m.toString()) == m for every m.
    static Result<Money> parseSigned(std::string_view text);

    // -- observers --

    constexpr std::int64_t minorUnits() const { return m_minor; }
    /// "250.00", "-3.05", "0.00": always two decimals, '-' for negatives, no grouping.
    std::string toString() const;

    // -- checked arithmetic --

    /// *this + other, or an error if the sum is out of range.
    Result<Money> plus(Money other) const;
    /// *this - other, or an error if the difference is out of range.
    Result<Money> minus(Money other) const;

    friend constexpr auto operator<=>(Money, Money) = default;
    friend constexpr bool operator==(Money, Money) = default;

private:
    explicit constexpr Money(std::int64_t minor)
        : m_minor(minor)
    {
    }
    std::int64_t m_minor = 0;
};

} // namespace sc
