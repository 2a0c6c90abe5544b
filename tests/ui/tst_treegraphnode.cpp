// What a node of the tree graph shows while the tree lives: the restart
// budget right after a restart, and a mailbox flood that drained between two
// frames (issue 16, A.1 and A.7). The layout has tests of its own
// (tst_treegraphview).
#include "ui/tree/processtreemodel.h"
#include "ui/tree/treegraphview.h"

#include <QPaintEvent>
#include <QTest>
#include <memory>

#include "uitest.h"

using sc::ui::ProcessTreeModel;
using sc::ui::TreeGraphView;
using uitest::process;
using uitest::snapshotOf;

namespace {

/// Remembers the regions the viewport was asked to paint.
class PaintLog : public QObject {
public:
    QRegion painted;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Paint) painted += static_cast<QPaintEvent*>(event)->region();
        return QObject::eventFilter(watched, event);
    }
};

std::vector<sc::ProcessInfo> shop(sc::Pid cart, std::uint32_t used)
{
    std::vector<sc::ProcessInfo> list {
        process(1, 0, "root", sc::ProcessKind::Supervisor),
        process(2, 1, "root/catalog"),
        process(cart, 1, "root/cart"),
        process(4, 1, "root/payments"),
    };
    list[0].intensity = 3;
    list[0].periodMs = 5000;
    list[0].restartsInWindow = used;
    for (std::size_t i = 1; i < list.size(); ++i)
        list[i].startOrder = static_cast<std::uint32_t>(i);
    return list;
}

/// A node's box on the viewport.
QRect viewportBox(const TreeGraphView& view, sc::Pid pid)
{
    const QRectF r = view.nodeRect(pid);
    return QRectF(view.mapToViewport(r.topLeft()), view.mapToViewport(r.bottomRight())).toRect();
}

/// How red the node's pixels are on the whole: the mailbox bar is red from 100 messages.
double redness(const QImage& image, const QRect& box)
{
    double sum = 0;
    int n = 0;
    for (int y = box.top(); y <= box.bottom(); ++y) {
        for (int x = box.left(); x <= box.right(); ++x) {
            const QColor c = image.pixelColor(x, y);
            sum += std::max(0, c.red() - (c.green() + c.blue()) / 2);
            ++n;
        }
    }
    return n ? sum / n : 0;
}

} // namespace

class TestTreeGraphNode : public QObject {
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

    /// A restart replaces a child (a relayout) and changes the supervisor's
    /// budget in the same update: the supervisor, which does not move, is
    /// repainted too, so the gauge reads 1, 2, 3 of 3 with the restarts.
    void budgetIsRepaintedWithTheRestart()
    {
        m_model->apply(snapshotOf(shop(3, 0)));
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        m_view->layoutNow();
        PaintLog log;
        m_view->viewport()->installEventFilter(&log);
        const auto rootBox = [this] { return viewportBox(*m_view, 1); };

        sc::Pid cart = 3;
        for (std::uint32_t used = 1; used <= 3; ++used) {
            log.painted = QRegion();
            const sc::Pid next = 10 + used;
            m_model->apply(snapshotOf(shop(next, used)));
            // The window asks the view about the new tree in the same tick (the
            // selection, the kill preview), which lays it out at once.
            m_view->layoutNow();
            cart = next;
            QCOMPARE(m_model->indexOfPid(1).data(ProcessTreeModel::BudgetUsedRole).toInt(), int(used));
            QTRY_VERIFY(!log.painted.isEmpty());
            QTRY_VERIFY2(log.painted.contains(rootBox().center()),
                qPrintable(QStringLiteral("the root was not repainted at %1 of 3").arg(used)));
        }
        QCOMPARE(m_view->nodeRect(cart).isEmpty(), false);
    }

    /// The node draws the model's held peak: red while a flood of 100,000
    /// is held, back to grey once it has decayed.
    void mailboxShowsTheHeldPeakThenDecays()
    {
        auto list = shop(3, 0);
        list[2].mailboxPeak = 100000;
        m_model->apply(snapshotOf(list));
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        m_view->setZoom(1.0);
        m_view->layoutNow();
        const auto cartBox = [this] { return viewportBox(*m_view, 3); };
        const double held = redness(m_view->grab().toImage(), cartBox());

        list[2].mailboxPeak = 0;
        for (int frame = 0; frame < ProcessTreeModel::mailboxHoldFrames; ++frame)
            m_model->apply(snapshotOf(list));
        const double stillHeld = redness(m_view->grab().toImage(), cartBox());
        for (int frame = 0; frame < 100; ++frame)
            m_model->apply(snapshotOf(list));
        QCOMPARE(m_model->indexOfPid(3).data(ProcessTreeModel::MailboxShownRole).toUInt(), 0u);
        const double decayed = redness(m_view->grab().toImage(), cartBox());
        QVERIFY2(held > decayed + 0.3, qPrintable(QStringLiteral("held %1, decayed %2").arg(held).arg(decayed)));
        QCOMPARE(stillHeld, held);
        if (const QByteArray file = qgetenv("SC_TREEGRAPHNODE_PNG"); !file.isEmpty()) {
            list[2].mailboxPeak = 100000;
            m_model->apply(snapshotOf(list));
            m_view->grab().save(QString::fromLocal8Bit(file));
        }
    }

private:
    std::unique_ptr<ProcessTreeModel> m_model;
    std::unique_ptr<TreeGraphView> m_view;
};

QTEST_MAIN(TestTreeGraphNode)
#include "tst_treegraphnode.moc"
