// supervision-gui-bench: how long the GUI thread is held up while the runtime
// is pushed hard. Built with the project, never run as a test.
//   supervision-gui-bench [--seconds N] [--processes N] [--workers N] [--only WORKLOAD]
// It opens the real main window (offscreen unless a display is set) on the
// finance tree with its console and audit log, adds N idle workers under a
// supervisor of their own and a dynamic supervisor whose temporary workers
// come and go (one started and the oldest stopped 25 times a second, about
// 50 alive), and for the run floods mailboxes (2,000 messages 20 times a
// second), donates from 32 client threads (every donation a durable ledger
// commit) and kills a random worker 20 times a second. It prints JSON lines:
//  - gui_under_load: the bridge's tick times (snapshot, diff, model and view
//    update) and the longest stall of the GUI thread (a timer tick that came late);
//  - layout_from_scratch: a fresh model and tree view given N processes at
//    once (one pool of N leaves; N/100 supervisors of 99 workers): apply(),
//    then the view's first layout, the median of 5;
//  - gui_replay: the same GUI work without the runtime, so without its noise:
//    a hand-made pool of N workers, 300 ticks of apply() + noteEvents() +
//    layout with 200 mailboxes changed, a dynamic worker started and one
//    exited every tick, and a worker restarted every other tick;
//  - gui_tick_N: the bridge's full tick against a live runtime under churn
//    (tests/bench/guitick.cpp says what exactly), the workload
//    supervision-bench runs too.
// `--only NAME` runs one of them (layout_from_scratch, gui_replay, gui_tick,
// gui_under_load).
#include "core/finance/finance.h"
#include "guitick.h"
#include "ui/window/mainwindow.h"
#include "ui/tree/processtreemodel.h"
#include "ui/bridge/runtimebridge.h"
#include "core/supervision/supervisor.h"
#include "ui/tree/treegraphview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <deque>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

class Idle : public sc::GenServer { };

double percentile(std::vector<double> v, double p)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

double microseconds(const QElapsedTimer& timer)
{
    return double(timer.nsecsElapsed()) / 1000.0;
}

/// CPU time of the calling thread: what the GUI work costs, whatever else the machine runs.
double threadCpuMicroseconds()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e6 + double(t.tv_nsec) / 1000.0;
}

/// Hand-made snapshots: rows view paths kept here for the whole run.
class Rows {
public:
    sc::ProcessInfo& add(sc::Pid pid, sc::Pid parent, std::string path, sc::ProcessKind kind = sc::ProcessKind::Worker)
    {
        m_paths.push_back(std::move(path));
        sc::ProcessInfo info;
        info.pid = pid;
        info.parent = parent;
        info.path = m_paths.back();
        info.kind = kind;
        if (kind != sc::ProcessKind::Worker) {
            info.intensity = 3;
            info.periodMs = 5000;
        }
        rows.push_back(info);
        return rows.back();
    }
    sc::Snapshot snapshot() const
    {
        sc::Snapshot s;
        s.processes.assign(rows.rbegin(), rows.rend()); // in no particular order, as the runtime's
        return s;
    }
    std::vector<sc::ProcessInfo> rows;

private:
    std::deque<std::string> m_paths;
};

/// app (a supervisor) over a pool of `workers` leaves and a dynamic supervisor.
Rows poolTree(int workers, sc::Pid& next)
{
    Rows t;
    t.add(1, 0, "app", sc::ProcessKind::Supervisor);
    t.add(2, 1, "app/pool", sc::ProcessKind::Supervisor);
    t.add(3, 1, "app/dynamic", sc::ProcessKind::DynamicSupervisor);
    next = 4;
    for (int i = 0; i < workers - 3; ++i)
        t.add(next++, 2, "app/pool/w" + std::to_string(i));
    return t;
}

/// big over `supervisors` supervisors of `workers` workers each.
Rows wideTree(int supervisors, int workers)
{
    Rows t;
    t.add(1, 0, "big", sc::ProcessKind::Supervisor);
    sc::Pid pid = 2;
    for (int s = 0; s < supervisors; ++s) {
        const sc::Pid sup = pid++;
        const std::string path = "big/s" + std::to_string(s);
        t.add(sup, 1, path, sc::ProcessKind::Supervisor);
        for (int w = 0; w < workers; ++w)
            t.add(pid++, sup, path + "/w" + std::to_string(w));
    }
    return t;
}

struct Layout {
    double applyUs = 0;
    double layoutUs = 0;
    int nodes = 0;
};

Layout layoutFromScratch(const Rows& tree)
{
    std::vector<double> apply;
    std::vector<double> layout;
    int nodes = 0;
    const sc::Snapshot snapshot = tree.snapshot();
    for (int run = 0; run < 5; ++run) {
        sc::ui::ProcessTreeModel model;
        sc::ui::TreeGraphView view;
        view.resize(1600, 900);
        view.setModel(&model);
        view.layoutNow();
        QElapsedTimer timer;
        timer.start();
        model.apply(snapshot);
        apply.push_back(microseconds(timer));
        timer.restart();
        view.layoutNow();
        layout.push_back(microseconds(timer));
        nodes = view.nodeCount();
    }
    return {percentile(apply, 0.5), percentile(layout, 0.5), nodes};
}

