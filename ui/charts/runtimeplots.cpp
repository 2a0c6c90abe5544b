// The drawing half of RuntimeChart: the three QCustomPlot charts it builds,
// their lines, bars and value labels, and how they follow the widget's size
// and font. What is counted lives in RuntimeSeries; the inputs, pause and the
// read-only accessors in runtimechart.cpp.
#include "ui/charts/runtimechart.h"

#include <QFontMetricsF>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <qcustomplot.h>

namespace sc::ui {

namespace {

constexpr double kFirstWindowSeconds = 10; // the axis grows from this to kWindowSeconds, then scrolls

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

/// For display on an axis only: the ledger's exact amount stays a Money.
double majorUnits(sc::Money m)
{
    return static_cast<double>(m.minorUnits()) / std::pow(10.0, sc::Money::kDecimals);
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

// -- building --

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
    keys.reserve(static_cast<qsizetype>(m_series.restarts().size()));
    values.reserve(static_cast<qsizetype>(m_series.restarts().size()));
    for (const auto& [second, count] : m_series.restarts()) {
        keys.push_back(static_cast<double>(second) + 0.5);
        values.push_back(count);
    }
    m_restartBars->setData(keys, values, true);

    keys.clear();
    values.clear();
    for (const auto& [second, d] : m_series.donations()) {
        keys.push_back(static_cast<double>(second) + 0.5);
        values.push_back(d.count);
    }
    m_donationBars->setData(keys, values, true);

    // The running total, one step per second, from the first second kept to now.
    sc::Money running;
    keys.clear();
    values.clear();
    for (const auto& [second, total] : m_series.runningTotal(t)) {
        keys.push_back(static_cast<double>(second));
        values.push_back(majorUnits(total));
        running = total;
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

// -- size and font --

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

} // namespace sc::ui
