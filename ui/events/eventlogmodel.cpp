// EventLogModel's rows and EventLogFilter (eventlogmodel.h).
#include "ui/events/eventlogmodel.h"

#include "ui/common/theme.h"
#include "ui/events/crash.h"

#include <QDateTime>
#include <QFont>
#include <algorithm>

namespace sc::ui {

EventLogModel::EventLogModel(QObject* parent, int capacity)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(1, capacity))
{
}

void EventLogModel::append(const std::vector<sc::Event>& events)
{
    if (events.empty()) return;
    // Only the newest `capacity` can survive; the rest are never shown.
    const std::size_t take = std::min(events.size(), static_cast<std::size_t>(m_capacity));
    const auto first = events.end() - static_cast<std::ptrdiff_t>(take);

    const std::size_t keep = std::min(m_rows.size(), static_cast<std::size_t>(m_capacity) - take);
    if (keep < m_rows.size()) {
        beginRemoveRows({}, static_cast<int>(keep), static_cast<int>(m_rows.size()) - 1);
        m_rows.erase(m_rows.begin() + static_cast<std::ptrdiff_t>(keep), m_rows.end());
        endRemoveRows();
    }

    beginInsertRows({}, 0, static_cast<int>(take) - 1);
    for (auto it = first; it != events.end(); ++it)
        m_rows.push_front(*it);
    endInsertRows();
}

void EventLogModel::clear()
{
    if (m_rows.empty()) return;
    beginRemoveRows({}, 0, static_cast<int>(m_rows.size()) - 1);
    m_rows.clear();
    endRemoveRows();
}

int EventLogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int EventLogModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString EventLogModel::timeText(std::int64_t steadyNs) const
{
    return m_clock.toDateTime(steadyNs).toString(QStringLiteral("HH:mm:ss.zzz"));
}

static QString detailOf(const sc::Event& e)
{
    switch (e.kind) {
    case sc::EventKind::Exit:
        return QString::fromStdString(e.reason);
    case sc::EventKind::Register:
    case sc::EventKind::Unregister:
        return QString::fromStdString(e.name);
    case sc::EventKind::Step:
        return QString::fromStdString(e.action);
    case sc::EventKind::StepResult:
        return e.ok ? QStringLiteral("%1: ok").arg(QString::fromStdString(e.action))
                    : QStringLiteral("%1: %2").arg(QString::fromStdString(e.action), QString::fromStdString(e.error));
    case sc::EventKind::Reply: {
        const QString action = QString::fromStdString(e.action);
        if (!e.ok) {
            const QString error = QStringLiteral("%1: %2").arg(action, QString::fromStdString(e.error));
            return e.reason.empty() ? error : QStringLiteral("%1 (%2)").arg(error, QString::fromStdString(e.reason));
        }
        const std::string& answer = !e.value.empty() ? e.value : e.text;
        return answer.empty() ? QStringLiteral("%1: ok").arg(action)
                              : QStringLiteral("%1: %2").arg(action, QString::fromStdString(answer));
    }
    default:
        return QString::fromStdString(e.reason);
    }
}

static bool isAlarm(const sc::Event& e)
{
    switch (e.kind) {
    case sc::EventKind::GiveUp:
        return true;
    case sc::EventKind::Exit:
        return isCrash(e);
    case sc::EventKind::StepResult:
    case sc::EventKind::Reply:
        return !e.ok;
    default:
        return false;
    }
}

