// The memory guard before loading: a model file, or its external weights
// in total, that cannot fit the load's memory budget is refused from the
// sizes alone (stat and the tensors' declared shapes), before a byte of it
// is read.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>

#include "interstage/memory_budget.h"
#include "interstage/model.h"
#include "model/tensor_proto.h"

namespace interstage {

// The load's budget (LoadOptions::maxMemoryBytes / automaticBudget).
MemoryBudget loadBudget(const LoadOptions& options);

// OutOfMemory when a file of `fileBytes` cannot fit `budget` (reading it
// takes at least its size).
Status checkModelFileFits(const std::string& path, uint64_t fileBytes, const MemoryBudget& budget);

// The refusal of the graph's external weights (bodies' included) when,
// with the `fileBytes` already read, they cannot fit `budget`; "" when
// they fit. Only tensors whose bytes lie in their file count: the others
// fail on their own when decoded, with their own message.
std::string externalWeightsRefusal(const onnx::GraphProto& graph, const TensorDecodeContext& context,
                                   uint64_t fileBytes, const MemoryBudget& budget);

}  // namespace interstage
