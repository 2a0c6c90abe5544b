#include "runtimechart.h"

#include "theme.h"

#include <QEvent>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace sc::ui {

namespace {
constexpr double windowSeconds = 60.0;
constexpr double firstWindowSeconds = 10.0; // the axis grows from this to windowSeconds, then scrolls
constexpr double sampleSeconds = 0.1;

double ceilingOf(const QCPGraph* graph)
{
    bool found = false;
    const QCPRange range = graph->getValueRange(found);
    return found ? range.upper : 0.0;
}
} // namespace

RuntimeChart::RuntimeChart(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);

    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setAntialiasedElements(QCP::aePlottables);

    m_processes = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
    m_processes->setName(tr("Processes"));
    m_processes->setPen(QPen(theme::okColor(), 3));

    m_mailbox = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    m_mailbox->setName(tr("Messages in mailboxes"));
    m_mailbox->setPen(QPen(QColor(0x1f, 0x5f, 0xbf), 3));

    auto ticker = QSharedPointer<QCPAxisTickerTime>::create();
    ticker->setTimeFormat(QStringLiteral("%m:%s"));
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setRange(0, firstWindowSeconds);
    m_plot->yAxis->setLabel(tr("processes"));
    m_plot->yAxis2->setLabel(tr("queued messages"));
    m_plot->yAxis2->setVisible(true);
    m_plot->yAxis->setLabelColor(theme::okColor());
    m_plot->yAxis2->setLabelColor(m_mailbox->pen().color());

    // The legend sits in its own row above the plot, never over the newest data.
    m_plot->legend->setVisible(true);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);

    applyFont();
    m_clock.start();
}

void RuntimeChart::addSample(const sc::Snapshot& snapshot)
{
    const double now = static_cast<double>(m_clock.elapsed()) / 1000.0;
    if (m_lastSample >= 0 && now - m_lastSample < sampleSeconds) return;
    m_lastSample = now;

    std::uint64_t queued = 0;
    for (const sc::ProcessInfo& info : snapshot.processes)
        queued += info.mailbox;
    m_processes->addData(now, static_cast<double>(snapshot.processes.size()));
    m_mailbox->addData(now, static_cast<double>(queued));
    m_processes->data()->removeBefore(now - windowSeconds - 1);
    m_mailbox->data()->removeBefore(now - windowSeconds - 1);

    const double span
        = std::clamp(std::ceil(now / firstWindowSeconds) * firstWindowSeconds, firstWindowSeconds, windowSeconds);
    m_plot->xAxis->setRange(std::max(0.0, now - span), std::max(span, now));
    // Round ceilings so the axes step rather than twitch with every sample.
    const auto headroom = [](double top) { return std::max(10.0, std::ceil(top * 1.25 / 10.0) * 10.0); };
    m_plot->yAxis->setRange(0, headroom(ceilingOf(m_processes)));
    m_plot->yAxis2->setRange(0, headroom(ceilingOf(m_mailbox)));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void RuntimeChart::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::FontChange) applyFont();
    QWidget::changeEvent(event);
}

void RuntimeChart::applyFont()
{
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis, m_plot->yAxis2}) {
        axis->setTickLabelFont(small);
        axis->setLabelFont(small);
    }
    m_plot->legend->setFont(small);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace sc::ui
