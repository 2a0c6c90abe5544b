// TreeGraphView's painting: edges, a node, a ghost, a collapsed group's
// summary, and the strips around the viewport (legend, Fit hint, give-up banner).
#include "ui/common/glyphs.h"
#include "ui/common/theme.h"
#include "ui/tree/processtreemodel.h"
#include "ui/tree/treegraphmetrics.h"
#include "ui/tree/treegraphview.h"

#include <QLocale>
#include <QPaintEvent>
#include <QPainter>
#include <QRegion>
#include <algorithm>
#include <array>
#include <cmath>

namespace sc::ui {

using namespace treegraph;

namespace {

/// Worst first: what a collapsed group's summary is coloured by.
int severity(sc::ProcessStatus status)
{
    switch (status) {
    case sc::ProcessStatus::Stuck:
        return 4;
    case sc::ProcessStatus::Restarting:
        return 3;
    case sc::ProcessStatus::Terminating:
        return 2;
    case sc::ProcessStatus::Initializing:
        return 1;
    case sc::ProcessStatus::Running:
        break;
    }
    return 0;
}

QColor tint(const QColor& colour, int percent)
{
    const auto mix = [percent](int c) { return 255 - (255 - c) * percent / 100; };
    return QColor(mix(colour.red()), mix(colour.green()), mix(colour.blue()));
}

QString periodText(std::uint32_t ms)
{
    if (ms % 1000 == 0) return QStringLiteral("%1 s").arg(ms / 1000);
    if (ms > 1000) return QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', 1);
    return QStringLiteral("%1 ms").arg(ms);
}

/// The cross over a supervisor that gave up, live or gone: translucent, so the name shows through.
void crossOut(QPainter& p, const QRectF& node)
{
    QColor cross = theme::errorColor();
    cross.setAlpha(170);
    glyphs::drawGiveUpCross(p, node.adjusted(10, 10, -10, -10), cross, 5);
}

} // namespace

void TreeGraphView::paintEvent(QPaintEvent* event)
{
    ensureLayout();
    QPainter p(viewport());
    p.fillRect(event->rect(), QColor(0xf7, 0xf8, 0xfa));
    m_lastPainted = 0;
    if (m_items.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        QFont f = font();
        f.setPointSizeF(16);
        p.setFont(f);
        p.drawText(viewport()->rect().adjusted(24, 0, -24, 0), Qt::AlignCenter | Qt::TextWordWrap, m_emptyText);
        return;
    }

    const QPointF o = origin();
    p.translate(o);
    p.scale(scale(), scale());
    const QRectF dirty(event->rect());
    const QRectF exposed
        = QRectF(mapToScene(dirty.topLeft()), mapToScene(dirty.bottomRight())).adjusted(-40, -40, 40, 40);
    const bool detailed = scale() >= detailZoom;
    p.setRenderHint(QPainter::Antialiasing, scale() >= 0.15);
    // After a relayout only the parts that moved are repainted, often far apart.
    const QRegion& region = event->region();
    const bool pieces = region.rectCount() > 1;

    m_paintKillSet.clear();
    if (m_killPreview) {
        m_paintKillSet = killSet(m_killPreview);
        std::sort(m_paintKillSet.begin(), m_paintKillSet.end());
    }
    paintEdges(p, exposed);
    for (const Item& item : m_items) {
        if (!item.visible) continue;
        if (item.hidden > 0 && item.summary.intersects(exposed)) paintSummary(p, item, detailed);
        if (!item.rect.intersects(exposed)) continue;
        if (pieces) {
            const QRectF halo = item.rect.adjusted(-24, -24, 24, 24 + toggleRadius);
            if (!region.intersects(
                    QRectF(mapToViewport(halo.topLeft()), mapToViewport(halo.bottomRight())).toAlignedRect()))
                continue;
        }
        paintNode(p, item, detailed);
        ++m_lastPainted;
    }
}

void TreeGraphView::paintEdges(QPainter& p, const QRectF& exposed) const
{
    QPen pen(QColor(0x90, 0x96, 0xa0), 2.5);
    if (scale() < 0.4) {
        pen.setCosmetic(true);
        pen.setWidthF(1);
    }
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    std::vector<QLineF> lines;
    for (const Item& item : m_items) {
        if (!item.visible || item.children.empty()) continue;
        if (item.hidden > 0) {
            // To the summary of what is collapsed under it.
            if (!item.summary.isEmpty() && (item.rect | item.summary).intersects(exposed))
                lines.emplace_back(
                    item.rect.center().x(), item.rect.bottom(), item.rect.center().x(), item.summary.top());
            continue;
        }
        const QRectF& first = m_items[item.children.front()].rect;
        const double x = item.rect.center().x();
        const double busY = first.top() - verticalGap / 2;
        if (item.columns > 0) {
            // A wrapped grid: a spine down its left side, a bus over each row.
            const QRectF& lastRect = m_items[item.children.back()].rect;
            const double spine = item.spine;
            double right = item.rect.right();
            for (std::size_t k = static_cast<std::size_t>(item.columns) - 1; k < item.children.size();
                 k += static_cast<std::size_t>(item.columns))
                right = std::max(right, m_items[item.children[k]].rect.right());
            const QRectF span(QPointF(std::min(spine, item.rect.left()), item.rect.top()),
                QPointF(std::max(right, lastRect.right()), lastRect.bottom()));
            if (!span.intersects(exposed)) continue;
            lines.emplace_back(x, item.rect.bottom(), x, busY);
            const auto rowOf = [&](std::size_t k) { return static_cast<int>(k) / item.columns; };
            const int rows = rowOf(item.children.size() - 1) + 1;
            double rowBus = busY;
            for (int row = 0; row < rows; ++row) {
                const std::size_t begin = static_cast<std::size_t>(row) * static_cast<std::size_t>(item.columns);
                const std::size_t end = std::min(item.children.size(), begin + static_cast<std::size_t>(item.columns));
                const QRectF& rowFirst = m_items[item.children[begin]].rect;
                const QRectF& rowLast = m_items[item.children[end - 1]].rect;
                rowBus = row == 0 ? busY : rowFirst.top() - gridRowGap / 2;
                if (rowFirst.top() > exposed.bottom() || rowFirst.bottom() < exposed.top() - gridRowGap) continue;
                lines.emplace_back(spine, rowBus, std::max(rowLast.center().x(), row == 0 ? x : spine), rowBus);
                for (std::size_t k = begin; k < end; ++k) {
                    const QRectF& c = m_items[item.children[k]].rect;
                    if (c.right() < exposed.left() || c.left() > exposed.right()) continue;
                    lines.emplace_back(c.center().x(), rowBus, c.center().x(), c.top());
                }
            }
            const double lastBus
                = m_items[item.children.back()].rect.top() - (rows > 1 ? gridRowGap / 2 : verticalGap / 2);
            lines.emplace_back(spine, busY, spine, lastBus);
            continue;
        }
        const QRectF& last = m_items[item.children.back()].rect;
        const QRectF span = QRectF(QPointF(std::min(first.left(), item.rect.left()), item.rect.top()),
            QPointF(std::max(last.right(), item.rect.right()), first.top()));
        if (!span.intersects(exposed)) continue;
        lines.emplace_back(x, item.rect.bottom(), x, busY);
        lines.emplace_back(first.center().x(), busY, last.center().x(), busY);
        for (int child : item.children) {
            const QRectF& c = m_items[child].rect;
            if (c.right() < exposed.left() || c.left() > exposed.right()) continue;
            lines.emplace_back(c.center().x(), busY, c.center().x(), c.top());
        }
    }
    p.drawLines(lines.data(), static_cast<int>(lines.size()));
}

void TreeGraphView::paintNode(QPainter& p, const Item& item, bool detailed) const
{
    if (item.ghost) {
        paintGhost(p, item, detailed);
        return;
    }
    const QModelIndex index = m_model ? m_model->indexOfPid(item.pid) : QModelIndex();
    const sc::ProcessInfo* info = m_model ? m_model->infoAt(index) : nullptr;
    if (!info) return;

    const bool dead = m_dead.contains(item.pid);
    if (item.rect.width() * scale() < 3) {
        // A speck on screen: its status colour is all that can be seen.
        p.fillRect(item.rect, dead ? theme::deadColor() : theme::statusColor(info->status));
        return;
    }
    const auto gaveUp = m_gaveUp.constFind(item.pid);
    const bool givenUp = gaveUp != m_gaveUp.cend();
    const bool supervisor = item.kind != sc::ProcessKind::Worker;
    const QColor status = dead ? theme::deadColor() : theme::statusColor(info->status);
    const QColor ink(0x1d, 0x21, 0x27);
    const QColor muted(0x55, 0x5b, 0x66);
    const QRectF r = item.rect;

    // Halos behind the node: flash, kill preview, search match, selection.
    const auto flash = m_flashUntil.constFind(item.path);
    if (flash != m_flashUntil.cend()) {
        const double left = std::clamp(double(flash.value() - m_clock.elapsed()) / flashMs, 0.0, 1.0);
        QColor glow = theme::flashColor();
        glow.setAlphaF(static_cast<float>(0.25 + 0.6 * left));
        p.setPen(Qt::NoPen);
        p.setBrush(glow);
        const double grow = 6 + 10 * left;
        p.drawRoundedRect(r.adjusted(-grow, -grow, grow, grow), 18 + grow, 18 + grow);
    }
    // The set is the previewed process and some of its siblings, found once per paint.
    const bool killed = std::binary_search(m_paintKillSet.begin(), m_paintKillSet.end(), item.pid);
    if (m_matches.contains(item.pid)) {
        p.setPen(QPen(theme::matchColor(), 5));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(r.adjusted(-7, -7, 7, 7), 20, 20);
    }
    if (item.pid == m_selected) {
        p.setPen(QPen(theme::selectionColor(), 4));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(r.adjusted(-6, -6, 6, 6), 20, 20);
    }

    // The body: the shape tells the kind (as theme::processIcon: disc, square, diamond).
    const QColor fill
        = dead ? QColor(0xe4, 0xe4, 0xe4) : tint(status, info->status == sc::ProcessStatus::Running ? 9 : 18);
    QPen border(status, item.pid == m_hover ? 4 : 3);
    if (dead) border.setStyle(Qt::DashLine);
    p.setPen(border);
    p.setBrush(fill);
    switch (item.kind) {
    case sc::ProcessKind::Worker:
        p.drawRoundedRect(r, r.height() / 2, r.height() / 2);
        break;
    case sc::ProcessKind::Supervisor:
        p.drawRoundedRect(r, 14, 14);
        break;
    case sc::ProcessKind::DynamicSupervisor:
        p.drawRect(r);
        p.setBrush(Qt::NoBrush);
        p.setPen(QPen(status, 1.5, border.style()));
        p.drawRect(r.adjusted(5, 5, -5, -5));
        break;
    }
    if (killed) {
        QColor red = theme::errorColor();
        red.setAlpha(60);
        p.setPen(QPen(theme::errorColor(), 4, Qt::DashLine));
        p.setBrush(red);
        const double radius = item.kind == sc::ProcessKind::Worker ? r.height() / 2 + 3 : 16;
        p.drawRoundedRect(r.adjusted(-3, -3, 3, 3), radius, radius);
    }

    if (!detailed) {
        if (item.hidden > 0) {
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(0x37, 0x47, 0x4f));
            p.drawRoundedRect(toggleRect(item), toggleRadius, toggleRadius);
        }
        return;
    }

