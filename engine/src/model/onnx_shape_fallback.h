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
std::map<std::string, InferredType> inferWithOnnx(const Graph& graph);

}  // namespace interstage
