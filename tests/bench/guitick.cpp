// gui_tick: the GUI bridge's full tick under churn, as the console runs it.
//
// The workload, at `processes` = 10,000:
//  - the tree: a root supervisor "big" (one_for_one) over processes/100
//    supervisors "big/s<i>" of 99 idle workers each (10,000 processes with
//    those supervisors) and a dynamic supervisor "big/dynamic" whose
//    temporary children come and go (about 50 alive): some 10,050 live
//    processes in a real sc::Runtime with `workers` threads;
//  - the GUI: the real RuntimeBridge, ProcessTreeModel and TreeGraphView
//    (1400 x 1000, fitted as the console first shows it) and a QTreeView
//    table over the same model (expanded as the main window expands it),
//    shown on the offscreen platform unless a QApplication already exists;
//    wired as MainWindow wires them: snapshotUpdated -> apply(),
//    eventsArrived -> noteEvents();
//  - the churn, one round per tick from a thread of its own acting as a
//    client of the runtime, not of the GUI: a message to each of 200 random
//    workers (their handled counts change), 300 messages to one more (its
//    mailbox grows and drains), a dynamic child started and the oldest
//    terminated, and every other round a random worker killed, which its
//    supervisor restarts under a new pid at the same path;
//  - one tick: every 33 ms on the GUI thread, RuntimeBridge::tick()
//    (snapshot, event drain, model diff with its signals, the table's and the
//    tree view's reactions, the view's relayout for the events) and then the
//    tree view's layoutNow(), so a relayout the tick left pending is counted
//    in it too. Painting happens between ticks, as in the app, and is not
//    counted.
//  - measured: the wall time of each of 300 ticks after 30 warm-up ticks
//    (and after the first tick, which brings in the whole tree).
#include "guitick.h"

#include "ui/tree/processtreemodel.h"
#include "ui/bridge/runtimebridge.h"
#include "core/supervision/supervisor.h"
#include "ui/tree/treegraphview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSplitter>
#include <QTimer>
#include <QTreeView>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace sc::bench {

namespace {

constexpr int workersPerSupervisor = 99;
constexpr int warmUpTicks = 30;
constexpr int measuredTicks = 300;
constexpr std::chrono::milliseconds tickInterval {33};

class Idle : public sc::GenServer { };

sc::ChildSpec idleWorker(std::string id)
{
    sc::ChildSpec spec;
    spec.id = std::move(id);
    spec.start = [] { return std::make_unique<Idle>(); };
    return spec;
}

/// Restarts are the point: no supervisor here may give up.
const sc::SupervisorFlags patient {sc::Strategy::OneForOne, 1'000'000, std::chrono::seconds(1)};

QApplication* ensureApplication()
{
    if (auto* app = qobject_cast<QApplication*>(QCoreApplication::instance())) return app;
    if (QCoreApplication::instance()) return nullptr; // a QCoreApplication cannot show widgets
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "supervision-bench";
    static char* argv[] = {name, nullptr};
    // Never destroyed: a static QApplication torn down among the exit
    // handlers crashed in QPointingDevice's destructor after a long run.
    static auto* app = new QApplication(argc, argv);
    return app;
}

/// One round of churn per tick, on its own thread.
class Churn {
public:
    Churn(sc::Runtime& rt, std::vector<sc::Pid> supervisors, sc::Pid dynamic)
        : m_rt(rt)
        , m_supervisors(std::move(supervisors))
        , m_dynamic(dynamic)
        , m_thread([this] { run(); })
    {
    }
    ~Churn()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_one();
        m_thread.join();
    }
    /// Asks for the next round; a round still running takes the request when it ends.
    void kick()
    {
        {
            std::lock_guard lock(m_mutex);
            ++m_requested;
        }
        m_wake.notify_one();
    }

private:
    void run()
    {
        for (std::size_t s = 0; s < m_supervisors.size(); ++s)
            refresh(s);
        std::mt19937 random(42);
        std::deque<sc::Pid> dynamicAlive;
        long done = 0;
        int names = 0;
        for (;;) {
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [&] { return m_stop || m_requested > done; });
                if (m_stop) return;
                done = m_requested; // a round behind is skipped, not queued
            }
            const auto anyWorker = [&]() -> std::pair<std::size_t, sc::Pid> {
                const std::size_t s = random() % m_workers.size();
                return {s, m_workers[s][random() % m_workers[s].size()]};
            };
            for (int i = 0; i < 200; ++i)
                m_rt.send(anyWorker().second, std::string("tick"));
            const sc::Pid flooded = anyWorker().second;
            for (int i = 0; i < 300; ++i)
                m_rt.send(flooded, std::string("flood"));

            sc::ChildSpec job = idleWorker("job" + std::to_string(++names));
            job.restart = sc::Restart::Temporary;
            if (auto pid = sc::startChild(m_rt, m_dynamic, std::move(job))) dynamicAlive.push_back(*pid);
            if (dynamicAlive.size() > 50) {
                (void)sc::terminateChild(m_rt, m_dynamic, dynamicAlive.front());
                dynamicAlive.pop_front();
            }

