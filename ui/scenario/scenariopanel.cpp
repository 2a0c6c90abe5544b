// The scenario panel: the player's dock with the steps, Play/Step/Restart and the speed.
#include "ui/scenario/scenariopanel.h"

#include "ui/common/theme.h"
#include "ui/scenario/scenariomenu.h"
#include "ui/scenario/scenarioplayer.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QStyledItemDelegate>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace sc::ui {

namespace {

/// A step item's target path (QString; empty for steps without one).
constexpr int kTargetRole = Qt::UserRole + 1;

/// The width a view's cell of `cellWidth` leaves its text (the style's margins on both sides).
int textWidthIn(const QWidget* view, int cellWidth)
{
    const int margin = view->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, view) + 1;
    return std::max(0, cellWidth - 2 * margin - 2);
}

/// Draws a step with its target readable: the path loses middle segments before anything else.
class StepDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->textElideMode = Qt::ElideMiddle; // what is left to cut after elideStepText: keep the end
        const QString target = index.data(kTargetRole).toString();
        if (target.isEmpty()) return;
        option->text
            = elideStepText(option->text, target, option->fontMetrics, textWidthIn(option->widget, option->rect.width()));
    }
};

} // namespace

// -- ScenarioPanel --

ScenarioPanel::ScenarioPanel(ScenarioPlayer* player, QWidget* parent)
    : QDockWidget(tr("Scenario"), parent)
    , m_player(player)
{
    setObjectName(QStringLiteral("scenarioDock"));
    auto* body = new QWidget(this);
    // Read from the back of a classroom: larger than the rest of the window.
    QFont font = body->font();
    font.setPointSizeF(font.pointSizeF() * 1.25);
    body->setFont(font);

    m_title = new QLabel(body);
    QFont titleFont = font;
    titleFont.setBold(true);
    titleFont.setPointSizeF(font.pointSizeF() * 1.2);
    m_title->setFont(titleFont);
    m_title->setWordWrap(true);
    m_description = new QLabel(body);
    m_description->setWordWrap(true);
    m_description->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    // A long description scrolls rather than push the steps out of the panel.
    auto* descriptionArea = new QScrollArea(body);
    descriptionArea->setWidgetResizable(true);
    descriptionArea->setFrameShape(QFrame::NoFrame);
    descriptionArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    descriptionArea->setWidget(m_description);
    m_descriptionArea = descriptionArea;

    m_steps = new QTreeWidget(body);
    m_steps->setColumnCount(ColumnCount);
    m_steps->setHeaderLabels({tr("Step"), tr("Answer")});
    m_steps->setRootIsDecorated(false);
    m_steps->setUniformRowHeights(true);
    m_steps->setSelectionMode(QAbstractItemView::NoSelection);
    m_steps->setFocusPolicy(Qt::NoFocus);
    // The step column is sized to its steps (fitColumns), the answers take the rest; a step that
    // is cut keeps the end of its path (StepDelegate), and the tooltips have both whole.
    m_steps->header()->setStretchLastSection(true);
    m_steps->header()->setSectionResizeMode(StepColumn, QHeaderView::Interactive);
    m_steps->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // the columns are sized to fit
    // The list takes the dock's width and never asks for more: long steps are cut, not the tree's room.
    m_steps->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Expanding);
    m_steps->setItemDelegateForColumn(StepColumn, new StepDelegate(m_steps));

    m_status = new QLabel(body);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_play = new QPushButton(body);
    m_step = new QPushButton(tr("Step"), body);
    m_step->setToolTip(tr("Perform the next step, then wait"));
    m_restart = new QPushButton(tr("Restart"), body);
    m_restart->setToolTip(tr("Stop the tree and start the scenario again from its first step"));
    m_open = new QPushButton(tr("Open…"), body);
    m_open->setToolTip(tr("Open a scenario file"));

    m_speed = new QComboBox(body);
    m_speed->setToolTip(tr("The pause between two steps while playing"));
    for (int ms : kDelays)
        m_speed->addItem(tr("%1 s").arg(QLocale().toString(ms / 1000.0, 'g', 2)), ms);
    const int current = m_speed->findData(int(m_player->stepDelay().count()));
    m_speed->setCurrentIndex(current >= 0 ? current : m_speed->findData(800));

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_play);
    buttons->addWidget(m_step);
    buttons->addWidget(m_restart);
    auto* speed = new QHBoxLayout;
    auto* speedLabel = new QLabel(tr("Between steps:"), body);
    speedLabel->setBuddy(m_speed);
    // Short: in presenter type the row fits the side column presenter mode keeps narrow for the tree.
    speed->addWidget(speedLabel);
    speed->addWidget(m_speed);
    speed->addStretch();
    speed->addWidget(m_open);

    auto* layout = new QVBoxLayout(body);
    layout->addWidget(m_title);
    layout->addWidget(descriptionArea);
    layout->addWidget(m_steps, 1);
    layout->addWidget(m_status);
    layout->addLayout(buttons);
    layout->addLayout(speed);
    setWidget(body);
    body->installEventFilter(this);
    // The list's own width too: the body's resize reaches the filter before its layout moves the list.
    m_steps->viewport()->installEventFilter(this);

    connect(m_play, &QPushButton::clicked, this, [this] {
        if (m_player->isPlaying())
            m_player->pause();
        else
            m_player->play();
    });
    connect(m_step, &QPushButton::clicked, m_player, &ScenarioPlayer::step);
    connect(m_restart, &QPushButton::clicked, m_player, &ScenarioPlayer::restart);
    connect(m_open, &QPushButton::clicked, this, &ScenarioPanel::openFile);
    connect(m_speed, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0) m_player->setStepDelay(std::chrono::milliseconds(m_speed->itemData(index).toInt()));
    });
    connect(m_player, &ScenarioPlayer::scenarioLoaded, this, [this] {
        m_error.clear();
        rebuild();
    });
    connect(m_player, &ScenarioPlayer::failed, this, [this](const QString& message) {
        m_error = message;
        refresh();
    });
    connect(m_player, &ScenarioPlayer::stateChanged, this, &ScenarioPanel::refresh);
    rebuild();
}