    QFont nameFont = this->nameFont(item.kind);
    nameFont.setStrikeOut(dead || givenUp);
    QFont smallFont = font();
    smallFont.setPointSizeF(11);
    QFont tagFont = font();
    tagFont.setPointSizeF(10);
    tagFont.setBold(true);
    const QFontMetricsF nameMetrics(nameFont, viewport());
    const QFontMetricsF smallMetrics(smallFont, viewport());

    const double inset = item.kind == sc::ProcessKind::Worker ? r.height() / 3 : 16;
    const QRectF content = r.adjusted(inset, 8, -inset, -8);

    // The name row; a supervisor's name has its kind's badge in front.
    QRectF nameRow(content.left(), content.top(), content.width(), 28);
    if (supervisor) {
        const QPointF c(nameRow.left() + 8, nameRow.center().y());
        p.setPen(QPen(status.darker(140), 1.5));
        p.setBrush(status);
        if (item.kind == sc::ProcessKind::DynamicSupervisor)
            glyphs::drawDiamond(p, c, 8);
        else
            p.drawRoundedRect(QRectF(c.x() - 7, c.y() - 7, 14, 14), 3, 3);
        nameRow.setLeft(nameRow.left() + 22);
    }
    p.setFont(nameFont);
    p.setPen(dead ? theme::deadColor() : ink);
    const Qt::Alignment nameAlignment = Qt::AlignVCenter | (supervisor ? Qt::AlignLeft : Qt::AlignHCenter);
    p.drawText(
        nameRow, static_cast<int>(nameAlignment), nameMetrics.elidedText(item.name, Qt::ElideMiddle, nameRow.width()));

