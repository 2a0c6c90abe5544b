// The theme's colours and icons (theme.h).
#include "ui/common/theme.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QWidget>
#include <algorithm>
#include <array>
#include <vector>

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
QString noticeStyleSheet()
{
    return QStringLiteral("QLabel { border: 2px solid %1; border-radius: 4px; padding: 8px; }").arg(warnColor().name());
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
    case sc::ProcessStatus::Stuck:
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

QPalette presenterPalette(const QPalette& base)
{
    QPalette p = base;
    for (const auto group : {QPalette::Active, QPalette::Inactive}) {
        p.setColor(group, QPalette::Window, Qt::white);
        p.setColor(group, QPalette::WindowText, Qt::black);
        p.setColor(group, QPalette::Base, Qt::white);
        p.setColor(group, QPalette::AlternateBase, QColor(0xe8, 0xe8, 0xe8));
        p.setColor(group, QPalette::Text, Qt::black);
        p.setColor(group, QPalette::Button, QColor(0xe0, 0xe0, 0xe0));
        p.setColor(group, QPalette::ButtonText, Qt::black);
        p.setColor(group, QPalette::Highlight, QColor(0x0d, 0x47, 0xa1));
        p.setColor(group, QPalette::HighlightedText, Qt::white);
        p.setColor(group, QPalette::ToolTipBase, Qt::black);
        p.setColor(group, QPalette::ToolTipText, Qt::white);
        p.setColor(group, QPalette::PlaceholderText, QColor(0x44, 0x44, 0x44));
        p.setColor(group, QPalette::Mid, QColor(0x40, 0x40, 0x40));
        p.setColor(group, QPalette::Dark, Qt::black);
    }
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x5a, 0x5a, 0x5a));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x5a, 0x5a, 0x5a));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x5a, 0x5a, 0x5a));
    return p;
}

void scaleFonts(QWidget* root, qreal factor)
{
    static const char* const kBaseSize = "scBasePointSize";
    // Every base size is read before any font changes: a child that inherits
    // its size would otherwise be read after its parent grew, and grow twice.
    std::vector<QWidget*> widgets {root};
    for (QWidget* child : root->findChildren<QWidget*>()) {
        if (child->testAttribute(Qt::WA_SetFont) || child->property(kBaseSize).isValid()) widgets.push_back(child);
    }
    std::erase_if(widgets, [](QWidget* w) {
        if (w->property(kBaseSize).isValid()) return false;
        if (w->font().pointSizeF() <= 0) return true; // sized in pixels: left alone
        w->setProperty(kBaseSize, w->font().pointSizeF());
        return false;
    });
    // Innermost first, `root` last: a widget that sizes itself on its FontChange (the scenario
    // panel's step list) then sees its descendants' new fonts, not the old ones.
    std::reverse(widgets.begin(), widgets.end());
    for (QWidget* w : widgets) {
        QFont f = w->font();
        f.setPointSizeF(w->property(kBaseSize).toReal() * factor);
        w->setFont(f);
    }
}

} // namespace sc::ui::theme
