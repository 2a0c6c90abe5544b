// The kill-set policy (see killset.h).
#include "ui/tree/killset.h"

#include <algorithm>

namespace sc::ui {

std::vector<sc::Pid> killSet(sc::Strategy strategy, const std::vector<sc::Pid>& siblings, sc::Pid victim)
{
    switch (strategy) {
    case sc::Strategy::OneForOne:
        break;
    case sc::Strategy::OneForAll:
        return siblings;
    case sc::Strategy::RestForOne:
        return {std::find(siblings.begin(), siblings.end(), victim), siblings.end()};
    }
    return {victim};
}

} // namespace sc::ui
