#include "ui/tree/treegraphview.h"

#include "ui/tree/processtreemodel.h"
#include "ui/common/theme.h"
#include "ui/tree/treelayout.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QPainterPath>
#include <QRegion>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>
#include <QtMath>
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <functional>
#include <tuple>

namespace sc::ui {

namespace {

// Scene units are pixels at zoom 1. Widths grow with the name, within limits.
constexpr double workerWidth = 170;
constexpr double workerMaxWidth = 320;
constexpr double workerHeight = 76;
constexpr double supervisorWidth = 250;
constexpr double supervisorMaxWidth = 360;
constexpr double supervisorHeight = 132;
constexpr double horizontalGap = 28;
constexpr double verticalGap = 72;
constexpr double levelHeight = supervisorHeight + verticalGap;
constexpr double margin = 48;
constexpr double toggleRadius = 12;
// More leaf children than this are wrapped into rows, so a big pool stays a block, not a line.
constexpr int wrapAbove = 12;
constexpr double gridRowGap = 40;
constexpr double minZoom = 0.0005;
constexpr double maxZoom = 4.0;
constexpr qint64 flashMs = 1000;
constexpr qint64 giveUpMs = 6000;
// Below this zoom the text would be too small to read: shapes only.
constexpr double detailZoom = 0.3;
// Trees of at most this many shown nodes are squeezed to the viewport's width when they cannot fit readable.
constexpr int squeezeAtMost = 60;
// A collapsed group's summary node.
constexpr double summaryWidth = 280;
constexpr double summaryHeight = 96;

/// A strip beside the viewport (the scroll area's margin) that the view paints:
/// what is drawn there never covers a node.
class Strip : public QWidget {
public:
    std::function<void(QPainter&, const QRect&)> paint;
    std::function<void(const QPoint&)> clicked;
    using QWidget::QWidget;

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        if (paint) paint(p, rect());
    }
    void mousePressEvent(QMouseEvent* event) override { event->setAccepted(clicked != nullptr); }
    void mouseReleaseEvent(QMouseEvent* event) override
    {
        if (clicked && event->button() == Qt::LeftButton) clicked(event->position().toPoint());
    }
};

/// Worst first: what a collapsed group's summary is coloured by.
int severity(sc::ProcessStatus status)
{
    switch (status) {
    case sc::ProcessStatus::Stuck:
        return 4;
    case sc::ProcessStatus::Restarting:
        return 3;
    case sc::ProcessStatus::Terminating:
        return 2;
    case sc::ProcessStatus::Initializing:
        return 1;
    case sc::ProcessStatus::Running:
        break;
    }
    return 0;
}

/// The cross over a supervisor that gave up, live or gone.
void paintGiveUpCross(QPainter& p, const QRectF& r)
{
    QColor cross = theme::errorColor();
    cross.setAlpha(170);
    p.setPen(QPen(cross, 5, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(r.topLeft() + QPointF(10, 10), r.bottomRight() - QPointF(10, 10));
    p.drawLine(r.topRight() + QPointF(-10, 10), r.bottomLeft() + QPointF(10, -10));
}

double heightOf(sc::ProcessKind kind)
{
    return kind == sc::ProcessKind::Worker ? workerHeight : supervisorHeight;
}

QColor tint(const QColor& colour, int percent)
{
    const auto mix = [percent](int c) { return 255 - (255 - c) * percent / 100; };
    return QColor(mix(colour.red()), mix(colour.green()), mix(colour.blue()));
}

QString periodText(std::uint32_t ms)
{
    if (ms % 1000 == 0) return QStringLiteral("%1 s").arg(ms / 1000);
    if (ms > 1000) return QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', 1);
    return QStringLiteral("%1 ms").arg(ms);
}

void drawEnvelope(QPainter& p, const QRectF& r, const QColor& colour)
{
    p.setPen(QPen(colour, 1.6));
    p.setBrush(Qt::NoBrush);
    p.drawRoundedRect(r, 1.5, 1.5);
    p.drawPolyline(QPolygonF(
        {r.topLeft() + QPointF(1, 1), QPointF(r.center().x(), r.center().y() + 1), r.topRight() + QPointF(-1, 1)}));
}

void drawRestartArrow(QPainter& p, const QRectF& r, const QColor& colour)
{
    p.setPen(QPen(colour, 1.8, Qt::SolidLine, Qt::RoundCap));
    p.setBrush(Qt::NoBrush);
    const QRectF arc = r.adjusted(1.5, 1.5, -1.5, -1.5);
    p.drawArc(arc, 90 * 16, 270 * 16);
    // The arrowhead at the arc's open end (top), pointing right.
    const QPointF tip(arc.center().x() + 2.5, arc.top());
    p.setPen(Qt::NoPen);
    p.setBrush(colour);
    p.drawPolygon(QPolygonF({tip + QPointF(1.5, 0), tip + QPointF(-2.5, -3.5), tip + QPointF(-2.5, 3.5)}));
}

void drawDiamond(QPainter& p, const QPointF& c, double h)
{
    p.drawPolygon(QPolygonF({c + QPointF(0, -h), c + QPointF(h, 0), c + QPointF(0, h), c + QPointF(-h, 0)}));
}

} // namespace

TreeGraphView::Item TreeGraphView::ghostItem(const Ghost& g, int parent, int was)
{
    Item item;
    item.pid = g.pid;
    item.parent = parent;
    item.kind = g.kind;
    item.name = g.name;
    item.path = g.path;
    item.pathId = internPath(g.path);
    item.width = g.width;
    item.ghost = true;
    item.was = was;
    return item;
}

TreeGraphView::Ghost TreeGraphView::ghostOf(
    const std::vector<Item>& items, const std::vector<int>& roots, std::size_t i, qint64 until)
{
    const Item& item = items[i];
    const std::vector<int>& siblings = item.parent >= 0 ? items[std::size_t(item.parent)].children : roots;
    const auto at
        = std::find_if(siblings.begin(), siblings.end(), [&](int s) { return items[std::size_t(s)].pid == item.pid; });
    Ghost g;
    g.pid = item.pid;
    g.kind = item.kind;
    g.name = item.name;
    g.path = item.path;
    g.parentPath = item.parent >= 0 ? items[std::size_t(item.parent)].path : QString();
    g.afterPath = at != siblings.begin() && at != siblings.end() ? items[std::size_t(*(at - 1))].path : QString();
    g.width = item.width;
    g.depth = item.depth;
    g.until = until;
    return g;
}

TreeGraphView::TreeGraphView(QWidget* parent)
    : QAbstractScrollArea(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setMouseTracking(true);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    horizontalScrollBar()->setSingleStep(24);
    verticalScrollBar()->setSingleStep(24);

    m_layoutTimer.setSingleShot(true);
    m_layoutTimer.setInterval(0);
    connect(&m_layoutTimer, &QTimer::timeout, this, [this] {
        ensureLayout();
        viewport()->update();
    });
    m_animation.setInterval(33);
    connect(&m_animation, &QTimer::timeout, this, &TreeGraphView::tick);
    m_clock.start();

    // Moving a scroll bar by hand is a pan: the view stops following the tree.
    for (QScrollBar* bar : {horizontalScrollBar(), verticalScrollBar()})
        connect(bar, &QAbstractSlider::actionTriggered, this, [this] {
            m_viewTouched = true;
            m_footer->update();
        });
    auto* header = new Strip(this);
    header->paint = [this](QPainter& p, const QRect& r) { paintGiveUps(p, r); };
    header->hide();
    m_header = header;
    auto* footer = new Strip(this);
    footer->paint = [this](QPainter& p, const QRect& r) { paintFooter(p, r); };
    footer->clicked = [this](const QPoint& pos) {
        if (fitHintVisible() && fitHintRect().contains(pos + m_footer->pos() - viewport()->pos())) fitToWindow();
    };
    m_footer = footer;
    layoutStrips();
}

TreeGraphView::~TreeGraphView() = default;

void TreeGraphView::setModel(ProcessTreeModel* model)
{
    for (const auto& c : m_connections)
        disconnect(c);
    m_connections.clear();
    m_model = model;
    if (model) {
        const auto structure = [this] { scheduleLayout(); };
        // Rows in or out: only the subtree under their parent is built again.
        const auto children = [this](const QModelIndex& parent) { noteStructure(parent); };
        m_connections = {
            connect(model, &QAbstractItemModel::rowsInserted, this, children),
            connect(model, &QAbstractItemModel::rowsRemoved, this, children),
            connect(model, &QAbstractItemModel::rowsMoved, this,
                [this](const QModelIndex& from, int, int, const QModelIndex& to) {
                    noteStructure(from);
                    noteStructure(to);
                }),
            connect(model, &QAbstractItemModel::modelReset, this, structure),
            connect(model, &QAbstractItemModel::layoutChanged, this, structure),
            // Node contents are read from the model when painted.
            connect(model, &QAbstractItemModel::dataChanged, this, &TreeGraphView::onDataChanged),
            connect(model, &QObject::destroyed, this,
                [this] {
                    m_model = nullptr;
                    scheduleLayout();
                }),
        };
    }
    scheduleLayout();
}

// -- layout --

void TreeGraphView::scheduleLayout(bool full)
{
    m_dirty = true;
    m_fullLayout = m_fullLayout || full;
    if (!m_layoutTimer.isActive()) m_layoutTimer.start();
}

void TreeGraphView::noteStructure(const QModelIndex& parent)
{
    const sc::Pid pid = parent.isValid() && m_model ? m_model->pidAt(parent) : 0;
    if (pid == 0)
        m_fullLayout = true;
    else if (!m_fullLayout)
        m_dirtyParents.push_back(pid);
    scheduleLayout(false);
}

void TreeGraphView::ensureLayout() const
{
    if (m_dirty) const_cast<TreeGraphView*>(this)->rebuild();
}

void TreeGraphView::relayoutFromScratch()
{
    m_fullLayout = true;
    m_dirty = true;
    rebuild();
}

std::vector<sc::Pid> TreeGraphView::nodePids() const
{
    ensureLayout();
    std::vector<sc::Pid> pids;
    pids.reserve(m_items.size());
    for (const Item& item : m_items)
        pids.push_back(item.pid);
    return pids;
}

void TreeGraphView::snapshotItems(std::vector<OldItem>& old) const
{
    old.clear();
    old.reserve(m_items.size());
    for (const Item& item : m_items) {
        old.push_back({item.pid, item.parent, item.depth, item.kind, item.visible, item.ghost, item.hidden,
            static_cast<int>(item.children.size()), item.columns, item.pathId, item.width, item.cellWidth, item.spine,
            item.rect, item.summary, item.name.constData()});
    }
}

double TreeGraphView::measureWidth(const QString& name, bool worker)
{
    // Measuring text is most of a relayout's time; names rarely change, and
    // most are short enough for the smallest node whatever their exact width:
    // an upper bound from per-character advances (with room for kerning)
    // settles those without shaping the text.
    if (!m_workerMetrics) {
        m_workerMetrics.emplace(nameFont(sc::ProcessKind::Worker), viewport());
        m_supervisorMetrics.emplace(nameFont(sc::ProcessKind::Supervisor), viewport());
    }
    const QFontMetricsF& metrics = worker ? *m_workerMetrics : *m_supervisorMetrics;
    if (m_charAdvances.empty()) m_charAdvances.assign(256, -1.0);
    double sum = 0;
    bool ascii = true;
    for (const QChar c : name) {
        if (c.unicode() >= 128) {
            ascii = false;
            break;
        }
        double& advance = m_charAdvances[(worker ? 0 : 128) + c.unicode()];
        if (advance < 0) advance = metrics.horizontalAdvance(c);
        sum += advance;
    }
    if (ascii) {
        const double bound = sum * 1.25 + 4;
        if (worker ? bound + workerHeight * 2 / 3 + 12 <= workerWidth : bound + 22 + 32 + 8 <= supervisorWidth)
            return worker ? workerWidth : supervisorWidth;
    }
    auto& cache = worker ? m_workerWidths : m_supervisorWidths;
    if (const auto it = cache.constFind(name); it != cache.cend()) return it.value();
    const double w = worker
        ? std::clamp(metrics.horizontalAdvance(name) + workerHeight * 2 / 3 + 12, workerWidth, workerMaxWidth)
        : std::clamp(metrics.horizontalAdvance(name) + 22 + 32 + 8, supervisorWidth, supervisorMaxWidth);
    if (cache.size() > 100'000) cache.clear();
    cache.insert(name, w);
    return w;
}

void TreeGraphView::rebuild()
{
    QElapsedTimer timer;
    timer.start();
    m_dirty = false;
    m_layoutTimer.stop();

    // Keep the selected node where it is on screen when the tree changes shape
    // (the root, when the user moved the view and nothing is selected).
    const int anchorItem = m_selected ? itemOf(m_selected) : (m_viewTouched && !m_roots.empty() ? m_roots.front() : -1);
    const QPointF anchorBefore = anchorItem >= 0 && m_items[anchorItem].visible
        ? mapToViewport(m_items[anchorItem].rect.center())
        : QPointF(-1, -1);
    const QString anchorPath = anchorItem >= 0 ? m_items[anchorItem].path : QString();
    const QPointF originBefore = origin();
    const double zoomBefore = m_zoom;
    const QRectF sceneBefore = m_sceneRect;
    const QRectF rootBefore = m_roots.empty() ? QRectF() : m_items[static_cast<std::size_t>(m_roots.front())].rect;

    const qint64 now = m_clock.elapsed();
    m_workerMetrics.reset();
    m_supervisorMetrics.reset();
    // What the old layout showed, to compare with.
    snapshotItems(m_oldItems);
    const std::vector<OldItem>& old = m_oldItems;
    // Most changes touch a few subtrees (a child restarted, started or gone):
    // only those are built again, the rest of the items stay as they are.
    m_changed.clear();
    const bool incremental = !m_fullLayout && buildChanged(now);
    if (!incremental) buildAll(now);
    m_fullLayout = false;
    m_dirtyParents.clear();

    // Collapsed subtrees: their descendants are hidden and counted on the badge.
    // With nothing collapsed, the items built again are visible as made and
    // the others as they were.
    int maxDepth = 0;
    const bool newlyCollapsed = autoCollapse();
    const bool anyCollapsed = !m_collapsed.isEmpty();
    if (incremental && !anyCollapsed) {
        maxDepth = m_maxDepth;
        for (const Changed& c : m_changed) {
            for (int i = c.newFrom; i < c.newFrom + c.newCount; ++i)
                maxDepth = std::max(maxDepth, m_items[static_cast<std::size_t>(i)].depth);
        }
    } else {
        for (Item& item : m_items) {
            const Item* parent = item.parent >= 0 ? &m_items[item.parent] : nullptr;
            item.visible = !parent || (parent->visible && !parent->collapsed);
            item.collapsed = anyCollapsed && !item.children.empty() && m_collapsed.contains(item.path);
            item.hidden = 0;
            item.rect = {};
            maxDepth = std::max(maxDepth, item.depth);
        }
    }
    for (int i = static_cast<int>(m_items.size()) - 1; anyCollapsed && i >= 0; --i) {
        Item& item = m_items[i];
        if (!item.visible || !item.collapsed) continue;
        // Items are depth first, so the descendants follow contiguously.
        for (std::size_t j = i + 1; j < m_items.size() && m_items[j].depth > item.depth; ++j)
            ++item.hidden;
    }

    m_maxDepth = maxDepth;

    // The layout depends only on the shape: who is under whom, in which
    // order, how wide, what is hidden. A restarted child (a new pid at the
    // same place) or a ghost standing in for it leaves the shape as it was.
    // After an incremental build only the subtrees built again can differ.
    bool sameShape = !m_items.empty() && old.size() == m_items.size() && !newlyCollapsed && !m_placeAgain;
    m_placeAgain = false;
    const auto sameShapeAt = [&](std::size_t i) {
        const OldItem& a = old[i];
        const Item& b = m_items[i];
        return a.parent == b.parent && a.depth == b.depth && a.kind == b.kind && a.width == b.width
            && a.visible == b.visible && a.hidden == b.hidden && a.childCount == static_cast<int>(b.children.size());
    };
    if (incremental) {
        for (const Changed& c : m_changed) {
            sameShape = sameShape && c.newFrom == c.oldFrom && c.newCount == c.oldCount
                && sameShapeAt(static_cast<std::size_t>(c.rootAt));
            for (int i = c.newFrom; sameShape && i < c.newFrom + c.newCount; ++i)
                sameShape = sameShapeAt(static_cast<std::size_t>(i));
        }
    } else {
        for (std::size_t i = 0; sameShape && i < m_items.size(); ++i)
            sameShape = sameShapeAt(i);
    }
    if (sameShape) {
        for (std::size_t i = 0; i < m_items.size(); ++i) {
            m_items[i].rect = old[i].rect;
            m_items[i].columns = old[i].columns;
            m_items[i].cellWidth = old[i].cellWidth;
            m_items[i].spine = old[i].spine;
            m_items[i].summary = old[i].summary;
        }
    } else {
        placeAll(maxDepth);
    }

    // Forget the state of processes that are gone; follow the selection to a restarted child.
    const auto gone = [this](sc::Pid pid) { return m_byPid.find(pid) < 0; };
    for (auto it = m_dead.begin(); it != m_dead.end();)
        it = gone(*it) ? m_dead.erase(it) : std::next(it);
    for (auto it = m_gaveUp.begin(); it != m_gaveUp.end();)
        it = gone(it.key()) ? m_gaveUp.erase(it) : std::next(it);
    for (auto it = m_matches.begin(); it != m_matches.end();)
        it = gone(*it) ? m_matches.erase(it) : std::next(it);
    const sc::Pid killPreviewBefore = m_killPreview;
    if (m_hover && gone(m_hover)) m_hover = 0;
    if (m_killPreviewExplicit && gone(m_killPreviewExplicit)) m_killPreviewExplicit = 0;
    m_killPreview = m_killPreviewExplicit ? m_killPreviewExplicit : (m_killPreviewEnabled ? m_hover : 0);

    sc::Pid selected = m_selected;
    if (!m_selectedPath.isEmpty() && gone(m_selected)) {
        selected = 0;
        const int pathId = pathIdOf(m_selectedPath);
        for (const Item& item : m_items) {
            if (item.pathId == pathId) selected = item.pid; // the newest (last started) wins
        }
    }

    m_lastLayoutTime = std::chrono::microseconds(timer.nsecsElapsed() / 1000);

    const int anchorNow = selected ? itemOf(selected) : (anchorItem >= 0 && !m_roots.empty() ? m_roots.front() : -1);
    if (!sameShape) {
        updateScrollBars();
        if (anchorBefore.x() >= 0 && anchorNow >= 0 && m_items[anchorNow].visible
            && m_items[anchorNow].path == anchorPath) {
            const QPointF delta = mapToViewport(m_items[anchorNow].rect.center()) - anchorBefore;
            horizontalScrollBar()->setValue(horizontalScrollBar()->value() + qRound(delta.x()));
            verticalScrollBar()->setValue(verticalScrollBar()->value() + qRound(delta.y()));
        }
    }
    // Until the user moves the view, it follows the window and the tree's growth
    // (a relayout that leaves the scene and the root as they were keeps the view).
    const bool grew = !sameShape && !m_roots.empty()
        && (m_sceneRect != sceneBefore || m_items[static_cast<std::size_t>(m_roots.front())].rect != rootBefore);
    if ((!m_fittedOnce || (grew && !m_viewTouched)) && !m_items.empty() && viewport()->width() > 50) showFirstView();
    if (selected != m_selected) {
        m_selected = selected;
        Q_EMIT selectionChanged(m_selected);
    }
    if (m_killPreview != killPreviewBefore || old.empty() || m_zoom != zoomBefore || origin() != originBefore
        || (anyCollapsed && !sameShape)) {
        viewport()->update();
        return;
    }
    if (!sameShape) {
        // The scene did not move under the viewport: repaint what moved in it.
        updateMoved(old);
        return;
    }
    // Same places: repaint only the nodes that now show another process (or a ghost).
    const auto repaintChanged = [&](std::size_t i) {
        const OldItem& a = old[i];
        const Item& b = m_items[i];
        if (a.pid != b.pid || a.ghost != b.ghost || a.pathId != b.pathId || a.name != b.name.constData())
            updateItem(static_cast<int>(i));
    };
    if (incremental) {
        for (const Changed& c : m_changed) {
            for (int i = c.newFrom; i < c.newFrom + c.newCount; ++i)
                repaintChanged(static_cast<std::size_t>(i));
        }
    } else {
        for (std::size_t i = 0; i < m_items.size(); ++i)
            repaintChanged(i);
    }
}

void TreeGraphView::buildAll(qint64 now)
{
    // What the old layout knew: for processes that have just gone, and for
    // the ones still here (their path id and width carry over, unhashed).
    std::vector<Item> old = std::move(m_items);
    const std::vector<int> oldRoots = std::move(m_roots);
    // The indexes' memory is reused from one layout to the next.
    const auto takeIndex = [this] {
        if (m_spareIndexes.empty()) return IntIndex();
        IntIndex index = std::move(m_spareIndexes.back());
        m_spareIndexes.pop_back();
        return index;
    };
    const auto recycle = [this](IntIndex& index) {
        if (index.hasMemory() && m_spareIndexes.size() < 4) m_spareIndexes.push_back(std::move(index));
        index = IntIndex();
    };
    IntIndex oldByPid = std::move(m_byPid);
    recycle(m_byPath);
    m_unmovedPrefix = 0; // every item says where it was
    m_items = std::move(m_spareItems);
    m_items.clear();
    m_roots.clear();
    m_byPid = IntIndex();
    if (m_pathIds.size() > 2 * static_cast<qsizetype>(old.size()) + 4096) {
        // Paths of processes long gone: number the current ones afresh.
        m_pathIds.clear();
        m_nextPathId = 1;
        for (Item& item : old)
            item.pathId = internPath(item.path);
    }

    // 1. The live tree, from the model (ids into `tree`, depth first).
    std::vector<Item> tree;
    std::vector<int> roots;
    IntIndex byPath = takeIndex(); // path id -> id in `tree`, the newest process
    IntIndex livePids = takeIndex(); // pid -> id in `tree`
    bool sharedPaths = false; // two live processes at one path
    std::vector<char> seen(old.size(), 0); // the old item is still in the model
    if (m_model) {
        const auto count = static_cast<std::size_t>(m_model->processCount());
        tree.reserve(count + m_ghosts.size());
        livePids.reset(count);
        byPath.reset(count + m_ghosts.size());
        std::vector<int> ancestors;
        std::size_t cursor = 0; // the walk mostly meets the old items in their old order
        m_model->forEachDepthFirst(
            [&, this](const sc::ProcessInfo& info, const QString& name, const QString& path, int depth) {
                ancestors.resize(static_cast<std::size_t>(depth));
                const int parent = depth > 0 ? ancestors.back() : -1;
                const int id = static_cast<int>(tree.size());
                Item item;
                item.pid = info.pid;
                item.parent = parent;
                item.depth = depth;
                item.kind = info.kind;
                item.name = name;
                item.path = path;
                // The model's strings are shared until they change: an unchanged
                // process keeps its path id and width without hashing its path.
                const int before = cursor < old.size() && old[cursor].pid == info.pid ? static_cast<int>(cursor)
                                                                                      : oldByPid.find(info.pid);
                const Item* was = nullptr;
                item.was = before;
                if (before >= 0) {
                    was = &old[static_cast<std::size_t>(before)];
                    seen[static_cast<std::size_t>(before)] = 1;
                    cursor = static_cast<std::size_t>(before) + 1;
                }
                if (was && !was->ghost && was->kind == info.kind && was->width > 0
                    && was->path.constData() == path.constData() && was->name.constData() == name.constData()) {
                    item.pathId = was->pathId;
                    item.width = was->width;
                } else {
                    item.pathId = internPath(path);
                    // Room for the whole name: the pill's ends (a third of its height each), or badge and padding.
                    item.width = measureWidth(name, info.kind == sc::ProcessKind::Worker);
                }
                livePids.insert(info.pid, id);
                int& newest = byPath.at(static_cast<std::uint64_t>(item.pathId));
                if (newest >= 0) sharedPaths = true;
                if (newest < 0 || tree[static_cast<std::size_t>(newest)].pid < info.pid) newest = id;
                tree.push_back(std::move(item));
                if (parent >= 0)
                    tree[static_cast<std::size_t>(parent)].children.push_back(id);
                else
                    roots.push_back(id);
                ancestors.push_back(id);
            });
    }

    // 2. Ghosts: what left the model stays in its place for a moment, unless a
    // new process took its path (a restarted child) or its place is gone.
    std::erase_if(m_ghosts, [&](const Ghost& g) { return g.until <= now || byPath.find(pathIdOf(g.path)) >= 0; });
    for (std::size_t i = 0; i < old.size(); ++i) {
        const Item& item = old[i];
        if (item.ghost || seen[i] || byPath.find(item.pathId) >= 0) continue;
        m_ghosts.push_back(ghostOf(old, oldRoots, i, now + m_ghostMs));
    }
    std::stable_sort(
        m_ghosts.begin(), m_ghosts.end(), [](const Ghost& a, const Ghost& b) { return a.depth < b.depth; });
    std::vector<Ghost> kept;
    for (const Ghost& g : m_ghosts) {
        int parent = -1;
        if (!g.parentPath.isEmpty()) {
            parent = byPath.find(pathIdOf(g.parentPath));
            if (parent < 0) continue; // its parent is gone without a trace
        }
        const int id = static_cast<int>(tree.size());
        Item item = ghostItem(g, parent, oldByPid.find(g.pid));
        byPath.insert(item.pathId, id);
        tree.push_back(std::move(item));
        std::vector<int>& siblings = parent >= 0 ? tree[static_cast<std::size_t>(parent)].children : roots;
        auto at = siblings.begin();
        if (!g.afterPath.isEmpty()) {
            const int after = pathIdOf(g.afterPath);
            at = std::find_if(siblings.begin(), siblings.end(), [&](int s) { return tree[s].pathId == after; });
            if (at != siblings.end()) ++at;
        }
        siblings.insert(at, id);
        kept.push_back(g);
    }
    m_ghosts = std::move(kept);
    if (!m_ghosts.empty() && !m_animation.isActive()) m_animation.start();

    // 3. Depth first into m_items, so a subtree's items are contiguous. The
    // walk already is, unless ghosts were slotted in.
    if (m_ghosts.empty()) {
        m_items = std::move(tree);
        m_roots = std::move(roots);
        m_byPid = std::move(livePids);
        if (!sharedPaths) {
            m_byPath = std::move(byPath);
        } else {
            // The last in depth-first order, as the general case below.
            m_byPath = takeIndex();
            m_byPath.reset(m_items.size());
            for (int id = 0; id < static_cast<int>(m_items.size()); ++id)
                m_byPath.insert(static_cast<std::uint64_t>(m_items[id].pathId), id);
        }
    } else {
        m_byPid = takeIndex();
        m_byPath = takeIndex();
        m_byPid.reset(tree.size());
        m_byPath.reset(tree.size());
        m_items.reserve(tree.size());
        const auto flatten = [&, this](auto&& self, int from, int parent, int depth) -> void {
            const int id = static_cast<int>(m_items.size());
            Item item = std::move(tree[from]);
            std::vector<int> children = std::move(item.children);
            item.children.clear();
            item.parent = parent;
            item.depth = depth;
            m_byPid.insert(item.pid, id);
            if (!item.ghost) m_byPath.insert(item.pathId, id);
            m_items.push_back(std::move(item));
            if (parent >= 0)
                m_items[parent].children.push_back(id);
            else
                m_roots.push_back(id);
            for (int child : children)
                self(self, child, id, depth + 1);
        };
        for (int root : roots)
            flatten(flatten, root, -1, 0);
        for (const Ghost& g : m_ghosts) {
            const int pathId = pathIdOf(g.path);
            if (const int id = m_byPid.find(g.pid); id >= 0 && m_byPath.find(pathId) < 0) m_byPath.insert(pathId, id);
        }
    }

    recycle(oldByPid);
    recycle(livePids);
    recycle(byPath);
    m_pathCount.reset(m_items.size());
    for (const Item& item : m_items)
        countPath(item.pathId, 1);
    old.clear(); // its memory serves the next relayout
    if (old.capacity() >= m_spareItems.capacity()) m_spareItems = std::move(old);
}

bool TreeGraphView::buildChanged(qint64 now)
{
    if (!m_model || m_items.empty()) return false;
    if (m_pathIds.size() > 2 * static_cast<qsizetype>(m_items.size()) + 4096) return false; // time to renumber

    // The subtrees to build again: under each parent whose children changed
    // (an expired ghost's parent too), the topmost of them only.
    std::vector<sc::Pid> dirty = m_dirtyParents;
    for (const Ghost& g : m_ghosts) {
        if (g.until > now) continue;
        const int id = m_byPid.find(g.pid);
        if (id < 0 || m_items[id].parent < 0) return false;
        dirty.push_back(m_items[m_items[id].parent].pid);
    }
    const auto unchanged
        = [this] { return m_items.size() - m_ghosts.size() == static_cast<std::size_t>(m_model->processCount()); };
    if (dirty.empty()) return unchanged();
    std::vector<int> tops;
    for (const sc::Pid pid : dirty) {
        if (pid == 0) return false;
        if (const int id = m_byPid.find(pid); id >= 0) tops.push_back(id);
    }
    std::sort(tops.begin(), tops.end());
    tops.erase(std::unique(tops.begin(), tops.end()), tops.end());
    const std::vector<int> allDirty = tops;
    {
        std::vector<int> topmost;
        for (const int id : tops) {
            bool inner = false;
            for (int p = m_items[id].parent; p >= 0 && !inner; p = m_items[p].parent)
                inner = std::binary_search(tops.begin(), tops.end(), p);
            if (!inner) topmost.push_back(id);
        }
        tops = std::move(topmost);
    }
    if (tops.empty()) return unchanged();

    struct Region {
        int at = 0; ///< the subtree's root, which stays
        int from = 0; ///< the first descendant built again: at + 1, or a later child's subtree
        int end = 0; ///< one past the last descendant built again
        /// A big family where only some children changed: the children in
        /// front of `from` and from `end` on (old positions) stay as they are.
        bool partial = false;
        std::vector<int> prefix;
        std::vector<int> suffix;
        /// The model's children of the root (partial regions).
        std::vector<std::tuple<const sc::ProcessInfo*, const QString*, const QString*>> now;
        std::vector<Item> tree; ///< the descendants, as buildAll's `tree`; parent -1: the root
        std::vector<int> top; ///< the root's children, ids into `tree`
        IntIndex byPath; ///< path id -> id in `tree`, the newest process
        std::vector<Item> flat; ///< the descendants depth first, parent -1: the root
    };
    std::vector<Region> regions(tops.size());
    const auto regionOf = [&regions](int position) {
        // The region whose descendants hold an old position, or -1.
        auto it = std::upper_bound(
            regions.begin(), regions.end(), position, [](int p, const Region& r) { return p < r.from; });
        if (it == regions.begin()) return -1;
        --it;
        return position >= it->from && position < it->end ? static_cast<int>(it - regions.begin()) : -1;
    };
    std::size_t oldLive = 0;
    std::vector<int> extra; // dirty parents inside the children a partial region keeps
    for (std::size_t r = 0; r < tops.size(); ++r) {
        Region& region = regions[r];
        region.at = tops[r];
        region.from = region.at + 1;
        region.end = region.at + 1;
        const Item& root = m_items[static_cast<std::size_t>(region.at)];
        while (region.end < static_cast<int>(m_items.size()) && m_items[region.end].depth > root.depth)
            ++region.end;
        // Many children, a few of them new or gone (a restart in a big pool):
        // the unchanged ones in front and behind stay.
        const int subtreeEnd = region.end;
        if (!root.ghost && root.children.size() > 32) {
            m_model->forEachDepthFirstUnder(
                root.pid, [&](const sc::ProcessInfo& info, const QString& name, const QString& path, int depth) {
                    if (depth == 0) region.now.emplace_back(&info, &name, &path);
                });
            const auto& now = region.now;
            const std::size_t was = root.children.size();
            const std::size_t both = std::min(was, now.size());
            std::size_t front = 0;
            while (front < both && m_items[root.children[front]].pid == std::get<0>(now[front])->pid)
                ++front;
            std::size_t back = 0;
            while (back < both - front
                && m_items[root.children[was - 1 - back]].pid == std::get<0>(now[now.size() - 1 - back])->pid)
                ++back;
            if (front + back > 0) {
                region.partial = true;
                region.prefix.assign(root.children.begin(), root.children.begin() + static_cast<std::ptrdiff_t>(front));
                region.suffix.assign(root.children.end() - static_cast<std::ptrdiff_t>(back), root.children.end());
                if (front < was)
                    region.from = root.children[front];
                else
                    region.from = region.end;
                if (back > 0) region.end = root.children[was - back];
                if (region.from > region.end) region.from = region.end;
                // Changes under the children it keeps are regions of their own.
                for (auto it = std::upper_bound(allDirty.begin(), allDirty.end(), region.at);
                     it != allDirty.end() && *it < subtreeEnd; ++it)
                    if (*it < region.from || *it >= region.end) extra.push_back(*it);
            }
        }
    }
    for (const int at : extra) {
        bool inner = false; // under another of them
        for (int p = m_items[static_cast<std::size_t>(at)].parent; p >= 0 && !inner; p = m_items[p].parent)
            inner = std::binary_search(extra.begin(), extra.end(), p);
        if (inner) continue;
        Region region;
        region.at = at;
        region.from = at + 1;
        region.end = at + 1;
        while (region.end < static_cast<int>(m_items.size())
            && m_items[region.end].depth > m_items[static_cast<std::size_t>(at)].depth)
            ++region.end;
        regions.push_back(std::move(region));
    }
    std::sort(regions.begin(), regions.end(), [](const Region& a, const Region& b) { return a.from < b.from; });
    for (const Region& region : regions) {
        for (int i = region.from; i < region.end; ++i) {
            Item& item = m_items[static_cast<std::size_t>(i)];
            item.was = -1; // not seen in the model yet
            if (!item.ghost) ++oldLive;
        }
    }

    // Building most of the tree again in pieces costs more than building it whole.
    std::size_t rebuilt = 0;
    for (const Region& region : regions)
        rebuilt += static_cast<std::size_t>(region.end - region.from);
    if (4 * rebuilt > m_items.size() && m_items.size() > 256) return false;

    // 1. The live subtrees, from the model.
    IntIndex newLive; // path id -> 1: a live process in a region has it
    newLive.reset(64);
    std::size_t live = 0;
    bool misplaced = false;
    for (std::size_t r = 0; r < regions.size(); ++r) {
        Region& region = regions[r];
        const Item& root = m_items[region.at];
        if (root.ghost) continue;
        region.byPath.reset(16);
        std::vector<int> ancestors;
        const auto add = [&, this](const sc::ProcessInfo& info, const QString& name, const QString& path, int depth) {
            ancestors.resize(static_cast<std::size_t>(depth));
            const int parent = depth > 0 ? ancestors.back() : -1;
            const int id = static_cast<int>(region.tree.size());
            Item item;
            item.pid = info.pid;
            item.parent = parent;
            item.depth = root.depth + 1 + depth;
            item.kind = info.kind;
            item.name = name;
            item.path = path;
            const int before = m_byPid.find(info.pid);
            Item* was = before >= 0 && regionOf(before) >= 0 ? &m_items[static_cast<std::size_t>(before)] : nullptr;
            if (!was && before >= 0) misplaced = true; // it moved here from outside the regions
            item.was = before;
            if (was) was->was = -2; // seen
            if (was && !was->ghost && was->kind == info.kind && was->width > 0
                && was->path.constData() == path.constData() && was->name.constData() == name.constData()) {
                item.pathId = was->pathId;
                item.width = was->width;
            } else {
                item.pathId = internPath(path);
                item.width = measureWidth(name, info.kind == sc::ProcessKind::Worker);
            }
            newLive.insert(static_cast<std::uint64_t>(item.pathId), 1);
            int& newest = region.byPath.at(static_cast<std::uint64_t>(item.pathId));
            if (newest < 0 || region.tree[static_cast<std::size_t>(newest)].pid < info.pid) newest = id;
            region.tree.push_back(std::move(item));
            if (parent >= 0)
                region.tree[static_cast<std::size_t>(parent)].children.push_back(id);
            else
                region.top.push_back(id);
            ancestors.push_back(id);
            ++live;
        };
        bool found = true;
        if (!region.partial) {
            found = m_model->forEachDepthFirstUnder(root.pid, add);
        } else {
            const auto& now = region.now;
            for (std::size_t k = region.prefix.size(); k < now.size() - region.suffix.size(); ++k) {
                const auto& [info, name, path] = now[k];
                add(*info, *name, *path, 0);
                m_model->forEachDepthFirstUnder(
                    info->pid, [&](const sc::ProcessInfo& i, const QString& n, const QString& p, int depth) {
                        add(i, n, p, depth + 1);
                    });
            }
        }
        if (!found || misplaced) return false; // the root is gone, yet its parent did not change
    }
    // Every live process is in the layout once: the rest of the items are as they were.
    const std::size_t liveBefore = m_items.size() - m_ghosts.size();
    if (liveBefore - oldLive + live != static_cast<std::size_t>(m_model->processCount())) return false;

    // 2. Ghosts, as buildAll: those outside the regions stay as they are.
    const auto pathLive = [&](int pathId) -> std::optional<bool> {
        if (newLive.find(static_cast<std::uint64_t>(pathId)) >= 0) return true;
        const int id = m_byPath.find(static_cast<std::uint64_t>(pathId));
        if (id < 0) return false;
        if (regionOf(id) < 0) return !m_items[id].ghost;
        // Another process outside the regions may share the path: ask buildAll.
        if (m_pathCount.find(static_cast<std::uint64_t>(pathId)) > 1) return std::nullopt;
        return false;
    };
    std::vector<Ghost> ghosts;
    for (const Ghost& g : m_ghosts) {
        const int at = m_byPid.find(g.pid);
        const int region = at >= 0 ? regionOf(at) : -1;
        const auto taken = pathLive(pathIdOf(g.path));
        if (!taken) return false;
        const bool drop = g.until <= now || *taken;
        if (drop && region < 0) return false;
        if (!drop) ghosts.push_back(g);
    }
    for (const Region& region : regions) {
        for (int i = region.from; i < region.end; ++i) {
            const Item& item = m_items[i];
            if (item.ghost || item.was == -2) continue;
            const auto taken = pathLive(item.pathId);
            if (!taken) return false;
            if (*taken) continue;
            ghosts.push_back(ghostOf(m_items, m_roots, std::size_t(i), now + m_ghostMs));
        }
    }
    std::stable_sort(ghosts.begin(), ghosts.end(), [](const Ghost& a, const Ghost& b) { return a.depth < b.depth; });
    std::vector<Ghost> kept;
    for (const Ghost& g : ghosts) {
        const int at = m_byPid.find(g.pid);
        const int r = at >= 0 ? regionOf(at) : -1;
        if (r < 0) {
            kept.push_back(g);
            continue;
        }
        Region& region = regions[static_cast<std::size_t>(r)];
        if (g.parentPath.isEmpty()) return false;
        const int parentPathId = pathIdOf(g.parentPath);
        if (m_pathCount.find(static_cast<std::uint64_t>(parentPathId)) > 1) return false; // which one: ask buildAll
        int parent = region.byPath.find(static_cast<std::uint64_t>(parentPathId));
        if (parent < 0) {
            if (m_items[region.at].pathId != parentPathId) {
                // Its parent is elsewhere (ask buildAll) or gone without a trace.
                const int elsewhere = m_byPath.find(static_cast<std::uint64_t>(parentPathId));
                if (elsewhere >= 0 && regionOf(elsewhere) < 0) return false;
                if (newLive.find(static_cast<std::uint64_t>(parentPathId)) >= 0) return false;
                continue;
            }
            parent = -1; // the region's root
        }
        const int id = static_cast<int>(region.tree.size());
        Item item = ghostItem(g, parent, at);
        region.byPath.insert(static_cast<std::uint64_t>(item.pathId), id);
        region.tree.push_back(std::move(item));
        std::vector<int>& siblings = parent >= 0 ? region.tree[static_cast<std::size_t>(parent)].children : region.top;
        auto pos = siblings.begin();
        if (!g.afterPath.isEmpty()) {
            const int after = pathIdOf(g.afterPath);
            const auto follows = [&](int s) { return region.tree[s].pathId == after; };
            pos = std::find_if(siblings.begin(), siblings.end(), follows);
            if (pos != siblings.end()) ++pos;
            if (parent < 0 && region.partial) {
                // After the first sibling with that path among all the root's
                // children: the last one kept in front, one built again, or
                // none (at the end), as buildAll; else ask buildAll.
                const auto kept = [&](int c) { return m_items[static_cast<std::size_t>(c)].pathId == after; };
                const auto inFront = std::find_if(region.prefix.begin(), region.prefix.end(), kept);
                if (inFront != region.prefix.end()) {
                    if (inFront + 1 != region.prefix.end()) return false;
                    pos = siblings.begin();
                } else if (pos == siblings.end()) {
                    if (!region.suffix.empty()) return false;
                }
            }
        } else if (parent < 0 && region.partial && !region.prefix.empty()) {
            return false; // the first of all the root's children
        }
        siblings.insert(pos, id);
        kept.push_back(g);
    }

    // 3. Depth first, then spliced in place of the old descendants.
    for (Region& region : regions) {
        const int rootDepth = m_items[region.at].depth;
        region.flat.reserve(region.tree.size());
        const auto flatten = [&](auto&& self, int from, int parent, int depth) -> void {
            const int id = static_cast<int>(region.flat.size());
            Item item = std::move(region.tree[from]);
            std::vector<int> children = std::move(item.children);
            item.children.clear();
            item.parent = parent;
            item.depth = depth;
            region.flat.push_back(std::move(item));
            if (parent >= 0) region.flat[parent].children.push_back(id);
            for (int child : children)
                self(self, child, id, depth + 1);
        };
        for (int child : region.top)
            flatten(flatten, child, -1, rootDepth + 1);
    }

    // The indexes forget the old descendants...
    std::vector<int> touchedPaths;
    for (const Region& region : regions) {
        for (int i = region.from; i < region.end; ++i) {
            const Item& item = m_items[i];
            m_byPid.erase(item.pid);
            const auto key = static_cast<std::uint64_t>(item.pathId);
            countPath(item.pathId, -1);
            if (m_byPath.find(key) == i) {
                m_byPath.erase(key);
                touchedPaths.push_back(item.pathId);
            }
        }
    }
    // ...the items move...
    std::vector<int> shiftAfter(regions.size()); // how far the items after each region's end move
    int shift = 0;
    for (std::size_t r = 0; r < regions.size(); ++r) {
        shift += static_cast<int>(regions[r].flat.size()) - (regions[r].end - regions[r].from);
        shiftAfter[r] = shift;
    }
    const int firstEnd = regions.front().end;
    const auto moved = [&](int old) {
        // The position now of an old position outside the regions' descendants.
        if (old < firstEnd) return old;
        if (regions.size() == 1) return old + shift;
        auto it
            = std::upper_bound(regions.begin(), regions.end(), old, [](int p, const Region& r) { return p < r.end; });
        return old + shiftAfter[static_cast<std::size_t>(it - regions.begin()) - 1];
    };
    std::vector<int> newAt(regions.size());
    std::vector<int> newFrom(regions.size());
    for (std::size_t r = 0; r < regions.size(); ++r) {
        newAt[r] = moved(regions[r].at);
        newFrom[r] = regions[r].from + (r == 0 ? 0 : shiftAfter[r - 1]);
    }
    std::vector<int> prefixAncestors; // the regions' ancestors in front of the first region
    for (const Region& region : regions) {
        for (int p = m_items[static_cast<std::size_t>(region.at)].parent; p >= 0;
             p = m_items[static_cast<std::size_t>(p)].parent)
            if (p < regions.front().from) prefixAncestors.push_back(p);
    }
    std::sort(prefixAncestors.begin(), prefixAncestors.end());
    prefixAncestors.erase(std::unique(prefixAncestors.begin(), prefixAncestors.end()), prefixAncestors.end());
    for (std::size_t r = regions.size(); r-- > 0;) {
        Region& region = regions[r];
        const auto first = m_items.begin() + region.from;
        const auto oldCount = static_cast<std::size_t>(region.end - region.from);
        if (oldCount == region.flat.size()) {
            std::move(region.flat.begin(), region.flat.end(), first);
        } else {
            m_items.erase(first, first + static_cast<std::ptrdiff_t>(oldCount));
            m_items.insert(m_items.begin() + region.from, std::make_move_iterator(region.flat.begin()),
                std::make_move_iterator(region.flat.end()));
        }
    }
    // ...and every reference to a position follows. In front of the first
    // region nothing moved: there only the regions' ancestors have children
    // behind it, and their old positions are their positions.
    m_unmovedPrefix = regions.front().from;
    for (std::size_t r = 0; r < regions.size(); ++r) {
        m_changed.push_back({regions[r].from, regions[r].end - regions[r].from, newFrom[r],
            static_cast<int>(regions[r].flat.size()), newAt[r]});
    }
    if (shift != 0 || regions.size() > 1) {
        std::vector<int> roots;
        for (const Region& region : regions)
            roots.push_back(region.at);
        std::sort(roots.begin(), roots.end());
        for (const int p : prefixAncestors) {
            if (std::binary_search(roots.begin(), roots.end(), p)) continue; // its children come with the region
            for (int& child : m_items[static_cast<std::size_t>(p)].children)
                child = moved(child);
        }
    }
    int position = m_unmovedPrefix;
    for (std::size_t r = 0; r <= regions.size(); ++r) {
        const int oldFrom = r == 0 ? m_unmovedPrefix : regions[r - 1].end;
        const int oldTo = r < regions.size() ? regions[r].from : static_cast<int>(m_items.size()) - shift;
        for (int old = oldFrom; old < oldTo; ++old, ++position) {
            Item& item = m_items[static_cast<std::size_t>(position)];
            item.was = old;
            if (item.parent >= firstEnd) item.parent = moved(item.parent);
            if (r < regions.size() && old == regions[r].at) continue; // its children come with the region
            if (shift == 0 && regions.size() == 1) continue; // nothing after the region moved
            for (int& child : item.children)
                child = moved(child);
        }
        if (r == regions.size()) break;
        Item& root = m_items[static_cast<std::size_t>(newAt[r])];
        root.children.clear();
        for (const int child : regions[r].prefix)
            root.children.push_back(moved(child));
        const int base = newFrom[r];
        for (std::size_t k = 0; k < regions[r].flat.size(); ++k, ++position) {
            Item& item = m_items[static_cast<std::size_t>(position)];
            item.parent = item.parent >= 0 ? base + item.parent : newAt[r];
            if (item.parent == newAt[r]) root.children.push_back(position);
            for (int& child : item.children)
                child += base;
        }
        for (const int child : regions[r].suffix)
            root.children.push_back(moved(child));
    }
    for (int& root : m_roots)
        root = moved(root);
    if (shift != 0 || regions.size() > 1) {
        m_byPid.forEachValue([&](int& value) { value = moved(value); });
        m_byPath.forEachValue([&](int& value) { value = moved(value); });
    }

    // The indexes learn the new descendants: by path the last live process
    // in depth-first order, else the first ghost, as buildAll.
    bool rebuildPaths = false;
    for (std::size_t r = 0; r < regions.size(); ++r) {
        for (int i = newFrom[r]; i < newFrom[r] + static_cast<int>(regions[r].flat.size()); ++i) {
            const Item& item = m_items[static_cast<std::size_t>(i)];
            m_byPid.insert(item.pid, i);
            countPath(item.pathId, 1);
            touchedPaths.push_back(item.pathId);
        }
    }
    m_ghosts = std::move(kept);
    std::sort(touchedPaths.begin(), touchedPaths.end());
    touchedPaths.erase(std::unique(touchedPaths.begin(), touchedPaths.end()), touchedPaths.end());
    {
        std::unordered_map<int, int> inside; // path id -> new descendants that have it
        for (std::size_t r = 0; r < regions.size(); ++r) {
            for (int i = newFrom[r]; i < newFrom[r] + static_cast<int>(regions[r].flat.size()); ++i)
                ++inside[m_items[static_cast<std::size_t>(i)].pathId];
        }
        for (const int pathId : touchedPaths) {
            const auto key = static_cast<std::uint64_t>(pathId);
            const int count = m_pathCount.find(key);
            const auto it = inside.find(pathId);
            const int in = it == inside.end() ? 0 : it->second;
            if (count > in) {
                rebuildPaths = true; // shared with items outside the regions
                break;
            }
            m_byPath.erase(key);
        }
        if (!rebuildPaths) {
            for (std::size_t r = 0; r < regions.size(); ++r) {
                for (int i = newFrom[r]; i < newFrom[r] + static_cast<int>(regions[r].flat.size()); ++i) {
                    const Item& item = m_items[static_cast<std::size_t>(i)];
                    if (!item.ghost) m_byPath.insert(static_cast<std::uint64_t>(item.pathId), i);
                }
            }
            for (const Ghost& g : m_ghosts) {
                const int id = m_byPid.find(g.pid);
                if (id < 0 || !inside.contains(m_items[id].pathId)) continue;
                const auto key = static_cast<std::uint64_t>(m_items[id].pathId);
                if (m_byPath.find(key) < 0) m_byPath.insert(key, id);
            }
        }
    }
    if (rebuildPaths) {
        m_byPath.reset(m_items.size());
        for (int id = 0; id < static_cast<int>(m_items.size()); ++id) {
            if (!m_items[id].ghost) m_byPath.insert(static_cast<std::uint64_t>(m_items[id].pathId), id);
        }
        for (const Ghost& g : m_ghosts) {
            const int pathId = pathIdOf(g.path);
            if (const int id = m_byPid.find(g.pid); id >= 0 && m_byPath.find(pathId) < 0) m_byPath.insert(pathId, id);
        }
    }
    if (!m_ghosts.empty() && !m_animation.isActive()) m_animation.start();
    return true;
}

void TreeGraphView::updateMoved(const std::vector<OldItem>& old)
{
    QRegion damage;
    const auto add = [&](const QRectF& scene) {
        damage += QRectF(mapToViewport(scene.topLeft()), mapToViewport(scene.bottomRight()))
                      .toAlignedRect()
                      .adjusted(-2, -2, 2, 2);
    };
    // A node with its halo, tag and toggle; a parent's edges, a grid's spine included.
    const auto halo = [](const QRectF& r) { return r.adjusted(-24, -24, 24, 24 + toggleRadius); };
    const auto edges = [](const std::vector<Item>& items, std::size_t id) {
        const Item& parent = items[id];
        QRectF box = parent.rect;
        for (int child : parent.children) {
            if (items[static_cast<std::size_t>(child)].visible) box |= items[static_cast<std::size_t>(child)].rect;
        }
        if (parent.columns > 0) box.setLeft(std::min(box.left(), parent.spine) - 4);
        return box.adjusted(-4, -4, 4, 4);
    };
    std::vector<char> kept(old.size(), 0);
    std::vector<char> newEdges(m_items.size(), 0);
    std::vector<char> oldEdges(old.size(), 0);
    for (std::size_t i = 0; i < m_items.size(); ++i) {
        const Item& b = m_items[i];
        const int was = static_cast<int>(i) < m_unmovedPrefix ? static_cast<int>(i) : b.was;
        const OldItem* a
            = was >= 0 && static_cast<std::size_t>(was) < old.size() ? &old[static_cast<std::size_t>(was)] : nullptr;
        if (a) kept[static_cast<std::size_t>(was)] = 1;
        const bool moved = !a || a->rect != b.rect || a->visible != b.visible || a->hidden != b.hidden
            || a->childCount != static_cast<int>(b.children.size()) || a->columns != b.columns;
        if (!moved && a->pid == b.pid && a->ghost == b.ghost && a->name == b.name.constData()) continue;
        if (b.visible) add(halo(b.rect));
        if (a && a->visible) add(halo(a->rect));
        if (!moved) continue;
        if (b.parent >= 0) newEdges[static_cast<std::size_t>(b.parent)] = 1;
        if (!b.children.empty()) newEdges[i] = 1;
        if (a && a->parent >= 0) oldEdges[static_cast<std::size_t>(a->parent)] = 1;
        if (a && a->childCount > 0) oldEdges[static_cast<std::size_t>(was)] = 1;
    }
    for (std::size_t j = 0; j < old.size(); ++j) {
        if (kept[j] || !old[j].visible) continue;
        add(halo(old[j].rect));
        if (old[j].parent >= 0) oldEdges[static_cast<std::size_t>(old[j].parent)] = 1;
    }
    for (std::size_t i = 0; i < m_items.size(); ++i) {
        if (newEdges[i] && m_items[i].visible && m_items[i].hidden == 0) add(edges(m_items, i));
    }
    // The old edges: each marked parent's box over its visible children then.
    std::unordered_map<int, QRectF> oldBoxes;
    for (std::size_t j = 0; j < old.size(); ++j) {
        const int parent = old[j].parent;
        if (parent < 0 || !oldEdges[static_cast<std::size_t>(parent)] || !old[j].visible) continue;
        auto [box, fresh] = oldBoxes.try_emplace(parent, old[static_cast<std::size_t>(parent)].rect);
        box->second |= old[j].rect;
    }
    for (std::size_t j = 0; j < old.size(); ++j) {
        if (!oldEdges[j] || !old[j].visible || old[j].hidden != 0) continue;
        const auto it = oldBoxes.find(static_cast<int>(j));
        QRectF box = it != oldBoxes.end() ? it->second : old[j].rect;
        if (old[j].columns > 0) box.setLeft(std::min(box.left(), old[j].spine) - 4);
        add(box.adjusted(-4, -4, 4, 4));
    }
    damage &= viewport()->rect();
    if (!damage.isEmpty()) viewport()->update(damage);
}

void TreeGraphView::countPath(int pathId, int delta)
{
    const auto key = static_cast<std::uint64_t>(pathId);
    int& count = m_pathCount.at(key);
    count = std::max(count, 0) + delta;
    if (count <= 0) m_pathCount.erase(key);
}

int TreeGraphView::internPath(const QString& path)
{
    const auto it = m_pathIds.constFind(path);
    if (it != m_pathIds.cend()) return it.value();
    const int id = m_nextPathId++;
    m_pathIds.insert(path, id);
    return id;
}

int TreeGraphView::pathIdOf(const QString& path) const
{
    return m_pathIds.value(path, 0);
}

int TreeGraphView::itemOfPath(const QString& path) const
{
    const int pathId = pathIdOf(path);
    return pathId ? m_byPath.find(pathId) : -1;
}

// -- IntIndex --

void TreeGraphView::IntIndex::reset(std::size_t expected)
{
    std::size_t capacity = 16;
    while (capacity < expected * 2)
        capacity *= 2;
    m_slots.assign(capacity, Slot {});
    m_shift = 64 - std::countr_zero(capacity);
    m_size = 0;
}

void TreeGraphView::IntIndex::insert(std::uint64_t key, int value)
{
    Q_ASSERT(key != 0);
    if (m_slots.empty() || 2 * (m_size + 1) > m_slots.size()) grow();
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = slotOf(key);; i = (i + 1) & mask) {
        Slot& slot = m_slots[i];
        if (slot.key == key) {
            slot.value = value;
            return;
        }
        if (slot.key == 0) {
            slot = {key, value};
            ++m_size;
            return;
        }
    }
}

int& TreeGraphView::IntIndex::at(std::uint64_t key)
{
    Q_ASSERT(key != 0);
    if (m_slots.empty() || 2 * (m_size + 1) > m_slots.size()) grow();
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = slotOf(key);; i = (i + 1) & mask) {
        Slot& slot = m_slots[i];
        if (slot.key == key) return slot.value;
        if (slot.key == 0) {
            slot = {key, -1};
            ++m_size;
            return slot.value;
        }
    }
}

int TreeGraphView::IntIndex::find(std::uint64_t key) const
{
    if (m_slots.empty() || key == 0) return -1;
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = slotOf(key);; i = (i + 1) & mask) {
        const Slot& slot = m_slots[i];
        if (slot.key == key) return slot.value;
        if (slot.key == 0) return -1;
    }
}

