// The time axis of the Timeline: where each mark goes (time at
// pixelsPerSecond, pushed right so that no two marks overlap, the runs of
// pushed marks kept as bursts), the conversions between time and axis x,
// and the ruler with its wall-clock ticks. The widget, its input and its
// marks are in timeline.cpp.
#include "ui/events/timeline.h"

#include <QPainter>
#include <algorithm>
#include <iterator>
#include <limits>

namespace sc::ui {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();


// Ruler steps: 1-2-5 up to seconds, then the clock's own.
constexpr std::int64_t rulerSteps[] = {1'000, 2'000, 5'000, 10'000, 20'000, 50'000, 100'000, 200'000, 500'000,
    1'000'000, 2'000'000, 5'000'000, 10'000'000, 20'000'000, 50'000'000, 100'000'000, 200'000'000, 500'000'000,
    1'000'000'000, 2'000'000'000, 5'000'000'000, 10'000'000'000, 15'000'000'000, 30'000'000'000, 60'000'000'000,
    120'000'000'000, 300'000'000'000, 600'000'000'000, 900'000'000'000, 1'800'000'000'000, 3'600'000'000'000,
    7'200'000'000'000, 21'600'000'000'000, 43'200'000'000'000, 86'400'000'000'000};

} // namespace

// -- layout --

void Timeline::relayout()
{
    m_bursts.clear();
    m_drift = 0;
    m_lastX = -infinity;
    m_lastAxisNs = std::numeric_limits<std::int64_t>::min();
    std::fill(std::begin(m_lastLaneSeq), std::end(m_lastLaneSeq), 0);
    std::fill(std::begin(m_lastLaneX), std::end(m_lastLaneX), -infinity);
    for (std::size_t i = 0; i < m_marks.size(); ++i)
        place(i);
}

void Timeline::place(std::size_t index)
{
    if (index == 0) {
        // The first mark (after a clear or a relayout) starts the axis afresh.
        m_drift = 0;
        m_lastX = -infinity;
        m_lastAxisNs = std::numeric_limits<std::int64_t>::min();
        std::fill(std::begin(m_lastLaneSeq), std::end(m_lastLaneSeq), 0);
        std::fill(std::begin(m_lastLaneX), std::end(m_lastLaneX), -infinity);
    }
    Mark& mark = m_marks[index];
    mark.axisNs = std::max(mark.timeNs, m_lastAxisNs);
    const double natural = plainX(mark.axisNs) + m_drift;
    mark.x = std::max({natural, m_lastX + m_gapAny, m_lastLaneX[mark.lane] + m_gapLane});
    mark.pushed = mark.x > natural + 1e-6;
    mark.drift = mark.x - plainX(mark.axisNs);
    mark.nextInLane = infinity;

    if (m_lastLaneSeq[mark.lane] != 0) {
        const int previous = indexOfSeq(m_lastLaneSeq[mark.lane]);
        if (previous >= 0) m_marks[static_cast<std::size_t>(previous)].nextInLane = mark.x;
    }
    if (mark.pushed && index > 0) {
        const Mark& before = m_marks[index - 1];
        if (!m_bursts.empty() && m_bursts.back().lastSeq == before.seq) {
            Burst& burst = m_bursts.back();
            burst.lastSeq = mark.seq;
            burst.x1 = mark.x;
            burst.t1 = mark.axisNs;
            ++burst.count;
        } else {
            m_bursts.push_back({before.seq, mark.seq, before.x, mark.x, before.axisNs, mark.axisNs, 2});
        }
    }

    m_drift = mark.drift;
    m_lastX = mark.x;
    m_lastAxisNs = mark.axisNs;
    m_lastLaneSeq[mark.lane] = mark.seq;
    m_lastLaneX[mark.lane] = mark.x;
}

double Timeline::plainX(std::int64_t ns) const
{
    return static_cast<double>(ns - m_originNs) * 1e-9 * m_pixelsPerSecond;
}

double Timeline::axisXOf(std::int64_t ns) const
{
    if (m_marks.empty()) return plainX(ns) + m_drift;
    const auto after = std::upper_bound(
        m_marks.begin(), m_marks.end(), ns, [](std::int64_t t, const Mark& m) { return t < m.axisNs; });
    const double drift = after == m_marks.begin() ? m_marks.front().drift : std::prev(after)->drift;
    return plainX(ns) + drift;
}

std::int64_t Timeline::timeAtAxisX(double x) const
{
    const double nsPerPixel = 1e9 / m_pixelsPerSecond;
    if (m_marks.empty()) return m_originNs + static_cast<std::int64_t>((x - m_drift) * nsPerPixel);
    const auto after
        = std::upper_bound(m_marks.begin(), m_marks.end(), x, [](double v, const Mark& m) { return v < m.x; });
    if (after == m_marks.begin())
        return m_marks.front().axisNs - static_cast<std::int64_t>((m_marks.front().x - x) * nsPerPixel);
    const Mark& before = *std::prev(after);
    std::int64_t t = before.axisNs + static_cast<std::int64_t>((x - before.x) * nsPerPixel);
    if (after != m_marks.end()) t = std::min(t, after->axisNs);
    return t;
}

// -- ruler --

