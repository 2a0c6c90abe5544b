// The tree graph's dimensions and timings, shared by the view, its painter and
// its layout code (TreeGraphView's .cpp files); not for use elsewhere.
// Threading: constants only.
#pragma once

#include "core/runtime/types.h"

#include <QtGlobal>

namespace sc::ui::treegraph {

// Scene units are pixels at zoom 1. Widths grow with the name, within limits.
constexpr double workerWidth = 170;
constexpr double workerMaxWidth = 320;
constexpr double workerHeight = 76;
constexpr double supervisorWidth = 250;
constexpr double supervisorMaxWidth = 360;
constexpr double supervisorHeight = 132;
constexpr double horizontalGap = 28;
constexpr double verticalGap = 72;
constexpr double levelHeight = supervisorHeight + verticalGap;
constexpr double margin = 48;
constexpr double toggleRadius = 12;
// More leaf children than this are wrapped into rows, so a big pool stays a block, not a line.
constexpr int wrapAbove = 12;
constexpr double gridRowGap = 40;
constexpr double minZoom = 0.0005;
constexpr double maxZoom = 4.0;
constexpr qint64 flashMs = 1000;
constexpr qint64 giveUpMs = 6000;
// Below this zoom the text would be too small to read: shapes only.
constexpr double detailZoom = 0.3;
// Trees of at most this many shown nodes are squeezed to the viewport's width when they cannot fit readable.
constexpr int squeezeAtMost = 60;
// A collapsed group's summary node.
constexpr double summaryWidth = 280;
constexpr double summaryHeight = 96;

inline double heightOf(sc::ProcessKind kind)
{
    return kind == sc::ProcessKind::Worker ? workerHeight : supervisorHeight;
}

} // namespace sc::ui::treegraph