sc::Event event(sc::EventKind kind, sc::Pid pid, std::string_view path)
{
    sc::Event e;
    e.kind = kind;
    e.pid = pid;
    e.path = std::string(path);
    return e;
}

/// The GUI side of a tick, replayed on hand-made snapshots.
void replay(int processes)
{
    sc::Pid next = 0;
    Rows tree = poolTree(processes, next);
    sc::ui::ProcessTreeModel model;
    sc::ui::TreeGraphView view;
    view.resize(1600, 900);
    view.setModel(&model);
    view.show();
    model.apply(tree.snapshot());
    view.layoutNow();
    QCoreApplication::processEvents();

    std::mt19937 random(7);
    std::deque<sc::Pid> dynamic;
    int dynamicNames = 0;
    std::vector<double> ticks;
    std::vector<double> cpu;
    std::vector<double> frames;
    for (int tick = 0; tick < 300; ++tick) {
        std::vector<sc::Event> events;
        for (int i = 0; i < 200; ++i)
            tree.rows[3 + random() % std::size_t(processes - 3)].mailbox = random() % 2000;
        const auto pid = next++;
        tree.add(pid, 3, "app/dynamic/" + std::to_string(++dynamicNames));
        dynamic.push_back(pid);
        if (dynamic.size() > 50) {
            const sc::Pid gone = dynamic.front();
            dynamic.pop_front();
            std::erase_if(tree.rows, [gone](const sc::ProcessInfo& p) { return p.pid == gone; });
            events.push_back(event(sc::EventKind::Exit, gone, {}));
        }
        if (tick % 2 == 0) {
            sc::ProcessInfo& victim = tree.rows[3 + random() % std::size_t(processes - 3)];
            if (victim.parent == 2) {
                events.push_back(event(sc::EventKind::Exit, victim.pid, victim.path));
                events.push_back(event(sc::EventKind::Restart, 0, victim.path));
                victim.pid = next++;
                ++victim.restarts;
            }
        }
        const sc::Snapshot snapshot = tree.snapshot();
        QElapsedTimer timer;
        timer.start();
        const double cpuStart = threadCpuMicroseconds();
        model.apply(snapshot);
        view.noteEvents(events);
        view.layoutNow();
        ticks.push_back(microseconds(timer));
        cpu.push_back(threadCpuMicroseconds() - cpuStart);
        QCoreApplication::processEvents(); // paints
        frames.push_back(microseconds(timer));
    }
    std::printf("{\"workload\":\"gui_replay\",\"processes\":%d,\"ticks\":%zu,\"tick_p50_us\":%.0f,"
                "\"tick_p99_us\":%.0f,\"tick_max_us\":%.0f,\"tick_cpu_p50_us\":%.0f,\"tick_cpu_p99_us\":%.0f,"
                "\"with_paint_p50_us\":%.0f,\"with_paint_p99_us\":%.0f}\n",
        model.processCount(), ticks.size(), percentile(ticks, 0.5), percentile(ticks, 0.99), percentile(ticks, 1.0),
        percentile(cpu, 0.5), percentile(cpu, 0.99), percentile(frames, 0.5), percentile(frames, 0.99));
}

} // namespace