    p.setFont(smallFont);
    double y = nameRow.bottom() + 4;
    if (supervisor) {
        // Strategy, then the restart budget: "2 of 3 restarts in 5 s" over a gauge.
        const QString strategy = item.kind == sc::ProcessKind::DynamicSupervisor
            ? tr("dynamic")
            : QString::fromLatin1(sc::strategyName(info->strategy));
        p.setPen(muted);
        p.drawText(QRectF(content.left(), y, content.width(), 18), Qt::AlignLeft | Qt::AlignVCenter, strategy);
        y += 20;
        const int intensity = static_cast<int>(info->intensity);
        const int used = index.data(ProcessTreeModel::BudgetUsedRole).toInt();
        QString budget;
        if (info->periodMs == 0)
            budget = tr("restart budget unknown");
        else
            budget = tr("%1 of %2 restarts in %3").arg(used).arg(intensity).arg(periodText(info->periodMs));
        const QColor gaugeColour = used >= intensity && info->periodMs ? theme::errorColor()
            : 2 * used >= intensity && used > 0                        ? theme::warnColor()
                                                                       : theme::okColor();
        p.setPen(used > 0 ? gaugeColour : ink);
        p.drawText(QRectF(content.left(), y, content.width(), 18), Qt::AlignLeft | Qt::AlignVCenter,
            smallMetrics.elidedText(budget, Qt::ElideRight, content.width()));
        y += 22;
        const QRectF gauge(content.left(), y, content.width(), 9);
        p.setPen(Qt::NoPen);
        if (intensity > 0 && intensity <= 12) {
            const double gap = 3;
            const double w = (gauge.width() - gap * (intensity - 1)) / intensity;
            for (int i = 0; i < intensity; ++i) {
                p.setBrush(i < used ? gaugeColour : QColor(0xd5, 0xd8, 0xdd));
                p.drawRoundedRect(QRectF(gauge.left() + i * (w + gap), gauge.top(), w, gauge.height()), 2, 2);
            }
        } else {
            p.setBrush(QColor(0xd5, 0xd8, 0xdd));
            p.drawRoundedRect(gauge, 2, 2);
            if (intensity > 0 && used > 0) {
                p.setBrush(gaugeColour);
                p.drawRoundedRect(QRectF(gauge.topLeft(),
                                      QSizeF(gauge.width() * std::min(1.0, double(used) / intensity), gauge.height())),
                    2, 2);
            }
        }
        y = gauge.bottom() + 8;
    } else {
        y += 4;
    }