void TreeGraphView::IntIndex::erase(std::uint64_t key)
{
    if (m_slots.empty() || key == 0) return;
    const std::size_t mask = m_slots.size() - 1;
    std::size_t hole = slotOf(key);
    while (m_slots[hole].key != key) {
        if (m_slots[hole].key == 0) return;
        hole = (hole + 1) & mask;
    }
    // Backward shift: a later entry whose probe passed the hole moves into it.
    for (std::size_t j = (hole + 1) & mask; m_slots[j].key != 0; j = (j + 1) & mask) {
        const std::size_t home = slotOf(m_slots[j].key);
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            m_slots[hole] = m_slots[j];
            hole = j;
        }
    }
    m_slots[hole] = Slot {};
    --m_size;
}

void TreeGraphView::IntIndex::grow()
{
    const std::vector<Slot> previous = std::move(m_slots);
    reset(std::max<std::size_t>(16, previous.size()));
    for (const Slot& slot : previous) {
        if (slot.key) insert(slot.key, slot.value);
    }
}

void TreeGraphView::place(int id, std::vector<double>& nextFree)
{
    Item& item = m_items[id];
    item.columns = 0;
    item.summary = {};
    const auto depth = static_cast<std::size_t>(item.depth);
    const double width = item.width;
    const double top = item.depth * levelHeight;
    double left = nextFree[depth];
    if (item.hidden > 0) {
        // The summary stands on the level below, as a child would, the node centred over it.
        const std::size_t below = depth + 1;
        if (nextFree.size() <= below) nextFree.resize(below + 1, 0.0);
        double summaryLeft = std::max(nextFree[below], left + (width - summaryWidth) / 2);
        left = summaryLeft + (summaryWidth - width) / 2;
        if (left < nextFree[depth]) {
            summaryLeft += nextFree[depth] - left;
            left = nextFree[depth];
        }
        item.summary = QRectF(summaryLeft, (item.depth + 1) * levelHeight, summaryWidth, summaryHeight);
        nextFree[below] = item.summary.right() + horizontalGap;
    }
    if (item.hidden == 0 && !item.children.empty()) {
        const bool leaves = std::all_of(item.children.begin(), item.children.end(),
            [this](int c) { return m_items[c].children.empty() || m_items[c].hidden > 0; });
        if (leaves && static_cast<int>(item.children.size()) > wrapAbove) {
            placeGrid(id, nextFree);
        } else {
            for (int child : item.children)
                place(child, nextFree);
        }
        // Centred over the first row of children.
        const Item& self = m_items[id];
        const int last = self.columns > 0 ? self.columns - 1 : static_cast<int>(self.children.size()) - 1;
        const double centre = (m_items[self.children.front()].rect.center().x()
                                  + m_items[self.children[static_cast<std::size_t>(last)]].rect.center().x())
            / 2;
        left = centre - width / 2;
        if (left < nextFree[depth]) {
            const double dx = nextFree[depth] - left;
            for (int child : self.children)
                shiftSubtree(child, dx, nextFree);
            left += dx;
        }
    }
    Item& placed = m_items[id];
    placed.rect = QRectF(left, top, width, heightOf(placed.kind));
    nextFree[depth] = placed.rect.right() + horizontalGap;
}

