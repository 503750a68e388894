// GraphProto -> Graph IR.
#pragma once

#include <onnx/onnx_pb.h>

#include <map>
#include <string>

#include "interstage/graph.h"
#include "model/subgraph_depth.h"
#include "model/tensor_proto.h"

namespace interstage {

// The main graph and, recursively, its subgraphs; every graph gets
// `opsets` (domain -> version).
Result<Graph> convertGraph(const onnx::GraphProto& proto, const TensorDecodeContext& context,
                           const std::map<std::string, int64_t>& opsets = {});

// Attribute conversion, shared with Constant-node decoding.
Result<Attribute> convertAttribute(const onnx::AttributeProto& proto, const TensorDecodeContext& context,
                                   const std::string& owner);

}  // namespace interstage
