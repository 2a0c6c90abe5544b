// Timeline: the widget of lifecycle marks on a time axis: its input, view
// (follow, scroll, zoom), geometry, mouse and keys, and painting the marks
// and the lane gutter. Where marks go and the ruler are in timelineaxis.cpp.
#include "ui/events/timeline.h"

#include "ui/common/glyphs.h"
#include "ui/common/theme.h"
#include "ui/events/crash.h"

#include <QApplication>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolButton>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <limits>

namespace sc::ui {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double minPixelsPerSecond = 0.05;
constexpr double maxPixelsPerSecond = 1e6;
constexpr double zoomStep = 1.25;
constexpr int lanes = Timeline::LaneCount;

std::optional<Timeline::Lane> laneOf(sc::EventKind kind)
{
    switch (kind) {
    case sc::EventKind::Start:
        return Timeline::StartLane;
    case sc::EventKind::Exit:
        return Timeline::ExitLane;
    case sc::EventKind::Restart:
        return Timeline::RestartLane;
    case sc::EventKind::GiveUp:
        return Timeline::GiveUpLane;
    default:
        return std::nullopt;
    }
}

QString laneName(int lane)
{
    switch (lane) {
    case Timeline::StartLane:
        return Timeline::tr("Start");
    case Timeline::ExitLane:
        return Timeline::tr("Exit");
    case Timeline::RestartLane:
        return Timeline::tr("Restart");
    case Timeline::GiveUpLane:
        return Timeline::tr("Gave up");
    }
    return {};
}

QString laneHelp(int lane)
{
    switch (lane) {
    case Timeline::StartLane:
        return Timeline::tr("A process started (green triangle)");
    case Timeline::ExitLane:
        return Timeline::tr("A process ended: hollow grey circle for normal or shutdown, "
                            "filled red circle for a crash or a kill");
    case Timeline::RestartLane:
        return Timeline::tr("A supervisor restarted a child (blue circular arrow)");
    case Timeline::GiveUpLane:
        return Timeline::tr("A supervisor reached its restart intensity and gave up (dark red cross)");
    }
    return {};
}

} // namespace

Timeline::Timeline(QWidget* parent, int capacity)
    : QWidget(parent)
    , m_capacity(std::max(1, capacity))
    , m_originNs(m_clock.steadyNowNs())
    , m_live(new QToolButton(this))
{
    setObjectName(QStringLiteral("timeline"));
    setAccessibleName(tr("Timeline of lifecycle events"));
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);

    m_live->setObjectName(QStringLiteral("timelineLive"));
    m_live->setText(tr("Live"));
    m_live->setCheckable(true);
    m_live->setChecked(true);
    m_live->setFocusPolicy(Qt::NoFocus);
    m_live->setToolTip(tr("Follow the newest events (End); scroll, drag or press Home to look back"));
    connect(m_live, &QToolButton::toggled, this, &Timeline::setFollowing);

    m_timer.setTimerType(Qt::CoarseTimer);
    connect(&m_timer, &QTimer::timeout, this, &Timeline::followNow);

    updateMetrics();
    m_viewEnd = liveEnd();
}

Timeline::~Timeline() = default;

// -- input --

void Timeline::append(const std::vector<sc::Event>& events)
{
    bool added = false;
    for (const sc::Event& e : events) {
        const std::optional<Lane> lane = laneOf(e.kind);
        if (!lane) continue;
        Mark mark;
        mark.seq = e.seq;
        mark.kind = e.kind;
        mark.lane = *lane;
        mark.crash = isCrash(e);
        mark.timeNs = e.timeNs;
        mark.pid = e.pid;
        mark.parent = e.parent;
        mark.path = QString::fromStdString(e.path);
        mark.reason = QString::fromStdString(e.reason);
        measureLabels(mark);
        m_marks.push_back(std::move(mark));
        place(m_marks.size() - 1);
        added = true;
    }
    if (!added) return;

    while (m_marks.size() > static_cast<std::size_t>(m_capacity))
        m_marks.pop_front();
    while (!m_bursts.empty() && m_bursts.front().lastSeq < m_marks.front().seq)
        m_bursts.pop_front();

    if (m_following) m_viewEnd = liveEnd();
    update();
}

