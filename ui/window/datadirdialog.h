// The window's claim on its data directory: the lock that makes it the one
// owner, and what to do when another instance already is.
//
// Threading: GUI thread only, before the main window opens. claimDataDir
// blocks while the person chooses (a modal dialog, a directory picker).
#pragma once

#include "core/finance/datadir.h"
#include "core/base/result.h"

#include <QDialog>
#include <QString>
#include <functional>
#include <string>

class QPushButton;

namespace sc::ui {

/// Why a data directory cannot be claimed, for the person who must choose.
struct DataDirProblem {
    QString dataDir; ///< for people: the folder as the file system's names decode
    /// True: another instance holds its lock (`owner` its process id, 0 if
    /// unknown). False: the folder cannot be used at all (`detail` says why).
    bool inUse = false;
    qint64 owner = 0;
    QString detail;
};

/// What the person chose.
struct DataDirChoice {
    enum class Kind { OtherFolder, ReadOnly, Quit };
    Kind kind = Kind::Quit;
    QString folder; ///< OtherFolder: the folder picked (an empty one: ask again)
};

/// Asks what to do about a data directory that cannot be claimed. The app
/// shows DataDirDialog::ask; tests pass their own.
using AskAboutDataDir = std::function<DataDirChoice(const DataDirProblem&)>;

/// The outcome of claimDataDir.
struct DataDirClaim {
    enum class Mode { Owner, ReadOnly, Quit };
    Mode mode = Mode::Quit;
    std::string dataDir; ///< the folder the window uses (Owner, ReadOnly), as given or picked
    sc::DataDirLock lock; ///< held while mode is Owner
    DataDirProblem problem; ///< ReadOnly, Quit: what was asked last (who owns dataDir)
};

/// Takes `dataDir`'s lock (sc::DataDirLock). While the folder in question is
/// in use, or a folder picked instead cannot be used, asks `ask`: another
/// folder is tried in turn, read-only settles for the folder in use (its
/// owner writes, the window only reads), quit ends it. An error only if
/// `dataDir` itself cannot be used (Errc::Storage): as before the dialog
/// existed, the app then ends with that message.
sc::Result<DataDirClaim> claimDataDir(const std::string& dataDir, const AskAboutDataDir& ask);

// -- what a read-only window says, from the problem that made it read-only --
/// One line for the log and standard error: the folder, its owner, read-only.
QString readOnlyReason(const DataDirProblem& problem);
/// The finance console's notice (rich text): why its forms are disabled.
QString readOnlyNotice(const DataDirProblem& problem);
/// The scenario player's answer to a finance scenario (ScenarioPlayer::setFinanceRefusal).
QString readOnlyFinanceRefusal(const DataDirProblem& problem);

/// "This data folder is already open": the folder, the process that has it,
/// and three buttons: Open Another Folder…, Open Read-Only, Quit.
class DataDirDialog : public QDialog {
    Q_OBJECT

public:
    explicit DataDirDialog(const DataDirProblem& problem, QWidget* parent = nullptr);

    /// The button pressed (Quit also when the dialog is closed otherwise).
    DataDirChoice::Kind choice() const { return m_choice; }
    QPushButton* button(DataDirChoice::Kind kind) const;
    /// The text shown, for tests.
    QString text() const;

    /// Shows the dialog modally; "Open Another Folder…" asks for the folder
    /// with a directory picker, and cancelling the picker shows the dialog again.
    static DataDirChoice ask(const DataDirProblem& problem);

private:
    DataDirChoice::Kind m_choice = DataDirChoice::Kind::Quit;
    QPushButton* m_other = nullptr;
    QPushButton* m_readOnly = nullptr;
    QPushButton* m_quit = nullptr;
    QString m_text;
};

} // namespace sc::ui
