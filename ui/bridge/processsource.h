// The source interface: what the widgets read and ask of a set of processes,
// whoever runs them. RuntimeBridge implements it over our runtime; a remote
// Erlang/Elixir node could implement it later, and the tree, the event views
// and the window's actions would not change.
//
// Threading: a ProcessSource lives on the GUI thread and every member is
// called there. None of them waits for a process: reads return what the last
// tick() pulled, actions and teaching controls return at once, and their
// answers (actionFinished, described) are emitted later on the GUI thread.
#pragma once

#include "core/base/exitreason.h"
#include "core/runtime/events.h"
#include "core/runtime/snapshot.h"
#include "core/supervision/supervisor.h"

#include <QList>
#include <QObject>
#include <QString>
#include <chrono>
#include <cstdint>
#include <vector>

namespace sc::ui {

class ProcessSource : public QObject {
    Q_OBJECT

public:
    using QObject::QObject;

    // -- polling --
    /// Starts pulling on a timer; about 30 Hz unless changed.
    virtual void start(std::chrono::milliseconds interval = std::chrono::milliseconds(33)) = 0;
    virtual void stop() = 0;
    virtual bool isRunning() const = 0;
    /// The last snapshot taken (empty before the first tick).
    virtual const sc::Snapshot& snapshot() const = 0;
    /// Events lost because the GUI fell behind.
    virtual std::uint64_t droppedEvents() const = 0;
    /// How long the last tick took on the GUI thread, and the longest.
    virtual std::chrono::microseconds lastTickTime() const = 0;
    virtual std::chrono::microseconds longestTickTime() const = 0;

    // -- teaching: slow motion, pause and step --
    /// Time per message (zero: full speed).
    virtual void setPace(std::chrono::milliseconds perMessage) = 0;
    virtual std::chrono::milliseconds pace() const = 0;
    virtual void setPaused(bool paused) = 0;
    virtual bool isPaused() const = 0;
    /// While paused: exactly one more message is handled somewhere.
    virtual void stepOne() = 0;

public Q_SLOTS:
    /// One pull: snapshot, events, then the signals below.
    virtual void tick() = 0;

    // -- actions (return at once; actionFinished answers) --
    /// The untrappable kill.
    virtual void kill(sc::Pid pid) = 0;
    /// An exit signal from nobody, as erlang:exit(Pid, Reason).
    virtual void exitProcess(sc::Pid pid, const sc::ExitReason& reason) = 0;
    /// An exception inside the process's next callback.
    virtual void crash(sc::Pid pid) = 0;
    /// Its next callback never returns until it is killed.
    virtual void hang(sc::Pid pid) = 0;
    /// `count` plain messages into its mailbox, to watch it grow and drain.
    virtual void flood(sc::Pid pid, int count) = 0;
    /// Asks a supervisor to terminate its child, or to restart a terminated
    /// one (static supervisors; `childId` is the last path part).
    virtual void terminateChild(sc::Pid supervisor, const QString& childId) = 0;
    virtual void restartChild(sc::Pid supervisor, const QString& childId) = 0;
    /// Starts a temporary worker `id` under a dynamic supervisor (the
    /// window's "Start a child" outside the finance tree).
    virtual void startWorker(sc::Pid supervisor, const QString& id) = 0;
    /// Changes a running supervisor's strategy and restart intensity.
    virtual void setSupervisorFlags(sc::Pid supervisor, const sc::SupervisorFlags& flags) = 0;
    /// The process's state as text and its links and monitors, answered by described().
    virtual void describeProcess(sc::Pid pid) = 0;

Q_SIGNALS:
    void snapshotUpdated(const sc::Snapshot& snapshot);
    /// Oldest first; not emitted for a tick without events.
    void eventsArrived(const std::vector<sc::Event>& events);
    void tickFinished(std::chrono::microseconds duration);
    /// `action` is a short verb ("kill", "exit"); `message` says what happened in words.
    void actionFinished(sc::Pid pid, const QString& action, bool ok, const QString& message);
    /// The answer to describeProcess: ok false if the process was gone.
    void described(sc::Pid pid, bool ok, const QString& state, const QList<qulonglong>& links,
        const QList<qulonglong>& monitoredBy);
};

} // namespace sc::ui
