// The ModelProto a Graph was loaded from, with large weight payloads
// dropped: only ONNX's shape-inference fallback reads it.
#pragma once

#include <onnx/onnx_pb.h>

#include "interstage/graph.h"

namespace interstage {

struct OnnxSource {
    onnx::ModelProto model;
};

}  // namespace interstage
