// RuntimeSeries: counting restarts and donations per second (runtimeseries.h).
#include "ui/charts/runtimeseries.h"

#include "ui/bridge/ledgerfeed.h"

#include <QDateTime>
#include <cmath>
#include <limits>

namespace sc::ui {

namespace {

sc::Money plusSaturating(sc::Money a, sc::Money b)
{
    auto sum = a.plus(b);
    if (sum) return *sum;
    return b > sc::Money() ? sc::Money::max() : sc::Money::min();
}

/// Seconds since the epoch of an ISO-8601 UTC time ("2026-01-31T12:00:00.123Z"); NaN if unreadable.
double parseTime(const std::string& text)
{
    const QDateTime t = QDateTime::fromString(QString::fromStdString(text), Qt::ISODateWithMs);
    return t.isValid() ? static_cast<double>(t.toMSecsSinceEpoch()) / 1000.0 : std::numeric_limits<double>::quiet_NaN();
}

} // namespace

RuntimeSeries::RuntimeSeries(double origin, double keepSeconds)
    : m_origin(origin)
    , m_keepSeconds(keepSeconds)
{
}

std::int64_t RuntimeSeries::secondOf(double t)
{
    return static_cast<std::int64_t>(std::floor(t));
}

void RuntimeSeries::addRestart(double t)
{
    ++m_restarts[secondOf(t)];
}

void RuntimeSeries::addLedgerRecords(const std::vector<sc::LedgerRecord>& records, double now)
{
    const std::int64_t first = secondOf(m_origin);
    for (const sc::LedgerRecord& r : records) {
        if (r.id != 0) {
            if (r.id <= m_lastRecordId) continue;
            m_lastRecordId = r.id;
        }
        if (!isAcceptedDonation(r)) continue;
        m_donatedTotal = plusSaturating(m_donatedTotal, r.amount);
        double t = parseTime(r.time);
        if (std::isnan(t)) t = now;
        const std::int64_t second = secondOf(t);
        if (second < first || second < secondOf(now - m_keepSeconds)) {
            m_donatedBefore = plusSaturating(m_donatedBefore, r.amount);
            continue;
        }
        Donations& d = m_donations[second];
        ++d.count;
        d.sum = plusSaturating(d.sum, r.amount);
    }
}

void RuntimeSeries::trim(double cut)
{
    const std::int64_t first = secondOf(cut);
    m_restarts.erase(m_restarts.begin(), m_restarts.lower_bound(first));
    const auto end = m_donations.lower_bound(first);
    for (auto it = m_donations.begin(); it != end; ++it)
        m_donatedBefore = plusSaturating(m_donatedBefore, it->second.sum);
    m_donations.erase(m_donations.begin(), end);
}

std::vector<std::pair<std::int64_t, sc::Money>> RuntimeSeries::runningTotal(double now) const
{
    // One step per second, from the first second kept to now.
    const std::int64_t nowSecond = secondOf(now);
    std::int64_t second = std::max(secondOf(m_origin), secondOf(now - m_keepSeconds));
    const std::int64_t last = m_donations.empty() ? nowSecond : std::max(nowSecond, m_donations.rbegin()->first);
    sc::Money running = m_donatedBefore;
    auto bucket = m_donations.begin();
    std::vector<std::pair<std::int64_t, sc::Money>> steps;
    for (; second <= last; ++second) {
        for (; bucket != m_donations.end() && bucket->first <= second; ++bucket)
            running = plusSaturating(running, bucket->second.sum);
        steps.emplace_back(second, running);
    }
    return steps;
}

} // namespace sc::ui
