// Threading: GUI thread only. append() copies what it keeps; the widget never
// calls the runtime. A timer repaints while it follows live and is visible.
#pragma once

#include "core/runtime/events.h"
#include "ui/common/wallclock.h"

#include <QTimer>
#include <QWidget>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

class QToolButton;

namespace sc::ui {

/// The recent lifecycle events as marks on a time axis, newest at the right,
/// one lane per kind: start (green triangle), exit (a circle: hollow grey for
/// normal and shutdown, filled red for a crash or a kill), restart (blue
/// circular arrow), gave up (dark red cross). Lane names and shapes say what
/// the colours say. A mark is labelled with the process's short name when
/// there is room before the next mark of its lane; hovering shows the whole
/// event, clicking one emits eventActivated.
///
/// The axis is time at pixelsPerSecond(), except that marks never overlap:
/// a mark closer than a few pixels to the previous one is pushed right, in
/// sequence order, and the axis keeps that extra room from then on. A run of
/// pushed marks (a restart cascade within milliseconds) is a burst: it is
/// shaded and the ruler says how many events it holds and how long it took.
///
/// It follows live (the right edge is now) until the user scrolls back (wheel,
/// drag, arrows, Home); the Live button or End follows again, as does
/// scrolling past the newest. Ctrl+wheel zooms the time axis about the mouse
/// (which leaves live unless now stays in view); Ctrl +/- zoom about now while
/// following, Ctrl+0 restores the zoom. Only the marks in view are painted;
/// all sizes follow the widget's font. While following and visible, a timer
/// moves the view with the clock, at most 10 times a second.
class Timeline : public QWidget {
    Q_OBJECT

public:
    enum Lane { StartLane, ExitLane, RestartLane, GiveUpLane, LaneCount };
    static constexpr double defaultPixelsPerSecond = 25.0;

    explicit Timeline(QWidget* parent = nullptr, int capacity = 2000);
    ~Timeline() override;

    // -- input --
    /// Events oldest first, as RuntimeBridge::eventsArrived delivers them;
    /// kinds other than start, exit, restart and give_up are ignored. Beyond
    /// capacity() the oldest marks go.
    void append(const std::vector<sc::Event>& events);
    void clear();

    // -- view --
    bool isFollowing() const { return m_following; }
    double pixelsPerSecond() const { return m_pixelsPerSecond; }
    /// Zooms the time axis, keeping the time under widget x `anchorX` in
    /// place (the right edge when following or when anchorX < 0).
    void setPixelsPerSecond(double pixelsPerSecond, double anchorX = -1);
    /// Moves the view by `pixels` (negative: back in time). Scrolling back
    /// stops following; reaching the newest follows again.
    void scrollBy(double pixels);

