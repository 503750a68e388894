// Trilu: keeps the upper (j - i >= k) or lower (j - i <= k) triangle of
// each matrix in the last two dims and zeroes the rest. Each row is one
// kept run (memcpy) and one zeroed run (memset), for any dtype.
#include <algorithm>
#include <cstring>

#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

class TriluKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs an input and one output");
        IS_RETURN_IF_ERROR(requireFixedSize(context, context.inputType(0), "input"));
        if (context.inputShape(0).size() < 2) return context.invalidHere("input must have rank >= 2");
        if (context.output(0).shape != context.inputShape(0))
            return context.invalidHere("output shape differs from the input's");
        if (context.hasInput(1) && (!isIntegerType(context.inputType(1)) || elementCount(context.inputShape(1)) != 1))
            return context.invalidHere("k must be one integer");
        upper_ = context.node().attrInt("upper", 1) != 0;
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        int64_t k = 0;
        if (context.hasInput(1)) {
            std::vector<int64_t> value;
            if (!readIntegers(context.inputs[1], value) || value.size() != 1)
                return invalidArgument("Trilu: k must be one integer");
            k = value[0];
        }
        const size_t rank = in.shape.size();
        const int64_t rows = in.shape[rank - 2], cols = in.shape[rank - 1];
        const int64_t matrices = product(in.shape, 0, rank - 2);
        const auto es = static_cast<int64_t>(dataTypeSize(in.dtype));
        const auto* src = in.as<const char>();
        auto* dst = out.as<char>();
        // k can be anything an int64 holds: clamp before adding to a row index.
        const int64_t shift = std::clamp<int64_t>(k, -rows - 1, cols + 1);
#pragma omp parallel for schedule(static) if (out.bytes() > static_cast <std::size_t>(kParallelBytes))
        for (int64_t r = 0; r < matrices * rows; ++r) {
            const int64_t i = r % rows;
            const int64_t rowBytes = cols * es;
            // Columns [0, split) are the lower part, [split, cols) the upper one.
            const int64_t split = std::clamp<int64_t>(upper_ ? i + shift : i + shift + 1, 0, cols);
            const char* s = src + r * rowBytes;
            char* d = dst + r * rowBytes;
            if (upper_) {
                std::memset(d, 0, static_cast<std::size_t>(split * es));
                std::memcpy(d + split * es, s + split * es, static_cast<std::size_t>((cols - split) * es));
            } else {
                std::memcpy(d, s, static_cast<std::size_t>(split * es));
                std::memset(d + split * es, 0, static_cast<std::size_t>((cols - split) * es));
            }
        }
        return Status::ok();
    }

private:
    bool upper_ = true;
};

}  // namespace

std::unique_ptr<Kernel> makeTriluKernel() { return std::make_unique<TriluKernel>(); }

}  // namespace interstage::cpu::tensor
