// The memory budget check: everything a plan holds at its peak, against
// SessionOptions::maxMemoryBytes, before any run.
#pragma once

#include <cstddef>
#include <string>

#include "interstage/status.h"

namespace interstage {

struct PlannedPeak {
    std::size_t weights = 0;    // the graph's copies still held plus the kernels' own
    std::size_t tensors = 0;    // the plan's buffers at their peak step (workspace it places included)
    std::size_t workspace = 0;  // one shared workspace buffer, when the plan does not place it
    std::size_t inputs = 0;
    std::size_t total() const { return weights + tensors + workspace + inputs; }
};

// Ok when budget is 0 (none) or the peak fits; otherwise OutOfMemory with
// the numbers, naming the mode.
Status checkBudget(const PlannedPeak& peak, std::size_t budget, const std::string& modeName);

}  // namespace interstage
