// RuntimeChart: the Charts panel as a widget: its inputs (samples, events,
// ledger records, the selection), the mailbox lines' bookkeeping, pause, and
// what is drawn, for tests. Drawing is in runtimeplots.cpp, counting in
// RuntimeSeries.
#include "ui/charts/runtimechart.h"

#include "ui/common/theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>
#include <qcustomplot.h>

namespace sc::ui {

namespace {

constexpr double kAdoptSeconds = 2; // a dropped line waits this long for its restarted process to be selected

} // namespace

// -- lifecycle --

RuntimeChart::RuntimeChart(QWidget* parent)
    : RuntimeChart(WallClock::system(), parent)
{
}

RuntimeChart::RuntimeChart(Clock clock, QWidget* parent)
    : QWidget(parent)
    , m_clock(std::move(clock))
    , m_origin(m_clock.originSeconds())
    , m_series(m_origin, kKeepSeconds)
{
    build();
    applyFont();
    updateStatus();
    scrollTo(m_origin);
    fitValueAxes();
}

RuntimeChart::~RuntimeChart() = default;

// -- time --

double RuntimeChart::now() const
{
    return m_clock.nowSeconds();
}

double RuntimeChart::steadyToTime(std::int64_t steadyNs) const
{
    return steadyNs == 0 ? now() : m_clock.toWallSeconds(steadyNs);
}

// -- inputs --

void RuntimeChart::addSample(const sc::Snapshot& snapshot)
{
    const double t = now();
    // A little slack: a 30 Hz caller then gets every third call sampled, not every fourth.
    if (m_lastSample >= 0 && t - m_lastSample < kSampleSeconds * 0.9) return;
    m_lastSample = t;

    // One pass over the processes: the total, and the few selected ones by
    // pid or, for a line whose process was restarted under a new pid, by path.
    struct Match {
        double value = std::numeric_limits<double>::quiet_NaN();
        bool byPid = false;
        sc::Pid pathPid = 0;
        double pathValue = 0;
    };
    std::vector<Match> matches(m_lines.size());
    std::vector<char> named(m_lines.size());
    for (std::size_t i = 0; i < m_lines.size(); ++i)
        named[i] = !m_lines[i].path.empty();
    std::uint64_t allMailboxes = 0;
    for (const sc::ProcessInfo& info : snapshot.processes) {
        allMailboxes += info.mailbox;
        for (std::size_t i = 0; i < m_lines.size(); ++i) {
            Line& line = m_lines[i];
            Match& match = matches[i];
            if (line.pid == info.pid) {
                match.byPid = true;
                match.value = info.mailbox;
                if (line.path.empty()) line.path = std::string(info.path);
            } else if (named[i] && !match.byPid && info.path == line.path) {
                match.pathPid = info.pid;
                match.pathValue = info.mailbox;
            }
        }
    }
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
        Line& line = m_lines[i];
        Match& match = matches[i];
        if (!match.byPid && match.pathPid != 0) {
            line.pid = match.pathPid;
            match.value = match.pathValue;
        }
        line.found = match.byPid || match.pathPid != 0;
    }

    addPoint(m_all, t, static_cast<double>(allMailboxes));
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
        Line& line = m_lines[i];
        if (!named[i] && !line.path.empty()) nameLine(line);
        // A gap while the process is gone, drawn once rather than every sample.
        if (!line.found && line.gap) continue;
        line.gap = !line.found;
        addPoint(line, t, matches[i].value);
    }
    // Dropped lines nobody adopted are gone for good.
    std::erase_if(m_retired, [&](Retired& r) {
        if (t - r.since < kAdoptSeconds) return false;
        dropLine(r.line);
        return true;
    });

    trim(t);
    if (!m_paused) redraw(t);
}

void RuntimeChart::addEvents(const std::vector<sc::Event>& events)
{
    for (const sc::Event& e : events) {
        if (e.kind == sc::EventKind::Restart) m_series.addRestart(steadyToTime(e.timeNs));
    }
}

void RuntimeChart::addLedgerRecords(const std::vector<sc::LedgerRecord>& records)
{
    m_series.addLedgerRecords(records, now());
}

