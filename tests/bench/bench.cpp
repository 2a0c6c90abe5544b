// supervision-bench: speed and memory figures for the runtime, printed as one
// JSON object per line per workload (or, with --table, as a table). Built
// with the project, never run as a test.
//   supervision-bench [--workers N] [--poll-hz HZ] [--idle N] [--json|--table] [WORKLOAD ...]
// Workloads: pingpong, fanin_1, fanin_2, fanin_100, call_1, call_16,
// call_1000, call_block_1, call_block_16, spawn_exit, restart,
// snapshot_100000, idle_1000000, ledger_durable, gui_tick_10000 (when built
// with the UI). All but call_block_*, ledger_durable and gui_tick_10000 are
// defined as in the BEAM side (beam_bench.exs in the shared anchors;
// idle_1000000 in tests/bench/beam_memory.exs): same names, sizes and what
// is timed, so that tests/bench/side_by_side.sh can put the two next to each
// other. A call_* client waits for each answer before its next call, as
// GenServer.call does; it asks with Runtime::sendRequest and its next
// callback is the answer, so that, like a BEAM process blocked in a call, it
// holds no scheduler thread meanwhile. call_block_* makes the same calls
// with the blocking Runtime::call, which holds the client's worker thread
// (the scheduler lends a stand-in) until the answer comes.
// Every line has ops, seconds and ops_per_sec; p50_us/p99_us where
// latencies are measured.
// Memory (Linux only; 0 where /proc cannot be read):
// - peak_rss_kb on every line: the process's resident high-water mark
//   (VmHWM) while the workload ran. Before each workload the freed heap is
//   trimmed (glibc's malloc_trim) and the mark is reset to the current RSS by
//   writing "5" to /proc/self/clear_refs (Linux >= 4.0); so it is the whole
//   process's RSS at its highest: binary, libraries, touched thread stacks,
//   the runtime and whatever heap the allocator still keeps from an earlier
//   workload in the same run. If the reset fails, the mark counts from the
//   program's start and a note goes to stderr. side_by_side.sh measures
//   peaks its own way (one OS process per workload, /usr/bin/time's max RSS).
// - idle_1000000: spawns 1,000,000 idle processes (a GenServer with no
//   state, waiting for a message, as --idle does) from the main thread of a
//   fresh Runtime. bytes_per_process = (VmRSS after the last spawn returned
//   - VmRSS just before the first, the Runtime already constructed) * 1024 /
//   1,000,000: what one more idle process costs in resident memory, all of it
//   (process record, mailbox, snapshot slot, pid table, allocator overhead).
//   ops_per_sec is the spawn rate (each spawn runs init before returning).
//   --idle and --poll-hz do not apply to it.
// --poll-hz HZ runs a GUI-like poller beside the workload (a snapshot and an
// event drain HZ times a second), to measure what observation costs;
// --idle N adds N idle processes for it to observe.
#include "core/finance/finance.h"
#include "core/runtime/runtime.h"
#include "core/supervision/supervisor.h"
#ifdef SC_BENCH_GUI
#include "guitick.h"
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <latch>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

using namespace sc;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    unsigned workers = 2;
    int pollHz = 0;
    int idle = 0; ///< idle processes spawned before the workload
    bool table = false; ///< a human table instead of JSON lines
};

/// One workload's figures: one JSON line, or one table row.
struct Report {
    explicit Report(std::string name, long opCount = 0, double secs = 0)
        : workload(std::move(name))
        , ops(opCount)
        , seconds(secs)
    {
    }

    std::string workload;
    long ops = 0;
    double seconds = 0;
    std::vector<double> latenciesUs; ///< if any: p50_us and p99_us
    std::vector<std::pair<std::string, std::string>> fields; ///< more, already formatted as JSON values

    void add(std::string key, double value, int decimals = 0)
    {
        char text[64];
        std::snprintf(text, sizeof text, "%.*f", decimals, value);
        fields.emplace_back(std::move(key), text);
    }
};

void spawnIdle(Runtime& rt, int n);

double seconds(Clock::duration d)
{
    return std::chrono::duration<double>(d).count();
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

// -- memory, from the kernel's view --

/// A "Key:   123 kB" line of /proc/self/status, in kB; 0 if unreadable.
long statusKb(const std::string& key)
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.compare(0, key.size(), key) == 0 && line.size() > key.size() && line[key.size()] == ':')
            return std::atol(line.c_str() + key.size() + 1);
    return 0;
}