void TreeGraphView::placeGrid(int id, std::vector<double>& nextFree)
{
    Item& item = m_items[id];
    const int count = static_cast<int>(item.children.size());
    // Wider than tall on screen: about 2.5 columns per row of a square.
    const int columns = std::clamp(static_cast<int>(std::ceil(std::sqrt(count * 2.5))), wrapAbove, count);
    const int rows = (count + columns - 1) / columns;
    double cellWidth = 0;
    double cellHeight = 0;
    for (int child : item.children) {
        cellWidth = std::max(cellWidth, m_items[child].width);
        cellHeight = std::max(cellHeight, heightOf(m_items[child].kind));
    }
    const int first = item.depth + 1;
    const double top = first * levelHeight;
    const double bottom = top + rows * cellHeight + (rows - 1) * gridRowGap + 2 * toggleRadius;
    const int lastLevel = static_cast<int>(bottom / levelHeight);
    if (nextFree.size() <= static_cast<std::size_t>(lastLevel))
        nextFree.resize(static_cast<std::size_t>(lastLevel) + 1, 0.0);
    // An extra gap on each side, so neighbouring grids read as separate blocks.
    double left = 0;
    for (int level = first; level <= lastLevel; ++level)
        left = std::max(left, nextFree[static_cast<std::size_t>(level)]);
    left += horizontalGap;

    item.columns = columns;
    item.cellWidth = cellWidth;
    item.spine = left - horizontalGap / 2;
    for (int k = 0; k < count; ++k) {
        Item& child = m_items[item.children[static_cast<std::size_t>(k)]];
        const int row = k / columns;
        const int column = k % columns;
        child.columns = 0;
        child.rect = QRectF(left + column * (cellWidth + horizontalGap) + (cellWidth - child.width) / 2,
            top + row * (cellHeight + gridRowGap), child.width, heightOf(child.kind));
    }
    const double right = left + columns * (cellWidth + horizontalGap) + horizontalGap;
    for (int level = first; level <= lastLevel; ++level)
        nextFree[static_cast<std::size_t>(level)] = std::max(nextFree[static_cast<std::size_t>(level)], right);
}

