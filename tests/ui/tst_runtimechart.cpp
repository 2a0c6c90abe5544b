// The Charts panel on a fake clock: a mailbox line per selected process (or
// the total), restarts and donations per second in the second they happened,
// the donated total (also as a LedgerFeed reads it from a ledger), and
// pause/resume.
#include "ui/bridge/ledgerfeed.h"
#include "ui/charts/runtimechart.h"
#include "uitest.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QWheelEvent>
#include <chrono>

using namespace std::chrono_literals;
using sc::Money;
using sc::ui::RuntimeChart;
using uitest::process;
using uitest::snapshotOf;

namespace {

/// The steady clock moves when told to; the wall clock is read once, at
/// construction: 2026-11-21T12:00:00Z.
struct FakeClock {
    std::chrono::steady_clock::time_point steady {std::chrono::seconds(1000)};
    std::chrono::system_clock::time_point wall {std::chrono::sys_days {std::chrono::year {2026} / 11 / 21} + 12h};

    RuntimeChart::Clock clock()
    {
        return {[this] { return steady; }, [this] { return wall; }};
    }
    /// The start, in the chart's keys: seconds since the epoch.
    double start() const { return std::chrono::duration<double>(wall.time_since_epoch()).count(); }
    /// Event::timeNs `offset` after the start.
    std::int64_t steadyNs(std::chrono::nanoseconds offset) const
    {
        return (std::chrono::duration_cast<std::chrono::nanoseconds>(steady.time_since_epoch()) + offset).count();
    }
};

sc::ProcessInfo withMailbox(sc::ProcessInfo info, std::uint32_t mailbox)
{
    info.mailbox = mailbox;
    return info;
}

sc::Snapshot threeWorkers(std::uint32_t a, std::uint32_t b, std::uint32_t c)
{
    return snapshotOf({process(1, 0, "app", sc::ProcessKind::Supervisor), withMailbox(process(2, 1, "app/a"), a),
        withMailbox(process(3, 1, "app/b"), b), withMailbox(process(4, 1, "app/c"), c)});
}

sc::Event restartAt(
    const FakeClock& clock, std::chrono::nanoseconds offset, sc::EventKind kind = sc::EventKind::Restart)
{
    sc::Event e;
    e.kind = kind;
    e.timeNs = clock.steadyNs(offset);
    e.path = "app/a";
    return e;
}

sc::LedgerRecord record(std::int64_t id, std::string time, std::string kind, std::int64_t cents,
    std::optional<std::string> error = std::nullopt)
{
    sc::LedgerRecord r;
    r.id = id;
    r.time = std::move(time);
    r.kind = std::move(kind);
    r.user = "amina";
    r.amount = Money::fromMinorUnits(cents);
    r.error = std::move(error);
    return r;
}

QWidget* plotOf(RuntimeChart& chart)
{
    for (QWidget* w : chart.findChildren<QWidget*>())
        if (QByteArray(w->metaObject()->className()) == "QCustomPlot") return w;
    return nullptr;
}

} // namespace

