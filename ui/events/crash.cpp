// The crash rule (crash.h).
#include "ui/events/crash.h"

#include "core/base/exitreason.h"

namespace sc::ui {

bool isCrash(const sc::Event& event)
{
    return event.kind == sc::EventKind::Exit && !sc::ExitReason::parse(event.reason).isOrderly();
}

} // namespace sc::ui