void ScenarioPanel::rebuild()
{
    m_titleText = m_player->hasScenario() ? m_player->title() : tr("No scenario");
    m_title->setText(m_titleText);
    m_title->setToolTip(m_titleText);
    m_description->setText(m_player->description());
    m_steps->clear();
    for (int i = 0; i < m_player->stepCount(); ++i) {
        auto* item = new QTreeWidgetItem(m_steps);
        item->setData(StepColumn, Qt::UserRole, i);
        item->setData(
            StepColumn, kTargetRole, QString::fromStdString(m_player->scenario()->steps[std::size_t(i)].target));
    }
    refresh();
}

void ScenarioPanel::refresh()
{
    const int count = m_player->stepCount();
    const bool ended = m_player->hasEnded();
    const int current = m_player->runningStep() >= 0 ? m_player->runningStep() : m_player->nextStep();
    for (int i = 0; i < count && i < m_steps->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_steps->topLevelItem(i);
        const auto result = m_player->stepResult(i);
        // A step the end left out is marked as such, not as waiting for its turn.
        const bool notRun = ended && !result && i != m_player->runningStep();
        QString mark = QStringLiteral("   ");
        if (result)
            mark = result->ok ? QStringLiteral("✓") : QStringLiteral("✗");
        else if (i == m_player->runningStep())
            mark = QStringLiteral("▶");
        else if (notRun)
            mark = QStringLiteral("–");
        const QString text = QStringLiteral("%1. %2").arg(i + 1).arg(m_player->stepText(i));
        item->setText(StepColumn, QStringLiteral("%1  %2").arg(mark, text));
        const QString answer = result ? result->answer : notRun ? tr("not run: the tree has ended") : QString();
        item->setText(AnswerColumn, answer);
        item->setToolTip(StepColumn, text);
        item->setToolTip(AnswerColumn, answer);
        QBrush answerBrush;
        if (result)
            answerBrush = QBrush(result->ok ? theme::okColor() : theme::errorColor());
        else if (notRun)
            answerBrush = m_steps->palette().brush(QPalette::PlaceholderText);
        item->setForeground(AnswerColumn, answerBrush);
        const bool isCurrent = i == current && m_player->state() == ScenarioPlayer::State::Ready;
        // Only the current step carries a font of its own: the others follow the list's (presenter) size.
        QFont bold = m_steps->font();
        bold.setBold(true);
        for (int column : {int(StepColumn), int(AnswerColumn)})
            item->setData(column, Qt::FontRole, isCurrent ? QVariant(bold) : QVariant());
        const QBrush background = isCurrent ? m_steps->palette().brush(QPalette::Highlight) : QBrush();
        const QBrush highlighted = isCurrent ? m_steps->palette().brush(QPalette::HighlightedText) : QBrush();
        item->setBackground(StepColumn, background);
        item->setBackground(AnswerColumn, background);
        item->setForeground(StepColumn, notRun ? m_steps->palette().brush(QPalette::PlaceholderText) : highlighted);
        if (isCurrent) {
            item->setForeground(AnswerColumn, highlighted);
            m_steps->scrollToItem(item);
        }
    }
    // Ended: the step that ended it (or the first, if none ran) in view, with what was left out below.
    if (ended && m_steps->topLevelItemCount() > 0)
        m_steps->scrollToItem(m_steps->topLevelItem(std::clamp(m_player->nextStep() - 1, 0, count - 1)),
            QAbstractItemView::PositionAtTop);

    QString status;
    switch (m_player->state()) {
    case ScenarioPlayer::State::Empty:
        status = m_player->lastError().isEmpty()
            ? tr("No scenario loaded: open a file, or pick a demo from the Scenarios menu.")
            : tr("The scenario could not start: %1").arg(m_player->lastError());
        break;
    case ScenarioPlayer::State::Loading:
        status = tr("Starting the tree…");
        break;
    case ScenarioPlayer::State::Ready:
        if (m_player->runningStep() >= 0)
            status = tr("Step %1 of %2 running…").arg(m_player->runningStep() + 1).arg(count);
        else if (count == 0)
            status = tr("The tree runs; this scenario has no steps.");
        else if (m_player->isFinished())
            status = tr("Done: all %1 steps performed.").arg(count);
        else if (m_player->isPlaying())
            status = tr("Playing: step %1 of %2 next.").arg(m_player->nextStep() + 1).arg(count);
        else
            status = tr("Paused before step %1 of %2.").arg(m_player->nextStep() + 1).arg(count);
        break;
    case ScenarioPlayer::State::Ended: {
        const int done = m_player->nextStep();
        if (m_player->runningStep() >= 0)
            status = tr("The tree has ended (%1) while step %2 of %3 runs.")
                         .arg(m_player->endReason())
                         .arg(m_player->runningStep() + 1)
                         .arg(count);
        else if (count == 0)
            status = tr("The tree has ended: %1.").arg(m_player->endReason());
        else if (done >= count)
            status = tr("Done: all %1 steps performed, and the tree has ended: %2.").arg(count).arg(m_player->endReason());
        else if (done == 0)
            status = tr("The scenario has ended before its first step: %1.").arg(m_player->endReason());
        else
            status = tr("The scenario has ended at step %1 of %2: %3.").arg(done).arg(count).arg(m_player->endReason());
        break; // the restart is offered right below, in place of Play and Step
    }
    }
    if (!m_error.isEmpty() && m_error != m_player->lastError())
        status += QLatin1Char('\n') + tr("Not opened: %1").arg(m_error);
    m_status->setText(status);
    const bool bad = m_player->state() == ScenarioPlayer::State::Empty && !m_player->lastError().isEmpty();
    // A palette, not a style sheet: a style sheet drops the panel's (presenter) type size for the
    // application's, and an error became the smallest text of the panel.
    QPalette statusPalette = palette();
    if (bad || !m_error.isEmpty()) statusPalette.setColor(QPalette::WindowText, theme::errorColor());
    m_status->setPalette(statusPalette);

    const bool ready = m_player->state() == ScenarioPlayer::State::Ready;
    m_play->setText(m_player->isPlaying() ? tr("❚❚ Pause") : tr("▶ Play"));
    m_play->setToolTip(
        m_player->isPlaying() ? tr("Stop after the step that is running") : tr("Perform the steps one after another"));
    m_play->setEnabled(m_player->isPlaying() || (m_player->state() == ScenarioPlayer::State::Loading && count > 0)
        || (ready && !m_player->isFinished()));
    m_step->setEnabled(ready && !m_player->isPlaying() && m_player->runningStep() < 0 && !m_player->isFinished());
    // Once ended, steps would only fail against the dead tree: the restart takes their place.
    // The long label only while Play and Step are hidden, never beside them: the row would ask
    // the window for a wider dock, which it keeps.
    if (!ended) m_restart->setText(tr("Restart"));
    QFont restartFont = m_restart->font();
    restartFont.setBold(ended);
    m_restart->setFont(restartFont);
    m_play->setVisible(!ended);
    m_step->setVisible(!ended);
    if (ended) m_restart->setText(tr("↻ Restart this scenario"));
    m_restart->setEnabled(m_player->hasScenario());
    fitLayout();
    fitColumns(); // after: the header may have gone
}