long rssKb()
{
    return statusKb("VmRSS");
}

/// Gives freed heap back and restarts VmHWM from the current RSS; false if
/// the kernel does not offer that (before Linux 4.0, or no /proc).
bool resetPeakRss()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    std::ofstream clearRefs("/proc/self/clear_refs");
    clearRefs << "5";
    clearRefs.flush();
    return bool(clearRefs);
}

/// Polls like the GUI bridge: snapshot + event drain at a fixed rate.
class Poller {
public:
    Poller(Runtime& rt, int hz)
    {
        if (hz <= 0) return;
        m_thread = std::thread([this, &rt, hz] {
            auto sub = rt.events().subscribe();
            Snapshot snap;
            const auto period = std::chrono::microseconds(1'000'000 / hz);
            auto next = Clock::now();
            while (!m_stop.load()) {
                auto t0 = Clock::now();
                rt.snapshot(snap);
                auto events = sub->drain();
                m_costs.push_back(seconds(Clock::now() - t0) * 1e6);
                next += period;
                std::this_thread::sleep_until(next);
            }
            rt.events().unsubscribe(sub);
        });
    }
    ~Poller() { stop(); }
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable()) m_thread.join();
    }
    const std::vector<double>& costsUs() const { return m_costs; }

private:
    std::atomic<bool> m_stop {false};
    std::vector<double> m_costs;
    std::thread m_thread;
};

class Ponger : public GenServer {
public:
    Next handleInfo(const Info& info) override
    {
        runtime().send(std::any_cast<Pid>(info.message), self());
        return Next::noreply();
    }
};

class Pinger : public GenServer {
public:
    Pinger(Pid peer, long rounds, std::promise<void>* done)
        : m_peer(peer)
        , m_left(rounds)
        , m_done(done)
    {
    }
    Next handleInfo(const Info&) override
    {
        if (--m_left <= 0)
            m_done->set_value();
        else
            runtime().send(m_peer, self());
        return Next::noreply();
    }

private:
    Pid m_peer;
    long m_left;
    std::promise<void>* m_done;
};

/// The observation cost, when a poller ran beside the workload.
void addObserver(Report& r, const Options& o, const Poller& poller)
{
    r.add("poll_hz", o.pollHz);
    r.add("idle_processes", o.idle);
    if (!poller.costsUs().empty()) {
        r.add("poll_p50_us", percentile(poller.costsUs(), 0.5), 1);
        r.add("poll_p99_us", percentile(poller.costsUs(), 0.99), 1);
    }
}

Report pingpong(const Options& o)
{
    const long rounds = 1'000'000;
    Runtime rt({.workers = o.workers});
    spawnIdle(rt, o.idle);
    std::promise<void> done;
    auto ponger = rt.spawn(std::make_unique<Ponger>());
    auto pinger = rt.spawn(std::make_unique<Pinger>(*ponger, rounds, &done));
    Poller poller(rt, o.pollHz);
    auto t0 = Clock::now();
    rt.send(*ponger, *pinger);
    done.get_future().wait();
    Report r("pingpong", rounds, seconds(Clock::now() - t0));
    poller.stop();
    addObserver(r, o, poller);
    return r;
}

// -- fan-in: S senders, one counting mailbox --

class Sink : public GenServer {
public:
    Sink(long expected, std::promise<void>* done)
        : m_left(expected)
        , m_done(done)
    {
    }
    Next handleInfo(const Info&) override
    {
        if (--m_left == 0) m_done->set_value();
        return Next::noreply();
    }

private:
    long m_left;
    std::promise<void>* m_done;
};

/// Sends its messages a chunk per continue step, so it yields its worker as
/// a BEAM process is preempted, and exits when done.
class Sender : public GenServer {
public:
    Sender(Pid to, long count)
        : m_to(to)
        , m_left(count)
    {
    }
    Next init() override { return Next::ok().continueWith(Term {}); }
    Next handleContinue(const Term&) override
    {
        for (int i = 0; i < 256 && m_left > 0; ++i, --m_left)
            runtime().send(m_to, m_left);
        if (m_left > 0) return Next::noreply().continueWith(Term {});
        return Next::stop(ExitReason::normal());
    }

private:
    Pid m_to;
    long m_left;
};