void TreeGraphView::shiftSubtree(int id, double dx, std::vector<double>& nextFree)
{
    Item& item = m_items[id];
    if (!item.visible) return;
    item.rect.translate(dx, 0);
    item.spine += dx;
    if (!item.summary.isEmpty()) item.summary.translate(dx, 0);
    // A node in a wrapped grid may reach down into the levels below its own.
    const QRectF reach = item.summary.isEmpty() ? item.rect : item.rect | item.summary;
    const int lastLevel = static_cast<int>((reach.bottom() + 2 * toggleRadius) / levelHeight);
    for (int level = item.depth; level <= lastLevel && level < static_cast<int>(nextFree.size()); ++level) {
        auto& free = nextFree[static_cast<std::size_t>(level)];
        free = std::max(free, reach.right() + horizontalGap);
    }
    for (int child : item.children)
        shiftSubtree(child, dx, nextFree);
}

void TreeGraphView::placeAll(int maxDepth)
{
    const auto bounds = [this] {
        m_sceneRect = {};
        for (const Item& item : m_items) {
            if (!item.visible) continue;
            m_sceneRect |= item.rect;
            if (!item.summary.isEmpty()) m_sceneRect |= item.summary;
        }
        m_sceneRect.adjust(-margin, -margin, margin, margin + toggleRadius * 2);
    };
    if (m_viewTouched && m_wrapAspect > 0) {
        // The user holds the view: the layout keeps its way, or it would jump under them.
        placeBlocks();
        bounds();
        return;
    }
    std::vector<double> nextFree(static_cast<std::size_t>(maxDepth) + 1, 0.0);
    for (int root : m_roots)
        place(root, nextFree);
    bounds();
    if (m_viewTouched) return;
    m_wrapAspect = 0;
    // Level by level reads best; when that is too wide (or tall) to read in
    // the viewport, wrap families into rows shaped like the viewport.
    const QSize view = viewport()->size();
    if (view.width() <= 50 || view.height() <= 50 || fitZoom() >= minReadableZoom()) return;
    m_wrapAspect = std::clamp(double(view.width()) / view.height(), 0.5, 4.0);
    m_minWrapped = 4;
    // A tree of a few dozen nodes still too big to fit readable is made at
    // least as narrow as the viewport, so what does not fit is below (scrolled
    // to), not cut off at both sides. A bigger tree is a map, navigated both ways.
    const auto shown = std::count_if(m_items.begin(), m_items.end(), [](const Item& i) { return i.visible; });
    const double widthAtReadable = view.width() / (minReadableZoom() * m_presenterScale);
    for (int pass = 0; pass < (shown <= squeezeAtMost ? 6 : 1); ++pass) {
        placeBlocks();
        bounds();
        if (fitZoom() >= minReadableZoom() || m_sceneRect.width() <= widthAtReadable) break;
        m_wrapAspect *= 0.6;
        m_minWrapped = 2;
    }
}

