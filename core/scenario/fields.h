// The scenario parser's field readers: one JSON value read as an id, an
// integer, a name from a table..., or a BadScenario naming the field (a JSON
// path such as steps[2].target), what was wrong and what was expected.
// Internal to sc_scenario (parser.cpp, financesteps.cpp); pure.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sc::fields {

using json = nlohmann::json;

template <typename E> using NameTable = std::initializer_list<std::pair<std::string_view, E>>;

/// Thrown inside the parser only; parseScenario turns it into an Error.
struct BadScenario {
    std::string field;
    std::string message;
};

[[noreturn]] void fail(const std::string& field, const std::string& what, std::string_view expected);

/// `text` with its middle replaced by "..." when it is longer than head +
/// tail bytes (cut on UTF-8 boundaries), so that a hostile file cannot make a
/// message of megabytes; the end is kept because it names the bad part of a path.
std::string shortened(const std::string& text, std::size_t head = 120, std::size_t tail = 60);

/// JSON-escaped, so that user text cannot break the one-line message; the
/// code points text.h forbids are escaped too (JSON escapes only C0), so that
/// the message shows which one it was and does not display reordered.
std::string quote(const std::string& s);

/// "\"a\" or \"b\"", or "one of \"a\", \"b\" or \"c\"": the names of a list or of a NameTable.
std::string oneOf(const auto& names)
{
    std::string out;
    std::size_t i = 0;
    for (const auto& name : names) {
        if (i > 0) out += i + 1 == std::size(names) ? " or " : ", ";
        if constexpr (requires { name.first; })
            out += quote(std::string(name.first));
        else
            out += quote(std::string(name));
        ++i;
    }
    return std::size(names) > 2 ? "one of " + out : out;
}

/// A JSON value in a few words for a message: "an object", "\"abc\"", "42".
std::string describe(const json& j);
/// The field `key` of `field` (field.key, or field["odd key"]), and the element `index` of `field`.
std::string at(const std::string& field, const std::string& key);
std::string at(const std::string& field, std::size_t index);

/// The value of `key`, which must be there.
const json& require(const json& object, const std::string& field, const char* key, std::string_view expected);
/// The value of `key`, or null when it is not there.
const json* optional(const json& object, const char* key);
/// Every key of `object` is one of `allowed`.
void checkKeys(const json& object, const std::string& field, const std::vector<std::string_view>& allowed,
    const std::string& what);

std::string stringField(const json& j, const std::string& field, std::string_view expected);

template <typename E> E enumField(const json& j, const std::string& field, NameTable<E> names)
{
    const auto text = stringField(j, field, oneOf(names));
    for (const auto& [name, value] : names) {
        if (name == text) return value;
    }
    fail(field, "got " + quote(text), oneOf(names));
}

/// An integer from `min` to INT_MAX.
int intField(const json& j, const std::string& field, int min, std::string_view expected);
/// An integer from 0 to `max` (a documented maximum, so that a run ends).
int cappedField(const json& j, const std::string& field, int max, std::string_view unit);
/// Text shown as one line (ids, users, reasons, the title) follows text.h's rule.
void checkText(const std::string& text, const std::string& field, std::string_view expected);
/// A node id: 1 to kMaxIdBytes bytes, no '/', and text.h's rule.
std::string idField(const json& j, const std::string& field);

} // namespace sc::fields
