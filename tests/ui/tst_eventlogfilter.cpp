#include "ui/events/eventlogmodel.h"
#include "ui/events/eventlogpanel.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QHeaderView>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <memory>

using sc::ui::EventLogFilter;
using sc::ui::EventLogModel;
using sc::ui::EventLogPanel;
using Group = EventLogFilter::Group;

namespace {

sc::Event makeEvent(std::uint64_t seq, sc::EventKind kind, std::string path = {}, std::string reason = {})
{
    sc::Event e;
    e.seq = seq;
    e.kind = kind;
    e.timeNs = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
                   .count();
    e.pid = seq + 100;
    e.path = path.empty() ? "root/p" + std::to_string(seq) : std::move(path);
    e.reason = std::move(reason);
    if (kind == sc::EventKind::Register || kind == sc::EventKind::Unregister) e.name = "name" + std::to_string(seq);
    if (kind == sc::EventKind::Step || kind == sc::EventKind::StepResult || kind == sc::EventKind::Reply)
        e.action = "deposit";
    return e;
}

/// Every kind in turn, so each group has rows.
constexpr sc::EventKind kindCycle[] = {sc::EventKind::Spawn, sc::EventKind::Start, sc::EventKind::Exit,
    sc::EventKind::Restart, sc::EventKind::GiveUp, sc::EventKind::Register, sc::EventKind::Unregister,
    sc::EventKind::Step, sc::EventKind::StepResult, sc::EventKind::Log, sc::EventKind::Reply};

sc::EventKind kindFor(std::uint64_t seq)
{
    return kindCycle[seq % std::size(kindCycle)];
}

std::vector<sc::Event> mixed(std::uint64_t first, std::uint64_t last)
{
    std::vector<sc::Event> list;
    for (std::uint64_t seq = first; seq <= last; ++seq)
        list.push_back(makeEvent(seq, kindFor(seq)));
    return list;
}

QList<std::uint64_t> seqs(const QAbstractItemModel& model)
{
    QList<std::uint64_t> list;
    for (int row = 0; row < model.rowCount(); ++row)
        list << model.index(row, EventLogModel::Seq).data(EventLogModel::SeqRole).toULongLong();
    return list;
}

/// The source's rows the filter should show, in the source's order.
QList<std::uint64_t> expected(const EventLogModel& model, const std::function<bool(const sc::Event&)>& accept)
{
    QList<std::uint64_t> list;
    for (int row = 0; row < model.rowCount(); ++row) {
        if (accept(model.eventAt(row))) list << model.eventAt(row).seq;
    }
    return list;
}

/// Counts the rows the filter tests, to show an append tests only the new ones.
class CountingFilter : public EventLogFilter {
public:
    using EventLogFilter::EventLogFilter;
    mutable int tested = 0;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override
    {
        ++tested;
        return EventLogFilter::filterAcceptsRow(sourceRow, sourceParent);
    }
};

} // namespace