    // -- read-only, for tests and tools --
    int capacity() const { return m_capacity; }
    int markCount() const { return static_cast<int>(m_marks.size()); }
    /// The seq of the index-th mark, oldest first.
    std::uint64_t markSeq(int index) const { return m_marks[static_cast<std::size_t>(index)].seq; }
    /// The centre of the mark of event `seq` in widget coordinates; nullopt
    /// when it has no mark or is out of view.
    std::optional<QPointF> markPosition(std::uint64_t seq) const;
    /// The event whose mark is under `pos`; 0 for none.
    std::uint64_t seqAt(const QPoint& pos) const;
    /// The oldest and newest seq whose mark is in view; {0, 0} for none.
    std::pair<std::uint64_t, std::uint64_t> visibleSeqRange() const;
    int visibleMarkCount() const;
    /// The right edge of the view on the (pixel) axis: it moves only when the view moves.
    double viewEnd() const { return m_viewEnd; }
    /// What hovering the mark of `seq` shows; empty for none.
    QString toolTipFor(std::uint64_t seq) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public Q_SLOTS:
    void setFollowing(bool following);

Q_SIGNALS:
    /// A mark was clicked.
    void eventActivated(sc::Pid pid, QString path);
    void followingChanged(bool following);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    struct Mark {
        std::uint64_t seq = 0;
        sc::EventKind kind = sc::EventKind::Start;
        Lane lane = StartLane;
        bool crash = false; ///< an Exit whose reason is not orderly
        bool pushed = false; ///< moved right to stay apart from the one before
        std::int64_t timeNs = 0; ///< as stamped
        std::int64_t axisNs = 0; ///< never before the previous mark's
        sc::Pid pid = 0;
        sc::Pid parent = 0;
        QString path;
        QString reason;
        QString label; ///< name and reason
        QString shortLabel; ///< name only
        int labelWidth = 0;
        int shortLabelWidth = 0;
        double x = 0; ///< on the axis, in pixels
        double drift = 0; ///< x minus the plain time position: room added by bursts so far
        double nextInLane = 0; ///< x of the next mark in its lane (infinity for none)
    };
    /// A run of marks each pushed by the one before.
    struct Burst {
        std::uint64_t firstSeq = 0;
        std::uint64_t lastSeq = 0;
        double x0 = 0;
        double x1 = 0;
        std::int64_t t0 = 0;
        std::int64_t t1 = 0;
        int count = 0;
    };

    // -- layout --
    void updateMetrics();
    void measureLabels(Mark& mark) const;
    // The axis (timelineaxis.cpp): where marks go, time <-> axis x.
    void relayout();
    void place(std::size_t index);
    double plainX(std::int64_t ns) const;
    double axisXOf(std::int64_t ns) const;
    std::int64_t timeAtAxisX(double x) const;
    double liveEnd() const;
    double oldestEnd() const;
    void setViewEnd(double end, bool limitPast = true);
    void followNow();
    void updateTimer();

    // -- geometry --
    QRectF plotRect() const;
    double plotWidth() const;
    double viewStart() const { return m_viewEnd - plotWidth(); }
    double toWidgetX(double axisX) const;
    double laneTop(int lane) const;
    std::size_t firstIndexFrom(double axisX) const;
    int indexOfSeq(std::uint64_t seq) const;
    QPointF centreOf(const Mark& mark) const;

    // -- painting --
    void paintMark(QPainter& p, const Mark& mark, const QPointF& centre) const;
    void paintGutter(QPainter& p) const;
    // The ruler (timelineaxis.cpp).
    void paintRuler(QPainter& p, const QRectF& plot) const;
    QString wallText(std::int64_t steadyNs, std::int64_t stepNs) const;
    static QString durationText(std::int64_t ns);

    std::deque<Mark> m_marks; ///< oldest first; x increases strictly
    std::deque<Burst> m_bursts;
    int m_capacity;
    WallClock m_clock;
    std::int64_t m_originNs; ///< the steady time at axis x 0
    double m_pixelsPerSecond = defaultPixelsPerSecond;

    // The layout's state after the newest mark, so append continues it.
    double m_drift = 0;
    double m_lastX = 0;
    std::int64_t m_lastAxisNs = 0;
    std::uint64_t m_lastLaneSeq[LaneCount] = {};
    double m_lastLaneX[LaneCount] = {};

    bool m_following = true;
    double m_viewEnd = 0;

    // Sizes, from the font.
    int m_laneHeight = 0;
    int m_rulerHeight = 0;
    int m_gutterWidth = 0;
    double m_markSize = 0;
    double m_gapAny = 0; ///< least room between any two marks
    double m_gapLane = 0; ///< least room between two marks of one lane
    double m_rightPad = 0; ///< room right of now while following, for fresh labels

    // Interaction.
    QToolButton* m_live;
    QTimer m_timer;
    std::uint64_t m_hoverSeq = 0;
    std::uint64_t m_activeSeq = 0;
    bool m_pressed = false;
    bool m_dragging = false;
    QPoint m_pressPos;
    double m_pressViewEnd = 0;
};

} // namespace sc::ui
