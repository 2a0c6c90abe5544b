// The theme: the colours and icons every view uses for a process's status and kind.
// Threading: GUI thread only (icons are cached in function statics).
#pragma once

#include "core/runtime/types.h"

#include <QColor>
#include <QIcon>
#include <QPalette>

class QWidget;

namespace sc::ui::theme {

/// Dark enough to read as text on a light background through a washed-out
/// projector. Colour is never the only cue: the Status column spells it out.
QColor statusColor(sc::ProcessStatus status);
QColor okColor();
QColor warnColor();
QColor errorColor();
/// The style sheet of a notice label (read-only data folder, finance tree not running):
/// a framed note in the warning colour, not an error.
QString noticeStyleSheet();

/// A process the runtime reported ended, still on screen.
QColor deadColor();
/// The glow around a node that was just restarted.
QColor flashColor();
/// The outline of the selected node and of search matches in the tree view.
QColor selectionColor();
QColor matchColor();

/// A status-coloured shape per kind: a disc for a worker, a square for a
/// supervisor, a diamond for a dynamic supervisor.
QIcon processIcon(sc::ProcessKind kind, sc::ProcessStatus status);

enum class ActionIcon { Kill, Shutdown };
/// Toolbar and menu icons drawn in the status colours.
QIcon actionIcon(ActionIcon which);

// -- presenter mode --

/// How much larger presenter mode draws text than the standard theme.
inline constexpr qreal presenterScale = 1.45;
/// Black on white with strong selection colours: what survives a washed-out
/// projector. Built on `base` (the standard palette), so only the roles that
/// carry contrast change.
QPalette presenterPalette(const QPalette& base);
/// Scales `root`'s font and every font a descendant set for itself by
/// `factor` relative to the size each had when first scaled (kept in a
/// property), so scaling by 1 restores them. Descendants that inherit their
/// font follow `root` by themselves.
void scaleFonts(QWidget* root, qreal factor);

} // namespace sc::ui::theme
