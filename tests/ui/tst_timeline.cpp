#include "ui/events/timeline.h"

#include <QApplication>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>
#include <QToolTip>
#include <QWheelEvent>
#include <memory>
#include <set>

using sc::ui::Timeline;

namespace {

std::int64_t nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

constexpr std::int64_t second = 1'000'000'000;

sc::Event makeEvent(
    std::uint64_t seq, sc::EventKind kind, std::int64_t timeNs, std::string path = {}, std::string reason = {})
{
    sc::Event e;
    e.seq = seq;
    e.kind = kind;
    e.timeNs = timeNs;
    e.pid = seq + 100;
    e.parent = 1;
    e.path = path.empty() ? "finance/trackers/tracker-" + std::to_string(seq) : std::move(path);
    e.reason = std::move(reason);
    return e;
}

/// Lifecycle events one `gap` apart, the newest at `last`.
std::vector<sc::Event> spaced(std::uint64_t firstSeq, int count, std::int64_t last, std::int64_t gap)
{
    constexpr sc::EventKind kinds[] = {sc::EventKind::Exit, sc::EventKind::Restart, sc::EventKind::Start};
    std::vector<sc::Event> list;
    list.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i)
        list.push_back(makeEvent(firstSeq + static_cast<std::uint64_t>(i), kinds[i % 3], last - (count - 1 - i) * gap));
    return list;
}

void sendWheel(QWidget* widget, QPoint pos, int notches, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    QWheelEvent wheel(QPointF(pos), QPointF(widget->mapToGlobal(pos)), QPoint(), QPoint(0, 120 * notches), Qt::NoButton,
        modifiers, Qt::NoScrollPhase, false);
    QApplication::sendEvent(widget, &wheel);
}

} // namespace

