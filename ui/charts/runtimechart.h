// Threading: GUI thread only. Fed on the GUI thread by RuntimeBridge
// (snapshotUpdated at ~30 Hz, eventsArrived), by the process selection and by
// the LedgerFeed (recordsArrived). Every input returns quickly and never blocks:
// addSample keeps at most ten samples a second and reads each snapshot row
// once per sample; drawing is a queued replot.
#pragma once

#include "core/finance/ledger.h"
#include "core/runtime/events.h"
#include "core/runtime/snapshot.h"
#include "ui/charts/runtimeseries.h"
#include "ui/common/wallclock.h"

#include <QList>
#include <QPointF>
#include <QStringList>
#include <QWidget>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

class QCustomPlot;
class QCPAxisRect;
class QCPAbstractPlottable;
class QCPBars;
class QCPGraph;
class QCPItemText;
class QCPLegend;
class QCPAbstractLegendItem;
class QLabel;
class QToolButton;

namespace sc::ui {

/// The Charts panel, three charts on one scrolling time axis (the last
/// minute, UTC wall clock as in the audit log):
/// - messages waiting in the mailbox of each selected process (one line per
///   process, at most eight), or of all processes when none is selected;
/// - supervisor restarts per second, counted from Restart events;
/// - accepted donations per second (donation and pool_donation records) and
///   the money donated so far.
/// Pause freezes what is drawn and lets the time axis be dragged and zoomed;
/// collecting goes on, and Resume catches up with what came meanwhile.
class RuntimeChart : public QWidget {
    Q_OBJECT

public:
    /// Where the chart reads the time. `steady` is the clock of
    /// sc::Event::timeNs; `wall` (read once, at construction) maps it to the
    /// UTC clock of sc::LedgerRecord::time. Tests pass fakes.
    using Clock = WallClock::Source;

    static constexpr double kWindowSeconds = 60; ///< shown while live
    static constexpr double kKeepSeconds = 300; ///< kept, for looking back while paused
    static constexpr double kSampleSeconds = 0.1; ///< at most ten samples a second
    static constexpr int kMaxLines = 8; ///< mailbox lines; more selected processes are not drawn

    // -- lifecycle --

    explicit RuntimeChart(QWidget* parent = nullptr);
    explicit RuntimeChart(Clock clock, QWidget* parent = nullptr);
    ~RuntimeChart() override;

    // -- inputs --

    /// Samples the mailboxes and moves the time axis on; calls closer than
    /// about kSampleSeconds to the last sample are dropped. Restarts and donations
    /// given since the last sample are drawn now too.
    void addSample(const sc::Snapshot& snapshot);
    /// Counts the Restart events, in the second of their own timeNs.
    void addEvents(const std::vector<sc::Event>& events);
    /// Counts accepted (no error) donation and pool_donation records, in the
    /// second of their own time: connect LedgerFeed::recordsArrived here.
    /// Records whose id was given before are ignored, so overlapping batches
    /// are safe. Records older than the chart only add to the total.
    void addLedgerRecords(const std::vector<sc::LedgerRecord>& records);
    /// One mailbox line per pid (the first kMaxLines), named by the process's
    /// path; empty: one line for all processes. A line already drawn for a
    /// pid or its path keeps its history, and a line follows its path when
    /// the process is restarted under a new pid.
    void setSelectedProcesses(const std::vector<sc::Pid>& pids);

    // -- pause --

    /// Paused: nothing new is drawn and the time axis stays put (drag and
    /// wheel move and zoom it); samples, restarts and donations are still
    /// collected, and resuming draws them and scrolls back to now.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    QToolButton* pauseButton() const { return m_pauseButton; }

    // -- what is drawn (for tests and tools) --

    /// The legend names of the plottables drawn, top chart first (a mailbox
    /// line is named by its path, shortened to a distinct suffix when the
    /// full paths would not fit in two legend rows).
    QStringList plottedNames() const;
    /// The points drawn by the plottable named `name`, or by the mailbox line
    /// of the process whose path is `name` (empty if none): keys
    /// are seconds since the Unix epoch (UTC); rate bars sit at the middle of
    /// their second; money is shown in major units.
    QList<QPointF> plottedData(const QString& name) const;
    /// The value labels drawn for the plottable named `name`: the newest
    /// value of a line (beside the axis), or the counts above the bars in
    /// view, oldest first (crowded neighbours go unlabelled).
    QStringList valueLabels(const QString& name) const;
    /// The time axis range shown, in seconds since the Unix epoch.
    std::pair<double, double> timeRange() const;
    /// Everything donated that the chart was given, exactly.
    sc::Money donatedTotal() const { return m_series.donatedTotal(); }

    static QString restartsName();
    static QString donationsName();
    static QString donatedName();
    static QString allProcessesName();

Q_SIGNALS:
    void pausedChanged(bool paused);

protected:
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    struct Line {
        sc::Pid pid = 0;
        std::string path; ///< empty until the process is first seen
        int colour = 0;
        bool found = false; ///< in the last sample
        bool gap = false; ///< the last point drawn is a gap (the process was gone)
        QCPGraph* graph = nullptr;
        QCPItemText* tag = nullptr;
        std::deque<std::pair<double, double>> pending; ///< sampled while paused
    };
    struct Retired {
        Line line; ///< hidden, waiting to be taken over by its path's new pid
        double since = 0;
    };
    struct Chart {
        QCPAxisRect* rect = nullptr;
        QCPLegend* legend = nullptr;
    };

    // -- inputs and lines' bookkeeping (runtimechart.cpp) --
    double now() const;
    double steadyToTime(std::int64_t steadyNs) const;
    void trim(double now);
    std::vector<Line*> allLines();
    void updateStatus();
    const QCPAbstractPlottable* plottable(const QString& name) const;

    // -- drawing with QCustomPlot (runtimeplots.cpp) --
    void build();
    Line makeLine(sc::Pid pid, int colour);
    void dropLine(Line& line);
    void nameLine(Line& line);
    void addPoint(Line& line, double key, double value);
    void flushPending(Line& line);
    void redraw(double now);
    void redrawRates(double now);
    void scrollTo(double now);
    void fitValueAxes();
    void labelBars(QCPBars* bars, std::vector<QCPItemText*>& pool, const QColor& colour);
    void placeTags();
    void fitToWidth();
    QString lineName(const Line& line, bool brief) const;
    void applyFont();

    WallClock m_clock;
    double m_origin = 0; ///< when the chart was made, seconds since the epoch
    RuntimeSeries m_series; ///< restarts and donations per second
    double m_lastSample = -1;

    QCustomPlot* m_plot = nullptr;
    QToolButton* m_pauseButton = nullptr;
    QLabel* m_status = nullptr;
    Chart m_mailboxChart, m_restartChart, m_donationChart;
    QCPAbstractLegendItem* m_mailboxTitle = nullptr; ///< first entry of the mailbox legend

    Line m_all; ///< every process's mailbox; drawn when nothing is selected
    std::vector<Line> m_lines; ///< the selected processes
    std::vector<Retired> m_retired; ///< unselected a moment ago
    int m_selectedCount = 0;

    QCPBars* m_restartBars = nullptr;
    QCPBars* m_donationBars = nullptr;
    QCPGraph* m_donatedLine = nullptr;
    QCPItemText* m_donatedTag = nullptr;
    QString m_donatedText; ///< the exact total drawn, as Money spells it
    std::vector<QCPItemText*> m_restartLabels, m_donationLabels;

    QFont m_tagFont;
    double m_penWidth = 3;
    bool m_paused = false;
    bool m_syncingRange = false;
};

} // namespace sc::ui
