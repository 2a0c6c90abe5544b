// The Event log dock (eventlogpanel.h).
#include "ui/events/eventlogpanel.h"

#include "ui/common/celldelegate.h"

#include <QCheckBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProxyStyle>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <climits>

namespace sc::ui {

namespace {

struct GroupInfo {
    EventLogFilter::Group group;
    const char* label;
    const char* tip;
};

constexpr GroupInfo groupInfos[] = {
    {EventLogFilter::Group::Lifecycle, QT_TRANSLATE_NOOP("sc::ui::EventLogPanel", "Lifecycle"),
        QT_TRANSLATE_NOOP("sc::ui::EventLogPanel", "Show spawn, start, exit, restart and give_up")},
    {EventLogFilter::Group::Registry, QT_TRANSLATE_NOOP("sc::ui::EventLogPanel", "Registry"),
        QT_TRANSLATE_NOOP("sc::ui::EventLogPanel", "Show names registered and released")},
    {EventLogFilter::Group::Steps, QT_TRANSLATE_NOOP("sc::ui::EventLogPanel", "Steps"),
        QT_TRANSLATE_NOOP("sc::ui::EventLogPanel", "Show scenario steps, their results and the services' replies")},
    {EventLogFilter::Group::Logs, QT_TRANSLATE_NOOP("sc::ui::EventLogPanel", "Logs"),
        QT_TRANSLATE_NOOP("sc::ui::EventLogPanel", "Show free-text log events")},
};

/// A path keeps its last part when it must be cut; other cells keep their start.
class EventCellDelegate : public CellDelegate {
public:
    using CellDelegate::CellDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        CellDelegate::initStyleOption(option, index);
        option->textElideMode = index.column() == EventLogModel::Path ? Qt::ElideLeft : Qt::ElideRight;
    }
};

/// Check boxes as large as their text, and header labels inset as far as the
/// cells' text (CellDelegate's padding). A style sheet would do both, but a
/// widget with one stops following the font it is given (presenter mode).
class PanelStyle : public QProxyStyle {
public:
    using QProxyStyle::QProxyStyle;

    int pixelMetric(PixelMetric metric, const QStyleOption* option, const QWidget* widget) const override
    {
        if (widget && (metric == PM_IndicatorWidth || metric == PM_IndicatorHeight))
            return std::max(QProxyStyle::pixelMetric(metric, option, widget), widget->fontMetrics().height() * 3 / 4);
        if (metric == PM_HeaderMargin) return 8;
        return QProxyStyle::pixelMetric(metric, option, widget);
    }
};

} // namespace

EventLogPanel::EventLogPanel(EventLogModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_filter(new EventLogFilter(this))
    , m_search(new QLineEdit(this))
    , m_pause(new QToolButton(this))
    , m_count(new QLabel(this))
    , m_view(new QTableView(this))
{
    setObjectName(QStringLiteral("eventLogPanel"));
    m_filter->setSourceModel(model);

    m_search->setObjectName(QStringLiteral("eventFilterText"));
    m_search->setPlaceholderText(tr("Filter by path or reason"));
    m_search->setClearButtonEnabled(true);
    m_search->setToolTip(tr("Show only the events whose path or reason contains this text (any case)"));
    connect(m_search, &QLineEdit::textChanged, m_filter, &EventLogFilter::setText);

    m_count->setObjectName(QStringLiteral("eventCount"));
    m_count->setTextFormat(Qt::RichText);
    m_count->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_count->setSizePolicy(QSizePolicy::Minimum, QSizePolicy::Preferred);

    m_pause->setObjectName(QStringLiteral("eventPause"));
    m_pause->setText(tr("Pause"));
    m_pause->setCheckable(true);
    m_pause->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_pause->setSizePolicy(QSizePolicy::Minimum, QSizePolicy::Preferred);
    m_pause->setToolTip(tr("Freeze the list to read it; events keep arriving and show when you resume"));
    connect(m_pause, &QToolButton::toggled, this, &EventLogPanel::setPaused);

    auto* top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_search, 1);
    top->addSpacing(6);
    top->addWidget(m_count);
    top->addSpacing(6);
    top->addWidget(m_pause);

    // Check boxes: their tick says shown or hidden without relying on a shade.
    auto* groups = new QHBoxLayout;
    groups->setContentsMargins(0, 0, 0, 0);
    groups->setSpacing(16);
    groups->addWidget(new QLabel(tr("Show:"), this));
    auto* style = new PanelStyle;
    for (const GroupInfo& info : groupInfos) {
        auto* box = new QCheckBox(tr(info.label), this);
        box->setObjectName(QStringLiteral("eventGroup") + QLatin1String(info.label));
        box->setToolTip(tr(info.tip));
        box->setChecked(m_filter->groups().testFlag(info.group));
        box->setStyle(style);
        connect(box, &QCheckBox::toggled, m_filter,
            [this, group = info.group](bool shown) { m_filter->setGroupShown(group, shown); });
        m_groupButtons << box;
        groups->addWidget(box);
    }
    groups->addStretch(1);

    m_view->setObjectName(QStringLiteral("eventLog"));
    m_view->setModel(m_filter);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setWordWrap(false);
    m_view->setShowGrid(false);
    m_view->setItemDelegate(new EventCellDelegate(m_view));
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    QHeaderView* header = m_view->horizontalHeader();
    header->setStyle(style);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setStretchLastSection(true);
    m_view->viewport()->installEventFilter(this);
    connect(m_view, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        const QModelIndex source = m_filter->mapToSource(index);
        if (!source.isValid()) return;
        const sc::Event& e = m_model->eventAt(source.row());
        Q_EMIT eventActivated(e.pid, QString::fromStdString(e.path));
    });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->setSpacing(4);
    layout->addLayout(top);
    layout->addLayout(groups);
    layout->addWidget(m_view, 1);

    for (QAbstractItemModel* counted :
        {static_cast<QAbstractItemModel*>(m_filter), static_cast<QAbstractItemModel*>(m_model)}) {
        connect(counted, &QAbstractItemModel::rowsInserted, this, &EventLogPanel::updateCount);
        connect(counted, &QAbstractItemModel::rowsRemoved, this, &EventLogPanel::updateCount);
        connect(counted, &QAbstractItemModel::modelReset, this, &EventLogPanel::updateCount);
        connect(counted, &QAbstractItemModel::layoutChanged, this, &EventLogPanel::updateCount);
    }
    connect(m_filter, &EventLogFilter::filterChanged, this, &EventLogPanel::updateCount);

    // The last child, so it is deleted after every widget that uses it.
    style->setParent(this);

    applyFont();
    updateCount();
}

