#include "ui/charts/runtimechart.h"

#include "ui/bridge/ledgerfeed.h"
#include "ui/common/theme.h"

#include <QDateTime>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <qcustomplot.h>

namespace sc::ui {

namespace {

constexpr double kFirstWindowSeconds = 10; // the axis grows from this to kWindowSeconds, then scrolls
constexpr double kAdoptSeconds = 2; // a dropped line waits this long for its restarted process to be selected

/// Okabe and Ito's colour-blind-safe palette, darkest first (yellow left out:
/// it vanishes on white through a projector).
constexpr std::array<QRgb, 7> kPalette {0x0072B2, 0xD55E00, 0x009E73, 0xCC79A7, 0xE69F00, 0x56B4E9, 0x000000};
const QColor kAllColour(0x00, 0x72, 0xB2);
const QColor kRestartColour(0xD5, 0x5E, 0x00);
const QColor kDonationColour(0x00, 0x9E, 0x73);
const QColor kDonatedColour(Qt::black);

QColor paletteColour(int index)
{
    return QColor(kPalette[static_cast<std::size_t>(index) % kPalette.size()]);
}

/// Beyond the palette, lines are dashed so that no two look the same.
Qt::PenStyle paletteStyle(int index)
{
    return index < static_cast<int>(kPalette.size()) ? Qt::SolidLine : Qt::DashLine;
}

QColor textOn(const QColor& background)
{
    return background.lightnessF() > 0.55 ? Qt::black : Qt::white;
}

/// The next of 1, 2, 5 times a power of ten at or above `v`: axes step
/// rather than twitch with every sample.
double niceCeil(double v)
{
    if (v <= 0) return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
    const double f = v / magnitude;
    const double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nice * magnitude;
}

sc::Money plusSaturating(sc::Money a, sc::Money b)
{
    auto sum = a.plus(b);
    if (sum) return *sum;
    return b > sc::Money() ? sc::Money::max() : sc::Money::min();
}

/// For display on an axis only: the ledger's exact amount stays a Money.
double majorUnits(sc::Money m)
{
    return static_cast<double>(m.minorUnits()) / std::pow(10.0, sc::Money::kDecimals);
}

std::int64_t secondOf(double t)
{
    return static_cast<std::int64_t>(std::floor(t));
}

/// Seconds since the epoch of an ISO-8601 UTC time ("2026-01-31T12:00:00.123Z"); NaN if unreadable.
double parseTime(const std::string& text)
{
    const QDateTime t = QDateTime::fromString(QString::fromStdString(text), Qt::ISODateWithMs);
    return t.isValid() ? static_cast<double>(t.toMSecsSinceEpoch()) / 1000.0 : std::numeric_limits<double>::quiet_NaN();
}

/// A bold title as the first legend entry, so that it flows with the legend.
class LegendTitle : public QCPAbstractLegendItem {
public:
    LegendTitle(QCPLegend* legend, QString text)
        : QCPAbstractLegendItem(legend)
        , m_text(std::move(text))
    {
        setSelectable(false);
    }
    const QString& text() const { return m_text; }

protected:
    void draw(QCPPainter* painter) override
    {
        painter->setFont(boldFont());
        painter->setPen(QPen(mTextColor));
        painter->drawText(mRect, Qt::AlignLeft | Qt::AlignVCenter, m_text);
    }
    QSize minimumOuterSizeHint() const override
    {
        return QFontMetrics(boldFont()).size(0, m_text)
            + QSize(mMargins.left() + mMargins.right(), mMargins.top() + mMargins.bottom());
    }

private:
    QFont boldFont() const
    {
        QFont f = mFont;
        f.setBold(true);
        return f;
    }
    QString m_text;
};

QString elideLeft(const QString& text, int max)
{
    return text.size() <= max ? text : QStringLiteral("…") + text.right(max - 1);
}

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
{
    build();
    applyFont();
    updateStatus();
    scrollTo(m_origin);
    fitValueAxes();
}

RuntimeChart::~RuntimeChart() = default;

void RuntimeChart::build()
{
    m_pauseButton = new QToolButton(this);
    m_pauseButton->setObjectName(QStringLiteral("chartPause"));
    m_pauseButton->setCheckable(true);
    m_pauseButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_pauseButton->setToolTip(tr("Freeze the charts to look at them; data is still collected while paused"));
    connect(m_pauseButton, &QToolButton::toggled, this, &RuntimeChart::setPaused);
    m_status = new QLabel(this);

    m_plot = new QCustomPlot(this);
    // Legends wrap to the width (fitToWidth): the plot never demands more than this.
    m_plot->setMinimumSize(240, 180);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setAntialiasedElements(QCP::aePlottables);
    // Thick antialiased lines are drawn as one polyline each: several times faster per replot.
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    m_plot->setAutoAddPlottableToLegend(false);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);
    bar->addWidget(m_pauseButton);
    bar->addWidget(m_status, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);