/// Timed from the first sender's spawn until the sink has counted every message.
Report fanin(const Options& o, int senders)
{
    const long per = 4'000'000 / senders;
    Runtime rt({.workers = o.workers});
    spawnIdle(rt, o.idle);
    std::promise<void> done;
    auto sink = rt.spawn(std::make_unique<Sink>(per * senders, &done));
    Poller poller(rt, o.pollHz);
    const auto t0 = Clock::now();
    for (int i = 0; i < senders; ++i)
        (void)rt.spawn(std::make_unique<Sender>(*sink, per));
    done.get_future().wait();
    Report r("fanin_" + std::to_string(senders), per * senders, seconds(Clock::now() - t0));
    poller.stop();
    r.add("senders", senders);
    addObserver(r, o, poller);
    return r;
}

// -- call/reply: C clients, one server --

class Counter : public GenServer {
public:
    Next handleCall(const Term&, const From&) override { return Next::reply(++m_count); }

private:
    long m_count = 0;
};

/// Makes its calls one at a time, each waiting for the answer before the
/// next, then reports and exits. As a BEAM process in GenServer.call holds
/// no scheduler while it waits, by default a client asks with
/// Runtime::sendRequest and its next callback is the answer. `blocking`:
/// with Runtime::call instead, which holds the client's worker thread (the
/// scheduler lends a stand-in) until the answer comes.
class Client : public GenServer {
public:
    Client(Pid server, long calls, bool blocking, std::vector<double>* latenciesUs, std::atomic<long>* failures,
        std::latch* done)
        : m_server(server)
        , m_left(calls)
        , m_blocking(blocking)
        , m_latenciesUs(latenciesUs)
        , m_failures(failures)
        , m_done(done)
    {
    }
    Next init() override
    {
        m_latenciesUs->reserve(std::size_t(m_left));
        return Next::ok().continueWith(Term {});
    }
    Next handleContinue(const Term&) override
    {
        if (!m_blocking) return ask();
        const auto t0 = Clock::now();
        if (!runtime().call(m_server, Term {})) m_failures->fetch_add(1);
        return answered(t0);
    }
    Next handleInfo(const Info& info) override
    {
        if (info.kind != Info::Kind::Reply || info.ref != m_request) return Next::noreply();
        if (info.error) m_failures->fetch_add(1);
        return answered(m_asked);
    }

private:
    Next ask()
    {
        m_asked = Clock::now();
        auto id = runtime().sendRequest(m_server, Term {});
        if (!id) return Next::stop(ExitReason::error(id.error().toString()));
        m_request = *id;
        return Next::noreply();
    }
    Next answered(Clock::time_point asked)
    {
        m_latenciesUs->push_back(seconds(Clock::now() - asked) * 1e6);
        if (--m_left == 0) {
            m_done->count_down();
            return Next::stop(ExitReason::normal());
        }
        if (m_blocking) return Next::noreply().continueWith(Term {}); // one call per step: a long step looks stalled
        return ask();
    }

    Pid m_server;
    long m_left;
    bool m_blocking;
    std::vector<double>* m_latenciesUs;
    std::atomic<long>* m_failures;
    std::latch* m_done;
    RequestId m_request = 0;
    Clock::time_point m_asked;
};

/// Timed from the first client's spawn until every client has made its calls.
Report calls(const Options& o, int clients, bool blocking = false)
{
    const long per = 400'000 / clients;
    std::vector<std::vector<double>> latencies(std::size_t(clients), std::vector<double> {});
    std::atomic<long> failures {0};
    std::latch done(clients);
    Report r((blocking ? "call_block_" : "call_") + std::to_string(clients), per * clients);
    {
        Runtime rt({.workers = o.workers});
        spawnIdle(rt, o.idle);
        auto server = rt.spawn(std::make_unique<Counter>());
        Poller poller(rt, o.pollHz);
        const auto t0 = Clock::now();
        for (int c = 0; c < clients; ++c)
            (void)rt.spawn(
                std::make_unique<Client>(*server, per, blocking, &latencies[std::size_t(c)], &failures, &done));
        done.wait();
        r.seconds = seconds(Clock::now() - t0);
        poller.stop();
        addObserver(r, o, poller);
    }
    for (const auto& l : latencies)
        r.latenciesUs.insert(r.latenciesUs.end(), l.begin(), l.end());
    r.add("clients", clients);
    r.add("failed", double(failures.load()));
    return r;
}

// -- spawn/exit --

