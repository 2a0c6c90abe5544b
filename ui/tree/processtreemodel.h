// ProcessTreeModel: the live processes as a Qt item model (tree and table), fed by snapshots.
// Threading: GUI thread only. apply() reads a Snapshot by const reference and
// keeps no pointer into it (paths are copied); it never calls the runtime.
#pragma once

#include "core/runtime/snapshot.h"

#include <QAbstractItemModel>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sc::ui {

/// The live process tree: a process sits under its parent when the parent is
/// alive, else at the top level. Siblings are in start order: a supervisor's
/// children by the place it gives them (ProcessInfo::startOrder, kept across
/// restarts), others in the order their path first appeared under that parent
/// process, then by pid; so a restarted child, which comes back with a new pid
/// under the same path, takes its old place, and a tree started later (a new
/// parent pid) owes nothing to one that used the same paths before.
///
/// apply() diffs a snapshot against the rows shown: rows that changed get a
/// dataChanged, processes that appear or end are inserted or removed, and a
/// process whose parent ended moves to the top level. The model is never
/// reset, so selection, expansion and scrolling survive live updates.
class ProcessTreeModel : public QAbstractItemModel {
    Q_OBJECT

public:
    enum Column {
        NameColumn,
        PidColumn,
        KindColumn,
        StrategyColumn,
        StatusColumn,
        MailboxColumn,
        RestartsColumn,
        HandledColumn,
        ColumnCount
    };
    enum Role {
        PidRole = Qt::UserRole + 1, ///< sc::Pid as qulonglong
        PathRole, ///< the full path, QString
        KindRole, ///< sc::ProcessKind as int
        StatusRole, ///< sc::ProcessStatus as int
        SortRole, ///< numeric columns as numbers, others as text
        StrategyRole, ///< sc::Strategy as int (supervisors)
        IntensityRole, ///< supervisors: at most this many restarts within PeriodRole (uint)
        PeriodRole, ///< supervisors: the intensity's period in milliseconds (uint)
        BudgetUsedRole, ///< supervisors: restarts within the period at the last apply() (int)
        /// The mailbox's longest since the snapshot before (ProcessInfo::mailboxPeak,
        /// uint); signalled only through MailboxShownRole, which holds it.
        MailboxPeakRole,
        /// What a view should draw as the mailbox (uint): a peak that no
        /// snapshot's count showed (a flood that came and drained between two
        /// frames) is held for mailboxHoldFrames applies, then decays to the
        /// current length over a few more; a count that was seen falls at once
        /// (a step of slow motion reads 5, 4, 3).
        MailboxShownRole,
    };
    /// Applies (frames: about 30 a second) a mailbox peak is shown at full height.
    static constexpr int mailboxHoldFrames = 30;

    explicit ProcessTreeModel(QObject* parent = nullptr);
    ~ProcessTreeModel() override;

    // -- updates --
    void apply(const sc::Snapshot& snapshot);

    // -- lookups --
    int processCount() const { return static_cast<int>(m_nodes.size()); }
    QModelIndex indexOfPid(sc::Pid pid, int column = NameColumn) const;
    /// The live process at `path`, or an invalid index; linear in the process count.
    QModelIndex indexOfPath(const QString& path, int column = NameColumn) const;
    sc::Pid pidAt(const QModelIndex& index) const;
    /// The process as the last applied snapshot showed it, or nullptr.
    const sc::ProcessInfo* infoAt(const QModelIndex& index) const;

