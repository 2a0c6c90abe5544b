// The Audit log panel: the ledger's records as a filterable table, with CSV export.
// Threading: AuditLogModel, AuditLogFilter and AuditLogPanel live on the GUI
// thread. The panel shows what a LedgerFeed reads and exports through it: the
// disk is read and written on the feed's thread, never on the GUI thread.
#pragma once

#include "core/finance/ledger.h"
#include "ui/bridge/ledgerfeed.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QSortFilterProxyModel>
#include <QWidget>
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
/// Export CSV, showing the records of a LedgerFeed.
class AuditLogPanel : public QWidget {
    Q_OBJECT

public:
    /// Shows what `feed` reads from now on: make the panel in the same turn
    /// of the event loop as the feed, before its first read is answered.
    explicit AuditLogPanel(LedgerFeed* feed, QWidget* parent = nullptr);
    /// The same with a feed of its own on the ledger of `dataDir`.
    explicit AuditLogPanel(const QString& dataDir, QWidget* parent = nullptr);
    ~AuditLogPanel() override;

    LedgerFeed* feed() const { return m_feed; }
    AuditLogModel* model() const { return m_model; }
    AuditLogFilter* filter() const { return m_filter; }
    QTableView* view() const { return m_view; }
    QLineEdit* userFilterEdit() const { return m_userEdit; }
    QComboBox* kindFilterBox() const { return m_kindBox; }

    /// Writes the whole ledger as CSV to `file` (on the feed's thread);
    /// exported() answers.
    void exportTo(const QString& file);
    /// Asks for a file (Export CSV, File → Export Audit Log) and exports to it.
    void chooseExportFile();

Q_SIGNALS:
    /// ok, and in words what happened (the file written, or the error).
    void exported(bool ok, const QString& message);

private:
    void onRecords(const std::vector<sc::LedgerRecord>& records);
    void onCaughtUp();
    void onExported(const QString& file, const QString& error);
    void updateKinds();
    void showStatus(const QString& text, bool error);

    QPointer<LedgerFeed> m_feed;
    AuditLogModel* m_model;
    AuditLogFilter* m_filter;
    QTableView* m_view = nullptr;
    QLineEdit* m_userEdit = nullptr;
    QComboBox* m_kindBox = nullptr;
    QPushButton* m_exportButton = nullptr;
    QLabel* m_status = nullptr;
    int m_exports = 0; ///< asked for and not yet answered
};

} // namespace sc::ui
