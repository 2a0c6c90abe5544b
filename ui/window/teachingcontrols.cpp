// The main window's teaching controls: pause, one message at a time and slow
// motion (the Runtime menu, the Teaching toolbar and the status bar's notice),
// set through the bridge.
#include "ui/window/mainwindow.h"

#include "ui/bridge/runtimebridge.h"
#include "ui/common/theme.h"

#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>
#include <QToolBar>

namespace sc::ui {

void MainWindow::createTeachingControls()
{
    m_pause = new QAction(tr("&Pause runtime"), this);
    m_pause->setCheckable(true);
    m_pause->setShortcut(QKeySequence(Qt::Key_P));
    m_pause->setToolTip(tr("Stop every process handling messages (P): what is sent meanwhile waits in the "
                           "mailboxes, and Step lets one message through at a time"));
    connect(m_pause, &QAction::toggled, this, &MainWindow::setRuntimePaused);

    m_stepOne = new QAction(tr("S&tep one message"), this);
    m_stepOne->setShortcut(QKeySequence(Qt::Key_Period));
    m_stepOne->setToolTip(tr("While paused, let exactly one message be handled somewhere (.)"));
    connect(m_stepOne, &QAction::triggered, this, [this] { m_bridge->stepOne(); });

    m_speed = new QComboBox(this);
    m_speed->setObjectName(QStringLiteral("speed"));
    m_speed->setToolTip(tr("Slow motion: how long the runtime takes per message, so that a class can follow "
                           "a cascade message by message"));
    const std::initializer_list<std::pair<QString, int>> speeds {{tr("Full speed"), 0},
        {tr("Slow: 0.1 s per message"), 100}, {tr("Slower: 0.3 s per message"), 300},
        {tr("Slowest: 1 s per message"), 1000}};
    QMenu* speedMenu = new QMenu(tr("Slow &motion"), this);
    auto* speedGroup = new QActionGroup(this);
    for (const auto& [label, ms] : speeds) {
        m_speed->addItem(label, ms);
        QAction* a = speedMenu->addAction(label, this, [this, ms = ms] { setPace(std::chrono::milliseconds(ms)); });
        a->setCheckable(true);
        a->setData(ms);
        speedGroup->addAction(a);
    }
    speedGroup->actions().front()->setChecked(true);
    connect(m_speed, &QComboBox::activated, this,
        [this](int index) { setPace(std::chrono::milliseconds(m_speed->itemData(index).toInt())); });
    connect(speedMenu, &QMenu::aboutToShow, this, [this, speedGroup] {
        for (QAction* a : speedGroup->actions())
            a->setChecked(a->data().toInt() == int(m_bridge->pace().count()));
    });

    m_runtimeMenu = menuBar()->addMenu(tr("&Runtime"));
    m_runtimeMenu->addAction(m_pause);
    m_runtimeMenu->addAction(m_stepOne);
    m_runtimeMenu->addMenu(speedMenu);

    QToolBar* teaching = addToolBar(tr("Teaching"));
    teaching->setObjectName(QStringLiteral("teachingToolBar"));
    teaching->setMovable(false);
    teaching->setToolButtonStyle(Qt::ToolButtonTextOnly);
    teaching->addAction(m_pause);
    teaching->addAction(m_stepOne);
    teaching->addWidget(m_speed);

    m_presenter = new QAction(tr("&Presenter mode"), this);
    m_presenter->setCheckable(true);
    m_presenter->setShortcut(QKeySequence(Qt::Key_F5));
    m_presenter->setToolTip(tr("Large type and high contrast, for a projector (F5)"));
    connect(m_presenter, &QAction::toggled, this, &MainWindow::setPresenterMode);
    m_viewMenu->insertAction(m_viewMenu->actions().value(0), m_presenter);
    m_viewMenu->insertSeparator(m_viewMenu->actions().value(1));

    m_paceLabel = new QLabel(this);
    m_paceLabel->setContentsMargins(12, 0, 12, 0);
    statusBar()->insertPermanentWidget(0, m_paceLabel);
    showPace();
}

void MainWindow::setPace(std::chrono::milliseconds perMessage)
{
    m_bridge->setPace(perMessage);
    const int index = m_speed->findData(int(perMessage.count()));
    if (index >= 0) m_speed->setCurrentIndex(index);
    showPace();
}

void MainWindow::setRuntimePaused(bool paused)
{
    m_bridge->setPaused(paused);
    m_pause->setChecked(paused); // no toggled() when it already is
    showPace();
}

void MainWindow::showPace()
{
    const ProcessSource& source = *m_bridge;
    m_stepOne->setEnabled(source.isPaused());
    const auto pace = source.pace();
    QString text;
    if (source.isPaused())
        text = tr("PAUSED: press . to handle one message, P to resume");
    else if (pace.count() > 0)
        text = tr("Slow motion: %1 s per message").arg(QLocale().toString(pace.count() / 1000.0, 'g', 3));
    m_paceLabel->setText(text);
    m_paceLabel->setVisible(!text.isEmpty());
    m_paceLabel->setStyleSheet(QStringLiteral("QLabel { background: %1; color: white; font-weight: bold; "
                                              "border-radius: 4px; padding: 2px 10px; }")
                                   .arg((source.isPaused() ? theme::errorColor() : theme::warnColor()).name()));
}

} // namespace sc::ui
