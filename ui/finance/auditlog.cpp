// The Audit log panel: its model, filter and export (auditlog.h).
#include "ui/finance/auditlog.h"

#include "ui/common/theme.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

namespace sc::ui {

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace

// -- AuditLogModel --

AuditLogModel::AuditLogModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void AuditLogModel::append(const std::vector<sc::LedgerRecord>& records)
{
    const std::int64_t last = lastId();
    auto first = std::find_if(records.begin(), records.end(), [last](const auto& r) { return r.id > last; });
    const auto count = static_cast<int>(records.end() - first);
    if (count == 0) return;
    beginInsertRows({}, 0, count - 1);
    m_rows.insert(m_rows.end(), first, records.end());
    endInsertRows();

    bool newKind = false;
    for (auto it = first; it != records.end(); ++it) {
        const QString kind = qs(it->kind);
        if (!m_kinds.contains(kind)) {
            m_kinds.append(kind);
            newKind = true;
        }
    }
    if (newKind) {
        m_kinds.sort();
        Q_EMIT kindsChanged();
    }
}

QStringList AuditLogModel::kinds() const
{
    return m_kinds;
}

int AuditLogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int AuditLogModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditLogModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const sc::LedgerRecord& r = at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Id:
            return QString::number(r.id);
        case Time:
            return qs(r.time);
        case Kind:
            return qs(r.kind);
        case User:
            return qs(r.user);
        case Amount:
            return qs(r.amount.toString());
        case Result:
            return r.result ? qs(r.result->toString()) : QString();
        case Error:
            return r.error ? qs(*r.error).replace(QLatin1Char('_'), QLatin1Char(' ')) : QString();
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Id || index.column() == Amount || index.column() == Result)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        if (r.error && (index.column() == Kind || index.column() == Error)) return theme::errorColor();
        break;
    case Qt::ToolTipRole:
        return r.error ? tr("Refused (%1): nothing changed").arg(qs(*r.error))
                       : tr("Committed to the ledger as record #%1").arg(r.id);
    case KindRole:
        return qs(r.kind);
    case UserRole:
        return qs(r.user);
    case RejectedRole:
        return r.error.has_value();
    }
    return {};
}

QVariant AuditLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::TextAlignmentRole && (section == Id || section == Amount || section == Result))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole) return {};
    switch (section) {
    case Id:
        return tr("#");
    case Time:
        return tr("Time (UTC)");
    case Kind:
        return tr("Kind");
    case User:
        return tr("User");
    case Amount:
        return tr("Amount");
    case Result:
        return tr("Total / balance");
    case Error:
        return tr("Refused");
    }
    return {};
}

// -- AuditLogFilter --

void AuditLogFilter::setUserFilter(const QString& text)
{
    m_user = text.trimmed();
    invalidateRowsFilter();
}

void AuditLogFilter::setKindFilter(const QString& kind)
{
    m_kind = kind;
    invalidateRowsFilter();
}

bool AuditLogFilter::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_kind.isEmpty() && index.data(AuditLogModel::KindRole).toString() != m_kind) return false;
    return m_user.isEmpty() || index.data(AuditLogModel::UserRole).toString().contains(m_user, Qt::CaseInsensitive);
}

// -- AuditLogPanel --