    // -- whole-tree walks --
    /// Visits every process depth first in row order, as
    /// `visit(const sc::ProcessInfo&, const QString& name, const QString& path, int depth)`.
    /// For views that lay out the whole tree: no QModelIndex, no QVariant, no
    /// copies. A node's name and path share their data until they change.
    template <typename Visit> void forEachDepthFirst(Visit&& visit) const
    {
        const auto walk = [&visit](const auto& self, const std::vector<Node*>& siblings, int depth) -> void {
            for (const Node* node : siblings) {
                visit(std::as_const(node->info), std::as_const(node->name), std::as_const(node->path), depth);
                self(self, node->children, depth + 1);
            }
        };
        walk(walk, m_roots, 0);
    }
    /// The same under one live process, its children at depth 0; false if `parent` is not in the tree.
    template <typename Visit> bool forEachDepthFirstUnder(sc::Pid parent, Visit&& visit) const
    {
        const auto it = m_nodes.find(parent);
        if (it == m_nodes.end() || !it->second->attached) return false;
        const auto walk = [&visit](const auto& self, const std::vector<Node*>& siblings, int depth) -> void {
            for (const Node* node : siblings) {
                visit(std::as_const(node->info), std::as_const(node->name), std::as_const(node->path), depth);
                self(self, node->children, depth + 1);
            }
        };
        walk(walk, it->second->children, 0);
        return true;
    }

    // -- QAbstractItemModel --
    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

private:
    struct Slot {
        std::uint64_t order = 0;
        std::uint64_t lastSeen = 0;
    };
    struct Node {
        sc::ProcessInfo info; ///< info.path views pathStore
        std::string pathStore;
        QString name;
        QString path;
        Slot* slot = nullptr;
        Node* parent = nullptr;
        std::vector<Node*> children; ///< by (slot order, pid)
        std::uint32_t index = 0; ///< in m_byIndex and m_seen
        mutable std::size_t rowHint = 0; ///< its row when last looked up
        sc::Pid parentPid = 0; ///< its parent as the last snapshot said
        Node* wantedParent = nullptr;
        bool attached = false;
        std::uint32_t changedColumns = 0;
        int budgetUsed = 0; ///< restarts within the period as of the last apply()
        std::uint32_t mailboxShown = 0; ///< MailboxShownRole
        int mailboxHeldFor = 0; ///< applies since mailboxShown was last a new peak
        bool mailboxHolding = false; ///< mailboxShown is a peak no frame's count showed
        std::uint64_t changeMark = 0; ///< the apply() that last listed it as a parent with changed children
    };

    static bool before(const Node* a, const Node* b);
    std::vector<Node*>& siblingsOf(Node* parent) { return parent ? parent->children : m_roots; }
    const std::vector<Node*>& siblingsOf(const Node* parent) const { return parent ? parent->children : m_roots; }
    int rowOf(const Node* node) const;
    QModelIndex indexOf(const Node* node, int column = NameColumn) const;
    Node* nodeAt(const QModelIndex& index) const;
    Slot* slotFor(const std::string& path);
    static std::uint32_t diff(const sc::ProcessInfo& was, const sc::ProcessInfo& now);
    /// Holds, then decays, the mailbox a view shows; true if it changed.
    static bool showMailbox(Node* node, const sc::ProcessInfo& info);
    std::string slotKey(const Node* node) const;
    void setInfo(Node* node, const sc::ProcessInfo& info);

    void reparentSurvivors(std::vector<Node*>& moving);
    void removeDead(const std::vector<Node*>& dead);
    /// Changed rows under `parent` (their changedColumns set) as dataChanged, in runs.
    void emitChanges(Node* parent, const std::vector<Node*>& changed);
    std::uint32_t takeIndex(Node* node);
    bool isLive(const Node* node) const { return m_seen[node->index] == m_generation; }
    void insertNew(std::vector<Node*>& fresh);
    void pruneSlots();

    std::unordered_map<sc::Pid, std::unique_ptr<Node>> m_nodes;
    /// The node each row of the last snapshot updated (nullptr: skipped): the
    /// next snapshot's rows mostly hold the same processes in the same places.
    std::vector<Node*> m_rowNodes;
    std::vector<Node*> m_lastRowNodes; ///< the snapshot before's, for its memory
    /// Every node by a small index of its own, free ones nullptr, and the
    /// apply() that last saw it: finding the dead walks no tree.
    std::vector<Node*> m_byIndex;
    std::vector<std::uint64_t> m_seen;
    std::vector<std::uint32_t> m_freeIndexes;
    std::vector<Node*> m_roots; ///< by (slot order, pid)
    std::unordered_map<std::string, Slot> m_slots;
    std::uint64_t m_nextSlot = 0;
    std::uint64_t m_generation = 0;
};

} // namespace sc::ui
