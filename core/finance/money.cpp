// Money's parsing and formatting (money.h).
#include "core/finance/money.h"

#include <algorithm>
#include <limits>

namespace sc {

namespace {

// Checked 64-bit arithmetic in standard C++ (MSVC has no __builtin_*_overflow):
// false, and *out untouched, when the exact result does not fit.
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

bool checkedAdd(std::int64_t a, std::int64_t b, std::int64_t* out)
{
    if (b > 0 ? a > kMax - b : a < kMin - b) return false;
    *out = a + b;
    return true;
}

bool checkedSub(std::int64_t a, std::int64_t b, std::int64_t* out)
{
    if (b < 0 ? a > kMax + b : a < kMin + b) return false;
    *out = a - b;
    return true;
}

/// a * 10 for the parser.
bool checkedTimesTen(std::int64_t a, std::int64_t* out)
{
    if (a > kMax / 10 || a < kMin / 10) return false;
    *out = a * 10;
    return true;
}

// The input quoted in a message, cut short (on a UTF-8 boundary) so that a
// huge input does not make a huge message.
std::string quoted(std::string_view text)
{
    constexpr std::size_t kMaxShown = 40;
    if (text.size() <= kMaxShown) return '"' + std::string(text) + '"';
    std::size_t cut = kMaxShown;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    return '"' + std::string(text.substr(0, cut)) + "...\"";
}

Error refused(std::string_view text, std::string_view problem)
{
    return Error {Errc::InvalidAmount, quoted(text) + ": " + std::string(problem)};
}

Error overflow(Money a, const char* op, Money b)
{
    return Error {Errc::InvalidAmount, "overflow: " + a.toString() + op + b.toString() + " is out of range"};
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// Why a character that is neither a digit nor '.' is refused.
std::string badCharacter(std::string_view text, std::size_t pos)
{
    const char c = text[pos];
    if (static_cast<unsigned char>(c) >= 0x80) return "non-ASCII character (only the digits 0-9 and '.' are allowed)";
    if (c == ' ' || (c >= '\t' && c <= '\r')) return "whitespace is not allowed";
    if (pos == 0 && (c == '-' || c == '+')) return "a sign is not allowed (amounts are magnitudes)";
    if (std::none_of(text.begin(), text.end(), isDigit)) return "not a number";
    if ((c == 'e' || c == 'E') && pos > 0 && isDigit(text[pos - 1])) return "exponent notation is not allowed";
    if (c == ',') return "',' is not allowed (no digit grouping; '.' is the decimal point)";
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
        return "control character at position " + std::to_string(pos + 1);
    return std::string("unexpected character '") + c + "' at position " + std::to_string(pos + 1);
}

// The amount in text[start..] (text is quoted in refusals), negated if
// `negative`: digits are accumulated with the sign, so min() is reachable.
Result<Money> readAmount(std::string_view text, std::size_t start, bool negative)
{
    const std::string_view body = text.substr(start);
    if (body.empty()) return refused(text, negative ? "no digits after '-'" : "empty amount");
    // Character classes first, so that " 5" is about the space and "-0" about the sign.
    for (std::size_t i = start; i < text.size(); ++i)
        if (!isDigit(text[i]) && text[i] != '.') return refused(text, badCharacter(text, i));

    const auto point = body.find('.');
    const std::string_view whole = body.substr(0, point);
    const std::string_view fraction = point == std::string_view::npos ? std::string_view() : body.substr(point + 1);
    if (fraction.find('.') != std::string_view::npos) return refused(text, "more than one '.'");
    if (whole.empty()) return refused(text, "no digits before '.'");
    if (point != std::string_view::npos && fraction.empty()) return refused(text, "no digits after '.'");
    if (fraction.size() > std::size_t(Money::kDecimals)) return refused(text, "more than two decimal places");
    if (whole.size() > 1 && whole.front() == '0') return refused(text, "leading zero");

    // minor = whole * 100 + fraction (padded to two digits), every step checked.
    std::int64_t minor = 0;
    auto append = [&minor, negative](char digit) {
        const std::int64_t value = digit - '0';
        return checkedTimesTen(minor, &minor) && checkedAdd(minor, negative ? -value : value, &minor);
    };
    bool fits = std::all_of(whole.begin(), whole.end(), append);
    fits = fits && std::all_of(fraction.begin(), fraction.end(), append);
    for (std::size_t i = fraction.size(); fits && i < std::size_t(Money::kDecimals); ++i)
        fits = append('0');
    if (!fits)
        return refused(text,
            negative ? "out of range (the smallest amount is " + Money::min().toString() + ")"
                     : "out of range (the largest amount is " + Money::max().toString() + ")");
    return Money::fromMinorUnits(minor);
}

} // namespace

Result<Money> Money::parse(std::string_view text)
{
    return readAmount(text, 0, false);
}

Result<Money> Money::parseSigned(std::string_view text)
{
    if (!text.empty() && text.front() == '+')
        return refused(text, "'+' is not allowed (only a negative amount has a sign, '-')");
    const bool negative = !text.empty() && text.front() == '-';
    return readAmount(text, negative ? 1 : 0, negative);
}

std::string Money::toString() const
{
    // The magnitude in unsigned arithmetic, so that min() has one too.
    const std::uint64_t magnitude
        = m_minor < 0 ? std::uint64_t(0) - static_cast<std::uint64_t>(m_minor) : static_cast<std::uint64_t>(m_minor);
    std::string digits = std::to_string(magnitude);
    if (digits.size() <= std::size_t(kDecimals)) digits.insert(0, std::size_t(kDecimals) + 1 - digits.size(), '0');
    digits.insert(digits.size() - kDecimals, 1, '.');
    return m_minor < 0 ? '-' + digits : digits;
}

Result<Money> Money::plus(Money other) const
{
    std::int64_t sum = 0;
    if (!checkedAdd(m_minor, other.m_minor, &sum)) return overflow(*this, " + ", other);
    return Money(sum);
}

Result<Money> Money::minus(Money other) const
{
    std::int64_t difference = 0;
    if (!checkedSub(m_minor, other.m_minor, &difference)) return overflow(*this, " - ", other);
    return Money(difference);
}

} // namespace sc
