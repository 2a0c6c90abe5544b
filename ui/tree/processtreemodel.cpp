// ProcessTreeModel: applying snapshots as row changes (processtreemodel.h).
#include "ui/tree/processtreemodel.h"

#include "ui/common/theme.h"

#include <QFont>
#include <algorithm>
#include <chrono>
#include <unordered_set>

namespace sc::ui {

namespace {

constexpr std::uint32_t bit(int column)
{
    return 1u << column;
}
constexpr std::uint32_t allColumns = (1u << ProcessTreeModel::ColumnCount) - 1;

// A slot not seen for this many applies (about 10 s at 30 Hz) is forgotten:
// a child restarted after that takes a new place at the end.
constexpr std::uint64_t slotMemory = 300;

QString lastSegment(const QString& path)
{
    const qsizetype slash = path.lastIndexOf(u'/');
    return slash < 0 ? path : path.mid(slash + 1);
}

} // namespace

ProcessTreeModel::ProcessTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
{
}

ProcessTreeModel::~ProcessTreeModel() = default;

// -- updates --

void ProcessTreeModel::apply(const sc::Snapshot& snapshot)
{
    // Most rows sit where they sat in the last snapshot and did not change: a
    // row finds its node by position first (by pid only if that fails), and
    // only changed rows, new processes, the dead and those whose parent
    // changed are looked at again. Nothing else walks the whole tree.
    ++m_generation;
    const std::size_t rows = snapshot.processes.size();
    std::swap(m_rowNodes, m_lastRowNodes);
    m_rowNodes.assign(rows, nullptr);
    std::vector<Node*> fresh;
    std::vector<Node*> changed; // in row order
    std::vector<Node*> placeChecks; // their parent may be another now
    std::size_t live = 0;
    for (std::size_t r = 0; r < rows; ++r) {
        const sc::ProcessInfo& info = snapshot.processes[r];
        if (info.pid == 0) continue;
        Node* node = r < m_lastRowNodes.size() ? m_lastRowNodes[r] : nullptr;
        if (!node || node->info.pid != info.pid) {
            auto [it, inserted] = m_nodes.try_emplace(info.pid);
            if (inserted) {
                it->second = std::make_unique<Node>();
                node = it->second.get();
                setInfo(node, info);
                node->index = takeIndex(node);
                fresh.push_back(node);
            } else {
                node = it->second.get();
            }
        }
        if (m_seen[node->index] == m_generation) continue; // a pid listed twice: the first entry wins
        m_seen[node->index] = m_generation;
        m_rowNodes[r] = node;
        ++live;
        node->parentPid = info.parent;
        if (!node->attached || info.parent != (node->parent ? node->parent->info.pid : 0)) placeChecks.push_back(node);
        std::uint32_t columns = node->attached ? diff(node->info, info) : 0;
        // Counted by the snapshot, so it drains with time alone.
        const int budget = info.kind == sc::ProcessKind::Worker ? 0 : int(info.restartsInWindow);
        if (budget != node->budgetUsed) columns |= bit(StrategyColumn);
        node->budgetUsed = budget;
        // A peak alone is signalled through what is shown (held, so not every frame).
        if (showMailbox(node, info) && node->attached) columns |= bit(MailboxColumn);
        node->info.mailboxPeak = info.mailboxPeak;
        if (!columns) continue;
        setInfo(node, info);
        node->changedColumns = columns;
        changed.push_back(node);
    }
    // Slots are handed out in pid order, which is start order.
    std::sort(fresh.begin(), fresh.end(), [](const Node* a, const Node* b) { return a->info.pid < b->info.pid; });
    for (Node* node : fresh)
        node->slot = slotFor(slotKey(node));

    std::vector<Node*> dead;
    if (m_nodes.size() > live) {
        for (std::size_t i = 0; i < m_byIndex.size(); ++i) {
            Node* node = m_byIndex[i];
            if (!node || m_seen[i] == m_generation) continue;
            dead.push_back(node);
            for (Node* child : node->children) {
                if (isLive(child)) placeChecks.push_back(child);
            }
        }
    }

    // Pids grow, so a live parent has a smaller pid than its children; a
    // parent pid that is not smaller is ignored, which keeps the tree acyclic.
    std::vector<Node*> moving;
    sc::Pid lastParentPid = 0;
    Node* lastParent = nullptr;
    for (Node* node : placeChecks) {
        Node* wanted = nullptr;
        if (node->parentPid != 0 && node->parentPid < node->info.pid) {
            if (node->parentPid != lastParentPid) {
                const auto p = m_nodes.find(node->parentPid);
                lastParentPid = node->parentPid;
                lastParent = p != m_nodes.end() && isLive(p->second.get()) ? p->second.get() : nullptr;
            }
            wanted = lastParent;
        }
        node->wantedParent = wanted;
        if (node->attached && wanted != node->parent) moving.push_back(node);
    }

    // Inserting first means every parent a survivor moves to is in the model,
    // and moving survivors out before removing means a removed row takes
    // only dead processes with it.
    insertNew(fresh);
    reparentSurvivors(moving);
    if (!dead.empty()) removeDead(dead);

    std::vector<Node*> changedParents;
    bool rootsChanged = false;
    for (Node* node : changed) {
        Node* parent = node->parent;
        if (parent ? parent->changeMark != m_generation : !rootsChanged) {
            if (parent)
                parent->changeMark = m_generation;
            else
                rootsChanged = true;
            changedParents.push_back(parent);
        }
    }
    for (Node* parent : changedParents)
        emitChanges(parent, changed);
    pruneSlots();
}

void ProcessTreeModel::insertNew(std::vector<Node*>& fresh)
{
    // A new process under a new parent joins the parent's subtree before the
    // parent is inserted, so a whole new tree arrives as one row insertion.
    std::unordered_map<Node*, std::vector<Node*>> batches;
    for (Node* node : fresh) {
        Node* parent = node->wantedParent;
        if (parent && !parent->attached) {
            auto& siblings = parent->children;
            siblings.insert(std::upper_bound(siblings.begin(), siblings.end(), node, before), node);
            node->parent = parent;
        } else {
            batches[parent].push_back(node);
        }
    }

    for (auto& [parent, batch] : batches) {
        std::sort(batch.begin(), batch.end(), before);
        std::vector<Node*>& siblings = siblingsOf(parent);
        const QModelIndex parentIndex = indexOf(parent);
        std::size_t i = 0;
        while (i < batch.size()) {
            const auto at = std::lower_bound(siblings.begin(), siblings.end(), batch[i], before);
            const auto row = static_cast<std::size_t>(at - siblings.begin());
            std::size_t j = i + 1;
            while (j < batch.size() && (row == siblings.size() || before(batch[j], siblings[row])))
                ++j;
            beginInsertRows(parentIndex, static_cast<int>(row), static_cast<int>(row + (j - i) - 1));
            siblings.insert(
                at, batch.begin() + static_cast<std::ptrdiff_t>(i), batch.begin() + static_cast<std::ptrdiff_t>(j));
            for (std::size_t k = i; k < j; ++k)
                batch[k]->parent = parent;
            endInsertRows();
            i = j;
        }
    }

    for (Node* node : fresh)
        node->attached = true;
}

void ProcessTreeModel::reparentSurvivors(std::vector<Node*>& moving)
{
    std::sort(moving.begin(), moving.end(), [](const Node* a, const Node* b) { return a->info.pid < b->info.pid; });
    moving.erase(std::unique(moving.begin(), moving.end()), moving.end()); // checked twice: its parent died too

    for (Node* node : moving) {
        Node* from = node->parent;
        Node* to = node->wantedParent;
        std::vector<Node*>& source = siblingsOf(from);
        std::vector<Node*>& target = siblingsOf(to);
        const int row = rowOf(node);
        const auto at = std::lower_bound(target.begin(), target.end(), node, before);
        const int destination = static_cast<int>(at - target.begin());
        const bool ok = beginMoveRows(indexOf(from), row, row, indexOf(to), destination);
        Q_ASSERT(ok); // a parent's pid is smaller than its child's, so no cycle can form
        if (!ok) continue;
        source.erase(source.begin() + row);
        target.insert(std::lower_bound(target.begin(), target.end(), node, before), node);
        node->parent = to;
        endMoveRows();
    }
}

void ProcessTreeModel::removeDead(const std::vector<Node*>& dead)
{
    std::vector<Node*> parents;
    std::unordered_set<Node*> seen;
    for (Node* node : dead) {
        Node* parent = node->parent;
        if ((!parent || isLive(parent)) && seen.insert(parent).second) parents.push_back(parent);
    }

    // Contiguous runs, from the back so the rows in front keep their numbers.
    for (Node* parent : parents) {
        std::vector<Node*>& siblings = siblingsOf(parent);
        const QModelIndex parentIndex = indexOf(parent);
        int last = static_cast<int>(siblings.size()) - 1;
        while (last >= 0) {
            if (isLive(siblings[last])) {
                --last;
                continue;
            }
            int first = last;
            while (first > 0 && !isLive(siblings[first - 1]))
                --first;
            beginRemoveRows(parentIndex, first, last);
            siblings.erase(siblings.begin() + first, siblings.begin() + last + 1);
            endRemoveRows();
            last = first - 1;
        }
    }

    for (Node* node : dead) {
        // Last seen in the apply before this one.
        node->slot->lastSeen = std::max(node->slot->lastSeen, m_generation - 1);
        m_byIndex[node->index] = nullptr;
        m_freeIndexes.push_back(node->index);
        m_nodes.erase(node->info.pid);
    }
}

std::uint32_t ProcessTreeModel::takeIndex(Node* node)
{
    std::uint32_t index = 0;
    if (!m_freeIndexes.empty()) {
        index = m_freeIndexes.back();
        m_freeIndexes.pop_back();
        m_byIndex[index] = node;
    } else {
        index = static_cast<std::uint32_t>(m_byIndex.size());
        m_byIndex.push_back(node);
        m_seen.push_back(0);
    }
    m_seen[index] = 0;
    return index;
}

void ProcessTreeModel::emitChanges(Node* parent, const std::vector<Node*>& changed)
{
    // The changed rows under `parent`, in runs of neighbours: one dataChanged a run.
    const std::vector<Node*>& siblings = siblingsOf(parent);
    std::vector<int> rows;
    for (const Node* node : changed) {
        if (node->parent == parent) rows.push_back(rowOf(node));
    }
    std::sort(rows.begin(), rows.end());
    const QModelIndex parentIndex = indexOf(parent);
    std::size_t i = 0;
    while (i < rows.size()) {
        std::uint32_t columns = 0;
        const int first = rows[i];
        int last = first;
        while (i < rows.size() && rows[i] <= last + 1) {
            last = rows[i];
            Node* node = siblings[static_cast<std::size_t>(last)];
            columns |= node->changedColumns;
            node->changedColumns = 0;
            ++i;
        }
        int left = 0;
        while (!(columns & bit(left)))
            ++left;
        int right = ColumnCount - 1;
        while (!(columns & bit(right)))
            --right;
        Q_EMIT dataChanged(index(first, left, parentIndex), index(last, right, parentIndex));
    }
}

void ProcessTreeModel::pruneSlots()
{
    if (m_slots.size() < 2 * m_nodes.size() + 1024) return;
    for (auto& [pid, node] : m_nodes)
        node->slot->lastSeen = m_generation;
    std::erase_if(m_slots, [this](const auto& entry) { return entry.second.lastSeen + slotMemory < m_generation; });
}

bool ProcessTreeModel::showMailbox(Node* node, const sc::ProcessInfo& info)
{
    // A new high that only the peak saw is held; after the hold a quarter
    // goes each apply (from a million to nothing in about 50 frames), never
    // below what is queued now.
    const std::uint32_t now = std::max(info.mailboxPeak, info.mailbox);
    std::uint32_t shown = node->mailboxShown;
    if (now >= shown) {
        shown = now;
        node->mailboxHolding = info.mailboxPeak > info.mailbox;
        node->mailboxHeldFor = 0;
    } else if (!node->mailboxHolding) {
        shown = now;
    } else if (++node->mailboxHeldFor > mailboxHoldFrames) {
        shown = std::max(now, shown - std::max<std::uint32_t>(1, shown / 4));
        node->mailboxHolding = shown > now;
    }
    const bool changed = shown != node->mailboxShown;
    node->mailboxShown = shown;
    return changed;
}

std::string ProcessTreeModel::slotKey(const Node* node) const
{
    // A top-level process is never restarted in place, and a child's place
    // is remembered under its parent process only: a later tree with the
    // same paths (another scenario) gets places of its own.
    const sc::ProcessInfo& info = node->info;
    if (info.parent == 0 || node->pathStore.empty()) return "\x01" + std::to_string(info.pid);
    return std::to_string(info.parent) + '\x02' + node->pathStore;
}

std::uint32_t ProcessTreeModel::diff(const sc::ProcessInfo& was, const sc::ProcessInfo& now)
{
    std::uint32_t columns = 0;
    if (was.kind != now.kind) return allColumns;
    if (was.path != now.path) columns |= bit(NameColumn);
    if (was.strategy != now.strategy || was.intensity != now.intensity || was.periodMs != now.periodMs
        || was.restartsInWindow != now.restartsInWindow)
        columns |= bit(StrategyColumn);
    if (was.status != now.status) columns |= bit(StatusColumn) | bit(NameColumn); // Name carries the status icon
    if (was.mailbox != now.mailbox) columns |= bit(MailboxColumn);
    if (was.restarts != now.restarts) columns |= bit(RestartsColumn);
    if (was.handled != now.handled) columns |= bit(HandledColumn);
    return columns;
}

void ProcessTreeModel::setInfo(Node* node, const sc::ProcessInfo& info)
{
    // The snapshot owns the text its path views; the node keeps its own copy.
    const bool pathChanged = node->path.isEmpty() || node->pathStore != info.path;
    node->info = info;
    if (pathChanged) {
        node->pathStore.assign(info.path);
        node->path = node->pathStore.empty()
            ? QString::number(info.pid)
            : QString::fromUtf8(node->pathStore.data(), static_cast<qsizetype>(node->pathStore.size()));
        node->name = lastSegment(node->path);
    }
    node->info.path = node->pathStore;
}

ProcessTreeModel::Slot* ProcessTreeModel::slotFor(const std::string& path)
{
    auto [it, inserted] = m_slots.try_emplace(path);
    if (inserted) it->second.order = m_nextSlot++;
    it->second.lastSeen = m_generation;
    return &it->second;
}

// -- tree bookkeeping --

bool ProcessTreeModel::before(const Node* a, const Node* b)
{
    if (a->info.startOrder != b->info.startOrder) return a->info.startOrder < b->info.startOrder;
    if (a->slot->order != b->slot->order) return a->slot->order < b->slot->order;
    return a->info.pid < b->info.pid;
}

int ProcessTreeModel::rowOf(const Node* node) const
{
    const std::vector<Node*>& siblings = siblingsOf(node->parent);
    // Rows move only when siblings come or go: the last answer is usually right.
    if (node->rowHint < siblings.size() && siblings[node->rowHint] == node) return static_cast<int>(node->rowHint);
    const auto it = std::lower_bound(siblings.begin(), siblings.end(), node, before);
    Q_ASSERT(it != siblings.end() && *it == node);
    node->rowHint = static_cast<std::size_t>(it - siblings.begin());
    return static_cast<int>(node->rowHint);
}

QModelIndex ProcessTreeModel::indexOf(const Node* node, int column) const
{
    if (!node) return {};
    return createIndex(rowOf(node), column, const_cast<Node*>(node));
}

ProcessTreeModel::Node* ProcessTreeModel::nodeAt(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : nullptr;
}

// -- lookups --

QModelIndex ProcessTreeModel::indexOfPid(sc::Pid pid, int column) const
{
    const auto it = m_nodes.find(pid);
    if (it == m_nodes.end() || !it->second->attached) return {};
    return indexOf(it->second.get(), column);
}

QModelIndex ProcessTreeModel::indexOfPath(const QString& path, int column) const
{
    const Node* found = nullptr;
    for (const auto& [pid, node] : m_nodes) {
        if (node->attached && node->path == path && (!found || pid > found->info.pid)) found = node.get();
    }
    return found ? indexOf(found, column) : QModelIndex();
}

sc::Pid ProcessTreeModel::pidAt(const QModelIndex& index) const
{
    const Node* node = nodeAt(index);
    return node ? node->info.pid : 0;
}

const sc::ProcessInfo* ProcessTreeModel::infoAt(const QModelIndex& index) const
{
    const Node* node = nodeAt(index);
    return node ? &node->info : nullptr;
}

// -- QAbstractItemModel --

QModelIndex ProcessTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || (parent.isValid() && parent.column() != 0)) return {};
    const std::vector<Node*>& siblings = siblingsOf(nodeAt(parent));
    if (row >= static_cast<int>(siblings.size())) return {};
    return createIndex(row, column, siblings[static_cast<std::size_t>(row)]);
}