void RuntimeChart::setSelectedProcesses(const std::vector<sc::Pid>& pids)
{
    m_selectedCount = static_cast<int>(pids.size());
    const double t = now();
    std::vector<Line> next;
    for (const sc::Pid pid : pids) {
        if (static_cast<int>(next.size()) == kMaxLines) break;
        if (std::any_of(next.begin(), next.end(), [pid](const Line& l) { return l.pid == pid; })) continue;
        auto kept = std::find_if(m_lines.begin(), m_lines.end(), [pid](const Line& l) { return l.pid == pid; });
        if (kept != m_lines.end()) {
            next.push_back(std::move(*kept));
            m_lines.erase(kept);
            continue;
        }
        int colour = 0;
        const auto taken = [&](int c) {
            return std::any_of(next.begin(), next.end(), [c](const Line& l) { return l.colour == c; })
                || std::any_of(m_lines.begin(), m_lines.end(), [c](const Line& l) { return l.colour == c; });
        };
        while (taken(colour))
            ++colour;
        next.push_back(makeLine(pid, colour));
    }
    // Unselected lines wait a moment: a restarted process selected again under
    // its new pid takes its old line back (see nameLine).
    for (Line& line : m_lines) {
        line.graph->setVisible(false);
        line.graph->removeFromLegend(m_mailboxChart.legend);
        line.tag->setVisible(false);
        if (line.path.empty())
            dropLine(line);
        else
            m_retired.push_back({std::move(line), t});
    }
    m_lines = std::move(next);

    const bool all = m_lines.empty();
    m_all.graph->setVisible(all);
    if (all)
        m_all.graph->addToLegend(m_mailboxChart.legend);
    else
        m_all.graph->removeFromLegend(m_mailboxChart.legend);
    updateStatus();
    fitToWidth();
    if (!m_paused) {
        fitValueAxes();
        placeTags();
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void RuntimeChart::trim(double t)
{
    const double cut = t - kKeepSeconds;
    for (Line* line : allLines()) {
        // While paused what is drawn stays, to be looked at; what waits is trimmed.
        if (!m_paused) line->graph->data()->removeBefore(cut);
        while (!line->pending.empty() && line->pending.front().first < cut)
            line->pending.pop_front();
    }
    m_series.trim(cut);
}

std::vector<RuntimeChart::Line*> RuntimeChart::allLines()
{
    std::vector<Line*> lines {&m_all};
    for (Line& line : m_lines)
        lines.push_back(&line);
    return lines;
}

// -- pause --

void RuntimeChart::setPaused(bool paused)
{
    if (paused == m_paused) return;
    m_paused = paused;
    {
        const QSignalBlocker block(m_pauseButton);
        m_pauseButton->setChecked(paused);
    }
    for (const Chart* chart : {&m_mailboxChart, &m_restartChart, &m_donationChart}) {
        QCPAxis* x = chart->rect->axis(QCPAxis::atBottom);
        chart->rect->setRangeDrag(Qt::Horizontal);
        chart->rect->setRangeZoom(Qt::Horizontal);
        chart->rect->setRangeDragAxes(x, nullptr);
        chart->rect->setRangeZoomAxes(x, nullptr);
    }
    m_plot->setInteractions(paused ? QCP::Interactions(QCP::iRangeDrag | QCP::iRangeZoom) : QCP::Interactions());
    if (!paused) {
        for (Line* line : allLines())
            flushPending(*line);
        const double t = now();
        trim(t);
        redraw(t);
    }
    updateStatus();
    Q_EMIT pausedChanged(paused);
}

void RuntimeChart::updateStatus()
{
    m_pauseButton->setText(m_paused ? tr("Resume") : tr("Pause"));
    m_pauseButton->setIcon(style()->standardIcon(m_paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    // Paused must be obvious from the back of the room: bold, in the warning colour.
    QString text = m_paused
        ? QStringLiteral("<b style=\"color:%1\">%2</b>")
              .arg(theme::warnColor().name(), tr("Paused: drag or scroll the time axis to look back"))
        : tr("Live: the last minute (UTC)");
    if (m_selectedCount > kMaxLines)
        text += tr(" · %1 of %2 selected processes drawn").arg(kMaxLines).arg(m_selectedCount);
    m_status->setText(text);
}

// -- size and font --

void RuntimeChart::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitToWidth();
}

void RuntimeChart::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::FontChange) applyFont();
    QWidget::changeEvent(event);
}

// -- what is drawn --

QString RuntimeChart::restartsName()
{
    return tr("Restarts per second");
}

QString RuntimeChart::donationsName()
{
    return tr("Donations per second");
}

QString RuntimeChart::donatedName()
{
    return tr("Donated so far");
}

QString RuntimeChart::allProcessesName()
{
    return tr("All processes");
}

QStringList RuntimeChart::plottedNames() const
{
    QStringList names;
    for (const Chart* chart : {&m_mailboxChart, &m_restartChart, &m_donationChart}) {
        for (int i = 0; i < chart->legend->itemCount(); ++i) {
            if (auto* item = qobject_cast<QCPPlottableLegendItem*>(chart->legend->item(i)))
                if (item->plottable()->visible()) names << item->plottable()->name();
        }
    }
    return names;
}

const QCPAbstractPlottable* RuntimeChart::plottable(const QString& name) const
{
    for (int i = 0; i < m_plot->plottableCount(); ++i) {
        const QCPAbstractPlottable* p = m_plot->plottable(i);
        if (p->visible() && p->name() == name) return p;
    }
    for (const Line& line : m_lines) // a mailbox line by its full path, however its legend shortens it
        if (QString::fromStdString(line.path) == name) return line.graph;
    return nullptr;
}

QList<QPointF> RuntimeChart::plottedData(const QString& name) const
{
    QList<QPointF> points;
    const QCPAbstractPlottable* p = plottable(name);
    if (auto* graph = qobject_cast<const QCPGraph*>(p)) {
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
            points.append(QPointF(it->key, it->value));
    } else if (auto* bars = qobject_cast<const QCPBars*>(p)) {
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
            points.append(QPointF(it->key, it->value));
    }
    return points;
}

QStringList RuntimeChart::valueLabels(const QString& name) const
{
    QStringList labels;
    const QCPAbstractPlottable* p = plottable(name);
    if (!p) return labels;
    const auto add = [&](const QCPItemText* item) {
        if (item && item->visible()) labels << item->text();
    };
    if (p == m_restartBars) {
        for (const QCPItemText* label : m_restartLabels)
            add(label);
    } else if (p == m_donationBars) {
        for (const QCPItemText* label : m_donationLabels)
            add(label);
    } else if (p == m_donatedLine) {
        add(m_donatedTag);
    } else if (p == m_all.graph) {
        add(m_all.tag);
    } else {
        for (const Line& line : m_lines)
            if (line.graph == p) add(line.tag);
    }
    return labels;
}

std::pair<double, double> RuntimeChart::timeRange() const
{
    const QCPRange range = m_mailboxChart.rect->axis(QCPAxis::atBottom)->range();
    return {range.lower, range.upper};
}

} // namespace sc::ui
