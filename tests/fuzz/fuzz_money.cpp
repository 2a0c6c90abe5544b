// Fuzz target: Money::parse, the strict parser of typed amounts, and the
// arithmetic and formatting it round-trips with (core/money.h).
//
// Properties checked on every input (a violation aborts):
// - parse accepts exactly what an independent reading of the grammar
//   (0|[1-9][0-9]*)(\.[0-9]{1,2})? accepts within range, with the same value;
// - an accepted amount formats back to the canonical spelling of the input
//   and parses again to the same amount;
// - a refusal is InvalidAmount with a short detail that quotes the input;
// - parseSigned accepts exactly what parse accepts, and '-' followed by it
//   down to min(), with the value negated;
// - for the first 16 bytes read as two int64 amounts: toString() parses back
//   (sign apart; parseSigned with it, min() included), and plus/minus agree
//   with 128-bit arithmetic, refusing exactly the results out of range.
#include "core/finance/money.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace {

// 128-bit arithmetic as the reference for 64-bit results (a GCC and clang extension).
__extension__ typedef __int128 Int128;

// A failed property names itself, then aborts: libFuzzer and the replay test see a crash.
#define FUZZ_CHECK(condition)                                                                                          \
    ((condition)                                                                                                       \
            ? void(0)                                                                                                  \
            : (std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #condition), std::abort()))

// The grammar read independently of money.cpp: the value in minor units, or
// nothing if the text is not an amount or is above `limit`.
std::optional<Int128> reference(std::string_view text, Int128 limit = std::numeric_limits<std::int64_t>::max())
{
    const auto point = text.find('.');
    const std::string_view whole = text.substr(0, point);
    const std::string_view fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
    auto allDigits = [](std::string_view s) {
        for (char c : s)
            if (c < '0' || c > '9') return false;
        return true;
    };
    if (whole.empty() || !allDigits(whole) || (whole.size() > 1 && whole[0] == '0')) return std::nullopt;
    if (point != std::string_view::npos && (fraction.empty() || fraction.size() > 2 || !allDigits(fraction)))
        return std::nullopt;
    // 20 digits already exceed int64's range: stop before Int128 could overflow.
    if (whole.size() > 20) return std::nullopt;
    Int128 value = 0;
    for (char c : whole)
        value = value * 10 + (c - '0');
    const std::string cents = std::string(fraction) + std::string(2 - fraction.size(), '0');
    value = value * 100 + (cents[0] - '0') * 10 + (cents[1] - '0');
    if (value > limit) return std::nullopt;
    return value;
}

// The one spelling toString() gives an accepted text: two decimals always.
std::string canonical(std::string_view text)
{
    const auto point = text.find('.');
    if (point == std::string_view::npos) return std::string(text) + ".00";
    return std::string(text) + std::string(3 - (text.size() - point), '0');
}

void checkText(std::string_view text)
{
    const auto parsed = sc::Money::parse(text);
    const auto expected = reference(text);
    FUZZ_CHECK(parsed.ok() == expected.has_value());
    if (parsed) {
        const sc::Money m = *parsed;
        FUZZ_CHECK(m.minorUnits() >= 0 && Int128(m.minorUnits()) == *expected);
        const std::string formatted = m.toString();
        FUZZ_CHECK(formatted == canonical(text));
        const auto again = sc::Money::parse(formatted);
        FUZZ_CHECK(again.ok() && *again == m);
    } else {
        const sc::Error& e = parsed.error();
        FUZZ_CHECK(e.code == sc::Errc::InvalidAmount);
        // The input quoted (cut to 40 bytes) and a short problem: a huge input never makes a huge message.
        FUZZ_CHECK(!e.detail.empty() && e.detail.front() == '"');
        FUZZ_CHECK(e.detail.size() <= 200);
    }
}

void checkSigned(std::string_view text)
{
    const auto parsed = sc::Money::parseSigned(text);
    const bool negative = !text.empty() && text.front() == '-';
    // A negative amount reaches one unit further than a positive one: min() is -(max() + 1).
    const auto magnitude = negative
        ? reference(text.substr(1), Int128(std::numeric_limits<std::int64_t>::max()) + 1)
        : reference(text);
    FUZZ_CHECK(parsed.ok() == magnitude.has_value());
    if (parsed)
        FUZZ_CHECK(Int128(parsed->minorUnits()) == (negative ? -*magnitude : *magnitude));
    else
        FUZZ_CHECK(parsed.error().code == sc::Errc::InvalidAmount && !parsed.error().detail.empty()
            && parsed.error().detail.size() <= 200);
}

void checkArithmetic(std::int64_t a, std::int64_t b)
{
    const auto ma = sc::Money::fromMinorUnits(a);
    const auto mb = sc::Money::fromMinorUnits(b);

    // toString of any amount, negative ones and min() included.
    const std::string text = ma.toString();
    const bool negative = a < 0;
    FUZZ_CHECK(negative == (text.front() == '-'));
    const auto magnitude = sc::Money::parse(negative ? std::string_view(text).substr(1) : std::string_view(text));
    if (a == std::numeric_limits<std::int64_t>::min()) {
        FUZZ_CHECK(!magnitude.ok()); // its magnitude is one beyond max()
    } else {
        FUZZ_CHECK(magnitude.ok() && magnitude->minorUnits() == (negative ? -a : a));
    }
    const auto signedBack = sc::Money::parseSigned(text);
    FUZZ_CHECK(signedBack.ok() && *signedBack == ma);

    constexpr Int128 lo = std::numeric_limits<std::int64_t>::min();
    constexpr Int128 hi = std::numeric_limits<std::int64_t>::max();
    const Int128 sum = Int128(a) + b;
    const auto plus = ma.plus(mb);
    FUZZ_CHECK(plus.ok() == (sum >= lo && sum <= hi));
    if (plus)
        FUZZ_CHECK(plus->minorUnits() == sum);
    else
        FUZZ_CHECK(plus.error().code == sc::Errc::InvalidAmount);
    const Int128 difference = Int128(a) - b;
    const auto minus = ma.minus(mb);
    FUZZ_CHECK(minus.ok() == (difference >= lo && difference <= hi));
    if (minus)
        FUZZ_CHECK(minus->minorUnits() == difference);
    else
        FUZZ_CHECK(minus.error().code == sc::Errc::InvalidAmount);

    FUZZ_CHECK((ma < mb) == (a < b) && (ma == mb) == (a == b));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    checkText(text);
    checkSigned(text);
    if (size >= 16) {
        std::int64_t a = 0;
        std::int64_t b = 0;
        std::memcpy(&a, data, 8);
        std::memcpy(&b, data + 8, 8);
        checkArithmetic(a, b);
    }
    return 0;
}