void TreeGraphView::placeBlocks()
{
    std::vector<TreeLayout::Node> nodes(m_items.size());
    for (std::size_t i = 0; i < m_items.size(); ++i) {
        const Item& item = m_items[i];
        if (!item.visible) continue;
        nodes[i].size = QSizeF(item.width, heightOf(item.kind));
        if (item.hidden > 0)
            nodes[i].below = QSizeF(summaryWidth, summaryHeight);
        else if (!item.children.empty())
            nodes[i].children = &item.children;
    }
    const std::vector<TreeLayout::Placed> placed
        = TreeLayout::layout(nodes, m_roots, m_wrapAspect, {horizontalGap, verticalGap, gridRowGap}, m_minWrapped);
    for (std::size_t i = 0; i < m_items.size(); ++i) {
        Item& item = m_items[i];
        if (!item.visible) continue;
        item.rect = placed[i].rect;
        item.summary = placed[i].below;
        item.columns = placed[i].columns;
        item.spine = placed[i].spine;
        item.cellWidth = 0;
    }
}

bool TreeGraphView::autoCollapse()
{
    bool any = false;
    for (const Item& item : m_items) {
        if (item.ghost || static_cast<int>(item.children.size()) <= autoCollapseAbove) continue;
        if (m_autoCollapsed.contains(item.path)) continue;
        m_autoCollapsed.insert(item.path);
        m_collapsed.insert(item.path);
        any = true;
    }
    return any;
}

int TreeGraphView::itemOf(sc::Pid pid) const
{
    return pid ? m_byPid.find(pid) : -1;
}

QPointF TreeGraphView::origin() const
{
    const double width = m_sceneRect.width() * scale();
    const double height = m_sceneRect.height() * scale();
    const QSize view = viewport()->size();
    const double x = width <= view.width() ? (view.width() - width) / 2 : -horizontalScrollBar()->value();
    // Top-aligned: collapsing a subtree must not move the nodes above it.
    const double y = height <= view.height() ? 0 : -verticalScrollBar()->value();
    return {x - m_sceneRect.left() * scale(), y - m_sceneRect.top() * scale()};
}

QPointF TreeGraphView::mapToViewport(const QPointF& scene) const
{
    return scene * scale() + origin();
}

QPointF TreeGraphView::mapToScene(const QPointF& viewportPos) const
{
    return (viewportPos - origin()) / scale();
}

void TreeGraphView::updateScrollBars()
{
    const QSize view = viewport()->size();
    const int width = static_cast<int>(std::ceil(m_sceneRect.width() * scale()));
    const int height = static_cast<int>(std::ceil(m_sceneRect.height() * scale()));
    horizontalScrollBar()->setPageStep(view.width());
    verticalScrollBar()->setPageStep(view.height());
    horizontalScrollBar()->setRange(0, std::max(0, width - view.width()));
    verticalScrollBar()->setRange(0, std::max(0, height - view.height()));
}

void TreeGraphView::centreOn(const QPointF& scene)
{
    const QSize view = viewport()->size();
    horizontalScrollBar()->setValue(qRound((scene.x() - m_sceneRect.left()) * scale() - view.width() / 2.0));
    verticalScrollBar()->setValue(qRound((scene.y() - m_sceneRect.top()) * scale() - view.height() / 2.0));
    viewport()->update();
}

void TreeGraphView::ensureVisible(const QRectF& scene)
{
    const QRectF box(mapToViewport(scene.topLeft()), mapToViewport(scene.bottomRight()));
    const QRectF view = QRectF(viewport()->rect()).adjusted(24, 24, -24, -24);
    if (view.contains(box)) return;
    if (box.width() > view.width() || box.height() > view.height()) {
        centreOn(scene.center());
        return;
    }
    double dx = 0;
    double dy = 0;
    if (box.left() < view.left()) dx = box.left() - view.left();
    if (box.right() > view.right()) dx = box.right() - view.right();
    if (box.top() < view.top()) dy = box.top() - view.top();
    if (box.bottom() > view.bottom()) dy = box.bottom() - view.bottom();
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() + qRound(dx));
    verticalScrollBar()->setValue(verticalScrollBar()->value() + qRound(dy));
}

void TreeGraphView::setZoom(double zoom)
{
    m_viewTouched = true;
    zoomAround(zoom, QRectF(viewport()->rect()).center());
    m_footer->update();
}

void TreeGraphView::zoomAround(double zoom, const QPointF& anchor)
{
    ensureLayout();
    zoom = std::clamp(zoom, minZoom, maxZoom);
    const QPointF scene = mapToScene(anchor);
    m_zoom = zoom;
    updateScrollBars();
    // Put the scene point under the anchor back where it was.
    const QPointF now = mapToViewport(scene);
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() + qRound(now.x() - anchor.x()));
    verticalScrollBar()->setValue(verticalScrollBar()->value() + qRound(now.y() - anchor.y()));
    viewport()->update();
}

void TreeGraphView::zoomIn()
{
    setZoom(m_zoom * 1.25);
}

void TreeGraphView::zoomOut()
{
    setZoom(m_zoom / 1.25);
}

void TreeGraphView::fitToWindow()
{
    ensureLayout();
    // Back to following the tree: laid out for this viewport again, then fitted.
    const bool wasTouched = m_viewTouched;
    m_viewTouched = false;
    if (wasTouched) {
        m_placeAgain = true;
        m_dirty = true;
        rebuild();
    }
    if (m_sceneRect.isEmpty()) return;
    m_fittedOnce = true;
    applyFit();
    m_footer->update();
}

double TreeGraphView::minReadableZoom() const
{
    // At zoom 1 without presenter mode a name is nameFont's size.
    const QFont f = nameFont(sc::ProcessKind::Worker);
    const double pixels = f.pointSizeF() * viewport()->logicalDpiY() / 72.0;
    return minReadablePixels / pixels;
}

double TreeGraphView::namePixels() const
{
    const QFont f = nameFont(sc::ProcessKind::Worker);
    return f.pointSizeF() * viewport()->logicalDpiY() / 72.0 * scale();
}

double TreeGraphView::fitZoom() const
{
    const QSize view = viewport()->size();
    if (m_sceneRect.isEmpty()) return 1.0;
    return std::min(view.width() / m_sceneRect.width(), view.height() / m_sceneRect.height()) / m_presenterScale;
}

void TreeGraphView::applyFit()
{
    // Never past 100% (a small tree is not blown up), never below readable.
    const double fit = fitZoom();
    m_zoom = std::clamp(fit, std::min(minReadableZoom(), 1.0), 1.0);
    updateScrollBars();
    if (m_zoom <= fit + 1e-9 || m_roots.empty()) {
        centreOn(m_sceneRect.center());
        return;
    }
    // Too big to read whole: its top, around the root; the rest is scrolled to.
    const QRectF root = m_items[static_cast<std::size_t>(m_roots.front())].rect;
    centreOn(QPointF(root.center().x(), m_sceneRect.top() + viewport()->height() / 2.0 / scale()));
}

void TreeGraphView::showFirstView()
{
    m_fittedOnce = true;
    applyFit();
}

void TreeGraphView::setPresenterMode(bool on)
{
    const double scaleNow = on ? theme::presenterScale : 1.0;
    if (scaleNow == m_presenterScale) return;
    ensureLayout();
    const QPointF centre = mapToScene(QRectF(viewport()->rect()).center());
    m_presenterScale = scaleNow;
    layoutStrips();
    if (!m_viewTouched) {
        // Laid out and fitted for the larger nodes.
        m_placeAgain = true;
        m_dirty = true;
        rebuild();
        if (!m_items.empty() && viewport()->width() > 50) showFirstView();
    } else {
        updateScrollBars();
        centreOn(centre);
    }
    viewport()->update();
}

QRectF TreeGraphView::sceneRect() const
{
    ensureLayout();
    return m_sceneRect;
}

QRectF TreeGraphView::summaryRect(sc::Pid pid) const
{
    ensureLayout();
    const int id = itemOf(pid);
    return id >= 0 && m_items[id].visible && m_items[id].hidden > 0 ? m_items[id].summary : QRectF();
}

bool TreeGraphView::fitHintVisible() const
{
    return m_viewTouched && !m_items.empty();
}

QRect TreeGraphView::fitHintRect() const
{
    if (!fitHintVisible() || !m_footer->isVisible()) return {};
    QFont f = font();
    f.setPointSizeF(11 * m_presenterScale);
    f.setBold(true);
    const int width = qCeil(QFontMetricsF(f, m_footer).horizontalAdvance(tr("Press F to fit")) + 24);
    const QRect footer = m_footer->geometry().translated(-viewport()->pos());
    return QRect(footer.right() - width - 8, footer.top() + 4, width, footer.height() - 8);
}

QRect TreeGraphView::legendRect() const
{
    return m_footer->isVisible() ? m_footer->geometry().translated(-viewport()->pos()) : QRect();
}

QRect TreeGraphView::bannerRect() const
{
    return m_header->isVisible() ? m_header->geometry().translated(-viewport()->pos()) : QRect();
}

void TreeGraphView::layoutStrips()
{
    QFont legend = font();
    legend.setPointSizeF(11 * m_presenterScale);
    const int footer = qCeil(QFontMetricsF(legend, this).height()) + 16;
    QFont banner = font();
    banner.setPointSizeF(14 * m_presenterScale);
    banner.setBold(true);
    const bool banners = !m_recentGiveUps.empty();
    const int header = banners ? qCeil(QFontMetricsF(banner, this).height()) + 14 : 0;
    setViewportMargins(0, header, 0, footer);
    const QRect vp = viewport()->geometry();
    m_header->setGeometry(vp.left(), vp.top() - header, vp.width(), header);
    m_header->setVisible(banners);
    m_header->setToolTip(recentGiveUps().join(QLatin1Char('\n')));
    m_footer->setGeometry(vp.left(), vp.bottom() + 1, vp.width(), footer);
    m_footer->show();
    m_header->update();
    m_footer->update();
}

int TreeGraphView::nodeCount() const
{
    ensureLayout();
    return static_cast<int>(m_items.size());
}

int TreeGraphView::visibleNodeCount() const
{
    ensureLayout();
    return static_cast<int>(std::count_if(m_items.begin(), m_items.end(), [](const Item& i) { return i.visible; }));
}

QRectF TreeGraphView::nodeRect(sc::Pid pid) const
{
    ensureLayout();
    const int id = itemOf(pid);
    return id >= 0 && m_items[id].visible ? m_items[id].rect : QRectF();
}

QRectF TreeGraphView::toggleRect(const Item& item) const
{
    const QPointF c(item.rect.center().x(), item.rect.bottom());
    if (item.hidden > 0)
        return QRectF(c.x() - 2 * toggleRadius, c.y() - toggleRadius, 4 * toggleRadius, 2 * toggleRadius);
    return QRectF(c.x() - toggleRadius, c.y() - toggleRadius, 2 * toggleRadius, 2 * toggleRadius);
}

sc::Pid TreeGraphView::pidAt(const QPoint& viewportPos) const
{
    ensureLayout();
    const QPointF scene = mapToScene(viewportPos);
    for (const Item& item : m_items) {
        if (item.visible
            && (item.rect.contains(scene)
                || (!item.children.empty() && (toggleRect(item).contains(scene) || item.summary.contains(scene)))))
            return item.pid;
    }
    return 0;
}

// -- subtrees --

bool TreeGraphView::isCollapsed(sc::Pid pid) const
{
    ensureLayout();
    const int id = itemOf(pid);
    return id >= 0 && m_collapsed.contains(m_items[id].path);
}

