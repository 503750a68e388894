// Split: the inverse of Concat. The sizes (from the 'split' attribute or
// input, num_outputs, or equal parts) are already in the resolved output
// shapes, so each output is a run of contiguous blocks of the input.
#include <omp.h>

#include <cstring>

#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

class SplitKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() == 0)
            return context.invalidHere("needs an input and outputs");
        IS_RETURN_IF_ERROR(requireFixedSize(context, context.inputType(0), "input"));
        const Shape& in = context.inputShape(0);
        axis_ = context.node().attrInt("axis", 0);
        if (!normalizeAxis(axis_, static_cast<int64_t>(in.size())))
            return context.invalidHere("axis " + std::to_string(context.node().attrInt("axis", 0)) +
                                       " is out of range for rank " + std::to_string(in.size()));
        int64_t total = 0;
        for (size_t i = 0; i < context.outputCount(); ++i) {
            if (!context.hasOutput(i)) return context.unsupportedHere("omitted outputs are not supported");
            const Shape& out = context.output(i).shape;
            if (out.size() != in.size()) return context.invalidHere("an output's rank differs from the input's");
            total += out[static_cast<size_t>(axis_)];
        }
        if (total != in[static_cast<size_t>(axis_)])
            return context.invalidHere("output sizes along the axis do not add up to the input's");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const auto a = static_cast<size_t>(axis_);
        const int64_t es = static_cast<int64_t>(dataTypeSize(in.dtype));
        const int64_t outer = product(in.shape, 0, a);
        const int64_t inner = product(in.shape, a + 1, in.shape.size()) * es;
        const int64_t inRow = in.shape[a] * inner;
        const auto* src = in.as<const char>();
        int64_t offset = 0;
        for (const TensorView& out : context.outputs) {
            const int64_t block = out.shape[a] * inner;
            auto* dst = out.as<char>();
            if (outer < omp_get_max_threads()) {
                for (int64_t o = 0; o < outer; ++o)
                    parallelCopy(dst + o * block, src + o * inRow + offset, static_cast<std::size_t>(block));
            } else if (block > 0) {
#pragma omp parallel for schedule(static) if (outer * block > kParallelBytes)
                for (int64_t o = 0; o < outer; ++o)
                    std::memcpy(dst + o * block, src + o * inRow + offset, static_cast<std::size_t>(block));
            }
            offset += block;
        }
        return Status::ok();
    }

private:
    int64_t axis_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeSplitKernel() { return std::make_unique<SplitKernel>(); }

}  // namespace interstage::cpu::tensor
