// The scenario controller's thread and session (scenariocontroller.h).
#include "ui/bridge/scenariocontroller.h"

#include "ui/bridge/handoff.h"
#include "ui/bridge/runtimebridge.h"

#include <atomic>
#include <functional>
#include <future>
#include <mutex>

namespace sc::ui {

namespace {

/// How long a load waits for the previous tree to stop.
constexpr std::chrono::seconds kStopTimeout {30};

} // namespace

// -- the worker thread --

/// Runs jobs one at a time on its own thread. The session is the worker
/// thread's alone; `current` is the same session for cancel() from the GUI thread.
class ScenarioController::Worker {
public:
    explicit Worker(sc::Runtime& rt)
        : runtime(rt)
    {
    }

    ~Worker()
    {
        {
            std::lock_guard lock(m_mutex);
            if (m_current) m_current->cancel();
        }
        m_thread.clear();
        m_thread.waitForDone();
        // Unsubscribes; the tree itself runs on until the runtime ends it.
        session.reset();
    }

    void post(std::function<void()> job) { m_thread.start(std::move(job)); }

    /// GUI thread: a newer load supersedes everything queued or running.
    void supersede(int generation)
    {
        latest.store(generation);
        std::lock_guard lock(m_mutex);
        if (m_current) m_current->cancel();
    }

    /// Worker thread: the session that cancel() reaches.
    void setCurrent(std::shared_ptr<sc::ScenarioSession> s)
    {
        std::lock_guard lock(m_mutex);
        m_current = std::move(s);
    }

    sc::Runtime& runtime;
    std::atomic<int> latest {0};
    // -- worker thread only --
    std::shared_ptr<sc::ScenarioSession> session;
    int sessionGeneration = 0;

private:
    std::mutex m_mutex;
    std::shared_ptr<sc::ScenarioSession> m_current;
    JobPool m_thread {1};
};

// -- ScenarioController --

ScenarioController::ScenarioController(RuntimeBridge& bridge, QObject* parent)
    : QObject(parent)
    , m_worker(std::make_unique<Worker>(bridge.runtime()))
{
}

ScenarioController::~ScenarioController()
{
    m_worker.reset();
}

void ScenarioController::supersede(int generation)
{
    m_worker->supersede(generation);
}

void ScenarioController::load(int generation, std::shared_ptr<const sc::Scenario> scenario,
    const sc::SessionOptions& options, const QString& refusal)
{
    Worker* worker = m_worker.get();
    m_worker->post([this, worker, generation, options, scenario = std::move(scenario), refusal] {
        if (worker->session) {
            // The old tree must be gone, its names released, before the new one registers its own.
            if (auto stopped = worker->session->stopTree(kStopTimeout); !stopped)
                qWarning("scenario player: the previous tree did not stop: %s", stopped.error().toString().c_str());
            worker->setCurrent(nullptr);
            worker->session.reset();
        }
        if (generation != worker->latest.load()) return; // a newer load follows
        if (!refusal.isEmpty()) { // after the old tree stopped: one tree's state at a time
            postTo(this, [this, generation, refusal] { Q_EMIT loadFailed(generation, refusal); });
            return;
        }
        auto session = std::make_shared<sc::ScenarioSession>(worker->runtime, *scenario, options);
        worker->session = session;
        worker->sessionGeneration = generation;
        worker->setCurrent(session);
        const auto root = session->startTree();
        if (!root) {
            worker->setCurrent(nullptr);
            worker->session.reset();
            const QString message
                = QStringLiteral("the tree did not start: %1").arg(QString::fromStdString(root.error().toString()));
            postTo(this, [this, generation, message] { Q_EMIT loadFailed(generation, message); });
            return;
        }
        session->settle();
        postTo(this, [this, generation, pid = *root] { Q_EMIT treeStarted(generation, pid); });
    });
}

bool ScenarioController::stopTree(std::chrono::milliseconds timeout)
{
    auto done = std::make_shared<std::promise<bool>>();
    auto stopped = done->get_future();
    Worker* worker = m_worker.get();
    m_worker->post([worker, timeout, done] {
        bool ok = true;
        if (worker->session) {
            auto status = worker->session->stopTree(timeout);
            if (!status) qWarning("scenario player: the tree did not stop: %s", status.error().toString().c_str());
            ok = status.ok();
            worker->setCurrent(nullptr);
            worker->session.reset();
        }
        done->set_value(ok);
    });
    return stopped.get();
}

void ScenarioController::perform(int generation, int index, std::chrono::milliseconds quiescenceTimeout)
{
    const auto timeoutSeconds = quiescenceTimeout.count() / 1000.0;
    Worker* worker = m_worker.get();
    m_worker->post([this, worker, generation, index, timeoutSeconds] {
        if (!worker->session || worker->sessionGeneration != generation) return; // superseded by a load
        auto outcome = worker->session->perform(std::size_t(index));
        const bool quiet = worker->session->settle();
        if (!quiet && !worker->session->isCancelled())
            outcome.answer
                += " (the runtime was still busy " + QString::number(timeoutSeconds).toStdString() + " s later)";
        // The step's cascade is over: a root that ended with it ends the scenario before the next
        // step could start, even if the window's bridge has not drained the root's exit yet.
        const bool rootAlive = worker->runtime.isAlive(worker->session->root());
        postTo(this,
            [this, generation, index, ok = outcome.ok, answer = QString::fromStdString(outcome.answer), rootAlive] {
                Q_EMIT stepDone(generation, index, ok, answer, rootAlive);
            });
    });
}

} // namespace sc::ui