    // Three charts stacked, each under its own legend, sharing one time axis.
    QCPLayoutGrid* grid = m_plot->plotLayout();
    grid->setRowSpacing(0);
    m_mailboxChart = {m_plot->axisRect(), m_plot->legend};
    grid->insertRow(0);
    grid->addElement(0, 0, m_mailboxChart.legend);
    m_mailboxTitle = new LegendTitle(m_mailboxChart.legend, tr("Mailboxes:"));
    m_mailboxChart.legend->addItem(m_mailboxTitle);
    const auto addChart = [&](int row) {
        Chart chart;
        chart.legend = new QCPLegend;
        grid->addElement(row, 0, chart.legend);
        chart.legend->setLayer(QStringLiteral("legend"));
        chart.rect = new QCPAxisRect(m_plot);
        grid->addElement(row + 1, 0, chart.rect);
        return chart;
    };
    m_restartChart = addChart(2);
    m_donationChart = addChart(4);

    auto* margins = new QCPMarginGroup(m_plot);
    auto timeTicker = QSharedPointer<QCPAxisTickerDateTime>::create();
    timeTicker->setDateTimeFormat(QStringLiteral("HH:mm:ss"));
    timeTicker->setDateTimeSpec(Qt::UTC);
    timeTicker->setTickCount(6);

    const std::array<Chart*, 3> charts {&m_mailboxChart, &m_restartChart, &m_donationChart};
    for (std::size_t i = 0; i < charts.size(); ++i) {
        Chart& chart = *charts[i];
        grid->setRowStretchFactor(static_cast<int>(2 * i), 0.001);
        grid->setRowStretchFactor(static_cast<int>(2 * i + 1), i == 1 ? 0.8 : 1.2);
        chart.rect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
        chart.legend->setVisible(true);
        chart.legend->setBorderPen(Qt::NoPen);
        chart.legend->setBrush(Qt::NoBrush);
        chart.legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
        chart.legend->setWrap(4);
        chart.legend->setSelectableParts(QCPLegend::spNone);

        QCPAxis* x = chart.rect->axis(QCPAxis::atBottom);
        x->setTicker(timeTicker);
        x->setTickLabels(i + 1 == charts.size()); // only the bottom chart spells the time out
        x->grid()->setPen(QPen(QColor(0xc8, 0xc8, 0xc8), 1));
        QCPAxis* y = chart.rect->axis(QCPAxis::atLeft);
        y->setTicker(QSharedPointer<QCPAxisTickerFixed>::create());
        y->setNumberFormat(QStringLiteral("f"));
        y->grid()->setPen(QPen(QColor(0xc8, 0xc8, 0xc8), 1));
        y->setRange(0, 5);
        connect(x, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this, x](const QCPRange& range) {
            if (m_syncingRange) return;
            m_syncingRange = true;
            for (const Chart* other : {&m_mailboxChart, &m_restartChart, &m_donationChart}) {
                if (QCPAxis* ox = other->rect->axis(QCPAxis::atBottom); ox != x) ox->setRange(range);
            }
            m_syncingRange = false;
            if (m_paused) { // the user drags or zooms: fit what is now in view
                fitValueAxes();
                labelBars(m_restartBars, m_restartLabels, kRestartColour);
                labelBars(m_donationBars, m_donationLabels, kDonationColour);
                placeTags();
            }
        });
    }
    // The legends name what each axis counts: rotated axis labels would not fit short charts.
    QCPAxis* money = m_donationChart.rect->axis(QCPAxis::atRight);
    money->setVisible(true);
    money->setTicker(QSharedPointer<QCPAxisTickerFixed>::create());
    money->setNumberFormat(QStringLiteral("f"));
    money->setNumberPrecision(0);
    money->setRange(0, 10);
    connect(m_plot, &QCustomPlot::afterLayout, this, [this] {
        // Labels are spaced and nudged in pixels: place them again once sizes are known.
        labelBars(m_restartBars, m_restartLabels, kRestartColour);
        labelBars(m_donationBars, m_donationLabels, kDonationColour);
        placeTags();
    });

