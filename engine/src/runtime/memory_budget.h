// The memory budget check: everything a plan holds at its peak, against
// the session's budget (interstage/memory_budget.h), before anything of
// the plan is allocated; and the refusal that says what would fit.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "interstage/memory_budget.h"
#include "interstage/status.h"

namespace interstage {

struct PlannedPeak {
    std::size_t weights = 0;    // the graph's copies still held plus the kernels' own
    std::size_t tensors = 0;    // the plan's buffers at their peak step (workspace it places included)
    std::size_t workspace = 0;  // one shared workspace buffer, when the plan does not place it
    std::size_t inputs = 0;
    std::size_t total() const { return weights + tensors + workspace + inputs; }
};

// Ok when the budget is none (0 bytes) or the peak fits.
bool fitsBudget(const PlannedPeak& peak, const MemoryBudget& budget);

// A memory preset whose plan of the same graph and kernels fits the budget.
struct FittingPreset {
    std::string name;
    std::size_t bytes = 0;
};

// OutOfMemory naming both numbers (the plan's peak by part, the budget and
// its source) and the ways out: a larger budget, a smaller input, or the
// presets in `fitting`. Worded for every front end (the CLI's flag is
// named; the app adds its own hint).
Status budgetRefusal(const PlannedPeak& peak, const MemoryBudget& budget, const std::string& modeName,
                     const std::vector<FittingPreset>& fitting);

// "20.0 MiB", or for small numbers "19.5 KiB (20000 bytes)": a budget that
// close is a test's, and tests compare bytes ("0 B": exact already).
std::string budgetBytesText(std::size_t bytes);

// "the memory budget of 20.6 GiB (host: 21.7 GiB available (MemAvailable) less a
// 1.1 GiB margin)".
std::string budgetText(const MemoryBudget& budget);

}  // namespace interstage