void TreeGraphView::setCollapsed(sc::Pid pid, bool collapsed)
{
    ensureLayout();
    const int id = itemOf(pid);
    if (id < 0 || m_collapsed.contains(m_items[id].path) == collapsed) return;
    if (collapsed)
        m_collapsed.insert(m_items[id].path);
    else
        m_collapsed.remove(m_items[id].path);
    // Keep the toggled node where it is on screen.
    const bool shown = m_items[id].visible;
    const QPointF before = mapToViewport(m_items[id].rect.center());
    relayoutFromScratch();
    const int now = itemOf(pid);
    if (shown && now >= 0 && m_items[now].visible) {
        const QPointF delta = mapToViewport(m_items[now].rect.center()) - before;
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() + qRound(delta.x()));
        verticalScrollBar()->setValue(verticalScrollBar()->value() + qRound(delta.y()));
    }
    // A selection inside the collapsed subtree moves up to the collapsed node.
    const int sel = itemOf(m_selected);
    if (sel >= 0 && !m_items[sel].visible) setSelected(pid);
}

void TreeGraphView::toggle(int id)
{
    if (id < 0 || m_items[id].children.empty()) return;
    setCollapsed(m_items[id].pid, !m_collapsed.contains(m_items[id].path));
}

void TreeGraphView::expandAll()
{
    if (m_collapsed.isEmpty()) return;
    m_collapsed.clear();
    relayoutFromScratch();
}

void TreeGraphView::expandAncestors(int id)
{
    bool changed = false;
    for (int p = m_items[id].parent; p >= 0; p = m_items[p].parent)
        changed |= m_collapsed.remove(m_items[p].path);
    if (changed) {
        relayoutFromScratch();
    }
}

// -- selection, search and kill preview --

void TreeGraphView::setSelected(sc::Pid pid)
{
    const int id = itemOf(pid);
    m_selectedPath = id >= 0 ? m_items[id].path : QString();
    if (id < 0) pid = 0;
    if (pid == m_selected) return;
    m_selected = pid;
    viewport()->update();
    Q_EMIT selectionChanged(pid);
}

bool TreeGraphView::selectPid(sc::Pid pid)
{
    ensureLayout();
    const int id = itemOf(pid);
    if (pid && id < 0) return false;
    if (id >= 0) {
        expandAncestors(id);
        setSelected(pid);
        ensureVisible(m_items[itemOf(pid)].rect);
    } else {
        setSelected(0);
    }
    return true;
}

int TreeGraphView::search(const QString& text)
{
    ensureLayout();
    m_matches.clear();
    const QString needle = text.trimmed();
    if (needle.isEmpty()) {
        viewport()->update();
        return 0;
    }
    int first = -1;
    for (int i = 0; i < static_cast<int>(m_items.size()); ++i) {
        const Item& item = m_items[i];
        if (item.ghost) continue;
        if (item.name.contains(needle, Qt::CaseInsensitive) || item.path.contains(needle, Qt::CaseInsensitive)) {
            m_matches.insert(item.pid);
            if (first < 0) first = i;
        }
    }
    if (first >= 0) {
        const sc::Pid pid = m_items[first].pid;
        expandAncestors(first);
        setSelected(pid);
        // Close enough to read it, centred; the view then stays there.
        if (m_zoom < minReadableZoom()) m_zoom = 1.0;
        m_viewTouched = true;
        m_footer->update();
        updateScrollBars();
        centreOn(m_items[itemOf(pid)].rect.center());
    }
    viewport()->update();
    return static_cast<int>(m_matches.size());
}

std::vector<sc::Pid> TreeGraphView::killSet(sc::Pid pid) const
{
    ensureLayout();
    const int id = itemOf(pid);
    if (id < 0 || m_items[id].ghost) return {};
    const Item& item = m_items[id];
    if (item.parent < 0) return {pid};
    const Item& parent = m_items[item.parent];
    const sc::ProcessInfo* info = m_model ? m_model->infoAt(m_model->indexOfPid(parent.pid)) : nullptr;
    if (!info || info->kind != sc::ProcessKind::Supervisor) return {pid};

    std::vector<sc::Pid> set;
    switch (info->strategy) {
    case sc::Strategy::OneForOne:
        return {pid};
    case sc::Strategy::OneForAll:
        for (int sibling : parent.children) {
            if (!m_items[sibling].ghost) set.push_back(m_items[sibling].pid);
        }
        break;
    case sc::Strategy::RestForOne: {
        const auto it = std::find(parent.children.begin(), parent.children.end(), id);
        for (auto s = it; s != parent.children.end(); ++s) {
            if (!m_items[*s].ghost) set.push_back(m_items[*s].pid);
        }
        break;
    }
    }
    return set;
}

void TreeGraphView::setKillPreviewEnabled(bool on)
{
    m_killPreviewEnabled = on;
    m_killPreview = m_killPreviewExplicit ? m_killPreviewExplicit : (on ? m_hover : 0);
    viewport()->update();
}

void TreeGraphView::setKillPreview(sc::Pid pid)
{
    m_killPreviewExplicit = pid;
    m_killPreview = pid ? pid : (m_killPreviewEnabled ? m_hover : 0);
    viewport()->update();
}

// -- live state --

void TreeGraphView::noteEvents(const std::vector<sc::Event>& events)
{
    ensureLayout();
    const qint64 now = m_clock.elapsed();
    bool changed = false;
    for (const sc::Event& e : events) {
        switch (e.kind) {
        case sc::EventKind::Restart: {
            const QString path = QString::fromStdString(e.path);
            m_flashUntil.insert(path, now + flashMs);
            if (const int item = itemOfPath(path); item >= 0) updateItem(item);
            break;
        }
        case sc::EventKind::GiveUp:
            m_gaveUp.insert(e.pid, QString::fromStdString(e.reason));
            std::erase_if(m_recentGiveUps, [&](const GiveUp& g) { return g.path == QString::fromStdString(e.path); });
            m_recentGiveUps.push_back(
                {QString::fromStdString(e.path), QString::fromStdString(e.reason), now + giveUpMs});
            changed = true;
            break;
        case sc::EventKind::Exit:
            if (const int item = itemOf(e.pid); item >= 0) {
                m_dead.insert(e.pid);
                updateItem(item); // the dead look is drawn inside the node's halo
            }
            break;
        default:
            break;
        }
    }
    if ((!m_flashUntil.isEmpty() || !m_recentGiveUps.empty()) && !m_animation.isActive()) m_animation.start();
    if (changed) {
        layoutStrips();
        viewport()->update();
    }
}

bool TreeGraphView::isFlashing(sc::Pid pid) const
{
    ensureLayout();
    const int id = itemOf(pid);
    return id >= 0 && m_flashUntil.contains(m_items[id].path);
}

bool TreeGraphView::hasGivenUp(sc::Pid pid) const
{
    return m_gaveUp.contains(pid);
}

QStringList TreeGraphView::recentGiveUps() const
{
    QStringList paths;
    for (const GiveUp& g : m_recentGiveUps)
        paths << g.path;
    return paths;
}

bool TreeGraphView::isDead(sc::Pid pid) const
{
    return m_dead.contains(pid) || isGhost(pid);
}

void TreeGraphView::setGhostLifetime(std::chrono::milliseconds lifetime)
{
    if (ghostsHeld()) { // for after the hold
        m_heldGhostMs = lifetime.count();
        return;
    }
    m_ghostMs = lifetime.count();
    const qint64 latest = m_clock.elapsed() + m_ghostMs;
    for (Ghost& g : m_ghosts)
        g.until = std::min(g.until, latest);
}

void TreeGraphView::setGhostsHeld(bool held)
{
    if (held == ghostsHeld()) return;
    if (!held) {
        const qint64 lifetime = m_heldGhostMs;
        m_heldGhostMs = -1;
        setGhostLifetime(std::chrono::milliseconds(lifetime));
        return;
    }
    // Millions of years away, and far from overflowing "now + lifetime".
    constexpr qint64 heldFor = qint64(1) << 60;
    m_heldGhostMs = m_ghostMs;
    m_ghostMs = heldFor;
    const qint64 until = m_clock.elapsed() + heldFor;
    for (Ghost& g : m_ghosts)
        g.until = until;
}

bool TreeGraphView::isGhost(sc::Pid pid) const
{
    ensureLayout();
    const int id = itemOf(pid);
    return id >= 0 && m_items[id].ghost;
}

void TreeGraphView::tick()
{
    const qint64 now = m_clock.elapsed();
    for (auto it = m_flashUntil.begin(); it != m_flashUntil.end();) {
        if (const int item = itemOfPath(it.key()); item >= 0) updateItem(item);
        it = it.value() <= now ? m_flashUntil.erase(it) : std::next(it);
    }
    const auto expired = std::erase_if(m_recentGiveUps, [now](const GiveUp& g) { return g.until <= now; });
    if (expired) layoutStrips();
    if (std::any_of(m_ghosts.begin(), m_ghosts.end(), [now](const Ghost& g) { return g.until <= now; }))
        scheduleLayout(false); // the relayout takes expired ghosts out of their parents' subtrees
    if (m_flashUntil.isEmpty() && m_recentGiveUps.empty() && m_ghosts.empty()) m_animation.stop();
}

void TreeGraphView::onDataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight)
{
    if (!m_model) return;
    if (topLeft.column() <= ProcessTreeModel::NameColumn && !m_fullLayout) {
        // A new name (a new path for the same process) is measured again in
        // a relayout of its parent's subtree.
        for (int row = topLeft.row(); row <= bottomRight.row(); ++row) {
            const QModelIndex index = m_model->index(row, 0, topLeft.parent());
            const int id = itemOf(m_model->pidAt(index));
            if (id < 0 || m_items[id].ghost) continue;
            if (m_items[id].path.constData() == index.data(ProcessTreeModel::PathRole).toString().constData()) continue;
            const int parent = m_items[id].parent;
            if (parent < 0)
                m_fullLayout = true;
            else
                m_dirtyParents.push_back(m_items[parent].pid);
            scheduleLayout(false);
        }
    }
    // Live updates come at 30 Hz: repaint only the nodes that changed. Also
    // while a relayout is pending: it repaints only what moves, and a node
    // that stays (a supervisor whose child was just restarted) would keep
    // its old restart budget and mailbox on screen.
    if (bottomRight.row() - topLeft.row() > 200) {
        viewport()->update();
        return;
    }
    for (int row = topLeft.row(); row <= bottomRight.row(); ++row) {
        const int id = itemOf(m_model->pidAt(m_model->index(row, 0, topLeft.parent())));
        if (id >= 0) updateItem(id);
    }
}

void TreeGraphView::updateItem(int id)
{
    const Item& item = m_items[static_cast<std::size_t>(id)];
    if (!item.visible) return;
    const QRectF scene
        = (item.summary.isEmpty() ? item.rect : item.rect | item.summary).adjusted(-24, -24, 24, 24 + toggleRadius);
    const QRect box = QRectF(mapToViewport(scene.topLeft()), mapToViewport(scene.bottomRight())).toAlignedRect();
    if (box.intersects(viewport()->rect())) viewport()->update(box.adjusted(-2, -2, 2, 2));
}

// -- painting --

void TreeGraphView::setEmptyText(const QString& text)
{
    m_emptyText = text;
    if (m_items.empty()) viewport()->update();
}

void TreeGraphView::paintEvent(QPaintEvent* event)
{
    ensureLayout();
    QPainter p(viewport());
    p.fillRect(event->rect(), QColor(0xf7, 0xf8, 0xfa));
    m_lastPainted = 0;
    if (m_items.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        QFont f = font();
        f.setPointSizeF(16);
        p.setFont(f);
        p.drawText(viewport()->rect().adjusted(24, 0, -24, 0), Qt::AlignCenter | Qt::TextWordWrap, m_emptyText);
        return;
    }

    const QPointF o = origin();
    p.translate(o);
    p.scale(scale(), scale());
    const QRectF dirty(event->rect());
    const QRectF exposed
        = QRectF(mapToScene(dirty.topLeft()), mapToScene(dirty.bottomRight())).adjusted(-40, -40, 40, 40);
    const bool detailed = scale() >= detailZoom;
    p.setRenderHint(QPainter::Antialiasing, scale() >= 0.15);
    // After a relayout only the parts that moved are repainted, often far apart.
    const QRegion& region = event->region();
    const bool pieces = region.rectCount() > 1;

    m_paintKillSet.clear();
    if (m_killPreview) {
        m_paintKillSet = killSet(m_killPreview);
        std::sort(m_paintKillSet.begin(), m_paintKillSet.end());
    }
    paintEdges(p, exposed);
    for (const Item& item : m_items) {
        if (!item.visible) continue;
        if (item.hidden > 0 && item.summary.intersects(exposed)) paintSummary(p, item, detailed);
        if (!item.rect.intersects(exposed)) continue;
        if (pieces) {
            const QRectF halo = item.rect.adjusted(-24, -24, 24, 24 + toggleRadius);
            if (!region.intersects(
                    QRectF(mapToViewport(halo.topLeft()), mapToViewport(halo.bottomRight())).toAlignedRect()))
                continue;
        }
        paintNode(p, item, detailed);
        ++m_lastPainted;
    }
}

void TreeGraphView::paintEdges(QPainter& p, const QRectF& exposed) const
{
    QPen pen(QColor(0x90, 0x96, 0xa0), 2.5);
    if (scale() < 0.4) {
        pen.setCosmetic(true);
        pen.setWidthF(1);
    }
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    std::vector<QLineF> lines;
    for (const Item& item : m_items) {
        if (!item.visible || item.children.empty()) continue;
        if (item.hidden > 0) {
            // To the summary of what is collapsed under it.
            if (!item.summary.isEmpty() && (item.rect | item.summary).intersects(exposed))
                lines.emplace_back(
                    item.rect.center().x(), item.rect.bottom(), item.rect.center().x(), item.summary.top());
            continue;
        }
        const QRectF& first = m_items[item.children.front()].rect;
        const double x = item.rect.center().x();
        const double busY = first.top() - verticalGap / 2;
        if (item.columns > 0) {
            // A wrapped grid: a spine down its left side, a bus over each row.
            const QRectF& lastRect = m_items[item.children.back()].rect;
            const double spine = item.spine;
            double right = item.rect.right();
            for (std::size_t k = static_cast<std::size_t>(item.columns) - 1; k < item.children.size();
                 k += static_cast<std::size_t>(item.columns))
                right = std::max(right, m_items[item.children[k]].rect.right());
            const QRectF span(QPointF(std::min(spine, item.rect.left()), item.rect.top()),
                QPointF(std::max(right, lastRect.right()), lastRect.bottom()));
            if (!span.intersects(exposed)) continue;
            lines.emplace_back(x, item.rect.bottom(), x, busY);
            const auto rowOf = [&](std::size_t k) { return static_cast<int>(k) / item.columns; };
            const int rows = rowOf(item.children.size() - 1) + 1;
            double rowBus = busY;
            for (int row = 0; row < rows; ++row) {
                const std::size_t begin = static_cast<std::size_t>(row) * static_cast<std::size_t>(item.columns);
                const std::size_t end = std::min(item.children.size(), begin + static_cast<std::size_t>(item.columns));
                const QRectF& rowFirst = m_items[item.children[begin]].rect;
                const QRectF& rowLast = m_items[item.children[end - 1]].rect;
                rowBus = row == 0 ? busY : rowFirst.top() - gridRowGap / 2;
                if (rowFirst.top() > exposed.bottom() || rowFirst.bottom() < exposed.top() - gridRowGap) continue;
                lines.emplace_back(spine, rowBus, std::max(rowLast.center().x(), row == 0 ? x : spine), rowBus);
                for (std::size_t k = begin; k < end; ++k) {
                    const QRectF& c = m_items[item.children[k]].rect;
                    if (c.right() < exposed.left() || c.left() > exposed.right()) continue;
                    lines.emplace_back(c.center().x(), rowBus, c.center().x(), c.top());
                }
            }
            const double lastBus
                = m_items[item.children.back()].rect.top() - (rows > 1 ? gridRowGap / 2 : verticalGap / 2);
            lines.emplace_back(spine, busY, spine, lastBus);
            continue;
        }
        const QRectF& last = m_items[item.children.back()].rect;
        const QRectF span = QRectF(QPointF(std::min(first.left(), item.rect.left()), item.rect.top()),
            QPointF(std::max(last.right(), item.rect.right()), first.top()));
        if (!span.intersects(exposed)) continue;
        lines.emplace_back(x, item.rect.bottom(), x, busY);
        lines.emplace_back(first.center().x(), busY, last.center().x(), busY);
        for (int child : item.children) {
            const QRectF& c = m_items[child].rect;
            if (c.right() < exposed.left() || c.left() > exposed.right()) continue;
            lines.emplace_back(c.center().x(), busY, c.center().x(), c.top());
        }
    }
    p.drawLines(lines.data(), static_cast<int>(lines.size()));
}

