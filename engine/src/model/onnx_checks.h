// Checks of a parsed ModelProto against what ONNX defines, before the graph
// is converted: opset versions, and attribute types of known ops (a file may
// give Transpose's perm as a STRING; the kernels would then see no perm at
// all and silently do something else).
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "interstage/status.h"

namespace interstage {

// The newest default-domain opset whose op semantics the engine follows.
constexpr int64_t kMaxDefaultOpset = 22;

// Every default-domain ("" or "ai.onnx") opset import lies in 1..kMaxDefaultOpset.
Status checkOpsetImports(const onnx::ModelProto& model);

// Attributes of nodes whose op ONNX defines carry the type the op's schema
// declares; attributes the schema does not know are left alone.
Status checkAttributeTypes(const onnx::GraphProto& graph, int64_t opset);

// True when ONNX defines op_type in domain ("" = default) at that opset
// version, or any version when opset <= 0.
bool onnxDefinesOp(const std::string& opType, const std::string& domain, int64_t opset);

}  // namespace interstage
