// Threading: AuditLogModel, AuditLogFilter and AuditLogPanel live on the GUI
// thread. The panel reads the ledger through a LedgerReader on its own thread
// pool, one job at a time, and hands what it read to the GUI thread as a
// queued signal: the GUI thread never waits for the disk.
#pragma once

#include "ui/bridge/handoff.h"
#include "core/finance/ledger.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QTimer>
#include <QWidget>
#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace sc::ui {

/// The audit ledger as a table, newest record at the top.
class AuditLogModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Id, Time, Kind, User, Amount, Result, Error, ColumnCount };
    enum Role {
        KindRole = Qt::UserRole + 1, ///< QString: the record's kind
        UserRole, ///< QString: the record's user
        RejectedRole, ///< bool: a refused request
    };

    explicit AuditLogModel(QObject* parent = nullptr);

    /// Records oldest first with ids above lastId() (others are ignored).
    void append(const std::vector<sc::LedgerRecord>& records);
    std::int64_t lastId() const { return m_rows.empty() ? 0 : m_rows.back().id; }
    /// The kinds seen so far, sorted.
    QStringList kinds() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void kindsChanged();

private:
    const sc::LedgerRecord& at(int row) const { return m_rows[m_rows.size() - 1 - static_cast<std::size_t>(row)]; }
    std::vector<sc::LedgerRecord> m_rows; ///< oldest first; row 0 is the last
    QStringList m_kinds;
};

/// Keeps the records of one kind (empty: all) whose user contains a text.
class AuditLogFilter : public QSortFilterProxyModel {
    Q_OBJECT

public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setUserFilter(const QString& text);
    void setKindFilter(const QString& kind);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_user;
    QString m_kind;
};

/// The audit log panel: the live table with a user filter, a kind filter and
/// Export CSV. It follows the ledger of `dataDir` (which may not exist yet)
/// by reading the records past the last one it has, about four times a second.
class AuditLogPanel : public QWidget {
    Q_OBJECT

public:
    explicit AuditLogPanel(QString dataDir, QWidget* parent = nullptr);
    ~AuditLogPanel() override;

    AuditLogModel* model() const { return m_model; }
    AuditLogFilter* filter() const { return m_filter; }
    QTableView* view() const { return m_view; }
    QLineEdit* userFilterEdit() const { return m_userEdit; }
    QComboBox* kindFilterBox() const { return m_kindBox; }

    /// Reads what is new now (the timer does this on its own).
    void refresh();
    /// Writes the whole ledger as CSV to `file` on the panel's thread;
    /// exported() answers.
    void exportTo(const QString& file);
    /// Asks for a file (Export CSV, File → Export Audit Log) and exports to it.
    void chooseExportFile();

Q_SIGNALS:
    /// After each read that found records.
    void recordsArrived(int count);
    /// ok, and in words what happened (the file written, or the error).
    void exported(bool ok, const QString& message);
    /// A read failed (shown in the panel; also for the log).
    void readFailed(const QString& message);

private:
    void onRead(const std::vector<sc::LedgerRecord>& records, const QString& error);
    void updateKinds();
    void showStatus(const QString& text, bool error);

    QString m_dataDir;
    AuditLogModel* m_model;
    AuditLogFilter* m_filter;
    QTableView* m_view = nullptr;
    QLineEdit* m_userEdit = nullptr;
    QComboBox* m_kindBox = nullptr;
    QPushButton* m_exportButton = nullptr;
    QLabel* m_status = nullptr;
    QTimer m_timer;
    JobPool m_pool {1};
    /// Used by one pool job at a time; opened lazily by the first read that finds a ledger.
    std::shared_ptr<std::unique_ptr<sc::LedgerReader>> m_reader;
    bool m_reading = false;
};

} // namespace sc::ui