void Timeline::clear()
{
    m_marks.clear();
    m_bursts.clear();
    m_hoverSeq = m_activeSeq = 0;
    relayout();
    if (m_following) m_viewEnd = liveEnd();
    update();
}

// -- view --

void Timeline::setFollowing(bool following)
{
    if (following) m_viewEnd = liveEnd();
    if (m_live->isChecked() != following) {
        const QSignalBlocker block(m_live);
        m_live->setChecked(following);
    }
    m_live->setText(following ? tr("Live") : tr("Go live"));
    if (following != m_following) {
        m_following = following;
        updateTimer();
        Q_EMIT followingChanged(following);
    }
    update();
}

void Timeline::setPixelsPerSecond(double pixelsPerSecond, double anchorX)
{
    pixelsPerSecond = std::clamp(pixelsPerSecond, minPixelsPerSecond, maxPixelsPerSecond);
    if (pixelsPerSecond == m_pixelsPerSecond) return;

    // No anchor: a view that follows keeps following, one scrolled back zooms about its centre.
    const QRectF plot = plotRect();
    const bool anchored = anchorX >= plot.left() && anchorX <= plot.right();
    const bool keepFollowing = m_following && !anchored;
    if (!anchored) anchorX = plot.center().x();
    const double anchorOffset = anchorX - plot.left();
    const double anchor = viewStart() + anchorOffset;
    const std::int64_t anchorTime = timeAtAxisX(anchor);
    // Inside a burst, where the room is made of pixels rather than time, the
    // anchor holds on to the mark before it.
    const std::size_t after = firstIndexFrom(anchor + 1e-9);
    const bool inBurst = after > 0 && after < m_marks.size() && m_marks[after].pushed;
    const double pastMark = inBurst ? anchor - m_marks[after - 1].x : 0;

    m_pixelsPerSecond = pixelsPerSecond;
    relayout();
    updateTimer();
    if (keepFollowing) {
        m_viewEnd = liveEnd();
    } else {
        const double x = inBurst ? m_marks[after - 1].x + std::min(pastMark, m_marks[after].x - m_marks[after - 1].x)
                                 : axisXOf(anchorTime);
        setViewEnd(x - anchorOffset + plotWidth(), false);
    }
    update();
}

void Timeline::scrollBy(double pixels)
{
    setViewEnd(m_viewEnd + pixels);
}

void Timeline::setViewEnd(double end, bool limitPast)
{
    // Never beyond now; and not further into the empty past than the oldest
    // mark, or than the view already is (nothing jumps).
    const double live = liveEnd();
    if (limitPast) end = std::max(end, std::min({oldestEnd(), live, m_viewEnd}));
    end = std::min(end, live);
    if (end >= live - 0.5) {
        setFollowing(true);
        return;
    }
    m_viewEnd = end;
    if (m_following) setFollowing(false);
    update();
}

void Timeline::followNow()
{
    if (!m_following) return;
    m_viewEnd = liveEnd();
    update();
}

void Timeline::updateTimer()
{
    // About a pixel of movement per repaint, but at most 10 repaints a second.
    const int interval = static_cast<int>(std::clamp(1000.0 / m_pixelsPerSecond, 100.0, 1000.0));
    m_timer.setInterval(interval);
    if (m_following && isVisible()) {
        if (!m_timer.isActive()) m_timer.start();
    } else {
        m_timer.stop();
    }
}

double Timeline::liveEnd() const
{
    return axisXOf(m_clock.steadyNowNs()) + std::min(m_rightPad, plotWidth() / 3);
}

double Timeline::oldestEnd() const
{
    if (m_marks.empty()) return liveEnd();
    return m_marks.front().x - m_markSize + plotWidth();
}

// -- layout --

