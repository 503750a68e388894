// The tensors a memory plan places, from a graph with resolved shapes.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "interstage/graph.h"
#include "plan/memory_plan.h"

namespace interstage {

// Every intermediate's lifetime (node outputs, graph outputs included),
// except values whose data is known before running (folded constants).
// Graph outputs and pinned tensors are kept; pinned ones live to the last
// step so they can be read after the run. Workspace is not included.
std::vector<PlannedTensor> plannedIntermediates(const Graph& graph, const std::set<std::string>& pinned = {});

}  // namespace interstage
