// Resolving a control-flow body (If branch, Loop or Scan body) for the
// node that runs it: the body's formal inputs take the dtypes and shapes
// the node gives them, its outer-scope values those of the enclosing graph.
// Shape rules call it while the enclosing graph resolves, the CPU
// executor before it runs a body.
#pragma once

#include <memory>
#include <vector>

#include "interstage/graph.h"
#include "interstage/model.h"

namespace interstage {

// What the node hands a body input: dtype, shape, and the value when it is
// known (folded constants, or a value at run time), else nullptr.
struct BodyInput {
    DataType dtype = DataType::Undefined;
    Shape shape;
    std::shared_ptr<const TensorData> value;
};

// A copy of `body`, its inputs and outer-scope values bound (the latter by
// name from `outer`, which must have resolved them) and every node
// resolved. The body's shape options are the enclosing graph's, always
// strict: a body that cannot be resolved whole cannot run. Errors name
// the body's input or value; the caller names the node.
Result<Graph> resolveBody(const Graph& body, const std::vector<BodyInput>& inputs, const Graph& outer,
                          const ShapeOptions& options);

}  // namespace interstage
