// The parser (parser.h): the file's checks as JSON (size, nesting,
// duplicate keys), its top level, its nodes and its steps.
#include "core/scenario/parser.h"

#include "core/base/text.h"
#include "core/scenario/fields.h"
#include "core/scenario/financesteps.h"
#include "core/scenario/steps.h"

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

namespace sc {

using namespace fields;
using std::chrono::milliseconds;

namespace {

// -- names --

/// The top-level keys of a scenario; the last three only with the finance tree.
const std::vector<std::string_view> kTopKeys {"tree", "steps"};
const std::vector<std::string_view> kFinanceTopKeys {"tree", "steps", "state_on_restart", "report_load_ms", "nisab"};
/// Top-level keys for people, allowed with any tree.
const std::vector<std::string_view> kLabelKeys {"title", "description"};

const std::vector<std::string_view> kNodeKeys {"id", "type", "strategy", "intensity", "period_ms", "max_children",
    "restart", "shutdown", "stop_delay_ms", "init", "trap_exit", "links", "children"};

const NameTable<ScenarioNode::Type> kTypes {{"supervisor", ScenarioNode::Type::Supervisor},
    {"dynamic_supervisor", ScenarioNode::Type::DynamicSupervisor}, {"worker", ScenarioNode::Type::Worker}};
const NameTable<Strategy> kStrategies {
    {"one_for_one", Strategy::OneForOne}, {"one_for_all", Strategy::OneForAll}, {"rest_for_one", Strategy::RestForOne}};
const NameTable<Restart> kRestarts {
    {"permanent", Restart::Permanent}, {"transient", Restart::Transient}, {"temporary", Restart::Temporary}};
const NameTable<bool> kStateOnRestart {{"reset", false}, {"recover", true}};
const NameTable<ScenarioNode::Init> kInitOutcomes {
    {"ok", ScenarioNode::Init::Ok}, {"crash", ScenarioNode::Init::Crash}, {"ignore", ScenarioNode::Init::Ignore}};

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

/// What a file may make the runtime hold: processes, and their paths,
/// which every process and its start and exit events keep in full.
struct Budget {
    std::size_t processes = 0;
    /// A worker's link, checked once every path a step may add is known.
    struct Link {
        std::string field;
        std::string from; ///< the worker's path
        std::string to;
    };
    std::vector<Link> links;

    /// One more process, described at `field`.
    void count(const std::string& field)
    {
        if (++processes > kMaxProcesses)
            fail(field, "one process too many",
                "at most " + std::to_string(kMaxProcesses)
                    + " processes in a file: the tree's nodes, start_child children and open_tracker steps together");
    }
};

/// `parentPath`: empty for the root.
ScenarioNode parseNode(
    const json& j, const std::string& field, bool isRoot, int depth, const std::string& parentPath, Budget& budget)
{
    if (!j.is_object()) fail(field, "got " + describe(j), R"(a node object such as {"id": "a"})");
    if (depth > kMaxDepth) fail(field, "nested too deeply", "at most " + std::to_string(kMaxDepth) + " levels");
    checkKeys(j, field, kNodeKeys, "in a node");
    budget.count(field);

    ScenarioNode n;
    n.id = idField(require(j, field, "id", "a non-empty string without '/'"), at(field, "id"));
    const std::string path = parentPath.empty() ? n.id : parentPath + "/" + n.id;
    const std::size_t pathBytes = path.size();
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
    only("init", worker, "only on a worker");
    only("trap_exit", worker, "only on a worker");
    only("links", worker, "only on a worker");
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
    if (auto v = optional(j, "init")) {
        const auto f = at(field, "init");
        if (!v->is_array()) fail(f, "got " + describe(*v), R"(an array of outcomes such as ["crash", "ok"])");
        for (std::size_t i = 0; i < v->size(); ++i)
            n.init.push_back(enumField((*v)[i], at(f, i), kInitOutcomes));
    }
    if (auto v = optional(j, "trap_exit")) {
        if (!v->is_boolean()) fail(at(field, "trap_exit"), "got " + describe(*v), "true or false");
        n.trapExit = v->get<bool>();
    }
    if (auto v = optional(j, "links")) {
        const auto f = at(field, "links");
        if (!v->is_array()) fail(f, "got " + describe(*v), R"(an array of paths such as ["root/a"])");
        for (std::size_t i = 0; i < v->size(); ++i) {
            n.links.push_back(stringField((*v)[i], at(f, i), "the path of a node"));
            if (n.links.back() == path) fail(at(f, i), "a link to the worker itself", "the path of another node");
            budget.links.push_back({at(f, i), path, n.links.back()});
        }
    }
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
            auto child = parseNode((*v)[i], at(f, i), false, depth + 1, path, budget);
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

/// What a finance step adds to the tree: a tracker (counted as a process)
/// or a transaction worker.
void countFinanceStep(const std::string& field, const ScenarioStep& step, StepContext& context)
{
    if (step.request == finance::Request::OpenTracker) {
        // A tracker is a process (opening one twice is refused when it runs, but counts here).
        context.budget.count(at(field, "user"));
        context.paths[std::string(finance::kTrackersPath) + "/" + step.user].insert(ScenarioNode::Type::Worker);
    }
    if (step.request == finance::Request::StartTransaction)
        context.paths[std::string(finance::kTransactionsPath) + "/tx-" + std::to_string(++context.transactions)].insert(
            ScenarioNode::Type::Worker);
}

ScenarioStep parseStep(const json& j, const std::string& field, StepContext& context)
{
    using Do = ScenarioStep::Do;
    PathTypes& paths = context.paths;
    const auto& rules = treeStepRules();
    static const std::string steps = oneOf(stepNames());
    if (!j.is_object())
        fail(field, "got " + describe(j), R"(a step object such as {"do": "kill", "target": "root/a"})");
    const auto doField = at(field, "do");
    const auto name = stringField(require(j, field, "do", steps), doField, steps);

    ScenarioStep step;
    auto rule = std::find_if(rules.begin(), rules.end(), [&](const StepRule& r) { return r.name == name; });
    if (rule == rules.end()) {
        // Not a tree step: a finance request, as the request table names it.
        const auto request = finance::requestNamed(name);
        if (!request) fail(doField, "unknown step " + quote(name), steps);
        checkKeys(j, field, requestKeys(*request), "for a " + quote(name) + " step");
        if (!context.finance)
            fail(doField, "the step " + quote(name) + " needs the finance tree", R"("tree": "finance")");
        step.action = Do::Request;
        step.request = *request;
        parseFinanceStep(j, field, step);
        countFinanceStep(field, step, context);
        return step;
    }
    checkKeys(j, field, rule->keys, "for a " + quote(name) + " step");
    step.action = rule->action;
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
                at(field, "child"), false, targetDepth + 1, step.target, context.budget);
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

} // namespace

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
        if (!scenario.finance) scenario.tree = parseNode(tree, "tree", true, 1, {}, context.budget);
        const auto& steps = require(doc, {}, "steps", "an array of steps");
        if (!steps.is_array()) fail("steps", "got " + describe(steps), "an array of steps");
        addPaths(context.paths, scenario.tree, scenario.tree.id);
        scenario.steps.reserve(steps.size());
        for (std::size_t i = 0; i < steps.size(); ++i)
            scenario.steps.push_back(parseStep(steps[i], at("steps", i), context));
        // A link may name a path that a later start_child adds; none names a path the run never has.
        for (const auto& link : context.budget.links)
            if (!context.paths.contains(link.to))
                fail(link.field, "no node has the path " + quote(link.to), expectedPath(context.paths));
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

} // namespace sc