void Timeline::updateMetrics()
{
    // A view scrolled back keeps its oldest mark in view where it was.
    std::uint64_t keptSeq = 0;
    double keptOffset = 0;
    if (const std::size_t first = firstIndexFrom(viewStart()); !m_following && first < m_marks.size()) {
        keptSeq = m_marks[first].seq;
        keptOffset = m_marks[first].x - viewStart();
    }

    const QFontMetrics fm = fontMetrics();
    const int h = fm.height();
    m_laneHeight = h + 2;
    m_rulerHeight = h + 6;
    m_markSize = std::max(10, h - 5);
    m_gapAny = std::max(4.0, m_markSize * 0.55);
    m_gapLane = m_markSize + 3;
    m_rightPad = fm.horizontalAdvance(QLatin1Char('M')) * 7;

    int names = 0;
    for (int lane = 0; lane < LaneCount; ++lane)
        names = std::max(names, fm.horizontalAdvance(laneName(lane)));
    // The Live button sits under the lane names and says "Go live" while scrolled back.
    const QString liveText = m_live->text();
    int button = 0;
    for (const QString& text : {tr("Live"), tr("Go live")}) {
        m_live->setText(text);
        button = std::max(button, m_live->sizeHint().width());
    }
    m_live->setText(liveText);
    m_gutterWidth = std::max(static_cast<int>(m_markSize) + names + 20, button + 8);

    for (Mark& mark : m_marks)
        measureLabels(mark);
    relayout();
    if (m_following) {
        m_viewEnd = liveEnd();
    } else if (const int kept = indexOfSeq(keptSeq); kept >= 0) {
        m_viewEnd = m_marks[static_cast<std::size_t>(kept)].x - keptOffset + plotWidth();
    }
    resizeEvent(nullptr);
    updateGeometry();
    update();
}

void Timeline::measureLabels(Mark& mark) const
{
    const qsizetype slash = mark.path.lastIndexOf(QLatin1Char('/'));
    mark.shortLabel = mark.path.isEmpty() ? tr("pid %1").arg(mark.pid) : mark.path.mid(slash + 1);
    mark.label = mark.shortLabel;
    if (mark.kind == sc::EventKind::Exit && !mark.reason.isEmpty()) {
        const QString reason = mark.reason.size() > 24 ? mark.reason.left(23) + QChar(0x2026) : mark.reason;
        mark.label = tr("%1 (%2)").arg(mark.shortLabel, reason);
    }
    const QFontMetrics fm = fontMetrics();
    mark.shortLabelWidth = fm.horizontalAdvance(mark.shortLabel);
    mark.labelWidth = fm.horizontalAdvance(mark.label);
}

// -- geometry --

QRectF Timeline::plotRect() const
{
    return QRectF(m_gutterWidth, 0, std::max(1, width() - m_gutterWidth), std::max(1, height() - m_rulerHeight));
}

double Timeline::plotWidth() const
{
    return std::max(1, width() - m_gutterWidth);
}

double Timeline::toWidgetX(double axisX) const
{
    return m_gutterWidth + (axisX - viewStart());
}

double Timeline::laneTop(int lane) const
{
    return plotRect().height() * lane / lanes;
}

std::size_t Timeline::firstIndexFrom(double axisX) const
{
    return static_cast<std::size_t>(
        std::lower_bound(m_marks.begin(), m_marks.end(), axisX, [](const Mark& m, double v) { return m.x < v; })
        - m_marks.begin());
}

int Timeline::indexOfSeq(std::uint64_t seq) const
{
    const auto it = std::lower_bound(
        m_marks.begin(), m_marks.end(), seq, [](const Mark& m, std::uint64_t s) { return m.seq < s; });
    return it != m_marks.end() && it->seq == seq ? static_cast<int>(it - m_marks.begin()) : -1;
}

QPointF Timeline::centreOf(const Mark& mark) const
{
    const double laneHeight = plotRect().height() / lanes;
    return {toWidgetX(mark.x), laneTop(mark.lane) + laneHeight / 2};
}

// -- read-only --

std::optional<QPointF> Timeline::markPosition(std::uint64_t seq) const
{
    const int index = indexOfSeq(seq);
    if (index < 0) return std::nullopt;
    const QPointF centre = centreOf(m_marks[static_cast<std::size_t>(index)]);
    if (centre.x() < m_gutterWidth || centre.x() > width()) return std::nullopt;
    return centre;
}

std::uint64_t Timeline::seqAt(const QPoint& pos) const
{
    const QRectF plot = plotRect();
    if (!plot.contains(pos)) return 0;
    const int lane = std::clamp(static_cast<int>(pos.y() / (plot.height() / lanes)), 0, LaneCount - 1);
    const double reach = m_markSize / 2 + 2;
    const double axisX = viewStart() + (pos.x() - plot.left());
    std::uint64_t best = 0;
    double bestDistance = infinity;
    for (std::size_t i = firstIndexFrom(axisX - reach); i < m_marks.size() && m_marks[i].x <= axisX + reach; ++i) {
        if (m_marks[i].lane != lane) continue;
        const double distance = std::abs(m_marks[i].x - axisX);
        if (distance < bestDistance) {
            bestDistance = distance;
            best = m_marks[i].seq;
        }
    }
    return best;
}

