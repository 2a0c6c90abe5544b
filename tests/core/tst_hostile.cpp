// Hostile input, one catalogue: every malformed amount, scenario file, flood
// and tree shape in one place, each row with the answer it must get (an error
// code and a phrase its detail must contain, or "completes" with a checked
// outcome). Huge inputs are made here at run time, never checked in.
//
// Covered elsewhere and not repeated here: tst_money's parseRefuses (empty,
// "abc", NaN, inf, 1e3, 1E3, 0.001, 1.000, -0, -5.00, +5, 5-, spaces, tab,
// newline, "5\0", "1.", ".5", ".", 1.2.3, 1,000, 1,5, 0x10, $5, leading
// zeros, the int64 boundary, 200 digits, Arabic-Indic, fullwidth, "5€"), and
// tests/app/tst_scenariorunner's addBadScenarioRows (one row per field rule of
// docs/scenarios.md: unknown keys, duplicate keys and sibling ids, unknown
// steps and targets, the finance keys, 150 nested supervisors).
//
// moc (Qt 6.4) reads a raw string as a plain one: raw strings below hold an
// even number of '"' and no "//", and the others are spelled with escapes.
#include "coretest.h"
#include "core/finance/finance.h"
#include "core/scenario/scenario.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <cstring>
#include <sstream>
#include <sys/stat.h>
#include <thread>

using namespace sc;
using namespace sctest;

namespace {

// -- bytes --

std::string_view view(const QByteArray& bytes)
{
    return std::string_view(bytes.constData(), std::size_t(bytes.size()));
}

QByteArray repeated(const QByteArray& piece, qsizetype times)
{
    QByteArray out;
    out.reserve(piece.size() * times);
    for (qsizetype i = 0; i < times; ++i)
        out += piece;
    return out;
}

/// `bytes` as a JSON string literal, every byte kept (control characters as \u00XX).
QByteArray jsonString(const QByteArray& bytes)
{
    QByteArray out = "\"";
    out.reserve(bytes.size() + 2);
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            out += QByteArray("\\u00") + QByteArray::number(u, 16).rightJustified(2, '0');
        } else {
            out += c;
        }
    }
    return out + "\"";
}

bool isUtf8(const std::string& s)
{
    const QByteArray bytes(s.data(), qsizetype(s.size()));
    return QString::fromUtf8(bytes).toUtf8() == bytes;
}

/// A field of /proc/self/status in KiB: VmRSS (resident now) or VmHWM (the
/// peak since resetPeakMemory()); -1 if unknown.
qint64 statusKb(const char* field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) return -1;
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qsizetype(std::strlen(field))).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

/// Sets VmHWM back to VmRSS (Linux 4.0 and later).
bool resetPeakMemory()
{
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    return clear.open(QIODevice::WriteOnly) && clear.write("5") == 1;
}

// -- scenarios --

int countNodes(const ScenarioNode& n)
{
    int count = 1;
    for (const auto& c : n.children)
        count += countNodes(c);
    return count;
}

int depthOf(const ScenarioNode& n)
{
    int deepest = 0;
    for (const auto& c : n.children)
        deepest = std::max(deepest, depthOf(c));
    return deepest + 1;
}

/// What a parsed scenario holds, as a line to compare.
QString summary(const Scenario& s)
{
    return QStringLiteral("nodes %1, depth %2, steps %3, description %4 bytes")
        .arg(countNodes(s.tree))
        .arg(depthOf(s.tree))
        .arg(s.steps.size())
        .arg(s.description.size());
}

/// A chain of `supervisors` nested supervisors s1/s2/... with a worker "w" at the bottom.
QByteArray chainTree(int supervisors)
{
    QByteArray node = R"({"id": "w"})";
    for (int i = supervisors; i >= 1; --i) {
        const QByteArray type = i == 1 ? QByteArray() : QByteArray(R"("type": "supervisor", )");
        node = "{\"id\": \"s" + QByteArray::number(i) + "\", " + type + "\"children\": [" + node + "]}";
    }
    return node;
}

QByteArray chainPath(int supervisors, int upTo)
{
    QByteArray path = "s1";
    for (int i = 2; i <= std::min(supervisors, upTo); ++i)
        path += "/s" + QByteArray::number(i);
    if (upTo > supervisors) path += "/w";
    return path;
}

/// A root with `width` worker children w0, w1, ...
QByteArray wideTree(int width)
{
    QByteArray children;
    for (int i = 0; i < width; ++i)
        children += (i ? ",{\"id\":\"w" : "{\"id\":\"w") + QByteArray::number(i) + "\"}";
    return R"({"id": "root", "children": [)" + children + "]}";
}

/// start_child steps that nest dynamic supervisors `links` deep below root/pool.
QByteArray startChildChain(int links)
{
    QByteArray steps;
    QByteArray target = "root/pool";
    for (int i = 0; i < links; ++i) {
        if (i) steps += ',';
        steps += "{\"do\": \"start_child\", \"target\": \"" + target
            + "\", \"child\": {\"id\": \"d\", \"type\": \"dynamic_supervisor\"}}";
        target += "/d";
    }
    return R"({"tree": {"id": "root", "children": [{"id": "pool", "type": "dynamic_supervisor"}]}, "steps": [)" + steps
        + "]}";
}

/// Debug builds (the sanitizer presets among them) parse tens of times more
/// slowly: the largest files shrink by this factor there.
#ifdef NDEBUG
constexpr int kShrink = 1;
#else
constexpr int kShrink = 10;
#endif
constexpr int kManySteps = 1000000 / kShrink;
constexpr int kLongDescription = 50000000 / kShrink;
/// The scenario-file twins of the flood and the wide tree (the API tests keep full size).
constexpr int kFloodStep = 1000000 / kShrink;
constexpr int kPlayedWidth = 10000 / kShrink;

/// The scenarios too large for a data table, made when the row runs.
QByteArray generated(const QString& name)
{
    const QByteArray twoNodes = R"({"tree": {"id": "root", "children": [{"id": "a"}]}, "steps": [)";
    if (name == QLatin1String("a million steps")) {
        QByteArray steps = repeated(R"({"do":"kill","target":"root/a"},)", kManySteps);
        steps.chop(1);
        return twoNodes + steps + "]}";
    }
    if (name == QLatin1String("3.5M tiny steps")) {
        QByteArray steps = repeated(R"({"do":"stop_tree"},)", 3500000);
        steps.chop(1);
        return twoNodes + steps + "]}";
    }
    if (name == QLatin1String("64 MiB of empty arrays")) {
        QByteArray arrays = repeated("[],", (64 << 20) / 3 - 20);
        arrays.chop(1);
        return R"({"tree": {"id": "root"}, "steps": [], "description": [)" + arrays + "]}";
    }
    if (name == QLatin1String("a 50 MB description"))
        return "{\"title\": \"big\", \"description\": \"" + QByteArray(kLongDescription, 'x')
            + "\", \"tree\": {\"id\": \"root\"}, \"steps\": []}";
    if (name == QLatin1String("over 64 MiB")) return "{\"description\": \"" + QByteArray(65 << 20, 'x') + "\"}";
    if (name == QLatin1String("100,000 [")) return QByteArray(100000, '[');
    if (name == QLatin1String("100,000 [ closed")) return QByteArray(100000, '[') + QByteArray(100000, ']');
    if (name == QLatin1String("100,000 {")) return repeated(R"({"a":)", 100000) + "1" + QByteArray(100000, '}');
    if (name == QLatin1String("100,000 [ as children"))
        return R"({"tree": {"id": "root", "children": )" + QByteArray(100000, '[');
    if (name == QLatin1String("100,000 [ in a string"))
        return "{\"description\": \"" + QByteArray(100000, '[') + "\", \"tree\": {\"id\": \"root\"}, \"steps\": []}";
    if (name == QLatin1String("100 levels"))
        return R"({"tree": )" + chainTree(99) + ", \"steps\": [{\"do\": \"kill\", \"target\": \"" + chainPath(99, 100)
            + "\"}]}";
    if (name == QLatin1String("101 levels")) return R"({"tree": )" + chainTree(100) + R"(, "steps": []})";
    if (name == QLatin1String("start_child to level 100")) return startChildChain(98);
    if (name == QLatin1String("start_child to level 101")) return startChildChain(99);
    if (name == QLatin1String("start_child 1,100 deep")) return startChildChain(1100);
    if (name == QLatin1String("10,000 wide")) return R"({"tree": )" + wideTree(10000) + R"(, "steps": []})";
    // The most processes a file may describe (kMaxProcesses), and one more: as nodes, as start_child children, as
    // trackers.
    if (name == QLatin1String("100,000 processes")) return R"({"tree": )" + wideTree(99999) + R"(, "steps": []})";
    if (name == QLatin1String("100,001 processes")) return R"({"tree": )" + wideTree(100000) + R"(, "steps": []})";
    if (name == QLatin1String("100,001 processes with start_child")) {
        QByteArray steps;
        for (int i = 0; i < 2; ++i)
            steps += QByteArray(i ? ", " : "") + R"({"do": "start_child", "target": "root", "child": {"id": "c"}})";
        return R"({"tree": )" + wideTree(99998) + R"(, "steps": [)" + steps + "]}";
    }
    if (name == QLatin1String("100,001 trackers")) {
        QByteArray out = R"({"tree": "finance", "steps": [)";
        for (int i = 0; i <= 100000; ++i)
            out += QByteArray(i ? ", " : "") + "{\"do\": \"open_tracker\", \"user\": \"u" + QByteArray::number(i)
                + "\"}";
        return out + "]}";
    }
    if (name == QLatin1String("wide, to play")) return R"({"tree": )" + wideTree(kPlayedWidth) + R"(, "steps": []})";
    if (name == QLatin1String("1 MB step name")) return twoNodes + "{\"do\": \"" + QByteArray(1 << 20, 'k') + "\"}]}";
    if (name == QLatin1String("1 MB target"))
        return twoNodes + "{\"do\": \"kill\", \"target\": \"root/" + QByteArray(1 << 20, 'a') + "\"}]}";
    if (name == QLatin1String("1 MB key"))
        return "{\"tree\": {\"id\": \"root\", \"" + QByteArray(1 << 20, 'k') + "\": 1}, \"steps\": []}";
    if (name == QLatin1String("1 MB id with a slash"))
        return "{\"tree\": {\"id\": \"root\", \"children\": [{\"id\": \"/" + QByteArray(1 << 20, 'i')
            + "\"}]}, \"steps\": []}";
    if (name == QLatin1String("1 MB reason"))
        return twoNodes + "{\"do\": \"stop\", \"target\": \"root/a\", \"reason\": \"" + QByteArray(1 << 20, 'r')
            + "\"}]}";
    if (name == QLatin1String("1 MB unterminated string")) return "{\"tree\": {\"id\": \"" + QByteArray(1 << 20, 's');
    if (name == QLatin1String("1 MB number"))
        return R"({"tree": {"id": "root", "intensity": )" + QByteArray(1 << 20, '9') + R"(}, "steps": []})";
    return {};
}

