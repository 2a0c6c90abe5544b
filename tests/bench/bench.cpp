// supervision-bench: speed figures for the runtime, printed as one JSON object
// per line per workload. Built with the project, never run as a test.
//   supervision-bench [--workers N] [--poll-hz HZ] [--idle N] [WORKLOAD ...]
// Workloads: pingpong, snapshot_100000, ledger_durable.
// --poll-hz HZ runs a GUI-like poller beside the workload (a snapshot and an
// event drain HZ times a second), to measure what observation costs;
// --idle N adds N idle processes for it to observe.
#include "finance.h"
#include "runtime.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace sc;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    unsigned workers = 2;
    int pollHz = 0;
    int idle = 0; ///< idle processes spawned before the workload
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

void printPoller(const Poller& poller)
{
    if (!poller.costsUs().empty())
        std::printf(",\"poll_p50_us\":%.1f,\"poll_p99_us\":%.1f", percentile(poller.costsUs(), 0.5),
            percentile(poller.costsUs(), 0.99));
}

void pingpong(const Options& o)
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
    const double s = seconds(Clock::now() - t0);
    poller.stop();
    std::printf("{\"workload\":\"pingpong\",\"runtime\":\"native\",\"workers\":%u,\"poll_hz\":%d,"
                "\"idle_processes\":%d,\"ops\":%ld,\"seconds\":%.3f,\"ops_per_sec\":%.0f",
        o.workers, o.pollHz, o.idle, rounds, s, double(rounds) / s);
    printPoller(poller);
    std::printf("}\n");
}

void spawnIdle(Runtime& rt, int n)
{
    for (int i = 0; i < n; ++i)
        (void)rt.spawn(std::make_unique<Ponger>());
}

void snapshot100k(const Options& o)
{
    Runtime rt({.workers = o.workers});
    spawnIdle(rt, 100'000);
    std::vector<double> us;
    std::size_t seen = 0;
    Snapshot snap;
    for (int i = 0; i < 60; ++i) {
        auto t0 = Clock::now();
        rt.snapshot(snap);
        us.push_back(seconds(Clock::now() - t0) * 1e6);
        seen = snap.processes.size();
    }
    std::printf("{\"workload\":\"snapshot_100000\",\"runtime\":\"native\",\"workers\":%u,\"processes\":%zu,"
                "\"samples\":%zu,\"p50_us\":%.0f,\"p99_us\":%.0f}\n",
        o.workers, seen, us.size(), percentile(us, 0.5), percentile(us, 0.99));
}

/// Donations through the finance tree, each acknowledged only once its
/// ledger record is durable (WAL, synchronous=FULL): 64 clients, one tracker
/// each, for about five seconds; ack latency per donation.
void ledgerDurable(const Options& o)
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
            return;
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
    std::vector<double> all;
    for (const auto& l : latencies)
        all.insert(all.end(), l.begin(), l.end());
    std::printf("{\"workload\":\"ledger_durable\",\"runtime\":\"native\",\"workers\":%u,\"clients\":%d,"
                "\"ops\":%zu,\"failed\":%ld,\"seconds\":%.2f,\"ops_per_sec\":%.0f,\"p50_us\":%.0f,"
                "\"p99_us\":%.0f}\n",
        o.workers, kClients, all.size(), failures.load(), seconds(elapsed), double(all.size()) / seconds(elapsed),
        percentile(all, 0.5), percentile(all, 0.99));
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
        } else if (a == "pingpong" || a == "snapshot_100000" || a == "ledger_durable") {
            workloads.push_back(a);
        } else {
            std::fprintf(stderr,
                "supervision-bench: unknown argument %s (workloads: pingpong snapshot_100000 ledger_durable)\n",
                a.c_str());
            return 2;
        }
    }
    if (workloads.empty()) workloads = {"pingpong", "snapshot_100000", "ledger_durable"};
    for (const auto& w : workloads) {
        if (w == "pingpong")
            pingpong(o);
        else if (w == "ledger_durable")
            ledgerDurable(o);
        else
            snapshot100k(o);
        std::fflush(stdout);
    }
}