std::pair<std::uint64_t, std::uint64_t> Timeline::visibleSeqRange() const
{
    const std::size_t first = firstIndexFrom(viewStart());
    std::size_t last = first;
    while (last < m_marks.size() && m_marks[last].x <= m_viewEnd)
        ++last;
    if (last == first) return {0, 0};
    return {m_marks[first].seq, m_marks[last - 1].seq};
}

int Timeline::visibleMarkCount() const
{
    const std::size_t first = firstIndexFrom(viewStart());
    std::size_t last = first;
    while (last < m_marks.size() && m_marks[last].x <= m_viewEnd)
        ++last;
    return static_cast<int>(last - first);
}

QString Timeline::toolTipFor(std::uint64_t seq) const
{
    const int index = indexOfSeq(seq);
    if (index < 0) return {};
    const Mark& m = m_marks[static_cast<std::size_t>(index)];
    QString text = tr("#%1 %2 at %3")
                       .arg(m.seq)
                       .arg(QString::fromLatin1(sc::eventKindName(m.kind)), wallText(m.timeNs, 1'000'000));
    text += QLatin1Char('\n') + (m.path.isEmpty() ? tr("(no path)") : m.path);
    text += QLatin1Char('\n') + tr("pid %1, parent %2").arg(m.pid).arg(m.parent);
    if (!m.reason.isEmpty()) text += QLatin1Char('\n') + tr("reason: %1").arg(m.reason);
    for (const Burst& burst : m_bursts) {
        if (burst.firstSeq <= seq && seq <= burst.lastSeq) {
            text += QLatin1Char('\n')
                + tr("one of a burst of %1 events within %2").arg(burst.count).arg(durationText(burst.t1 - burst.t0));
            break;
        }
    }
    return text;
}

QSize Timeline::sizeHint() const
{
    return {800, lanes * m_laneHeight + m_rulerHeight};
}

QSize Timeline::minimumSizeHint() const
{
    return {m_gutterWidth + 200, lanes * m_laneHeight + m_rulerHeight};
}

// -- events --

bool Timeline::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QPoint pos = help->pos();
        QString text;
        if (const std::uint64_t seq = seqAt(pos)) {
            text = toolTipFor(seq);
        } else if (pos.x() < m_gutterWidth && pos.y() < plotRect().bottom()) {
            text = laneHelp(static_cast<int>(pos.y() / (plotRect().height() / lanes)));
        } else if (plotRect().contains(pos)) {
            const double axisX = viewStart() + (pos.x() - m_gutterWidth);
            for (const Burst& burst : m_bursts) {
                if (burst.x0 - m_markSize <= axisX && axisX <= burst.x1 + m_markSize) {
                    text = tr("A burst: %1 events within %2, spread out in the order they happened; "
                              "Ctrl+wheel zooms the time axis")
                               .arg(burst.count)
                               .arg(durationText(burst.t1 - burst.t0));
                    break;
                }
            }
        }
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, this);
        }
        return true;
    }
    return QWidget::event(event);
}

void Timeline::resizeEvent(QResizeEvent*)
{
    m_live->setGeometry(4, height() - m_rulerHeight + 2, m_gutterWidth - 8, m_rulerHeight - 4);
    if (m_following) m_viewEnd = liveEnd();
}

void Timeline::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) updateMetrics();
}

void Timeline::showEvent(QShowEvent*)
{
    followNow();
    updateTimer();
}

void Timeline::hideEvent(QHideEvent*)
{
    updateTimer();
}

void Timeline::wheelEvent(QWheelEvent* event)
{
    const QPoint delta = event->angleDelta();
    const double notches = (delta.y() != 0 ? delta.y() : delta.x()) / 120.0;
    if (event->modifiers() & Qt::ControlModifier)
        setPixelsPerSecond(m_pixelsPerSecond * std::pow(zoomStep, notches), event->position().x());
    else
        scrollBy(-notches * plotWidth() / 8); // away from you: back in time
    event->accept();
}

