// Values for the dynamic input dims the user did not set. ONNX names a
// dynamic dim with a symbol ("batch", "sequence"); every dim with the same
// symbol has the same size at run time, so the defaults follow that too:
// a symbol the user fixed through one input (x=1x512 for "batch x
// sequence") fixes it in every other input (state "2 x batch x 128"
// becomes 2x1x128, not 2x320x128, which an LSTM would refuse).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "interstage/graph.h"
#include "interstage/model.h"

namespace interstage {

// Symbol -> size: from the inputs the user gave first, then a default for
// the rest: options.defaultBatch for a symbol that names a batch ("batch",
// "batch_size", "N", ...) or leads some input's dims, options.defaultDim
// otherwise.
std::map<std::string, int64_t> symbolSizes(const Graph& graph, const InputShapes& given, const ShapeOptions& options);

}  // namespace interstage