QModelIndex ProcessTreeModel::parent(const QModelIndex& child) const
{
    const Node* node = nodeAt(child);
    return node ? indexOf(node->parent) : QModelIndex();
}

int ProcessTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0) return 0;
    return static_cast<int>(siblingsOf(nodeAt(parent)).size());
}

int ProcessTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

bool ProcessTreeModel::hasChildren(const QModelIndex& parent) const
{
    return rowCount(parent) > 0;
}

QVariant ProcessTreeModel::data(const QModelIndex& index, int role) const
{
    const Node* node = nodeAt(index);
    if (!node) return {};
    const sc::ProcessInfo& info = node->info;
    const bool supervisor = info.kind != sc::ProcessKind::Worker;

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return node->name;
        case PidColumn:
            return QString::number(info.pid);
        case KindColumn:
            return QString::fromLatin1(sc::processKindName(info.kind));
        case StrategyColumn:
            return supervisor ? QString::fromLatin1(sc::strategyName(info.strategy)) : QString();
        case StatusColumn:
            return QString::fromLatin1(sc::processStatusName(info.status));
        case MailboxColumn:
            return QString::number(info.mailbox);
        case RestartsColumn:
            return QString::number(info.restarts);
        case HandledColumn:
            return QString::number(info.handled);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case PidColumn:
            return QVariant::fromValue<qulonglong>(info.pid);
        case MailboxColumn:
            return info.mailbox;
        case RestartsColumn:
            return info.restarts;
        case HandledColumn:
            return QVariant::fromValue<qulonglong>(info.handled);
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::ToolTipRole:
        return tr("%1\npid %2, parent %3").arg(node->path).arg(info.pid).arg(info.parent);
    case Qt::ForegroundRole:
        if (index.column() == StatusColumn) return theme::statusColor(info.status);
        break;
    case Qt::DecorationRole:
        if (index.column() == NameColumn) return theme::processIcon(info.kind, info.status);
        break;
    case Qt::FontRole:
        if (index.column() == NameColumn && supervisor) {
            QFont font;
            font.setBold(true);
            return font;
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == PidColumn || index.column() >= MailboxColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case PidRole:
        return QVariant::fromValue<qulonglong>(info.pid);
    case PathRole:
        return node->path;
    case KindRole:
        return static_cast<int>(info.kind);
    case StatusRole:
        return static_cast<int>(info.status);
    case StrategyRole:
        return supervisor ? QVariant(static_cast<int>(info.strategy)) : QVariant();
    case IntensityRole:
        return supervisor ? QVariant(info.intensity) : QVariant();
    case PeriodRole:
        return supervisor ? QVariant(info.periodMs) : QVariant();
    case BudgetUsedRole:
        return supervisor ? QVariant(node->budgetUsed) : QVariant();
    case MailboxPeakRole:
        return std::max(info.mailboxPeak, info.mailbox);
    case MailboxShownRole:
        return std::max(node->mailboxShown, info.mailbox);
    }
    return {};
}

QVariant ProcessTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::TextAlignmentRole && (section == PidColumn || section >= MailboxColumn))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole) return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case PidColumn:
        return tr("PID");
    case KindColumn:
        return tr("Kind");
    case StrategyColumn:
        return tr("Strategy");
    case StatusColumn:
        return tr("Status");
    case MailboxColumn:
        return tr("Mailbox");
    case RestartsColumn:
        return tr("Restarts");
    case HandledColumn:
        return tr("Handled");
    }
    return {};
}

Qt::ItemFlags ProcessTreeModel::flags(const QModelIndex& index) const
{
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

} // namespace sc::ui