void Timeline::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) return QWidget::mousePressEvent(event);
    m_pressed = true;
    m_dragging = false;
    m_pressPos = event->position().toPoint();
    m_pressViewEnd = m_viewEnd;
}

void Timeline::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    if (m_pressed) {
        if (!m_dragging && (pos - m_pressPos).manhattanLength() >= QApplication::startDragDistance()) {
            m_dragging = true;
            setCursor(Qt::ClosedHandCursor);
        }
        if (m_dragging) setViewEnd(m_pressViewEnd - (pos.x() - m_pressPos.x()));
        return;
    }
    const std::uint64_t seq = seqAt(pos);
    if (seq != m_hoverSeq) {
        m_hoverSeq = seq;
        if (seq)
            setCursor(Qt::PointingHandCursor);
        else
            unsetCursor();
        update();
    }
}

void Timeline::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || !m_pressed) return QWidget::mouseReleaseEvent(event);
    const bool clicked = !m_dragging;
    m_pressed = m_dragging = false;
    unsetCursor();
    if (!clicked) return;
    const std::uint64_t seq = seqAt(event->position().toPoint());
    if (!seq) return;
    const Mark& mark = m_marks[static_cast<std::size_t>(indexOfSeq(seq))];
    m_activeSeq = seq;
    update();
    Q_EMIT eventActivated(mark.pid, mark.path);
}

void Timeline::leaveEvent(QEvent*)
{
    if (m_hoverSeq) {
        m_hoverSeq = 0;
        update();
    }
}

void Timeline::keyPressEvent(QKeyEvent* event)
{
    const bool ctrl = event->modifiers() & Qt::ControlModifier;
    switch (event->key()) {
    case Qt::Key_Left:
        scrollBy(-plotWidth() / 8);
        break;
    case Qt::Key_Right:
        scrollBy(plotWidth() / 8);
        break;
    case Qt::Key_PageUp:
        scrollBy(-plotWidth() * 0.9);
        break;
    case Qt::Key_PageDown:
        scrollBy(plotWidth() * 0.9);
        break;
    case Qt::Key_Home:
        setViewEnd(oldestEnd());
        break;
    case Qt::Key_End:
        setFollowing(true);
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        if (!ctrl) return QWidget::keyPressEvent(event);
        setPixelsPerSecond(m_pixelsPerSecond * zoomStep * zoomStep);
        break;
    case Qt::Key_Minus:
        if (!ctrl) return QWidget::keyPressEvent(event);
        setPixelsPerSecond(m_pixelsPerSecond / (zoomStep * zoomStep));
        break;
    case Qt::Key_0:
        if (!ctrl) return QWidget::keyPressEvent(event);
        setPixelsPerSecond(defaultPixelsPerSecond);
        break;
    default:
        return QWidget::keyPressEvent(event);
    }
    event->accept();
}

// -- painting --

void Timeline::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const QRectF plot = plotRect();
    const double laneHeight = plot.height() / lanes;

    p.fillRect(rect(), pal.color(QPalette::Base));
    for (int lane = 1; lane < LaneCount; lane += 2)
        p.fillRect(QRectF(plot.left(), laneTop(lane), plot.width(), laneHeight), pal.color(QPalette::AlternateBase));

    p.save();
    p.setClipRect(plot);

    // Bursts: a shaded band behind the marks they spread out.
    const double start = viewStart();
    QColor band = theme::matchColor();
    band.setAlpha(50);
    for (const Burst& burst : m_bursts) {
        if (burst.x1 < start - m_markSize || burst.x0 > m_viewEnd + m_markSize) continue;
        p.fillRect(QRectF(QPointF(toWidgetX(burst.x0) - m_markSize * 0.7, plot.top()),
                       QPointF(toWidgetX(burst.x1) + m_markSize * 0.7, plot.bottom())),
            band);
    }

    // Now.
    const double nowX = toWidgetX(axisXOf(m_clock.steadyNowNs()));
    if (nowX >= plot.left() && nowX <= plot.right()) {
        p.setPen(QPen(pal.color(QPalette::Dark), 1.5, Qt::DashLine));
        p.drawLine(QPointF(nowX, plot.top()), QPointF(nowX, plot.bottom()));
    }

    // Marks, then their names where the lane has room.
    const QFontMetrics fm = fontMetrics();
    const double half = m_markSize / 2;
    const double labelReach = fm.horizontalAdvance(QLatin1Char('M')) * 30;
    for (std::size_t i = firstIndexFrom(start - m_markSize); i < m_marks.size(); ++i) {
        const Mark& mark = m_marks[i];
        if (mark.x > m_viewEnd + m_markSize) break;
        const QPointF centre = centreOf(mark);
        paintMark(p, mark, centre);

        const double room = std::min(mark.nextInLane - mark.x, labelReach) - m_markSize - 8;
        const QString* label = mark.labelWidth <= room ? &mark.label
            : mark.shortLabelWidth <= room             ? &mark.shortLabel
                                                       : nullptr;
        if (label && mark.x >= start) {
            p.setPen(pal.color(QPalette::Text));
            p.drawText(QRectF(centre.x() + half + 4, centre.y() - laneHeight / 2, room + 4, laneHeight),
                Qt::AlignLeft | Qt::AlignVCenter, *label);
        }
        if (mark.seq == m_activeSeq || mark.seq == m_hoverSeq) {
            p.setPen(QPen(mark.seq == m_activeSeq ? theme::selectionColor() : pal.color(QPalette::Highlight),
                mark.seq == m_activeSeq ? 3 : 2));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(centre, half + 4, half + 4);
        }
    }
    p.restore();

    paintRuler(p, plot);
    paintGutter(p);
}