class TestTimeline : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_timeline = std::make_unique<Timeline>();
        m_timeline->resize(1200, 110);
        m_timeline->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_timeline.get()));
    }

    void cleanup() { m_timeline.reset(); }

    void lifecycleEventsBecomeMarksInOrder()
    {
        const std::int64_t now = nowNs();
        std::vector<sc::Event> events {makeEvent(1, sc::EventKind::Spawn, now - 3 * second),
            makeEvent(2, sc::EventKind::Start, now - 3 * second), makeEvent(3, sc::EventKind::Log, now - 2 * second),
            makeEvent(4, sc::EventKind::Exit, now - 2 * second, {}, "killed"),
            makeEvent(5, sc::EventKind::Restart, now - 2 * second), makeEvent(6, sc::EventKind::Register, now),
            makeEvent(7, sc::EventKind::GiveUp, now - second, "finance")};
        m_timeline->append(events);

        QCOMPARE(m_timeline->markCount(), 4);
        const QList<std::uint64_t> marks {
            m_timeline->markSeq(0), m_timeline->markSeq(1), m_timeline->markSeq(2), m_timeline->markSeq(3)};
        QCOMPARE(marks, (QList<std::uint64_t> {2, 4, 5, 7}));

        double previousX = -1;
        std::set<int> lanes;
        for (std::uint64_t seq : marks) {
            const auto pos = m_timeline->markPosition(seq);
            QVERIFY2(pos, qPrintable(QString::number(seq)));
            QVERIFY(pos->x() > previousX);
            previousX = pos->x();
            lanes.insert(static_cast<int>(pos->y()));
            QCOMPARE(m_timeline->seqAt(pos->toPoint()), seq);
        }
        QCOMPARE(lanes.size(), std::size_t(4)); // one lane per kind
        QVERIFY(!m_timeline->markPosition(3)); // a log has no mark

        const QString tip = m_timeline->toolTipFor(4);
        QVERIFY2(tip.contains(QStringLiteral("#4")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("exit")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("finance/trackers/tracker-4")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("killed")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("pid 104")), qPrintable(tip));
    }

    void followingLiveMovesTheView()
    {
        QVERIFY(m_timeline->isFollowing());
        m_timeline->append(spaced(1, 3, nowNs() - 2 * second, second));
        QCOMPARE(m_timeline->visibleSeqRange(), std::make_pair(std::uint64_t(1), std::uint64_t(3)));
        const double end = m_timeline->viewEnd();

        m_timeline->append(spaced(4, 2, nowNs(), second / 4));
        QVERIFY(m_timeline->viewEnd() >= end);
        QCOMPARE(m_timeline->visibleSeqRange().second, std::uint64_t(5));
        QVERIFY(m_timeline->markPosition(5));
        QVERIFY(m_timeline->isFollowing());
    }

    void scrollingBackStopsFollowing()
    {
        // 60 s of events at 25 px/s: more than the strip shows.
        m_timeline->append(spaced(1, 60, nowNs(), second));
        QVERIFY(m_timeline->visibleSeqRange().first > 1);
        QSignalSpy following(m_timeline.get(), &Timeline::followingChanged);

        sendWheel(m_timeline.get(), QPoint(600, 50), 3);
        QVERIFY(!m_timeline->isFollowing());
        QCOMPARE(following.count(), 1);
        QCOMPARE(following.at(0).at(0).toBool(), false);
        const double end = m_timeline->viewEnd();
        const auto range = m_timeline->visibleSeqRange();
        QVERIFY(range.second < 60);

        // New events arrive: the view stays where the user put it.
        m_timeline->append(spaced(61, 5, nowNs(), second / 10));
        QCOMPARE(m_timeline->viewEnd(), end);
        QCOMPARE(m_timeline->visibleSeqRange(), range);
        QVERIFY(!m_timeline->isFollowing());

        // End follows again and shows the newest.
        m_timeline->setFocus();
        QTest::keyClick(m_timeline.get(), Qt::Key_End);
        QVERIFY(m_timeline->isFollowing());
        QCOMPARE(m_timeline->visibleSeqRange().second, std::uint64_t(65));

        // Dragging to the right looks back too; the Live button returns.
        QTest::mousePress(m_timeline.get(), Qt::LeftButton, {}, QPoint(500, 40));
        QTest::mouseMove(m_timeline.get(), QPoint(560, 40));
        QTest::mouseMove(m_timeline.get(), QPoint(800, 40));
        QTest::mouseRelease(m_timeline.get(), Qt::LeftButton, {}, QPoint(800, 40));
        QVERIFY(!m_timeline->isFollowing());
        QVERIFY(m_timeline->visibleSeqRange().second < 65);

        auto* live = m_timeline->findChild<QToolButton*>(QStringLiteral("timelineLive"));
        QVERIFY(live);
        QVERIFY(!live->isChecked());
        QCOMPARE(live->text(), QStringLiteral("Go live"));
        QTest::mouseClick(live, Qt::LeftButton);
        QVERIFY(m_timeline->isFollowing());
        QVERIFY(live->isChecked());
        QCOMPARE(live->text(), QStringLiteral("Live"));
        QCOMPARE(m_timeline->visibleSeqRange().second, std::uint64_t(65));

        // Home goes to the oldest; scrolling forward past the newest follows again.
        QTest::keyClick(m_timeline.get(), Qt::Key_Home);
        QVERIFY(!m_timeline->isFollowing());
        QCOMPARE(m_timeline->visibleSeqRange().first, std::uint64_t(1));
        sendWheel(m_timeline.get(), QPoint(600, 50), -100);
        QVERIFY(m_timeline->isFollowing());
    }

    void clickingAMarkActivatesItsProcess()
    {
        const std::int64_t now = nowNs();
        m_timeline->append({makeEvent(1, sc::EventKind::Start, now - 4 * second, "finance/ledger"),
            makeEvent(2, sc::EventKind::Exit, now - 2 * second, "finance/trackers/tracker-07", "error:boom"),
            makeEvent(3, sc::EventKind::Restart, now - 2 * second + 1000, "finance/trackers/tracker-07")});
        QSignalSpy activated(m_timeline.get(), &Timeline::eventActivated);

        const auto pos = m_timeline->markPosition(2);
        QVERIFY(pos);
        QTest::mouseClick(m_timeline.get(), Qt::LeftButton, {}, pos->toPoint());
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).value<sc::Pid>(), sc::Pid(102));
        QCOMPARE(activated.at(0).at(1).toString(), QStringLiteral("finance/trackers/tracker-07"));

        // Empty space activates nothing.
        QTest::mouseClick(m_timeline.get(), Qt::LeftButton, {}, QPoint(pos->toPoint().x() - 60, pos->toPoint().y()));
        QCOMPARE(activated.count(), 1);
    }

    void aBurstStaysDistinguishable_data()
    {
        QTest::addColumn<bool>("oneLane");
        QTest::newRow("cascade: exit, restart, start") << false;
        QTest::newRow("all exits") << true;
    }

    void aBurstStaysDistinguishable()
    {
        QFETCH(bool, oneLane);
        m_timeline->resize(1600, 110);
        // 50 events within one millisecond, a few seconds ago.
        const std::int64_t start = nowNs() - 8 * second;
        std::vector<sc::Event> burst;
        for (int i = 0; i < 50; ++i) {
            constexpr sc::EventKind cascade[] = {sc::EventKind::Exit, sc::EventKind::Restart, sc::EventKind::Start};
            burst.push_back(makeEvent(static_cast<std::uint64_t>(i + 1), oneLane ? sc::EventKind::Exit : cascade[i % 3],
                start + std::int64_t(i) * 20'000, {}, "shutdown"));
        }
        m_timeline->append(burst);
        QCOMPARE(m_timeline->markCount(), 50);
        QCOMPARE(m_timeline->visibleMarkCount(), 50);

        double previousX = -1;
        std::set<std::pair<int, int>> positions;
        for (std::uint64_t seq = 1; seq <= 50; ++seq) {
            const auto pos = m_timeline->markPosition(seq);
            QVERIFY2(pos, qPrintable(QString::number(seq)));
            QVERIFY2(pos->x() > previousX, "marks keep the order they happened in");
            previousX = pos->x();
            positions.emplace(pos->toPoint().x(), pos->toPoint().y());
            QCOMPARE(m_timeline->seqAt(pos->toPoint()), seq);
        }
        QCOMPARE(positions.size(), std::size_t(50));
        QVERIFY2(m_timeline->toolTipFor(25).contains(QStringLiteral("burst of 50 events")),
            qPrintable(m_timeline->toolTipFor(25)));

        // Ctrl+wheel zooms about the mouse: the mark under it stays put; the
        // marks stay apart and in order.
        const double pps = m_timeline->pixelsPerSecond();
        const QPointF anchor = *m_timeline->markPosition(25);
        sendWheel(m_timeline.get(), anchor.toPoint(), 4, Qt::ControlModifier);
        QVERIFY(m_timeline->pixelsPerSecond() > pps);
        const auto anchored = m_timeline->markPosition(25);
        QVERIFY(anchored);
        QVERIFY2(std::abs(anchored->x() - anchor.x()) <= 2, qPrintable(QString::number(anchored->x() - anchor.x())));
        previousX = -1;
        for (std::uint64_t seq = 1; seq <= 50; ++seq) {
            const auto pos = m_timeline->markPosition(seq);
            if (!pos) continue;
            QVERIFY(pos->x() > previousX);
            previousX = pos->x();
            QCOMPARE(m_timeline->seqAt(pos->toPoint()), seq);
        }
    }

    void hoverShowsTheWholeEvent()
    {
        m_timeline->append({makeEvent(1, sc::EventKind::Exit, nowNs() - second, "finance/ledger", "error:disk full")});
        const QPoint pos = m_timeline->markPosition(1)->toPoint();
        QHelpEvent help(QEvent::ToolTip, pos, m_timeline->mapToGlobal(pos));
        QApplication::sendEvent(m_timeline.get(), &help);
        QTRY_VERIFY(QToolTip::isVisible());
        QVERIFY2(QToolTip::text().contains(QStringLiteral("error:disk full")), qPrintable(QToolTip::text()));
        QVERIFY2(QToolTip::text().contains(QStringLiteral("finance/ledger")), qPrintable(QToolTip::text()));
        QToolTip::hideText();
    }

    void keyboardZoomKeepsFollowing()
    {
        m_timeline->append(spaced(1, 10, nowNs(), second / 2));
        const double pps = m_timeline->pixelsPerSecond();
        m_timeline->setFocus();
        QTest::keyClick(m_timeline.get(), Qt::Key_Plus, Qt::ControlModifier);
        QVERIFY(m_timeline->pixelsPerSecond() > pps);
        QVERIFY(m_timeline->isFollowing());
        QCOMPARE(m_timeline->visibleSeqRange().second, std::uint64_t(10));
        QTest::keyClick(m_timeline.get(), Qt::Key_0, Qt::ControlModifier);
        QCOMPARE(m_timeline->pixelsPerSecond(), Timeline::defaultPixelsPerSecond);
    }

    void keepsTheNewestUpToCapacity()
    {
        Timeline timeline(nullptr, 100);
        timeline.append(spaced(1, 250, nowNs(), second / 100));
        QCOMPARE(timeline.markCount(), 100);
        QCOMPARE(timeline.markSeq(0), std::uint64_t(151));
        QCOMPARE(timeline.markSeq(99), std::uint64_t(250));
        timeline.clear();
        QCOMPARE(timeline.markCount(), 0);
        QCOMPARE(timeline.visibleSeqRange(), std::make_pair(std::uint64_t(0), std::uint64_t(0)));
    }

    void followsTheFont()
    {
        m_timeline->append(spaced(1, 6, nowNs(), second));
        const int height = m_timeline->sizeHint().height();
        const auto before = m_timeline->markPosition(6);
        QVERIFY(before);
        QFont big = m_timeline->font();
        big.setPointSizeF(20);
        m_timeline->setFont(big);
        m_timeline->resize(1200, m_timeline->sizeHint().height());
        QVERIFY(m_timeline->sizeHint().height() > height);
        const auto after = m_timeline->markPosition(6);
        QVERIFY(after);
        QCOMPARE(m_timeline->seqAt(after->toPoint()), std::uint64_t(6));
    }

private:
    std::unique_ptr<Timeline> m_timeline;
};

QTEST_MAIN(TestTimeline)
#include "tst_timeline.moc"