    m_all = makeLine(0, 0);
    m_all.graph->setName(allProcessesName());
    m_all.graph->setPen(QPen(kAllColour, 3));
    m_all.tag->setBrush(kAllColour);
    m_all.tag->setPen(QPen(kAllColour));
    m_all.tag->setColor(textOn(kAllColour));

    const auto makeBars = [&](const Chart& chart, const QString& name, const QColor& colour) {
        auto* bars = new QCPBars(chart.rect->axis(QCPAxis::atBottom), chart.rect->axis(QCPAxis::atLeft));
        bars->setName(name);
        bars->setWidth(0.8);
        bars->setPen(QPen(colour.darker(130), 1));
        QColor fill = colour;
        fill.setAlpha(210);
        bars->setBrush(fill);
        bars->addToLegend(chart.legend);
        return bars;
    };
    m_restartBars = makeBars(m_restartChart, restartsName(), kRestartColour);
    m_donationBars = makeBars(m_donationChart, donationsName(), kDonationColour);

    m_donatedLine = m_plot->addGraph(m_donationChart.rect->axis(QCPAxis::atBottom), money);
    m_donatedLine->setName(donatedName());
    m_donatedLine->setPen(QPen(kDonatedColour, 3));
    m_donatedLine->setLineStyle(QCPGraph::lsStepLeft);
    m_donatedLine->addToLegend(m_donationChart.legend);
    m_donatedTag = new QCPItemText(m_plot);
    m_donatedTag->setLayer(QStringLiteral("legend"));
    m_donatedTag->setClipToAxisRect(false);
    m_donatedTag->position->setAxisRect(m_donationChart.rect);
    m_donatedTag->position->setAxes(m_donationChart.rect->axis(QCPAxis::atBottom), money);
    m_donatedTag->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    m_donatedTag->position->setTypeY(QCPItemPosition::ptPlotCoords);
    m_donatedTag->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_donatedTag->setBrush(kDonatedColour);
    m_donatedTag->setColor(textOn(kDonatedColour));
    m_donatedTag->setPadding(QMargins(6, 2, 6, 2));
    m_donatedTag->setVisible(false);
}

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
        if (e.kind == sc::EventKind::Restart) ++m_restarts[secondOf(steadyToTime(e.timeNs))];
    }
}

