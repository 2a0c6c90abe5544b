// The kill-set policy: which processes a kill of one takes down, by its
// supervisor's restart strategy; the tree graph's kill preview shows it.
// Threading: any thread; pure computation over the values it is given.
#pragma once

#include "core/runtime/types.h"

#include <vector>

namespace sc::ui {

/// What a kill of `victim` takes down when its supervisor restarts by
/// `strategy`: one_for_one just it, one_for_all all its siblings,
/// rest_for_one it and its later siblings. `siblings` are the supervisor's
/// live children in row (start) order, `victim` among them; the result keeps
/// that order. A dynamic supervisor's child, or a process without a
/// supervisor, is one_for_one.
std::vector<sc::Pid> killSet(sc::Strategy strategy, const std::vector<sc::Pid>& siblings, sc::Pid victim);

} // namespace sc::ui