QVariant EventLogModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= static_cast<int>(m_rows.size())) return {};
    const sc::Event& e = m_rows[static_cast<std::size_t>(index.row())];

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Seq:
            return QString::number(e.seq);
        case Time:
            return timeText(e.timeNs);
        case Kind:
            return QString::fromLatin1(sc::eventKindName(e.kind));
        case Path:
            return e.path.empty() && e.pid ? QString::number(e.pid) : QString::fromStdString(e.path);
        case Reason:
            return detailOf(e);
        }
        break;
    case Qt::ToolTipRole:
        return tr("#%1 %2, pid %3 (parent %4)\n%5")
            .arg(e.seq)
            .arg(QString::fromLatin1(sc::eventKindName(e.kind)))
            .arg(e.pid)
            .arg(e.parent)
            .arg(detailOf(e));
    case Qt::ForegroundRole:
        if (index.column() == Kind || index.column() == Reason) {
            if (isAlarm(e)) return theme::errorColor();
            if (e.kind == sc::EventKind::Restart) return theme::warnColor();
            if (e.kind == sc::EventKind::Start) return theme::okColor();
        }
        break;
    case Qt::FontRole:
        if (e.kind == sc::EventKind::GiveUp) {
            QFont font;
            font.setBold(true);
            return font;
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Seq) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case SeqRole:
        return QVariant::fromValue<qulonglong>(e.seq);
    case KindRole:
        return static_cast<int>(e.kind);
    case PidRole:
        return QVariant::fromValue<qulonglong>(e.pid);
    }
    return {};
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::TextAlignmentRole && section == Seq) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole) return {};
    switch (section) {
    case Seq:
        return tr("Seq");
    case Time:
        return tr("Time");
    case Kind:
        return tr("Event");
    case Path:
        return tr("Path");
    case Reason:
        return tr("Reason");
    }
    return {};
}

// -- EventLogFilter --

EventLogFilter::Group EventLogFilter::groupOf(sc::EventKind kind)
{
    switch (kind) {
    case sc::EventKind::Spawn:
    case sc::EventKind::Start:
    case sc::EventKind::Exit:
    case sc::EventKind::Restart:
    case sc::EventKind::GiveUp:
        return Group::Lifecycle;
    case sc::EventKind::Register:
    case sc::EventKind::Unregister:
        return Group::Registry;
    case sc::EventKind::Step:
    case sc::EventKind::StepResult:
    case sc::EventKind::Reply:
        return Group::Steps;
    case sc::EventKind::Log:
        return Group::Logs;
    }
    return Group::Logs;
}

EventLogFilter::EventLogFilter(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    // The source's order is the order to show: never sort.
    setDynamicSortFilter(true);
}

void EventLogFilter::setGroups(Groups groups)
{
    if (groups == m_groups) return;
    m_groups = groups;
    invalidateFilter();
    Q_EMIT filterChanged();
}

void EventLogFilter::setGroupShown(Group group, bool shown)
{
    setGroups(shown ? m_groups | group : m_groups & ~Groups(group));
}

void EventLogFilter::setText(const QString& text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text) return;
    m_text = trimmed;
    invalidateFilter();
    Q_EMIT filterChanged();
}

void EventLogFilter::setPaused(bool paused)
{
    if (paused == m_paused) return;
    m_paused = paused;
    if (paused) {
        // Every row shown is at most this new, so nothing needs re-testing.
        m_pausedAfter = sourceLastSeq();
    } else {
        m_pausedAfter = 0;
        invalidateFilter();
    }
    Q_EMIT filterChanged();
}

std::uint64_t EventLogFilter::newSincePause() const
{
    if (!m_paused) return 0;
    const std::uint64_t last = sourceLastSeq();
    return last > m_pausedAfter ? last - m_pausedAfter : 0;
}

std::uint64_t EventLogFilter::sourceLastSeq() const
{
    const QAbstractItemModel* source = sourceModel();
    if (!source || source->rowCount() == 0) return 0;
    return source->index(0, EventLogModel::Seq).data(EventLogModel::SeqRole).toULongLong();
}

bool EventLogFilter::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QAbstractItemModel* source = sourceModel();
    const QModelIndex first = source->index(sourceRow, EventLogModel::Seq, sourceParent);
    if (m_paused && first.data(EventLogModel::SeqRole).toULongLong() > m_pausedAfter) return false;
    const auto kind = static_cast<sc::EventKind>(first.data(EventLogModel::KindRole).toInt());
    if (!m_groups.testFlag(groupOf(kind))) return false;
    if (m_text.isEmpty()) return true;
    for (const int column : {EventLogModel::Path, EventLogModel::Reason}) {
        if (source->index(sourceRow, column, sourceParent).data().toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace sc::ui
