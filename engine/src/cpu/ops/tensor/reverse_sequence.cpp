// ReverseSequence: for each batch entry b, the first sequence_lens[b]
// steps along the time axis come out reversed; the rest pass through.
#include <cstring>

#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

class ReverseSequenceKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || !context.hasInput(1) || context.outputCount() != 1)
            return context.invalidHere("needs input and sequence_lens, and one output");
        IS_RETURN_IF_ERROR(requireFixedSize(context, context.inputType(0), "input"));
        if (!isIntegerType(context.inputType(1))) return context.invalidHere("sequence_lens must be integers");
        const Shape& in = context.inputShape(0);
        if (in.size() < 2) return context.invalidHere("input must have rank >= 2");
        batchAxis_ = context.node().attrInt("batch_axis", 1);
        timeAxis_ = context.node().attrInt("time_axis", 0);
        auto rank = static_cast<int64_t>(in.size());
        if (!normalizeAxis(batchAxis_, rank) || !normalizeAxis(timeAxis_, rank) || batchAxis_ == timeAxis_)
            return context.invalidHere("batch_axis and time_axis must be two different axes");
        if (context.inputShape(1) != Shape{in[static_cast<size_t>(batchAxis_)]})
            return context.invalidHere("sequence_lens must hold one length per batch entry");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        if (!readIntegers(context.inputs[1], lengths_))
            return invalidArgument("ReverseSequence: unreadable sequence_lens");
        const auto b = static_cast<size_t>(batchAxis_), t = static_cast<size_t>(timeAxis_);
        const int64_t steps = in.shape[t];
        for (int64_t& length : lengths_) {
            if (length < 0 || length > steps)
                return invalidArgument("ReverseSequence: a sequence length is out of range");
        }
        const Shape strides = contiguousStrides(in.shape);
        const std::size_t es = dataTypeSize(in.dtype);
        const auto* src = in.as<const char>();
        auto* dst = out.as<char>();
        Shape index(in.shape.size(), 0);
        const int64_t n = in.count();
        for (int64_t e = 0; e < n; ++e) {
            const int64_t length = lengths_[static_cast<size_t>(index[b])];
            const int64_t step = index[t];
            // Inside the sequence, read the mirrored time step.
            const int64_t from = step < length ? e + (length - 1 - 2 * step) * strides[t] : e;
            std::memcpy(dst + e * static_cast<int64_t>(es), src + from * static_cast<int64_t>(es), es);
            for (size_t k = index.size(); k-- > 0;) {
                if (++index[k] < in.shape[k]) break;
                index[k] = 0;
            }
        }
        return Status::ok();
    }

private:
    int64_t batchAxis_ = 1, timeAxis_ = 0;
    std::vector<int64_t> lengths_;
};

}  // namespace

std::unique_ptr<Kernel> makeReverseSequenceKernel() { return std::make_unique<ReverseSequenceKernel>(); }

}  // namespace interstage::cpu::tensor
