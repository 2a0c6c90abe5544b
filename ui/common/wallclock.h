// WallClock: the one mapping from the steady clock, which stamps the
// runtime's events (sc::Event::timeNs), to the wall clock that people read
// and the audit ledger stamps its records with (sc::LedgerRecord::time).
//
// Threading: a plain value, made and read on the GUI thread by the views
// that show event times (event log, timeline, charts). Reading calls the
// steady clock function it was given; nothing blocks.
#pragma once

#include <QDateTime>
#include <chrono>
#include <cstdint>
#include <functional>

namespace sc::ui {

/// Reads both clocks once, at construction, and keeps their difference: the
/// views then place an event where its steady stamp says, even if the wall
/// clock is set forward or back later.
class WallClock {
public:
    /// Where the time is read. Tests pass fakes.
    struct Source {
        std::function<std::chrono::steady_clock::time_point()> steady;
        std::function<std::chrono::system_clock::time_point()> wall;
    };
    /// The machine's steady and system clocks.
    static Source system();

    explicit WallClock(Source source = system());

    /// The steady clock now, in the nanoseconds of sc::Event::timeNs.
    std::int64_t steadyNowNs() const;
    /// Wall-clock time minus steady time, in nanoseconds.
    std::int64_t steadyToWallNs() const { return m_steadyToWallNs; }
    /// The wall-clock time of a steady stamp, in nanoseconds since the Unix epoch.
    std::int64_t toWallNs(std::int64_t steadyNs) const { return steadyNs + m_steadyToWallNs; }
    /// The steady stamp of a wall-clock time in nanoseconds since the Unix epoch.
    std::int64_t toSteadyNs(std::int64_t wallNs) const { return wallNs - m_steadyToWallNs; }
    /// The same in seconds since the Unix epoch (the charts' time axis).
    double toWallSeconds(std::int64_t steadyNs) const;
    double nowSeconds() const;
    /// The wall-clock time when this clock was made, in seconds since the Unix epoch.
    double originSeconds() const { return m_originSeconds; }
    /// The wall-clock time of a steady stamp to the millisecond, in local time.
    QDateTime toDateTime(std::int64_t steadyNs) const;

private:
    std::function<std::chrono::steady_clock::time_point()> m_steady;
    std::int64_t m_steadyToWallNs = 0;
    double m_steadyToWallSeconds = 0;
    double m_originSeconds = 0;
};

} // namespace sc::ui