    // The bottom row, every kind: mailbox (number and a log-scale bar), restarts.
    // The mailbox drawn is the model's held peak: a flood that came and went
    // between two frames stays up a moment, then sinks to what is queued now.
    const QRectF row(content.left(), y, content.width(), 18);
    const QRectF envelope(row.left(), row.center().y() - 5.5, 15, 11);
    glyphs::drawEnvelope(p, envelope, muted);
    const std::uint32_t mailboxShown
        = std::max(info->mailbox, index.data(ProcessTreeModel::MailboxShownRole).value<std::uint32_t>());
    // Short enough for a worker's row, so that the bar keeps its room: 100k, 1.0M.
    const QString mailbox = mailboxShown < 10'000 ? QString::number(mailboxShown)
        : mailboxShown < 1'000'000                ? QStringLiteral("%1k").arg(mailboxShown / 1000)
                                                  : QStringLiteral("%1M").arg(mailboxShown / 1e6, 0, 'f', 1);
    const double mailboxWidth = std::max(22.0, smallMetrics.horizontalAdvance(mailbox));
    p.setPen(mailboxShown > 0 ? ink : muted);
    p.drawText(
        QRectF(envelope.right() + 4, row.top(), mailboxWidth, row.height()), Qt::AlignLeft | Qt::AlignVCenter, mailbox);
    const QString restarts = QString::number(info->restarts);
    const double restartsWidth = smallMetrics.horizontalAdvance(restarts);
    const QRectF restartText(row.right() - restartsWidth, row.top(), restartsWidth, row.height());
    p.setPen(info->restarts > 0 ? theme::warnColor().darker(115) : muted);
    p.drawText(restartText, Qt::AlignRight | Qt::AlignVCenter, restarts);
    glyphs::drawRestartArrow(p, QRectF(restartText.left() - 18, row.center().y() - 7, 14, 14),
        info->restarts > 0 ? theme::warnColor() : muted);
    const QRectF bar(envelope.right() + 8 + mailboxWidth, row.center().y() - 3, 0, 6);
    const QRectF barTrack(bar.left(), bar.top(), std::max(0.0, restartText.left() - 26 - bar.left()), bar.height());
    if (barTrack.width() > 8) {
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0xdd, 0xe0, 0xe4));
        p.drawRoundedRect(barTrack, 3, 3);
        const auto drawBar = [&](std::uint32_t messages, int alpha) {
            if (messages == 0) return;
            const double fraction = std::min(1.0, std::log10(1.0 + messages) / 3.0); // full at 1000
            QColor colour = messages >= 100 ? theme::errorColor() : theme::selectionColor();
            colour.setAlpha(alpha);
            p.setBrush(colour);
            p.drawRoundedRect(QRectF(barTrack.topLeft(), QSizeF(std::max(6.0, barTrack.width() * fraction), 6)), 3, 3);
        };
        // The held peak pale, what is queued now solid over it.
        if (mailboxShown > info->mailbox) drawBar(mailboxShown, 110);
        drawBar(info->mailbox, 255);
    }

    // A tag on the top edge spells out what the colour says, unless running.
    QString tag;
    QColor tagColour = status;
    if (givenUp) {
        tag = tr("GAVE UP");
        tagColour = theme::errorColor();
    } else if (std::any_of(m_recentGiveUps.begin(), m_recentGiveUps.end(),
                   [&](const GiveUp& g) { return g.path == item.path; })) {
        tag = tr("gave up, restarted");
        tagColour = theme::errorColor();
    } else if (dead) {
        tag = tr("exited");
    } else if (info->status != sc::ProcessStatus::Running) {
        tag = QString::fromLatin1(sc::processStatusName(info->status));
    }
    if (!tag.isEmpty()) {
        p.setFont(tagFont);
        const QFontMetricsF tagMetrics(tagFont, viewport());
        const double w = tagMetrics.horizontalAdvance(tag) + 14;
        const QRectF box(r.right() - w - 12, r.top() - 11, w, 22);
        p.setPen(Qt::NoPen);
        p.setBrush(tagColour);
        p.drawRoundedRect(box, 11, 11);
        p.setPen(Qt::white);
        p.drawText(box, Qt::AlignCenter, tag);
    }
    if (givenUp) crossOut(p, r);

    // The collapse toggle under a supervisor with children; collapsed shows "+N".
    if (!item.children.empty()) {
        const QRectF t = toggleRect(item);
        p.setPen(QPen(QColor(0x37, 0x47, 0x4f), 1.5));
        p.setBrush(item.hidden > 0 ? QColor(0x37, 0x47, 0x4f) : QColor(Qt::white));
        p.drawRoundedRect(t, toggleRadius, toggleRadius);
        p.setFont(tagFont);
        p.setPen(item.hidden > 0 ? QColor(Qt::white) : QColor(0x37, 0x47, 0x4f));
        p.drawText(
            t, Qt::AlignCenter, item.hidden > 0 ? QStringLiteral("+%1").arg(item.hidden) : QStringLiteral("\u2212"));
    }
}

