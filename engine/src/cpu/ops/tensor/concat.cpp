// Concat along any axis for any fixed-size dtype (int64 shape tensors
// included). Seen as [outer, axis * inner] rows, every input contributes one
// contiguous block per outer index, so the whole op is memcpys.
#include <omp.h>

#include <cstring>

#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

class ConcatKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() == 0 || context.outputCount() != 1)
            return context.invalidHere("needs inputs and one output");
        DataType dtype = context.inputType(0);
        IS_RETURN_IF_ERROR(requireFixedSize(context, dtype, "input"));
        for (size_t i = 0; i < context.inputCount(); ++i) {
            if (!context.hasInput(i)) return context.invalidHere("input " + std::to_string(i) + " is missing");
            if (context.inputType(i) != dtype) return context.invalidHere("inputs have different dtypes");
            if (context.inputShape(i).size() != context.inputShape(0).size())
                return context.invalidHere("inputs have different ranks");
        }
        auto rank = static_cast<int64_t>(context.inputShape(0).size());
        axis_ = context.node().attrInt("axis", context.opset() > 0 && context.opset() < 4 ? 1 : 0);
        if (!normalizeAxis(axis_, rank))
            return context.invalidHere("axis " + std::to_string(context.node().attrInt("axis", 0)) +
                                       " is out of range for rank " + std::to_string(rank));
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& out = context.outputs[0];
        const auto a = static_cast<size_t>(axis_);
        const int64_t es = static_cast<int64_t>(dataTypeSize(out.dtype));
        const int64_t outer = product(out.shape, 0, a);
        const int64_t inner = product(out.shape, a + 1, out.shape.size()) * es;
        const int64_t outRow = out.shape[a] * inner;
        const size_t n = context.inputs.size();
        std::vector<int64_t> block(n), offset(n);
        int64_t at = 0;
        for (size_t i = 0; i < n; ++i) {
            block[i] = context.inputs[i].shape[a] * inner;
            offset[i] = at;
            at += block[i];
        }
        if (at != outRow) return {StatusCode::Internal, "concat: input sizes do not add up to the output"};
        auto* dst = static_cast<char*>(out.data);
        if (outer < omp_get_max_threads()) {
            // Few big blocks (axis 0, or channels at batch 1): split each copy.
            for (int64_t o = 0; o < outer; ++o)
                for (size_t i = 0; i < n; ++i) {
                    const char* src = context.inputs[i].as<char>() + o * block[i];
                    // Written there by its producer (plan/concat_in_place.h).
                    if (src == dst + o * outRow + offset[i]) continue;
                    parallelCopy(dst + o * outRow + offset[i], src, static_cast<std::size_t>(block[i]));
                }
            return Status::ok();
        }
#pragma omp parallel for schedule(static) if (outer * outRow > kParallelBytes)
        for (int64_t o = 0; o < outer; ++o)
            for (size_t i = 0; i < n; ++i)
                if (block[i] > 0 && context.inputs[i].as<char>() + o * block[i] != dst + o * outRow + offset[i])
                    std::memcpy(dst + o * outRow + offset[i], context.inputs[i].as<char>() + o * block[i],
                                static_cast<std::size_t>(block[i]));
        return Status::ok();
    }

private:
    int64_t axis_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeConcatKernel() { return std::make_unique<ConcatKernel>(); }

}  // namespace interstage::cpu::tensor
