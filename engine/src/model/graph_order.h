// Execution order for a GraphProto: a stable topological sort that keeps
// the file's order when it is already valid, and names the problem when it
// is not (a cycle, an input nothing produces, a value produced twice).
#pragma once

#include <onnx/onnx_pb.h>

#include <set>
#include <string>
#include <vector>

#include "interstage/status.h"

namespace interstage {

// Names a subgraph (If / Loop / Scan body) reads from its enclosing scopes.
void collectOuterReferences(const onnx::GraphProto& graph, std::set<std::string>& outer);

struct GraphOrder {
    std::vector<int> order;                          // node indices in execution order
    std::vector<std::vector<std::string>> implicit;  // per node: outer-scope names its subgraphs read
};

// `outerNames`: values of enclosing graphs a subgraph may read (empty for
// the main graph); they count as available from the start.
Result<GraphOrder> orderNodes(const onnx::GraphProto& graph, const std::set<std::string>& outerNames = {});

}  // namespace interstage
