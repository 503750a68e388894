#include "cpu/ops/contrib/attention_masks.h"

namespace interstage::cpu::contrib {

Status checkMaskTypes(const PrepareContext& context, size_t maskInput, size_t biasInput) {
    if (context.hasInput(maskInput) && context.inputType(maskInput) != DataType::Int32)
        return context.unsupportedHere("the mask must be int32");
    if (context.hasInput(biasInput) && context.inputType(biasInput) != DataType::Float)
        return context.unsupportedHere("attention_bias must be float");
    return Status::ok();
}

void bindMasks(const RunContext& context, size_t maskInput, size_t biasInput, AttentionProblem& p) {
    if (context.hasInput(maskInput)) {
        const TensorView& mask = context.inputs[maskInput];
        const int32_t* data = mask.as<int32_t>();
        if (mask.shape.size() == 1)
            p.keyEnds = data;
        else if (mask.shape.size() == 2)
            p.keyMask = data;
        else
            p.queryKeyMask = data;
    }
    if (context.hasInput(biasInput)) {
        const TensorView& bias = context.inputs[biasInput];
        p.bias = bias.as<float>();
        // (batch or 1, heads or 1, seq or 1, total): a size-1 axis is read
        // again for every index (stride 0).
        const int64_t plane = bias.shape[2] * p.total;
        p.biasRow = bias.shape[2] == 1 ? 0 : p.total;
        p.biasHead = bias.shape[1] == 1 ? 0 : plane;
        p.biasBatch = bias.shape[0] == 1 ? 0 : bias.shape[1] * plane;
    }
}

}  // namespace interstage::cpu::contrib
