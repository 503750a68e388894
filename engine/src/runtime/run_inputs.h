// A run's inputs: what the caller gave, checked against the file's graph,
// and the deterministic default input for the rest.
#pragma once

#include <map>
#include <string>

#include "interstage/graph.h"
#include "interstage/model.h"
#include "interstage/status.h"
#include "interstage/tensor.h"

namespace interstage {

// Every runtime input by name. A given name that is not a runtime input,
// or of another dtype, is InvalidArgument; missing ones get
// defaultInput() of the prepared shape.
Result<std::map<std::string, TensorData>> runInputs(const Graph& file, const std::map<std::string, TensorData>& given,
                                                    const InputShapes& preparedShapes);

// Whether every op of the graph has a CPU kernel (on Vulkan, the fallback
// of ops without a shader); otherwise Unsupported, listing each missing
// op with its first node, before any run.
Status checkOpsSupported(const Graph& graph, const std::string& backend);

}  // namespace interstage
