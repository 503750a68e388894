// The bodies a resolved control-flow node runs and what it hands them, as
// its shape rule (model/shape_rules_control.cpp) does: an If nothing (its
// branches read outer values), a Loop the iteration, the condition and
// the carried values, a Scan the states and one slice of each scan input.
// `info`'s bounds (model/subgraph_bounds) and the fuzzer's nested-plan
// checks resolve each body from it with resolveBody.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/subgraph_shapes.h"

namespace interstage {

struct NodeBodies {
    // The graph attributes that run: an If whose condition is known runs
    // only the branch taken, otherwise both may.
    std::vector<std::string> names;
    std::vector<BodyInput> inputs;  // the same for every body of the node
    // A Loop's body whose shapes depend on the iteration (a Slice at the
    // iteration number) is resolved from the first iteration's values when
    // `inputs` give a ShapeError, as its shape rule and the runtime do:
    // iteration 0, condition true, the carried values' initial values
    // where known. Empty for other nodes.
    std::vector<BodyInput> firstIteration;
    bool branchTaken = false;
};

// nullopt for a node without bodies, one of a custom domain, one with an
// input that has no shape, or a form its shape rule refuses (an If
// without its condition, an omitted carried value, a scan axis out of
// range, Scan's sequence_lens).
std::optional<NodeBodies> nodeBodies(const Graph& graph, const Node& node);

}  // namespace interstage
