// GraphProto -> Graph IR.
#pragma once

#include <onnx/onnx_pb.h>

#include "interstage/graph.h"
#include "model/tensor_proto.h"

namespace interstage {

Result<Graph> convertGraph(const onnx::GraphProto& proto, const TensorDecodeContext& context);

// Attribute conversion, shared with Constant-node decoding.
Result<Attribute> convertAttribute(const onnx::AttributeProto& proto, const TensorDecodeContext& context,
                                   const std::string& owner);

}  // namespace interstage
