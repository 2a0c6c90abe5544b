// Threading: runGuiTick() runs on the thread that owns the QApplication (or,
// with none, on the calling thread, which then becomes the GUI thread); it
// blocks for the whole run, about 12 s at 10,000 processes.
#pragma once

#include <vector>

namespace sc::bench {

struct GuiTick {
    long ticks = 0;
    double seconds = 0;
    std::vector<double> latenciesUs;
    int processes = 0;
};

/// The GUI bridge's full tick (snapshot, diff, model and view update) with `processes` live processes under churn;
/// needs no QApplication from the caller (creates an offscreen one if none exists).
GuiTick runGuiTick(int processes, unsigned workers);

} // namespace sc::bench
