#include "ui/tree/processtreemodel.h"
#include "ui/bridge/runtimebridge.h"
#include "core/supervision/supervisor.h"
#include "ui/common/theme.h"
#include "ui/tree/killset.h"
#include "ui/tree/treegraphview.h"

#include <QContextMenuEvent>
#include <QElapsedTimer>
#include <QImage>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>
#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <string_view>
#include <unordered_set>

using sc::ui::ProcessTreeModel;
using sc::ui::TreeGraphView;

#include "uitest.h"

using uitest::idleChild;
using uitest::process;
using uitest::snapshotOf;

namespace {

/// root (1) with workers a (2), b (3), c (4) and a dynamic supervisor d (5)
/// holding workers 6 and 7.
std::vector<sc::ProcessInfo> smallTree(sc::Strategy strategy = sc::Strategy::OneForOne)
{
    std::vector<sc::ProcessInfo> list {
        process(1, 0, "root", sc::ProcessKind::Supervisor),
        process(2, 1, "root/a"),
        process(3, 1, "root/b"),
        process(4, 1, "root/c"),
        process(5, 1, "root/d", sc::ProcessKind::DynamicSupervisor),
        process(6, 5, "root/d/6"),
        process(7, 5, "root/d/7"),
    };
    list[0].strategy = strategy;
    return list;
}

/// The finance application's tree, with supervisors of every kind and depth.
std::vector<sc::ProcessInfo> financeTree()
{
    using K = sc::ProcessKind;
    std::vector<sc::ProcessInfo> list {
        process(1, 0, "finance", K::Supervisor),
        process(2, 1, "finance/audit_log"),
        process(3, 1, "finance/core", K::Supervisor),
        process(4, 3, "finance/core/zakat_calculator"),
        process(5, 3, "finance/core/donation_pool"),
        process(6, 3, "finance/core/withdrawals"),
        process(7, 3, "finance/core/transaction_processor"),
        process(8, 3, "finance/core/trackers", K::Supervisor),
        process(9, 8, "finance/core/trackers/alice"),
        process(10, 8, "finance/core/trackers/bob"),
        process(11, 3, "finance/core/transactions", K::DynamicSupervisor),
        process(12, 1, "finance/reporting", K::Supervisor),
        process(13, 12, "finance/reporting/database"),
        process(14, 12, "finance/reporting/report_generator"),
    };
    for (auto& p : list) {
        if (p.kind == K::Worker) continue;
        p.intensity = 3;
        p.periodMs = 5000;
    }
    list[0].strategy = sc::Strategy::OneForOne;
    list[2].strategy = sc::Strategy::RestForOne;
    list[7].strategy = sc::Strategy::OneForOne;
    list[11].strategy = sc::Strategy::OneForAll;
    return list;
}

/// root, `supervisors` supervisors under it, `workers` workers under each.
std::vector<sc::ProcessInfo> wideTree(int supervisors, int workers)
{
    std::vector<sc::ProcessInfo> list;
    list.push_back(process(1, 0, "big", sc::ProcessKind::Supervisor));
    sc::Pid pid = 2;
    for (int s = 0; s < supervisors; ++s) {
        const sc::Pid sup = pid++;
        const std::string path = "big/s" + std::to_string(s);
        list.push_back(process(sup, 1, path, sc::ProcessKind::Supervisor));
        for (int w = 0; w < workers; ++w) {
            auto worker = process(pid++, sup, path + "/w" + std::to_string(w));
            worker.mailbox = static_cast<std::uint32_t>(w % 7);
            list.push_back(worker);
        }
    }
    return list;
}

sc::ProcessInfo& find(std::vector<sc::ProcessInfo>& list, sc::Pid pid)
{
    return *std::find_if(list.begin(), list.end(), [pid](const auto& p) { return p.pid == pid; });
}

sc::Event makeEvent(sc::EventKind kind, sc::Pid pid, const std::string& path)
{
    sc::Event e;
    e.kind = kind;
    e.pid = pid;
    e.path = path;
    return e;
}

std::vector<sc::Pid> pids(std::initializer_list<sc::Pid> list)
{
    return list;
}

} // namespace

Q_DECLARE_METATYPE(std::vector<sc::Pid>)

