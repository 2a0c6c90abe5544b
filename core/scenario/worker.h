// The scenario worker: the process a scenario's "worker" node starts. Its
// init does what the node's `init` says for this start of its path, traps
// exits unless `trap_exit` is false, and links to its `links`; it crashes on
// the cast "crash", stops on a StopRequest, and takes its stop_delay_ms to
// terminate, unless the run's Teardown is finished. Internal to sc_scenario (the tree builder starts workers, the
// session stops and crashes them). Threading: Teardown is thread-safe; a
// ScenarioWorker runs on the runtime's workers as any GenServer.
#pragma once

#include "core/base/exitreason.h"
#include "core/runtime/genserver.h"
#include "core/runtime/runtime.h"
#include "core/scenario/types.h"

#include <any>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

namespace sc {

/// Shared by one run's processes. A terminate that is still sleeping out its
/// stop_delay_ms when the run ends returns early, so teardown is not held up.
/// It also counts each path's starts (a node's `init` outcomes are per path
/// across the run) and knows the latest process started at each path (what
/// `links` name).
class Teardown {
public:
    /// This start's number for `path`, from 0.
    std::size_t nextStart(const std::string& path)
    {
        std::lock_guard lock(m_mutex);
        return m_starts[path]++;
    }
    void started(const std::string& path, Pid pid)
    {
        std::lock_guard lock(m_mutex);
        m_latest[path] = pid;
    }
    /// The latest process started at `path` (0 if none); it may have ended since.
    Pid latest(const std::string& path) const
    {
        std::lock_guard lock(m_mutex);
        auto it = m_latest.find(path);
        return it == m_latest.end() ? 0 : it->second;
    }
    void sleepFor(std::chrono::milliseconds delay)
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
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_done = false;
    std::map<std::string, std::size_t> m_starts;
    std::map<std::string, Pid> m_latest;
};

struct StopRequest {
    ExitReason reason;
};

class ScenarioWorker : public GenServer {
public:
    ScenarioWorker(std::shared_ptr<const ScenarioNode> node, std::shared_ptr<Teardown> teardown)
        : m_node(std::move(node))
        , m_stopDelay(m_node->stopDelayMs)
        , m_teardown(std::move(teardown))
    {
    }

    Next init() override
    {
        // As the oracle's worker: count the attempt, trap, link, then the outcome
        // (a link made before a failed init carries its exit).
        const std::size_t n = m_teardown->nextStart(path());
        trapExits(m_node->trapExit);
        for (const auto& to : m_node->links)
            // One that died since is skipped as OTP does: link/1 to it would be noproc.
            if (const Pid pid = m_teardown->latest(to); pid && runtime().isAlive(pid)) (void)link(pid);
        switch (n < m_node->init.size() ? m_node->init[n] : ScenarioNode::Init::Ok) {
        case ScenarioNode::Init::Crash:
            throw std::runtime_error("injected init crash");
        case ScenarioNode::Init::Ignore:
            return Next::ignore();
        case ScenarioNode::Init::Ok:
            break;
        }
        m_teardown->started(path(), self());
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
    std::shared_ptr<const ScenarioNode> m_node;
    std::chrono::milliseconds m_stopDelay;
    std::shared_ptr<Teardown> m_teardown;
};

} // namespace sc
