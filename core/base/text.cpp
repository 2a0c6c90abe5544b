// The text rule's decoding and escaping (text.h).
#include "core/base/text.h"

#include <array>
#include <cstdio>

namespace sc {

namespace {

struct Decoded {
    char32_t codePoint = 0;
    std::size_t length = 0; ///< 0: not a valid sequence (the byte at hand is invalid)
};

/// One code point of strict UTF-8 (RFC 3629): no overlong forms, no
/// surrogates, nothing above U+10FFFF.
Decoded decode(std::string_view s, std::size_t i)
{
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    if (c < 0x80) return {c, 1};
    std::size_t length = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
        length = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        length = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        length = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return {};
    }
    if (i + length > s.size()) return {};
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return {};
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
    return {cp, length};
}

std::optional<ForbiddenText::Kind> classify(char32_t cp)
{
    using Kind = ForbiddenText::Kind;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return Kind::Control;
    if (cp == 0x2028 || cp == 0x2029) return Kind::LineSeparator;
    if (cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E)
        || (cp >= 0x2066 && cp <= 0x2069))
        return Kind::Bidi;
    return std::nullopt;
}

/// The Unicode name of the forbidden code points a person is likely to meet;
/// empty for the rest (the C0 and C1 controls without a well-known name).
std::string_view unicodeName(char32_t cp)
{
    switch (cp) {
    case 0x00:
        return "NULL";
    case 0x09:
        return "CHARACTER TABULATION";
    case 0x0A:
        return "LINE FEED";
    case 0x0D:
        return "CARRIAGE RETURN";
    case 0x1B:
        return "ESCAPE";
    case 0x7F:
        return "DELETE";
    case 0x85:
        return "NEXT LINE";
    case 0x9B:
        return "CONTROL SEQUENCE INTRODUCER";
    case 0x061C:
        return "ARABIC LETTER MARK";
    case 0x200E:
        return "LEFT-TO-RIGHT MARK";
    case 0x200F:
        return "RIGHT-TO-LEFT MARK";
    case 0x2028:
        return "LINE SEPARATOR";
    case 0x2029:
        return "PARAGRAPH SEPARATOR";
    case 0x202A:
        return "LEFT-TO-RIGHT EMBEDDING";
    case 0x202B:
        return "RIGHT-TO-LEFT EMBEDDING";
    case 0x202C:
        return "POP DIRECTIONAL FORMATTING";
    case 0x202D:
        return "LEFT-TO-RIGHT OVERRIDE";
    case 0x202E:
        return "RIGHT-TO-LEFT OVERRIDE";
    case 0x2066:
        return "LEFT-TO-RIGHT ISOLATE";
    case 0x2067:
        return "RIGHT-TO-LEFT ISOLATE";
    case 0x2068:
        return "FIRST STRONG ISOLATE";
    case 0x2069:
        return "POP DIRECTIONAL ISOLATE";
    default:
        return {};
    }
}

std::string hex(char32_t value, const char* format)
{
    std::array<char, 16> out {};
    std::snprintf(out.data(), out.size(), format, unsigned(value));
    return out.data();
}

} // namespace

std::string ForbiddenText::kindName() const
{
    switch (kind) {
    case Kind::Control:
        return "a control character";
    case Kind::LineSeparator:
        return codePoint == 0x2029 ? "a paragraph separator" : "a line separator";
    case Kind::Bidi:
        return "a bidirectional control character";
    case Kind::InvalidUtf8:
        return "invalid UTF-8";
    }
    return "?";
}

std::string ForbiddenText::toString() const
{
    std::string out;
    if (kind == Kind::InvalidUtf8) {
        out = "invalid UTF-8 (";
        out += hex(codePoint, "0x%02X");
        out += ')';
    } else {
        out = hex(codePoint, "U+%04X");
        out += ' ';
        const auto name = unicodeName(codePoint);
        if (name.empty()) {
            out += '(';
            out += kindName();
            out += ')';
        } else {
            out += name;
        }
    }
    out += " at byte ";
    out += std::to_string(byte);
    return out;
}

std::optional<ForbiddenText> findForbiddenText(std::string_view utf8)
{
    for (std::size_t i = 0; i < utf8.size();) {
        const auto d = decode(utf8, i);
        if (d.length == 0)
            return ForbiddenText {ForbiddenText::Kind::InvalidUtf8, static_cast<unsigned char>(utf8[i]), i + 1};
        if (const auto kind = classify(d.codePoint)) return ForbiddenText {*kind, d.codePoint, i + 1};
        i += d.length;
    }
    return std::nullopt;
}

std::string escapeForbiddenText(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto d = decode(text, i);
        if (d.length == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        if (classify(d.codePoint))
            out += hex(d.codePoint, "\\u%04x");
        else
            out.append(text, i, d.length);
        i += d.length;
    }
    return out;
}

} // namespace sc