/// A trace stream that another thread may read while the session writes.
struct LockedTrace {
    class Buffer : public std::stringbuf {
    public:
        std::recursive_mutex mutex; ///< xsputn calls overflow

    protected:
        std::streamsize xsputn(const char* s, std::streamsize n) override
        {
            std::lock_guard lock(mutex);
            return std::stringbuf::xsputn(s, n);
        }
        int_type overflow(int_type c) override
        {
            std::lock_guard lock(mutex);
            return std::stringbuf::overflow(c);
        }
    };
    Buffer buffer;
    std::ostream stream {&buffer};
    QByteArray text()
    {
        std::lock_guard lock(buffer.mutex);
        return QByteArray::fromStdString(buffer.str());
    }
};

/// A scenario played on `rt` step by step, settling after each.
struct Played {
    QStringList outcomes; ///< "ok: <answer>" or "failed: <answer>", one per step
    bool settled = true;
    Pid root = 0;
    QString startError;
    std::unique_ptr<ScenarioSession> session; ///< still holding the tree
};

Played play(Runtime& rt, const Scenario& scenario, SessionOptions options = {})
{
    Played out;
    options.quiescenceTimeout = std::chrono::milliseconds(kLong * 6);
    out.session = std::make_unique<ScenarioSession>(rt, scenario, options);
    ScenarioSession* session = out.session.get();
    auto root = session->startTree();
    if (!root) {
        out.startError = qs(root.error().toString());
        return out;
    }
    out.root = *root;
    out.settled = session->settle();
    for (std::size_t i = 0; i < session->stepCount(); ++i) {
        const StepOutcome o = session->perform(i);
        out.outcomes << (o.ok ? QStringLiteral("ok: ") : QStringLiteral("failed: ")) + qs(o.answer);
        out.settled = session->settle() && out.settled;
    }
    return out;
}

/// Processes of the snapshot whose path starts with `prefix`.
int countUnder(const Runtime& rt, const std::string& prefix)
{
    const Snapshot snap = rt.snapshot();
    return int(std::count_if(snap.processes.begin(), snap.processes.end(),
        [&](const ProcessInfo& p) { return p.path.substr(0, prefix.size()) == prefix; }));
}

/// Events of `kind` (at `path`, if given) among `events`.
int countIn(const std::vector<Event>& events, EventKind kind, const std::string& path = {})
{
    return int(std::count_if(events.begin(), events.end(),
        [&](const Event& e) { return e.kind == kind && (path.empty() || e.path == path); }));
}

// -- processes --

/// Counts the plain messages it gets and checks they come in the order sent
/// (0, 1, 2, ...); opens `done` at the `expected`-th. A call answers the count.
struct FloodState {
    int expected = 0;
    std::atomic<int> received {0};
    std::atomic<bool> inOrder {true};
    Gate done;
};

class Counter : public GenServer {
public:
    explicit Counter(std::shared_ptr<FloodState> state)
        : m_state(std::move(state))
    {
    }
    Next handleInfo(const Info& info) override
    {
        if (info.kind != Info::Kind::Message) return Next::noreply();
        const int* value = std::any_cast<int>(&info.message);
        const int n = m_state->received.load();
        if (!value || *value != n) m_state->inOrder = false;
        m_state->received.store(n + 1);
        if (n + 1 == m_state->expected) m_state->done.open();
        return Next::noreply();
    }
    Next handleCall(const Term&, const From&) override { return Next::reply(m_state->received.load()); }

private:
    std::shared_ptr<FloodState> m_state;
};

/// A worker that does nothing: killed, it is simply gone.
class Idle : public GenServer { };

ChildSpec idleSpec(const std::string& id)
{
    ChildSpec spec;
    spec.id = id;
    spec.start = [] { return std::make_unique<Idle>(); };
    return spec;
}

/// Supervisors s<level>..s<levels> nested one in the other, with the worker "w" at the bottom.
ChildSpec chainSpec(int level, int levels)
{
    ChildSpec spec;
    spec.id = "s" + std::to_string(level);
    spec.type = ChildType::Supervisor;
    spec.start = [level, levels]() -> std::unique_ptr<GenServer> {
        std::vector<ChildSpec> children;
        children.push_back(level == levels ? idleSpec("w") : chainSpec(level + 1, levels));
        return std::make_unique<Supervisor>(SupervisorFlags {}, std::move(children));
    };
    return spec;
}

std::string chainPathStd(int levels, int upTo)
{
    return chainPath(levels, upTo).toStdString();
}

} // namespace

class TestHostile : public QObject {
    Q_OBJECT

private slots:
    // -- amounts: Money::parse --

    void amounts_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("accepted");
        QTest::addColumn<QString>("answer"); ///< accepted: the amount; refused: a phrase of the detail

        const QString range = QStringLiteral("out of range (the largest amount is 92233720368547758.07)");
        const QString nonAscii = QStringLiteral("non-ASCII character (only the digits 0-9 and '.' are allowed)");
        const QString grouping = QStringLiteral("',' is not allowed (no digit grouping");
        const QString sign = QStringLiteral("a sign is not allowed (amounts are magnitudes)");
        auto refused = [](const char* name, const QByteArray& text, const QString& phrase) {
            QTest::newRow(name) << text << false << phrase;
        };
        auto accepted = [](const char* name, const QByteArray& text, const char* amount) {
            QTest::newRow(name) << text << true << QString::fromLatin1(amount);
        };