class Oneshot : public GenServer {
public:
    explicit Oneshot(Pid to)
        : m_to(to)
    {
    }
    Next init() override { return Next::ok().continueWith(Term {}); }
    Next handleContinue(const Term&) override
    {
        runtime().send(m_to, Term {});
        return Next::stop(ExitReason::normal());
    }

private:
    Pid m_to;
};

/// The BEAM side's parent process: spawns every Oneshot (a chunk per
/// continue step, so it yields its worker), then counts their messages.
class Spawner : public GenServer {
public:
    Spawner(long count, long* failed, std::promise<void>* done)
        : m_count(count)
        , m_failed(failed)
        , m_done(done)
    {
    }
    Next init() override { return Next::ok().continueWith(Term {}); }
    Next handleContinue(const Term&) override
    {
        for (int i = 0; i < 64 && m_spawned < m_count; ++i, ++m_spawned)
            if (!runtime().spawn(std::make_unique<Oneshot>(self()))) {
                ++m_up; // it will send nothing
                ++*m_failed;
            }
        if (m_spawned < m_count) return Next::noreply().continueWith(Term {});
        return check();
    }
    Next handleInfo(const Info&) override
    {
        ++m_up;
        return check();
    }

private:
    Next check()
    {
        if (m_up == m_count && m_spawned == m_count) m_done->set_value();
        return Next::noreply();
    }
    long m_count;
    long m_spawned = 0;
    long m_up = 0;
    long* m_failed; ///< written before m_done is set
    std::promise<void>* m_done;
};

/// Timed from the spawner's start until it has heard from every process.
Report spawnExit(const Options& o)
{
    const long count = 1'000'000;
    Runtime rt({.workers = o.workers});
    spawnIdle(rt, o.idle);
    std::promise<void> done;
    long failed = 0;
    Poller poller(rt, o.pollHz);
    const auto t0 = Clock::now();
    (void)rt.spawn(std::make_unique<Spawner>(count, &failed, &done));
    done.get_future().wait();
    Report r("spawn_exit", count, seconds(Clock::now() - t0));
    poller.stop();
    r.add("failed", double(failed));
    addObserver(r, o, poller);
    return r;
}

// -- restart latency --

/// The supervised worker: registers its name in init, as a named Agent does.
class NamedWorker : public GenServer {
public:
    Next init() override
    {
        if (auto s = runtime().registerName("bench_w", self()); !s) return Next::stop(ExitReason::error("name taken"));
        return Next::ok();
    }
    Next handleCall(const Term&, const From&) override { return Next::reply(0L); }
};

