// Threading: GUI thread only. append() copies what it keeps; it never calls
// the runtime.
#pragma once

#include "events.h"

#include <QAbstractTableModel>
#include <chrono>
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
    /// Maps the events' steady-clock stamps to wall-clock time for display.
    std::chrono::system_clock::duration m_steadyToSystem;
};

} // namespace sc::ui
