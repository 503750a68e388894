#include "runtime/tensor_access.h"

namespace interstage {

namespace {

Status removedWeight(const std::string& name, bool madeByPasses) {
    if (madeByPasses)
        return Status(StatusCode::DataRemoved, "weight '" + name +
                                                   "' was made by the engine's passes (layer fusion or constant "
                                                   "folding), not read from the model file, and released once its "
                                                   "kernel packed its own copy; turn layer fusion off to see the "
                                                   "file's weights")
            .offering({Remedy::DisableFusion});
    return Status(StatusCode::DataRemoved, "weight '" + name +
                                               "' was released by reduce-constant once its kernel packed its own "
                                               "copy; run without reduce-constant to read it")
        .offering({Remedy::KeepFileWeights});
}

}  // namespace

Result<Readable> findReadable(const std::string& name, const TensorAccess& a) {
    auto fused = a.removed.fusedInto.find(name);
    if (fused != a.removed.fusedInto.end())
        return Status(StatusCode::DataRemoved, "tensor '" + name + "' was removed by layer fusion (fused into node '" +
                                                   fused->second +
                                                   "'); pin the tensor or turn layer fusion off to read it")
            .offering({Remedy::PinTensor, Remedy::DisableFusion});
    const ValueId id = a.exec.find(name);
    if (id == kNoValue) return Status(StatusCode::NotFound, "there is no tensor named '" + name + "'");
    const Value& v = a.exec.value(id);
    if (v.isWeight() && v.constant) return Readable{id, v.constant.get()};
    if (v.isWeight()) {
        const ValueId fileId = a.file.find(name);
        return removedWeight(name, fileId == kNoValue || !a.file.value(fileId).isWeight());
    }
    if (a.runs == 0) return Status(StatusCode::NotFound, "tensor '" + name + "' has no data yet: nothing has run");
    const bool kept = v.isGraphOutput || a.pinned.count(name) || v.isGraphInput;
    if (!kept && !a.mode.keepsEveryTensor())
        return Status(StatusCode::DataRemoved, "tensor '" + name + "' " + a.mode.whyReleased() + " (memory mode " +
                                                   a.mode.name() +
                                                   "); pin the tensor or use the default mode to read it")
            .offering({Remedy::PinTensor, Remedy::DefaultMode});
    return Readable{id, nullptr};
}

}  // namespace interstage
