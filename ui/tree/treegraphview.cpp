// TreeGraphView, the widget: scroll area and strips, zoom, fit and follow,
// mapping between scene and viewport, subtrees, selection and search, and
// the input that drives them. Painting, building the items and placing them,
// and the live state live in the treegraph*.cpp files beside it.
#include "ui/tree/treegraphview.h"

#include "ui/common/theme.h"
#include "ui/tree/killset.h"
#include "ui/tree/processtreemodel.h"
#include "ui/tree/treegraphmetrics.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>
#include <QtMath>
#include <algorithm>
#include <cmath>
#include <functional>

namespace sc::ui {

using namespace treegraph;

namespace {

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

} // namespace

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

int TreeGraphView::itemOf(sc::Pid pid) const
{
    return pid ? m_byPid.find(pid) : -1;
}

// -- geometry: scene and viewport, zoom and fit --

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

    std::vector<sc::Pid> siblings;
    for (const int sibling : parent.children) {
        if (!m_items[sibling].ghost) siblings.push_back(m_items[sibling].pid);
    }
    return sc::ui::killSet(info->strategy, siblings, pid);
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

void TreeGraphView::setEmptyText(const QString& text)
{
    m_emptyText = text;
    if (m_items.empty()) viewport()->update();
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
