// The bodies of a resolved graph's control-flow nodes, resolved again for
// the lower bound `info` shows (interstage/model_info.h: SubgraphBound).
#pragma once

#include <vector>

#include "interstage/model_info.h"

namespace interstage {

// One entry per If / Loop / Scan whose inputs have shapes
// (model/node_bodies.h) and whose bodies resolve; nodes whose bodies need
// run-time values are left out.
std::vector<SubgraphBound> subgraphBounds(const Graph& graph);

}  // namespace interstage
