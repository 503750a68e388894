// The plans of control-flow bodies. Each body a node runs is resolved for
// the inputs the node hands it (model/node_bodies.h), against the graph
// around it, as the CPU runtime does before it runs the body
// (runtime/subgraph_runner.cpp); then its plans are checked in every
// memory mode: the runtime's own (no aliases) and checkPlans()'s. Bodies
// inside bodies follow, up to kMaxSubgraphDepth. A body that does not
// resolve is no finding: the runtime refuses it with an error.
#pragma once

#include "fuzz_checks.h"
#include "interstage/graph.h"
#include "interstage/model.h"

namespace interstage::fuzzing {

// `graph` is resolved (its nodes' inputs have shapes where they can) and,
// at depth 1, the top-level graph after the passes, as a session runs it.
// Stops at the first broken invariant, or after 64 bodies (the time one
// input may take).
void checkNestedPlans(const Graph& graph, const ShapeOptions& options, Finding& finding, int depth = 1);

}  // namespace interstage::fuzzing