class TestRuntimeChart : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void totalOverAllProcessesWhenNothingIsSelected()
    {
        FakeClock clock;
        RuntimeChart chart(clock.clock());
        chart.addSample(threeWorkers(2, 3, 5));

        QCOMPARE(chart.plottedNames(),
            QStringList({RuntimeChart::allProcessesName(), RuntimeChart::restartsName(), RuntimeChart::donationsName(),
                RuntimeChart::donatedName()}));
        const QList<QPointF> all = chart.plottedData(RuntimeChart::allProcessesName());
        QCOMPARE(all, QList<QPointF>({QPointF(clock.start(), 10)}));
        QCOMPARE(chart.valueLabels(RuntimeChart::allProcessesName()), QStringList({QStringLiteral("10")}));
    }

    void selectedProcessesGetALineEach()
    {
        FakeClock clock;
        RuntimeChart chart(clock.clock());
        chart.addSample(threeWorkers(1, 1, 1));
        chart.setSelectedProcesses({2, 4});
        clock.steady += 100ms;
        chart.addSample(threeWorkers(7, 8, 9));

        const QStringList names = chart.plottedNames();
        QVERIFY(names.contains(QStringLiteral("app/a")));
        QVERIFY(names.contains(QStringLiteral("app/c")));
        QVERIFY(!names.contains(QStringLiteral("app/b")));
        QVERIFY(!names.contains(RuntimeChart::allProcessesName()));
        const double t = clock.start() + 0.1;
        QCOMPARE(chart.plottedData(QStringLiteral("app/a")), QList<QPointF>({QPointF(t, 7)}));
        QCOMPARE(chart.plottedData(QStringLiteral("app/c")), QList<QPointF>({QPointF(t, 9)}));
        QCOMPARE(chart.valueLabels(QStringLiteral("app/a")), QStringList({QStringLiteral("7")}));
        QCOMPARE(chart.valueLabels(QStringLiteral("app/c")), QStringList({QStringLiteral("9")}));

        // A line still selected keeps its history; one no longer selected goes.
        chart.setSelectedProcesses({4});
        clock.steady += 100ms;
        chart.addSample(threeWorkers(1, 2, 3));
        QVERIFY(chart.plottedData(QStringLiteral("app/a")).isEmpty());
        QCOMPARE(chart.plottedData(QStringLiteral("app/c")).size(), 2);
        QCOMPARE(chart.plottedData(QStringLiteral("app/c")).last().y(), 3.0);

        // Nothing selected: the total comes back, with the samples taken meanwhile.
        chart.setSelectedProcesses({});
        QVERIFY(chart.plottedNames().contains(RuntimeChart::allProcessesName()));
        QCOMPARE(chart.plottedData(RuntimeChart::allProcessesName()).size(), 3);
        QCOMPARE(chart.plottedData(RuntimeChart::allProcessesName()).last().y(), 6.0);
    }

    void aLineFollowsItsProcessThroughARestart()
    {
        FakeClock clock;
        RuntimeChart chart(clock.clock());
        chart.setSelectedProcesses({2});
        chart.addSample(threeWorkers(4, 0, 0));

        // Restarted: app/a is pid 9 now. The line goes on under its path...
        clock.steady += 100ms;
        chart.addSample(snapshotOf({withMailbox(process(9, 1, "app/a"), 6), process(3, 1, "app/b")}));
        QCOMPARE(chart.plottedData(QStringLiteral("app/a")).size(), 2);
        QCOMPARE(chart.plottedData(QStringLiteral("app/a")).last().y(), 6.0);

        // ...and keeps its history when the new pid is selected.
        chart.setSelectedProcesses({9});
        clock.steady += 100ms;
        chart.addSample(snapshotOf({withMailbox(process(9, 1, "app/a"), 1)}));
        QCOMPARE(chart.plottedData(QStringLiteral("app/a")).size(), 3);
    }

    void aNewlySelectedRestartedProcessTakesItsOldLineBack()
    {
        FakeClock clock;
        RuntimeChart chart(clock.clock());
        chart.setSelectedProcesses({2});
        chart.addSample(threeWorkers(4, 0, 0));
        // The selection follows the restart before the chart samples it.
        chart.setSelectedProcesses({9});
        clock.steady += 100ms;
        chart.addSample(snapshotOf({withMailbox(process(9, 1, "app/a"), 5)}));
        QCOMPARE(chart.plottedData(QStringLiteral("app/a")),
            QList<QPointF>({QPointF(clock.start(), 4), QPointF(clock.start() + 0.1, 5)}));
    }

    void samplesAtMostTenTimesASecond()
    {
        FakeClock clock;
        RuntimeChart chart(clock.clock());
        for (int i = 0; i < 30; ++i) { // one second of 30 Hz snapshots
            chart.addSample(threeWorkers(1, 1, 1));
            clock.steady += std::chrono::microseconds(33'334);
        }
        const auto samples = chart.plottedData(RuntimeChart::allProcessesName()).size();
        QVERIFY2(samples >= 9 && samples <= 11, qPrintable(QString::number(samples)));
    }

    void keepsAFewMinutesOnly()
    {
        FakeClock clock;
        RuntimeChart chart(clock.clock());
        chart.addSample(threeWorkers(1, 1, 1));
        clock.steady += 10s;
        chart.addSample(threeWorkers(2, 2, 2));
        clock.steady += std::chrono::seconds(static_cast<int>(RuntimeChart::kKeepSeconds));
        chart.addSample(threeWorkers(3, 3, 3));
        const QList<QPointF> kept = chart.plottedData(RuntimeChart::allProcessesName());
        QCOMPARE(kept.size(), 2);
        QCOMPARE(kept.first().y(), 6.0);
        // The axis shows the last minute, ending now.
        const double now = clock.start() + 10 + RuntimeChart::kKeepSeconds;
        QCOMPARE(chart.timeRange(), std::make_pair(now - RuntimeChart::kWindowSeconds, now));
    }

    void restartEventsAreCountedInTheirSecond()
    {
        FakeClock clock;
        RuntimeChart chart(clock.clock());
        chart.addEvents({restartAt(clock, 2300ms), restartAt(clock, 4100ms), restartAt(clock, 4900ms),
            restartAt(clock, 3s, sc::EventKind::Exit), restartAt(clock, 3s, sc::EventKind::GiveUp)});
        clock.steady += 5s;
        chart.addSample(threeWorkers(0, 0, 0));

        QCOMPARE(chart.plottedData(RuntimeChart::restartsName()),
            QList<QPointF>({QPointF(clock.start() + 2.5, 1), QPointF(clock.start() + 4.5, 2)}));
        QCOMPARE(
            chart.valueLabels(RuntimeChart::restartsName()), QStringList({QStringLiteral("1"), QStringLiteral("2")}));
    }

    void onlyAcceptedDonationsCount_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("error");
        QTest::addColumn<bool>("counted");
        QTest::newRow("donation") << "donation" << QString() << true;
        QTest::newRow("pool donation") << "pool_donation" << QString() << true;
        QTest::newRow("refused donation") << "donation"
                                          << "invalid_amount" << false;
        QTest::newRow("refused pool donation") << "pool_donation"
                                               << "storage" << false;
        QTest::newRow("deposit") << "deposit" << QString() << false;
        QTest::newRow("withdrawal") << "withdrawal" << QString() << false;
    }

    void onlyAcceptedDonationsCount()
    {
        QFETCH(QString, kind);
        QFETCH(QString, error);
        QFETCH(bool, counted);
        FakeClock clock;
        RuntimeChart chart(clock.clock());
        std::optional<std::string> refused;
        if (!error.isEmpty()) refused = error.toStdString();
        chart.addLedgerRecords({record(1, "2026-11-21T12:00:01.500Z", kind.toStdString(), 1000, refused)});
        clock.steady += 2s;
        chart.addSample(threeWorkers(0, 0, 0));

        QCOMPARE(chart.donatedTotal(), Money::fromMinorUnits(counted ? 1000 : 0));
        QCOMPARE(chart.plottedData(RuntimeChart::donationsName()).size(), counted ? 1 : 0);
        QCOMPARE(chart.plottedData(RuntimeChart::donatedName()).last().y(), counted ? 10.0 : 0.0);
    }

    void donationsPerSecondAndTheTotal()
    {
        FakeClock clock;
        RuntimeChart chart(clock.clock());
        const std::vector<sc::LedgerRecord> records {
            record(1, "2026-11-21T12:00:01.200Z", "donation", 1000),
            record(2, "2026-11-21T12:00:01.800Z", "donation", 1000),
            record(3, "2026-11-21T12:00:02.100Z", "donation", 5000, "insufficient_funds"),
            record(4, "2026-11-21T12:00:03.000Z", "donation", 1000),
        };
        chart.addLedgerRecords(records);
        chart.addLedgerRecords(records); // overlapping batches: ids already seen are ignored
        clock.steady += 4s;
        chart.addSample(threeWorkers(0, 0, 0));

        QCOMPARE(chart.donatedTotal(), Money::fromMinorUnits(3000));
        QCOMPARE(chart.plottedData(RuntimeChart::donationsName()),
            QList<QPointF>({QPointF(clock.start() + 1.5, 2), QPointF(clock.start() + 3.5, 1)}));
        QCOMPARE(
            chart.valueLabels(RuntimeChart::donationsName()), QStringList({QStringLiteral("2"), QStringLiteral("1")}));
        // The total steps up in the second of each donation.
        const QList<QPointF> total = chart.plottedData(RuntimeChart::donatedName());
        const auto at = [&](double second) {
            for (const QPointF& p : total)
                if (p.x() == clock.start() + second) return p.y();
            return -1.0;
        };
        QCOMPARE(at(0), 0.0);
        QCOMPARE(at(1), 20.0);
        QCOMPARE(at(2), 20.0);
        QCOMPARE(at(3), 30.0);
        QCOMPARE(total.last(), QPointF(clock.start() + 4, 30.0));
        QCOMPARE(chart.valueLabels(RuntimeChart::donatedName()), QStringList({QStringLiteral("30.00")}));
    }

    void donationsBeforeTheChartOnlyAddToTheTotal()
    {
        FakeClock clock;
        RuntimeChart chart(clock.clock());
        chart.addLedgerRecords({record(1, "2026-11-20T09:00:00.000Z", "donation", 2500),
            record(2, "2026-11-21T12:00:00.500Z", "pool_donation", 500)});
        clock.steady += 1s;
        chart.addSample(threeWorkers(0, 0, 0));
        QCOMPARE(chart.donatedTotal(), Money::fromMinorUnits(3000));
        QCOMPARE(chart.plottedData(RuntimeChart::donationsName()), QList<QPointF>({QPointF(clock.start() + 0.5, 1)}));
        QCOMPARE(chart.plottedData(RuntimeChart::donatedName()).first(), QPointF(clock.start(), 30.0));
    }

    void followsTheLedgerFeed()
    {
        QTemporaryDir dir;
        auto opened = sc::Ledger::open(dir.path().toStdString());
        QVERIFY(opened);
        std::unique_ptr<sc::Ledger> ledger = std::move(*opened);
        QVERIFY(ledger->append(record(0, "2026-11-21T12:00:00.100Z", "donation", 1000)));

        FakeClock clock;
        RuntimeChart chart(clock.clock());
        sc::ui::LedgerFeed feed(dir.path());
        QObject::connect(&feed, &sc::ui::LedgerFeed::recordsArrived, &chart, &RuntimeChart::addLedgerRecords);
        QTRY_COMPARE_WITH_TIMEOUT(chart.donatedTotal(), Money::fromMinorUnits(1000), 10000); // what the ledger holds...

        for (const sc::LedgerRecord& r : {record(0, "2026-11-21T12:00:01.000Z", "donation", 1050),
                 record(0, "2026-11-21T12:00:01.500Z", "donation", 99900, "invalid_amount"),
                 record(0, "2026-11-21T12:00:02.000Z", "deposit", 7000),
                 record(0, "2026-11-21T12:00:02.500Z", "pool_donation", 1)})
            QVERIFY(ledger->append(r));
        QTRY_COMPARE_WITH_TIMEOUT(chart.donatedTotal(), Money::fromMinorUnits(2051), 10000); // ...and what it commits
        clock.steady += 3s;
        chart.addSample(threeWorkers(0, 0, 0));
        QCOMPARE(chart.plottedData(RuntimeChart::donationsName()),
            QList<QPointF>(
                {QPointF(clock.start() + 0.5, 1), QPointF(clock.start() + 1.5, 1), QPointF(clock.start() + 2.5, 1)}));
        QCOMPARE(chart.valueLabels(RuntimeChart::donatedName()), QStringList({QStringLiteral("20.51")}));
    }

    void pauseFreezesTheChartsAndResumeCatchesUp()
    {
        FakeClock clock;
        RuntimeChart chart(clock.clock());
        QSignalSpy paused(&chart, &RuntimeChart::pausedChanged);
        chart.addSample(threeWorkers(1, 1, 1));
        chart.pauseButton()->click();
        QVERIFY(chart.isPaused());
        QCOMPARE(paused.count(), 1);
        QCOMPARE(chart.pauseButton()->text(), tr("Resume"));
        const auto frozen = chart.timeRange();

        for (int i = 1; i <= 3; ++i) {
            clock.steady += 5s;
            chart.addSample(threeWorkers(i, i, i));
        }
        chart.addEvents({restartAt(clock, -2s)});
        chart.addLedgerRecords({record(1, "2026-11-21T12:00:14.000Z", "donation", 1000)});
        clock.steady += 100ms;
        chart.addSample(threeWorkers(5, 5, 5));
        QCOMPARE(chart.plottedData(RuntimeChart::allProcessesName()).size(), 1);
        QVERIFY(chart.plottedData(RuntimeChart::restartsName()).isEmpty());
        QVERIFY(chart.plottedData(RuntimeChart::donationsName()).isEmpty());
        QCOMPARE(chart.timeRange(), frozen);
        QCOMPARE(chart.donatedTotal(), Money::fromMinorUnits(1000)); // collected all the same

        chart.pauseButton()->click();
        QVERIFY(!chart.isPaused());
        QCOMPARE(paused.count(), 2);
        const QList<QPointF> all = chart.plottedData(RuntimeChart::allProcessesName());
        QCOMPARE(all.size(), 5);
        QCOMPARE(all.last(), QPointF(clock.start() + 15.1, 15));
        QCOMPARE(chart.plottedData(RuntimeChart::restartsName()), QList<QPointF>({QPointF(clock.start() + 13.5, 1)}));
        QCOMPARE(chart.plottedData(RuntimeChart::donationsName()), QList<QPointF>({QPointF(clock.start() + 14.5, 1)}));
        QCOMPARE(chart.timeRange().second, clock.start() + 20); // scrolling again, to now
    }

    void theTimeAxisZoomsOnlyWhilePaused()
    {
        FakeClock clock;
        RuntimeChart chart(clock.clock());
        chart.resize(900, 600);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        for (int i = 0; i < 20; ++i) {
            clock.steady += 1s;
            chart.addSample(threeWorkers(i, 1, 1));
        }
        QWidget* plot = plotOf(chart);
        QVERIFY(plot);
        QVERIFY(QMetaObject::invokeMethod(plot, "replot")); // lays the axis rects out now
        const auto wheel = [&] {
            const QPointF centre(plot->width() / 2.0, plot->height() / 6.0);
            QWheelEvent event(centre, plot->mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                Qt::NoScrollPhase, false);
            QCoreApplication::sendEvent(plot, &event);
        };

        const auto live = chart.timeRange();
        wheel();
        QCOMPARE(chart.timeRange(), live);

        chart.setPaused(true);
        wheel();
        const auto zoomed = chart.timeRange();
        QVERIFY(zoomed.second - zoomed.first < live.second - live.first);

        chart.setPaused(false);
        QCOMPARE(chart.timeRange(), live);
    }

    void followsItsFont()
    {
        FakeClock clock;
        RuntimeChart chart(clock.clock());
        chart.addSample(threeWorkers(1, 2, 3));
        QFont big = chart.font();
        big.setPointSizeF(big.pointSizeF() * 2);
        chart.setFont(big);
        QCOMPARE(chart.pauseButton()->font().pointSizeF(), big.pointSizeF());
        QCOMPARE(chart.valueLabels(RuntimeChart::allProcessesName()), QStringList({QStringLiteral("6")}));
    }
};

QTEST_MAIN(TestRuntimeChart)
#include "tst_runtimechart.moc"
