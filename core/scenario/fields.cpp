// The scenario parser's field readers (fields.h).
#include "core/scenario/fields.h"

#include "core/base/text.h"
#include "core/scenario/types.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>

namespace sc::fields {

void fail(const std::string& field, const std::string& what, std::string_view expected)
{
    throw BadScenario {field, what + " (expected " + std::string(expected) + ")"};
}

std::string shortened(const std::string& text, std::size_t head, std::size_t tail)
{
    if (text.size() <= head + tail + 3) return text;
    auto continuation = [&](std::size_t i) { return (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80; };
    while (head > 0 && continuation(head))
        --head;
    std::size_t from = text.size() - tail;
    while (from < text.size() && continuation(from))
        ++from;
    return text.substr(0, head) + "..." + text.substr(from);
}

std::string quote(const std::string& s)
{
    return escapeForbiddenText(json(shortened(s)).dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string describe(const json& j)
{
    switch (j.type()) {
    case json::value_t::object:
        return "an object";
    case json::value_t::array:
        return "an array";
    case json::value_t::string: {
        auto s = j.get<std::string>();
        return s.size() > 60 ? quote(s.substr(0, 57)) + "..." : quote(s);
    }
    default:
        return j.dump();
    }
}

namespace {

bool isPlainKey(const std::string& key)
{
    return !key.empty()
        && std::all_of(key.begin(), key.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

} // namespace

std::string at(const std::string& field, const std::string& key)
{
    if (!isPlainKey(key) || key.size() > 64) return field + "[" + quote(key) + "]";
    return field.empty() ? key : field + "." + key;
}

std::string at(const std::string& field, std::size_t index)
{
    return field + "[" + std::to_string(index) + "]";
}

const json& require(const json& object, const std::string& field, const char* key, std::string_view expected)
{
    auto it = object.find(key);
    if (it == object.end()) fail(at(field, key), "missing", expected);
    return *it;
}

const json* optional(const json& object, const char* key)
{
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

void checkKeys(
    const json& object, const std::string& field, const std::vector<std::string_view>& allowed, const std::string& what)
{
    for (const auto& [key, value] : object.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            fail(at(field, key), "unknown key " + what, oneOf(allowed));
    }
}

std::string stringField(const json& j, const std::string& field, std::string_view expected)
{
    if (!j.is_string()) fail(field, "got " + describe(j), expected);
    return j.get<std::string>();
}

int intField(const json& j, const std::string& field, int min, std::string_view expected)
{
    if (!j.is_number_integer()) fail(field, "got " + describe(j), expected);
    if (j.is_number_unsigned() ? j.get<std::uint64_t>() > INT_MAX : j.get<std::int64_t>() > INT_MAX)
        fail(field, j.dump() + " is too large", expected);
    const auto v = j.get<std::int64_t>();
    if (v < min) fail(field, j.dump() + (v < 0 ? " is negative" : " is too small"), expected);
    return int(v);
}

int cappedField(const json& j, const std::string& field, int max, std::string_view unit)
{
    const std::string expected = "an integer from 0 to " + std::to_string(max) + " (" + std::string(unit) + ")";
    const int v = intField(j, field, 0, expected);
    if (v > max) fail(field, j.dump() + " is too large", expected);
    return v;
}

void checkText(const std::string& text, const std::string& field, std::string_view expected)
{
    if (const auto bad = findForbiddenText(text)) fail(field, quote(text) + " contains " + bad->kindName(), expected);
}

std::string idField(const json& j, const std::string& field)
{
    static const std::string expected = "a non-empty string of at most " + std::to_string(kMaxIdBytes)
        + " bytes without '/', control or bidirectional control characters";
    auto id = stringField(j, field, expected);
    if (id.empty()) fail(field, "empty id", expected);
    // Every descendant's path repeats the id: its length bounds what the tree costs.
    if (id.size() > kMaxIdBytes) fail(field, "id of " + std::to_string(id.size()) + " bytes", expected);
    if (id.find('/') != std::string::npos) fail(field, quote(id) + " contains '/'", expected);
    // Ids are shown one per line (paths, describeStep, the tree view).
    checkText(id, field, expected);
    return id;
}

} // namespace sc::fields
