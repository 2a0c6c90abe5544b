// RuntimeSeries: what the Charts panel counts, second by second, apart from
// how it is drawn: supervisor restarts from the runtime's events, accepted
// donations from the ledger's typed records, and the money donated so far.
//
// Threading: a plain value, used on the GUI thread by RuntimeChart.
#pragma once

#include "core/finance/ledger.h"
#include "core/finance/money.h"

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace sc::ui {

/// Counts per whole second of wall-clock time (seconds since the Unix epoch),
/// kept for the last `keepSeconds`; money stays exact (sc::Money, saturating).
class RuntimeSeries {
public:
    struct Donations {
        int count = 0;
        sc::Money sum;
    };

    /// `origin`: when the chart began, in seconds since the epoch.
    RuntimeSeries(double origin, double keepSeconds);

    /// The second (since the epoch) that time `t` falls in.
    static std::int64_t secondOf(double t);

    /// One more restart in the second of `t`.
    void addRestart(double t);
    /// Counts accepted donation and pool_donation records in the second of
    /// their own time (`now` if it cannot be read). Records whose id was
    /// given before are ignored, so overlapping batches are safe. Records
    /// from before the origin or the kept seconds only add to the total.
    void addLedgerRecords(const std::vector<sc::LedgerRecord>& records, double now);
    /// Forgets the seconds before `cut`; their donations stay in the total.
    void trim(double cut);

    const std::map<std::int64_t, int>& restarts() const { return m_restarts; }
    const std::map<std::int64_t, Donations>& donations() const { return m_donations; }
    /// Everything donated that was given, exactly.
    sc::Money donatedTotal() const { return m_donatedTotal; }
    /// The money donated by the end of each second, from the first second
    /// kept at `now` to now (or to the newest donation, if later).
    std::vector<std::pair<std::int64_t, sc::Money>> runningTotal(double now) const;

private:
    double m_origin;
    double m_keepSeconds;
    std::map<std::int64_t, int> m_restarts; ///< per second
    std::map<std::int64_t, Donations> m_donations; ///< per second, accepted only
    sc::Money m_donatedBefore; ///< donated in seconds no longer kept
    sc::Money m_donatedTotal;
    std::int64_t m_lastRecordId = 0;
};

} // namespace sc::ui
