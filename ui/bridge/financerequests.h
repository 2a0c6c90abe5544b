// The bridge's finance API: the finance console's requests to the finance
// services of our runtime, run off the GUI thread, and whether those
// services are there at all.
//
// Threading: lives on the GUI thread; every member is called there. perform()
// and reportTotals() return at once: the FinanceClient call runs on this
// object's own threads (it waits for the service, at most the client's
// timeout), and `done` runs later on the GUI thread, through a queued call,
// unless `context` was deleted first. servicesRegistered() reads the
// runtime's registry (Runtime::whereis: a short lock, never a wait for a
// process). The Runtime must outlive this object; the destructor waits for
// calls still running.
#pragma once

#include "core/finance/finance.h"
#include "ui/bridge/handoff.h"

#include <QObject>
#include <QPointer>
#include <functional>
#include <string>

namespace sc::ui {

class FinanceRequests : public QObject {
    Q_OBJECT

public:
    using ReplyHandler = std::function<void(const sc::Result<sc::finance::Reply>&)>;
    using ReportHandler = std::function<void(const sc::Result<sc::finance::Report>&)>;

    explicit FinanceRequests(sc::Runtime& runtime, QObject* parent = nullptr);
    ~FinanceRequests() override;

    /// Whether any finance service is registered right now: the tree runs
    /// while any of them is (a single service restarting leaves the others;
    /// a replaced or stopped tree none).
    bool servicesRegistered() const;

    /// FinanceClient::perform(request, user, amount) off the GUI thread;
    /// `done` gets its answer on the GUI thread while `context` lives.
    void perform(sc::finance::Request request, std::string user, sc::Money amount, QObject* context,
        ReplyHandler done);
    /// FinanceClient::reportTotals() the same way.
    void reportTotals(QObject* context, ReportHandler done);

private:
    /// Runs `call` on a pool thread and hands its result to `done` on the GUI thread.
    template <typename T> void run(std::function<T()> call, QObject* context, std::function<void(const T&)> done);

    sc::Runtime& m_runtime;
    // FinanceClient keeps no state between calls, so the pool's threads share it.
    sc::finance::FinanceClient m_client;
    // A call waits for its service (and its ledger flush); a few threads keep
    // one slow or timed-out call from holding up the others.
    JobPool m_calls {4}; // last: destroyed (and waited for) first
};

} // namespace sc::ui
