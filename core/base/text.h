// The text rule: which characters names, ids, users, reasons and titles may not
// hold (control, bidirectional control, invalid UTF-8), and how to show them.
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sc {

/// The one rule for text that names something or is shown as one line: node
/// ids, user names, stop reasons, scenario titles. Such text is valid UTF-8
/// and holds none of:
/// - Unicode category Cc: C0 (U+0000..U+001F), DEL (U+007F), C1 (U+0080..U+009F,
///   among them U+0085 NEXT LINE and U+009B CONTROL SEQUENCE INTRODUCER);
/// - the line and paragraph separators U+2028 and U+2029, which some JSON
///   readers take for line ends, splitting a trace line in two;
/// - the bidirectional controls U+061C, U+200E, U+200F, U+202A..U+202E and
///   U+2066..U+2069, which can make a name display as another.
/// Other non-ASCII text ("Zoë", "محمد", "王芳") is allowed.
struct ForbiddenText {
    enum class Kind { Control, LineSeparator, Bidi, InvalidUtf8 };
    Kind kind = Kind::Control;
    /// The code point; for InvalidUtf8 the first byte that does not start a valid sequence.
    char32_t codePoint = 0;
    /// Where it starts, counting the first byte as 1.
    std::size_t byte = 0;

    /// "a control character", "a line separator", "a bidirectional control
    /// character" or "invalid UTF-8".
    std::string kindName() const;
    /// "U+202E RIGHT-TO-LEFT OVERRIDE at byte 3", "invalid UTF-8 (0xFF) at byte 2".
    std::string toString() const;
};

/// The first code point of `utf8` that the rule above forbids; nullopt if none.
std::optional<ForbiddenText> findForbiddenText(std::string_view utf8);

/// `text` made safe to show in one line of a message: each forbidden code
/// point written as a JSON-style escape ("\u202e"), each invalid byte as U+FFFD.
std::string escapeForbiddenText(std::string_view text);

} // namespace sc
