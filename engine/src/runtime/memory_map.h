// The memory map: where each planned tensor lives, for the app's map and
// the live-peak report.
#pragma once

#include <vector>

#include "interstage/graph.h"
#include "interstage/run_stats.h"
#include "plan/memory_plan.h"

namespace interstage {

// One placement per planned tensor (same order). Workspace entries (value
// ids past the graph's values) are named "workspace of NODE".
std::vector<TensorPlacement> placementsOf(const Graph& graph, const std::vector<PlannedTensor>& tensors,
                                          const MemoryPlan& plan);

}  // namespace interstage