            if (done % 2 == 0) {
                const auto [s, victim] = anyWorker();
                m_rt.kill(victim);
                refresh(s); // answered after the supervisor has handled the exit
            }
        }
    }
    void refresh(std::size_t s)
    {
        if (m_workers.size() < m_supervisors.size()) m_workers.resize(m_supervisors.size());
        const auto children = sc::whichChildren(m_rt, m_supervisors[s]);
        if (!children) return;
        std::vector<sc::Pid> pids;
        for (const sc::ChildInfo& c : *children)
            if (c.pid) pids.push_back(c.pid);
        if (!pids.empty()) m_workers[s] = std::move(pids);
    }

    sc::Runtime& m_rt;
    std::vector<sc::Pid> m_supervisors;
    std::vector<std::vector<sc::Pid>> m_workers; ///< the churn thread's own
    sc::Pid m_dynamic;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    long m_requested = 0;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace

GuiTick runGuiTick(int processes, unsigned workers)
{
    GuiTick result;
    if (!ensureApplication()) {
        std::fprintf(stderr, "gui_tick: needs a QApplication, not a QCoreApplication\n");
        return result;
    }

    sc::Runtime rt({.workers = workers});
    const int supervisorCount = std::max(1, processes / (workersPerSupervisor + 1));
    std::vector<sc::ChildSpec> children;
    for (int s = 0; s < supervisorCount; ++s) {
        sc::ChildSpec spec;
        spec.id = "s" + std::to_string(s);
        spec.type = sc::ChildType::Supervisor;
        spec.start = [] {
            std::vector<sc::ChildSpec> leaves;
            for (int w = 0; w < workersPerSupervisor; ++w)
                leaves.push_back(idleWorker("w" + std::to_string(w)));
            return std::make_unique<sc::Supervisor>(patient, std::move(leaves));
        };
        children.push_back(std::move(spec));
    }
    sc::ChildSpec dynamicSpec;
    dynamicSpec.id = "dynamic";
    dynamicSpec.type = sc::ChildType::Supervisor;
    dynamicSpec.start = [] {
        return std::make_unique<sc::DynamicSupervisor>(
            sc::DynamicSupervisorFlags {1'000'000, std::chrono::seconds(1), std::nullopt});
    };
    children.push_back(std::move(dynamicSpec));
    const auto root = sc::startSupervisor(rt, "big", patient, std::move(children));
    if (!root) {
        std::fprintf(stderr, "gui_tick: the tree did not start\n");
        return result;
    }
    const auto top = sc::whichChildren(rt, *root);
    if (!top) return result;
    std::vector<sc::Pid> supervisors;
    sc::Pid dynamic = 0;
    for (const sc::ChildInfo& c : *top) {
        if (c.id == "dynamic")
            dynamic = c.pid;
        else
            supervisors.push_back(c.pid);
    }

    {
        sc::ui::ProcessTreeModel model;
        sc::ui::RuntimeBridge bridge(rt);
        QSplitter window;
        auto* graph = new sc::ui::TreeGraphView(&window);
        auto* table = new QTreeView(&window);
        table->setUniformRowHeights(true);
        table->setModel(&model);
        graph->setModel(&model);
        window.resize(1900, 1000);
        window.setSizes({1400, 500});
        // As MainWindow: new subtrees come in expanded.
        const auto expandSubtree = [&](const auto& self, const QModelIndex& index) -> void {
            if (!model.hasChildren(index)) return;
            table->expand(index);
            const int rows = model.rowCount(index);
            for (int row = 0; row < rows; ++row)
                self(self, model.index(row, 0, index));
        };
        QObject::connect(
            &model, &QAbstractItemModel::rowsInserted, table, [&](const QModelIndex& parent, int first, int last) {
                for (int row = first; row <= last; ++row)
                    expandSubtree(expandSubtree, model.index(row, 0, parent));
            });
        QObject::connect(&bridge, &sc::ui::RuntimeBridge::snapshotUpdated, &model, &sc::ui::ProcessTreeModel::apply);
        QObject::connect(&bridge, &sc::ui::RuntimeBridge::eventsArrived, graph, &sc::ui::TreeGraphView::noteEvents);
        window.show();
        bridge.tick();
        graph->layoutNow();
        QCoreApplication::processEvents();

        Churn churn(rt, supervisors, dynamic);
        QEventLoop loop;
        QTimer timer;
        timer.setTimerType(Qt::PreciseTimer);
        int tick = 0;
        QElapsedTimer wall;
        result.latenciesUs.reserve(measuredTicks);
        QObject::connect(&timer, &QTimer::timeout, &loop, [&] {
            if (tick == warmUpTicks) wall.start();
            QElapsedTimer clock;
            clock.start();
            bridge.tick();
            graph->layoutNow();
            const double us = double(clock.nsecsElapsed()) / 1000.0;
            if (tick >= warmUpTicks) result.latenciesUs.push_back(us);
            churn.kick();
            if (++tick == warmUpTicks + measuredTicks) {
                result.seconds = double(wall.nsecsElapsed()) / 1e9;
                timer.stop();
                loop.quit();
            }
        });
        churn.kick();
        timer.start(tickInterval);
        loop.exec();
        result.ticks = static_cast<long>(result.latenciesUs.size());
        result.processes = model.processCount();
    }
    return result;
}

} // namespace sc::bench
