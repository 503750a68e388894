// GraphProto -> Graph IR.
#pragma once

#include <onnx/onnx_pb.h>

#include <map>
#include <string>

#include "interstage/graph.h"
#include "model/tensor_proto.h"

namespace interstage {

// Subgraphs (If / Loop / Scan bodies) nest at most this deep: each level
// is converted, resolved and run by recursion, which must stay bounded
// whatever a file holds (protobuf's own limit is far deeper).
constexpr int kMaxSubgraphDepth = 16;

// The main graph and, recursively, its subgraphs; every graph gets
// `opsets` (domain -> version).
Result<Graph> convertGraph(const onnx::GraphProto& proto, const TensorDecodeContext& context,
                           const std::map<std::string, int64_t>& opsets = {});

// Attribute conversion, shared with Constant-node decoding.
Result<Attribute> convertAttribute(const onnx::AttributeProto& proto, const TensorDecodeContext& context,
                                   const std::string& owner);

}  // namespace interstage