AuditLogPanel::AuditLogPanel(LedgerFeed* feed, QWidget* parent)
    : QWidget(parent)
    , m_feed(feed)
    , m_model(new AuditLogModel(this))
    , m_filter(new AuditLogFilter(this))
{
    m_filter->setSourceModel(m_model);

    m_userEdit = new QLineEdit(this);
    m_userEdit->setPlaceholderText(tr("Filter by user"));
    m_userEdit->setClearButtonEnabled(true);
    m_kindBox = new QComboBox(this);
    m_kindBox->addItem(tr("All kinds"), QString());
    m_kindBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_exportButton = new QPushButton(tr("Export CSV…"), this);
    m_status = new QLabel(this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long data folder path must not set the panel's (and so the window's) minimum width:
    // the words wrap, a path too long for the panel is cut, and the tooltip has it whole.
    m_status->setWordWrap(true);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_view = new QTableView(this);
    m_view->setModel(m_filter);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->setWordWrap(false);

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_userEdit, 1);
    bar->addWidget(m_kindBox);
    bar->addWidget(m_exportButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);

    connect(m_userEdit, &QLineEdit::textChanged, m_filter, &AuditLogFilter::setUserFilter);
    connect(m_kindBox, &QComboBox::currentIndexChanged, this,
        [this](int i) { m_filter->setKindFilter(m_kindBox->itemData(i).toString()); });
    connect(m_model, &AuditLogModel::kindsChanged, this, &AuditLogPanel::updateKinds);
    connect(m_exportButton, &QPushButton::clicked, this, &AuditLogPanel::chooseExportFile);
    connect(m_feed, &LedgerFeed::recordsArrived, this, &AuditLogPanel::onRecords);
    connect(m_feed, &LedgerFeed::caughtUp, this, &AuditLogPanel::onCaughtUp);
    connect(m_feed, &LedgerFeed::readFailed, this, [this](const QString& message) { showStatus(message, true); });
    connect(m_feed, &LedgerFeed::exportFinished, this, &AuditLogPanel::onExported);
    showStatus(tr("Waiting for the ledger in %1").arg(QDir::toNativeSeparators(m_feed->dataDir())), false);
}

AuditLogPanel::AuditLogPanel(const QString& dataDir, QWidget* parent)
    : AuditLogPanel(new LedgerFeed(dataDir), parent)
{
    m_feed->setParent(this);
}

AuditLogPanel::~AuditLogPanel() = default;

void AuditLogPanel::onRecords(const std::vector<sc::LedgerRecord>& records)
{
    m_model->append(records);
    showStatus(tr("%n record(s); the newest is #%1", nullptr, m_model->rowCount()).arg(m_model->lastId()), false);
}

void AuditLogPanel::onCaughtUp()
{
    if (m_model->rowCount() == 0 && m_feed->ledgerFound()) showStatus(tr("The ledger is empty"), false);
}

void AuditLogPanel::updateKinds()
{
    const QString current = m_kindBox->currentData().toString();
    const QSignalBlocker block(m_kindBox);
    while (m_kindBox->count() > 1)
        m_kindBox->removeItem(1);
    for (const QString& kind : m_model->kinds())
        m_kindBox->addItem(kind, kind);
    m_kindBox->setCurrentIndex(std::max(0, m_kindBox->findData(current)));
}

void AuditLogPanel::chooseExportFile()
{
    const QString file = QFileDialog::getSaveFileName(
        this, tr("Export the audit log"), QDir::home().filePath(QStringLiteral("audit.csv")), tr("CSV files (*.csv)"));
    if (!file.isEmpty()) exportTo(file);
}

void AuditLogPanel::exportTo(const QString& file)
{
    if (!m_feed) return;
    m_exportButton->setEnabled(false);
    ++m_exports;
    m_feed->exportCsv(file);
}

void AuditLogPanel::onExported(const QString& file, const QString& error)
{
    if (m_exports == 0) return; // asked for by someone else sharing the feed
    --m_exports;
    const bool ok = error.isEmpty();
    const QString message = ok ? tr("Exported the audit log to %1").arg(QDir::toNativeSeparators(file))
                               : tr("Export failed: %1").arg(error);
    m_exportButton->setEnabled(true);
    showStatus(message, !ok);
    Q_EMIT exported(ok, message);
}

void AuditLogPanel::showStatus(const QString& text, bool error)
{
    m_status->setText(text);
    m_status->setToolTip(text);
    QPalette palette = m_status->palette();
    palette.setColor(QPalette::WindowText, error ? theme::errorColor() : palette.color(QPalette::Text));
    m_status->setPalette(palette);
}

} // namespace sc::ui
