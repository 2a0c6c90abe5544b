// supervision-gui-bench: how long the GUI thread is held up while the runtime
// is pushed hard. Built with the project, never run as a test.
//   supervision-gui-bench [--seconds N] [--processes N] [--workers N]
// It opens the real main window (offscreen unless a display is set) on the
// finance tree with its console and audit log, adds N idle workers under a
// supervisor of their own, and for the run floods mailboxes (2,000 messages
// 20 times a second), donates from 32 client threads (every donation a
// durable ledger commit) and kills a random worker 20 times a second. It prints one
// JSON line: the bridge's tick times (snapshot, diff, model and view update)
// and the longest stall of the GUI thread (a timer tick that came late).
#include "finance.h"
#include "mainwindow.h"
#include "runtimebridge.h"
#include "supervisor.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
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

} // namespace

int main(int argc, char** argv)
{
    int seconds = 10;
    int processes = 10'000;
    unsigned workers = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
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
    QTemporaryDir data;
    sc::Runtime rt({.workers = workers});
    sc::ui::MainWindow window(rt);
    sc::finance::Config config;
    config.dataDir = data.path().toStdString();
    if (!sc::finance::startFinanceTree(rt, config)) return 1;
    window.addFinancePanels(data.path());
    window.show();

    auto pool = sc::startSupervisor(rt, "pool", {sc::Strategy::OneForOne, 1'000'000, std::chrono::seconds(1)}, {});
    if (!pool) return 1;
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
