// Inspector: the selected process's details (status, mailbox, links, state).
// Threading: GUI thread only. What it shows comes from the bridge's snapshot
// and from RuntimeBridge::describeProcess, answered as a queued signal.
#pragma once

#include "core/runtime/snapshot.h"

#include <QHash>
#include <QTimer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace sc::ui {

class RuntimeBridge;

/// The inspector for one process: pid, path, kind, status, mailbox,
/// restarts, messages handled, a supervisor's strategy and intensity, its
/// links and monitors, and its state as text (GenServer::describeState),
/// asked again about twice a second. When the process at a path is replaced
/// (a restart), the last state seen of the old one stays beside the new
/// one's: the lesson of a restart that resets state.
class Inspector : public QWidget {
    Q_OBJECT

public:
    explicit Inspector(RuntimeBridge* bridge, QWidget* parent = nullptr);

    sc::Pid pid() const { return m_pid; }
    /// The texts shown, for tests.
    QString stateText() const;
    QString previousStateText() const;
    QString factsText() const;

public Q_SLOTS:
    /// Follows this process (0: none).
    void inspect(sc::Pid pid);

private:
    void onSnapshot(const sc::Snapshot& snapshot);
    void onDescribed(sc::Pid pid, bool ok, const QString& state, const QList<qulonglong>& links,
        const QList<qulonglong>& monitoredBy);
    void ask();

    RuntimeBridge* m_bridge;
    sc::Pid m_pid = 0;
    QString m_path;
    bool m_asking = false;
    QTimer m_timer;
    QLabel* m_title = nullptr;
    QLabel* m_facts = nullptr;
    QLabel* m_relations = nullptr;
    QPlainTextEdit* m_state = nullptr;
    QLabel* m_previousTitle = nullptr;
    QPlainTextEdit* m_previous = nullptr;

    struct Seen {
        sc::Pid pid = 0;
        QString state;
    };
    QHash<QString, Seen> m_lastSeen; ///< path -> the last state described there
    QHash<QString, Seen> m_beforeRestart; ///< path -> the last state of the process before the current one
};

} // namespace sc::ui
