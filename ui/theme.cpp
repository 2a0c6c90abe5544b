#include "theme.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <array>

namespace sc::ui::theme {

QColor okColor()
{
    return QColor(0x1b, 0x7f, 0x3b);
}
QColor warnColor()
{
    return QColor(0xb4, 0x5f, 0x06);
}
QColor errorColor()
{
    return QColor(0xc6, 0x28, 0x28);
}

QColor deadColor()
{
    return QColor(0x75, 0x75, 0x75);
}
QColor flashColor()
{
    return QColor(0xff, 0xa0, 0x00);
}
QColor selectionColor()
{
    return QColor(0x15, 0x65, 0xc0);
}
QColor matchColor()
{
    return QColor(0xf9, 0xa8, 0x25);
}

QColor statusColor(sc::ProcessStatus status)
{
    switch (status) {
    case sc::ProcessStatus::Running:
        return okColor();
    case sc::ProcessStatus::Initializing:
    case sc::ProcessStatus::Restarting:
        return warnColor();
    case sc::ProcessStatus::Terminating:
        return errorColor();
    }
    return {};
}

static QPixmap drawShape(sc::ProcessKind kind, const QColor& colour)
{
    constexpr int size = 64;
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(colour.darker(140), 4));
    p.setBrush(colour);
    const QRectF r(10, 10, size - 20, size - 20);
    switch (kind) {
    case sc::ProcessKind::Worker:
        p.drawEllipse(r);
        break;
    case sc::ProcessKind::Supervisor:
        p.drawRoundedRect(r, 6, 6);
        break;
    case sc::ProcessKind::DynamicSupervisor: {
        QPainterPath path;
        const QPointF c = r.center();
        const qreal h = r.width() / 2 + 4;
        path.moveTo(c.x(), c.y() - h);
        path.lineTo(c.x() + h, c.y());
        path.lineTo(c.x(), c.y() + h);
        path.lineTo(c.x() - h, c.y());
        path.closeSubpath();
        p.drawPath(path);
        break;
    }
    }
    return pixmap;
}

QIcon processIcon(sc::ProcessKind kind, sc::ProcessStatus status)
{
    constexpr std::size_t kinds = 3;
    constexpr std::size_t statuses = 4;
    static std::array<QIcon, kinds * statuses> cache;
    const auto k = static_cast<std::size_t>(kind);
    const auto s = static_cast<std::size_t>(status);
    if (k >= kinds || s >= statuses) return {};
    QIcon& icon = cache[k * statuses + s];
    if (icon.isNull()) icon = QIcon(drawShape(kind, statusColor(status)));
    return icon;
}

QIcon actionIcon(ActionIcon which)
{
    constexpr int size = 64;
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    const QColor colour = which == ActionIcon::Kill ? errorColor() : warnColor();
    p.setPen(Qt::NoPen);
    p.setBrush(colour);
    p.drawEllipse(QRectF(4, 4, size - 8, size - 8));
    p.setPen(QPen(Qt::white, 8, Qt::SolidLine, Qt::RoundCap));
    p.setBrush(Qt::white);
    if (which == ActionIcon::Kill) {
        p.drawLine(QPointF(22, 22), QPointF(42, 42));
        p.drawLine(QPointF(42, 22), QPointF(22, 42));
    } else {
        p.setPen(Qt::NoPen);
        p.drawRoundedRect(QRectF(21, 21, 22, 22), 3, 3);
    }
    return QIcon(pixmap);
}

} // namespace sc::ui::theme
