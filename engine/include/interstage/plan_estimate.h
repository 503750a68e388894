// What each memory preset would plan for a model, from its graph alone:
// no kernels are made and nothing runs, so it works for a model opened
// without its weights (the figures a user weighs before downloading them).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "interstage/model.h"
#include "interstage/status.h"

namespace interstage {

struct PlanEstimate {
    std::string preset;                // a name of memoryPresets()
    std::size_t plannedPeakBytes = 0;  // intermediates at the planned peak
    int buffers = 0;
    int allocationsPerRun = 0;  // buffers allocated and freed every run
};

// Each preset as a default CPU session plans it (fusion, memory-aware
// order, in-place writes), for the given input shapes. Kernel scratch is
// not counted: it depends on the kernels, which need the weights. Weights
// that were not loaded stand in as zeros (up to 1 GiB of them) so that
// folds into Conv shape the plan as they would with the real weights.
Result<std::vector<PlanEstimate>> estimatePlans(const Graph& file, const InputShapes& shapes);

}  // namespace interstage