QString ScenarioPanel::shownStepText(int index) const
{
    const QTreeWidgetItem* item = m_steps->topLevelItem(index);
    if (!item) return {};
    const QFont font = item->data(StepColumn, Qt::FontRole).isValid() ? item->font(StepColumn) : m_steps->font();
    return elideStepText(item->text(StepColumn), item->data(StepColumn, kTargetRole).toString(), QFontMetrics(font),
        textWidthIn(m_steps, m_steps->columnWidth(StepColumn)));
}

void ScenarioPanel::fitColumns()
{
    QFont bold = m_steps->font(); // the current step is drawn bold: measure every step as if it were
    bold.setBold(true);
    const QFontMetrics metrics(bold);
    int steps = 0;
    // A shown header keeps its word readable; a hidden one, and no answers yet, need no room.
    int answers = m_steps->isHeaderHidden() ? 0 : metrics.horizontalAdvance(m_steps->headerItem()->text(AnswerColumn));
    for (int i = 0; i < m_steps->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = m_steps->topLevelItem(i);
        steps = std::max(steps, metrics.horizontalAdvance(item->text(StepColumn)));
        answers = std::max(answers, metrics.horizontalAdvance(item->text(AnswerColumn)));
    }
    const int padding = m_steps->columnWidth(StepColumn) - textWidthIn(m_steps, m_steps->columnWidth(StepColumn));
    const int width = m_steps->viewport()->width();
    // The answers keep what they need up to a third of the list; the steps get the rest, no more than they need.
    const int answerRoom = std::max(answers > 0 ? std::min(answers + padding, width / 3) : 0,
        m_steps->header()->minimumSectionSize()); // the columns together no wider than the list
    const int stepWidth = std::max(std::min(steps + padding, width - answerRoom), width / 3);
    if (m_steps->columnWidth(StepColumn) != stepWidth) m_steps->header()->resizeSection(StepColumn, stepWidth);
}

