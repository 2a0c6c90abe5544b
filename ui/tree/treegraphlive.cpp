// TreeGraphView's live state: the model's changes as they arrive (a relayout
// scheduled, the changed nodes repainted) and what the runtime's events leave
// on the tree (the restart flash, the give-up, the dead look, ghosts' lifetime).
#include "ui/tree/processtreemodel.h"
#include "ui/tree/treegraphmetrics.h"
#include "ui/tree/treegraphview.h"

#include <QScrollBar>
#include <algorithm>

namespace sc::ui {

using namespace treegraph;

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

} // namespace sc::ui
