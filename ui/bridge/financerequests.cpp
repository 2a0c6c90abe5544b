// The bridge's finance API (financerequests.h).
#include "ui/bridge/financerequests.h"

#include <algorithm>

namespace sc::ui {

FinanceRequests::FinanceRequests(sc::Runtime& runtime, QObject* parent)
    : QObject(parent)
    , m_runtime(runtime)
    , m_client(runtime)
{
}

FinanceRequests::~FinanceRequests()
{
    m_calls.clear();
    m_calls.waitForDone();
}

bool FinanceRequests::servicesRegistered() const
{
    const sc::Runtime& rt = m_runtime;
    const auto& names = sc::finance::kServiceNames;
    return std::any_of(names.begin(), names.end(), [&rt](const char* name) { return rt.whereis(name) != 0; });
}

template <typename T>
void FinanceRequests::run(std::function<T()> call, QObject* context, std::function<void(const T&)> done)
{
    // The handler stays on the GUI thread, where its context is deleted; only the call and its result travel.
    auto handler = [context = QPointer<QObject>(context), done = std::move(done)](const T& result) {
        if (context) done(result);
    };
    m_calls.start([this, call = std::move(call), handler = std::move(handler)]() mutable {
        T result = call();
        // This object outlives every job (its destructor waits for them), and
        // a queued call to a deleted object is dropped: `this` is safe here.
        postTo(this, [handler = std::move(handler), result = std::move(result)] { handler(result); });
    });
}

void FinanceRequests::perform(
    sc::finance::Request request, std::string user, sc::Money amount, QObject* context, ReplyHandler done)
{
    sc::finance::FinanceClient* client = &m_client;
    run<sc::Result<sc::finance::Reply>>(
        [client, request, user = std::move(user), amount] { return client->perform(request, user, amount); }, context,
        std::move(done));
}

void FinanceRequests::reportTotals(QObject* context, ReportHandler done)
{
    sc::finance::FinanceClient* client = &m_client;
    run<sc::Result<sc::finance::Report>>([client] { return client->reportTotals(); }, context, std::move(done));
}

} // namespace sc::ui