void ScenarioPanel::fitLayout()
{
    // Who gives way, last to first: the status and the buttons take what they need, the step list
    // one row, the title one line (all of it if the list still gets three rows), the description up
    // to four lines of what is left, and the list the rest. Minimums adding up to more than the
    // panel has are what drew the status over the list in a short dock.
    QWidget* body = widget();
    auto* layout = qobject_cast<QBoxLayout*>(body ? body->layout() : nullptr);
    if (!layout || !m_descriptionArea) return;
    const QMargins margins = layout->contentsMargins();
    const int spacing = layout->spacing();
    const int inner = std::max(1, body->width() - margins.left() - margins.right());
    int fixed = margins.top() + margins.bottom();
    int parts = 1; // shown, besides the title and the description; the list counts, shown or not
    for (int i = 0; i < layout->count(); ++i) {
        QLayoutItem* item = layout->itemAt(i);
        if (item->widget() == m_descriptionArea || item->widget() == m_title || item->widget() == m_steps) continue;
        if (item->isEmpty() && !item->layout()) continue;
        ++parts;
        fixed += item->hasHeightForWidth() ? item->heightForWidth(inner) : item->sizeHint().height();
    }
    fixed += spacing * std::max(0, parts - 1);
    const int left = body->height() - fixed;

    const int frame = 2 * m_steps->frameWidth();
    const int row = m_steps->topLevelItemCount() > 0 ? m_steps->sizeHintForRow(0) : m_steps->fontMetrics().height();
    const int header = m_steps->header()->sizeHint().height();
    const int listWanted = header + 3 * row + frame;

    const QFontMetrics titleMetrics(m_title->font());
    const int wrapped
        = titleMetrics.boundingRect(QRect(0, 0, inner, 1 << 20), Qt::TextWordWrap, m_titleText).height();
    int title = 0;
    if (left - wrapped - spacing >= listWanted)
        title = wrapped;
    else if (left - titleMetrics.height() - spacing >= row + frame)
        title = titleMetrics.height();
    const bool wrap = title == wrapped;
    const QString shownTitle = wrap ? m_titleText : titleMetrics.elidedText(m_titleText, Qt::ElideRight, inner);
    if (m_title->wordWrap() != wrap) m_title->setWordWrap(wrap);
    if (m_title->text() != shownTitle) m_title->setText(shownTitle);
    m_title->setVisible(title > 0); // the dock's own title still says "Scenario"

    const int room = std::max(0, left - (title > 0 ? title + spacing : 0));
    const bool hasDescription = !m_description->text().isEmpty();
    const int line = QFontMetrics(m_description->font()).lineSpacing();
    const int needed = hasDescription ? m_description->heightForWidth(std::max(1, inner - 2)) + 2 : 0;
    int description = std::min({needed, line * 4 + 2, room - listWanted - spacing});
    if (description < line + 2) description = 0; // less than a line helps nobody: the title says what it is
    m_descriptionArea->setVisible(description > 0);
    if (description > 0) m_descriptionArea->setFixedHeight(description);
    const int listRoom = room - (description > 0 ? description + spacing : 0);
    // At least 1: a zero minimum would fall back to the list's own hint, taller than a short dock.
    m_steps->setMinimumHeight(std::clamp(listRoom, 1, listWanted));
    // Less than one whole step would be a sliver of one: the status and the buttons take it.
    m_steps->setVisible(listRoom >= row + frame);
    // Too short for the header and two steps: the steps without their header.
    m_steps->setHeaderHidden(listRoom < header + 2 * row + frame);
    // The body asks only for what never gives way, not for what this height let it show: else the
    // panel could grow (presenter mode, a taller window) but never shrink back, and the window with it.
    body->setMinimumHeight(std::max(1, fixed));
}