void TreeGraphView::paintGhost(QPainter& p, const Item& item, bool detailed) const
{
    // The dead look: grey, dashed, struck out; a supervisor that gave up keeps its cross.
    const QRectF r = item.rect;
    const QColor grey = theme::deadColor();
    if (item.pid == m_selected) {
        p.setPen(QPen(theme::selectionColor(), 4));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(r.adjusted(-6, -6, 6, 6), 20, 20);
    }
    p.setPen(QPen(grey, 2.5, Qt::DashLine));
    p.setBrush(QColor(0xec, 0xec, 0xec));
    const double radius = item.kind == sc::ProcessKind::Worker ? r.height() / 2
        : item.kind == sc::ProcessKind::Supervisor             ? 14
                                                               : 0;
    p.drawRoundedRect(r, radius, radius);
    const bool givenUp = m_gaveUp.contains(item.pid);
    if (givenUp) crossOut(p, r);
    if (!detailed) return;
    QFont f = nameFont(item.kind);
    f.setStrikeOut(true);
    const QFontMetricsF fm(f, viewport());
    const double inset = item.kind == sc::ProcessKind::Worker ? r.height() / 3 : 16;
    const QRectF nameRow(r.left() + inset, r.top() + 8, r.width() - 2 * inset, 28);
    p.setFont(f);
    p.setPen(grey);
    p.drawText(nameRow, Qt::AlignCenter, fm.elidedText(item.name, Qt::ElideMiddle, nameRow.width()));

    QFont tagFont = font();
    tagFont.setPointSizeF(10);
    tagFont.setBold(true);
    const QString tag = givenUp ? tr("GAVE UP") : tr("exited");
    const double w = QFontMetricsF(tagFont, viewport()).horizontalAdvance(tag) + 14;
    const QRectF box(r.right() - w - 12, r.top() - 11, w, 22);
    p.setPen(Qt::NoPen);
    p.setBrush(givenUp ? theme::errorColor() : grey);
    p.drawRoundedRect(box, 11, 11);
    p.setFont(tagFont);
    p.setPen(Qt::white);
    p.drawText(box, Qt::AlignCenter, tag);
}

