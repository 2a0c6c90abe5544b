// Crash: the one rule for when a process's exit counts as a crash. Every view
// that tells a crash from an orderly end (the event log's alarm colour, the
// timeline's filled red mark) asks here.
//
// Threading: a pure function; any thread.
#pragma once

#include "core/runtime/events.h"

namespace sc::ui {

/// An Exit whose reason is not orderly (normal, shutdown, {shutdown, _}):
/// a crash or a kill. Any other kind of event is not a crash.
bool isCrash(const sc::Event& event);

} // namespace sc::ui
