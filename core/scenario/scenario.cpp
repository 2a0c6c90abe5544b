#include "core/scenario/scenario.h"

#include "core/base/text.h"

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <spdlog/spdlog.h>
#include <stdexcept>
#include <thread>

namespace sc {

using nlohmann::json;
using std::chrono::milliseconds;

namespace {

// -- names --

struct StepRule {
    ScenarioStep::Do action;
    std::string_view name;
    std::vector<std::string_view> keys;
};

const std::vector<StepRule> kSteps {
    {ScenarioStep::Do::Kill, "kill", {"do", "target"}},
    {ScenarioStep::Do::Crash, "crash", {"do", "target"}},
    {ScenarioStep::Do::Stop, "stop", {"do", "target", "reason"}},
    {ScenarioStep::Do::StartChild, "start_child", {"do", "target", "child"}},
    {ScenarioStep::Do::TerminateChild, "terminate_child", {"do", "target", "id"}},
    {ScenarioStep::Do::RestartChild, "restart_child", {"do", "target", "id"}},
    {ScenarioStep::Do::Sleep, "sleep", {"do", "ms"}},
    {ScenarioStep::Do::StopTree, "stop_tree", {"do"}},
    {ScenarioStep::Do::Flood, "flood", {"do", "target", "count"}},
    {ScenarioStep::Do::Hang, "hang", {"do", "target"}},
    {ScenarioStep::Do::OpenTracker, "open_tracker", {"do", "user"}},
    {ScenarioStep::Do::Donate, "donate", {"do", "user", "amount"}},
    {ScenarioStep::Do::Total, "total", {"do", "user"}},
    {ScenarioStep::Do::PoolAdd, "pool_add", {"do", "user", "amount"}},
    {ScenarioStep::Do::PoolTotal, "pool_total", {"do"}},
    {ScenarioStep::Do::Deposit, "deposit", {"do", "user", "amount"}},
    {ScenarioStep::Do::Withdraw, "withdraw", {"do", "user", "amount"}},
    {ScenarioStep::Do::Balance, "balance", {"do", "user"}},
    {ScenarioStep::Do::Zakat, "zakat", {"do", "wealth"}},
    {ScenarioStep::Do::SetNisab, "set_nisab", {"do", "amount"}},
    {ScenarioStep::Do::GetNisab, "get_nisab", {"do"}},
    {ScenarioStep::Do::Transaction, "transaction", {"do", "amount"}},
    {ScenarioStep::Do::StartTransaction, "start_transaction", {"do", "amount"}},
    {ScenarioStep::Do::Report, "report", {"do"}},
};

/// The top-level keys of a scenario; the last three only with the finance tree.
const std::vector<std::string_view> kTopKeys {"tree", "steps"};
const std::vector<std::string_view> kFinanceTopKeys {"tree", "steps", "state_on_restart", "report_load_ms", "nisab"};
/// Top-level keys for people, allowed with any tree.
const std::vector<std::string_view> kLabelKeys {"title", "description"};

const std::vector<std::string_view> kNodeKeys {"id", "type", "strategy", "intensity", "period_ms", "max_children",
    "restart", "shutdown", "stop_delay_ms", "children"};

template <typename E> using NameTable = std::initializer_list<std::pair<std::string_view, E>>;

const NameTable<ScenarioNode::Type> kTypes {{"supervisor", ScenarioNode::Type::Supervisor},
    {"dynamic_supervisor", ScenarioNode::Type::DynamicSupervisor}, {"worker", ScenarioNode::Type::Worker}};
const NameTable<Strategy> kStrategies {
    {"one_for_one", Strategy::OneForOne}, {"one_for_all", Strategy::OneForAll}, {"rest_for_one", Strategy::RestForOne}};
const NameTable<Restart> kRestarts {
    {"permanent", Restart::Permanent}, {"transient", Restart::Transient}, {"temporary", Restart::Temporary}};
const NameTable<bool> kStateOnRestart {{"reset", false}, {"recover", true}};

/// Nesting beyond this is refused, so that a hostile file cannot exhaust the stack.
constexpr int kMaxDepth = 100;
constexpr std::size_t kMaxJsonDepth = 2 * kMaxDepth + 8; ///< a tree level is two JSON levels
constexpr std::size_t kMaxFileBytes = std::size_t {64} << 20;

const char* typeName(ScenarioNode::Type type)
{
    switch (type) {
    case ScenarioNode::Type::Supervisor:
        return "supervisor";
    case ScenarioNode::Type::DynamicSupervisor:
        return "dynamic_supervisor";
    case ScenarioNode::Type::Worker:
        return "worker";
    }
    return "?";
}

// -- parsing --

/// Thrown inside the parser only; parseScenario turns it into an Error.
struct BadScenario {
    std::string field;
    std::string message;
};

[[noreturn]] void fail(const std::string& field, const std::string& what, std::string_view expected)
{
    throw BadScenario {field, what + " (expected " + std::string(expected) + ")"};
}

/// `text` with its middle replaced by "..." when it is longer than head +
/// tail bytes (cut on UTF-8 boundaries), so that a hostile file cannot make a
/// message of megabytes; the end is kept because it names the bad part of a path.
std::string shortened(const std::string& text, std::size_t head = 120, std::size_t tail = 60)
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

/// JSON-escaped, so that user text cannot break the one-line message; the
/// code points text.h forbids are escaped too (JSON escapes only C0), so that
/// the message shows which one it was and does not display reordered.
std::string quote(const std::string& s)
{
    return escapeForbiddenText(json(shortened(s)).dump(-1, ' ', false, json::error_handler_t::replace));
}

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

bool isPlainKey(const std::string& key)
{
    return !key.empty()
        && std::all_of(key.begin(), key.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

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

template <typename E> E enumField(const json& j, const std::string& field, NameTable<E> names)
{
    const auto text = stringField(j, field, oneOf(names));
    for (const auto& [name, value] : names) {
        if (name == text) return value;
    }
    fail(field, "got " + quote(text), oneOf(names));
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

/// An integer from 0 to `max` (a documented maximum, so that a run ends).
int cappedField(const json& j, const std::string& field, int max, std::string_view unit)
{
    const std::string expected = "an integer from 0 to " + std::to_string(max) + " (" + std::string(unit) + ")";
    const int v = intField(j, field, 0, expected);
    if (v > max) fail(field, j.dump() + " is too large", expected);
    return v;
}

/// Text shown as one line (ids, users, reasons, the title) follows text.h's rule.
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

/// What a file may make the runtime hold: processes, and their paths,
/// which every process and its start and exit events keep in full.
struct Budget {
    std::size_t processes = 0;

    /// One more process, described at `field`.
    void count(const std::string& field)
    {
        if (++processes > kMaxProcesses)
            fail(field, "one process too many",
                "at most " + std::to_string(kMaxProcesses)
                    + " processes in a file: the tree's nodes, start_child children and open_tracker steps together");
    }
};

/// `parentPathBytes`: the length of the parent's path; 0 for the root.
ScenarioNode parseNode(
    const json& j, const std::string& field, bool isRoot, int depth, std::size_t parentPathBytes, Budget& budget)
{
    if (!j.is_object()) fail(field, "got " + describe(j), R"(a node object such as {"id": "a"})");
    if (depth > kMaxDepth) fail(field, "nested too deeply", "at most " + std::to_string(kMaxDepth) + " levels");
    checkKeys(j, field, kNodeKeys, "in a node");
    budget.count(field);

    ScenarioNode n;
    n.id = idField(require(j, field, "id", "a non-empty string without '/'"), at(field, "id"));
    const std::size_t pathBytes = parentPathBytes + (parentPathBytes > 0 ? 1 : 0) + n.id.size();
    if (pathBytes > kMaxPathBytes)
        fail(at(field, "id"), "makes a path of " + std::to_string(pathBytes) + " bytes",
            "a path (the ids from the root down, joined by '/') of at most " + std::to_string(kMaxPathBytes)
                + " bytes");
    n.type = isRoot ? ScenarioNode::Type::Supervisor : ScenarioNode::Type::Worker;
    if (auto v = optional(j, "type")) n.type = enumField(*v, at(field, "type"), kTypes);
    if (isRoot && n.type == ScenarioNode::Type::Worker)
        fail(at(field, "type"), "the root cannot be a worker", R"("supervisor" or "dynamic_supervisor")");

    const bool sup = n.type == ScenarioNode::Type::Supervisor;
    const bool dyn = n.type == ScenarioNode::Type::DynamicSupervisor;
    const bool worker = n.type == ScenarioNode::Type::Worker;
    auto only = [&](const char* key, bool allowed, std::string_view where) {
        if (!allowed && j.contains(key))
            fail(at(field, key), std::string("not allowed on ") + (isRoot ? "the root " : "a ") + typeName(n.type),
                where);
    };
    only("strategy", sup, "only on a supervisor");
    only("children", sup, "only on a supervisor");
    only("intensity", !worker, "only on a supervisor or dynamic_supervisor");
    only("period_ms", !worker, "only on a supervisor or dynamic_supervisor");
    only("max_children", dyn, "only on a dynamic_supervisor");
    only("stop_delay_ms", worker, "only on a worker");
    only("restart", !isRoot, "only on children: nothing supervises the root");
    only("shutdown", !isRoot, "only on children: nothing supervises the root");

    if (auto v = optional(j, "strategy")) n.strategy = enumField(*v, at(field, "strategy"), kStrategies);
    if (auto v = optional(j, "intensity"))
        n.intensity = intField(*v, at(field, "intensity"), 0, "a non-negative integer");
    if (auto v = optional(j, "period_ms"))
        n.periodMs = intField(*v, at(field, "period_ms"), 1, "an integer of at least 1 (milliseconds)");
    if (auto v = optional(j, "max_children"))
        n.maxChildren = intField(*v, at(field, "max_children"), 0, "a non-negative integer");
    if (auto v = optional(j, "restart")) n.restart = enumField(*v, at(field, "restart"), kRestarts);
    if (auto v = optional(j, "stop_delay_ms"))
        n.stopDelayMs = cappedField(*v, at(field, "stop_delay_ms"), kMaxStopDelayMs, "milliseconds");
    if (auto v = optional(j, "shutdown")) {
        constexpr std::string_view expected = R"("brutal_kill", "infinity" or a non-negative integer (milliseconds))";
        const auto f = at(field, "shutdown");
        if (v->is_string() && v->get<std::string>() == "brutal_kill")
            n.shutdown = Shutdown::brutalKill();
        else if (v->is_string() && v->get<std::string>() == "infinity")
            n.shutdown = Shutdown::infinity();
        else if (v->is_number_integer())
            n.shutdown = Shutdown::after(milliseconds(intField(*v, f, 0, expected)));
        else
            fail(f, "got " + describe(*v), expected);
    }
    if (auto v = optional(j, "children")) {
        const auto f = at(field, "children");
        if (!v->is_array()) fail(f, "got " + describe(*v), "an array of nodes");
        std::set<std::string> ids;
        for (std::size_t i = 0; i < v->size(); ++i) {
            auto child = parseNode((*v)[i], at(f, i), false, depth + 1, pathBytes, budget);
            if (!ids.insert(child.id).second)
                fail(at(at(f, i), "id"), "duplicate id " + quote(child.id) + " among siblings",
                    "ids unique among siblings");
            n.children.push_back(std::move(child));
        }
    }
    return n;
}

/// Every path a step may name, with the types of the nodes found there
/// (start_child may add several children with one id to a dynamic supervisor).
using PathTypes = std::map<std::string, std::set<ScenarioNode::Type>>;

void addPaths(PathTypes& paths, const ScenarioNode& node, const std::string& path)
{
    paths[path].insert(node.type);
    for (const auto& child : node.children)
        addPaths(paths, child, path + "/" + child.id);
}

std::string expectedPath(const PathTypes& paths)
{
    constexpr std::size_t listed = 8;
    if (paths.size() <= listed) {
        std::vector<std::string> names;
        for (const auto& [path, types] : paths)
            names.push_back(path);
        return oneOf(names);
    }
    return "the path of a node, such as " + quote(std::next(paths.begin())->first);
}

/// The shape of finance::startFinanceTree's tree (see finance.h).
ScenarioNode financeTree()
{
    using Type = ScenarioNode::Type;
    auto node = [](const char* id, Type type, std::vector<ScenarioNode> children = {}) {
        ScenarioNode n;
        n.id = id;
        n.type = type;
        n.children = std::move(children);
        return n;
    };
    return node(finance::kRootPath, Type::Supervisor,
        {node("audit_log", Type::Worker),
            node("core", Type::Supervisor,
                {node("zakat_calculator", Type::Worker), node("donation_pool", Type::Worker),
                    node("withdrawals", Type::Worker), node("transaction_processor", Type::Worker),
                    node("trackers", Type::DynamicSupervisor), node("transactions", Type::DynamicSupervisor)}),
            node("reporting", Type::Supervisor,
                {node("database", Type::Worker), node("report_generator", Type::Worker)})});
}

/// What parseStep needs to know besides the step itself.
struct StepContext {
    PathTypes paths;
    Budget budget;
    bool finance = false;
    int transactions = 0; ///< start_transaction steps so far (the workers are tx-1, tx-2, ...)
};

/// Every key of a finance step's rule is required.
void parseFinanceStep(
    const json& j, const std::string& field, const StepRule& rule, ScenarioStep& step, StepContext& context)
{
    constexpr std::string_view amountExpected = R"(an amount as a string, such as "100.50")";
    constexpr std::string_view userExpected
        = "a user name: 1 to 64 bytes, no '/', no control or bidirectional control characters";
    for (const auto key : rule.keys) {
        if (key == "do") continue;
        const std::string name(key);
        const auto f = at(field, name);
        if (key == "user") {
            const auto& v = require(j, field, name.c_str(), userExpected);
            step.user = stringField(v, f, userExpected);
            if (step.user.empty()) fail(f, "empty user name", userExpected);
            if (step.user.size() > 64)
                fail(f, "user name of " + std::to_string(step.user.size()) + " bytes", userExpected);
            if (step.user.find('/') != std::string::npos) fail(f, quote(step.user) + " contains '/'", userExpected);
            checkText(step.user, f, userExpected);
        } else {
            // "amount" or "wealth": a malformed text is answered invalid_amount when the step runs.
            step.amount = stringField(require(j, field, name.c_str(), amountExpected), f, amountExpected);
        }
    }
    if (step.action == ScenarioStep::Do::OpenTracker) {
        // A tracker is a process (opening one twice is refused when it runs, but counts here).
        context.budget.count(at(field, "user"));
        context.paths[std::string(finance::kTrackersPath) + "/" + step.user].insert(ScenarioNode::Type::Worker);
    }
    if (step.action == ScenarioStep::Do::StartTransaction)
        context.paths[std::string(finance::kTransactionsPath) + "/tx-" + std::to_string(++context.transactions)].insert(
            ScenarioNode::Type::Worker);
}

ScenarioStep parseStep(const json& j, const std::string& field, StepContext& context)
{
    using Do = ScenarioStep::Do;
    PathTypes& paths = context.paths;
    static const std::string steps = [] {
        std::vector<std::string_view> names;
        names.reserve(kSteps.size());
        for (const auto& rule : kSteps)
            names.push_back(rule.name);
        return oneOf(names);
    }();
    if (!j.is_object())
        fail(field, "got " + describe(j), R"(a step object such as {"do": "kill", "target": "root/a"})");
    const auto doField = at(field, "do");
    const auto name = stringField(require(j, field, "do", steps), doField, steps);
    auto rule = std::find_if(kSteps.begin(), kSteps.end(), [&](const StepRule& r) { return r.name == name; });
    if (rule == kSteps.end()) fail(doField, "unknown step " + quote(name), steps);
    checkKeys(j, field, rule->keys, "for a " + quote(name) + " step");

    ScenarioStep step;
    step.action = rule->action;
    if (isFinanceStep(step.action)) {
        if (!context.finance)
            fail(doField, "the step " + quote(name) + " needs the finance tree", R"("tree": "finance")");
        parseFinanceStep(j, field, *rule, step, context);
        return step;
    }
    if (step.action == Do::Sleep) {
        step.ms = cappedField(
            require(j, field, "ms", "an integer from 0 to " + std::to_string(kMaxSleepMs) + " (milliseconds)"),
            at(field, "ms"), kMaxSleepMs, "milliseconds");
        return step;
    }
    if (step.action == Do::StopTree) return step;

    const auto targetField = at(field, "target");
    step.target = stringField(
        require(j, field, "target", R"(a path such as "root/a")"), targetField, R"(a path such as "root/a")");
    auto target = paths.find(step.target);
    if (target == paths.end()) fail(targetField, "no node has the path " + quote(step.target), expectedPath(paths));
    const bool supervisesChildren = target->second != std::set {ScenarioNode::Type::Worker};

    switch (step.action) {
    case Do::Stop: {
        constexpr std::string_view expected = R"(an exit reason such as "normal", "shutdown" or "boom")";
        step.reason = stringField(require(j, field, "reason", expected), at(field, "reason"), expected);
        if (step.reason.empty()) fail(at(field, "reason"), "empty reason", expected);
        checkText(step.reason, at(field, "reason"), expected);
        break;
    }
    case Do::Flood: {
        const std::string expected = "an integer from 1 to " + std::to_string(kMaxFloodCount) + " (messages)";
        const auto f = at(field, "count");
        step.count = intField(require(j, field, "count", expected), f, 1, expected);
        if (step.count > kMaxFloodCount) fail(f, std::to_string(step.count) + " is too large", expected);
        break;
    }
    case Do::StartChild:
    case Do::TerminateChild:
    case Do::RestartChild:
        if (!supervisesChildren)
            fail(targetField, quote(step.target) + " is a worker", "a supervisor or dynamic_supervisor");
        if (step.action == Do::StartChild) {
            // The child nests below its target: a chain of start_child steps is held to kMaxDepth too.
            const int targetDepth = int(std::count(step.target.begin(), step.target.end(), '/')) + 1;
            step.child = parseNode(require(j, field, "child", R"(a node object such as {"id": "a"})"),
                at(field, "child"), false, targetDepth + 1, step.target.size(), context.budget);
            // Only a dynamic supervisor accepts the child (a static one answers not_supported).
            if (target->second.contains(ScenarioNode::Type::DynamicSupervisor))
                addPaths(paths, *step.child, step.target + "/" + step.child->id);
        } else {
            step.id = idField(require(j, field, "id", "the id of a child"), at(field, "id"));
        }
        break;
    default:
        break;
    }
    return step;
}

/// Finds duplicate keys (nlohmann would keep the last one silently), refuses
/// deep nesting, and knows where the parser is for errors that carry no
/// position. A SAX pass before the DOM parse: nlohmann's callback parser
/// would do it in one pass, but it scans the parent container at the end of
/// every object, which is quadratic in the number of steps.
class KeyTracker final : public nlohmann::json_sax<json> {
public:
    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override { return open(false); }
    bool start_array(std::size_t) override { return open(true); }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }
    bool key(string_t& key) override
    {
        auto& frame = m_stack.back();
        frame.key = key;
        if (!frame.keys.insert(frame.key).second && m_duplicate.empty()) m_duplicate = at(frame.path, frame.key);
        return true;
    }
    /// Rethrows the parser's error with its own type (parse_error or out_of_range).
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override
    {
        if (auto parse = dynamic_cast<const json::parse_error*>(&e)) throw *parse;
        if (auto range = dynamic_cast<const json::out_of_range*>(&e)) throw *range;
        fail(current(), std::string("invalid JSON: ") + e.what(), "valid JSON");
    }

    /// The field being parsed now (empty outside any container).
    std::string current() const { return pathIn(m_stack.size()); }
    const std::string& duplicate() const { return m_duplicate; }

private:
    bool open(bool array)
    {
        if (m_stack.size() >= kMaxJsonDepth)
            fail(current(), "nested too deeply", "at most " + std::to_string(kMaxJsonDepth) + " levels of JSON");
        m_stack.emplace_back().array = array;
        m_stack.back().path = parentPath();
        return true;
    }
    bool close()
    {
        m_stack.pop_back();
        return value();
    }
    bool value()
    {
        if (!m_stack.empty() && m_stack.back().array) ++m_stack.back().count;
        return true;
    }

    /// The path of the next value inside the `depth`-th open container.
    std::string pathIn(std::size_t depth) const
    {
        if (depth == 0) return {};
        const auto& frame = m_stack[depth - 1];
        return frame.array ? at(frame.path, frame.count) : at(frame.path, frame.key);
    }
    std::string parentPath() const { return pathIn(m_stack.size() - 1); }

    struct Frame {
        std::string path;
        bool array = false;
        std::size_t count = 0;
        std::string key;
        std::set<std::string> keys;
    };
    std::vector<Frame> m_stack;
    std::string m_duplicate;
};

/// Messages are one line of valid UTF-8 whatever the input held: the code
/// points text.h forbids are escaped, invalid bytes become U+FFFD.
std::string oneLine(const std::string& text)
{
    return escapeForbiddenText(text);
}

/// "line 3, column 7: invalid JSON: <nlohmann's reason>".
std::string describeParseError(const json::parse_error& e)
{
    std::string what = e.what();
    std::string where;
    if (auto pos = what.find("parse error at "); pos != std::string::npos) {
        what.erase(0, pos + std::strlen("parse error at "));
        if (auto colon = what.find(": "); colon != std::string::npos) {
            where = what.substr(0, colon) + ": ";
            what.erase(0, colon + 2);
        }
    } else if (auto bracket = what.find("] "); bracket != std::string::npos) {
        what.erase(0, bracket + 2);
    }
    // nlohmann quotes the token it was reading, which may be a whole unterminated string.
    what = shortened(what, 200, 100);
    if (what.find("expected") == std::string::npos) what += " (expected valid JSON)";
    return where + "invalid JSON: " + what;
}

// -- running --

/// Shared by one run's workers. A terminate that is still sleeping out its
/// stop_delay_ms when the run ends returns early, so teardown is not held up.
class Teardown {
public:
    void sleepFor(milliseconds delay)
    {
        std::unique_lock lock(m_mutex);
        m_cv.wait_for(lock, delay, [this] { return m_done; });
    }
    void finish()
    {
        {
            std::lock_guard lock(m_mutex);
            m_done = true;
        }
        m_cv.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_done = false;
};

struct StopRequest {
    ExitReason reason;
};

class ScenarioWorker : public GenServer {
public:
    ScenarioWorker(int stopDelayMs, std::shared_ptr<Teardown> teardown)
        : m_stopDelay(stopDelayMs)
        , m_teardown(std::move(teardown))
    {
    }

    Next init() override
    {
        trapExits(true);
        return Next::ok();
    }
    Next handleCast(const Term& message) override
    {
        if (auto text = std::any_cast<std::string>(&message); text && *text == "crash")
            throw std::runtime_error("crash");
        if (auto stop = std::any_cast<StopRequest>(&message)) return Next::stop(stop->reason);
        return Next::noreply();
    }
    void terminate(const ExitReason&) override
    {
        if (m_stopDelay.count() > 0) m_teardown->sleepFor(m_stopDelay);
    }
    std::string describeState() const override { return "stop_delay_ms: " + std::to_string(m_stopDelay.count()); }

private:
    milliseconds m_stopDelay;
    std::shared_ptr<Teardown> m_teardown;
};

/// A node kept alive by the child specs that start it (aliasing pointers into one tree).
using NodeRef = std::shared_ptr<const ScenarioNode>;

SupervisorFlags supervisorFlags(const ScenarioNode& n)
{
    return {n.strategy, n.intensity, milliseconds(n.periodMs)};
}

DynamicSupervisorFlags dynamicFlags(const ScenarioNode& n)
{
    return {n.intensity, milliseconds(n.periodMs), n.maxChildren};
}

ChildSpec childSpec(const NodeRef& node, const std::shared_ptr<Teardown>& teardown);

std::vector<ChildSpec> childSpecs(const NodeRef& node, const std::shared_ptr<Teardown>& teardown)
{
    std::vector<ChildSpec> specs;
    for (const auto& child : node->children)
        specs.push_back(childSpec(NodeRef(node, &child), teardown));
    return specs;
}

std::unique_ptr<GenServer> makeServer(const NodeRef& node, const std::shared_ptr<Teardown>& teardown)
{
    switch (node->type) {
    case ScenarioNode::Type::Supervisor:
        return std::make_unique<Supervisor>(supervisorFlags(*node), childSpecs(node, teardown));
    case ScenarioNode::Type::DynamicSupervisor:
        return std::make_unique<DynamicSupervisor>(dynamicFlags(*node));
    case ScenarioNode::Type::Worker:
        break;
    }
    return std::make_unique<ScenarioWorker>(node->stopDelayMs, teardown);
}

ChildSpec childSpec(const NodeRef& node, const std::shared_ptr<Teardown>& teardown)
{
    ChildSpec spec;
    spec.id = node->id;
    spec.start = [node, teardown] { return makeServer(node, teardown); };
    spec.restart = node->restart;
    spec.shutdown = node->shutdown;
    spec.type = node->type == ScenarioNode::Type::Worker ? ChildType::Worker : ChildType::Supervisor;
    return spec;
}

Result<Pid> startTree(Runtime& rt, const NodeRef& root, const std::shared_ptr<Teardown>& teardown)
{
    if (root->type == ScenarioNode::Type::Supervisor)
        return startSupervisor(rt, root->id, supervisorFlags(*root), childSpecs(root, teardown));
    SpawnOptions options;
    options.path = root->id;
    return rt.spawn(makeServer(root, teardown), options);
}

/// "60 s", or "250 ms" when not whole seconds.
std::string seconds(milliseconds bound)
{
    if (bound.count() % 1000 == 0) return std::to_string(bound.count() / 1000) + " s";
    return std::to_string(bound.count()) + " ms";
}

/// Words for a finance service's answer, as a person reads it.
std::string replyWords(ScenarioStep::Do action, const finance::Reply& reply)
{
    using Do = ScenarioStep::Do;
    const std::string value = reply.value.toString();
    std::string words;
    switch (action) {
    case Do::OpenTracker:
    case Do::Donate:
    case Do::Total:
        words = "total " + value;
        break;
    case Do::PoolAdd:
    case Do::PoolTotal:
        words = "pool total " + value;
        break;
    case Do::Deposit:
    case Do::Withdraw:
    case Do::Balance:
        words = "balance " + value;
        break;
    case Do::Zakat:
        words = "zakat due " + value;
        break;
    case Do::SetNisab:
    case Do::GetNisab:
        words = "nisab " + value;
        break;
    case Do::Transaction:
        words = "processed " + value;
        break;
    case Do::StartTransaction:
        words = "started " + reply.text + " (" + value + ")";
        break;
    case Do::Report:
        words = reply.text;
        break;
    default:
        words = value;
        break;
    }
    if (reply.id) words += " (ledger record " + std::to_string(*reply.id) + ")";
    return words;
}

/// The finance request of a finance step.
finance::Request requestOf(ScenarioStep::Do action)
{
    // The finance steps are declared in finance::Request's order.
    using Do = ScenarioStep::Do;
    static_assert(int(Do::Report) - int(Do::OpenTracker) == int(finance::Request::Report));
    return finance::Request(int(action) - int(Do::OpenTracker));
}

/// The step's amount as its request reads it: the zakat's wealth may be
/// negative (the calculator answers invalid_wealth), other amounts are magnitudes.
Result<Money> stepAmount(const ScenarioStep& step)
{
    return finance::parseAmount(requestOf(step.action), step.amount);
}

} // namespace

class ScenarioSession::Impl {
public:
    using Do = ScenarioStep::Do;

    Impl(Runtime& rt, Scenario scenario, SessionOptions options)
        : m_scenario(std::move(scenario))
        , m_options(std::move(options))
        , m_rt(rt)
        , m_events(m_rt.events().subscribe())
    {
    }

    ~Impl()
    {
        // Nothing published afterwards reaches the trace.
        m_rt.events().unsubscribe(m_events);
        m_teardown->finish();
    }

    Result<Pid> startTree()
    {
        auto root = m_scenario.finance
            ? finance::startFinanceTree(m_rt, financeConfig(m_scenario, m_options.dataDir, m_options.recoverState))
            : sc::startTree(m_rt, std::make_shared<const ScenarioNode>(m_scenario.tree), m_teardown);
        if (!root) {
            writeTrace();
            return root;
        }
        m_root = *root;
        return root;
    }

    Status stopTree(milliseconds timeout)
    {
        m_teardown->finish();
        Status stopped = Ok {};
        if (m_root) stopped = m_rt.stop(m_root, ExitReason::shutdown(), timeout);
        writeTrace();
        if (!stopped && stopped.error().code == Errc::NoProc) return Ok {};
        return stopped;
    }

    bool settle()
    {
        // In slices, so that cancel() is noticed soon.
        const auto deadline = std::chrono::steady_clock::now() + m_options.quiescenceTimeout;
        bool quiet = false;
        while (!isCancelled()) {
            const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            if (m_rt.waitQuiescent(std::min(left, milliseconds(100)))) {
                quiet = true;
                break;
            }
        }
        writeTrace();
        return quiet;
    }

    void cancel()
    {
        {
            std::lock_guard lock(m_cancelMutex);
            m_cancelled = true;
        }
        m_cancelCv.notify_all();
    }

    bool isCancelled() const
    {
        std::lock_guard lock(m_cancelMutex);
        return m_cancelled;
    }

    StepOutcome perform(const ScenarioStep& step, std::size_t index)
    {
        // Whatever happened since the last settle (a restart done by hand) counts when finding the target.
        writeTrace();
        publish(EventKind::Step, step.action, step.target, {}, step.user);
        // The step line is in the trace before the step runs, so that one that hangs shows there.
        writeTrace();
        const auto started = std::chrono::steady_clock::now();
        auto outcome = performStep(step);
        // Each wait below is bounded by stepTimeout; a finance step makes
        // several calls, so the whole step is measured too. A sleep lasts
        // what it says (at most kMaxSleepMs).
        if (step.action != Do::Sleep && std::chrono::steady_clock::now() - started >= m_options.stepTimeout) {
            outcome.ok = false;
            outcome.timedOut = true;
            outcome.answer = "steps[" + std::to_string(index) + "] (" + stepName(step.action)
                + ") did not finish within " + seconds(m_options.stepTimeout);
            publish(EventKind::Log, step.action, step.target, outcome.answer);
            writeTrace();
        }
        return outcome;
    }

    StepOutcome performStep(const ScenarioStep& step)
    {
        if (isFinanceStep(step.action)) {
            const auto reply = request(step);
            publishReply(step.action, reply);
            if (!reply) return {false, reply.error().toString()};
            return {true, replyWords(step.action, *reply)};
        }
        switch (step.action) {
        case Do::Sleep: {
            std::unique_lock lock(m_cancelMutex);
            m_cancelCv.wait_for(lock, milliseconds(step.ms), [this] { return m_cancelled; });
            return {true, "slept " + std::to_string(step.ms) + " ms"};
        }
        case Do::StopTree:
            if (auto stopped = m_rt.stop(m_root, ExitReason::shutdown(), m_options.stepTimeout); !stopped) {
                publish(EventKind::Log, step.action, {}, "stop_tree: " + stopped.error().toString());
                return {false, stopped.error().toString()};
            }
            return {true, "the tree stopped"};
        default:
            break;
        }

        const bool answers
            = step.action == Do::StartChild || step.action == Do::TerminateChild || step.action == Do::RestartChild;
        const auto target = find(step.target);
        if (!target) {
            // OTP ignores a signal to a dead pid; a call to one answers noproc.
            publish(EventKind::Log, step.action, step.target,
                std::string(stepName(step.action)) + ": " + step.target + " is not alive; nothing done");
            if (answers) publishResult(step.action, Status(Error {Errc::NoProc, step.target}));
            return {false, step.target + " is not alive; nothing done"};
        }
        if (answers && target->kind == ProcessKind::Worker) {
            publishResult(step.action, Status(Error {Errc::NotSupported, step.target}));
            return {false, std::string(errcName(Errc::NotSupported)) + ": " + step.target + " is a worker"};
        }
        const Pid pid = target->pid;
        switch (step.action) {
        case Do::Kill:
            m_rt.kill(pid);
            return {true, "killed"};
        case Do::Crash:
            // Scenario workers crash on this cast as the OTP corpus expects of
            // them; any other process (the finance services) gets Runtime::crash.
            if (m_scenario.finance)
                m_rt.crash(pid);
            else
                m_rt.cast(pid, std::string("crash"));
            return {true, "crash requested"};
        case Do::Hang:
            m_rt.hang(pid);
            return {true, "hang requested"};
        case Do::Stop:
            if (!m_scenario.finance) {
                m_rt.cast(pid, StopRequest {ExitReason::parse(step.reason)});
            } else if (auto stopped = m_rt.stop(pid, ExitReason::parse(step.reason), m_options.stepTimeout);
                       !stopped && stopped.error().code != Errc::NoProc) {
                // The finance services know no StopRequest: proc_lib:stop, as sys:terminate would.
                publish(EventKind::Log, step.action, step.target, "stop: " + stopped.error().toString());
                return {false, stopped.error().toString()};
            }
            return {true, "asked to stop (" + step.reason + ")"};
        case Do::StartChild:
            // DynamicSupervisor.start_child on a static supervisor is an error in OTP too.
            if (target->kind != ProcessKind::DynamicSupervisor) {
                const Status refused = Error {Errc::NotSupported, step.target};
                publishResult(step.action, refused);
                return answer(refused, "started");
            } else {
                const auto started = startChild(m_rt, pid,
                    childSpec(std::make_shared<const ScenarioNode>(*step.child), m_teardown), m_options.stepTimeout);
                publishResult(step.action, started);
                return answer(started, "started");
            }
        case Do::TerminateChild: {
            const auto terminated = terminateChild(m_rt, pid, step.id, m_options.stepTimeout);
            publishResult(step.action, terminated);
            return answer(terminated, "terminated");
        }
        case Do::RestartChild: {
            const auto restarted = restartChild(m_rt, pid, step.id, m_options.stepTimeout);
            publishResult(step.action, restarted);
            return answer(restarted, "restarted");
        }
        case Do::Flood: {
            // A hung process keeps every message: bounding what all mailboxes
            // hold bounds the memory a file can make them take. (A process
            // that drains its mailbox, or is killed, makes room again.)
            if (const std::int64_t queued = queuedMessages(); queued + step.count > m_options.floodLimit) {
                const std::string refused = "flood refused: " + std::to_string(queued) + " messages are queued, and "
                    + std::to_string(step.count) + " more to " + step.target + " would make "
                    + std::to_string(queued + step.count) + ", beyond the at most "
                    + std::to_string(m_options.floodLimit) + " floods may leave queued";
                publish(EventKind::Log, step.action, step.target, refused);
                return {false, refused};
            }
            // Plain messages: scenario workers, supervisors and the finance
            // services all ignore ones they do not know, so only the mailbox shows them.
            for (int i = 0; i < step.count; ++i)
                m_rt.send(pid, std::string("flood"));
            return {true, "sent " + std::to_string(step.count) + " messages"};
        }
        default: // sleep, stop_tree and the finance steps are done above
            return {};
        }
    }

    const Scenario m_scenario;
    const SessionOptions m_options;
    Pid m_root = 0;

    std::uint64_t droppedEvents() const { return m_events->dropped(); }
    bool traceCut() const { return m_traceCut; }

private:
    template <typename T> static StepOutcome answer(const Result<T>& result, const char* done)
    {
        if (!result) return {false, errcName(result.error().code)};
        return {true, done};
    }

    void writeTrace()
    {
        for (const auto& event : m_events->drain()) {
            // Start and Exit events name every path in full (a snapshot may shorten long ones).
            if (event.kind == EventKind::Start) m_live[event.path].insert(event.pid);
            if (auto it = m_live.find(event.path); event.kind == EventKind::Exit && it != m_live.end()) {
                it->second.erase(event.pid);
                if (it->second.empty()) m_live.erase(it);
            }
            if (m_options.trace && !m_traceCut) writeLine(traceLine(event));
        }
    }

    /// Whole lines only: the line that would go beyond traceLimit is replaced
    /// by one saying the trace was cut there (room for it is kept), and nothing follows.
    void writeLine(const std::string& line)
    {
        const std::uint64_t room
            = m_options.traceLimit > m_cutLine.size() + 1 ? m_options.traceLimit - m_cutLine.size() - 1 : 0;
        if (m_traceBytes + line.size() + 1 > room) {
            m_traceCut = true;
            *m_options.trace << m_cutLine << std::endl;
            return;
        }
        m_traceBytes += line.size() + 1;
        *m_options.trace << line << std::endl;
    }

    void publish(EventKind kind, Do action, std::string path = {}, std::string text = {}, std::string user = {})
    {
        Event e;
        e.kind = kind;
        e.action = stepName(action);
        e.path = std::move(path);
        e.reason = std::move(text);
        e.user = std::move(user);
        m_rt.events().publish(std::move(e));
    }

    void publishReply(Do action, const Result<finance::Reply>& reply)
    {
        Event e;
        e.kind = EventKind::Reply;
        e.action = stepName(action);
        e.ok = reply.ok();
        if (reply.ok()) {
            e.value = reply->value.toString();
            e.text = reply->text;
            e.id = reply->id.value_or(0);
        } else {
            e.error = errcName(reply.error().code);
            e.reason = reply.error().detail;
        }
        m_rt.events().publish(std::move(e));
    }

    /// One request to the finance services; the amount is read here, so a
    /// malformed one is answered like any other refused amount.
    Result<finance::Reply> request(const ScenarioStep& step)
    {
        const auto request = requestOf(step.action);
        Money amount;
        if (finance::takesAmount(request)) {
            const auto parsed = stepAmount(step);
            if (!parsed) return Error {Errc::InvalidAmount, parsed.error().detail};
            amount = *parsed;
        }
        return m_client.perform(request, step.user, amount);
    }

    template <typename T> void publishResult(Do action, const Result<T>& result)
    {
        Event e;
        e.kind = EventKind::StepResult;
        e.action = stepName(action);
        e.ok = result.ok();
        if (!result.ok()) e.error = errcName(result.error().code);
        m_rt.events().publish(std::move(e));
    }

    /// The messages in every mailbox of the runtime now.
    std::int64_t queuedMessages() const
    {
        std::int64_t queued = 0;
        for (const ProcessInfo& p : m_rt.snapshot().processes)
            queued += p.mailbox;
        return queued;
    }

    struct Target {
        Pid pid;
        ProcessKind kind;
    };

    /// The live process at `path`; the oldest if start_child made several.
    std::optional<Target> find(const std::string& path) const
    {
        if (auto it = m_live.find(path); it != m_live.end()) {
            for (Pid pid : it->second) {
                if (auto snapshot = m_rt.info(pid); !snapshot.processes.empty())
                    return Target {pid, snapshot.processes.front().kind};
            }
        }
        return std::nullopt;
    }

    Runtime& m_rt;
    std::shared_ptr<Teardown> m_teardown = std::make_shared<Teardown>();
    std::shared_ptr<Subscription> m_events;
    finance::FinanceClient m_client {m_rt, std::min<milliseconds>(std::chrono::seconds(30), m_options.stepTimeout)};
    std::uint64_t m_traceBytes = 0;
    bool m_traceCut = false;
    const std::string m_cutLine = nlohmann::ordered_json {{"event", "trace_cut"}, {"limit", m_options.traceLimit},
        {"message",
            "the trace reached its limit of " + std::to_string(m_options.traceLimit) + " bytes; the run was stopped"}}
                                      .dump();
    std::map<std::string, std::set<Pid>> m_live; ///< path -> pids started there and not yet exited
    mutable std::mutex m_cancelMutex;
    std::condition_variable m_cancelCv;
    bool m_cancelled = false;
};

ScenarioSession::ScenarioSession(Runtime& rt, Scenario scenario, SessionOptions options)
    : d(std::make_unique<Impl>(rt, std::move(scenario), std::move(options)))
{
}

ScenarioSession::~ScenarioSession() = default;

const Scenario& ScenarioSession::scenario() const
{
    return d->m_scenario;
}

std::size_t ScenarioSession::stepCount() const
{
    return d->m_scenario.steps.size();
}

Result<Pid> ScenarioSession::startTree()
{
    if (d->m_root) return Error {Errc::AlreadyStarted, "the session's tree was started before"};
    return d->startTree();
}

Pid ScenarioSession::root() const
{
    return d->m_root;
}

Status ScenarioSession::stopTree(std::chrono::milliseconds timeout)
{
    return d->stopTree(timeout);
}

StepOutcome ScenarioSession::perform(std::size_t index)
{
    return d->perform(d->m_scenario.steps.at(index), index);
}

bool ScenarioSession::settle()
{
    return d->settle();
}

std::uint64_t ScenarioSession::droppedEvents() const
{
    return d->droppedEvents();
}

bool ScenarioSession::traceCut() const
{
    return d->traceCut();
}

void ScenarioSession::cancel()
{
    d->cancel();
}

bool ScenarioSession::isCancelled() const
{
    return d->isCancelled();
}

const char* stepName(ScenarioStep::Do action)
{
    for (const auto& rule : kSteps) {
        if (rule.action == action) return rule.name.data();
    }
    return "?";
}

bool isFinanceStep(ScenarioStep::Do action)
{
    return action >= ScenarioStep::Do::OpenTracker;
}

std::string describeStep(const ScenarioStep& step)
{
    using Do = ScenarioStep::Do;
    // An amount as the services will read it ("10" -> "10.00"); a malformed one as the file spells it.
    const auto amount = [&] {
        const auto parsed = stepAmount(step);
        return parsed ? parsed->toString() : quote(step.amount);
    };
    const std::string name = stepName(step.action);
    switch (step.action) {
    case Do::Kill:
    case Do::Crash:
    case Do::Hang:
        return name + " " + step.target;
    case Do::Stop:
        return name + " " + step.target + " (" + step.reason + ")";
    case Do::StartChild:
        return name + " " + (step.child ? step.child->id : std::string("?")) + " in " + step.target;
    case Do::TerminateChild:
    case Do::RestartChild:
        return name + " " + step.id + " of " + step.target;
    case Do::Sleep:
        return name + " " + std::to_string(step.ms) + " ms";
    case Do::StopTree:
    case Do::PoolTotal:
    case Do::GetNisab:
    case Do::Report:
        return name;
    case Do::Flood:
        return name + " " + step.target + " with " + std::to_string(step.count) + " messages";
    case Do::OpenTracker:
        return name + " " + step.user;
    case Do::Total:
    case Do::Balance:
        return name + " of " + step.user;
    case Do::Donate:
    case Do::PoolAdd:
        return name + " " + amount() + " from " + step.user;
    case Do::Deposit:
    case Do::Withdraw:
        return name + " " + amount() + " for " + step.user;
    case Do::Zakat:
        return name + " on " + amount();
    case Do::SetNisab:
    case Do::Transaction:
    case Do::StartTransaction:
        return name + " " + amount();
    }
    return name;
}

Result<Scenario> parseScenario(std::string_view text, const std::string& fileName)
{
    auto bad = [&](const std::string& field, const std::string& what) {
        return Error {
            Errc::BadArgument, oneLine(fileName + ": " + (field.empty() ? "top level" : field) + ": " + what)};
    };
    // loadScenario stops reading there; text handed over in memory gets the same limit.
    if (text.size() > kMaxFileBytes) return bad({}, "larger than 64 MiB (expected a file of at most 64 MiB)");
    KeyTracker keys;
    json doc;
    try {
        json::sax_parse(text.begin(), text.end(), &keys);
        doc = json::parse(text.begin(), text.end());
    } catch (const BadScenario& e) {
        return bad(e.field, e.message);
    } catch (const json::parse_error& e) {
        return Error {Errc::BadArgument, oneLine(fileName + ": " + describeParseError(e))};
    } catch (const json::exception& e) {
        // e.g. a number too large for a double
        std::string what = e.what();
        what.erase(0, what.find("] ") == std::string::npos ? 0 : what.find("] ") + 2);
        return bad(keys.current(), "invalid JSON: " + shortened(what, 200, 100) + " (expected valid JSON)");
    }
    if (!keys.duplicate().empty()) return bad(keys.duplicate(), "duplicate key (expected each key once per object)");

    try {
        if (!doc.is_object()) fail({}, "got " + describe(doc), R"(an object {"tree": NODE, "steps": [STEP, ...]})");
        constexpr std::string_view treeExpected
            = R"(a node object such as {"id": "root", "children": []} or "finance")";
        const auto& tree = require(doc, {}, "tree", treeExpected);
        Scenario scenario;
        scenario.finance = tree.is_string();
        if (scenario.finance && tree.get<std::string>() != "finance")
            fail("tree", "unknown tree " + quote(tree.get<std::string>()), treeExpected);
        if (!scenario.finance) {
            if (!tree.is_object()) fail("tree", "got " + describe(tree), treeExpected);
            for (const char* key : {"state_on_restart", "report_load_ms", "nisab"}) {
                if (doc.contains(key)) fail(key, "not allowed with a tree of nodes", R"(only with "tree": "finance")");
            }
        }
        const auto& topKeys = scenario.finance ? kFinanceTopKeys : kTopKeys;
        for (const auto& [key, value] : doc.items()) {
            if (std::find(topKeys.begin(), topKeys.end(), key) == topKeys.end()
                && std::find(kLabelKeys.begin(), kLabelKeys.end(), key) == kLabelKeys.end())
                fail(at({}, key), "unknown key at the top level",
                    oneOf(topKeys) + R"(, or the labels "title" and "description")");
        }
        if (auto v = optional(doc, "title")) {
            constexpr std::string_view expected = "a one-line string";
            scenario.title = stringField(*v, "title", expected);
            if (scenario.title.empty()) fail("title", "empty title", expected);
            checkText(scenario.title, "title", expected);
        }
        if (auto v = optional(doc, "description")) scenario.description = stringField(*v, "description", "a string");
        if (scenario.finance) {
            scenario.tree = financeTree();
            if (auto v = optional(doc, "state_on_restart"))
                scenario.recoverState = enumField(*v, "state_on_restart", kStateOnRestart);
            if (auto v = optional(doc, "report_load_ms"))
                scenario.reportLoad
                    = milliseconds(intField(*v, "report_load_ms", 0, "a non-negative integer (milliseconds)"));
            if (auto v = optional(doc, "nisab")) {
                constexpr std::string_view expected = R"(an amount as a string, such as "5000.00")";
                const auto nisab = Money::parse(stringField(*v, "nisab", expected));
                if (!nisab) fail("nisab", nisab.error().detail, expected);
                scenario.nisab = *nisab;
            }
        }
        StepContext context;
        context.finance = scenario.finance;
        if (!scenario.finance) scenario.tree = parseNode(tree, "tree", true, 1, 0, context.budget);
        const auto& steps = require(doc, {}, "steps", "an array of steps");
        if (!steps.is_array()) fail("steps", "got " + describe(steps), "an array of steps");
        addPaths(context.paths, scenario.tree, scenario.tree.id);
        scenario.steps.reserve(steps.size());
        for (std::size_t i = 0; i < steps.size(); ++i)
            scenario.steps.push_back(parseStep(steps[i], at("steps", i), context));
        return scenario;
    } catch (const BadScenario& e) {
        return bad(e.field, e.message);
    }
}

namespace {

/// errno value openRegularFile sets for a FIFO, a directory, a device.
constexpr int kNotRegular = -1;

/// The file opened for reading if it is a regular file; else null with
/// errno set (kNotRegular for another kind of file). Neither the open nor
/// the check blocks: a FIFO is opened with O_NONBLOCK, and the opened file
/// itself is checked (fstat), not the name, which could change in between.
std::FILE* openRegularFile(const std::string& fileName)
{
#ifdef _WIN32
    // Windows has no FIFOs to block in open; directories and devices are refused the same way.
    std::error_code ec;
    if (std::filesystem::exists(fileName, ec) && !std::filesystem::is_regular_file(fileName, ec)) {
        errno = kNotRegular;
        return nullptr;
    }
    return std::fopen(fileName.c_str(), "rb");
#else
    const int fd = ::open(fileName.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return nullptr;
    struct stat st { };
    const int error = ::fstat(fd, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? kNotRegular : 0;
    if (error != 0) {
        ::close(fd);
        errno = error;
        return nullptr;
    }
    std::FILE* file = ::fdopen(fd, "rb");
    if (!file) ::close(fd);
    return file;
#endif
}

} // namespace

Result<Scenario> loadScenario(const std::string& fileName)
{
    auto cannotRead = [&](const std::string& why) {
        return Error {Errc::NotFound, oneLine(fileName + ": cannot read: " + why)};
    };
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(openRegularFile(fileName), &std::fclose);
    if (!file) return cannotRead(errno == kNotRegular ? "not a regular file" : std::strerror(errno));
    std::string text;
    std::array<char, 65536> buffer;
    while (const auto n = std::fread(buffer.data(), 1, buffer.size(), file.get())) {
        text.append(buffer.data(), n);
        if (text.size() > kMaxFileBytes) return cannotRead("larger than 64 MiB");
    }
    if (std::ferror(file.get())) return cannotRead(std::strerror(errno));
    return parseScenario(text, fileName);
}

Result<Pid> startScenarioTree(Runtime& rt, const ScenarioNode& root)
{
    return startTree(rt, std::make_shared<const ScenarioNode>(root), std::make_shared<Teardown>());
}

ChildSpec scenarioWorkerSpec(const std::string& id, Restart restart)
{
    ScenarioNode node;
    node.id = id;
    node.restart = restart;
    return childSpec(std::make_shared<const ScenarioNode>(std::move(node)), std::make_shared<Teardown>());
}

finance::Config financeConfig(const Scenario& scenario, const std::string& dataDir, bool recoverState)
{
    finance::Config config;
    config.dataDir = dataDir;
    config.recoverState = scenario.recoverState || recoverState;
    config.reportLoad = scenario.reportLoad;
    config.nisab = scenario.nisab;
    return config;
}

int runScenario(const Scenario& scenario, const RunOptions& options)
{
    Runtime rt(RuntimeOptions {.workers = options.workers});
    ScenarioSession session(rt, scenario,
        {.trace = options.trace,
            .quiescenceTimeout = options.quiescenceTimeout,
            .stepTimeout = options.stepTimeout,
            .floodLimit = options.floodLimit,
            .traceLimit = options.traceLimit,
            .dataDir = options.dataDir,
            .recoverState = options.recoverState});
    auto settled = [&](const std::string& after) {
        const bool quiet = session.settle();
        if (!quiet)
            spdlog::error(
                "scenario: the runtime was not quiescent {} ms after {}", options.quiescenceTimeout.count(), after);
        if (quiet && session.traceCut())
            spdlog::error("scenario: the trace reached its limit of {} bytes after {}; the run was stopped",
                options.traceLimit, after);
        return quiet && !session.traceCut();
    };
    if (auto root = session.startTree(); !root) {
        spdlog::error("scenario: the tree did not start: {}", root.error().toString());
        return 1;
    }
    if (!settled("the tree started")) return 1;
    for (std::size_t i = 0; i < session.stepCount(); ++i) {
        if (const auto outcome = session.perform(i); outcome.timedOut) {
            spdlog::error("scenario: {}", outcome.answer);
            return 1;
        }
        if (!settled("steps[" + std::to_string(i) + "]")) return 1;
    }
    if (auto lost = session.droppedEvents()) spdlog::warn("scenario: {} events were dropped from the trace", lost);
    return 0;
}

std::string traceLine(const Event& e)
{
    nlohmann::ordered_json j;
    j["seq"] = e.seq;
    switch (e.kind) {
    case EventKind::Start:
    case EventKind::Exit:
        j["event"] = e.kind == EventKind::Start ? "start" : "exit";
        j["path"] = e.path;
        j["pid"] = e.pid;
        if (e.kind == EventKind::Exit) j["reason"] = e.reason;
        break;
    case EventKind::Step:
        j["event"] = "step";
        j["do"] = e.action;
        if (!e.path.empty()) j["target"] = e.path;
        if (!e.user.empty()) j["user"] = e.user;
        break;
    case EventKind::Reply:
        j["event"] = "reply";
        j["do"] = e.action;
        j["ok"] = e.ok;
        if (e.ok) {
            j["value"] = e.value;
            if (!e.text.empty()) j["text"] = e.text;
            // A string: ledger ids are 64-bit, beyond what a JSON reader's double keeps exact.
            if (e.id != 0) j["id"] = std::to_string(e.id);
        } else {
            j["error"] = e.error;
            if (!e.reason.empty()) j["message"] = e.reason;
        }
        break;
    case EventKind::StepResult:
        j["event"] = "result";
        j["do"] = e.action;
        j["ok"] = e.ok;
        if (!e.ok) j["error"] = e.error;
        break;
    default:
        // Everything else under its own name, with whichever fields it carries.
        j["event"] = eventKindName(e.kind);
        if (!e.path.empty()) j["path"] = e.path;
        if (e.pid) j["pid"] = e.pid;
        if (e.parent) j["parent"] = e.parent;
        if (!e.name.empty()) j["name"] = e.name;
        if (!e.reason.empty()) j[e.kind == EventKind::Log ? "message" : "reason"] = e.reason;
        break;
    }
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace sc
