// The small symbols the views draw for what happened to a process: the cross
// of a supervisor that gave up, the restart arrow, the mailbox envelope, the
// dynamic supervisor's diamond. One home each, so the tree and the timeline
// draw the same mark for the same thing.
// Threading: GUI thread only (they paint with the QPainter they are given).
#pragma once

#include <QColor>
#include <QPointF>
#include <QRectF>

class QPainter;

namespace sc::ui::glyphs {

/// The cross over a supervisor that gave up: two strokes of `width`, round
/// capped, from corner to corner of `box` (top left to bottom right, top
/// right to bottom left). Leaves the painter's pen set to it.
void drawGiveUpCross(QPainter& p, const QRectF& box, const QColor& colour, double width);

/// The restart mark: an arrow three quarters round, open at the top right,
/// its head at the top pointing right (clockwise), inside `box`; drawn for a
/// 14 px box and scaled with its width. `width` is the arc's stroke.
void drawRestartArrow(QPainter& p, const QRectF& box, const QColor& colour, double width = 1.8);

/// A mailbox: an envelope outline filling `box`.
void drawEnvelope(QPainter& p, const QRectF& box, const QColor& colour);

/// A diamond of half-diagonal `half` around `centre`, with the painter's pen and brush
/// (the dynamic supervisor's shape).
void drawDiamond(QPainter& p, const QPointF& centre, double half);

} // namespace sc::ui::glyphs
