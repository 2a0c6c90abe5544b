// The scenario worker: the process a scenario's "worker" node starts. It
// traps exits, crashes on the cast "crash", stops on a StopRequest, and
// takes its stop_delay_ms to terminate, unless the run's Teardown is
// finished. Internal to sc_scenario (the tree builder starts workers, the
// session stops and crashes them). Threading: Teardown is thread-safe; a
// ScenarioWorker runs on the runtime's workers as any GenServer.
#pragma once

#include "core/base/exitreason.h"
#include "core/runtime/genserver.h"

#include <any>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace sc {

/// Shared by one run's workers. A terminate that is still sleeping out its
/// stop_delay_ms when the run ends returns early, so teardown is not held up.
class Teardown {
public:
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
    std::chrono::milliseconds m_stopDelay;
    std::shared_ptr<Teardown> m_teardown;
};

} // namespace sc
