// WallClock's conversions (wallclock.h).
#include "ui/common/wallclock.h"

namespace sc::ui {

namespace {

std::int64_t nanoseconds(auto sinceEpoch)
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(sinceEpoch).count();
}

double seconds(auto sinceEpoch)
{
    return std::chrono::duration<double>(sinceEpoch).count();
}

} // namespace

WallClock::Source WallClock::system()
{
    return {[] { return std::chrono::steady_clock::now(); }, [] { return std::chrono::system_clock::now(); }};
}

WallClock::WallClock(Source source)
    : m_steady(std::move(source.steady))
{
    const auto wall = source.wall().time_since_epoch();
    const auto steady = m_steady().time_since_epoch();
    m_originSeconds = seconds(wall);
    m_steadyToWallNs = nanoseconds(wall) - nanoseconds(steady);
    m_steadyToWallSeconds = static_cast<double>(m_steadyToWallNs) / 1e9;
}

std::int64_t WallClock::steadyNowNs() const
{
    return nanoseconds(m_steady().time_since_epoch());
}

double WallClock::toWallSeconds(std::int64_t steadyNs) const
{
    return static_cast<double>(steadyNs) / 1e9 + m_steadyToWallSeconds;
}

double WallClock::nowSeconds() const
{
    return seconds(m_steady().time_since_epoch()) + m_steadyToWallSeconds;
}

QDateTime WallClock::toDateTime(std::int64_t steadyNs) const
{
    return QDateTime::fromMSecsSinceEpoch(toWallNs(steadyNs) / 1'000'000);
}

} // namespace sc::ui