void Timeline::paintMark(QPainter& p, const Mark& mark, const QPointF& c) const
{
    const double r = m_markSize / 2;
    switch (mark.kind) {
    case sc::EventKind::Start: {
        const QColor colour = theme::okColor();
        p.setPen(QPen(colour.darker(150), 1));
        p.setBrush(colour);
        const QPointF points[] = {{c.x(), c.y() - r}, {c.x() + r, c.y() + r * 0.8}, {c.x() - r, c.y() + r * 0.8}};
        p.drawPolygon(points, 3);
        break;
    }
    case sc::EventKind::Exit:
        if (mark.crash) {
            const QColor colour = theme::errorColor();
            p.setPen(QPen(colour.darker(150), 1));
            p.setBrush(colour);
            p.drawEllipse(c, r * 0.9, r * 0.9);
        } else {
            p.setPen(QPen(theme::deadColor(), std::max(2.0, m_markSize / 7)));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(c, r * 0.75, r * 0.75);
        }
        break;
    case sc::EventKind::Restart:
        // The tree's restart arrow (ui/common/glyphs.h), so both views mark a restart alike.
        glyphs::drawRestartArrow(p, QRectF(c.x() - 0.9 * r, c.y() - 0.9 * r, 1.8 * r, 1.8 * r), theme::selectionColor(),
                                 std::max(2.0, m_markSize / 6));
        break;
    case sc::EventKind::GiveUp: {
        const double d = r * 0.75;
        glyphs::drawGiveUpCross(p, QRectF(c.x() - d, c.y() - d, 2 * d, 2 * d), theme::errorColor().darker(140),
                                std::max(3.0, m_markSize / 4.5));
        break;
    }
    default:
        break;
    }
}

void Timeline::paintGutter(QPainter& p) const
{
    const QPalette pal = palette();
    const QRectF gutter(0, 0, m_gutterWidth, height());
    p.fillRect(gutter, pal.color(QPalette::Window));
    const double laneHeight = plotRect().height() / lanes;
    for (int lane = 0; lane < LaneCount; ++lane) {
        Mark legend;
        legend.kind = lane == StartLane ? sc::EventKind::Start
            : lane == ExitLane          ? sc::EventKind::Exit
            : lane == RestartLane       ? sc::EventKind::Restart
                                        : sc::EventKind::GiveUp;
        legend.crash = true;
        const double centreY = laneTop(lane) + laneHeight / 2;
        paintMark(p, legend, QPointF(6 + m_markSize / 2, centreY));
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QRectF(m_markSize + 12, laneTop(lane), m_gutterWidth - m_markSize - 12, laneHeight),
            Qt::AlignLeft | Qt::AlignVCenter, laneName(lane));
    }
    p.setPen(QPen(pal.color(QPalette::Mid), 1));
    p.drawLine(QPointF(m_gutterWidth - 0.5, 0), QPointF(m_gutterWidth - 0.5, height()));
}

} // namespace sc::ui