/// Kills the worker, waits for a new pid under its name, calls it; timed
/// from the kill until that call returns. seconds: the sum of those times.
Report restart(const Options& o)
{
    const long kills = 20'000;
    Runtime rt({.workers = o.workers});
    spawnIdle(rt, o.idle);
    ChildSpec worker;
    worker.id = "w";
    worker.start = [] { return std::make_unique<NamedWorker>(); };
    auto sup = startSupervisor(rt, "bench_sup",
        {.strategy = Strategy::OneForOne, .intensity = 1'000'000'000, .period = std::chrono::seconds(1)}, {worker});
    Report r("restart", kills);
    if (!sup) {
        std::fprintf(stderr, "supervision-bench: restart: %s\n", sup.error().toString().c_str());
        return r;
    }
    Poller poller(rt, o.pollHz);
    long failed = 0;
    r.latenciesUs.reserve(std::size_t(kills));
    for (long i = 0; i < kills; ++i) {
        const Pid old = rt.whereis("bench_w");
        const auto t0 = Clock::now();
        rt.kill(old);
        Pid fresh = 0;
        while ((fresh = rt.whereis("bench_w")) == 0 || fresh == old)
            std::this_thread::yield();
        if (!rt.call(fresh, Term {})) ++failed;
        r.latenciesUs.push_back(seconds(Clock::now() - t0) * 1e6);
        r.seconds += r.latenciesUs.back() / 1e6;
    }
    poller.stop();
    r.add("failed", double(failed));
    addObserver(r, o, poller);
    return r;
}

void spawnIdle(Runtime& rt, int n)
{
    for (int i = 0; i < n; ++i)
        (void)rt.spawn(std::make_unique<Ponger>());
}

/// ops: the processes one snapshot shows; seconds: the median snapshot's time.
Report snapshot100k(const Options& o)
{
    Runtime rt({.workers = o.workers});
    spawnIdle(rt, 100'000);
    Report r("snapshot_100000");
    Snapshot snap;
    for (int i = 0; i < 60; ++i) {
        auto t0 = Clock::now();
        rt.snapshot(snap);
        r.latenciesUs.push_back(seconds(Clock::now() - t0) * 1e6);
        r.ops = long(snap.processes.size());
    }
    r.seconds = percentile(r.latenciesUs, 0.5) / 1e6;
    r.add("processes", double(r.ops));
    r.add("samples", double(r.latenciesUs.size()));
    return r;
}

/// Resident bytes per idle process and the spawn rate; see the header comment.
Report idle1m(const Options& o)
{
    constexpr int kProcesses = 1'000'000;
    Runtime rt({.workers = o.workers});
    const long before = rssKb();
    const auto t0 = Clock::now();
    spawnIdle(rt, kProcesses);
    Report r("idle_1000000", kProcesses, seconds(Clock::now() - t0));
    const long after = rssKb();
    r.add("processes", double(rt.processCount()));
    r.add("rss_before_kb", double(before));
    r.add("rss_after_kb", double(after));
    r.add("bytes_per_process", double(after - before) * 1024.0 / kProcesses, 1);
    return r;
}

/// Donations through the finance tree, each acknowledged only once its
/// ledger record is durable (WAL, synchronous=FULL): 64 clients, one tracker
/// each, for about five seconds; ack latency per donation.
std::optional<Report> ledgerDurable(const Options& o)
{
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("sc-bench-ledger-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    constexpr int kClients = 64;
    const auto duration = std::chrono::seconds(5);
    std::vector<std::vector<double>> latencies(kClients);
    std::atomic<long> failures {0};
    Clock::duration elapsed {};
    {
        Runtime rt({.workers = o.workers});
        finance::Config config;
        config.dataDir = dir.string();
        if (auto root = finance::startFinanceTree(rt, config); !root) {
            std::fprintf(stderr, "supervision-bench: ledger_durable: %s\n", root.error().toString().c_str());
            return std::nullopt;
        }
        finance::FinanceClient client(rt, std::chrono::seconds(30));
        for (int c = 0; c < kClients; ++c)
            (void)client.openTracker("donor" + std::to_string(c));
        const auto start = Clock::now();
        const auto end = start + duration;
        std::vector<std::thread> threads;
        for (int c = 0; c < kClients; ++c)
            threads.emplace_back([&, c] {
                finance::FinanceClient mine(rt, std::chrono::seconds(30));
                const std::string user = "donor" + std::to_string(c);
                while (Clock::now() < end) {
                    const auto t0 = Clock::now();
                    const auto r = mine.donate(user, Money::fromMinorUnits(100));
                    if (!r) failures.fetch_add(1);
                    latencies[std::size_t(c)].push_back(seconds(Clock::now() - t0) * 1e6);
                }
            });
        for (auto& t : threads)
            t.join();
        elapsed = Clock::now() - start;
    }
    fs::remove_all(dir);
    Report r("ledger_durable", 0, seconds(elapsed));
    for (const auto& l : latencies)
        r.latenciesUs.insert(r.latenciesUs.end(), l.begin(), l.end());
    r.ops = long(r.latenciesUs.size());
    r.add("clients", kClients);
    r.add("failed", double(failures.load()));
    return r;
}

#ifdef SC_BENCH_GUI
/// The GUI bridge's tick at 10,000 processes (tests/bench/guitick.cpp says
/// what the churn is): ops are ticks, p50/p99 the tick's time on the GUI thread.
Report guiTick10k(const Options& o)
{
    const auto t = sc::bench::runGuiTick(10'000, o.workers);
    Report r("gui_tick_10000", t.ticks, t.seconds);
    r.latenciesUs = t.latenciesUs;
    r.add("processes", t.processes);
    return r;
}
#endif

// -- output --

void printJson(const Report& r, const Options& o)
{
    std::printf("{\"workload\":\"%s\",\"runtime\":\"native\",\"workers\":%u,\"ops\":%ld,\"seconds\":%.4f,"
                "\"ops_per_sec\":%.0f",
        r.workload.c_str(), o.workers, r.ops, r.seconds, r.seconds > 0 ? double(r.ops) / r.seconds : 0.0);
    if (!r.latenciesUs.empty())
        std::printf(
            ",\"p50_us\":%.2f,\"p99_us\":%.2f", percentile(r.latenciesUs, 0.5), percentile(r.latenciesUs, 0.99));
    for (const auto& [key, value] : r.fields)
        std::printf(",\"%s\":%s", key.c_str(), value.c_str());
    std::printf("}\n");
}

void printTableHeader()
{
    std::printf(
        "%-16s %10s %9s %12s %10s %10s  %s\n", "workload", "ops", "seconds", "ops/s", "p50 us", "p99 us", "other");
}

void printRow(const Report& r)
{
    std::string p50 = "-", p99 = "-", other;
    if (!r.latenciesUs.empty()) {
        char text[64];
        std::snprintf(text, sizeof text, "%.2f", percentile(r.latenciesUs, 0.5));
        p50 = text;
        std::snprintf(text, sizeof text, "%.2f", percentile(r.latenciesUs, 0.99));
        p99 = text;
    }
    for (const auto& [key, value] : r.fields)
        other += (other.empty() ? "" : " ") + key + "=" + value;
    std::printf("%-16s %10ld %9.3f %12.0f %10s %10s  %s\n", r.workload.c_str(), r.ops, r.seconds,
        r.seconds > 0 ? double(r.ops) / r.seconds : 0.0, p50.c_str(), p99.c_str(), other.c_str());
}

using Workload = std::function<std::optional<Report>(const Options&)>;

const std::vector<std::pair<std::string, Workload>>& workloadTable()
{
    static const std::vector<std::pair<std::string, Workload>> table {
        {"pingpong", pingpong},
        {"fanin_1", [](const Options& o) { return fanin(o, 1); }},
        {"fanin_2", [](const Options& o) { return fanin(o, 2); }},
        {"fanin_100", [](const Options& o) { return fanin(o, 100); }},
        {"call_1", [](const Options& o) { return calls(o, 1); }},
        {"call_16", [](const Options& o) { return calls(o, 16); }},
        {"call_1000", [](const Options& o) { return calls(o, 1000); }},
        {"call_block_1", [](const Options& o) { return calls(o, 1, true); }},
        {"call_block_16", [](const Options& o) { return calls(o, 16, true); }},
        {"spawn_exit", spawnExit},
        {"restart", restart},
        {"snapshot_100000", snapshot100k},
        {"idle_1000000", idle1m},
        {"ledger_durable", ledgerDurable},
#ifdef SC_BENCH_GUI
        {"gui_tick_10000", guiTick10k},
#endif
    };
    return table;
}

const Workload* findWorkload(const std::string& name)
{
    for (const auto& [n, w] : workloadTable())
        if (n == name) return &w;
    return nullptr;
}

} // namespace

int main(int argc, char** argv)
{
    Options o;
    std::vector<std::string> workloads;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if ((a == "--workers" || a == "--poll-hz" || a == "--idle") && i + 1 < argc) {
            int v = std::atoi(argv[++i]);
            if (v < 0 || (a == "--workers" && v == 0)) {
                std::fprintf(stderr, "supervision-bench: %s needs a positive number\n", a.c_str());
                return 2;
            }
            if (a == "--workers")
                o.workers = unsigned(v);
            else if (a == "--poll-hz")
                o.pollHz = v;
            else
                o.idle = v;
        } else if (a == "--json" || a == "--table") {
            o.table = a == "--table";
        } else if (findWorkload(a)) {
            workloads.push_back(a);
        } else {
            std::string names;
            for (const auto& [n, w] : workloadTable())
                names += " " + n;
            std::fprintf(stderr, "supervision-bench: unknown argument %s (workloads:%s)\n", a.c_str(), names.c_str());
            return 2;
        }
    }
    if (workloads.empty())
        for (const auto& [n, w] : workloadTable())
            workloads.push_back(n);
    if (o.table) printTableHeader();
    bool peakFromStart = false;
    for (const auto& w : workloads) {
        if (!resetPeakRss() && !peakFromStart) {
            peakFromStart = true;
            std::fprintf(stderr,
                "supervision-bench: cannot reset the peak RSS (/proc/self/clear_refs); "
                "peak_rss_kb counts from the program's start\n");
        }
        if (auto r = (*findWorkload(w))(o)) {
            r->add("peak_rss_kb", double(statusKb("VmHWM")));
            if (o.table)
                printRow(*r);
            else
                printJson(*r, o);
        }
        std::fflush(stdout);
    }
}