void ScenarioPanel::resizeEvent(QResizeEvent* event)
{
    QDockWidget::resizeEvent(event);
    if (m_descriptionArea) fitColumns();
}

bool ScenarioPanel::eventFilter(QObject* watched, QEvent* event)
{
    // The body's own size and type size, not the dock's: the body is resized after the dock, and
    // presenter mode sets the body's font after the window's.
    if (watched == widget() && m_descriptionArea) {
        if (event->type() == QEvent::Resize) {
            fitLayout();
            fitColumns();
        } else if (event->type() == QEvent::FontChange) {
            refresh();
        }
    }
    if (m_descriptionArea && watched == m_steps->viewport() && event->type() == QEvent::Resize) fitColumns();
    return QDockWidget::eventFilter(watched, event);
}

void ScenarioPanel::changeEvent(QEvent* event)
{
    QDockWidget::changeEvent(event);
    if ((event->type() == QEvent::FontChange || event->type() == QEvent::PaletteChange) && m_speed)
        refresh(); // the status's own palette and the current step's font follow
}

void ScenarioPanel::openFile()
{
    openScenarioFile(this, m_player);
}

QString elideStepText(const QString& text, const QString& target, const QFontMetrics& metrics, int width)
{
    if (metrics.horizontalAdvance(text) <= width) return text;
    const qsizetype at = target.isEmpty() ? -1 : text.lastIndexOf(target);
    if (at >= 0) {
        const QStringList parts = target.split(QLatin1Char('/'));
        const QString ellipsis = QStringLiteral("…");
        const auto with = [&](const QString& path) { return text.left(at) + path + text.mid(at + target.size()); };
        // root/a/b/c/leaf -> root/…/b/c/leaf -> root/…/c/leaf -> root/…/leaf -> …/leaf
        for (qsizetype kept = parts.size() - 2; kept >= 1; --kept) {
            QStringList path {parts.first(), ellipsis};
            path += parts.mid(parts.size() - kept);
            const QString shorter = with(path.join(QLatin1Char('/')));
            if (metrics.horizontalAdvance(shorter) <= width) return shorter;
        }
        const QString last = with(ellipsis + QLatin1Char('/') + parts.last());
        if (parts.size() > 1 && metrics.horizontalAdvance(last) <= width) return last;
        // Still too wide: the path keeps its last segment after an ellipsis ("4. stop …catalog
        // (normal)"), and the words in front give way if they must, one ellipsis marking both cuts
        // ("4. st…catalog (normal)").
        const QString back = parts.last() + text.mid(at + target.size());
        const QString front = text.left(at);
        const int room = width - metrics.horizontalAdvance(back); // for the front and an ellipsis
        const int ellipsisWidth = metrics.horizontalAdvance(ellipsis);
        if (metrics.horizontalAdvance(front + ellipsis) <= room) return front + ellipsis + back;
        if (room > ellipsisWidth * 4) return metrics.elidedText(front, Qt::ElideRight, room - ellipsisWidth) + back;
    }
    return metrics.elidedText(text, Qt::ElideMiddle, width);
}

} // namespace sc::ui