void TreeGraphView::paintNode(QPainter& p, const Item& item, bool detailed) const
{
    if (item.ghost) {
        paintGhost(p, item, detailed);
        return;
    }
    const QModelIndex index = m_model ? m_model->indexOfPid(item.pid) : QModelIndex();
    const sc::ProcessInfo* info = m_model ? m_model->infoAt(index) : nullptr;
    if (!info) return;

    const bool dead = m_dead.contains(item.pid);
    if (item.rect.width() * scale() < 3) {
        // A speck on screen: its status colour is all that can be seen.
        p.fillRect(item.rect, dead ? theme::deadColor() : theme::statusColor(info->status));
        return;
    }
    const auto gaveUp = m_gaveUp.constFind(item.pid);
    const bool givenUp = gaveUp != m_gaveUp.cend();
    const bool supervisor = item.kind != sc::ProcessKind::Worker;
    const QColor status = dead ? theme::deadColor() : theme::statusColor(info->status);
    const QColor ink(0x1d, 0x21, 0x27);
    const QColor muted(0x55, 0x5b, 0x66);
    const QRectF r = item.rect;

    // Halos behind the node: flash, kill preview, search match, selection.
    const auto flash = m_flashUntil.constFind(item.path);
    if (flash != m_flashUntil.cend()) {
        const double left = std::clamp(double(flash.value() - m_clock.elapsed()) / flashMs, 0.0, 1.0);
        QColor glow = theme::flashColor();
        glow.setAlphaF(static_cast<float>(0.25 + 0.6 * left));
        p.setPen(Qt::NoPen);
        p.setBrush(glow);
        const double grow = 6 + 10 * left;
        p.drawRoundedRect(r.adjusted(-grow, -grow, grow, grow), 18 + grow, 18 + grow);
    }
    // The set is the previewed process and some of its siblings, found once per paint.
    const bool killed = std::binary_search(m_paintKillSet.begin(), m_paintKillSet.end(), item.pid);
    if (m_matches.contains(item.pid)) {
        p.setPen(QPen(theme::matchColor(), 5));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(r.adjusted(-7, -7, 7, 7), 20, 20);
    }
    if (item.pid == m_selected) {
        p.setPen(QPen(theme::selectionColor(), 4));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(r.adjusted(-6, -6, 6, 6), 20, 20);
    }

    // The body: the shape tells the kind (as theme::processIcon: disc, square, diamond).
    const QColor fill
        = dead ? QColor(0xe4, 0xe4, 0xe4) : tint(status, info->status == sc::ProcessStatus::Running ? 9 : 18);
    QPen border(status, item.pid == m_hover ? 4 : 3);
    if (dead) border.setStyle(Qt::DashLine);
    p.setPen(border);
    p.setBrush(fill);
    switch (item.kind) {
    case sc::ProcessKind::Worker:
        p.drawRoundedRect(r, r.height() / 2, r.height() / 2);
        break;
    case sc::ProcessKind::Supervisor:
        p.drawRoundedRect(r, 14, 14);
        break;
    case sc::ProcessKind::DynamicSupervisor:
        p.drawRect(r);
        p.setBrush(Qt::NoBrush);
        p.setPen(QPen(status, 1.5, border.style()));
        p.drawRect(r.adjusted(5, 5, -5, -5));
        break;
    }
    if (killed) {
        QColor red = theme::errorColor();
        red.setAlpha(60);
        p.setPen(QPen(theme::errorColor(), 4, Qt::DashLine));
        p.setBrush(red);
        const double radius = item.kind == sc::ProcessKind::Worker ? r.height() / 2 + 3 : 16;
        p.drawRoundedRect(r.adjusted(-3, -3, 3, 3), radius, radius);
    }

    if (!detailed) {
        if (item.hidden > 0) {
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(0x37, 0x47, 0x4f));
            p.drawRoundedRect(toggleRect(item), toggleRadius, toggleRadius);
        }
        return;
    }

    QFont nameFont = this->nameFont(item.kind);
    nameFont.setStrikeOut(dead || givenUp);
    QFont smallFont = font();
    smallFont.setPointSizeF(11);
    QFont tagFont = font();
    tagFont.setPointSizeF(10);
    tagFont.setBold(true);
    const QFontMetricsF nameMetrics(nameFont, viewport());
    const QFontMetricsF smallMetrics(smallFont, viewport());

    const double inset = item.kind == sc::ProcessKind::Worker ? r.height() / 3 : 16;
    const QRectF content = r.adjusted(inset, 8, -inset, -8);

    // The name row; a supervisor's name has its kind's badge in front.
    QRectF nameRow(content.left(), content.top(), content.width(), 28);
    if (supervisor) {
        const QPointF c(nameRow.left() + 8, nameRow.center().y());
        p.setPen(QPen(status.darker(140), 1.5));
        p.setBrush(status);
        if (item.kind == sc::ProcessKind::DynamicSupervisor)
            drawDiamond(p, c, 8);
        else
            p.drawRoundedRect(QRectF(c.x() - 7, c.y() - 7, 14, 14), 3, 3);
        nameRow.setLeft(nameRow.left() + 22);
    }
    p.setFont(nameFont);
    p.setPen(dead ? theme::deadColor() : ink);
    const Qt::Alignment nameAlignment = Qt::AlignVCenter | (supervisor ? Qt::AlignLeft : Qt::AlignHCenter);
    p.drawText(
        nameRow, static_cast<int>(nameAlignment), nameMetrics.elidedText(item.name, Qt::ElideMiddle, nameRow.width()));

    p.setFont(smallFont);
    double y = nameRow.bottom() + 4;
    if (supervisor) {
        // Strategy, then the restart budget: "2 of 3 restarts in 5 s" over a gauge.
        const QString strategy = item.kind == sc::ProcessKind::DynamicSupervisor
            ? tr("dynamic")
            : QString::fromLatin1(sc::strategyName(info->strategy));
        p.setPen(muted);
        p.drawText(QRectF(content.left(), y, content.width(), 18), Qt::AlignLeft | Qt::AlignVCenter, strategy);
        y += 20;
        const int intensity = static_cast<int>(info->intensity);
        const int used = index.data(ProcessTreeModel::BudgetUsedRole).toInt();
        QString budget;
        if (info->periodMs == 0)
            budget = tr("restart budget unknown");
        else
            budget = tr("%1 of %2 restarts in %3").arg(used).arg(intensity).arg(periodText(info->periodMs));
        const QColor gaugeColour = used >= intensity && info->periodMs ? theme::errorColor()
            : 2 * used >= intensity && used > 0                        ? theme::warnColor()
                                                                       : theme::okColor();
        p.setPen(used > 0 ? gaugeColour : ink);
        p.drawText(QRectF(content.left(), y, content.width(), 18), Qt::AlignLeft | Qt::AlignVCenter,
            smallMetrics.elidedText(budget, Qt::ElideRight, content.width()));
        y += 22;
        const QRectF gauge(content.left(), y, content.width(), 9);
        p.setPen(Qt::NoPen);
        if (intensity > 0 && intensity <= 12) {
            const double gap = 3;
            const double w = (gauge.width() - gap * (intensity - 1)) / intensity;
            for (int i = 0; i < intensity; ++i) {
                p.setBrush(i < used ? gaugeColour : QColor(0xd5, 0xd8, 0xdd));
                p.drawRoundedRect(QRectF(gauge.left() + i * (w + gap), gauge.top(), w, gauge.height()), 2, 2);
            }
        } else {
            p.setBrush(QColor(0xd5, 0xd8, 0xdd));
            p.drawRoundedRect(gauge, 2, 2);
            if (intensity > 0 && used > 0) {
                p.setBrush(gaugeColour);
                p.drawRoundedRect(QRectF(gauge.topLeft(),
                                      QSizeF(gauge.width() * std::min(1.0, double(used) / intensity), gauge.height())),
                    2, 2);
            }
        }
        y = gauge.bottom() + 8;
    } else {
        y += 4;
    }

    // The bottom row, every kind: mailbox (number and a log-scale bar), restarts.
    // The mailbox drawn is the model's held peak: a flood that came and went
    // between two frames stays up a moment, then sinks to what is queued now.
    const QRectF row(content.left(), y, content.width(), 18);
    const QRectF envelope(row.left(), row.center().y() - 5.5, 15, 11);
    drawEnvelope(p, envelope, muted);
    const std::uint32_t mailboxShown
        = std::max(info->mailbox, index.data(ProcessTreeModel::MailboxShownRole).value<std::uint32_t>());
    // Short enough for a worker's row, so that the bar keeps its room: 100k, 1.0M.
    const QString mailbox = mailboxShown < 10'000 ? QString::number(mailboxShown)
        : mailboxShown < 1'000'000                 ? QStringLiteral("%1k").arg(mailboxShown / 1000)
                                                   : QStringLiteral("%1M").arg(mailboxShown / 1e6, 0, 'f', 1);
    const double mailboxWidth = std::max(22.0, smallMetrics.horizontalAdvance(mailbox));
    p.setPen(mailboxShown > 0 ? ink : muted);
    p.drawText(
        QRectF(envelope.right() + 4, row.top(), mailboxWidth, row.height()), Qt::AlignLeft | Qt::AlignVCenter, mailbox);
    const QString restarts = QString::number(info->restarts);
    const double restartsWidth = smallMetrics.horizontalAdvance(restarts);
    const QRectF restartText(row.right() - restartsWidth, row.top(), restartsWidth, row.height());
    p.setPen(info->restarts > 0 ? theme::warnColor().darker(115) : muted);
    p.drawText(restartText, Qt::AlignRight | Qt::AlignVCenter, restarts);
    drawRestartArrow(p, QRectF(restartText.left() - 18, row.center().y() - 7, 14, 14),
        info->restarts > 0 ? theme::warnColor() : muted);
    const QRectF bar(envelope.right() + 8 + mailboxWidth, row.center().y() - 3, 0, 6);
    const QRectF barTrack(bar.left(), bar.top(), std::max(0.0, restartText.left() - 26 - bar.left()), bar.height());
    if (barTrack.width() > 8) {
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0xdd, 0xe0, 0xe4));
        p.drawRoundedRect(barTrack, 3, 3);
        const auto drawBar = [&](std::uint32_t messages, int alpha) {
            if (messages == 0) return;
            const double fraction = std::min(1.0, std::log10(1.0 + messages) / 3.0); // full at 1000
            QColor colour = messages >= 100 ? theme::errorColor() : theme::selectionColor();
            colour.setAlpha(alpha);
            p.setBrush(colour);
            p.drawRoundedRect(QRectF(barTrack.topLeft(), QSizeF(std::max(6.0, barTrack.width() * fraction), 6)), 3, 3);
        };
        // The held peak pale, what is queued now solid over it.
        if (mailboxShown > info->mailbox) drawBar(mailboxShown, 110);
        drawBar(info->mailbox, 255);
    }

    // A tag on the top edge spells out what the colour says, unless running.
    QString tag;
    QColor tagColour = status;
    if (givenUp) {
        tag = tr("GAVE UP");
        tagColour = theme::errorColor();
    } else if (std::any_of(m_recentGiveUps.begin(), m_recentGiveUps.end(),
                   [&](const GiveUp& g) { return g.path == item.path; })) {
        tag = tr("gave up, restarted");
        tagColour = theme::errorColor();
    } else if (dead) {
        tag = tr("exited");
    } else if (info->status != sc::ProcessStatus::Running) {
        tag = QString::fromLatin1(sc::processStatusName(info->status));
    }
    if (!tag.isEmpty()) {
        p.setFont(tagFont);
        const QFontMetricsF tagMetrics(tagFont, viewport());
        const double w = tagMetrics.horizontalAdvance(tag) + 14;
        const QRectF box(r.right() - w - 12, r.top() - 11, w, 22);
        p.setPen(Qt::NoPen);
        p.setBrush(tagColour);
        p.drawRoundedRect(box, 11, 11);
        p.setPen(Qt::white);
        p.drawText(box, Qt::AlignCenter, tag);
    }
    if (givenUp) paintGiveUpCross(p, r);

    // The collapse toggle under a supervisor with children; collapsed shows "+N".
    if (!item.children.empty()) {
        const QRectF t = toggleRect(item);
        p.setPen(QPen(QColor(0x37, 0x47, 0x4f), 1.5));
        p.setBrush(item.hidden > 0 ? QColor(0x37, 0x47, 0x4f) : QColor(Qt::white));
        p.drawRoundedRect(t, toggleRadius, toggleRadius);
        p.setFont(tagFont);
        p.setPen(item.hidden > 0 ? QColor(Qt::white) : QColor(0x37, 0x47, 0x4f));
        p.drawText(
            t, Qt::AlignCenter, item.hidden > 0 ? QStringLiteral("+%1").arg(item.hidden) : QStringLiteral("\u2212"));
    }
}

void TreeGraphView::paintGhost(QPainter& p, const Item& item, bool detailed) const
{
    // The dead look: grey, dashed, struck out; a supervisor that gave up keeps its cross.
    const QRectF r = item.rect;
    const QColor grey = theme::deadColor();
    if (item.pid == m_selected) {
        p.setPen(QPen(theme::selectionColor(), 4));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(r.adjusted(-6, -6, 6, 6), 20, 20);
    }
    p.setPen(QPen(grey, 2.5, Qt::DashLine));
    p.setBrush(QColor(0xec, 0xec, 0xec));
    const double radius = item.kind == sc::ProcessKind::Worker ? r.height() / 2
        : item.kind == sc::ProcessKind::Supervisor             ? 14
                                                               : 0;
    p.drawRoundedRect(r, radius, radius);
    const bool givenUp = m_gaveUp.contains(item.pid);
    if (givenUp) paintGiveUpCross(p, r);
    if (!detailed) return;
    QFont f = nameFont(item.kind);
    f.setStrikeOut(true);
    const QFontMetricsF fm(f, viewport());
    const double inset = item.kind == sc::ProcessKind::Worker ? r.height() / 3 : 16;
    const QRectF nameRow(r.left() + inset, r.top() + 8, r.width() - 2 * inset, 28);
    p.setFont(f);
    p.setPen(grey);
    p.drawText(nameRow, Qt::AlignCenter, fm.elidedText(item.name, Qt::ElideMiddle, nameRow.width()));

    QFont tagFont = font();
    tagFont.setPointSizeF(10);
    tagFont.setBold(true);
    const QString tag = givenUp ? tr("GAVE UP") : tr("exited");
    const double w = QFontMetricsF(tagFont, viewport()).horizontalAdvance(tag) + 14;
    const QRectF box(r.right() - w - 12, r.top() - 11, w, 22);
    p.setPen(Qt::NoPen);
    p.setBrush(givenUp ? theme::errorColor() : grey);
    p.drawRoundedRect(box, 11, 11);
    p.setFont(tagFont);
    p.setPen(Qt::white);
    p.drawText(box, Qt::AlignCenter, tag);
}

