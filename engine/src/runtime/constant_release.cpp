#include "runtime/constant_release.h"

namespace interstage {

namespace {

// The weight copies releaseUnreadConstants drops: the predicate is shared
// with keptConstantBytes, so the budget check before the plan is set up
// counts exactly what stays.
struct Release {
    std::set<const TensorData*> stillNeeded;
    std::set<const TensorData*> fileWeights;
    bool fileWeightsToo = false;
    const std::set<std::string>* pinned = nullptr;

    Release(const Graph& exec, const Graph& file, std::set<const TensorData*> needed, bool fileToo,
            const std::set<std::string>& pinnedNames)
        : stillNeeded(std::move(needed)), fileWeightsToo(fileToo), pinned(&pinnedNames) {
        for (ValueId id : exec.outputs)
            if (exec.value(id).constant) stillNeeded.insert(exec.value(id).constant.get());
        for (const Value& v : file.values)
            if (v.constant) fileWeights.insert(v.constant.get());
    }

    bool drops(const Value& v) const {
        const bool floating =
            v.dtype == DataType::Float || v.dtype == DataType::Float16 || v.dtype == DataType::BFloat16;
        if (!v.isWeight() || !v.constant || stillNeeded.count(v.constant.get()) || !floating ||
            v.constant->byteSize() <= 1024 || pinned->count(v.name))
            return false;
        return fileWeightsToo || !fileWeights.count(v.constant.get());
    }
};

}  // namespace

void releaseUnreadConstants(Graph& exec, Graph& file, std::set<const TensorData*> stillNeeded, bool fileWeightsToo,
                            const std::set<std::string>& pinned) {
    const Release release(exec, file, std::move(stillNeeded), fileWeightsToo, pinned);
    for (Graph* g : {&exec, &file})
        for (Value& v : g->values)
            if (release.drops(v)) v.constant.reset();
}

std::size_t keptConstantBytes(const Graph& exec, const Graph& file, std::set<const TensorData*> stillNeeded,
                              bool fileWeightsToo, const std::set<std::string>& pinned) {
    const Release release(exec, file, std::move(stillNeeded), fileWeightsToo, pinned);
    // A copy shared by both graphs stays when either keeps it.
    std::set<const TensorData*> kept;
    for (const Graph* g : {&file, &exec})
        for (const Value& v : g->values)
            if (v.isWeight() && v.constant && !release.drops(v)) kept.insert(v.constant.get());
    std::size_t bytes = 0;
    for (const TensorData* t : kept) bytes += t->byteSize();
    return bytes;
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