QFont TreeGraphView::nameFont(sc::ProcessKind kind) const
{
    QFont f = font();
    f.setPointSizeF(kind == sc::ProcessKind::Worker ? 14 : 15);
    f.setWeight(kind == sc::ProcessKind::Worker ? QFont::DemiBold : QFont::Bold);
    return f;
}

void TreeGraphView::paintLegend(QPainter& p, const QRectF& area) const
{
    // What the shapes mean, at the left of the strip under the tree.
    QFont f = font();
    f.setPointSizeF(11 * m_presenterScale);
    const QFontMetricsF fm(f, viewport());
    const QString labels[] = {tr("worker"), tr("supervisor"), tr("dynamic supervisor")};
    const double unit = fm.height() / 1.4; // the shapes' size follows the text's
    p.setRenderHint(QPainter::Antialiasing);
    p.setFont(f);
    const QColor ink(0x37, 0x47, 0x4f);
    double x = area.left() + 12;
    const double cy = area.center().y();
    for (int i = 0; i < 3; ++i) {
        p.setPen(QPen(ink, 1.5));
        p.setBrush(tint(ink, 20));
        if (i == 0)
            p.drawRoundedRect(QRectF(x, cy - unit * 0.4, unit * 1.1, unit * 0.8), unit * 0.4, unit * 0.4);
        else if (i == 1)
            p.drawRoundedRect(QRectF(x + 1, cy - unit * 0.45, unit * 0.9, unit * 0.9), 3, 3);
        else
            glyphs::drawDiamond(p, QPointF(x + unit * 0.55, cy), unit * 0.55);
        x += unit * 1.5;
        p.setPen(ink);
        const double w = fm.horizontalAdvance(labels[i]);
        p.drawText(QRectF(x, area.top(), w + 2, area.height()), Qt::AlignVCenter | Qt::AlignLeft, labels[i]);
        x += w + 16;
    }
}

void TreeGraphView::paintFooter(QPainter& p, const QRect& rect) const
{
    p.fillRect(rect, QColor(0xec, 0xee, 0xf1));
    p.setPen(QColor(0xd0, 0xd4, 0xda));
    p.drawLine(rect.topLeft(), rect.topRight());
    paintLegend(p, rect);
    const QRect hint = fitHintRect().translated(viewport()->pos() - m_footer->pos());
    if (hint.isEmpty()) return;
    // The view no longer follows the tree: say how to get it back.
    QFont f = font();
    f.setPointSizeF(11 * m_presenterScale);
    f.setBold(true);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(theme::selectionColor());
    p.drawRoundedRect(QRectF(hint), 6, 6);
    p.setFont(f);
    p.setPen(Qt::white);
    p.drawText(hint, Qt::AlignCenter, tr("Press F to fit"));
}