void RuntimeChart::addLedgerRecords(const std::vector<sc::LedgerRecord>& records)
{
    const std::int64_t first = secondOf(m_origin);
    for (const sc::LedgerRecord& r : records) {
        if (r.id != 0) {
            if (r.id <= m_lastRecordId) continue;
            m_lastRecordId = r.id;
        }
        if (!isAcceptedDonation(r)) continue;
        m_donatedTotal = plusSaturating(m_donatedTotal, r.amount);
        double t = parseTime(r.time);
        if (std::isnan(t)) t = now();
        const std::int64_t second = secondOf(t);
        if (second < first || second < secondOf(now() - kKeepSeconds)) {
            m_donatedBefore = plusSaturating(m_donatedBefore, r.amount);
            continue;
        }
        Donations& d = m_donations[second];
        ++d.count;
        d.sum = plusSaturating(d.sum, r.amount);
    }
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

// -- lines --

RuntimeChart::Line RuntimeChart::makeLine(sc::Pid pid, int colour)
{
    Line line;
    line.pid = pid;
    line.colour = colour;
    line.graph
        = m_plot->addGraph(m_mailboxChart.rect->axis(QCPAxis::atBottom), m_mailboxChart.rect->axis(QCPAxis::atLeft));
    line.graph->setName(tr("pid %1").arg(pid));
    line.graph->setPen(QPen(paletteColour(colour), m_penWidth, paletteStyle(colour)));
    line.graph->addToLegend(m_mailboxChart.legend);

    line.tag = new QCPItemText(m_plot);
    line.tag->setLayer(QStringLiteral("legend"));
    line.tag->setClipToAxisRect(false);
    line.tag->position->setAxisRect(m_mailboxChart.rect);
    line.tag->position->setAxes(line.graph->keyAxis(), line.graph->valueAxis());
    line.tag->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    line.tag->position->setTypeY(QCPItemPosition::ptPlotCoords);
    line.tag->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    line.tag->setBrush(paletteColour(colour));
    line.tag->setPen(QPen(paletteColour(colour)));
    line.tag->setColor(textOn(paletteColour(colour)));
    line.tag->setPadding(QMargins(6, 2, 6, 2));
    line.tag->setFont(m_tagFont);
    line.tag->setVisible(false);
    return line;
}

void RuntimeChart::dropLine(Line& line)
{
    if (line.graph) m_plot->removeGraph(line.graph);
    if (line.tag) m_plot->removeItem(line.tag);
    line.graph = nullptr;
    line.tag = nullptr;
}

/// The line's process was seen for the first time: name it by its path, and
/// take over the history of a line just dropped for the same path.
void RuntimeChart::nameLine(Line& line)
{
    fitToWidth();
    auto old
        = std::find_if(m_retired.begin(), m_retired.end(), [&](const Retired& r) { return r.line.path == line.path; });
    if (old == m_retired.end()) return;
    QCPGraph* history = old->line.graph;
    history->data()->add(*line.graph->data());
    for (const auto& [key, value] : old->line.pending)
        line.pending.emplace_front(key, value);
    std::sort(line.pending.begin(), line.pending.end());
    history->setPen(line.graph->pen());
    history->setName(line.graph->name());
    history->setVisible(true);
    m_plot->removeGraph(line.graph);
    line.graph = history;
    line.graph->addToLegend(m_mailboxChart.legend);
    old->line.graph = nullptr;
    dropLine(old->line);
    m_retired.erase(old);
}

void RuntimeChart::addPoint(Line& line, double key, double value)
{
    if (m_paused)
        line.pending.emplace_back(key, value);
    else
        line.graph->addData(key, value);
}

void RuntimeChart::flushPending(Line& line)
{
    if (line.pending.empty()) return;
    QVector<double> keys, values;
    keys.reserve(static_cast<qsizetype>(line.pending.size()));
    values.reserve(static_cast<qsizetype>(line.pending.size()));
    for (const auto& [key, value] : line.pending) {
        keys.push_back(key);
        values.push_back(value);
    }
    line.graph->addData(keys, values, true);
    line.pending.clear();
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
    const std::int64_t first = secondOf(cut);
    m_restarts.erase(m_restarts.begin(), m_restarts.lower_bound(first));
    const auto end = m_donations.lower_bound(first);
    for (auto it = m_donations.begin(); it != end; ++it)
        m_donatedBefore = plusSaturating(m_donatedBefore, it->second.sum);
    m_donations.erase(m_donations.begin(), end);
}

std::vector<RuntimeChart::Line*> RuntimeChart::allLines()
{
    std::vector<Line*> lines {&m_all};
    for (Line& line : m_lines)
        lines.push_back(&line);
    return lines;
}

// -- drawing --

void RuntimeChart::redraw(double t)
{
    redrawRates(t);
    scrollTo(t);
    fitValueAxes();
    labelBars(m_restartBars, m_restartLabels, kRestartColour);
    labelBars(m_donationBars, m_donationLabels, kDonationColour);
    placeTags();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void RuntimeChart::redrawRates(double t)
{
    QVector<double> keys, values;
    keys.reserve(static_cast<qsizetype>(m_restarts.size()));
    values.reserve(static_cast<qsizetype>(m_restarts.size()));
    for (const auto& [second, count] : m_restarts) {
        keys.push_back(static_cast<double>(second) + 0.5);
        values.push_back(count);
    }
    m_restartBars->setData(keys, values, true);

    keys.clear();
    values.clear();
    for (const auto& [second, d] : m_donations) {
        keys.push_back(static_cast<double>(second) + 0.5);
        values.push_back(d.count);
    }
    m_donationBars->setData(keys, values, true);

    // The running total, one step per second, from the first second kept to now.
    const std::int64_t nowSecond = secondOf(t);
    std::int64_t second = std::max(secondOf(m_origin), secondOf(t - kKeepSeconds));
    const std::int64_t last = m_donations.empty() ? nowSecond : std::max(nowSecond, m_donations.rbegin()->first);
    sc::Money running = m_donatedBefore;
    auto bucket = m_donations.begin();
    keys.clear();
    values.clear();
    for (; second <= last; ++second) {
        for (; bucket != m_donations.end() && bucket->first <= second; ++bucket)
            running = plusSaturating(running, bucket->second.sum);
        keys.push_back(static_cast<double>(second));
        values.push_back(majorUnits(running));
    }
    if (t > keys.back()) {
        keys.push_back(t);
        values.push_back(values.back());
    }
    m_donatedLine->setData(keys, values, true);
    m_donatedText = QString::fromStdString(running.toString());
}

void RuntimeChart::scrollTo(double t)
{
    const double elapsed = t - m_origin;
    const double span = std::clamp(
        std::ceil(elapsed / kFirstWindowSeconds) * kFirstWindowSeconds, kFirstWindowSeconds, kWindowSeconds);
    m_mailboxChart.rect->axis(QCPAxis::atBottom)->setRange(std::max(m_origin, t - span), std::max(m_origin + span, t));
}

void RuntimeChart::fitValueAxes()
{
    const QCPRange shown = m_mailboxChart.rect->axis(QCPAxis::atBottom)->range();
    const auto top = [&](const QCPAbstractPlottable* p) {
        bool found = false;
        const QCPRange r = p->getValueRange(found, QCP::sdBoth, shown);
        return found ? r.upper : 0.0;
    };
    double mail = 0;
    for (const Line* line : allLines()) {
        if (line->graph->visible()) mail = std::max(mail, top(line->graph));
    }
    // At most four ticks, on round numbers, so labels stay apart at presenter sizes.
    const auto fit = [](QCPAxis* axis, double top, double least) {
        const double upper = niceCeil(std::max(top, 0.0));
        const double step = std::max(least, niceCeil(upper / 4));
        axis->setRange(0, upper);
        qSharedPointerCast<QCPAxisTickerFixed>(axis->ticker())->setTickStep(step);
        axis->setNumberPrecision(step < 1 ? 2 : 0);
    };
    fit(m_mailboxChart.rect->axis(QCPAxis::atLeft), std::max(4.0, mail * 1.15), 1);
    // Bars get room above them for their value labels.
    fit(m_restartChart.rect->axis(QCPAxis::atLeft), std::max(2.0, top(m_restartBars) * 1.3), 1);
    fit(m_donationChart.rect->axis(QCPAxis::atLeft), std::max(2.0, top(m_donationBars) * 1.3), 1);
    fit(m_donationChart.rect->axis(QCPAxis::atRight), std::max(1.0, top(m_donatedLine) * 1.15), 0.01);
}

void RuntimeChart::labelBars(QCPBars* bars, std::vector<QCPItemText*>& pool, const QColor& colour)
{
    QCPAxis* x = bars->keyAxis();
    const QCPRange shown = x->range();
    const QFontMetricsF metrics(m_tagFont);
    const bool laidOut = bars->keyAxis()->axisRect()->width() > 0;
    double right = -std::numeric_limits<double>::infinity();
    std::size_t used = 0;
    for (auto it = bars->data()->findBegin(shown.lower); it != bars->data()->findEnd(shown.upper); ++it) {
        if (it->value <= 0 || !shown.contains(it->key)) continue;
        const QString text = QString::number(it->value);
        // Crowded seconds keep the first label of a run; the bars still show the rest.
        const double width = metrics.horizontalAdvance(text);
        const double centre = x->coordToPixel(it->key);
        if (laidOut && centre - width / 2 < right + metrics.height() / 2) continue;
        right = centre + width / 2;
        if (used == pool.size()) {
            auto* label = new QCPItemText(m_plot);
            label->setClipAxisRect(bars->keyAxis()->axisRect());
            label->position->setAxes(x, bars->valueAxis());
            label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
            label->setColor(colour.darker(160));
            pool.push_back(label);
        }
        QCPItemText* label = pool[used++];
        label->setFont(m_tagFont);
        label->setText(text);
        label->position->setCoords(it->key, it->value);
        label->setVisible(true);
    }
    for (; used < pool.size(); ++used)
        pool[used]->setVisible(false);
}

void RuntimeChart::placeTags()
{
    // The newest value of each line, beside the axis; tags that would overlap are nudged apart.
    struct Tag {
        QCPItemText* item;
        double value;
    };
    std::vector<Tag> tags;
    for (Line* line : allLines()) {
        const bool drawn = line->graph->visible() && !line->graph->data()->isEmpty()
            && !std::isnan((line->graph->data()->constEnd() - 1)->value);
        line->tag->setVisible(drawn);
        if (!drawn) continue;
        const double value = (line->graph->data()->constEnd() - 1)->value;
        line->tag->setText(QString::number(value, 'f', 0));
        tags.push_back({line->tag, value});
    }
    QCPAxis* y = m_mailboxChart.rect->axis(QCPAxis::atLeft);
    const double height = y->axisRect()->height();
    const double gap = height > 0 ? QFontMetricsF(m_tagFont).height() * 1.1 * y->range().size() / height : 0;
    std::sort(tags.begin(), tags.end(), [](const Tag& a, const Tag& b) { return a.value > b.value; });
    // Down from the top value, then up from the axis floor if they ran past it.
    std::vector<double> at(tags.size());
    for (std::size_t i = 0; i < tags.size(); ++i)
        at[i] = i == 0 ? tags[i].value : std::min(tags[i].value, at[i - 1] - gap);
    for (std::size_t i = tags.size(); i-- > 0;)
        at[i] = std::max(at[i], i + 1 == tags.size() ? y->range().lower + gap / 2 : at[i + 1] + gap);
    for (std::size_t i = 0; i < tags.size(); ++i)
        tags[i].item->position->setCoords(1.0, at[i]);

    const bool donated = !m_donatedLine->data()->isEmpty();
    m_donatedTag->setVisible(donated);
    if (donated) {
        m_donatedTag->setText(m_donatedText);
        m_donatedTag->position->setCoords(1.0, (m_donatedLine->data()->constEnd() - 1)->value);
    }
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

/// Legends wrap and time ticks thin out so that nothing forces the panel
/// wider; mailbox lines are named by their full paths when those fit in two
/// legend rows, else by the shortest path suffix that tells them apart.
void RuntimeChart::fitToWidth()
{
    const QFontMetricsF metrics(font());
    const double available = std::max(100, width() - 8); // the plot's own width lags behind the layout
    // The most columns (up to four) whose widest entries fit side by side, in the legend's fill order.
    const auto columnsFor = [&](const QCPLegend* legend, const QStringList& names) {
        const double extra = legend->iconSize().width() + legend->iconTextPadding() + 2.0 * metrics.height() / 3;
        for (int columns = 4; columns > 1; --columns) {
            std::vector<double> widths(static_cast<std::size_t>(columns));
            for (qsizetype i = 0; i < names.size(); ++i) {
                double& w = widths[static_cast<std::size_t>(i % columns)];
                w = std::max(w, metrics.horizontalAdvance(names[i]) + extra);
            }
            double needed = (columns - 1) * legend->columnSpacing();
            for (const double w : widths)
                needed += w;
            if (needed <= available) return columns;
        }
        return 1;
    };
    const auto wrap = [](QCPLegend* legend, int columns) {
        if (legend->wrap() == columns) return;
        legend->setWrap(columns);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true); // re-flows the items
    };

    // The title is one more entry, a little wider for being bold.
    const QString title = static_cast<LegendTitle*>(m_mailboxTitle)->text() + QStringLiteral("  ");
    if (m_lines.empty()) wrap(m_mailboxChart.legend, columnsFor(m_mailboxChart.legend, {title, m_all.graph->name()}));
    if (!m_lines.empty()) {
        QStringList full, brief;
        for (const Line& line : m_lines) {
            full << lineName(line, false);
            brief << lineName(line, true);
        }
        const int n = static_cast<int>(m_lines.size()) + 1;
        int columns = columnsFor(m_mailboxChart.legend, QStringList {title} + full);
        const bool useFull = (n + columns - 1) / columns <= 2;
        if (!useFull) columns = columnsFor(m_mailboxChart.legend, QStringList {title} + brief);
        for (std::size_t i = 0; i < m_lines.size(); ++i)
            m_lines[i].graph->setName(useFull ? full[static_cast<int>(i)] : brief[static_cast<int>(i)]);
        wrap(m_mailboxChart.legend, columns);
    }
    for (const Chart* chart : {&m_restartChart, &m_donationChart}) {
        QStringList names;
        for (int i = 0; i < chart->legend->itemCount(); ++i) {
            if (auto* item = qobject_cast<QCPPlottableLegendItem*>(chart->legend->item(i)))
                names << item->plottable()->name();
        }
        wrap(chart->legend, columnsFor(chart->legend, names));
    }
    const double label = metrics.horizontalAdvance(QStringLiteral("00:00:00")) * 2;
    auto ticker = qSharedPointerCast<QCPAxisTickerDateTime>(m_donationChart.rect->axis(QCPAxis::atBottom)->ticker());
    ticker->setTickCount(std::clamp(static_cast<int>(available / label), 2, 6));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

/// The line's path ("pid 12" until it is known), or its shortest suffix of
/// whole parts that no other line's path ends with.
QString RuntimeChart::lineName(const Line& line, bool brief) const
{
    if (line.path.empty()) return tr("pid %1").arg(line.pid);
    const QString path = QString::fromStdString(line.path);
    if (!brief) return elideLeft(path, 48);
    const QStringList parts = path.split(QLatin1Char('/'));
    for (qsizetype k = 1; k < parts.size(); ++k) {
        const QString suffix = parts.mid(parts.size() - k).join(QLatin1Char('/'));
        const bool unique = std::none_of(m_lines.begin(), m_lines.end(), [&](const Line& other) {
            if (&other == &line) return false;
            const QString o = QString::fromStdString(other.path);
            return o == suffix || o.endsWith(QLatin1Char('/') + suffix);
        });
        if (unique) return elideLeft(QStringLiteral("…/") + suffix, 32);
    }
    return elideLeft(path, 32);
}

void RuntimeChart::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::FontChange) applyFont();
    QWidget::changeEvent(event);
}

void RuntimeChart::applyFont()
{
    const QFont base = font();
    m_tagFont = base;
    m_tagFont.setBold(true);
    const QFontMetricsF metrics(base);
    // Lines thick enough for the back of a room, thicker with presenter fonts.
    m_penWidth = std::max(3.0, std::round(metrics.height() / 6.0));
    const int tagWidth = static_cast<int>(QFontMetricsF(m_tagFont).horizontalAdvance(QStringLiteral("00000.00")) + 16);

    for (const Chart* chart : {&m_mailboxChart, &m_restartChart, &m_donationChart}) {
        for (QCPAxis* axis : chart->rect->axes()) {
            axis->setTickLabelFont(base);
            axis->setLabelFont(base);
            axis->setBasePen(QPen(Qt::black, 1.5));
            axis->setTickPen(QPen(Qt::black, 1.5));
        }
        chart->rect->setMinimumMargins(QMargins(0, 0, tagWidth, 0));
        chart->legend->setFont(base);
        for (int i = 0; i < chart->legend->itemCount(); ++i)
            chart->legend->item(i)->setFont(base);
        chart->legend->setIconSize(static_cast<int>(metrics.height() * 1.6), static_cast<int>(metrics.height() * 0.8));
        chart->legend->setColumnSpacing(static_cast<int>(metrics.height()));
    }
    for (Line* line : allLines()) {
        QPen pen = line->graph->pen();
        pen.setWidthF(m_penWidth);
        line->graph->setPen(pen);
        line->tag->setFont(m_tagFont);
    }
    QPen donated = m_donatedLine->pen();
    donated.setWidthF(m_penWidth);
    m_donatedLine->setPen(donated);
    m_donatedTag->setFont(m_tagFont);
    fitToWidth();
    labelBars(m_restartBars, m_restartLabels, kRestartColour);
    labelBars(m_donationBars, m_donationLabels, kDonationColour);
    placeTags();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
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
