// Threading: GUI thread only; fed by RuntimeBridge::snapshotUpdated.
#pragma once

#include "runtime.h"

#include <QElapsedTimer>
#include <QWidget>

class QCustomPlot;
class QCPGraph;

namespace sc::ui {

/// Live process count and total mailbox length over the last minute, on a
/// scrolling time axis.
class RuntimeChart : public QWidget {
    Q_OBJECT

public:
    explicit RuntimeChart(QWidget* parent = nullptr);

    /// Adds a sample; at most ten a second are kept, the rest are dropped.
    void addSample(const sc::Snapshot& snapshot);

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyFont();

    QCustomPlot* m_plot;
    QCPGraph* m_processes;
    QCPGraph* m_mailbox;
    QElapsedTimer m_clock;
    double m_lastSample = -1;
};

} // namespace sc::ui