void TreeGraphView::paintGiveUps(QPainter& p, const QRect& rect) const
{
    // The nodes of a supervisor that gave up vanish within a tick or two: say
    // it here, in one line over the tree, the latest first (the tooltip lists all).
    if (m_recentGiveUps.empty()) return;
    QFont f = font();
    f.setPointSizeF(14 * m_presenterScale);
    f.setBold(true);
    const QFontMetricsF fm(f, m_header);
    p.fillRect(rect, theme::errorColor());
    const GiveUp& g = m_recentGiveUps.back();
    QString text = g.reason.isEmpty() ? tr("%1 gave up").arg(g.path) : tr("%1 gave up: %2").arg(g.path, g.reason);
    if (m_recentGiveUps.size() > 1) {
        QStringList others;
        for (auto it = m_recentGiveUps.rbegin() + 1; it != m_recentGiveUps.rend(); ++it)
            others << it->path;
        text += tr("  (before it: %1)").arg(others.join(QStringLiteral(", ")));
    }
    p.setFont(f);
    p.setPen(Qt::white);
    const QRect inner = rect.adjusted(14, 0, -14, 0);
    p.drawText(inner, Qt::AlignVCenter | Qt::AlignLeft, fm.elidedText(text, Qt::ElideRight, inner.width()));
}

TreeGraphView::Summary TreeGraphView::summaryOf(const Item& item) const
{
    std::array<int, 5> counts {};
    int exited = 0;
    Summary summary;
    const auto at = static_cast<std::size_t>(&item - m_items.data());
    for (std::size_t j = at + 1; j < m_items.size() && m_items[j].depth > item.depth; ++j) {
        const sc::ProcessInfo* info
            = m_items[j].ghost || !m_model ? nullptr : m_model->infoAt(m_model->indexOfPid(m_items[j].pid));
        if (!info) {
            ++exited;
            continue;
        }
        ++counts[static_cast<std::size_t>(severity(info->status))];
        if (severity(info->status) > severity(summary.worst)) summary.worst = info->status;
    }
    static const sc::ProcessStatus worstFirst[] = {sc::ProcessStatus::Stuck, sc::ProcessStatus::Restarting,
        sc::ProcessStatus::Terminating, sc::ProcessStatus::Initializing, sc::ProcessStatus::Running};
    QStringList parts;
    for (const sc::ProcessStatus status : worstFirst) {
        if (const int n = counts[static_cast<std::size_t>(severity(status))]; n > 0)
            parts << QStringLiteral("%1 %2").arg(
                QLocale().toString(n), QString::fromLatin1(sc::processStatusName(status)));
    }
    if (exited > 0) parts << tr("%1 exited").arg(QLocale().toString(exited));
    summary.text = parts.join(QStringLiteral(" \u00b7 "));
    return summary;
}

QString TreeGraphView::summaryText(sc::Pid pid) const
{
    ensureLayout();
    const int id = itemOf(pid);
    return id >= 0 && m_items[id].hidden > 0 ? summaryOf(m_items[id]).text : QString();
}

sc::ProcessStatus TreeGraphView::summaryStatus(sc::Pid pid) const
{
    ensureLayout();
    const int id = itemOf(pid);
    return id >= 0 && m_items[id].hidden > 0 ? summaryOf(m_items[id]).worst : sc::ProcessStatus::Running;
}

void TreeGraphView::paintSummary(QPainter& p, const Item& item, bool detailed) const
{
    // What a collapsed group holds: how many, by status, in its worst status's colour.
    const Summary summary = summaryOf(item);
    const QRectF r = item.summary;
    const QColor colour = theme::statusColor(summary.worst);
    p.setPen(QPen(colour, 2.5, Qt::DashLine));
    p.setBrush(tint(colour, 14));
    p.drawRoundedRect(r, 10, 10);
    if (!detailed) return;
    p.setFont(nameFont(sc::ProcessKind::Worker));
    p.setPen(QColor(0x1d, 0x21, 0x27));
    p.drawText(QRectF(r.left() + 10, r.top() + 6, r.width() - 20, 28), Qt::AlignCenter,
        item.hidden == 1 ? tr("1 process") : tr("%1 processes").arg(QLocale().toString(item.hidden)));
    QFont small = font();
    small.setPointSizeF(11);
    const QFontMetricsF fm(small, viewport());
    const QRectF line(r.left() + 10, r.top() + 36, r.width() - 20, 26);
    p.setFont(small);
    p.setPen(QColor(0x37, 0x47, 0x4f));
    p.drawText(line, Qt::AlignCenter, fm.elidedText(summary.text, Qt::ElideRight, line.width()));
    p.setPen(QColor(0x55, 0x5b, 0x66));
    p.drawText(line.translated(0, 26), Qt::AlignCenter, tr("click to expand"));
}

} // namespace sc::ui