QAbstractButton* EventLogPanel::groupButton(EventLogFilter::Group group) const
{
    for (int i = 0; i < m_groupButtons.size(); ++i) {
        if (groupInfos[i].group == group) return m_groupButtons[i];
    }
    return nullptr;
}

bool EventLogPanel::isPaused() const
{
    return m_filter->isPaused();
}

void EventLogPanel::setPaused(bool paused)
{
    m_filter->setPaused(paused);
    if (m_pause->isChecked() != paused) m_pause->setChecked(paused);
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    updateCount();
}

QString EventLogPanel::countText() const
{
    QString showing = tr("Showing %1 of %2").arg(m_filter->rowCount()).arg(m_model->rowCount());
    if (!m_filter->isPaused()) return showing;
    const int held = static_cast<int>(std::min<std::uint64_t>(m_filter->newSincePause(), INT_MAX));
    return tr("Paused: %1, %n new", nullptr, held).arg(showing);
}

void EventLogPanel::updateCount()
{
    QString text = countText().toHtmlEscaped();
    if (m_filter->isPaused()) {
        // Said in bold words, not only by the button's shade.
        const qsizetype colon = text.indexOf(QLatin1Char(':'));
        text = QStringLiteral("<b>%1</b>%2").arg(text.left(colon + 1), text.mid(colon + 1));
    }
    if (m_count->text() == text) return;
    m_count->setText(text);
    // The label only grows, so the search field does not twitch as numbers change.
    m_count->setMinimumWidth(std::max(m_count->minimumWidth(), m_count->sizeHint().width()));
}

void EventLogPanel::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) applyFont();
}

bool EventLogPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize) fitColumns();
    return QWidget::eventFilter(watched, event);
}

void EventLogPanel::applyFont()
{
    const QFontMetrics metrics(font());
    const auto columnWidth = [&metrics](const QString& sample) { return metrics.horizontalAdvance(sample) + 40; };
    QFont headerFont = font();
    headerFont.setBold(true);

    m_view->verticalHeader()->setDefaultSectionSize(metrics.height() + 10);
    QHeaderView* header = m_view->horizontalHeader();
    header->setFont(headerFont);
    header->resizeSection(EventLogModel::Seq, columnWidth(QStringLiteral("0000000")));
    header->resizeSection(EventLogModel::Time, columnWidth(QStringLiteral("00:00:00.000")));
    header->resizeSection(EventLogModel::Kind, columnWidth(QStringLiteral("unregister")));
    m_pathWidth = columnWidth(QStringLiteral("finance/trackers/tracker-00"));
    m_search->setMinimumWidth(metrics.horizontalAdvance(QLatin1Char('M')) * 8);
    m_count->clear();
    m_count->setMinimumWidth(0);
    updateCount();
    fitColumns();
}

void EventLogPanel::fitColumns()
{
    // Path gets its full width when Reason still has room; otherwise it gives
    // way (keeping its last part) down to a floor.
    const QFontMetrics metrics(font());
    const int em = metrics.horizontalAdvance(QLatin1Char('M'));
    const QHeaderView* header = m_view->horizontalHeader();
    const int fixed = header->sectionSize(EventLogModel::Seq) + header->sectionSize(EventLogModel::Time)
        + header->sectionSize(EventLogModel::Kind);
    const int room = m_view->viewport()->width() - fixed - 10 * em;
    m_view->horizontalHeader()->resizeSection(
        EventLogModel::Path, std::clamp(room, std::min(7 * em, m_pathWidth), m_pathWidth));
}

} // namespace sc::ui
