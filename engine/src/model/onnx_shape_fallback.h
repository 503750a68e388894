// Fallback for ops without an engine shape rule: ONNX's own shape
// inference, run on the source model with every shape resolved so far.
#pragma once

#include <map>
#include <string>

#include "interstage/graph.h"

namespace interstage {

struct InferredType {
    DataType dtype = DataType::Undefined;
    Shape shape;
};

// Value name -> fully static type ONNX infers for it, given the graph's
// current resolved shapes. Empty when inference fails or the graph has no
// source. Never throws.
//
// ONNX's inference functions trust their node (libonnx 1.12 reads out of
// bounds on a ConvTranspose with mismatched attribute lengths, and on a
// Scan without num_scan_inputs), so only the nodes that need it are shown
// to ONNX: nodes without an engine rule, whose schema accepts them, and
// without subgraphs (If / Loop / Scan have no kernels here, and their
// bodies would reach every inference function again). Everything else
// comes in as already-resolved types. And since even those functions can
// crash, inference runs in a forked child (model/crash_sandbox.h).
std::map<std::string, InferredType> inferWithOnnx(const Graph& graph);

}  // namespace interstage