class TestTreeGraphView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_model = std::make_unique<ProcessTreeModel>();
        m_view = std::make_unique<TreeGraphView>();
        m_view->setModel(m_model.get());
        m_view->resize(1200, 800);
    }

    void cleanup()
    {
        m_view.reset();
        m_model.reset();
    }

    void parentsAreCentredOverChildrenInRowOrder()
    {
        m_view->resize(2400, 1000); // wide enough to read level by level
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        m_model->apply(snapshotOf(financeTree()));
        QVERIFY(!m_view->isWrapped());
        QCOMPARE(m_view->nodeCount(), 14);
        checkLayout(QModelIndex());
    }

    void noTwoNodesOverlap()
    {
        m_model->apply(snapshotOf(financeTree()));
        std::vector<QRectF> rects;
        for (sc::Pid pid = 1; pid <= 14; ++pid) {
            const QRectF r = m_view->nodeRect(pid);
            QVERIFY2(!r.isEmpty(), qPrintable(QString::number(pid)));
            for (const QRectF& other : rects)
                QVERIFY2(!r.intersects(other), qPrintable(QString::number(pid)));
            rects.push_back(r);
        }
    }

    void manyLeavesWrapIntoRows()
    {
        m_model->apply(snapshotOf(wideTree(3, 40)));
        QCOMPARE(m_view->nodeCount(), 1 + 3 * 41);
        std::vector<QRectF> rects;
        for (sc::Pid pid = 1; pid <= 124; ++pid) {
            const QRectF r = m_view->nodeRect(pid);
            QVERIFY(!r.isEmpty());
            for (const QRectF& other : rects)
                QVERIFY2(!r.intersects(other.adjusted(-4, -4, 4, 4)), qPrintable(QString::number(pid)));
            rects.push_back(r);
        }
        for (int s = 0; s < 3; ++s) {
            const QModelIndex sup = m_model->index(s, 0, m_model->index(0, 0));
            const QRectF parent = m_view->nodeRect(m_model->pidAt(sup));
            int rows = 1;
            QRectF previous;
            QRectF firstRowEnd;
            for (int row = 0; row < m_model->rowCount(sup); ++row) {
                const QRectF r = m_view->nodeRect(m_model->pidAt(m_model->index(row, 0, sup)));
                QVERIFY(parent.bottom() < r.top());
                if (row > 0) {
                    // Row-major: to the right on the same line, or a new line below.
                    if (r.top() == previous.top()) {
                        QVERIFY(previous.right() < r.left());
                    } else {
                        QVERIFY(r.top() > previous.bottom());
                        ++rows;
                    }
                }
                if (rows == 1) firstRowEnd = r;
                previous = r;
            }
            QVERIFY(rows > 1);
            const QRectF first = m_view->nodeRect(m_model->pidAt(m_model->index(0, 0, sup)));
            QCOMPARE(parent.center().x(), (first.center().x() + firstRowEnd.center().x()) / 2);
        }
        m_view->grab(); // paints the grid's edges
    }

    void restartedChildKeepsItsPlace()
    {
        auto list = smallTree();
        m_model->apply(snapshotOf(list));
        const QRectF before = m_view->nodeRect(3);
        const QRectF rootBefore = m_view->nodeRect(1);
        QVERIFY(!before.isEmpty());

        // b (3) is restarted: pid 8 under the same path, in the same snapshot.
        auto restarted = process(8, 1, "root/b");
        restarted.restarts = 1;
        std::erase_if(list, [](const auto& p) { return p.pid == 3; });
        list.push_back(restarted);
        m_model->apply(snapshotOf(list));
        QCOMPARE(m_view->nodeRect(3), QRectF());
        QCOMPARE(m_view->nodeRect(8), before);
        QCOMPARE(m_view->nodeRect(1), rootBefore);
    }

    void selectionFollowsARestartedChild()
    {
        auto list = smallTree();
        m_model->apply(snapshotOf(list));
        QSignalSpy spy(m_view.get(), &TreeGraphView::selectionChanged);
        QVERIFY(m_view->selectPid(3));
        QCOMPARE(m_view->selectedPid(), sc::Pid(3));
        std::erase_if(list, [](const auto& p) { return p.pid == 3; });
        list.push_back(process(8, 1, "root/b"));
        m_model->apply(snapshotOf(list));
        m_view->layoutNow();
        QCOMPARE(m_view->selectedPid(), sc::Pid(8));
        QCOMPARE(spy.count(), 2);
        QCOMPARE(spy.last().at(0).value<sc::Pid>(), sc::Pid(8));
    }

    void layoutIsCoalescedAndFollowsTheModel()
    {
        m_model->apply(snapshotOf(smallTree()));
        QCOMPARE(m_view->nodeCount(), 7);
        auto list = smallTree();
        list.push_back(process(9, 5, "root/d/9"));
        m_model->apply(snapshotOf(list));
        // The timer rebuilds the layout without anyone asking.
        QTRY_VERIFY(!m_view->nodeRect(9).isEmpty());
        QCOMPARE(m_view->nodeCount(), 8);
        m_model->apply(snapshotOf(without(list, 9)));
        QTRY_VERIFY(m_view->nodeRect(9).isEmpty());
    }

    void killSetPolicyWithoutAView_data()
    {
        // The policy alone (ui/tree/killset.h), on plain rows: siblings in start order.
        QTest::addColumn<int>("strategy");
        QTest::addColumn<sc::Pid>("victim");
        QTest::addColumn<std::vector<sc::Pid>>("expected");
        QTest::newRow("one_for_one") << int(sc::Strategy::OneForOne) << sc::Pid(12) << pids({12});
        QTest::newRow("one_for_all") << int(sc::Strategy::OneForAll) << sc::Pid(12) << pids({10, 11, 12, 13});
        QTest::newRow("rest_for_one") << int(sc::Strategy::RestForOne) << sc::Pid(12) << pids({12, 13});
        QTest::newRow("rest_for_one, first") << int(sc::Strategy::RestForOne) << sc::Pid(10) << pids({10, 11, 12, 13});
    }

    void killSetPolicyWithoutAView()
    {
        QFETCH(int, strategy);
        QFETCH(sc::Pid, victim);
        QFETCH(std::vector<sc::Pid>, expected);
        QCOMPARE(sc::ui::killSet(static_cast<sc::Strategy>(strategy), pids({10, 11, 12, 13}), victim), expected);
    }

    void killSetFollowsTheParentsStrategy_data()
    {
        QTest::addColumn<int>("strategy");
        QTest::addColumn<sc::Pid>("target");
        QTest::addColumn<std::vector<sc::Pid>>("expected");
        QTest::newRow("one_for_one") << int(sc::Strategy::OneForOne) << sc::Pid(3) << pids({3});
        QTest::newRow("one_for_all") << int(sc::Strategy::OneForAll) << sc::Pid(3) << pids({2, 3, 4, 5});
        QTest::newRow("rest_for_one") << int(sc::Strategy::RestForOne) << sc::Pid(3) << pids({3, 4, 5});
        QTest::newRow("rest_for_one, last") << int(sc::Strategy::RestForOne) << sc::Pid(5) << pids({5});
        QTest::newRow("dynamic supervisor's child") << int(sc::Strategy::OneForAll) << sc::Pid(6) << pids({6});
        QTest::newRow("the root") << int(sc::Strategy::OneForAll) << sc::Pid(1) << pids({1});
        QTest::newRow("unknown") << int(sc::Strategy::OneForAll) << sc::Pid(99) << pids({});
    }

    void killSetFollowsTheParentsStrategy()
    {
        QFETCH(int, strategy);
        QFETCH(sc::Pid, target);
        QFETCH(std::vector<sc::Pid>, expected);
        m_model->apply(snapshotOf(smallTree(static_cast<sc::Strategy>(strategy))));
        QCOMPARE(m_view->killSet(target), expected);

        m_view->setKillPreview(target);
        QCOMPARE(m_view->killPreview(), target);
        m_view->grab(); // paints the preview
        m_view->setKillPreview(0);
        QCOMPARE(m_view->killPreview(), sc::Pid(0));
    }

    void hoverPreviewsTheKillWhenArmed()
    {
        m_model->apply(snapshotOf(smallTree(sc::Strategy::OneForAll)));
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        const QPoint b = m_view->mapToViewport(m_view->nodeRect(3).center()).toPoint();
        QTest::mouseMove(m_view->viewport(), b);
        QCOMPARE(m_view->killPreview(), sc::Pid(0));
        m_view->setKillPreviewEnabled(true);
        QCOMPARE(m_view->killPreview(), sc::Pid(3));
        m_view->setKillPreviewEnabled(false);
        QCOMPARE(m_view->killPreview(), sc::Pid(0));
    }

    void collapseHidesTheSubtree()
    {
        m_model->apply(snapshotOf(smallTree()));
        QCOMPARE(m_view->visibleNodeCount(), 7);
        m_view->setCollapsed(5, true);
        QVERIFY(m_view->isCollapsed(5));
        QCOMPARE(m_view->visibleNodeCount(), 5);
        QCOMPARE(m_view->nodeRect(6), QRectF());
        QVERIFY(!m_view->nodeRect(5).isEmpty());
        m_view->grab(); // paints the "+2" badge

        // Collapsing the root hides everything under it; the inner state is kept.
        m_view->setCollapsed(1, true);
        QCOMPARE(m_view->visibleNodeCount(), 1);
        m_view->setCollapsed(1, false);
        QCOMPARE(m_view->visibleNodeCount(), 5);
        m_view->setCollapsed(5, false);
        QCOMPARE(m_view->visibleNodeCount(), 7);
    }

    void doubleClickTogglesASupervisor()
    {
        m_model->apply(snapshotOf(smallTree()));
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        const QPoint d = m_view->mapToViewport(m_view->nodeRect(5).center()).toPoint();
        QTest::mouseDClick(m_view->viewport(), Qt::LeftButton, {}, d);
        QVERIFY(m_view->isCollapsed(5));
        QCOMPARE(m_view->visibleNodeCount(), 5);
        // The collapsed node stayed under the mouse.
        QCOMPARE(m_view->pidAt(d), sc::Pid(5));
        QTest::mouseDClick(m_view->viewport(), Qt::LeftButton, {}, d);
        QVERIFY(!m_view->isCollapsed(5));
        QCOMPARE(m_view->visibleNodeCount(), 7);
    }

    void collapsedStaysCollapsedAcrossARestart()
    {
        auto list = smallTree();
        m_model->apply(snapshotOf(list));
        m_view->setCollapsed(5, true);
        std::erase_if(list, [](const auto& p) { return p.pid >= 5; });
        list.push_back(process(8, 1, "root/d", sc::ProcessKind::DynamicSupervisor));
        list.push_back(process(9, 8, "root/d/9"));
        m_model->apply(snapshotOf(list));
        QVERIFY(m_view->isCollapsed(8));
        QCOMPARE(m_view->visibleNodeCount(), 5);
    }

    void searchSelectsTheFirstMatch()
    {
        m_model->apply(snapshotOf(financeTree()));
        m_view->setCollapsed(8, true); // trackers
        QSignalSpy spy(m_view.get(), &TreeGraphView::selectionChanged);

        QCOMPARE(m_view->search(QStringLiteral("BOB")), 1);
        QCOMPARE(m_view->selectedPid(), sc::Pid(10));
        QVERIFY(!m_view->isCollapsed(8)); // expanded to show it
        QVERIFY(!m_view->nodeRect(10).isEmpty());
        QCOMPARE(spy.count(), 1);
        // Centred in the viewport.
        const QPointF centre = m_view->mapToViewport(m_view->nodeRect(10).center());
        const QPointF middle = QRectF(m_view->viewport()->rect()).center();
        const QScrollBar* bar = m_view->horizontalScrollBar();
        QVERIFY(m_view->viewport()->rect().contains(centre.toPoint()));
        QVERIFY(
            std::abs(centre.x() - middle.x()) < 2 || bar->value() == bar->minimum() || bar->value() == bar->maximum());

        QCOMPARE(m_view->search(QStringLiteral("finance/core")), 9);
        QCOMPARE(m_view->selectedPid(), sc::Pid(3));
        QCOMPARE(m_view->search(QStringLiteral("nothing like it")), 0);
        QCOMPARE(m_view->selectedPid(), sc::Pid(3));
        QCOMPARE(m_view->search(QString()), 0);
    }

    void arrowsMoveBetweenRelatives()
    {
        m_model->apply(snapshotOf(smallTree()));
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        QSignalSpy spy(m_view.get(), &TreeGraphView::selectionChanged);

        QTest::keyClick(m_view.get(), Qt::Key_Down); // nothing selected: the root
        QCOMPARE(m_view->selectedPid(), sc::Pid(1));
        QTest::keyClick(m_view.get(), Qt::Key_Down);
        QCOMPARE(m_view->selectedPid(), sc::Pid(2));
        QTest::keyClick(m_view.get(), Qt::Key_Right);
        QCOMPARE(m_view->selectedPid(), sc::Pid(3));
        QTest::keyClick(m_view.get(), Qt::Key_Right);
        QTest::keyClick(m_view.get(), Qt::Key_Right);
        QCOMPARE(m_view->selectedPid(), sc::Pid(5));
        QTest::keyClick(m_view.get(), Qt::Key_Down);
        QCOMPARE(m_view->selectedPid(), sc::Pid(6));
        QTest::keyClick(m_view.get(), Qt::Key_Right);
        QCOMPARE(m_view->selectedPid(), sc::Pid(7));
        QTest::keyClick(m_view.get(), Qt::Key_Left);
        QCOMPARE(m_view->selectedPid(), sc::Pid(6));
        QTest::keyClick(m_view.get(), Qt::Key_Up);
        QCOMPARE(m_view->selectedPid(), sc::Pid(5));
        QTest::keyClick(m_view.get(), Qt::Key_Up);
        QCOMPARE(m_view->selectedPid(), sc::Pid(1));
        QTest::keyClick(m_view.get(), Qt::Key_Up); // no parent: stays
        QCOMPARE(m_view->selectedPid(), sc::Pid(1));
        QCOMPARE(spy.count(), 10);
        QCOMPARE(spy.last().at(0).value<sc::Pid>(), sc::Pid(1));

        // Enter collapses the selected supervisor.
        QTest::keyClick(m_view.get(), Qt::Key_Return);
        QVERIFY(m_view->isCollapsed(1));
    }

    void clickSelectsAndRightClickAsksForAMenu()
    {
        m_model->apply(snapshotOf(smallTree()));
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        const QPoint c = m_view->mapToViewport(m_view->nodeRect(4).center()).toPoint();
        QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, c);
        QCOMPARE(m_view->selectedPid(), sc::Pid(4));

        QSignalSpy menu(m_view.get(), &TreeGraphView::contextMenuRequested);
        const QPoint b = m_view->mapToViewport(m_view->nodeRect(3).center()).toPoint();
        QContextMenuEvent event(QContextMenuEvent::Mouse, b, m_view->viewport()->mapToGlobal(b));
        QCoreApplication::sendEvent(m_view->viewport(), &event);
        QCOMPARE(menu.count(), 1);
        QCOMPARE(menu.at(0).at(0).value<sc::Pid>(), sc::Pid(3));
        QCOMPARE(menu.at(0).at(1).toPoint(), m_view->viewport()->mapToGlobal(b));
        QCOMPARE(m_view->selectedPid(), sc::Pid(3));

        // A click on empty space clears the selection.
        QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, QPoint(3, 3));
        QCOMPARE(m_view->selectedPid(), sc::Pid(0));
    }

    void zoomsAndFits()
    {
        m_model->apply(snapshotOf(financeTree()));
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        m_view->setZoom(1.0);
        QTest::keyClick(m_view.get(), Qt::Key_Plus);
        QVERIFY(m_view->zoom() > 1.0);
        QTest::keyClick(m_view.get(), Qt::Key_Minus);
        QTest::keyClick(m_view.get(), Qt::Key_Minus);
        QVERIFY(m_view->zoom() < 1.0);

        QTest::keyClick(m_view.get(), Qt::Key_F);
        const QRectF viewport = QRectF(m_view->viewport()->rect()).adjusted(-1, -1, 1, 1);
        for (sc::Pid pid = 1; pid <= 14; ++pid) {
            const QRectF r = m_view->nodeRect(pid);
            QVERIFY(viewport.contains(m_view->mapToViewport(r.topLeft())));
            QVERIFY(viewport.contains(m_view->mapToViewport(r.bottomRight())));
        }
    }

    void restartEventFlashesTheNode()
    {
        m_model->apply(snapshotOf(smallTree()));
        QVERIFY(!m_view->isFlashing(3));
        m_view->noteEvents({makeEvent(sc::EventKind::Restart, 0, "root/b")});
        QVERIFY(m_view->isFlashing(3));
        QVERIFY(!m_view->isFlashing(2));
        m_view->grab();
        // The flash ends by itself.
        QTRY_VERIFY_WITH_TIMEOUT(!m_view->isFlashing(3), 10000);
    }

    void giveUpMarksTheSupervisor()
    {
        auto list = smallTree();
        m_model->apply(snapshotOf(list));
        sc::Event giveUp = makeEvent(sc::EventKind::GiveUp, 5, "root/d");
        giveUp.reason = "reached_max_restart_intensity";
        m_view->noteEvents({giveUp, makeEvent(sc::EventKind::Exit, 6, "root/d/6")});
        QVERIFY(m_view->hasGivenUp(5));
        QVERIFY(!m_view->hasGivenUp(1));
        QVERIFY(m_view->isDead(6));
        QVERIFY(!m_view->isDead(7));
        m_view->grab();

        // Gone from the model: a ghost for a moment, still crossed out, then gone.
        m_model->apply(snapshotOf(without(list, 5, 6, 7)));
        QVERIFY(m_view->isGhost(5));
        QVERIFY(m_view->hasGivenUp(5));
        QVERIFY(m_view->isDead(6));
        QCOMPARE(m_view->killSet(5), std::vector<sc::Pid> {});
        QCOMPARE(m_view->recentGiveUps(), QStringList {QStringLiteral("root/d")});
        m_view->grab();
        QTRY_VERIFY(m_view->nodeRect(5).isEmpty());
        QVERIFY(!m_view->hasGivenUp(5));
        QVERIFY(!m_view->isDead(6));
        QCOMPARE(m_view->nodeCount(), 4);
    }

    void aVanishedChildKeepsItsPlaceUntilItIsBack()
    {
        // Shown first: the layout follows the viewport's size, which a hidden view gets only when painted.
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        auto list = smallTree(sc::Strategy::OneForAll);
        m_model->apply(snapshotOf(list));
        const QRectF b = m_view->nodeRect(3);
        const QRectF c = m_view->nodeRect(4);

        // b is gone for a tick (restarting): its ghost holds the place.
        m_model->apply(snapshotOf(without(list, 3)));
        QVERIFY(m_view->isGhost(3));
        QVERIFY(m_view->isDead(3));
        QCOMPARE(m_view->nodeRect(3), b);
        QCOMPARE(m_view->nodeRect(4), c);
        QCOMPARE(m_view->killSet(4), (std::vector<sc::Pid> {2, 4, 5}));
        QCOMPARE(m_view->search(QStringLiteral("root/b")), 0);
        m_view->grab();

        // Back with a new pid: it takes its place at once.
        auto back = without(list, 3);
        back.push_back(process(8, 1, "root/b"));
        m_model->apply(snapshotOf(back));
        QVERIFY(!m_view->isGhost(8));
        QCOMPARE(m_view->nodeRect(3), QRectF());
        QCOMPARE(m_view->nodeRect(8), b);

        // Gone for good: the ghost fades and the siblings close the gap.
        m_model->apply(snapshotOf(without(back, 8)));
        QVERIFY(m_view->isGhost(8));
        QTRY_VERIFY(m_view->nodeRect(8).isEmpty());
        QVERIFY(m_view->nodeRect(4).left() < c.left());
    }

    void rendersTheFinanceTree()
    {
        auto list = financeTree();
        find(list, 7).mailbox = 42;
        find(list, 7).restarts = 2;
        find(list, 6).status = sc::ProcessStatus::Restarting;
        find(list, 9).mailbox = 3;
        find(list, 10).restarts = 1;
        find(list, 13).status = sc::ProcessStatus::Initializing;
        find(list, 3).restartsInWindow = 2;
        find(list, 12).restartsInWindow = 3;
        m_model->apply(snapshotOf(list));
        m_view->layoutNow();
        std::erase_if(list, [](const auto& p) { return p.pid == 5; }); // donation_pool: gone, a ghost
        m_model->apply(snapshotOf(list));
        m_view->resize(1600, 900);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        m_view->fitToWindow();
        m_view->selectPid(10);
        m_view->noteEvents({makeEvent(sc::EventKind::Restart, 0, "finance/core/withdrawals")});
        m_view->noteEvents({makeEvent(sc::EventKind::GiveUp, 12, "finance/reporting")});
        m_view->setKillPreview(7);

        const QImage image = m_view->grab().toImage();
        QCOMPARE(image.size(), m_view->size() * image.devicePixelRatio());
        QVERIFY(m_view->isGhost(5));
        QCOMPARE(m_view->lastPaintedCount(), 14);
        // Something was drawn: more than the background colour.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY(colours.size() > 10);
        if (const QByteArray file = qgetenv("SC_TREEGRAPH_PNG"); !file.isEmpty())
            image.save(QString::fromLocal8Bit(file));
    }

    void followsALiveRuntime()
    {
        sc::Runtime runtime(sc::RuntimeOptions {.workers = 2});
        {
            sc::ui::RuntimeBridge bridge(runtime);
            connect(&bridge, &sc::ui::RuntimeBridge::snapshotUpdated, m_model.get(),
                [this](const sc::Snapshot& s) { m_model->apply(s); });
            connect(&bridge, &sc::ui::RuntimeBridge::eventsArrived, m_view.get(), &TreeGraphView::noteEvents);
            QStringList restarted;
            connect(&bridge, &sc::ui::RuntimeBridge::eventsArrived, this, [&](const std::vector<sc::Event>& events) {
                for (const sc::Event& e : events) {
                    if (e.kind == sc::EventKind::Restart) restarted << QString::fromStdString(e.path);
                }
            });
            const auto root
                = sc::startSupervisor(runtime, "root", {}, {idleChild("a"), idleChild("b"), idleChild("c")});
            QVERIFY(root.ok());
            bridge.start(std::chrono::milliseconds(10));
            QTRY_COMPARE(m_view->nodeCount(), 4);

            const sc::Pid b = m_model->pidAt(m_model->indexOfPath(QStringLiteral("root/b")));
            const QRectF before = m_view->nodeRect(b);
            QVERIFY(m_view->selectPid(b));
            QCOMPARE(m_view->killSet(b), std::vector<sc::Pid> {b});

            runtime.kill(b);
            QTRY_VERIFY(m_model->pidAt(m_model->indexOfPath(QStringLiteral("root/b"))) > b);
            const sc::Pid again = m_model->pidAt(m_model->indexOfPath(QStringLiteral("root/b")));
            QTRY_COMPARE(m_view->selectedPid(), again);
            QCOMPARE(m_view->nodeRect(again), before);
            QTRY_COMPARE(restarted, QStringList {QStringLiteral("root/b")});

            // The supervisor's restart budget: one of three used.
            const QModelIndex rootIndex = m_model->indexOfPid(*root);
            QCOMPARE(rootIndex.data(ProcessTreeModel::IntensityRole).toUInt(), 3u);
            QCOMPARE(rootIndex.data(ProcessTreeModel::PeriodRole).toUInt(), 5000u);
            QTRY_COMPARE(rootIndex.data(ProcessTreeModel::BudgetUsedRole).toInt(), 1);
            m_view->grab();
            bridge.stop();
        }
    }

    void aBigTreeOpensReadable()
    {
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        m_model->apply(snapshotOf(wideTree(20, 30)));
        m_view->layoutNow();
        // Not a fit to specks: readable, with the root in view.
        QVERIFY(m_view->zoom() >= 0.3);
        QVERIFY(m_view->viewport()->rect().contains(m_view->mapToViewport(m_view->nodeRect(1).center()).toPoint()));
    }

    void tenThousandProcessesLayOutAndPaint()
    {
        const auto list = wideTree(100, 99); // 10,001 processes
        m_model->apply(snapshotOf(list));
        QElapsedTimer timer;
        timer.start();
        QCOMPARE(m_view->nodeCount(), 10001);
        qInfo("layout of %d processes: %.2f ms (measured in the view: %.2f ms)", m_view->nodeCount(),
            double(timer.nsecsElapsed()) / 1e6, double(m_view->lastLayoutTime().count()) / 1e3);

        m_view->resize(1600, 900);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        QImage image(m_view->viewport()->size(), QImage::Format_ARGB32_Premultiplied);

        m_view->setZoom(1.0);
        m_view->selectPid(5000);
        timer.restart();
        m_view->viewport()->render(&image);
        qInfo("paint at zoom 1 (%d nodes drawn): %.2f ms", m_view->lastPaintedCount(),
            double(timer.nsecsElapsed()) / 1e6);
        QVERIFY(m_view->lastPaintedCount() > 0);
        QVERIFY(m_view->lastPaintedCount() < 200);

        m_view->expandAll(); // the big families start collapsed
        m_view->fitToWindow(); // laid out for the viewport
        m_view->setZoom(0.05); // everything on screen
        image = QImage(m_view->viewport()->size(), QImage::Format_ARGB32_Premultiplied);
        timer.restart();
        m_view->viewport()->render(&image);
        qInfo("paint fitted to the window (%d nodes drawn): %.2f ms", m_view->lastPaintedCount(),
            double(timer.nsecsElapsed()) / 1e6);
        QCOMPARE(m_view->lastPaintedCount(), 10001);

        // A restart in a big tree: one relayout, the same place.
        const QRectF before = m_view->nodeRect(5000);
        auto restarted = list;
        auto& victim = find(restarted, 5000);
        victim.pid = 20000;
        m_model->apply(snapshotOf(restarted));
        timer.restart();
        QCOMPARE(m_view->nodeRect(20000), before);
        qInfo("relayout after a restart: %.2f ms", double(timer.nsecsElapsed()) / 1e6);
    }

    // -- fit, presenter mode, big trees (issue 16: B.5, B.6, B.8, B.10) --

    void opensFittedAndReadable_data()
    {
        QTest::addColumn<QString>("tree");
        QTest::addColumn<QSize>("size");
        QTest::newRow("finance, 1200x800") << "finance" << QSize(1200, 800);
        QTest::newRow("finance, 1300x700") << "finance" << QSize(1300, 700);
        QTest::newRow("finance, 1900x1000") << "finance" << QSize(1900, 1000);
        QTest::newRow("small, 1900x1000") << "small" << QSize(1900, 1000);
        QTest::newRow("small, 700x420") << "small" << QSize(700, 420);
    }

    /// Every node inside the viewport on open, names readable, never past 100%.
    void opensFittedAndReadable()
    {
        QFETCH(QString, tree);
        QFETCH(QSize, size);
        m_view->resize(size);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        const auto list = tree == QLatin1String("finance") ? financeTree() : smallTree();
        m_model->apply(snapshotOf(list));
        m_view->layoutNow();
        QVERIFY2(m_view->zoom() <= 1.0, qPrintable(QString::number(m_view->zoom())));
        QVERIFY(m_view->namePixels() >= TreeGraphView::minReadablePixels);
        checkAllInView(list);
        QVERIFY(!m_view->fitHintVisible());
    }

    void aTreeTooBigToReadWholeIsNotCutAtTheSides_data()
    {
        QTest::addColumn<bool>("presenter");
        QTest::newRow("standard") << false;
        QTest::newRow("presenter") << true;
    }

    /// Where the finance tree cannot fit readable (a small pane), it is laid
    /// out as narrow as the pane and opens at its top: scrolled down to, never
    /// cut off at both sides, nor drawn unreadably small.
    void aTreeTooBigToReadWholeIsNotCutAtTheSides()
    {
        QFETCH(bool, presenter);
        m_view->resize(690, 360); // the tree's pane at 1280x720 before the docks were reworked
        m_view->setPresenterMode(presenter);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        const auto list = financeTree();
        m_model->apply(snapshotOf(list));
        m_view->layoutNow();
        QVERIFY(m_view->namePixels() >= TreeGraphView::minReadablePixels * m_view->presenterScale() - 0.01);
        const int width = m_view->viewport()->width();
        for (const auto& p : list) {
            const QRect r = viewportRect(p.pid);
            QVERIFY2(r.left() >= 0 && r.right() <= width, p.path.data());
        }
        QVERIFY(m_view->viewport()->rect().contains(viewportRect(1)));
    }

    /// A click or a key that does not move the view leaves it following the
    /// tree: children a dynamic supervisor starts later appear in view.
    void newDynamicChildrenStayInView()
    {
        m_view->resize(1000, 620);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        auto list = smallTree();
        m_model->apply(snapshotOf(list));
        m_view->layoutNow();
        // The teacher selects the dynamic supervisor and steps with the keyboard.
        QTest::mouseClick(
            m_view->viewport(), Qt::LeftButton, {}, m_view->mapToViewport(m_view->nodeRect(5).center()).toPoint());
        QCOMPARE(m_view->selectedPid(), sc::Pid(5));
        QTest::keyClick(m_view.get(), Qt::Key_Space);
        QTest::keyClick(m_view.get(), Qt::Key_Space);
        QTest::keyClick(m_view.get(), Qt::Key_Period);
        for (sc::Pid pid = 8; pid < 20; ++pid) {
            list.push_back(process(pid, 5, "root/d/" + std::to_string(pid)));
            m_model->apply(snapshotOf(list));
            m_view->layoutNow();
            checkAllInView(list);
        }
        QVERIFY(!m_view->fitHintVisible());
    }

    /// After a zoom by hand the view stays put, new children or not, and offers Fit.
    void aManualZoomStopsFollowingAndOffersFit()
    {
        m_view->resize(1000, 620);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        auto list = smallTree();
        m_model->apply(snapshotOf(list));
        m_view->layoutNow();
        QVERIFY(!m_view->fitHintVisible());
        QWheelEvent wheel(QPointF(300, 200), m_view->viewport()->mapToGlobal(QPointF(300, 200)), {}, QPoint(0, 360),
            Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(m_view->viewport(), &wheel);
        QVERIFY(m_view->fitHintVisible());
        const QRect hint = m_view->fitHintRect();
        QVERIFY(!hint.isEmpty());
        QVERIFY(!hint.intersects(m_view->viewport()->rect()));
        const double zoom = m_view->zoom();
        const QPointF root = m_view->mapToViewport(m_view->nodeRect(1).center());
        for (sc::Pid pid = 8; pid < 14; ++pid) {
            list.push_back(process(pid, 5, "root/d/" + std::to_string(pid)));
            m_model->apply(snapshotOf(list));
            m_view->layoutNow();
            QCOMPARE(m_view->zoom(), zoom);
            QVERIFY(std::abs(m_view->mapToViewport(m_view->nodeRect(1).center()).x() - root.x()) < 1);
            QVERIFY(std::abs(m_view->mapToViewport(m_view->nodeRect(1).center()).y() - root.y()) < 1);
        }
        // A click on the hint fits again.
        QWidget* strip = m_view->childAt(m_view->viewport()->pos() + hint.center());
        QVERIFY(strip);
        QTest::mouseClick(
            strip, Qt::LeftButton, {}, strip->mapFrom(m_view.get(), m_view->viewport()->pos() + hint.center()));
        QVERIFY(!m_view->fitHintVisible());
        checkAllInView(list);
    }

    void theLegendNeverCoversANode()
    {
        m_view->resize(900, 500);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        const auto list = financeTree();
        m_model->apply(snapshotOf(list));
        m_view->layoutNow();
        const QRect legend = m_view->legendRect();
        QVERIFY(!legend.isEmpty());
        // Panned so that the lowest node sits at the viewport's bottom left, where the legend used to be.
        m_view->setZoom(1.0);
        sc::Pid lowest = 1;
        for (const auto& p : list) {
            const QRectF r = m_view->nodeRect(p.pid);
            const QRectF best = m_view->nodeRect(lowest);
            if (r.bottom() > best.bottom() || (r.bottom() == best.bottom() && r.left() < best.left())) lowest = p.pid;
        }
        const QRect node = viewportRect(lowest);
        QScrollBar* h = m_view->horizontalScrollBar();
        QScrollBar* v = m_view->verticalScrollBar();
        h->setValue(h->value() + node.left() - 4);
        v->setValue(v->value() + node.bottom() - (m_view->viewport()->height() - 4));
        QCOMPARE(viewportRect(lowest).bottom(), m_view->viewport()->height() - 4);
        QVERIFY(viewportRect(lowest).left() < 200);
        for (const auto& p : list)
            QVERIFY2(!legend.intersects(viewportRect(p.pid)), p.path.data());
    }

    void giveUpBannersCoverNoNodeAndDoNotPileUp()
    {
        m_view->resize(1200, 800);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        const auto list = financeTree();
        m_model->apply(snapshotOf(list));
        m_view->layoutNow();
        std::vector<sc::Event> events;
        for (const auto& [pid, path] : {std::pair {sc::Pid(8), "finance/core/trackers"},
                 std::pair {sc::Pid(3), "finance/core"}, std::pair {sc::Pid(1), "finance"}}) {
            sc::Event e = makeEvent(sc::EventKind::GiveUp, pid, path);
            e.reason = "reached_max_restart_intensity";
            events.push_back(e);
        }
        m_view->noteEvents(events);
        m_view->noteEvents({events.back()}); // the same supervisor again: still one entry
        QCOMPARE(m_view->recentGiveUps().size(), 3);
        const QRect banner = m_view->bannerRect();
        QVERIFY(!banner.isEmpty());
        // One line, however many gave up.
        QVERIFY(banner.height() < 2 * QFontMetrics(m_view->font()).height() * 2);
        m_view->grab();
        for (const auto& p : list)
            QVERIFY2(!banner.intersects(viewportRect(p.pid)), p.path.data());
        QVERIFY(m_view->viewport()->rect().contains(viewportRect(1)));
    }

    void presenterModeDrawsTheTreeLarger()
    {
        m_view->resize(1900, 1000);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        const auto list = smallTree();
        m_model->apply(snapshotOf(list));
        m_view->layoutNow();
        const double pixels = m_view->namePixels();
        const QRectF node = viewportRect(2);
        m_view->setPresenterMode(true);
        QCOMPARE(m_view->presenterScale(), sc::ui::theme::presenterScale);
        QCOMPARE(m_view->namePixels(), pixels * sc::ui::theme::presenterScale);
        QVERIFY(viewportRect(2).width() > node.width() * 1.4);
        QVERIFY(m_view->legendRect().height() > 0);
        checkAllInView(list);
        // A tree too big to fit stays readable: the minimum scales too.
        m_model->apply(snapshotOf(wideTree(20, 30)));
        m_view->fitToWindow();
        QVERIFY(m_view->namePixels() >= TreeGraphView::minReadablePixels * sc::ui::theme::presenterScale - 0.01);
        m_view->setPresenterMode(false);
        m_view->fitToWindow();
        QVERIFY(m_view->namePixels() >= TreeGraphView::minReadablePixels);
    }

    void bigFamiliesCollapseAndWrapToTheViewport_data()
    {
        QTest::addColumn<int>("children");
        QTest::newRow("1,000") << 1000;
        QTest::newRow("5,000") << 5000;
    }

    void bigFamiliesCollapseAndWrapToTheViewport()
    {
        QFETCH(int, children);
        m_view->resize(1200, 700);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        std::vector<sc::ProcessInfo> list {process(1, 0, "big", sc::ProcessKind::Supervisor)};
        for (int i = 0; i < children; ++i)
            list.push_back(process(sc::Pid(2 + i), 1, "big/w" + std::to_string(i)));
        find(list, 7).status = sc::ProcessStatus::Restarting;
        m_model->apply(snapshotOf(list));
        m_view->layoutNow();
        // A summary under the root: the whole tree in view, readable.
        QVERIFY(m_view->isCollapsed(1));
        QCOMPARE(m_view->visibleNodeCount(), 1);
        const QRectF summary = m_view->summaryRect(1);
        QVERIFY(!summary.isEmpty());
        QVERIFY(m_view->nodeRect(1).bottom() < summary.top());
        QVERIFY(m_view->viewport()->rect().contains(viewportRect(summary).toAlignedRect()));
        QCOMPARE(m_view->summaryStatus(1), sc::ProcessStatus::Restarting);
        QCOMPARE(m_view->summaryText(1),
            QStringLiteral("1 restarting \u00b7 %1 running").arg(QLocale().toString(children - 1)));
        m_view->grab();

        // A click on the summary expands it: rows shaped like the viewport, not a ribbon.
        QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, m_view->mapToViewport(summary.center()).toPoint());
        QVERIFY(!m_view->isCollapsed(1));
        QCOMPARE(m_view->visibleNodeCount(), children + 1);
        QVERIFY(m_view->isWrapped());
        const QRectF scene = m_view->sceneRect();
        const double aspect = scene.width() / scene.height();
        const double viewAspect = double(m_view->viewport()->width()) / m_view->viewport()->height();
        QVERIFY2(aspect > viewAspect / 1.5 && aspect < viewAspect * 1.5,
            qPrintable(QStringLiteral("%1 vs %2").arg(aspect).arg(viewAspect)));
        m_view->fitToWindow();
        QVERIFY(m_view->namePixels() >= TreeGraphView::minReadablePixels);
        QVERIFY(m_view->viewport()->rect().contains(viewportRect(1)));
        // Row-major, no overlaps, under the root.
        QRectF previous = m_view->nodeRect(2);
        for (sc::Pid pid = 3; pid < sc::Pid(2 + children); ++pid) {
            const QRectF r = m_view->nodeRect(pid);
            QVERIFY(r.top() > m_view->nodeRect(1).bottom());
            if (r.top() == previous.top())
                QVERIFY(previous.right() < r.left());
            else
                QVERIFY(r.top() > previous.bottom());
            previous = r;
        }
        m_view->grab();
        // Collapsed again by hand, expanded by hand: not collapsed behind the user's back.
        m_view->setCollapsed(1, true);
        m_view->setCollapsed(1, false);
        list.push_back(process(sc::Pid(2 + children), 1, "big/late"));
        m_model->apply(snapshotOf(list));
        QVERIFY(!m_view->isCollapsed(1));
    }

    void aWrappedTreeKeepsNodesApart()
    {
        m_view->resize(900, 560);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        const auto list = wideTree(20, 30);
        m_model->apply(snapshotOf(list));
        m_view->layoutNow();
        QVERIFY(m_view->isWrapped());
        std::vector<QRectF> rects;
        for (const auto& p : list) {
            const QRectF r = m_view->nodeRect(p.pid);
            QVERIFY(!r.isEmpty());
            for (const QRectF& other : rects)
                QVERIFY2(!r.intersects(other), p.path.data());
            rects.push_back(r);
            if (p.parent) QVERIFY(m_view->nodeRect(p.parent).bottom() < r.top());
        }
        m_view->grab(); // paints the spines and buses
    }

    void findZoomsToTheMatch()
    {
        m_view->resize(1000, 620);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        m_model->apply(snapshotOf(wideTree(20, 30)));
        m_view->layoutNow();
        m_view->setZoom(0.1); // a bird's eye view: names far too small
        QCOMPARE(m_view->search(QStringLiteral("big/s12/w17")), 1);
        const sc::Pid match = m_model->pidAt(m_model->indexOfPath(QStringLiteral("big/s12/w17")));
        QCOMPARE(m_view->selectedPid(), match);
        QVERIFY(m_view->namePixels() >= TreeGraphView::minReadablePixels);
        const QPointF centre = viewportRect(match).center();
        const QPointF middle = QRectF(m_view->viewport()->rect()).center();
        QVERIFY2(std::abs(centre.x() - middle.x()) < 2 && std::abs(centre.y() - middle.y()) < 2,
            qPrintable(QStringLiteral("%1,%2").arg(centre.x()).arg(centre.y())));
        QVERIFY(m_view->fitHintVisible()); // the view stays on the match
    }

    void incrementalRelayoutMatchesAFullOne_data()
    {
        QTest::addColumn<bool>("collapse");
        QTest::addColumn<bool>("sharedPaths");
        QTest::addColumn<int>("poolSize");
        QTest::newRow("expanded") << false << false << 0;
        QTest::newRow("a subtree collapsed") << true << false << 0;
        QTest::newRow("dynamic children share a path") << false << true << 0;
        QTest::newRow("a big pool") << false << false << 80;
        QTest::newRow("a big pool, a subtree collapsed") << true << false << 80;
    }

    void incrementalRelayoutMatchesAFullOne()
    {
        // A second view of the same model lays out from scratch after every
        // change; the view under test builds again only the subtrees whose
        // children changed. Both must show the same nodes in the same places.
        QFETCH(bool, collapse);
        QFETCH(bool, sharedPaths);
        QFETCH(int, poolSize);
        using K = sc::ProcessKind;
        auto list = wideTree(6, 20); // grids of 20 leaves
        sc::Pid next = 1000;
        sc::Pid pool = 0;
        if (poolSize > 0) { // a family big enough that only its changed children are built again
            pool = next++;
            list.push_back(process(pool, 1, "big/pool", K::Supervisor));
            for (int w = 0; w < poolSize; ++w)
                list.push_back(process(next++, pool, "big/pool/w" + std::to_string(w)));
        }
        const sc::Pid nested = next++;
        list.push_back(process(nested, 1, "big/nested", K::Supervisor));
        for (int s = 0; s < 3; ++s) {
            const sc::Pid sup = next++;
            const std::string path = "big/nested/n" + std::to_string(s);
            list.push_back(process(sup, nested, path, K::Supervisor));
            for (int w = 0; w < 4; ++w)
                list.push_back(process(next++, sup, path + "/w" + std::to_string(w)));
        }
        // In the pool, if there is one: changes under a child it keeps.
        const sc::Pid dynamic = next++;
        const std::string dynamicPath = pool ? "big/pool/dynamic" : "big/dynamic";
        list.push_back(process(dynamic, pool ? pool : 1, dynamicPath, K::DynamicSupervisor));
        TreeGraphView reference;
        reference.resize(1200, 800);
        reference.setModel(m_model.get());
        // Ghosts expire by each view's clock: one that lapsed between the two
        // relayouts of a step would differ. Nothing lapses during the steps;
        // then they get a short life and must fade on their own.
        m_view->setGhostLifetime(std::chrono::minutes(10));
        reference.setGhostLifetime(std::chrono::minutes(10));
        const auto step = [&] {
            m_model->apply(snapshotOf(list));
            m_view->layoutNow();
            reference.relayoutFromScratch();
            compareWith(reference);
        };
        step();
        if (collapse) {
            m_view->setCollapsed(3, true);
            reference.setCollapsed(3, true);
            step();
        }

        std::mt19937 random(11);
        std::vector<sc::ProcessInfo> gone; // come back later at the same path
        std::vector<sc::Pid> jobs;
        int jobNames = 0;
        const auto workers = [&] {
            std::vector<std::size_t> at;
            for (std::size_t i = 0; i < list.size(); ++i)
                if (list[i].kind == K::Worker && list[i].parent != dynamic) at.push_back(i);
            return at;
        };
        for (int round = 0; round < 120; ++round) {
            switch (random() % 8) {
            case 0: { // a worker restarted: a new pid at the same path
                const auto at = workers();
                list[at[random() % at.size()]].pid = next++;
                break;
            }
            case 1: { // a worker gone (a ghost for a moment)
                const auto at = workers();
                const std::size_t i = at[random() % at.size()];
                gone.push_back(list[i]);
                list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
                break;
            }
            case 2: // one comes back under its old path
                if (!gone.empty()) {
                    sc::ProcessInfo back = gone.front();
                    gone.erase(gone.begin());
                    back.pid = next++;
                    if (std::any_of(list.begin(), list.end(), [&](const auto& p) { return p.pid == back.parent; }))
                        list.push_back(back);
                }
                break;
            case 3:
            case 4: { // dynamic children come and go
                const std::string name = sharedPaths ? "job" : "job" + std::to_string(++jobNames);
                jobs.push_back(next);
                list.push_back(process(next++, dynamic, dynamicPath + "/" + name));
                if (jobs.size() > 6 || random() % 3 == 0) {
                    const sc::Pid oldest = jobs.front();
                    jobs.erase(jobs.begin());
                    list = without(list, oldest);
                }
                break;
            }
            case 5: { // a nested supervisor restarted with its children: new pids, the same paths
                const std::size_t s = 1 + random() % 3;
                const std::string path = "big/nested/n" + std::to_string(s - 1);
                const auto sup = std::find_if(list.begin(), list.end(), [&](const auto& p) { return p.path == path; });
                if (sup == list.end()) break;
                const sc::Pid was = sup->pid;
                sup->pid = next++;
                for (auto& p : list)
                    if (p.parent == was) {
                        p.parent = sup->pid;
                        p.pid = next++;
                    }
                break;
            }
            case 6: { // a new supervisor with workers, or the last one added gone with them
                const std::string path = "big/extra" + std::to_string(round);
                const auto extra = std::find_if(
                    list.begin(), list.end(), [](const auto& p) { return p.path.starts_with("big/extra"); });
                if (extra != list.end()) {
                    const sc::Pid sup = extra->pid;
                    std::erase_if(list, [&](const auto& p) { return p.pid == sup || p.parent == sup; });
                } else {
                    const sc::Pid sup = next++;
                    list.push_back(process(sup, 1, path, K::Supervisor));
                    for (int w = 0; w < 14; ++w)
                        list.push_back(process(next++, sup, path + "/w" + std::to_string(w)));
                }
                break;
            }
            default: // only counters change
                list[random() % list.size()].mailbox += 1;
                break;
            }
            if (pool && round % 2 == 0) { // and a change under a child the pool keeps, in the same apply
                jobs.push_back(next);
                list.push_back(process(next++, dynamic, dynamicPath + "/j" + std::to_string(round)));
            }
            step();
        }
        // Ghosts fade on their own: the next relayouts take them out.
        m_view->setGhostLifetime(std::chrono::milliseconds(300));
        reference.setGhostLifetime(std::chrono::milliseconds(300));
        const auto noGhosts = [](const TreeGraphView& view) {
            const auto shown = view.nodePids();
            return std::none_of(shown.begin(), shown.end(), [&view](sc::Pid p) { return view.isGhost(p); });
        };
        QTRY_VERIFY_WITH_TIMEOUT(noGhosts(*m_view) && noGhosts(reference), 5000);
        step();
    }