        // Whitespace and separators
        refused("spaces only", "   ", "whitespace is not allowed");
        refused("grouping with decimals", "1,000.00", grouping);
        refused("grouping by space", "1 000.00", "whitespace is not allowed");
        refused("no-break space",
            "1\xC2\xA0"
            "000",
            nonAscii);
        refused("grouping by underscore", "1_000", "unexpected character '_' at position 2");
        refused("grouping by apostrophe", "1'000", "unexpected character ''' at position 2");
        refused("Arabic decimal separator",
            "1\xD9\xAB"
            "5",
            nonAscii);
        // Decimals
        refused("three decimals", "1.234", "more than two decimal places");
        refused("point last", "5.", "no digits after '.'");
        refused("point first", ".5", "no digits before '.'");
        refused("two points, no digits", "..", "more than one '.'");
        accepted("one zero decimal", "0.0", "0.00");
        // Signs
        refused("minus alone", "-", sign);
        refused("plus alone", "+", sign);
        refused("two minus signs", "--5", sign);
        refused("plus minus", "+-5", sign);
        refused("unicode minus sign",
            "\xE2\x88\x92"
            "5",
            nonAscii);
        refused("accounting parentheses", "(5)", "unexpected character '(' at position 1");
        refused("trailing plus", "5+", "unexpected character '+' at position 2");
        refused("sign after whitespace", " -5", "whitespace is not allowed");
        // Exponents and radixes
        refused("negative exponent", "1e-2", "exponent notation is not allowed");
        refused("exponent after decimals", "1.5e3", "exponent notation is not allowed");
        refused("exponent without mantissa", "e3", "unexpected character 'e' at position 1");
        refused("hex, capital", "0X1A", "unexpected character 'X' at position 2");
        refused("hex float", "0x1p3", "unexpected character 'x' at position 2");
        refused("binary", "0b101", "unexpected character 'b' at position 2");
        refused("octal", "0o17", "unexpected character 'o' at position 2");
        // Words
        refused("Infinity", "Infinity", "not a number");
        refused("-inf", "-inf", sign);
        refused("+NaN", "+NaN", sign);
        refused("NaN with payload", "nan(123)", "unexpected character 'n' at position 1");
        refused("null", "null", "not a number");
        refused("true", "true", "not a number");
        // Unicode digits and look-alikes
        refused("Devanagari digits", "\xE0\xA5\xA7\xE0\xA5\xA6\xE0\xA5\xA6", nonAscii);
        refused("mathematical bold digit (4 bytes)", "\xF0\x9D\x9F\x8F", nonAscii);
        refused("superscript two", "\xC2\xB2", nonAscii);
        refused("byte order mark first",
            "\xEF\xBB\xBF"
            "5",
            nonAscii);
        refused("zero-width space last", "5\xE2\x80\x8B", nonAscii);
        refused("invalid UTF-8", "\xFF", nonAscii);
        refused("overlong '5'", "\xC0\xB5", nonAscii);
        refused("lone continuation byte", "5\x80", nonAscii);
        // Control characters
        refused("NUL alone", QByteArray("\0", 1), "not a number");
        refused("NUL inside",
            QByteArray("1\0"
                       "00",
                4),
            "control character at position 2");
        refused("DEL",
            "\x7F"
            "5",
            "control character at position 1");
        refused("terminal escape", "\x1B[31m5", "control character at position 1");
        refused("carriage return", "5\r", "whitespace is not allowed");
        // Range
        refused("2^64 cents", "18446744073709551616", range);
        refused("2^63 whole units", "9223372036854775808.00", range);
        refused("many nines with decimals", "99999999999999999999.99", range);
        accepted("10^16", "10000000000000000", "10000000000000000.00");
        // Very long (1 MB): refused quickly, the message quoting 40 bytes
        refused("1 MB of digits", QByteArray(1 << 20, '9'), "\"" + QString(40, '9') + "...\": " + range);
        refused("1 and 1 MB of zeros", "1" + QByteArray(1 << 20, '0'), range);
        refused("1 MB of zeros", QByteArray(1 << 20, '0'), "leading zero");
        refused("1 MB of decimals", "0." + QByteArray(1 << 20, '0'), "more than two decimal places");
        refused("1 MB of points", QByteArray(1 << 20, '.'), "more than one '.'");
        refused("1 MB of spaces", QByteArray(1 << 20, ' '), "whitespace is not allowed");
        refused("1 MB of letters", QByteArray(1 << 20, 'a'), "not a number");
        refused("1 MB of digits, then a letter", QByteArray(1 << 20, '1') + "x",
            "unexpected character 'x' at position 1048577");
        refused("1 MB of Arabic-Indic digits", repeated("\xD9\xA1", 1 << 19), nonAscii);
        refused("1 MB of Arabic-Indic digits after a 5", "5" + repeated("\xD9\xA1", 1 << 19), nonAscii);
    }
    void amounts()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, accepted);
        QFETCH(QString, answer);
        const auto r = Money::parse(view(text));
        QCOMPARE(r.ok(), accepted);
        if (accepted) {
            QCOMPARE(qs(r->toString()), answer);
            return;
        }
        const std::string& detail = r.error().detail;
        QCOMPARE(r.error().code, Errc::InvalidAmount);
        QVERIFY2(qs(detail).contains(answer), detail.c_str());
        // Whatever the input, the message stays short and quotes it cut on a character boundary.
        QVERIFY2(detail.size() <= 160, qPrintable(QString::number(detail.size())));
        if (isUtf8(text.toStdString())) QVERIFY2(isUtf8(detail), detail.c_str());
    }

    // -- amounts: a donation step of a finance scenario --

    void amountsInADonationStep_data()
    {
        QTest::addColumn<QByteArray>("amount"); ///< raw bytes, written into the file as a JSON string
        QTest::addColumn<QString>("answer"); ///< a phrase of the step's answer

        const QString range = QStringLiteral("out of range");
        auto row = [](const char* name, const QByteArray& amount, const QString& phrase) {
            QTest::newRow(name) << amount << phrase;
        };
        row("empty", "", "\"\": empty amount");
        row("spaces", " 5 ", "whitespace is not allowed");
        row("minus", "-5", "a sign is not allowed");
        row("exponent", "1e3", "exponent notation is not allowed");
        row("hex", "0x10", "unexpected character 'x'");
        row("grouping", "1,000.00", "',' is not allowed");
        row("three decimals", "1.234", "more than two decimal places");
        row("point first", ".5", "no digits before '.'");
        row("point last", "5.", "no digits after '.'");
        row("one cent past the largest", "92233720368547758.08", range);
        row("NaN", "NaN", "not a number");
        row("inf", "inf", "not a number");
        row("Arabic-Indic digits", "\xD9\xA1\xD9\xA0\xD9\xA0", "non-ASCII character");
        row("embedded NUL",
            QByteArray("5\0"
                       "0",
                3),
            "control character at position 2");
        row("1 MB of digits", QByteArray(1 << 20, '1'), range);
        // Well-formed, refused by the tracker itself.
        row("zero", "0", "the amount must be positive, got 0.00");
        row("zero with decimals", "0.00", "the amount must be positive, got 0.00");
    }
    void amountsInADonationStep()
    {
        QFETCH(QByteArray, amount);
        QFETCH(QString, answer);
        const QByteArray json = R"({"tree": "finance", "steps": [{"do": "open_tracker", "user": "alice"},)"
                                R"( {"do": "donate", "user": "alice", "amount": )"
            + jsonString(amount) + R"(}, {"do": "total", "user": "alice"}]})";
        const auto scenario = parseScenario(view(json), "donate.json");
        QVERIFY2(scenario.ok(), scenario.ok() ? "" : scenario.error().detail.c_str());
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        Runtime rt;
        SessionOptions options;
        options.dataDir = tmp.filePath(QStringLiteral("data")).toStdString();
        const Played played = play(rt, *scenario, options);
        QVERIFY2(played.startError.isEmpty(), qPrintable(played.startError));
        QVERIFY(played.settled);
        QCOMPARE(played.outcomes.size(), 3);
        QCOMPARE(played.outcomes[0], QStringLiteral("ok: total 0.00"));
        QVERIFY2(
            played.outcomes[1].startsWith(QStringLiteral("failed: invalid_amount: ")), qPrintable(played.outcomes[1]));
        QVERIFY2(played.outcomes[1].contains(answer), qPrintable(played.outcomes[1]));
        QVERIFY2(played.outcomes[1].size() < 300, qPrintable(QString::number(played.outcomes[1].size())));
        // Nothing was counted: the tracker still answers, with the total it had.
        QCOMPARE(played.outcomes[2], QStringLiteral("ok: total 0.00"));
    }

    void donationOverflow()
    {
        // The largest amount is accepted; one cent more would wrap, and is refused instead.
        const QByteArray json = R"({"tree": "finance", "steps": [{"do": "open_tracker", "user": "alice"},)"
                                R"( {"do": "donate", "user": "alice", "amount": "92233720368547758.07"},)"
                                R"( {"do": "donate", "user": "alice", "amount": "0.01"},)"
                                R"( {"do": "total", "user": "alice"}]})";
        const auto scenario = parseScenario(view(json), "overflow.json");
        QVERIFY2(scenario.ok(), scenario.ok() ? "" : scenario.error().detail.c_str());
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        Runtime rt;
        SessionOptions options;
        options.dataDir = tmp.filePath(QStringLiteral("data")).toStdString();
        const Played played = play(rt, *scenario, options);
        QVERIFY2(played.startError.isEmpty(), qPrintable(played.startError));
        QCOMPARE(played.outcomes.size(), 4);
        QVERIFY2(played.outcomes[1].startsWith(QStringLiteral("ok: total 92233720368547758.07")),
            qPrintable(played.outcomes[1]));
        QCOMPARE(played.outcomes[2],
            QStringLiteral("failed: invalid_amount: overflow: 92233720368547758.07 + 0.01 is out of range"));
        QCOMPARE(played.outcomes[3], QStringLiteral("ok: total 92233720368547758.07"));
    }

    // -- scenario files: parseScenario --

    void scenarioText_data()
    {
        QTest::addColumn<QByteArray>("json"); ///< the file, or empty with `make` set
        QTest::addColumn<QString>("make"); ///< the name of a generated file (see generated())
        QTest::addColumn<QString>("field"); ///< the field the error names; empty: the file must parse
        QTest::addColumn<QString>("answer"); ///< a phrase of the error, or the parsed summary

        auto refused = [](const char* name, const QByteArray& json, const char* field, const QString& phrase) {
            QTest::newRow(name) << json << QString() << QString::fromUtf8(field) << phrase;
        };
        auto parses = [](const char* name, const QByteArray& json, const char* outcome) {
            QTest::newRow(name) << json << QString() << QString() << QString::fromUtf8(outcome);
        };
        auto big = [](const char* name, const char* field, const QString& answer) {
            QTest::newRow(name) << QByteArray() << QString::fromUtf8(name) << QString::fromUtf8(field) << answer;
        };
        const QString deep = QStringLiteral("nested too deeply (expected at most 208 levels of JSON)");
        const QString deepTree = QStringLiteral("nested too deeply (expected at most 100 levels)");

        // Huge: parsed, or refused for its size
        // (A tenth of the size in debug builds: see kShrink.)
        big("a million steps", "", QStringLiteral("nodes 2, depth 2, steps %1, description 0 bytes").arg(kManySteps));
        big("a 50 MB description", "",
            QStringLiteral("nodes 1, depth 1, steps 0, description %1 bytes").arg(kLongDescription));
        // The most values a file under the size limit holds: ~25 s each on a
        // loaded two-core machine, so they run when SC_HOSTILE_HUGE is set.
        big("3.5M tiny steps", "", "nodes 2, depth 2, steps 3500000, description 0 bytes");
        big("64 MiB of empty arrays", "description", "got an array (expected a string)");
        big("over 64 MiB", "top level", "larger than 64 MiB");
        big("10,000 wide", "", "nodes 10001, depth 2, steps 0, description 0 bytes");
        big("100,000 processes", "", "nodes 100000, depth 2, steps 0, description 0 bytes");
        const QString tooMany = QStringLiteral("one process too many (expected at most 100000 processes in a file");
        big("100,001 processes", "tree.children[99999]", tooMany);
        big("100,001 processes with start_child", "steps[1].child", tooMany);
        big("100,001 trackers", "steps[100000].user", tooMany);
        // Deeply nested: refused by a pre-scan before any recursion
        big("100,000 [", "[0][0][0]", deep);
        big("100,000 [ closed", "[0][0][0]", deep);
        big("100,000 {", "a.a.a.a", deep);
        big("100,000 [ as children", "tree.children[0][0]", deep);
        big("100,000 [ in a string", "", "nodes 1, depth 1, steps 0, description 100000 bytes");
        big("100 levels", "", "nodes 100, depth 100, steps 1, description 0 bytes");
        big("101 levels", "tree.children[0]", deepTree);
        big("start_child to level 100", "", "nodes 2, depth 2, steps 98, description 0 bytes");
        big("start_child to level 101", "steps[98].child", deepTree);
        // Deeper than the runtime's 1,024 threads: each level's orderly stop
        // blocks one, so such a tree could never be stopped.
        big("start_child 1,100 deep", "steps[98].child", deepTree);
        // Huge values in messages: named, quoted short
        big("1 MB step name", "steps[0].do", "unknown step \"kkkkkkkk");
        big("1 MB target", "steps[0].target", "no node has the path \"root/aaaa");
        big("1 MB key", "tree[\"kkkk", "unknown key in a node");
        // Refused for its length before its '/' is looked for (it was 4 GB of paths as a tree).
        big("1 MB id with a slash", "tree.children[0].id",
            "id of 1048577 bytes (expected a non-empty string of at most 255 bytes");
        big("1 MB reason", "", "nodes 2, depth 2, steps 1, description 0 bytes");
        big("1 MB number", "tree.intensity", "invalid JSON: number overflow parsing '99999");
        big("1 MB unterminated string", "line 1, column", "missing closing quote");

        // "Cyclic" by path: JSON is a tree, so the cycles a file can spell are
        // paths that name the same node twice or climb back up; none resolves.
        const QByteArray a
            = R"({"tree": {"id": "root", "children": [{"id": "a"}]}, "steps": [{"do": "kill", "target": )";
        refused("path climbing back with ..", a + R"("root/a/../a"}]})", "steps[0].target", "no node has the path");
        refused("path through itself", a + R"("root/a/a"}]})", "steps[0].target", "no node has the path \"root/a/a\"");
        refused("path naming the root twice", a + R"("root/root/a"}]})", "steps[0].target", "no node has the path");
        refused("empty path", a + R"(""}]})", "steps[0].target", "no node has the path \"\"");
        refused("trailing slash", a + R"("root/a/"}]})", "steps[0].target", "no node has the path");
        refused("double slash", a + "\"root//a\"}]}", "steps[0].target", "no node has the path");
        refused("absolute path", a + R"("/root/a"}]})", "steps[0].target", "no node has the path");
        refused("dot path", a + R"("./root/a"}]})", "steps[0].target", "no node has the path");
        refused("case differs", a + R"("ROOT/a"}]})", "steps[0].target", "no node has the path");
        refused("a worker's child", a + R"("root/a/x"}]})", "steps[0].target", "no node has the path");
        refused("duplicate ids at depth",
            R"({"tree": {"id": "r", "children": [{"id": "s", "type": "supervisor", "children": [{"id": "x"}, {"id": "x"}]}]}, "steps": []})",
            "tree.children[0].children[1].id", "duplicate id \"x\" among siblings");
        parses("child named like its parent",
            R"({"tree": {"id": "root", "children": [{"id": "root"}]}, "steps": [{"do": "kill", "target": "root/root"}]})",
            "nodes 2, depth 2, steps 1, description 0 bytes");
        parses("ids . and ..",
            R"({"tree": {"id": "root", "children": [{"id": "."}, {"id": ".."}]}, "steps": [{"do": "kill", "target": "root/.."}]})",
            "nodes 3, depth 2, steps 1, description 0 bytes");

        // Unknown steps
        refused("empty step name", a + R"("root/a"}, {"do": ""}]})", "steps[1].do", "unknown step \"\"");
        refused("step name in capitals", a + R"("root/a"}, {"do": "KILL", "target": "root/a"}]})", "steps[1].do",
            "unknown step \"KILL\"");
        refused("step name with a space", a + R"("root/a"}, {"do": "kill ", "target": "root/a"}]})", "steps[1].do",
            "unknown step \"kill \"");
        refused("step name with NUL", a + "\"root/a\"}, {\"do\": \"kill\\u0000\"}]}", "steps[1].do",
            "unknown step \"kill\\u0000\"");
        refused("step name in another script", a + "\"root/a\"}, {\"do\": \"\xD0\xBA\xD0\xB8\xD0\xBB\xD0\xBB\"}]}",
            "steps[1].do", "unknown step");

        // Bytes that are not JSON, or not UTF-8
        refused("whitespace only", " \n\t ", "line 2, column 3", "expected");
        refused("NUL first", QByteArray("\0{}", 3), "line 1, column 1", "invalid JSON");
        refused("NUL between tokens", QByteArray("{\"tree\":\0 {}}", 13), "line 1, column 9", "invalid JSON");
        refused("byte FF outside a string", "{\xFF}", "line 1, column 2", "invalid JSON");
        refused("Latin-1 in a string", "{\"tree\": {\"id\": \"caf\xE9\"}, \"steps\": []}", "line 1, column",
            "ill-formed UTF-8");
        refused("overlong '/' in a string", "{\"tree\": {\"id\": \"a\xC0\xAF\"}, \"steps\": []}", "line 1, column",
            "invalid JSON");
        refused("UTF-8 surrogate", "{\"tree\": {\"id\": \"\xED\xA0\x80\"}, \"steps\": []}", "line 1, column",
            "invalid JSON");
        refused(
            "lone surrogate escape", "{\"tree\": {\"id\": \"\\ud800\"}, \"steps\": []}", "line 1, column", "surrogate");
        refused("UTF-16 with BOM", QByteArray("\xFF\xFE{\0}\0", 6), "line 1, column 1", "invalid JSON");
        parses("UTF-8 BOM", "\xEF\xBB\xBF{\"tree\": {\"id\": \"root\"}, \"steps\": []}",
            "nodes 1, depth 1, steps 0, description 0 bytes");
        refused("NUL in an id",
            "{\"tree\": {\"id\": \"root\", \"children\": [{\"id\": \"a\\u0000b\"}]}, \"steps\": []}",
            "tree.children[0].id", "\"a\\u0000b\" contains a control character");
        refused("terminal escape in an id", "{\"tree\": {\"id\": \"\\u001b[31m\"}, \"steps\": []}", "tree.id",
            "contains a control character");
        // The shared text rule (core/text.h; every class in tst_text): C1,
        // the line separators and the bidi controls are refused in ids, users,
        // reasons and titles alike, and shown escaped in the message.
        const QByteArray node = R"({"tree": {"id": "root", "children": [{"id": )";
        refused("NEL (C1) in an id", node + "\"a\\u0085b\"}]}, \"steps\": []}", "tree.children[0].id",
            "\"a\\u0085b\" contains a control character");
        refused("CSI (C1) in an id", node + "\"\\u009b31m\"}]}, \"steps\": []}", "tree.children[0].id",
            "contains a control character");
        refused("right-to-left override in an id", node + "\"a\\u202Eb\"}]}, \"steps\": []}", "tree.children[0].id",
            "\"a\\u202eb\" contains a bidirectional control character");
        refused("line separator in an id", node + "\"a\\u2028b\"}]}, \"steps\": []}", "tree.children[0].id",
            "contains a line separator");
        refused("left-to-right isolate in a child's id",
            "{\"tree\": {\"id\": \"root\", \"type\": \"dynamic_supervisor\"}, \"steps\": [{\"do\": \"start_child\", "
            "\"target\": \"root\", \"child\": {\"id\": \"w\\u2066\"}}]}",
            "steps[0].child.id", "contains a bidirectional control character");
        refused("arabic letter mark in a terminate_child id",
            "{\"tree\": {\"id\": \"root\"}, \"steps\": [{\"do\": \"terminate_child\", \"target\": \"root\", "
            "\"id\": \"\\u061c\"}]}",
            "steps[0].id", "contains a bidirectional control character");
        refused("NEL in a stop reason",
            "{\"tree\": {\"id\": \"root\", \"children\": [{\"id\": \"a\"}]}, \"steps\": [{\"do\": \"stop\", "
            "\"target\": \"root/a\", \"reason\": \"x\\u0085\"}]}",
            "steps[0].reason", "contains a control character");
        refused("paragraph separator in a stop reason",
            "{\"tree\": {\"id\": \"root\", \"children\": [{\"id\": \"a\"}]}, \"steps\": [{\"do\": \"stop\", "
            "\"target\": \"root/a\", \"reason\": \"x\\u2029\"}]}",
            "steps[0].reason", "contains a paragraph separator");
        refused("right-to-left override in a user",
            "{\"tree\": \"finance\", \"steps\": [{\"do\": \"open_tracker\", \"user\": \"ann\\u202Egpj.exe\"}]}",
            "steps[0].user", "contains a bidirectional control character");
        refused("left-to-right mark in a user",
            "{\"tree\": \"finance\", \"steps\": [{\"do\": \"total\", \"user\": \"\\u200eann\"}]}", "steps[0].user",
            "contains a bidirectional control character");
        refused("CSI (C1) in a user",
            "{\"tree\": \"finance\", \"steps\": [{\"do\": \"balance\", \"user\": \"a\\u009b\"}]}", "steps[0].user",
            "contains a control character");
        refused("line separator in a title", "{\"title\": \"a\\u2028b\", \"tree\": {\"id\": \"root\"}, \"steps\": []}",
            "title", "contains a line separator");
        refused("pop directional isolate in a title",
            "{\"title\": \"a\\u2069\", \"tree\": {\"id\": \"root\"}, \"steps\": []}", "title",
            "contains a bidirectional control character");
        parses("names in other scripts",
            "{\"title\": \"Zo\xC3\xAB\", \"tree\": {\"id\": \"\xE7\x8E\x8B\xE8\x8A\xB3\", \"children\": [{\"id\": "
            "\"\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF\"}]}, \"steps\": [{\"do\": \"stop\", \"target\": "
            "\"\xE7\x8E\x8B\xE8\x8A\xB3/\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF\", \"reason\": \"Zo\xC3\xAB\"}]}",
            "nodes 2, depth 2, steps 1, description 0 bytes");
        parses("users in other scripts",
            "{\"tree\": \"finance\", \"steps\": [{\"do\": \"open_tracker\", \"user\": \"Zo\xC3\xAB\"}, "
            "{\"do\": \"total\", \"user\": \"\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF\"}, "
            "{\"do\": \"balance\", \"user\": \"\xE7\x8E\x8B\xE8\x8A\xB3\"}]}",
            "nodes 12, depth 3, steps 3, description 0 bytes");
        // Ids: 255 bytes at most (every descendant's path repeats them)
        parses("id of 255 bytes", node + "\"" + QByteArray(255, 'i') + "\"}]}, \"steps\": []}",
            "nodes 2, depth 2, steps 0, description 0 bytes");
        parses("id of 85 three-byte characters (255 bytes)",
            node + "\"" + repeated("\xE7\x8E\x8B", 85) + "\"}]}, \"steps\": []}",
            "nodes 2, depth 2, steps 0, description 0 bytes");
        refused("id of 256 bytes", node + "\"" + QByteArray(256, 'i') + "\"}]}, \"steps\": []}", "tree.children[0].id",
            "id of 256 bytes (expected a non-empty string of at most 255 bytes");
        // Paths: at most 1024 bytes (every process and its events keep its path)
        const QByteArray id255 = QByteArray(255, 'p');
        const QByteArray chain1023 = "{\"tree\": {\"id\": \"" + id255 + "\", \"children\": [{\"id\": \"" + id255
            + "\", \"type\": \"supervisor\", \"children\": [{\"id\": \"" + id255
            + "\", \"type\": \"supervisor\", \"children\": [{\"id\": \"" + id255;
        parses("path of 1023 bytes", chain1023 + "\"}]}]}]}, \"steps\": []}",
            "nodes 4, depth 4, steps 0, description 0 bytes");
        refused("path of 1025 bytes",
            chain1023 + "\", \"type\": \"supervisor\", \"children\": [{\"id\": \"a\"}]}]}]}]}, \"steps\": []}",
            "tree.children[0].children[0].children[0].children[0].id",
            "makes a path of 1025 bytes (expected a path (the ids from the root down, joined by '/') of at most 1024 "
            "bytes)");
        refused("path of 1025 bytes by start_child",
            "{\"tree\": {\"id\": \"" + id255 + "\", \"children\": [{\"id\": \"" + id255
                + "\", \"type\": \"dynamic_supervisor\"}]}, \"steps\": [{\"do\": \"start_child\", \"target\": \""
                + id255 + "/" + id255 + "\", \"child\": {\"id\": \"" + id255 + "\", \"type\": \"supervisor\", "
                + "\"children\": [{\"id\": \"" + id255 + "\", \"type\": \"supervisor\", "
                + "\"children\": [{\"id\": \"cc\"}]}]}}]}",
            "steps[0].child.children[0].children[0].id", "makes a path of 1026 bytes");
        refused("root id of 256 bytes", "{\"tree\": {\"id\": \"" + QByteArray(256, 'r') + "\"}, \"steps\": []}",
            "tree.id", "id of 256 bytes");
        refused("child id of 256 bytes in start_child",
            "{\"tree\": {\"id\": \"root\", \"type\": \"dynamic_supervisor\"}, \"steps\": [{\"do\": \"start_child\", "
            "\"target\": \"root\", \"child\": {\"id\": \""
                + QByteArray(256, 'c') + "\"}}]}",
            "steps[0].child.id", "id of 256 bytes");
        refused("restart_child id of 256 bytes",
            "{\"tree\": {\"id\": \"root\"}, \"steps\": [{\"do\": \"restart_child\", \"target\": \"root\", "
            "\"id\": \""
                + QByteArray(256, 'c') + "\"}]}",
            "steps[0].id", "id of 256 bytes");
        refused("NUL in a stop reason",
            "{\"tree\": {\"id\": \"root\", \"children\": [{\"id\": \"a\"}]}, \"steps\": [{\"do\": \"stop\", "
            "\"target\": \"root/a\", \"reason\": \"x\\u0000\"}]}",
            "steps[0].reason", "contains a control character");
        // The worker keys of issue 18: init, trap_exit, links
        refused("unknown init outcome",
            R"({"tree": {"id": "root", "children": [{"id": "a", "init": ["ok", "boom"]}]}, "steps": []})",
            "tree.children[0].init[1]", R"(got "boom" (expected one of "ok", "crash" or "ignore"))");
        refused("init not an array", R"({"tree": {"id": "root", "children": [{"id": "a", "init": "crash"}]}, "steps": []})",
            "tree.children[0].init", "expected an array of outcomes");
        refused("init on a supervisor",
            R"({"tree": {"id": "root", "children": [{"id": "s", "type": "supervisor", "init": ["crash"]}]}, "steps": []})",
            "tree.children[0].init", "not allowed on a supervisor");
        refused("trap_exit not a boolean",
            R"({"tree": {"id": "root", "children": [{"id": "a", "trap_exit": "false"}]}, "steps": []})",
            "tree.children[0].trap_exit", R"(got "false" (expected true or false))");
        refused("trap_exit a number", R"({"tree": {"id": "root", "children": [{"id": "a", "trap_exit": 0}]}, "steps": []})",
            "tree.children[0].trap_exit", "expected true or false");
        refused("link to a path not in the tree",
            R"({"tree": {"id": "root", "children": [{"id": "a", "links": ["root/b"]}]}, "steps": []})",
            "tree.children[0].links[0]", R"(no node has the path "root/b")");
        refused("link to itself",
            R"({"tree": {"id": "root", "children": [{"id": "a"}, {"id": "b", "links": ["root/a", "root/b"]}]}, "steps": []})",
            "tree.children[1].links[1]", "a link to the worker itself");
        refused("link not a string", R"({"tree": {"id": "root", "children": [{"id": "a", "links": [1]}]}, "steps": []})",
            "tree.children[0].links[0]", "expected the path of a node");
        parses("links to the root, a sibling and a start_child path",
            R"({"tree": {"id": "root", "children": [{"id": "d", "type": "dynamic_supervisor"},)"
            R"( {"id": "a", "init": ["crash", "ignore", "ok"], "trap_exit": false, "links": ["root", "root/d/w"]}]},)"
            R"( "steps": [{"do": "start_child", "target": "root/d", "child": {"id": "w", "links": ["root/a"]}}]})",
            "nodes 3, depth 2, steps 1, description 0 bytes");
        refused("comment", "{\"tree\": {\"id\": \"root\"}, // no\n \"steps\": []}", "line 1, column", "invalid JSON");
        refused("trailing comma", R"({"tree": {"id": "root"}, "steps": [],})", "line 1, column", "invalid JSON");
        refused("single quotes", "{'tree': {}}", "line 1, column 2", "invalid JSON");
        refused("NaN literal", R"({"tree": {"id": "root", "intensity": NaN}, "steps": []})", "line 1, column",
            "invalid JSON");
        refused(
            "two documents", R"({"tree": {"id": "root"}, "steps": []} {})", "line 1, column", "expected end of input");
    }
    void scenarioText()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, make);
        QFETCH(QString, field);
        QFETCH(QString, answer);
        if (!make.isEmpty()) {
            if ((make == QLatin1String("3.5M tiny steps") || make == QLatin1String("64 MiB of empty arrays"))
                && qEnvironmentVariableIsEmpty("SC_HOSTILE_HUGE"))
                QSKIP("a slow row: set SC_HOSTILE_HUGE=1 to run it");
            json = generated(make);
            QVERIFY2(!json.isEmpty(), qPrintable(make));
        }
        const bool peakKnown = resetPeakMemory();
        const qint64 before = statusKb("VmRSS:");
        const auto s = parseScenario(view(json), "case.json");
        const qint64 peak = statusKb("VmHWM:");
        const qint64 inputKb = json.size() / 1024;
        json.clear();
        if (inputKb >= 1024 && peakKnown && before > 0 && peak > 0) {
            qInfo("%lld KiB of input: resident memory grew by at most %lld KiB while parsing", inputKb, peak - before);
#if defined(NDEBUG)
            // Bounded: the DOM and the steps take about 20 bytes per byte of
            // input at worst (3.5M tiny steps); more means something grew per
            // step with the size of the file. (Release only: a sanitizer's
            // allocator keeps freed memory in quarantine.)
            QVERIFY2(peak - before <= 32 * inputKb + 64 * 1024, qPrintable(QString::number(peak - before)));
#endif
        }
        if (field.isEmpty()) {
            QVERIFY2(s.ok(), s.ok() ? "" : s.error().detail.c_str());
            QCOMPARE(summary(*s), answer);
            return;
        }
        QVERIFY2(!s.ok(), s.ok() ? qPrintable(summary(*s)) : "");
        QCOMPARE(s.error().code, Errc::BadArgument);
        const std::string& detail = s.error().detail;
        QVERIFY2(qs(detail).startsWith(QStringLiteral("case.json: ") + field), detail.substr(0, 300).c_str());
        QVERIFY2(qs(detail).contains(answer), detail.substr(0, 300).c_str());
        // One line of UTF-8, short whatever the input.
        QVERIFY(!qs(detail).contains(QLatin1Char('\n')));
        QVERIFY2(isUtf8(detail), detail.substr(0, 300).c_str());
        // (A 100-level field path alone is 1,200 bytes.)
        QVERIFY2(detail.size() <= 2000, qPrintable(QString::number(detail.size())));
    }

    /// Every field kind of the format, given every JSON type it does not take.
    void wrongTypes_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("answer");

        struct Field {
            const char* name; ///< as the error names it
            QByteArray file; ///< with @ where the value goes
            QList<QByteArray> wrong; ///< values it must refuse
        };
        const QByteArray node
            = R"({"tree": {"id": "root", "children": [{"id": "a"}, {"id": "pool", "type": "dynamic_supervisor"}]}, "steps": [)";
        const QByteArray fin = R"({"tree": "finance", "steps": [)";
        const QList<QByteArray> notString {"null", "true", "0", "1.5", "[]", "{}"};
        const QList<QByteArray> notInt {"null", "false", "\"5\"", "1.5", "[]", "{}", "-1", "2147483648",
            "9223372036854775808", "18446744073709551616", "-9223372036854775809", "1e2"};
        const QList<QByteArray> notEnum {"null", "true", "0", "1.5", "[]", "{}", "\"\"", "\"x\""};
        const QList<QByteArray> notArray {"null", "true", "0", "\"x\"", "{}"};
        const QList<QByteArray> notNode {"null", "true", "0", "\"x\"", "[]"};
        const QList<Field> fields {
            {"tree", R"({"tree": @, "steps": []})", {"null", "true", "0", "1.5", "[]", "\"\""}},
            {"steps", R"({"tree": {"id": "root"}, "steps": @})", notArray},
            {"tree.id", R"({"tree": {"id": @}, "steps": []})", notString},
            {"tree.type", R"({"tree": {"id": "root", "type": @}, "steps": []})", notEnum},
            {"tree.strategy", R"({"tree": {"id": "root", "strategy": @}, "steps": []})", notEnum},
            {"tree.intensity", R"({"tree": {"id": "root", "intensity": @}, "steps": []})", notInt},
            {"tree.period_ms", R"({"tree": {"id": "root", "period_ms": @}, "steps": []})", notInt},
            {"tree.max_children",
                R"({"tree": {"id": "root", "type": "dynamic_supervisor", "max_children": @}, "steps": []})", notInt},
            {"tree.children", R"({"tree": {"id": "root", "children": @}, "steps": []})", notArray},
            {"tree.children[0]", R"({"tree": {"id": "root", "children": [@]}, "steps": []})", notNode},
            {"tree.children[0].restart",
                R"({"tree": {"id": "root", "children": [{"id": "a", "restart": @}]}, "steps": []})", notEnum},
            {"tree.children[0].shutdown",
                R"({"tree": {"id": "root", "children": [{"id": "a", "shutdown": @}]}, "steps": []})",
                {"null", "true", "1.5", "-1", "2147483648", "[]", "{}", "\"\"", "\"5000\""}},
            {"tree.children[0].stop_delay_ms",
                R"({"tree": {"id": "root", "children": [{"id": "a", "stop_delay_ms": @}]}, "steps": []})", notInt},
            {"steps[0]", node + "@]}", {"null", "true", "0", "\"kill\"", "[]"}},
            {"steps[0].do", node + R"({"do": @}]})", notEnum},
            {"steps[0].target", node + R"({"do": "kill", "target": @}]})", notString},
            {"steps[0].reason", node + R"({"do": "stop", "target": "root/a", "reason": @}]})", notString},
            {"steps[0].child", node + R"({"do": "start_child", "target": "root/pool", "child": @}]})", notNode},
            {"steps[0].id", node + R"({"do": "terminate_child", "target": "root", "id": @}]})", notString},
            {"steps[0].ms", node + R"({"do": "sleep", "ms": @}]})", notInt},
            {"steps[0].count", node + R"({"do": "flood", "target": "root/a", "count": @}]})", notInt},
            {"steps[0].user", fin + R"({"do": "total", "user": @}]})", notString},
            {"steps[0].amount", fin + R"({"do": "donate", "user": "a", "amount": @}]})", notString},
            {"steps[0].wealth", fin + R"({"do": "zakat", "wealth": @}]})", notString},
            {"nisab", R"({"tree": "finance", "steps": [], "nisab": @})", notString},
            {"state_on_restart", R"({"tree": "finance", "steps": [], "state_on_restart": @})", notEnum},
            {"report_load_ms", R"({"tree": "finance", "steps": [], "report_load_ms": @})", notInt},
            {"title", R"({"tree": {"id": "root"}, "steps": [], "title": @})", notString},
            {"description", R"({"tree": {"id": "root"}, "steps": [], "description": @})", notString},
        };
        for (const Field& f : fields) {
            for (const QByteArray& value : f.wrong) {
                QByteArray json = f.file;
                json.replace('@', value);
                // What the message says of the value: its JSON, or what it is.
                QString phrase = value == "[]" ? QStringLiteral("got an array")
                    : value == "{}"            ? QStringLiteral("got an object")
                                               : QStringLiteral("got ") + QString::fromUtf8(value);
                if (value == "-1") phrase = QStringLiteral("-1 is negative");
                if (value == "2147483648" || value == "9223372036854775808") phrase = value + " is too large";
                if (value == "18446744073709551616") phrase = QStringLiteral("got 1.8446744073709552e+19");
                if (value == "-9223372036854775809") phrase = QStringLiteral("got -9.223372036854776e+18");
                if (value == "1e2") phrase = QStringLiteral("got 100.0");
                // Strings that are no step or tree are named as such.
                if (QByteArray(f.name) == "tree" && value.startsWith("\""))
                    phrase = QStringLiteral("unknown tree \"\"");
                if (QByteArray(f.name) == "steps[0].do" && value.startsWith("\""))
                    phrase = QStringLiteral("unknown step ") + QString::fromUtf8(value);
                const QByteArray name = QByteArray(f.name) + " = " + value;
                QTest::newRow(name.constData()) << json << QString::fromUtf8(f.name) << phrase;
            }
        }
    }
    void wrongTypes()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, field);
        QFETCH(QString, answer);
        const auto s = parseScenario(view(json), "case.json");
        QVERIFY2(!s.ok(), json.constData());
        QCOMPARE(s.error().code, Errc::BadArgument);
        const QString detail = qs(s.error().detail);
        QVERIFY2(detail.startsWith(QStringLiteral("case.json: ") + field + QStringLiteral(": ")), qPrintable(detail));
        QVERIFY2(detail.contains(answer), qPrintable(detail));
        QVERIFY2(detail.contains(QStringLiteral("(expected ")), qPrintable(detail));
    }

    void everyTruncation()
    {
        // Every proper prefix of a valid file is refused with the position
        // where the JSON stops making sense, never parsed and never a crash.
        QFile file(QStringLiteral(SC_TEST_DATA_DIR "/hostile/valid.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray json = file.readAll().trimmed();
        QVERIFY2(parseScenario(view(json), "valid.json").ok(), "the uncut file must parse");
        for (qsizetype cut = 0; cut < json.size(); ++cut) {
            const QByteArray prefix = json.left(cut);
            const auto s = parseScenario(view(prefix), "cut.json");
            QVERIFY2(!s.ok(), prefix.constData());
            const QString detail = qs(s.error().detail);
            QVERIFY2(detail.startsWith(QStringLiteral("cut.json: line ")), qPrintable(detail));
            QVERIFY2(detail.contains(QStringLiteral("invalid JSON")), qPrintable(detail));
        }
    }

    // -- scenario files: loadScenario --

    void scenarioFile_data()
    {
        QTest::addColumn<QString>("kind"); ///< "file" (written from `content`), "missing", "directory", "device"
        QTest::addColumn<QByteArray>("content"); ///< the file's bytes, or the device's path
        QTest::addColumn<sc::Errc>("code");
        QTest::addColumn<QString>("answer");

        QTest::newRow("missing file") << "missing" << QByteArray() << Errc::NotFound
                                      << "cannot read: No such file or directory";
        // Only regular files: a FIFO would block in open (a device or a
        // directory is refused the same way, without reading it).
        QTest::newRow("directory") << "directory" << QByteArray() << Errc::NotFound
                                   << "cannot read: not a regular file";
        QTest::newRow("FIFO with no writer")
            << "fifo" << QByteArray() << Errc::NotFound << "cannot read: not a regular file";
        QTest::newRow("empty file") << "file" << QByteArray() << Errc::BadArgument << "line 1, column 1: invalid JSON";
        QTest::newRow("/dev/null") << "device" << QByteArray("/dev/null") << Errc::NotFound
                                   << "cannot read: not a regular file";
        QTest::newRow("/dev/zero (endless)")
            << "device" << QByteArray("/dev/zero") << Errc::NotFound << "cannot read: not a regular file";
        QTest::newRow("65 MiB file") << "file" << QByteArray(65 << 20, ' ') << Errc::NotFound
                                     << "cannot read: larger than 64 MiB";
        QTest::newRow("non-UTF-8 file") << "file" << QByteArray("{\"tree\": {\"id\": \"\xFC\xBE\"}, \"steps\": []}")
                                        << Errc::BadArgument << "invalid JSON";
        QTest::newRow("truncated file") << "file" << QByteArray("{\"tree\": {\"id\": \"root\"}, \"ste")
                                        << Errc::BadArgument << "line 1, column";
    }
    void scenarioFile()
    {
        QFETCH(QString, kind);
        QFETCH(QByteArray, content);
        QFETCH(sc::Errc, code);
        QFETCH(QString, answer);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QString path = tmp.filePath(QStringLiteral("s.json"));
        if (kind == QLatin1String("file")) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QCOMPARE(file.write(content), content.size());
        } else if (kind == QLatin1String("directory")) {
            QVERIFY(QDir(tmp.path()).mkdir(QStringLiteral("s.json")));
        } else if (kind == QLatin1String("fifo")) {
            QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
        } else if (kind == QLatin1String("device")) {
            path = QString::fromUtf8(content);
        }
        const auto s = loadScenario(path.toStdString());
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, code);
        const QString detail = qs(s.error().detail);
        QVERIFY2(detail.startsWith(path + QStringLiteral(": ")), qPrintable(detail));
        QVERIFY2(detail.contains(answer), qPrintable(detail));
        QVERIFY2(detail.size() < 300, qPrintable(detail));
    }

    // -- what a file may cost: every step bounded, floods and the trace capped --

    /// A step that waits on a hung process (or a terminate as long as
    /// shutdown: infinity allows) ends the run with exit 1 after the step
    /// bound, naming the step; its step line is in the trace.
    void stepBound_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("step"); ///< "steps[N] (name)"
        const QByteArray tree = R"({"tree": {"id": "root", "children": [{"id": "a"},)"
                                R"( {"id": "w", "shutdown": "infinity"},)"
                                R"( {"id": "slow", "shutdown": "infinity", "stop_delay_ms": 30000},)"
                                R"( {"id": "pool", "type": "dynamic_supervisor"}]}, "steps": [)";
        QTest::newRow("stop_tree on a hung root") << tree + R"({"do": "hang", "target": "root"}, {"do": "stop_tree"}]})"
                                                  << "steps[1] (stop_tree)";
        QTest::newRow("terminate_child of a hung worker with shutdown infinity")
            << tree + R"({"do": "hang", "target": "root/w"}, {"do": "terminate_child", "target": "root", "id": "w"}]})"
            << "steps[1] (terminate_child)";
        QTest::newRow("terminate_child of a 30 s terminate with shutdown infinity")
            << tree + R"({"do": "terminate_child", "target": "root", "id": "slow"}]})"
            << "steps[0] (terminate_child)";
        QTest::newRow("restart_child on a hung supervisor")
            << tree + R"({"do": "hang", "target": "root"}, {"do": "restart_child", "target": "root", "id": "a"}]})"
            << "steps[1] (restart_child)";
        QTest::newRow("start_child on a hung dynamic supervisor") << tree
                + R"({"do": "hang", "target": "root/pool"}, {"do": "start_child", "target": "root/pool", "child": {"id": "x"}}]})"
                                                                  << "steps[1] (start_child)";
        QTest::newRow("stop of a hung finance service")
            << QByteArray(R"({"tree": "finance", "steps": [{"do": "hang", "target": "finance/core/donation_pool"},)"
                          R"( {"do": "stop", "target": "finance/core/donation_pool", "reason": "shutdown"}]})")
            << "steps[1] (stop)";
        QTest::newRow("finance call to a hung service") << QByteArray(
            R"({"tree": "finance", "steps": [{"do": "hang", "target": "finance/core/donation_pool"},)"
            R"( {"do": "pool_total"}]})") << "steps[1] (pool_total)";
    }
    void stepBound()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, step);
        const auto scenario = parseScenario(view(json), "bound.json");
        QVERIFY2(scenario.ok(), scenario.ok() ? "" : scenario.error().detail.c_str());
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        std::ostringstream trace;
        RunOptions options;
        options.trace = &trace;
        options.stepTimeout = std::chrono::milliseconds(500);
        options.dataDir = tmp.filePath(QStringLiteral("data")).toStdString();
        QCOMPARE(runScenario(*scenario, options), 1);

        const QList<QByteArray> lines = QByteArray::fromStdString(trace.str()).trimmed().split('\n');
        QVERIFY(lines.size() >= 2);
        // The step is the last one begun, and a log line says it did not finish.
        const QString stepName = step.section(QLatin1Char('('), 1).chopped(1);
        QJsonObject lastStep;
        for (const QByteArray& line : lines) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            QVERIFY2(!o.isEmpty(), line.constData());
            if (o.value(QStringLiteral("event")).toString() == QLatin1String("step")) lastStep = o;
        }
        QCOMPARE(lastStep.value(QStringLiteral("do")).toString(), stepName);
        const QJsonObject last = QJsonDocument::fromJson(lines.last()).object();
        QCOMPARE(last.value(QStringLiteral("event")).toString(), QStringLiteral("log"));
        QCOMPARE(
            last.value(QStringLiteral("message")).toString(), step + QStringLiteral(" did not finish within 500 ms"));
    }

    /// The step line is written before the step runs (a step that never
    /// returned used to leave no trace of itself).
    void stepLineBeforeTheStep()
    {
        const auto scenario
            = parseScenario(R"({"tree": {"id": "root"}, "steps": [{"do": "sleep", "ms": 60000}]})", "sleep.json");
        QVERIFY(scenario.ok());
        Runtime rt(RuntimeOptions {2});
        LockedTrace trace;
        ScenarioSession session(rt, *scenario, {.trace = &trace.stream});
        QVERIFY(session.startTree().ok());
        QVERIFY(session.settle());
        std::atomic<bool> done {false};
        std::thread stepping([&] {
            session.perform(0);
            done = true;
        });
        // However the test ends, the sleep returns at once (cancel) and the thread is joined.
        const auto finish = qScopeGuard([&] {
            session.cancel();
            stepping.join();
        });
        // While the minute's sleep runs, its step line is already there.
        QTRY_VERIFY_WITH_TIMEOUT(trace.text().contains("\"event\":\"step\",\"do\":\"sleep\"}"), int(kLong.count()));
        QVERIFY(!done);
    }

    /// Floods may leave at most floodLimit messages queued (a hung process keeps them all).
    void floodQueued()
    {
        const QByteArray json = R"({"tree": {"id": "root", "children": [{"id": "a"}]}, "steps": [)"
                                R"({"do": "hang", "target": "root/a"},)"
                                R"( {"do": "flood", "target": "root/a", "count": 6},)"
                                R"( {"do": "flood", "target": "root/a", "count": 5},)"
                                R"( {"do": "flood", "target": "root", "count": 4},)"
                                R"( {"do": "flood", "target": "root/a", "count": 4},)"
                                R"( {"do": "flood", "target": "root/a", "count": 1},)"
                                R"( {"do": "kill", "target": "root/a"},)"
                                R"( {"do": "flood", "target": "root/a", "count": 10}]})";
        const auto scenario = parseScenario(view(json), "floods.json");
        QVERIFY(scenario.ok());
        Runtime rt(RuntimeOptions {2});
        SessionOptions options;
        options.floodLimit = 10;
        const Played played = play(rt, *scenario, options);
        QVERIFY(played.settled);
        const QString refused = QStringLiteral("failed: flood refused: %1 messages are queued, and %2 more to root/a "
                                               "would make 11, beyond the at most 10 floods may leave queued");
        QCOMPARE(played.outcomes,
            (QStringList {QStringLiteral("ok: hang requested"), QStringLiteral("ok: sent 6 messages"),
                refused.arg(6).arg(5),
                // root handles its 4 before the next step: only the hung process's 6 stay queued
                QStringLiteral("ok: sent 4 messages"), QStringLiteral("ok: sent 4 messages"), refused.arg(10).arg(1),
                // the kill frees the hung process's 10; the new one takes and handles 10 more
                QStringLiteral("ok: killed"), QStringLiteral("ok: sent 10 messages")}));
        QCOMPARE(rowOf(rt, pidAt(rt, played.root, "a"))->mailbox, 0u);
        QVERIFY(played.session->stopTree(kLong));
    }

    /// The default: a million messages queued, as many as one flood step may send.
    void floodQueuedDefault()
    {
        QCOMPARE(SessionOptions {}.floodLimit, std::int64_t(kMaxFloodCount));
        QCOMPARE(RunOptions {}.floodLimit, kMaxFloodQueued);
    }

    void traceBound()
    {
        QByteArray json = R"({"tree": {"id": "root", "children": [{"id": "a"}]}, "steps": [)";
        for (int i = 0; i < 100; ++i)
            json += QByteArray(i ? ", " : "") + R"({"do": "kill", "target": "root/a"})";
        json += "]}";
        const auto scenario = parseScenario(view(json), "kills.json");
        QVERIFY(scenario.ok());
        for (const std::uint64_t limit : {std::uint64_t(2000), std::uint64_t(2111), std::uint64_t(100)}) {
            std::ostringstream trace;
            RunOptions options;
            options.trace = &trace;
            options.traceLimit = limit;
            QCOMPARE(runScenario(*scenario, options), 1);
            const QByteArray text = QByteArray::fromStdString(trace.str());
            QVERIFY(text.endsWith('\n'));
            const QList<QByteArray> lines = text.chopped(1).split('\n');
            // Whole lines only, the last saying the trace was cut; within the limit unless the limit
            // cannot hold even that line.
            for (const QByteArray& line : lines)
                QVERIFY2(QJsonDocument::fromJson(line).isObject(), line.constData());
            const QJsonObject last = QJsonDocument::fromJson(lines.last()).object();
            QCOMPARE(last.value(QStringLiteral("event")).toString(), QStringLiteral("trace_cut"));
            QCOMPARE(last.value(QStringLiteral("limit")).toInteger(), qint64(limit));
            if (limit >= 2000) {
                QVERIFY2(std::uint64_t(text.size()) <= limit, qPrintable(QString::number(text.size())));
                QVERIFY(lines.size() > 10);
            } else {
                QCOMPARE(lines.size(), 1);
            }
        }
    }

    /// The finance services apply the shared rule to user names themselves
    /// (the window's console and other callers do not go through a file).
    void financeUserNames_data()
    {
        QTest::addColumn<QByteArray>("user");
        QTest::addColumn<QString>("problem"); ///< empty: accepted (the call goes on, and finds no service)
        QTest::newRow("right-to-left override")
            << QByteArray("ann\xE2\x80\xAEgpj.exe") << "U+202E RIGHT-TO-LEFT OVERRIDE at byte 4";
        QTest::newRow("NEL") << QByteArray("ann\xC2\x85") << "U+0085 NEXT LINE at byte 4";
        QTest::newRow("CSI") << QByteArray("\xC2\x9B"
                                           "31m")
                             << "U+009B CONTROL SEQUENCE INTRODUCER at byte 1";
        QTest::newRow("line separator") << QByteArray("a\xE2\x80\xA8") << "U+2028 LINE SEPARATOR at byte 2";
        QTest::newRow("first strong isolate") << QByteArray("\xE2\x81\xA8"
                                                            "bob")
                                              << "U+2068 FIRST STRONG ISOLATE at byte 1";
        QTest::newRow("invalid UTF-8") << QByteArray("b\xFFob") << "invalid UTF-8 (0xFF) at byte 2";
        QTest::newRow("tab") << QByteArray("a\tb") << "U+0009 CHARACTER TABULATION at byte 2";
        QTest::newRow("Zoë") << QByteArray("Zo\xC3\xAB") << QString();
        QTest::newRow("محمد") << QByteArray("\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF") << QString();
        QTest::newRow("王芳") << QByteArray("\xE7\x8E\x8B\xE8\x8A\xB3") << QString();
    }
    void financeUserNames()
    {
        QFETCH(QByteArray, user);
        QFETCH(QString, problem);
        Runtime rt(RuntimeOptions {1});
        finance::FinanceClient client(rt, std::chrono::milliseconds(100));
        const std::string name = user.toStdString();
        for (const auto& answer : {client.balance(name), client.openTracker(name), client.poolAdd(name, Money())}) {
            QVERIFY(!answer.ok());
            if (problem.isEmpty()) {
                QVERIFY2(answer.error().code != Errc::BadArgument, answer.error().detail.c_str());
            } else {
                QCOMPARE(answer.error().code, Errc::BadArgument);
                QVERIFY2(qs(answer.error().detail).endsWith(problem), answer.error().detail.c_str());
            }
        }
    }

    // -- scenarios that parse, played: paths that look cyclic, targets gone --

    void pathsPlayed_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QStringList>("outcomes"); ///< a prefix of each step's outcome
        QTest::addColumn<int>("processes"); ///< in the tree afterwards

        QTest::newRow("child named like its parent") << QByteArray(
            R"({"tree": {"id": "root", "children": [{"id": "root"}]},)"
            R"( "steps": [{"do": "kill", "target": "root/root"}, {"do": "kill", "target": "root/root"}]})")
                                                     << QStringList {"ok: killed", "ok: killed"} << 2;
        QTest::newRow("ids . and ..") << QByteArray(
            R"({"tree": {"id": "root", "children": [{"id": "."}, {"id": ".."}]},)"
            R"( "steps": [{"do": "kill", "target": "root/.."}, {"do": "kill", "target": "root/."}]})")
                                      << QStringList {"ok: killed", "ok: killed"} << 3;
        // U+00E4, a space, U+1F642 (four bytes) and an escaped quote.
        QTest::newRow("ids in other scripts, with spaces and quotes")
            << QByteArray(
                   "{\"tree\": {\"id\": \"root\", \"children\": [{\"id\": \"\xC3\xA4 b\"}, {\"id\": "
                   "\"\xF0\x9F\x99\x82\\\"\"}]}, \"steps\": [{\"do\": \"kill\", \"target\": \"root/\xC3\xA4 b\"}, "
                   "{\"do\": \"crash\", \"target\": \"root/\xF0\x9F\x99\x82\\\"\"}]}")
            << QStringList {"ok: killed", "ok: crash requested"} << 3;
        QTest::newRow("dynamic supervisors named like their parent") << QByteArray(
            R"({"tree": {"id": "root", "children": [{"id": "pool", "type": "dynamic_supervisor"}]}, "steps": [)"
            R"({"do": "start_child", "target": "root/pool", "child": {"id": "pool", "type": "dynamic_supervisor"}},)"
            R"({"do": "start_child", "target": "root/pool/pool", "child": {"id": "pool"}},)"
            R"({"do": "kill", "target": "root/pool/pool/pool"},)"
            R"({"do": "kill", "target": "root/pool/pool"}]})")
                                                                     << QStringList {"ok: started", "ok: started",
                                                                            "ok: killed", "ok: killed"}
                                                                     << 3;
        QTest::newRow("two children with one id") << QByteArray(
            R"({"tree": {"id": "root", "children": [{"id": "pool", "type": "dynamic_supervisor"}]}, "steps": [)"
            R"({"do": "start_child", "target": "root/pool", "child": {"id": "w", "restart": "temporary"}},)"
            R"({"do": "start_child", "target": "root/pool", "child": {"id": "w", "restart": "temporary"}},)"
            R"({"do": "kill", "target": "root/pool/w"}, {"do": "kill", "target": "root/pool/w"},)"
            R"({"do": "kill", "target": "root/pool/w"}]})")
                                                  << QStringList {"ok: started", "ok: started", "ok: killed",
                                                         "ok: killed", "failed: root/pool/w is not alive; nothing done"}
                                                  << 2;
        QTest::newRow("targets gone or never there")
            << QByteArray(R"({"tree": {"id": "root", "children": [{"id": "t", "restart": "temporary"}]}, "steps": [)"
                          R"({"do": "kill", "target": "root/t"}, {"do": "crash", "target": "root/t"},)"
                          R"({"do": "restart_child", "target": "root", "id": "t"},)"
                          R"({"do": "terminate_child", "target": "root", "id": "nobody"}]})")
            << QStringList {"ok: killed", "failed: root/t is not alive; nothing done", "failed: not_found",
                   "failed: not_found"}
            << 1;
    }
    void pathsPlayed()
    {
        QFETCH(QByteArray, json);
        QFETCH(QStringList, outcomes);
        QFETCH(int, processes);
        const auto scenario = parseScenario(view(json), "paths.json");
        QVERIFY2(scenario.ok(), scenario.ok() ? "" : scenario.error().detail.c_str());
        Runtime rt;
        const Played played = play(rt, *scenario);
        QVERIFY2(played.startError.isEmpty(), qPrintable(played.startError));
        QVERIFY(played.settled);
        QCOMPARE(played.outcomes.size(), outcomes.size());
        for (int i = 0; i < outcomes.size(); ++i)
            QVERIFY2(played.outcomes[i].startsWith(outcomes[i]), qPrintable(played.outcomes[i]));
        // The root itself was never hit, whatever the paths looked like.
        QVERIFY(rt.isAlive(played.root));
        QCOMPARE(rowOf(rt, played.root)->restarts, 0u);
        QCOMPARE(int(rt.processCount()), processes);
        QVERIFY(played.session->stopTree(kLong));
        QCOMPARE(int(rt.processCount()), 0);
    }

    // -- a million messages into one process --

    void flood()
    {
        constexpr int kMessages = 1000000;
        Runtime rt(RuntimeOptions {2});
        auto state = std::make_shared<FloodState>();
        state->expected = kMessages;
        const auto pid = rt.spawn(std::make_unique<Counter>(state));
        QVERIFY(pid.ok());

        // Paused, so that the snapshot sees every message queued at once.
        rt.setPaused(true);
        for (int i = 0; i < kMessages; ++i)
            rt.send(*pid, i);
        const auto queued = rowOf(rt, *pid);
        QVERIFY(queued);
        QCOMPARE(queued->mailbox, std::uint32_t(kMessages));
        QCOMPARE(state->received.load(), 0);

        rt.setPaused(false);
        QVERIFY2(state->done.wait(kLong * 6), qPrintable(QString::number(state->received.load())));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(state->received.load(), kMessages);
        QVERIFY(state->inOrder.load());
        const auto drained = rowOf(rt, *pid);
        QVERIFY(drained);
        QCOMPARE(drained->mailbox, 0u);
        QVERIFY(drained->handled >= std::uint64_t(kMessages));
        // Still serving.
        const auto answer = rt.call(*pid, msg("count"), kLong);
        QVERIFY(answer.ok());
        QCOMPARE(intOf(*answer), kMessages);
    }

    void floodStep()
    {
        // The scenario's own flood step at its largest (see kFloodStep), into a scenario worker.
        const QByteArray json = R"({"tree": {"id": "root", "children": [{"id": "a"}]},)"
                                R"( "steps": [{"do": "flood", "target": "root/a", "count": )"
            + QByteArray::number(kFloodStep) + "}]}";
        const auto scenario = parseScenario(view(json), "flood.json");
        QVERIFY2(scenario.ok(), scenario.ok() ? "" : scenario.error().detail.c_str());
        Runtime rt(RuntimeOptions {2});
        const Played played = play(rt, *scenario);
        QVERIFY2(played.startError.isEmpty(), qPrintable(played.startError));
        QVERIFY(played.settled);
        QCOMPARE(played.outcomes, QStringList {QStringLiteral("ok: sent %1 messages").arg(kFloodStep)});
        const Pid a = pidAt(rt, played.root, "a");
        QVERIFY(a);
        const auto row = rowOf(rt, a);
        QVERIFY(row);
        QCOMPARE(row->mailbox, 0u);
        QVERIFY(row->handled >= std::uint64_t(kFloodStep));
        QCOMPARE(row->restarts, 0u);
        QVERIFY(played.session->stopTree(kLong));
        QCOMPARE(int(rt.processCount()), 0);
    }

    // -- trees 10,000 wide and 100 deep --

    void wideTree()
    {
        constexpr int kWidth = 10000;
        Runtime rt;
        EventLog log(rt);
        std::vector<ChildSpec> children;
        for (int i = 0; i < kWidth; ++i)
            children.push_back(idleSpec("w" + std::to_string(i)));
        const auto root = startSupervisor(rt, "wide", SupervisorFlags {}, std::move(children));
        QVERIFY2(root.ok(), root.ok() ? "" : root.error().toString().c_str());
        QCOMPARE(countUnder(rt, "wide"), kWidth + 1);
        const auto counts = countChildren(rt, *root);
        QVERIFY(counts.ok());
        QCOMPARE(counts->active, kWidth);

        // A kill in the middle and one at the end: each restarted in place, once.
        for (const char* id : {"w5000", "w9999"}) {
            const Pid old = childPid(rt, *root, id);
            QVERIFY(old);
            rt.kill(old);
            const std::string path = std::string("wide/") + id;
            QVERIFY(
                log.waitUntil([&](const std::vector<Event>& v) { return countIn(v, EventKind::Start, path) == 2; }));
            const Pid fresh = childPid(rt, *root, id);
            QVERIFY(fresh && fresh != old);
        }
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(countUnder(rt, "wide"), kWidth + 1);
        QCOMPARE(log.countKind(EventKind::Restart), 2);
        QCOMPARE(rowOf(rt, *root)->restarts, 0u);

        QVERIFY(rt.stop(*root, ExitReason::shutdown(), kLong * 3));
        QCOMPARE(int(rt.processCount()), 0);
        QVERIFY(log.waitUntil([&](const std::vector<Event>& v) { return countIn(v, EventKind::Exit) == kWidth + 3; }));
    }

    void deepTree()
    {
        constexpr int kLevels = 100; // supervisors s1 ... s100, the worker w under s100
        Runtime rt;
        EventLog log(rt);
        ChildSpec top = chainSpec(2, kLevels);
        std::vector<ChildSpec> children;
        children.push_back(std::move(top));
        const auto root = startSupervisor(rt, "s1", SupervisorFlags {}, std::move(children));
        QVERIFY2(root.ok(), root.ok() ? "" : root.error().toString().c_str());
        QCOMPARE(int(rt.processCount()), kLevels + 1);
        const std::string bottom = chainPathStd(kLevels, kLevels + 1);
        QVERIFY(log.find(EventKind::Start, bottom));

        // A kill at the bottom: its supervisor restarts the worker alone.
        const Pid worker = pidAt(rt, *root, bottom.substr(3));
        QVERIFY(worker);
        rt.kill(worker);
        QVERIFY(log.waitUntil([&](const std::vector<Event>& v) { return countIn(v, EventKind::Start, bottom) == 2; }));

        // A kill in the middle: s50 is restarted by s49 with everything below it.
        const std::string middle = chainPathStd(kLevels, 50);
        const Pid mid = pidAt(rt, *root, middle.substr(3));
        QVERIFY(mid);
        rt.kill(mid);
        QVERIFY(log.waitUntil([&](const std::vector<Event>& v) { return countIn(v, EventKind::Start, bottom) == 3; }));
        QVERIFY(rt.waitQuiescent(kLong));
        QCOMPARE(log.countKind(EventKind::Start, middle), 2);
        QCOMPARE(log.countKind(EventKind::Start, chainPathStd(kLevels, 49)), 1);
        QCOMPARE(int(rt.processCount()), kLevels + 1);

        QVERIFY(rt.stop(*root, ExitReason::shutdown(), kLong * 3));
        QCOMPARE(int(rt.processCount()), 0);
    }

    void runtimeEndsWithTreesLive()
    {
        // Both trees at once, left running: the Runtime's destructor ends
        // them, and this test returning is the proof that nothing hangs.
        auto rt = std::make_unique<Runtime>();
        std::vector<ChildSpec> children;
        for (int i = 0; i < 10000; ++i)
            children.push_back(idleSpec("w" + std::to_string(i)));
        QVERIFY(startSupervisor(*rt, "wide", SupervisorFlags {}, std::move(children)).ok());
        std::vector<ChildSpec> chain;
        chain.push_back(chainSpec(2, 100));
        QVERIFY(startSupervisor(*rt, "s1", SupervisorFlags {}, std::move(chain)).ok());
        QCOMPARE(int(rt->processCount()), 10001 + 101);
        rt.reset();
    }

    void treesFromScenarioFiles_data()
    {
        QTest::addColumn<QString>("make");
        QTest::addColumn<QStringList>("kills");
        QTest::addColumn<int>("processes");
        QTest::newRow("10,000 wide (a tenth in debug builds)")
            << "wide, to play"
            << QStringList {QStringLiteral("root/w%1").arg(kPlayedWidth / 2),
                   QStringLiteral("root/w%1").arg(kPlayedWidth - 1)}
            << kPlayedWidth + 1;
        QTest::newRow("100 levels") << "100 levels" << QStringList {QString::fromUtf8(chainPath(99, 50))} << 100;
    }
    void treesFromScenarioFiles()
    {
        QFETCH(QString, make);
        QFETCH(QStringList, kills);
        QFETCH(int, processes);
        QByteArray json = generated(make);
        // Append the kills as steps (the 100-level file already kills its bottom worker).
        json.chop(2);
        for (const QString& target : kills)
            json += QByteArray(json.endsWith("[") ? "" : ",") + "{\"do\": \"kill\", \"target\": \"" + target.toUtf8()
                + "\"}";
        json += "]}";
        const auto scenario = parseScenario(view(json), "tree.json");
        QVERIFY2(scenario.ok(), scenario.ok() ? "" : scenario.error().detail.c_str());
        Runtime rt;
        EventLog log(rt);
        const Played played = play(rt, *scenario);
        QVERIFY2(played.startError.isEmpty(), qPrintable(played.startError));
        QVERIFY(played.settled);
        for (const QString& outcome : played.outcomes)
            QCOMPARE(outcome, QStringLiteral("ok: killed"));
        QCOMPARE(int(rt.processCount()), processes);
        QCOMPARE(log.countKind(EventKind::Restart), int(played.outcomes.size()));
        QCOMPARE(rowOf(rt, played.root)->restarts, 0u);
        QVERIFY(played.session->stopTree(kLong * 3));
        QCOMPARE(int(rt.processCount()), 0);
    }
};

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
