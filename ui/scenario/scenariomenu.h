// The Scenarios menu: the demos in the resources and the actions that load
// scenarios into the player. Threading: GUI thread only.
#pragma once

#include <QList>
#include <QString>

class QMenu;
class QWidget;

namespace sc::ui {

class ScenarioPlayer;

/// A demo scenario shipped in the resources.
struct DemoScenario {
    QString file; ///< ":/scenarios/NAME.json"
    QString title; ///< the file's "title", else its base name
    QString description;
};

/// The scenarios in `dir` (the app's resources by default), sorted by file
/// name; files that do not parse are left out (with a warning in the log).
QList<DemoScenario> demoScenarios(const QString& dir = QStringLiteral(":/scenarios"));

/// Fills `menu` with "Open Scenario File…", "Restart this scenario",
/// "Finance tree" (the finance services on the player's data directory;
/// disabled, saying why, while the player refuses finance scenarios) and one
/// action per demo scenario (its title; its description as tooltip and
/// status tip) that loads it into `player`, paused at step 0.
void fillScenarioMenu(QMenu* menu, ScenarioPlayer* player, const QString& demoDir = QStringLiteral(":/scenarios"));

/// Asks for a scenario file, starting in the folder of the player's recent
/// file, and loads it; false if the user cancelled or it did not load.
bool openScenarioFile(QWidget* parent, ScenarioPlayer* player);

} // namespace sc::ui