class TestEventLogFilter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_model = std::make_unique<EventLogModel>(nullptr, 40);
        m_filter = std::make_unique<CountingFilter>();
        m_filter->setSourceModel(m_model.get());
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_filter.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_resets = std::make_unique<QSignalSpy>(m_filter.get(), &QAbstractItemModel::modelReset);
    }

    void cleanup()
    {
        QCOMPARE(m_resets->count(), 0);
        m_tester.reset();
        m_resets.reset();
        m_filter.reset();
        m_model.reset();
    }

    void followsAppendsAndTrimsUnderTheTester()
    {
        m_filter->setGroups(Group::Lifecycle | Group::Logs);
        m_filter->setText(QStringLiteral("P1"));
        const auto accept = [](const sc::Event& e) {
            const auto group = EventLogFilter::groupOf(e.kind);
            return (group == Group::Lifecycle || group == Group::Logs) && e.path.find("p1") != std::string::npos;
        };
        std::uint64_t next = 1;
        for (int batch = 0; batch < 30; ++batch) {
            const std::uint64_t size = 1 + (batch * 7) % 13;
            m_model->append(mixed(next, next + size - 1));
            next += size;
            QCOMPARE(seqs(*m_filter), expected(*m_model, accept));
        }
        QCOMPARE(m_model->rowCount(), m_model->capacity());
        QVERIFY(m_filter->rowCount() > 0);

        // A filter change while full, then more trimming.
        m_filter->setText({});
        m_model->append(mixed(next, next + 50));
        QCOMPARE(seqs(*m_filter), expected(*m_model, [](const sc::Event& e) {
            const auto group = EventLogFilter::groupOf(e.kind);
            return group == Group::Lifecycle || group == Group::Logs;
        }));
    }

    void anAppendTestsOnlyTheNewRows()
    {
        m_model->append(mixed(1, 30));
        m_filter->setText(QStringLiteral("p"));
        QSignalSpy layouts(m_filter.get(), &QAbstractItemModel::layoutChanged);
        QSignalSpy inserted(m_filter.get(), &QAbstractItemModel::rowsInserted);
        m_filter->tested = 0;

        m_model->append(mixed(31, 33));
        QCOMPARE(m_filter->tested, 3);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), 2);

        // Past capacity the source removes its oldest rows: nothing is re-tested.
        m_filter->tested = 0;
        m_model->append(mixed(34, 45));
        QCOMPARE(m_filter->tested, 12);
        QCOMPARE(m_filter->rowCount(), 40);
        QCOMPARE(layouts.count(), 0);
    }

    void filtersByGroup_data()
    {
        QTest::addColumn<int>("groups");
        QTest::addColumn<QList<int>>("kinds");
        const auto kinds = [](std::initializer_list<sc::EventKind> list) {
            QList<int> out;
            for (sc::EventKind k : list)
                out << static_cast<int>(k);
            return out;
        };
        QTest::newRow("lifecycle") << int(Group::Lifecycle)
                                   << kinds({sc::EventKind::Spawn, sc::EventKind::Start, sc::EventKind::Exit,
                                          sc::EventKind::Restart, sc::EventKind::GiveUp});
        QTest::newRow("registry") << int(Group::Registry)
                                  << kinds({sc::EventKind::Register, sc::EventKind::Unregister});
        QTest::newRow("steps") << int(Group::Steps)
                               << kinds({sc::EventKind::Step, sc::EventKind::StepResult, sc::EventKind::Reply});
        QTest::newRow("logs") << int(Group::Logs) << kinds({sc::EventKind::Log});
        QTest::newRow("registry and logs")
            << int(Group::Registry | Group::Logs)
            << kinds({sc::EventKind::Register, sc::EventKind::Unregister, sc::EventKind::Log});
        QTest::newRow("none") << 0 << QList<int>();
    }

    void filtersByGroup()
    {
        QFETCH(int, groups);
        QFETCH(QList<int>, kinds);
        m_model->append(mixed(1, 22)); // every kind twice
        m_filter->setGroups(EventLogFilter::Groups(groups));

        QList<int> shown;
        for (int row = 0; row < m_filter->rowCount(); ++row) {
            const int kind = m_filter->index(row, 0).data(EventLogModel::KindRole).toInt();
            QVERIFY2(kinds.contains(kind), sc::eventKindName(static_cast<sc::EventKind>(kind)));
            shown << kind;
        }
        QCOMPARE(shown.size(), kinds.size() * 2);

        // Shown again, all of them come back, in order.
        m_filter->setGroups(EventLogFilter::allGroups());
        QCOMPARE(m_filter->rowCount(), 22);
        QCOMPARE(seqs(*m_filter), seqs(*m_model));
    }

    void filtersByText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QList<std::uint64_t>>("seqs");
        QTest::newRow("path, other case") << "TRACKER" << QList<std::uint64_t> {3, 2};
        QTest::newRow("path part") << "finance/" << QList<std::uint64_t> {3, 2, 1};
        QTest::newRow("reason") << "boom" << QList<std::uint64_t> {3};
        QTest::newRow("reason, other case") << "KILLED" << QList<std::uint64_t> {2};
        QTest::newRow("registered name") << "ledger_name" << QList<std::uint64_t> {4};
        QTest::newRow("surrounding blanks") << "  boom " << QList<std::uint64_t> {3};
        QTest::newRow("empty") << "" << QList<std::uint64_t> {4, 3, 2, 1};
        QTest::newRow("no match") << "nothing-like-this" << QList<std::uint64_t> {};
    }

    void filtersByText()
    {
        QFETCH(QString, text);
        QFETCH(QList<std::uint64_t>, seqs);
        sc::Event reg = makeEvent(4, sc::EventKind::Register, "finance/ledger");
        reg.path.clear();
        reg.name = "ledger_name";
        m_model->append({makeEvent(1, sc::EventKind::Start, "finance/ledger"),
            makeEvent(2, sc::EventKind::Exit, "finance/trackers/tracker-01", "killed"),
            makeEvent(3, sc::EventKind::Exit, "finance/trackers/tracker-02", "error:boom"), reg});
        m_filter->setText(text);
        QCOMPARE(::seqs(*m_filter), seqs);
    }

    void panelCountsAndFilters()
    {
        EventLogPanel panel(m_model.get());
        panel.resize(900, 300);
        QCOMPARE(panel.searchField()->placeholderText(), QStringLiteral("Filter by path or reason"));
        QCOMPARE(panel.countText(), QStringLiteral("Showing 0 of 0"));

        m_model->append(mixed(1, 22));
        QCOMPARE(panel.countText(), QStringLiteral("Showing 22 of 22"));
        QCOMPARE(panel.view()->model()->rowCount(), 22);

        QAbstractButton* logs = panel.groupButton(Group::Logs);
        QVERIFY(logs);
        QCOMPARE(logs->text(), QStringLiteral("Logs"));
        QVERIFY(logs->isChecked());
        logs->click();
        QCOMPARE(panel.countText(), QStringLiteral("Showing 20 of 22"));
        panel.groupButton(Group::Registry)->click();
        QCOMPARE(panel.countText(), QStringLiteral("Showing 16 of 22"));

        QTest::keyClicks(panel.searchField(), QStringLiteral("p1"));
        // p1, p10..p19 among the lifecycle and step kinds still shown.
        const int expectedRows = static_cast<int>(expected(*m_model, [](const sc::Event& e) {
            const auto group = EventLogFilter::groupOf(e.kind);
            return (group == Group::Lifecycle || group == Group::Steps) && e.path.find("p1") != std::string::npos;
        }).size());
        QCOMPARE(panel.countText(), QStringLiteral("Showing %1 of 22").arg(expectedRows));

        panel.searchField()->clear();
        logs->click();
        panel.groupButton(Group::Registry)->click();
        QCOMPARE(panel.countText(), QStringLiteral("Showing 22 of 22"));

        // The count follows appends and the capacity's trimming.
        m_model->append(mixed(23, 70));
        QCOMPARE(panel.countText(), QStringLiteral("Showing 40 of 40"));
    }

    void pauseFreezesThenResumes()
    {
        EventLogPanel panel(m_model.get());
        QAbstractItemModelTester tester(panel.filter(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_model->append(mixed(1, 10));
        const QList<std::uint64_t> before = seqs(*panel.view()->model());
        QCOMPARE(before.size(), 10);

        panel.pauseButton()->click();
        QVERIFY(panel.isPaused());
        QCOMPARE(panel.pauseButton()->text(), QStringLiteral("Resume"));
        QSignalSpy inserted(panel.filter(), &QAbstractItemModel::rowsInserted);
        m_model->append(mixed(11, 15));
        m_model->append(mixed(16, 17));

        QCOMPARE(m_model->rowCount(), 17);
        QCOMPARE(seqs(*panel.view()->model()), before);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(panel.filter()->newSincePause(), 7u);
        QVERIFY2(panel.countText().startsWith(QStringLiteral("Paused")), qPrintable(panel.countText()));
        QVERIFY2(panel.countText().contains(QStringLiteral("Showing 10 of 17")), qPrintable(panel.countText()));
        QVERIFY2(panel.countText().contains(QStringLiteral("7 new")), qPrintable(panel.countText()));

        // Filtering still works while paused, over what the pause holds.
        panel.searchField()->setText(QStringLiteral("p1"));
        QCOMPARE(seqs(*panel.view()->model()), (QList<std::uint64_t> {10, 1}));
        panel.searchField()->clear();

        panel.pauseButton()->click();
        QVERIFY(!panel.isPaused());
        QCOMPARE(panel.pauseButton()->text(), QStringLiteral("Pause"));
        QCOMPARE(seqs(*panel.view()->model()), seqs(*m_model));
        QCOMPARE(panel.countText(), QStringLiteral("Showing 17 of 17"));
    }

    void pauseKeepsTheRowsInViewWhileTheCapacityTrims()
    {
        EventLogPanel panel(m_model.get());
        m_model->append(mixed(1, 40));
        panel.setPaused(true);
        QVERIFY(panel.pauseButton()->isChecked());
        m_model->append(mixed(41, 50));
        // The newest rows shown stay where they were; only the oldest went with the source.
        const QList<std::uint64_t> shown = seqs(*panel.view()->model());
        QCOMPARE(shown.size(), 30);
        QCOMPARE(shown.front(), 40u);
        QCOMPARE(shown.back(), 11u);
        panel.setPaused(false);
        QCOMPARE(seqs(*panel.view()->model()).front(), 50u);
    }

    void activatingARowNamesItsProcess()
    {
        EventLogPanel panel(m_model.get());
        panel.resize(900, 300);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        m_model->append({makeEvent(1, sc::EventKind::Start, "finance/ledger"),
            makeEvent(2, sc::EventKind::Exit, "finance/trackers/tracker-01", "killed")});
        QSignalSpy activated(&panel, &EventLogPanel::eventActivated);
        panel.view()->setFocus();
        panel.view()->setCurrentIndex(panel.view()->model()->index(0, 0));
        QTest::keyClick(panel.view(), Qt::Key_Return);
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).value<sc::Pid>(), sc::Pid(102));
        QCOMPARE(activated.at(0).at(1).toString(), QStringLiteral("finance/trackers/tracker-01"));
    }

    void followsTheFont()
    {
        EventLogPanel panel(m_model.get());
        const int rowHeight = panel.view()->verticalHeader()->defaultSectionSize();
        const int pathWidth = panel.view()->horizontalHeader()->sectionSize(EventLogModel::Path);
        QFont big = panel.font();
        big.setPointSizeF(big.pointSizeF() * 2);
        panel.setFont(big);
        QVERIFY(panel.view()->verticalHeader()->defaultSectionSize() > rowHeight);
        QVERIFY(panel.view()->horizontalHeader()->sectionSize(EventLogModel::Path) > pathWidth);
    }

private:
    std::unique_ptr<EventLogModel> m_model;
    std::unique_ptr<CountingFilter> m_filter;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<QSignalSpy> m_resets;
};

QTEST_MAIN(TestEventLogFilter)
#include "tst_eventlogfilter.moc"
