#include "ui/tree/processtreemodel.h"
#include "core/supervision/supervisor.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTest>
#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string_view>
#include <unordered_set>

using sc::ui::ProcessTreeModel;

#include "uitest.h"

using uitest::process;
using uitest::snapshotOf;

namespace {

/// root (1) with workers a (2), b (3), c (4) and a dynamic supervisor d (5)
/// holding workers 6 and 7.
std::vector<sc::ProcessInfo> smallTree()
{
    return {
        process(1, 0, "root", sc::ProcessKind::Supervisor),
        process(2, 1, "root/a"),
        process(3, 1, "root/b"),
        process(4, 1, "root/c"),
        process(5, 1, "root/d", sc::ProcessKind::DynamicSupervisor),
        process(6, 5, "root/d/6"),
        process(7, 5, "root/d/7"),
    };
}

std::vector<sc::ProcessInfo> without(std::vector<sc::ProcessInfo> list, std::initializer_list<sc::Pid> pids)
{
    std::erase_if(
        list, [&](const sc::ProcessInfo& p) { return std::find(pids.begin(), pids.end(), p.pid) != pids.end(); });
    return list;
}

sc::ProcessInfo& find(std::vector<sc::ProcessInfo>& list, sc::Pid pid)
{
    return *std::find_if(list.begin(), list.end(), [pid](const auto& p) { return p.pid == pid; });
}

QStringList childNames(const ProcessTreeModel& model, const QModelIndex& parent)
{
    QStringList names;
    for (int row = 0; row < model.rowCount(parent); ++row)
        names << model.index(row, ProcessTreeModel::NameColumn, parent).data().toString();
    return names;
}

} // namespace

class TestProcessTreeModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_model = std::make_unique<ProcessTreeModel>();
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_resets = std::make_unique<QSignalSpy>(m_model.get(), &QAbstractItemModel::modelReset);
    }

    void cleanup()
    {
        // No update may ever reset the model: views would lose selection and scrolling.
        QCOMPARE(m_resets->count(), 0);
        m_tester.reset();
        m_resets.reset();
        m_model.reset();
    }

    void buildsTheTreeByParent()
    {
        m_model->apply(snapshotOf(smallTree()));

        QCOMPARE(m_model->processCount(), 7);
        QCOMPARE(m_model->rowCount(), 1);
        const QModelIndex root = m_model->index(0, 0);
        QCOMPARE(root.data().toString(), QStringLiteral("root"));
        QCOMPARE(childNames(*m_model, root), (QStringList {"a", "b", "c", "d"}));
        const QModelIndex d = m_model->indexOfPid(5);
        QCOMPARE(d.parent(), root);
        QCOMPARE(childNames(*m_model, d), (QStringList {"6", "7"}));
        QCOMPARE(m_model->pidAt(m_model->index(1, 0, root)), sc::Pid(3));
    }

    void showsColumnsAndRoles()
    {
        auto list = smallTree();
        find(list, 1).strategy = sc::Strategy::RestForOne;
        find(list, 3).mailbox = 12;
        find(list, 3).restarts = 2;
        find(list, 3).handled = 345;
        m_model->apply(snapshotOf(list));

        const QModelIndex b = m_model->indexOfPid(3);
        const auto cell = [&](const QModelIndex& row, int column, int role = Qt::DisplayRole) {
            return row.siblingAtColumn(column).data(role);
        };
        QCOMPARE(cell(b, ProcessTreeModel::NameColumn).toString(), QStringLiteral("b"));
        QVERIFY(cell(b, ProcessTreeModel::NameColumn, Qt::ToolTipRole).toString().contains(QStringLiteral("root/b")));
        QCOMPARE(cell(b, ProcessTreeModel::NameColumn, ProcessTreeModel::PathRole).toString(), QStringLiteral("root/b"));
        QCOMPARE(cell(b, ProcessTreeModel::PidColumn).toString(), QStringLiteral("3"));
        QCOMPARE(cell(b, ProcessTreeModel::PidColumn, ProcessTreeModel::PidRole).toULongLong(), 3ull);
        QCOMPARE(cell(b, ProcessTreeModel::KindColumn).toString(), QStringLiteral("worker"));
        QCOMPARE(cell(b, ProcessTreeModel::StrategyColumn).toString(), QString());
        QCOMPARE(cell(b, ProcessTreeModel::MailboxColumn).toString(), QStringLiteral("12"));
        QCOMPARE(cell(b, ProcessTreeModel::RestartsColumn).toString(), QStringLiteral("2"));
        QCOMPARE(cell(b, ProcessTreeModel::HandledColumn).toString(), QStringLiteral("345"));
        QVERIFY(!cell(b, ProcessTreeModel::NameColumn, Qt::DecorationRole).isNull());
        QVERIFY(!cell(b, ProcessTreeModel::NameColumn, Qt::FontRole).value<QFont>().bold());

        const QModelIndex root = m_model->indexOfPid(1);
        QCOMPARE(cell(root, ProcessTreeModel::KindColumn).toString(), QStringLiteral("supervisor"));
        QCOMPARE(cell(root, ProcessTreeModel::StrategyColumn).toString(), QStringLiteral("rest_for_one"));
        QVERIFY(cell(root, ProcessTreeModel::NameColumn, Qt::FontRole).value<QFont>().bold());
        QVERIFY(cell(m_model->indexOfPid(5), ProcessTreeModel::NameColumn, Qt::FontRole).value<QFont>().bold());
    }

    void showsTheRestartBudget()
    {
        auto list = smallTree();
        find(list, 1).strategy = sc::Strategy::OneForAll;
        find(list, 1).intensity = 3;
        find(list, 1).periodMs = 5000;
        find(list, 1).restartsInWindow = 2;
        m_model->apply(snapshotOf(list));

        const QModelIndex root = m_model->indexOfPid(1);
        QCOMPARE(root.data(ProcessTreeModel::StrategyRole).toInt(), int(sc::Strategy::OneForAll));
        QCOMPARE(root.data(ProcessTreeModel::IntensityRole).toUInt(), 3u);
        QCOMPARE(root.data(ProcessTreeModel::PeriodRole).toUInt(), 5000u);
        QCOMPARE(root.data(ProcessTreeModel::BudgetUsedRole).toInt(), 2);
        QVERIFY(!m_model->indexOfPid(2).data(ProcessTreeModel::BudgetUsedRole).isValid());

        // The budget drains with time alone: a later snapshot counts fewer, and only that row changes.
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        find(list, 1).restartsInWindow = 1;
        m_model->apply(snapshotOf(list));
        QCOMPARE(root.data(ProcessTreeModel::BudgetUsedRole).toInt(), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>().siblingAtColumn(0), root);
        m_model->apply(snapshotOf(list));
        QCOMPARE(changed.count(), 1);
    }

    void statusIsColoured_data()
    {
        QTest::addColumn<sc::ProcessStatus>("status");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("hue");
        QTest::newRow("running") << sc::ProcessStatus::Running << "running"
                                 << "green";
        QTest::newRow("initializing") << sc::ProcessStatus::Initializing << "initializing"
                                      << "amber";
        QTest::newRow("restarting") << sc::ProcessStatus::Restarting << "restarting"
                                    << "amber";
        QTest::newRow("terminating") << sc::ProcessStatus::Terminating << "terminating"
                                     << "red";
    }

    void statusIsColoured()
    {
        QFETCH(sc::ProcessStatus, status);
        QFETCH(QString, text);
        QFETCH(QString, hue);

        auto list = smallTree();
        find(list, 2).status = status;
        m_model->apply(snapshotOf(list));

        const QModelIndex cell = m_model->indexOfPid(2, ProcessTreeModel::StatusColumn);
        QCOMPARE(cell.data().toString(), text);
        const QColor colour = cell.data(Qt::ForegroundRole).value<QColor>();
        QVERIFY(colour.isValid());
        const int h = colour.hsvHue();
        if (hue == QLatin1String("green"))
            QVERIFY2(h >= 90 && h <= 160, qPrintable(colour.name()));
        else if (hue == QLatin1String("amber"))
            QVERIFY2(h >= 20 && h <= 50, qPrintable(colour.name()));
        else
            QVERIFY2(h <= 10 || h >= 345, qPrintable(colour.name()));
    }

    void dataChangedOnlyForTheChangedRow()
    {
        auto list = smallTree();
        m_model->apply(snapshotOf(list));

        QItemSelectionModel selection(m_model.get());
        const QModelIndex a = m_model->indexOfPid(2);
        selection.select(a, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        const QPersistentModelIndex persistentA(a);
        const QPersistentModelIndex persistentC(m_model->indexOfPid(4, ProcessTreeModel::MailboxColumn));

        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy layout(m_model.get(), &QAbstractItemModel::layoutChanged);

        find(list, 3).mailbox = 42;
        m_model->apply(snapshotOf(list));

        QCOMPARE(changed.count(), 1);
        const auto topLeft = changed.at(0).at(0).value<QModelIndex>();
        const auto bottomRight = changed.at(0).at(1).value<QModelIndex>();
        const QModelIndex b = m_model->indexOfPid(3);
        QCOMPARE(topLeft.parent(), b.parent());
        QCOMPARE(topLeft.row(), b.row());
        QCOMPARE(bottomRight.row(), b.row());
        QVERIFY(topLeft.column() <= ProcessTreeModel::MailboxColumn && bottomRight.column() >= ProcessTreeModel::MailboxColumn);
        QCOMPARE(b.siblingAtColumn(ProcessTreeModel::MailboxColumn).data().toString(), QStringLiteral("42"));
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(layout.count(), 0);

        QVERIFY(persistentA.isValid());
        QCOMPARE(m_model->pidAt(persistentA), sc::Pid(2));
        QCOMPARE(m_model->pidAt(persistentC), sc::Pid(4));
        QVERIFY(selection.isRowSelected(persistentA.row(), persistentA.parent()));
        QCOMPARE(selection.selectedRows().size(), 1);

        // Nothing changed: nothing is signalled.
        changed.clear();
        m_model->apply(snapshotOf(list));
        QCOMPARE(changed.count(), 0);
    }

    void removesAChildAndKeepsTheOthers()
    {
        auto list = smallTree();
        m_model->apply(snapshotOf(list));
        const QPersistentModelIndex c(m_model->indexOfPid(4));
        QItemSelectionModel selection(m_model.get());
        selection.select(c, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);

        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        m_model->apply(snapshotOf(without(list, {3})));

        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(0).value<QModelIndex>(), m_model->indexOfPid(1));
        QCOMPARE(removed.at(0).at(1).toInt(), 1);
        QCOMPARE(removed.at(0).at(2).toInt(), 1);
        QCOMPARE(changed.count(), 0);
        QCOMPARE(childNames(*m_model, m_model->indexOfPid(1)), (QStringList {"a", "c", "d"}));
        QVERIFY(!m_model->indexOfPid(3).isValid());
        QCOMPARE(m_model->processCount(), 6);
        QCOMPARE(m_model->pidAt(c), sc::Pid(4));
        QCOMPARE(c.row(), 1);
        QVERIFY(selection.isRowSelected(c.row(), c.parent()));
    }

    void restartedChildKeepsItsPlace_data()
    {
        QTest::addColumn<bool>("sameTick");
        QTest::newRow("gap seen between exit and restart") << false;
        QTest::newRow("exit and restart in one snapshot") << true;
    }

    void restartedChildKeepsItsPlace()
    {
        QFETCH(bool, sameTick);

        auto list = smallTree();
        m_model->apply(snapshotOf(list));
        const QPersistentModelIndex c(m_model->indexOfPid(4));

        if (!sameTick) m_model->apply(snapshotOf(without(list, {3})));
        list = without(list, {3});
        auto again = process(8, 1, "root/b");
        again.restarts = 1;
        list.push_back(again);
        m_model->apply(snapshotOf(list));

        const QModelIndex root = m_model->indexOfPid(1);
        QCOMPARE(childNames(*m_model, root), (QStringList {"a", "b", "c", "d"}));
        const QModelIndex b = m_model->indexOfPid(8);
        QCOMPARE(b.row(), 1);
        QCOMPARE(b.parent(), root);
        QCOMPARE(b.siblingAtColumn(ProcessTreeModel::RestartsColumn).data().toString(), QStringLiteral("1"));
        QCOMPARE(m_model->indexOfPath(QStringLiteral("root/b")), b);
        QCOMPARE(m_model->pidAt(c), sc::Pid(4));
        QCOMPARE(c.row(), 2);
    }

    void newChildrenGoAfterTheirSiblings()
    {
        auto list = smallTree();
        m_model->apply(snapshotOf(list));
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);

        list.push_back(process(8, 5, "root/d/8"));
        list.push_back(process(9, 5, "root/d/9"));
        m_model->apply(snapshotOf(list));

        QCOMPARE(inserted.count(), 1); // one contiguous batch, one signal
        QCOMPARE(inserted.at(0).at(1).toInt(), 2);
        QCOMPARE(inserted.at(0).at(2).toInt(), 3);
        QCOMPARE(childNames(*m_model, m_model->indexOfPid(5)), (QStringList {"6", "7", "8", "9"}));
    }

    void orphanBecomesTopLevel()
    {
        auto list = smallTree();
        m_model->apply(snapshotOf(list));
        const QPersistentModelIndex six(m_model->indexOfPid(6));
        QSignalSpy moved(m_model.get(), &QAbstractItemModel::rowsMoved);

        // The dynamic supervisor ended while one of its workers is still shutting down.
        list = without(list, {5, 7});
        find(list, 6).status = sc::ProcessStatus::Terminating;
        m_model->apply(snapshotOf(list));

        QCOMPARE(moved.count(), 1);
        QCOMPARE(m_model->rowCount(), 2);
        QVERIFY(six.isValid());
        QCOMPARE(six.parent(), QModelIndex());
        QCOMPARE(m_model->pidAt(six), sc::Pid(6));
        QCOMPARE(m_model->indexOfPid(6, ProcessTreeModel::StatusColumn).data().toString(), QStringLiteral("terminating"));
        QCOMPARE(childNames(*m_model, m_model->indexOfPid(1)), (QStringList {"a", "b", "c"}));

        m_model->apply(snapshotOf(without(list, {6})));
        QCOMPARE(m_model->rowCount(), 1);
        QVERIFY(!six.isValid());
    }

    void deepTreeAppearsAndGoesAtOnce()
    {
        // A chain 40 deep, every level with a worker beside the next supervisor.
        std::vector<sc::ProcessInfo> list {process(1, 0, "top", sc::ProcessKind::Supervisor)};
        std::string path = "top";
        sc::Pid parent = 1;
        sc::Pid next = 2;
        for (int depth = 0; depth < 40; ++depth) {
            const sc::Pid sup = next++;
            list.push_back(process(sup, parent, path + "/s", sc::ProcessKind::Supervisor));
            list.push_back(process(next++, parent, path + "/w"));
            path += "/s";
            parent = sup;
        }
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        m_model->apply(snapshotOf(list));
        QCOMPARE(inserted.count(), 1); // the whole tree under one new top row
        QCOMPARE(m_model->processCount(), 81);

        QModelIndex deepest;
        QModelIndex at = m_model->index(0, 0);
        int depth = 0;
        while (m_model->rowCount(at) > 0) {
            QCOMPARE(childNames(*m_model, at), (QStringList {"s", "w"}));
            deepest = at;
            at = m_model->index(0, 0, at);
            ++depth;
        }
        QCOMPARE(depth, 40);
        const QPersistentModelIndex persistentDeepest(deepest);

        // Kill level 10: its whole subtree goes with one row removal.
        const sc::Pid level10 = 2 + 2 * 9;
        const QModelIndex level10Index = m_model->indexOfPid(level10);
        QVERIFY(level10Index.isValid());
        std::vector<sc::ProcessInfo> survivors;
        for (const auto& p : list) {
            if (p.pid < level10) survivors.push_back(p);
        }
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        m_model->apply(snapshotOf(survivors));
        QCOMPARE(removed.count(), 1);
        QVERIFY(!persistentDeepest.isValid());
        QCOMPARE(m_model->processCount(), static_cast<int>(survivors.size()));
    }

    void tenThousandProcesses()
    {
        // The tester walks the whole model on every signal; the small trees above cover it.
        m_tester.reset();
        std::vector<sc::ProcessInfo> list {process(1, 0, "pool", sc::ProcessKind::DynamicSupervisor)};
        for (sc::Pid pid = 2; pid <= 10'001; ++pid)
            list.push_back(process(pid, 1, "pool/" + std::to_string(pid)));
        m_model->apply(snapshotOf(list));
        const QModelIndex pool = m_model->index(0, 0);
        QCOMPARE(m_model->rowCount(pool), 10'000);

        const QPersistentModelIndex first(m_model->indexOfPid(2));
        const QPersistentModelIndex last(m_model->indexOfPid(10'001));
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);

        // Every other worker ends; three others get mail.
        std::vector<sc::ProcessInfo> next;
        for (const auto& p : list) {
            if (p.pid == 1 || p.pid % 2 == 1) next.push_back(p);
        }
        for (sc::Pid pid : {101, 5001, 9001})
            find(next, pid).mailbox = 7;
        m_model->apply(snapshotOf(next));

        QCOMPARE(m_model->rowCount(pool), 5'000);
        QCOMPARE(changed.count(), 3);
        QVERIFY(!first.isValid());
        QCOMPARE(m_model->pidAt(last), sc::Pid(10'001));
        QCOMPARE(last.row(), 4'999);
        QCOMPARE(m_model->indexOfPid(5001, ProcessTreeModel::MailboxColumn).data().toString(), QStringLiteral("7"));
    }

    void randomChurnKeepsTheTreeConsistent_data()
    {
        QTest::addColumn<unsigned>("seed");
        for (unsigned seed : {1u, 2u, 3u, 42u, 2024u})
            QTest::newRow(qPrintable(QStringLiteral("seed %1").arg(seed))) << seed;
    }

    void randomChurnKeepsTheTreeConsistent()
    {
        // Processes come and go at random, parents die before their children,
        // ended children come back under their old path: after every apply the
        // model holds exactly the live processes, each under its live parent.
        QFETCH(unsigned, seed);
        std::mt19937 random(seed);
        std::vector<sc::ProcessInfo> live {process(1, 0, "r", sc::ProcessKind::Supervisor)};
        std::vector<std::string> ended;
        sc::Pid next = 2;
        for (int round = 0; round < 60; ++round) {
            const int births = static_cast<int>(random() % 5);
            for (int i = 0; i < births && !live.empty(); ++i) {
                const sc::ProcessInfo& parent = live[random() % live.size()];
                std::string path = std::string(parent.path) + "/" + std::to_string(next);
                if (!ended.empty() && random() % 3 == 0) {
                    path = ended.back(); // a restart: same path, new pid
                    ended.pop_back();
                }
                live.push_back(process(next++, parent.pid, path,
                    random() % 3 == 0 ? sc::ProcessKind::Supervisor : sc::ProcessKind::Worker));
            }
            const int deaths = static_cast<int>(random() % 4);
            for (int i = 0; i < deaths && live.size() > 1; ++i) {
                const std::size_t victim = random() % live.size();
                ended.emplace_back(live[victim].path);
                live.erase(live.begin() + static_cast<std::ptrdiff_t>(victim));
            }
            for (auto& p : live)
                p.mailbox = static_cast<std::uint32_t>(random() % 3);
            m_model->apply(snapshotOf(live));

            QCOMPARE(m_model->processCount(), static_cast<int>(live.size()));
            int shown = 0;
            for (const auto& p : live) {
                const QModelIndex index = m_model->indexOfPid(p.pid);
                QVERIFY(index.isValid());
                const bool parentAlive = std::any_of(
                    live.begin(), live.end(), [&](const sc::ProcessInfo& q) { return q.pid == p.parent; });
                QCOMPARE(m_model->pidAt(index.parent()), parentAlive ? p.parent : sc::Pid(0));
                QCOMPARE(
                    index.siblingAtColumn(ProcessTreeModel::MailboxColumn).data().toString(), QString::number(p.mailbox));
                shown += m_model->rowCount(index);
            }
            QCOMPARE(shown + m_model->rowCount(), static_cast<int>(live.size()));
        }
    }

    void everyChangedCellIsSignalled_data()
    {
        QTest::addColumn<unsigned>("seed");
        QTest::addColumn<bool>("shuffled");
        for (unsigned seed : {5u, 77u}) {
            QTest::newRow(qPrintable(QStringLiteral("seed %1, rows in place").arg(seed))) << seed << false;
            QTest::newRow(qPrintable(QStringLiteral("seed %1, rows shuffled").arg(seed))) << seed << true;
        }
    }

    void everyChangedCellIsSignalled()
    {
        // apply() looks only at rows that changed: whatever changes in a cell
        // of a process shown before and after must come with a dataChanged
        // that covers it, whether the snapshot keeps its rows in place or not.
        QFETCH(unsigned, seed);
        QFETCH(bool, shuffled);
        std::mt19937 random(seed);
        std::vector<sc::ProcessInfo> live {process(1, 0, "r", sc::ProcessKind::Supervisor)};
        sc::Pid next = 2;
        for (int i = 0; i < 40; ++i) {
            const sc::Pid parent = live[random() % live.size()].pid;
            const sc::Pid pid = next++;
            live.push_back(process(pid, parent, "r/" + std::to_string(pid),
                random() % 4 == 0 ? sc::ProcessKind::Supervisor : sc::ProcessKind::Worker));
        }
        std::vector<std::pair<sc::Pid, int>> signalled;
        connect(m_model.get(), &QAbstractItemModel::dataChanged, this,
            [&](const QModelIndex& topLeft, const QModelIndex& bottomRight) {
                for (int row = topLeft.row(); row <= bottomRight.row(); ++row)
                    for (int column = topLeft.column(); column <= bottomRight.column(); ++column)
                        signalled.emplace_back(m_model->pidAt(m_model->index(row, 0, topLeft.parent())), column);
            });
        const auto cells = [this](const std::vector<sc::ProcessInfo>& list) {
            std::map<std::pair<sc::Pid, int>, QString> shown;
            for (const auto& p : list) {
                const QModelIndex index = m_model->indexOfPid(p.pid);
                for (int column = 0; column < ProcessTreeModel::ColumnCount; ++column) {
                    const QModelIndex cell = index.siblingAtColumn(column);
                    // The budget is drawn in the strategy column.
                    const QString budget = column == ProcessTreeModel::StrategyColumn
                        ? cell.data(ProcessTreeModel::BudgetUsedRole).toString()
                        : QString();
                    shown[{p.pid, column}]
                        = cell.data().toString() + u'|' + budget + u'|' + cell.data(Qt::ForegroundRole).toString();
                }
            }
            return shown;
        };
        m_model->apply(snapshotOf(live));
        for (int round = 0; round < 60; ++round) {
            const auto before = cells(live);
            for (int i = 0; i < 6; ++i) {
                sc::ProcessInfo& p = live[random() % live.size()];
                switch (random() % 5) {
                case 0:
                    p.mailbox = static_cast<std::uint32_t>(random() % 100);
                    break;
                case 1:
                    ++p.restarts;
                    break;
                case 2:
                    p.handled += 1 + random() % 5;
                    break;
                case 3:
                    p.status = static_cast<sc::ProcessStatus>(random() % 4);
                    break;
                default:
                    p.restartsInWindow = static_cast<std::uint32_t>(random() % 3);
                    break;
                }
            }
            if (random() % 3 == 0) { // one ends, its children become orphans at the top level
                live.erase(live.begin() + static_cast<std::ptrdiff_t>(1 + random() % (live.size() - 1)));
            }
            if (random() % 2 == 0) {
                const sc::Pid parent = live[random() % live.size()].pid;
                const sc::Pid pid = next++;
                live.push_back(process(pid, parent, "r/" + std::to_string(pid)));
            }
            auto rows = live;
            if (shuffled) std::shuffle(rows.begin(), rows.end(), random);
            signalled.clear();
            sc::Snapshot snapshot;
            snapshot.processes = rows;
            m_model->apply(snapshot);
            const auto after = cells(live);
            std::sort(signalled.begin(), signalled.end());
            for (const auto& [cell, text] : after) {
                const auto was = before.find(cell);
                if (was == before.end() || was->second == text) continue;
                if (!std::binary_search(signalled.begin(), signalled.end(), cell))
                    QFAIL(qPrintable(QStringLiteral("pid %1 column %2 changed (%3 to %4) unsignalled")
                                         .arg(cell.first)
                                         .arg(cell.second)
                                         .arg(was->second, text)));
            }
        }
    }

    void emptySnapshotClearsTheTree()
    {
        m_model->apply(snapshotOf(smallTree()));
        m_model->apply(sc::Snapshot {});
        QCOMPARE(m_model->rowCount(), 0);
        QCOMPARE(m_model->processCount(), 0);
        m_model->apply(snapshotOf(smallTree()));
        QCOMPARE(m_model->processCount(), 7);
    }

    /// Siblings are drawn in start order even when an earlier tree used the
    /// same paths: the restart intensity demo's root/payments, then the
    /// one_for_one demo's catalog, cart, payments (issue 16, A.2).
    void siblingsInStartOrderAfterAnEarlierTree()
    {
        m_model->apply(snapshotOf({
            process(1, 0, "root", sc::ProcessKind::Supervisor),
            process(2, 1, "root/payments", sc::ProcessKind::Supervisor),
            process(3, 2, "root/payments/gateway"),
            process(4, 2, "root/payments/ledger"),
            process(5, 1, "root/web"),
        }));
        m_model->apply(sc::Snapshot {});
        m_model->apply(snapshotOf({
            process(10, 0, "root", sc::ProcessKind::Supervisor),
            process(11, 10, "root/catalog"),
            process(12, 10, "root/cart"),
            process(13, 10, "root/payments"),
        }));
        QCOMPARE(childNames(*m_model, m_model->indexOfPid(10)), (QStringList {"catalog", "cart", "payments"}));
        // A child restarted in this tree still keeps its place.
        m_model->apply(snapshotOf({
            process(10, 0, "root", sc::ProcessKind::Supervisor),
            process(11, 10, "root/catalog"),
            process(13, 10, "root/payments"),
            process(14, 10, "root/cart"),
        }));
        QCOMPARE(childNames(*m_model, m_model->indexOfPid(10)), (QStringList {"catalog", "cart", "payments"}));
    }

    /// A child restarted before the model first saw it has a higher pid than
    /// the siblings started after it: the supervisor's start order decides.
    void startOrderFromTheSnapshotDecides()
    {
        auto list = std::vector<sc::ProcessInfo> {
            process(1, 0, "root", sc::ProcessKind::Supervisor),
            process(2, 1, "root/catalog"),
            process(4, 1, "root/payments"),
            process(5, 1, "root/cart"),
        };
        find(list, 2).startOrder = 1;
        find(list, 5).startOrder = 2;
        find(list, 4).startOrder = 3;
        m_model->apply(snapshotOf(list));
        QCOMPARE(childNames(*m_model, m_model->indexOfPid(1)), (QStringList {"catalog", "cart", "payments"}));
    }

    /// Two trees in a row from a live runtime, in one model: start order both times.
    void twoLiveTreesInARowKeepStartOrder()
    {
        sc::Runtime rt(sc::RuntimeOptions {.workers = 2});
        sc::SupervisorFlags payments;
        payments.intensity = 2;
        payments.period = std::chrono::seconds(60);
        sc::ChildSpec paymentsSpec;
        paymentsSpec.id = "payments";
        paymentsSpec.type = sc::ChildType::Supervisor;
        paymentsSpec.start = [payments] {
            return std::make_unique<sc::Supervisor>(
                payments, std::vector<sc::ChildSpec> {uitest::idleChild("gateway"), uitest::idleChild("ledger")});
        };
        auto first = sc::startSupervisor(rt, "root", {}, {paymentsSpec, uitest::idleChild("web")});
        QVERIFY(first.ok());
        m_model->apply(rt.snapshot());
        QCOMPARE(childNames(*m_model, m_model->indexOfPid(*first)), (QStringList {"payments", "web"}));
        QVERIFY(rt.stop(*first, sc::ExitReason::shutdown()).ok());
        m_model->apply(rt.snapshot());
        QCOMPARE(m_model->processCount(), 0);

        auto second = sc::startSupervisor(rt, "root", {},
            {uitest::idleChild("catalog"), uitest::idleChild("cart"), uitest::idleChild("payments")});
        QVERIFY(second.ok());
        // cart restarted before the model looks: its pid is now the highest.
        const auto cart = sc::whichChildren(rt, *second);
        QVERIFY(cart.ok());
        const sc::Pid oldCart = (*cart)[1].pid;
        rt.kill(oldCart);
        QTRY_VERIFY([&] {
            const auto now = sc::whichChildren(rt, *second);
            return now.ok() && (*now)[1].pid != 0 && (*now)[1].pid != oldCart;
        }());
        m_model->apply(rt.snapshot());
        QCOMPARE(childNames(*m_model, m_model->indexOfPid(*second)), (QStringList {"catalog", "cart", "payments"}));
    }

    /// A flood that came and went between two frames: the peak is held for
    /// mailboxHoldFrames applies, then decays to what is queued, each change
    /// signalled so that views repaint (issue 16, A.7).
    void mailboxPeakIsHeldThenDecays()
    {
        auto list = smallTree();
        find(list, 3).mailboxPeak = 100000;
        m_model->apply(snapshotOf(list));
        const QModelIndex b = m_model->indexOfPid(3, ProcessTreeModel::MailboxColumn);
        QCOMPARE(b.data(ProcessTreeModel::MailboxPeakRole).toUInt(), 100000u);
        QCOMPARE(b.data(ProcessTreeModel::MailboxShownRole).toUInt(), 100000u);
        QCOMPARE(b.data().toString(), QStringLiteral("0")); // the table says what is queued now

        find(list, 3).mailboxPeak = 0;
        QSignalSpy changes(m_model.get(), &QAbstractItemModel::dataChanged);
        for (int frame = 0; frame < ProcessTreeModel::mailboxHoldFrames; ++frame) {
            m_model->apply(snapshotOf(list));
            QCOMPARE(b.data(ProcessTreeModel::MailboxShownRole).toUInt(), 100000u);
        }
        QCOMPARE(b.data(ProcessTreeModel::MailboxPeakRole).toUInt(), 0u);
        std::uint32_t last = 100000;
        int frames = 0;
        changes.clear();
        while (last > 0 && frames < 100) {
            m_model->apply(snapshotOf(list));
            const std::uint32_t now = b.data(ProcessTreeModel::MailboxShownRole).toUInt();
            QVERIFY2(now < last, qPrintable(QStringLiteral("frame %1: %2 after %3").arg(frames).arg(now).arg(last)));
            last = now;
            ++frames;
        }
        QCOMPARE(last, 0u);
        QVERIFY(frames > 10); // a decay to see, not a drop
        QCOMPARE(changes.count(), frames);

        // What is queued holds it up; a new peak starts a new hold.
        find(list, 3).mailbox = 40;
        find(list, 3).mailboxPeak = 500;
        m_model->apply(snapshotOf(list));
        QCOMPARE(b.data(ProcessTreeModel::MailboxShownRole).toUInt(), 500u);
        find(list, 3).mailboxPeak = 40;
        for (int frame = 0; frame < 200; ++frame)
            m_model->apply(snapshotOf(list));
        QCOMPARE(b.data(ProcessTreeModel::MailboxShownRole).toUInt(), 40u);
    }

    /// A count every frame showed is no peak to hold: stepped while paused,
    /// the mailbox drawn reads 5, 4, 3 at once (issue 16, A.3).
    void mailboxCountSeenFallsAtOnce()
    {
        auto list = smallTree();
        for (std::uint32_t queued = 5; queued >= 3; --queued) {
            find(list, 3).mailbox = queued;
            find(list, 3).mailboxPeak = queued;
            m_model->apply(snapshotOf(list));
            QCOMPARE(m_model->indexOfPid(3).data(ProcessTreeModel::MailboxShownRole).toUInt(), queued);
        }
    }

private:
    std::unique_ptr<ProcessTreeModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<QSignalSpy> m_resets;
};

QTEST_MAIN(TestProcessTreeModel)
#include "tst_processtreemodel.moc"