int main(int argc, char** argv)
{
    int seconds = 10;
    int processes = 10'000;
    unsigned workers = 2;
    std::string only; // one workload by name; empty: all
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--only") {
            only = argv[i + 1];
            continue;
        }
        const int v = std::atoi(argv[i + 1]);
        if (v <= 0) {
            std::fprintf(stderr, "supervision-gui-bench: %s needs a positive number\n", a.c_str());
            return 2;
        }
        if (a == "--seconds")
            seconds = v;
        else if (a == "--processes")
            processes = v;
        else if (a == "--workers")
            workers = unsigned(v);
        else {
            std::fprintf(stderr, "supervision-gui-bench: unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    const auto wanted = [&only](const char* workload) { return only.empty() || only == workload; };
    if (wanted("layout_from_scratch")) {
        sc::Pid next = 0;
        const Layout pool = layoutFromScratch(poolTree(processes, next));
        const Layout wide = layoutFromScratch(wideTree(std::max(1, processes / 100), 99));
        std::printf("{\"workload\":\"layout_from_scratch\",\"pool_nodes\":%d,\"pool_apply_us\":%.0f,"
                    "\"pool_layout_us\":%.0f,\"wide_nodes\":%d,\"wide_apply_us\":%.0f,\"wide_layout_us\":%.0f}\n",
            pool.nodes, pool.applyUs, pool.layoutUs, wide.nodes, wide.applyUs, wide.layoutUs);
        std::fflush(stdout);
    }
    if (wanted("gui_replay")) {
        replay(processes);
        std::fflush(stdout);
    }
    if (wanted("gui_tick")) {
        const sc::bench::GuiTick t = sc::bench::runGuiTick(processes, workers);
        std::printf("{\"workload\":\"gui_tick_%d\",\"processes\":%d,\"ticks\":%ld,\"seconds\":%.1f,"
                    "\"tick_p50_us\":%.0f,\"tick_p99_us\":%.0f,\"tick_max_us\":%.0f}\n",
            processes, t.processes, t.ticks, t.seconds, percentile(t.latenciesUs, 0.5), percentile(t.latenciesUs, 0.99),
            percentile(t.latenciesUs, 1.0));
        std::fflush(stdout);
    }
    if (!wanted("gui_under_load")) return 0;

    QTemporaryDir data;
    sc::Runtime rt({.workers = workers});
    sc::ui::RuntimeBridge bridge(rt);
    sc::ui::MainWindow window(bridge);
    sc::finance::Config config;
    config.dataDir = data.path().toStdString();
    if (!sc::finance::startFinanceTree(rt, config)) return 1;
    window.addFinancePanels(data.path());
    window.show();

    auto pool = sc::startSupervisor(rt, "pool", {sc::Strategy::OneForOne, 1'000'000, std::chrono::seconds(1)}, {});
    if (!pool) return 1;
    sc::ChildSpec dynamicSpec;
    dynamicSpec.id = "dynamic";
    dynamicSpec.type = sc::ChildType::Supervisor;
    dynamicSpec.start = [] {
        return std::make_unique<sc::DynamicSupervisor>(
            sc::DynamicSupervisorFlags {1'000'000, std::chrono::seconds(1), std::nullopt});
    };
    const auto dynamic = sc::startChild(rt, *pool, std::move(dynamicSpec));
    if (!dynamic) return 1;
    std::vector<sc::Pid> idle;
    for (int i = 0; i < processes; ++i) {
        sc::ChildSpec spec;
        spec.id = "w" + std::to_string(i);
        spec.start = [] { return std::make_unique<Idle>(); };
        if (auto pid = sc::startChild(rt, *pool, std::move(spec))) idle.push_back(*pid);
    }

    std::atomic<bool> stop {false};
    std::atomic<long> donations {0};
    std::vector<std::thread> load;
    sc::finance::FinanceClient setup(rt);
    for (int c = 0; c < 32; ++c)
        (void)setup.openTracker("donor" + std::to_string(c));
    for (int c = 0; c < 32; ++c)
        load.emplace_back([&, c] {
            sc::finance::FinanceClient client(rt);
            const std::string user = "donor" + std::to_string(c);
            while (!stop.load())
                if (client.donate(user, sc::Money::fromMinorUnits(100))) donations.fetch_add(1);
        });
    load.emplace_back([&] { // dynamic workers: one started and the oldest stopped every 40 ms
        std::deque<sc::Pid> alive;
        while (!stop.load()) {
            sc::ChildSpec spec;
            spec.id = "job";
            spec.restart = sc::Restart::Temporary;
            spec.start = [] { return std::make_unique<Idle>(); };
            if (auto pid = sc::startChild(rt, *dynamic, std::move(spec))) alive.push_back(*pid);
            if (alive.size() > 50) {
                (void)sc::terminateChild(rt, *dynamic, alive.front());
                alive.pop_front();
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(40));
        }
    });
    load.emplace_back([&] { // floods and kills
        std::mt19937 random(42);
        while (!stop.load()) {
            const sc::Pid target = idle[random() % idle.size()];
            for (int i = 0; i < 2000; ++i)
                rt.send(target, std::string("flood"));
            rt.kill(idle[random() % idle.size()]);
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });

    // The first second (the window's first layout and paint) is not measured.
    std::vector<double> ticks;
    bool measuring = false;
    QTimer::singleShot(1000, &app, [&] {
        window.bridge()->resetMeasurements();
        measuring = true;
    });
    QObject::connect(window.bridge(), &sc::ui::RuntimeBridge::tickFinished, [&](std::chrono::microseconds d) {
        if (measuring) ticks.push_back(double(d.count()));
    });
    QTimer::singleShot((seconds + 1) * 1000, &app, &QApplication::quit);
    QElapsedTimer wall;
    wall.start();
    QApplication::exec();
    stop.store(true);
    for (auto& t : load)
        t.join();

    std::printf("{\"workload\":\"gui_under_load\",\"processes\":%zu,\"seconds\":%.1f,\"ticks\":%zu,"
                "\"tick_p50_us\":%.0f,\"tick_p99_us\":%.0f,\"tick_max_us\":%lld,\"longest_stall_us\":%lld,"
                "\"donations_acked\":%ld,\"dropped_events\":%llu}\n",
        rt.processCount(), double(wall.elapsed()) / 1000.0, ticks.size(), percentile(ticks, 0.5),
        percentile(ticks, 0.99), static_cast<long long>(window.bridge()->longestTickTime().count()),
        static_cast<long long>(window.bridge()->longestStall().count()), donations.load(),
        static_cast<unsigned long long>(window.bridge()->droppedEvents()));
    return 0;
}