private:
    QRectF viewportRect(const QRectF& scene) const
    {
        return QRectF(m_view->mapToViewport(scene.topLeft()), m_view->mapToViewport(scene.bottomRight()));
    }
    QRect viewportRect(sc::Pid pid) const { return viewportRect(m_view->nodeRect(pid)).toAlignedRect(); }

    void checkAllInView(const std::vector<sc::ProcessInfo>& list)
    {
        const QRect viewport = m_view->viewport()->rect().adjusted(-1, -1, 1, 1);
        for (const auto& p : list)
            QVERIFY2(viewport.contains(viewportRect(p.pid)), p.path.data());
    }

    void compareWith(const TreeGraphView& reference)
    {
        const std::vector<sc::Pid> shown = m_view->nodePids();
        QCOMPARE(shown, reference.nodePids());
        for (const sc::Pid pid : shown) {
            QCOMPARE(m_view->nodeRect(pid), reference.nodeRect(pid));
            QCOMPARE(m_view->isGhost(pid), reference.isGhost(pid));
        }
        QCOMPARE(m_view->visibleNodeCount(), reference.visibleNodeCount());
    }

    static std::vector<sc::ProcessInfo> without(
        std::vector<sc::ProcessInfo> list, sc::Pid a, sc::Pid b = 0, sc::Pid c = 0)
    {
        std::erase_if(list, [&](const auto& p) { return p.pid == a || p.pid == b || p.pid == c; });
        return list;
    }

    void checkLayout(const QModelIndex& parent)
    {
        const int rows = m_model->rowCount(parent);
        std::vector<QRectF> children;
        for (int row = 0; row < rows; ++row) {
            const QModelIndex child = m_model->index(row, 0, parent);
            children.push_back(m_view->nodeRect(m_model->pidAt(child)));
            checkLayout(child);
        }
        for (std::size_t i = 1; i < children.size(); ++i)
            QVERIFY(children[i - 1].right() < children[i].left()); // row order, left to right
        if (!parent.isValid() || children.empty()) return;
        const QRectF self = m_view->nodeRect(m_model->pidAt(parent));
        QVERIFY(self.bottom() < children.front().top());
        const double centre = (children.front().center().x() + children.back().center().x()) / 2;
        QCOMPARE(self.center().x(), centre);
    }

    std::unique_ptr<ProcessTreeModel> m_model;
    std::unique_ptr<TreeGraphView> m_view;
};

QTEST_MAIN(TestTreeGraphView)
#include "tst_treegraphview.moc"
