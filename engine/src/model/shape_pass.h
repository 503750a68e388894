// The node-by-node part of resolveShapes(), for graphs whose inputs are
// bound some other way: control-flow bodies, whose formal inputs and
// outer-scope values come from the node that runs them.
#pragma once

#include "interstage/model.h"

namespace interstage {

// Resolves every node in order, given shapes on the graph's inputs,
// weights and outer-scope values. Stops at the first failure, or with
// options.keepGoing records it in report.unresolved and goes on.
Status resolveNodeShapes(Graph& graph, const ShapeOptions& options, ShapeReport& report);

}  // namespace interstage
