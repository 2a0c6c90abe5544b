// TreeGraphView's relayout: items built (buildAll or buildChanged), compared
// with the layout before, placed level by level or in blocks (TreeLayout),
// the view kept steady, and only what moved repainted.
#include "ui/tree/treegraphmetrics.h"
#include "ui/tree/treegraphview.h"
#include "ui/tree/treelayout.h"

#include <QRegion>
#include <QScrollBar>
#include <algorithm>
#include <unordered_map>

namespace sc::ui {

using namespace treegraph;

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

} // namespace sc::ui
