// The main window's presenter mode: large type and high contrast for a
// projector, and the dock layout that gives the tree the room, fitted into
// the screen; leaving restores what it replaced.
#include "ui/window/mainwindow.h"

#include "ui/common/theme.h"
#include "ui/events/timeline.h"
#include "ui/scenario/scenariopanel.h"
#include "ui/scenario/scenarioplayer.h"
#include "ui/tree/treegraphview.h"

#include <QAbstractScrollArea>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QCoreApplication>
#include <QDockWidget>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>
#include <QMenu>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QToolBar>
#include <algorithm>
#include <spdlog/spdlog.h>

namespace sc::ui {

void MainWindow::setPresenterMode(bool on)
{
    if (on == m_presenterMode) return;
    m_presenterMode = on;
    m_presenter->setChecked(on);
    if (on) {
        m_stateBeforePresenter = saveState(layoutVersion);
        m_geometryBeforePresenter = saveGeometry();
        m_normalBeforePresenter = geometry();
    }
    // Menus are windows of their own: without this they keep the standard size. Leaving, they
    // get the application's menu font back, as before.
    for (QMenu* menu : findChildren<QMenu*>()) {
        menu->setAttribute(Qt::WA_WindowPropagation, on);
        if (!on) menu->setFont(QFont());
    }
    theme::scaleFonts(this, on ? theme::presenterScale : 1.0);
    m_graph->setPresenterMode(on);
    setPalette(on ? theme::presenterPalette(QApplication::palette()) : QPalette());
    const int icon = on ? 32 : 28; // the label beside it is as tall: a larger icon only makes the line taller
    m_toolBar->setIconSize(QSize(icon, icon));
    arrangeForPresenter(on);
    spdlog::info("presenter mode {}", on ? "on" : "off");
}

// -- presenter mode's layout --

void MainWindow::arrangeForPresenter(bool on)
{
    auto* teaching = findChild<QToolBar*>(QStringLiteral("teachingToolBar"));
    if (!on) {
        for (QDockWidget* dock : findChildren<QDockWidget*>())
            presentDock(dock, false);
        m_tickLabel->show();
        compactToolBars(false);
        removeToolBarBreak(teaching); // the saved state has the docks' places
        setCorner(Qt::BottomRightCorner, m_cornerBeforePresenter);
        restoreState(m_stateBeforePresenter, layoutVersion);
        settleLayout();
        // Not restoreGeometry: without a window manager it adds a guessed title bar's height.
        if (m_normalBeforePresenter.isValid()) setGeometry(m_normalBeforePresenter);
        return;
    }
    const QRect available = screen() ? screen()->availableGeometry() : QRect(QPoint(), size());
    // The tallest panels (the scenario's steps, the inspector) get the full height on the right,
    // beside the tree rather than above the bottom panels; the bottom panels share one height as
    // tabs, the timeline in front. Stacked, their minimum heights would outgrow a 720 px screen.
    m_cornerBeforePresenter = corner(Qt::BottomRightCorner);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    auto* timelineDock = findChild<QDockWidget*>(QStringLiteral("timelineDock"));
    // The event log (its filter row the widest panel) stays with the bottom tabs, which are as wide as
    // the tree: the side column is kept narrow for it.
    tabifyDockArea(Qt::BottomDockWidgetArea, timelineDock);
    tabifyDockArea(Qt::RightDockWidgetArea, nullptr);
    // Both toolbars in large type are wider than 1280 px: then the teaching one gets a line of its own,
    // rather than hide Step behind the overflow button.
    compactToolBars(true);
    for (QToolBar* bar : {m_toolBar, teaching})
        bar->layout()->invalidate(); // a window not shown yet would keep their standard widths
    if (m_toolBar->sizeHint().width() + teaching->sizeHint().width() > available.width()) insertToolBarBreak(teaching);
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        presentDock(dock, true);
    // A number for the developer, not the class: the status bar keeps its width for the pace.
    m_tickLabel->hide();
    // As narrow and as short as their panels allow: the rest is the tree's.
    // The side column is as wide as its widest panel needs (they scroll now, but a scroll bar
    // would hide the scenario's buttons), up to five twelfths of the screen: the tree is what the class
    // looks at. The side panels wrap their labels to fit that.
    QList<QDockWidget*> side;
    int sideWidth = available.width() / 4;
    for (QDockWidget* dock : findChildren<QDockWidget*>()) {
        if (dock->isFloating() || dockWidgetArea(dock) != Qt::RightDockWidgetArea) continue;
        side << dock;
        const auto* scroll = qobject_cast<QScrollArea*>(dock->widget());
        if (const QWidget* content = scroll ? scroll->widget() : dock->widget())
            sideWidth = std::max(sideWidth,
                content->minimumSizeHint().width() + 4 + (scroll ? scroll->verticalScrollBar()->sizeHint().width() : 0));
    }
    if (!side.isEmpty())
        resizeDocks(side, QList<int>(side.size(), std::min(sideWidth, available.width() * 5 / 12)), Qt::Horizontal);
    if (timelineDock && dockWidgetArea(timelineDock) == Qt::BottomDockWidgetArea)
        resizeDocks({timelineDock}, {std::max(available.height() / 5, m_timeline->minimumSizeHint().height() + 4)},
            Qt::Vertical);
    fitIntoScreen();
}

void MainWindow::presentDock(QDockWidget* dock, bool on)
{
    static const QString kNoTitle = QStringLiteral("presenterNoTitle");
    static const QString kScroll = QStringLiteral("presenterScroll");
    if (!on) {
        if (QWidget* none = dock->titleBarWidget(); none && none->objectName() == kNoTitle) {
            dock->setTitleBarWidget(nullptr);
            delete none;
        }
        if (auto* scroll = qobject_cast<QScrollArea*>(dock->widget()); scroll && scroll->objectName() == kScroll) {
            QWidget* content = scroll->takeWidget();
            dock->setWidget(content);
            content->show();
            delete scroll;
        }
        return;
    }
    if (dock->isFloating()) return;
    // The tabs name the panels: their title bars would take a line of the tree's height each
    // (the View menu still shows and hides them).
    if (!dock->titleBarWidget()) {
        auto* none = new QWidget(dock);
        none->setObjectName(kNoTitle);
        dock->setTitleBarWidget(none);
    }
    // A side panel whose large type needs more height than the screen has (a scenario with a long
    // title, say) scrolls, rather than make the window taller than the screen. The bottom ones
    // (the timeline in front) keep their heights, which the layout gives them.
    // Not the scenario panel: it fits itself to the height it gets (the title elided, the description
    // gone before the steps), and in a scroll area it would be measured taller than it is shown.
    QWidget* content = dock->widget();
    if (content && !qobject_cast<QAbstractScrollArea*>(content) && dockWidgetArea(dock) == Qt::RightDockWidgetArea
        && dock != m_scenarioPanel) {
        auto* scroll = new QScrollArea(dock);
        scroll->setObjectName(kScroll);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        scroll->setWidget(content);
        dock->setWidget(scroll);
        // A panel's controls are at its bottom (the scenario's Play and Step): they stay in view,
        // and the title scrolls out first.
        QScrollBar* bar = scroll->verticalScrollBar();
        connect(bar, &QScrollBar::rangeChanged, bar, [bar](int, int max) { bar->setValue(max); });
    }
}

void MainWindow::compactToolBars(bool on)
{
    // An action's icon text names only its tool button; empty, the button shows the action's text.
    m_pause->setIconText(on ? tr("Pause") : QString());
    m_stepOne->setIconText(on ? tr("Step") : QString());
    const int em = QFontMetrics(font()).horizontalAdvance(QLatin1Char('M'));
    m_find->setMaximumWidth(em * (on ? 7 : 18));
    // The list about as wide as "Full speed" rather than its longest entry; the open list shows them whole.
    m_speed->setMinimumContentsLength(8);
    m_speed->setSizeAdjustPolicy(
        on ? QComboBox::AdjustToMinimumContentsLengthWithIcon : QComboBox::AdjustToContentsOnFirstShow);
}

void MainWindow::tabifyDockArea(Qt::DockWidgetArea area, QDockWidget* front)
{
    QList<QDockWidget*> docks;
    for (QDockWidget* dock : findChildren<QDockWidget*>()) {
        if (!dock->isFloating() && dockWidgetArea(dock) == area) docks << dock;
    }
    if (docks.size() < 2) return;
    if (front && !docks.contains(front)) front = nullptr;
    QDockWidget* anchor = front ? front : docks.front();
    const QList<QDockWidget*> already = tabifiedDockWidgets(anchor);
    QDockWidget* shown = nullptr; // without a `front`, the panel that was in front stays there
    for (QDockWidget* dock : docks) {
        if (!shown && !dock->visibleRegion().isEmpty()) shown = dock;
        if (dock != anchor && !already.contains(dock)) tabifyDockWidget(anchor, dock);
    }
    if (!front && !shown) {
        // Not shown yet (--presenter, or the theme saved): the panel the window starts with in front.
        QDockWidget* scenario = m_player && m_player->stepCount() > 0 ? m_scenarioPanel : nullptr;
        for (QDockWidget* usual : {scenario, m_financeDock, m_inspectorDock}) {
            if (usual && docks.contains(usual)) {
                shown = usual;
                break;
            }
        }
    }
    (front ? front : shown ? shown : anchor)->raise();
}

void MainWindow::settleLayout()
{
    // The new fonts' and docks' minimum sizes now, not at the next event loop pass: the window grows
    // to a minimum that is larger than its size, and a size set before would be overridden.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    if (layout()) {
        layout()->invalidate(); // else a layout that thinks itself current keeps the window's old minimum
        layout()->activate();
    }
}

void MainWindow::fitIntoScreen()
{
    const QScreen* where = screen();
    if (!where) return;
    settleLayout();
    const QRect available = where->availableGeometry();
    const QSize frame = frameGeometry().size() - size();
    const QSize most = available.size() - frame;
    // All of it: every line of the screen the window leaves unused is a line the tree could have had.
    resize(most);
    QRect placed = frameGeometry();
    placed.moveRight(std::min(placed.right(), available.right()));
    placed.moveBottom(std::min(placed.bottom(), available.bottom()));
    placed.moveLeft(std::max(placed.left(), available.left()));
    placed.moveTop(std::max(placed.top(), available.top()));
    move(placed.topLeft());
}

} // namespace sc::ui
