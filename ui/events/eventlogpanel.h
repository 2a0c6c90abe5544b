// EventLogPanel: the Event log dock (the table, its filters and follow mode).
// Threading: GUI thread only. The panel reads the EventLogModel it is given
// through its own EventLogFilter; it never calls the runtime.
#pragma once

#include "ui/events/eventlogmodel.h"

#include <QWidget>

class QAbstractButton;
class QCheckBox;
class QLabel;
class QLineEdit;
class QTableView;
class QToolButton;

namespace sc::ui {

/// The event log as a room full of people reads it. First row: a search
/// field (path or reason), the count ("Showing N of M") and a Pause toggle
/// that freezes the list while events keep arriving; second row: one check
/// box per kind group; then the table, newest first. The model stays its
/// owner's; the panel owns the filter. Sizes follow the widget's font
/// (presenter mode), and the Path column gives way before Reason is pushed
/// out of a narrow dock.
class EventLogPanel : public QWidget {
    Q_OBJECT

public:
    explicit EventLogPanel(EventLogModel* model, QWidget* parent = nullptr);

    EventLogModel* model() const { return m_model; }
    EventLogFilter* filter() const { return m_filter; }
    QTableView* view() const { return m_view; }
    QLineEdit* searchField() const { return m_search; }
    QAbstractButton* groupButton(EventLogFilter::Group group) const;
    QToolButton* pauseButton() const { return m_pause; }
    /// What the count label says: "Showing N of M", and what a pause holds back.
    QString countText() const;

    bool isPaused() const;

public Q_SLOTS:
    void setPaused(bool paused);

Q_SIGNALS:
    /// A row was double-clicked or Enter pressed on it.
    void eventActivated(sc::Pid pid, const QString& path);

protected:
    void changeEvent(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void applyFont();
    void fitColumns();
    void updateCount();

    EventLogModel* m_model;
    EventLogFilter* m_filter;
    QLineEdit* m_search;
    QList<QCheckBox*> m_groupButtons; ///< in groupInfos order
    QToolButton* m_pause;
    QLabel* m_count;
    QTableView* m_view;
    int m_pathWidth = 0; ///< what the Path column takes when there is room
};

} // namespace sc::ui