QString Timeline::durationText(std::int64_t ns)
{
    if (ns < 1'000) return Timeline::tr("%1 ns").arg(ns);
    if (ns < 1'000'000) return Timeline::tr("%1 µs").arg(ns / 1'000);
    if (ns < 10'000'000) return Timeline::tr("%1 ms").arg(static_cast<double>(ns) / 1e6, 0, 'f', 1);
    if (ns < 1'000'000'000) return Timeline::tr("%1 ms").arg(ns / 1'000'000);
    return Timeline::tr("%1 s").arg(static_cast<double>(ns) / 1e9, 0, 'f', 1);
}

QString Timeline::wallText(std::int64_t steadyNs, std::int64_t stepNs) const
{
    const std::int64_t wallNs = m_clock.toWallNs(steadyNs);
    const QDateTime time = m_clock.toDateTime(steadyNs);
    if (stepNs >= 1'000'000'000) return time.toString(QStringLiteral("HH:mm:ss"));
    QString text = time.toString(QStringLiteral("HH:mm:ss.zzz"));
    if (stepNs < 1'000'000) text += QStringLiteral("%1").arg((wallNs / 1'000) % 1'000, 3, 10, QLatin1Char('0'));
    return text;
}

void Timeline::paintRuler(QPainter& p, const QRectF& plot) const
{
    const QPalette pal = palette();
    const QFontMetrics fm = fontMetrics();
    const QRectF ruler(plot.left(), plot.bottom(), plot.width(), m_rulerHeight);
    p.fillRect(ruler, pal.color(QPalette::Window));
    p.setPen(QPen(pal.color(QPalette::Mid), 1));
    p.drawLine(ruler.topLeft(), ruler.topRight());

    p.save();
    p.setClipRect(ruler);
    const double start = viewStart();
    const double em = fm.horizontalAdvance(QLatin1Char('M'));
    std::vector<std::pair<double, double>> taken; // label extents already drawn
    const auto free = [&taken](double left, double right) {
        return std::none_of(taken.begin(), taken.end(),
            [=](const std::pair<double, double>& t) { return left < t.second && right > t.first; });
    };
    const auto draw = [&](double left, const QString& text, const QColor& colour) {
        const double w = fm.horizontalAdvance(text);
        if (left < ruler.left() || left + w > ruler.right() || !free(left - em / 2, left + w + em / 2)) return;
        p.setPen(colour);
        p.drawText(QRectF(left, ruler.top(), w + 2, ruler.height()), Qt::AlignLeft | Qt::AlignVCenter, text);
        taken.emplace_back(left - em / 2, left + w + em / 2);
    };

    // Bursts first: inside one, time hardly moves, so no tick would say anything.
    for (const Burst& burst : m_bursts) {
        if (burst.x1 < start - m_markSize || burst.x0 > m_viewEnd + m_markSize) continue;
        const double left = toWidgetX(burst.x0) - m_markSize * 0.7;
        const double right = toWidgetX(burst.x1) + m_markSize * 0.7;
        const double mid = (left + right) / 2;
        for (const QString& text : {tr("%1 events in %2").arg(burst.count).arg(durationText(burst.t1 - burst.t0)),
                 tr("%1 in %2").arg(burst.count).arg(durationText(burst.t1 - burst.t0))}) {
            const double w = fm.horizontalAdvance(text);
            if (w <= right - left) {
                double x = std::min(mid - w / 2, std::min(right, ruler.right()) - w);
                x = std::max(x, std::max(left, ruler.left()));
                draw(x, text, pal.color(QPalette::WindowText));
                break;
            }
        }
        taken.emplace_back(left, right);
    }

    // Now.
    const double nowX = toWidgetX(axisXOf(m_clock.steadyNowNs()));
    draw(nowX + 4, tr("now"), pal.color(QPalette::WindowText));

    // Ticks on round wall-clock times, as far apart as a label needs.
    const std::int64_t t0 = timeAtAxisX(start);
    const std::int64_t t1 = timeAtAxisX(m_viewEnd);
    std::int64_t step = rulerSteps[std::size(rulerSteps) - 1];
    for (const std::int64_t candidate : rulerSteps) {
        const double needed = fm.horizontalAdvance(wallText(t0, candidate)) + 2 * em;
        if (static_cast<double>(candidate) * 1e-9 * m_pixelsPerSecond >= needed) {
            step = candidate;
            break;
        }
    }
    QColor grid = pal.color(QPalette::Mid);
    grid.setAlpha(90);
    const std::int64_t firstWall = m_clock.toWallNs(t0) / step * step + step;
    int guard = 0;
    for (std::int64_t wall = firstWall; m_clock.toSteadyNs(wall) <= t1 && guard < 500; wall += step, ++guard) {
        const std::int64_t t = m_clock.toSteadyNs(wall);
        const double x = toWidgetX(axisXOf(t));
        p.setPen(QPen(pal.color(QPalette::Mid), 1));
        p.drawLine(QPointF(x, ruler.top()), QPointF(x, ruler.top() + 5));
        const QString text = wallText(t, step);
        draw(x - fm.horizontalAdvance(text) / 2.0, text, pal.color(QPalette::WindowText));
    }
    p.restore();

    // Faint grid lines up through the lanes at the same ticks.
    p.save();
    p.setClipRect(plot);
    p.setPen(QPen(grid, 1));
    guard = 0;
    for (std::int64_t wall = firstWall; m_clock.toSteadyNs(wall) <= t1 && guard < 500; wall += step, ++guard) {
        const double x = toWidgetX(axisXOf(m_clock.toSteadyNs(wall)));
        p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    }
    p.restore();
}

} // namespace sc::ui
