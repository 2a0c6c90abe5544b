// EventLogModel and EventLogFilter: the runtime's events as rows of the Event log.
// Threading: GUI thread only. append() copies what it keeps; it never calls
// the runtime. EventLogFilter reads only its source model.
#pragma once

#include "core/runtime/events.h"
#include "ui/common/wallclock.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <deque>
#include <vector>

namespace sc::ui {

/// The runtime's recent events as a flat table, newest first. At most
/// capacity() rows are kept; the oldest go first, with a row removal.
/// Reason holds the exit reason of an Exit and the detail of the other kinds
/// (the name of a Register, the action of a Step, the error of a failed step).
class EventLogModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Seq, Time, Kind, Path, Reason, ColumnCount };
    enum Role {
        SeqRole = Qt::UserRole + 1, ///< qulonglong
        KindRole, ///< sc::EventKind as int
        PidRole, ///< qulonglong
    };

    explicit EventLogModel(QObject* parent = nullptr, int capacity = 5000);

    /// Events oldest first, as a Subscription drains them.
    void append(const std::vector<sc::Event>& events);
    void clear();

    int capacity() const { return m_capacity; }
    std::uint64_t lastSeq() const { return m_rows.empty() ? 0 : m_rows.front().seq; }
    const sc::Event& eventAt(int row) const { return m_rows[static_cast<std::size_t>(row)]; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString timeText(std::int64_t steadyNs) const;

    std::deque<sc::Event> m_rows; ///< newest first
    int m_capacity;
    WallClock m_clock; ///< the events' steady-clock stamps as wall-clock time, for display
};

/// An EventLogModel seen through three filters: the kind groups shown, a
/// case-insensitive text that the path or the reason must contain, and a
/// pause that hides every event newer than the newest one when it began.
/// Rows keep the source's order (newest first). A source row insert or
/// removal is filtered incrementally (only the new rows are tested); a filter
/// change re-tests every row once and reports the difference as row inserts
/// and removals, never a reset, so selection and scroll position survive.
class EventLogFilter : public QSortFilterProxyModel {
    Q_OBJECT

public:
    enum class Group {
        Lifecycle = 0x1, ///< spawn, start, exit, restart, give_up
        Registry = 0x2, ///< register, unregister
        Steps = 0x4, ///< scenario steps, their results and the services' replies
        Logs = 0x8, ///< free text
    };
    Q_DECLARE_FLAGS(Groups, Group)
    static constexpr Groups allGroups() { return Groups(0xf); }
    static Group groupOf(sc::EventKind kind);

    explicit EventLogFilter(QObject* parent = nullptr);

    Groups groups() const { return m_groups; }
    void setGroups(Groups groups);
    void setGroupShown(Group group, bool shown);

    QString text() const { return m_text; }
    /// Surrounding white space is ignored; empty shows every row.
    void setText(const QString& text);

    /// While paused, rows that arrive stay hidden; resuming shows them all.
    bool isPaused() const { return m_paused; }
    void setPaused(bool paused);
    /// Events newer than the newest shown when the pause began (it counts
    /// those the source has already dropped too); 0 when not paused.
    std::uint64_t newSincePause() const;

Q_SIGNALS:
    void filterChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    std::uint64_t sourceLastSeq() const;

    Groups m_groups = allGroups();
    QString m_text;
    bool m_paused = false;
    std::uint64_t m_pausedAfter = 0; ///< the newest seq shown while paused
};

} // namespace sc::ui

Q_DECLARE_OPERATORS_FOR_FLAGS(sc::ui::EventLogFilter::Groups)