QFont TreeGraphView::nameFont(sc::ProcessKind kind) const
{
    QFont f = font();
    f.setPointSizeF(kind == sc::ProcessKind::Worker ? 14 : 15);
    f.setWeight(kind == sc::ProcessKind::Worker ? QFont::DemiBold : QFont::Bold);
    return f;
}

void TreeGraphView::paintLegend(QPainter& p, const QRectF& area) const
{
    // What the shapes mean, at the left of the strip under the tree.
    QFont f = font();
    f.setPointSizeF(11 * m_presenterScale);
    const QFontMetricsF fm(f, viewport());
    const QString labels[] = {tr("worker"), tr("supervisor"), tr("dynamic supervisor")};
    const double unit = fm.height() / 1.4; // the shapes' size follows the text's
    p.setRenderHint(QPainter::Antialiasing);
    p.setFont(f);
    const QColor ink(0x37, 0x47, 0x4f);
    double x = area.left() + 12;
    const double cy = area.center().y();
    for (int i = 0; i < 3; ++i) {
        p.setPen(QPen(ink, 1.5));
        p.setBrush(tint(ink, 20));
        if (i == 0)
            p.drawRoundedRect(QRectF(x, cy - unit * 0.4, unit * 1.1, unit * 0.8), unit * 0.4, unit * 0.4);
        else if (i == 1)
            p.drawRoundedRect(QRectF(x + 1, cy - unit * 0.45, unit * 0.9, unit * 0.9), 3, 3);
        else
            drawDiamond(p, QPointF(x + unit * 0.55, cy), unit * 0.55);
        x += unit * 1.5;
        p.setPen(ink);
        const double w = fm.horizontalAdvance(labels[i]);
        p.drawText(QRectF(x, area.top(), w + 2, area.height()), Qt::AlignVCenter | Qt::AlignLeft, labels[i]);
        x += w + 16;
    }
}

void TreeGraphView::paintFooter(QPainter& p, const QRect& rect) const
{
    p.fillRect(rect, QColor(0xec, 0xee, 0xf1));
    p.setPen(QColor(0xd0, 0xd4, 0xda));
    p.drawLine(rect.topLeft(), rect.topRight());
    paintLegend(p, rect);
    const QRect hint = fitHintRect().translated(viewport()->pos() - m_footer->pos());
    if (hint.isEmpty()) return;
    // The view no longer follows the tree: say how to get it back.
    QFont f = font();
    f.setPointSizeF(11 * m_presenterScale);
    f.setBold(true);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(theme::selectionColor());
    p.drawRoundedRect(QRectF(hint), 6, 6);
    p.setFont(f);
    p.setPen(Qt::white);
    p.drawText(hint, Qt::AlignCenter, tr("Press F to fit"));
}

void TreeGraphView::paintGiveUps(QPainter& p, const QRect& rect) const
{
    // The nodes of a supervisor that gave up vanish within a tick or two: say
    // it here, in one line over the tree, the latest first (the tooltip lists all).
    if (m_recentGiveUps.empty()) return;
    QFont f = font();
    f.setPointSizeF(14 * m_presenterScale);
    f.setBold(true);
    const QFontMetricsF fm(f, m_header);
    p.fillRect(rect, theme::errorColor());
    const GiveUp& g = m_recentGiveUps.back();
    QString text = g.reason.isEmpty() ? tr("%1 gave up").arg(g.path) : tr("%1 gave up: %2").arg(g.path, g.reason);
    if (m_recentGiveUps.size() > 1) {
        QStringList others;
        for (auto it = m_recentGiveUps.rbegin() + 1; it != m_recentGiveUps.rend(); ++it)
            others << it->path;
        text += tr("  (before it: %1)").arg(others.join(QStringLiteral(", ")));
    }
    p.setFont(f);
    p.setPen(Qt::white);
    const QRect inner = rect.adjusted(14, 0, -14, 0);
    p.drawText(inner, Qt::AlignVCenter | Qt::AlignLeft, fm.elidedText(text, Qt::ElideRight, inner.width()));
}

TreeGraphView::Summary TreeGraphView::summaryOf(const Item& item) const
{
    std::array<int, 5> counts {};
    int exited = 0;
    Summary summary;
    const auto at = static_cast<std::size_t>(&item - m_items.data());
    for (std::size_t j = at + 1; j < m_items.size() && m_items[j].depth > item.depth; ++j) {
        const sc::ProcessInfo* info
            = m_items[j].ghost || !m_model ? nullptr : m_model->infoAt(m_model->indexOfPid(m_items[j].pid));
        if (!info) {
            ++exited;
            continue;
        }
        ++counts[static_cast<std::size_t>(severity(info->status))];
        if (severity(info->status) > severity(summary.worst)) summary.worst = info->status;
    }
    static const sc::ProcessStatus worstFirst[] = {sc::ProcessStatus::Stuck, sc::ProcessStatus::Restarting,
        sc::ProcessStatus::Terminating, sc::ProcessStatus::Initializing, sc::ProcessStatus::Running};
    QStringList parts;
    for (const sc::ProcessStatus status : worstFirst) {
        if (const int n = counts[static_cast<std::size_t>(severity(status))]; n > 0)
            parts << QStringLiteral("%1 %2").arg(
                QLocale().toString(n), QString::fromLatin1(sc::processStatusName(status)));
    }
    if (exited > 0) parts << tr("%1 exited").arg(QLocale().toString(exited));
    summary.text = parts.join(QStringLiteral(" \u00b7 "));
    return summary;
}

QString TreeGraphView::summaryText(sc::Pid pid) const
{
    ensureLayout();
    const int id = itemOf(pid);
    return id >= 0 && m_items[id].hidden > 0 ? summaryOf(m_items[id]).text : QString();
}

sc::ProcessStatus TreeGraphView::summaryStatus(sc::Pid pid) const
{
    ensureLayout();
    const int id = itemOf(pid);
    return id >= 0 && m_items[id].hidden > 0 ? summaryOf(m_items[id]).worst : sc::ProcessStatus::Running;
}

void TreeGraphView::paintSummary(QPainter& p, const Item& item, bool detailed) const
{
    // What a collapsed group holds: how many, by status, in its worst status's colour.
    const Summary summary = summaryOf(item);
    const QRectF r = item.summary;
    const QColor colour = theme::statusColor(summary.worst);
    p.setPen(QPen(colour, 2.5, Qt::DashLine));
    p.setBrush(tint(colour, 14));
    p.drawRoundedRect(r, 10, 10);
    if (!detailed) return;
    p.setFont(nameFont(sc::ProcessKind::Worker));
    p.setPen(QColor(0x1d, 0x21, 0x27));
    p.drawText(QRectF(r.left() + 10, r.top() + 6, r.width() - 20, 28), Qt::AlignCenter,
        item.hidden == 1 ? tr("1 process") : tr("%1 processes").arg(QLocale().toString(item.hidden)));
    QFont small = font();
    small.setPointSizeF(11);
    const QFontMetricsF fm(small, viewport());
    const QRectF line(r.left() + 10, r.top() + 36, r.width() - 20, 26);
    p.setFont(small);
    p.setPen(QColor(0x37, 0x47, 0x4f));
    p.drawText(line, Qt::AlignCenter, fm.elidedText(summary.text, Qt::ElideRight, line.width()));
    p.setPen(QColor(0x55, 0x5b, 0x66));
    p.drawText(line.translated(0, 26), Qt::AlignCenter, tr("click to expand"));
}

// -- input --

void TreeGraphView::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    layoutStrips();
    updateScrollBars();
    // Until the user moves the view, it follows the window and the tree's
    // growth, laid out again for the viewport's shape.
    if (!m_viewTouched && !m_items.empty() && viewport()->width() > 50) {
        m_placeAgain = true;
        m_dirty = true;
        rebuild();
    }
    if ((!m_fittedOnce || !m_viewTouched) && !m_items.empty() && viewport()->width() > 50) showFirstView();
}

void TreeGraphView::scrollContentsBy(int, int)
{
    viewport()->update();
}

void TreeGraphView::wheelEvent(QWheelEvent* event)
{
    m_viewTouched = true;
    m_footer->update();
    if (event->modifiers() & Qt::ControlModifier) {
        const double steps = event->angleDelta().y() / 120.0;
        zoomAround(m_zoom * std::pow(1.2, steps), event->position());
        event->accept();
        return;
    }
    QAbstractScrollArea::wheelEvent(event);
}

void TreeGraphView::mousePressEvent(QMouseEvent* event)
{
    // A click selects; only a drag moves the view (and stops it following the tree).
    setFocus(Qt::MouseFocusReason);
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    m_dragStart = event->position().toPoint();
    m_dragScroll = QPoint(horizontalScrollBar()->value(), verticalScrollBar()->value());
    m_dragging = false;
    event->accept();
}

void TreeGraphView::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    if (event->buttons() & Qt::LeftButton) {
        if (!m_dragging && (pos - m_dragStart).manhattanLength() >= QApplication::startDragDistance()) {
            m_dragging = true;
            m_viewTouched = true;
            m_footer->update();
            viewport()->setCursor(Qt::ClosedHandCursor);
        }
        if (m_dragging) {
            const QPoint delta = pos - m_dragStart;
            horizontalScrollBar()->setValue(m_dragScroll.x() - delta.x());
            verticalScrollBar()->setValue(m_dragScroll.y() - delta.y());
        }
        return;
    }
    const sc::Pid hover = pidAt(pos);
    if (hover != m_hover) {
        m_hover = hover;
        if (!m_killPreviewExplicit) m_killPreview = m_killPreviewEnabled ? hover : 0;
        viewport()->update();
    }
}

void TreeGraphView::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) return;
    if (m_dragging) {
        m_dragging = false;
        viewport()->unsetCursor();
        return;
    }
    const QPointF scene = mapToScene(event->position());
    const sc::Pid pid = pidAt(event->position().toPoint());
    const int id = itemOf(pid);
    if (id >= 0 && !m_items[id].children.empty()
        && (toggleRect(m_items[id]).contains(scene) || m_items[id].summary.contains(scene))) {
        toggle(id); // a collapsed group's summary expands it
        return;
    }
    setSelected(pid);
}

void TreeGraphView::mouseDoubleClickEvent(QMouseEvent* event)
{
    const int id = itemOf(pidAt(event->position().toPoint()));
    if (id >= 0 && !m_items[id].children.empty()) {
        const sc::Pid pid = m_items[id].pid;
        toggle(id);
        setSelected(pid);
    }
}

void TreeGraphView::leaveEvent(QEvent* event)
{
    QAbstractScrollArea::leaveEvent(event);
    if (m_hover) {
        m_hover = 0;
        if (!m_killPreviewExplicit) m_killPreview = 0;
        viewport()->update();
    }
}

void TreeGraphView::contextMenuEvent(QContextMenuEvent* event)
{
    sc::Pid pid = 0;
    QPoint global = event->globalPos();
    if (event->reason() == QContextMenuEvent::Keyboard) {
        pid = m_selected;
        const QRectF r = nodeRect(pid);
        if (!r.isEmpty()) global = viewport()->mapToGlobal(mapToViewport(r.center()).toPoint());
    } else {
        pid = pidAt(viewport()->mapFromGlobal(event->globalPos()));
        if (pid) setSelected(pid);
    }
    const int id = itemOf(pid);
    if (id < 0 || m_items[id].ghost) return; // nothing to act on
    event->accept();
    Q_EMIT contextMenuRequested(pid, global);
}

void TreeGraphView::changeEvent(QEvent* event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        m_workerWidths.clear();
        m_supervisorWidths.clear();
        m_charAdvances.clear();
        for (Item& item : m_items)
            item.width = 0; // measured again, and so laid out again
        scheduleLayout();
        layoutStrips();
    }
}

bool TreeGraphView::viewportEvent(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int id = itemOf(pidAt(help->pos()));
        if (id < 0) {
            QToolTip::hideText();
            return true;
        }
        QString text = m_model->indexOfPid(m_items[id].pid).data(Qt::ToolTipRole).toString();
        if (const auto it = m_gaveUp.constFind(m_items[id].pid); it != m_gaveUp.cend())
            text += tr("\ngave up: %1").arg(it.value());
        QToolTip::showText(help->globalPos(), text, viewport());
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

void TreeGraphView::keyPressEvent(QKeyEvent* event)
{
    // Only the zoom keys move the view by hand (setZoom notes it); F fits.
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        return;
    case Qt::Key_Minus:
        zoomOut();
        return;
    case Qt::Key_F:
        fitToWindow();
        return;
    case Qt::Key_0:
        setZoom(1.0);
        return;
    case Qt::Key_Up:
    case Qt::Key_Down:
    case Qt::Key_Left:
    case Qt::Key_Right:
    case Qt::Key_Home:
        moveSelection(event->key());
        return;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space:
        toggle(itemOf(m_selected));
        return;
    case Qt::Key_Escape:
        setSelected(0);
        return;
    default:
        QAbstractScrollArea::keyPressEvent(event);
    }
}

void TreeGraphView::moveSelection(int key)
{
    ensureLayout();
    const int current = itemOf(m_selected);
    int next = -1;
    if (current < 0 || key == Qt::Key_Home) {
        next = m_roots.empty() ? -1 : m_roots.front();
    } else {
        const Item& item = m_items[current];
        switch (key) {
        case Qt::Key_Up:
            next = item.parent;
            break;
        case Qt::Key_Down:
            if (item.hidden == 0 && !item.children.empty()) next = item.children.front();
            break;
        case Qt::Key_Left:
        case Qt::Key_Right: {
            // Siblings first; past the end, the nearest node on the same level.
            const bool right = key == Qt::Key_Right;
            double best = 0;
            for (int i = 0; i < static_cast<int>(m_items.size()); ++i) {
                const Item& other = m_items[i];
                if (!other.visible || other.depth != item.depth || i == current) continue;
                // In a wrapped grid, stay on the row.
                if (other.rect.top() != item.rect.top()) continue;
                const double dx = other.rect.center().x() - item.rect.center().x();
                if ((right ? dx <= 0 : dx >= 0)) continue;
                if (next < 0 || std::abs(dx) < best) {
                    next = i;
                    best = std::abs(dx);
                }
            }
            break;
        }
        }
    }
    if (next < 0) return;
    setSelected(m_items[next].pid);
    ensureVisible(m_items[next].rect);
}

} // namespace sc::ui
