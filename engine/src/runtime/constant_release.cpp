#include "runtime/constant_release.h"

namespace interstage {

void releaseUnreadConstants(Graph& exec, Graph& file, std::set<const TensorData*> stillNeeded, bool fileWeightsToo,
                            const std::set<std::string>& pinned) {
    for (ValueId id : exec.outputs)
        if (exec.value(id).constant) stillNeeded.insert(exec.value(id).constant.get());
    std::set<const TensorData*> fileWeights;
    for (const Value& v : file.values)
        if (v.constant) fileWeights.insert(v.constant.get());
    for (Graph* g : {&exec, &file})
        for (Value& v : g->values) {
            const bool floating =
                v.dtype == DataType::Float || v.dtype == DataType::Float16 || v.dtype == DataType::BFloat16;
            if (!v.isWeight() || !v.constant || stillNeeded.count(v.constant.get()) || !floating ||
                v.constant->byteSize() <= 1024 || pinned.count(v.name))
                continue;
            if (fileWeightsToo || !fileWeights.count(v.constant.get())) v.constant.reset();
        }
}

std::size_t heldConstantBytes(const Graph& file, const Graph& exec) {
    std::set<const TensorData*> seen;
    std::size_t bytes = 0;
    for (const Graph* g : {&file, &exec})
        for (const Value& v : g->values)
            if (v.isWeight() && v.constant && seen.insert(v.constant.get()).second) bytes += v.constant->byteSize();
    return bytes;
}

}  // namespace interstage
