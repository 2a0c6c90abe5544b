// Threading: GUI thread only (icons are cached in function statics).
#pragma once

#include "genserver.h"

#include <QColor>
#include <QIcon>

namespace sc::ui::theme {

/// Dark enough to read as text on a light background through a washed-out
/// projector. Colour is never the only cue: the Status column spells it out.
QColor statusColor(sc::ProcessStatus status);
QColor okColor();
QColor warnColor();
QColor errorColor();

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

} // namespace sc::ui::theme
