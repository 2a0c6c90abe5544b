// The Scenarios menu: the demos shipped in the resources, Open/Reopen, Restart and Finance tree.
#include "ui/scenario/scenariomenu.h"

#include "core/scenario/parser.h"

#include "ui/scenario/scenarioplayer.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>

namespace sc::ui {

// -- demos and the menu --

QList<DemoScenario> demoScenarios(const QString& dir)
{
    QList<DemoScenario> demos;
    const QDir directory(dir);
    for (const QString& name : directory.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
        const QString file = directory.filePath(name);
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            qWarning("%s: cannot read: %s", qPrintable(file), qPrintable(f.errorString()));
            continue;
        }
        const QByteArray text = f.readAll();
        const auto scenario
            = sc::parseScenario(std::string_view(text.constData(), std::size_t(text.size())), file.toStdString());
        if (!scenario) {
            qWarning("%s", scenario.error().detail.c_str());
            continue;
        }
        DemoScenario demo;
        demo.file = file;
        demo.title = scenario->title.empty() ? QFileInfo(file).baseName() : QString::fromStdString(scenario->title);
        demo.description = QString::fromStdString(scenario->description);
        demos.append(demo);
    }
    return demos;
}

namespace {

/// "Restart this scenario" and "Finance tree": the ways back from an ended demo without restarting the app.
void addRestartAndFinanceActions(QMenu* menu, ScenarioPlayer* player)
{
    QAction* restart = menu->addAction(QObject::tr("Res&tart this scenario"));
    restart->setObjectName(QStringLiteral("restartScenario"));
    QObject::connect(restart, &QAction::triggered, player, &ScenarioPlayer::restart);
    const auto showRestart = [restart, player] {
        restart->setEnabled(player->hasScenario());
        const QString tip = player->hasScenario()
            ? QObject::tr("Stop the tree and start \"%1\" again from its first step").arg(player->title())
            : QObject::tr("No scenario is loaded");
        restart->setToolTip(tip);
        restart->setStatusTip(tip);
    };
    showRestart();
    QObject::connect(player, &ScenarioPlayer::stateChanged, restart, showRestart);

    QAction* finance = menu->addAction(QString());
    finance->setObjectName(QStringLiteral("financeTree"));
    QObject::connect(finance, &QAction::triggered, player, &ScenarioPlayer::loadFinanceTree);
    const auto showFinance = [finance, player] {
        // A read-only window may not write the ledger: the item stays, disabled, and says why.
        const QString refusal = player->financeRefusal();
        finance->setEnabled(refusal.isEmpty());
        finance->setText(refusal.isEmpty() ? QObject::tr("&Finance tree")
                                           : QObject::tr("&Finance tree (not here: read-only data folder)"));
        const QString tip = refusal.isEmpty()
            ? QObject::tr("Stop the current tree and start the finance services on %1")
                  .arg(QDir::toNativeSeparators(QString::fromStdString(player->dataDir())))
            : refusal.left(1).toUpper() + refusal.mid(1);
        finance->setToolTip(tip);
        finance->setStatusTip(tip);
    };
    showFinance();
    // The refusal is set once the window is built, after the menu: read it whenever the menu opens.
    QObject::connect(menu, &QMenu::aboutToShow, finance, showFinance);
}

} // namespace

void fillScenarioMenu(QMenu* menu, ScenarioPlayer* player, const QString& demoDir)
{
    QAction* open = menu->addAction(QObject::tr("&Open Scenario File…"));
    open->setShortcut(QKeySequence::Open);
    open->setStatusTip(QObject::tr("Play a scenario file (the headless runner's JSON format)"));
    QObject::connect(
        open, &QAction::triggered, player, [menu, player] { openScenarioFile(menu->parentWidget(), player); });
    QAction* reopen = menu->addAction(QString());
    QObject::connect(reopen, &QAction::triggered, player, [player] { player->loadFile(player->recentFile()); });
    QObject::connect(menu, &QMenu::aboutToShow, reopen, [reopen, player] {
        const QString recent = player->recentFile();
        reopen->setVisible(!recent.isEmpty());
        reopen->setText(QObject::tr("&Reopen %1").arg(QFileInfo(recent).fileName()));
        reopen->setStatusTip(recent);
    });
    menu->addSeparator();
    addRestartAndFinanceActions(menu, player);
    menu->addSeparator();
    menu->setToolTipsVisible(true);
    for (const DemoScenario& demo : demoScenarios(demoDir)) {
        QAction* action = menu->addAction(demo.title);
        action->setToolTip(demo.description);
        action->setStatusTip(demo.description.section(QLatin1Char('\n'), 0, 0));
        QObject::connect(action, &QAction::triggered, player, [player, file = demo.file] { player->loadFile(file); });
    }
}

bool openScenarioFile(QWidget* parent, ScenarioPlayer* player)
{
    const QString recent = player->recentFile();
    const QString file = QFileDialog::getOpenFileName(parent, QObject::tr("Open Scenario"),
        recent.isEmpty() ? QString() : QFileInfo(recent).absolutePath(),
        QObject::tr("Scenarios (*.json);;All files (*)"));
    return !file.isEmpty() && player->loadFile(file);
}

} // namespace sc::ui
