// The drawing of the process glyphs (see glyphs.h).
#include "ui/common/glyphs.h"

#include <QPainter>
#include <QPolygonF>

namespace sc::ui::glyphs {

void drawGiveUpCross(QPainter& p, const QRectF& box, const QColor& colour, double width)
{
    p.setPen(QPen(colour, width, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(box.topLeft(), box.bottomRight());
    p.drawLine(box.topRight(), box.bottomLeft());
}

void drawRestartArrow(QPainter& p, const QRectF& box, const QColor& colour, double width)
{
    const double s = box.width() / 14; // the offsets below are for a 14 px box
    p.setPen(QPen(colour, width, Qt::SolidLine, Qt::RoundCap));
    p.setBrush(Qt::NoBrush);
    const QRectF arc = box.adjusted(1.5 * s, 1.5 * s, -1.5 * s, -1.5 * s);
    p.drawArc(arc, 90 * 16, 270 * 16);
    // The arrowhead at the arc's open end (top), pointing right.
    const QPointF tip(arc.center().x() + 2.5 * s, arc.top());
    p.setPen(Qt::NoPen);
    p.setBrush(colour);
    p.drawPolygon(
        QPolygonF({tip + QPointF(1.5 * s, 0), tip + QPointF(-2.5 * s, -3.5 * s), tip + QPointF(-2.5 * s, 3.5 * s)}));
}

void drawEnvelope(QPainter& p, const QRectF& box, const QColor& colour)
{
    p.setPen(QPen(colour, 1.6));
    p.setBrush(Qt::NoBrush);
    p.drawRoundedRect(box, 1.5, 1.5);
    p.drawPolyline(QPolygonF({box.topLeft() + QPointF(1, 1), QPointF(box.center().x(), box.center().y() + 1),
        box.topRight() + QPointF(-1, 1)}));
}

void drawDiamond(QPainter& p, const QPointF& centre, double half)
{
    const QPointF& c = centre;
    const double h = half;
    p.drawPolygon(QPolygonF({c + QPointF(0, -h), c + QPointF(h, 0), c + QPointF(0, h), c + QPointF(-h, 0)}));
}

} // namespace sc::ui::glyphs
