// Reshape, Flatten, Squeeze, Unsqueeze and Identity: the output shape is
// resolved before prepare and the bytes do not change order, so running one
// is a copy (which the engine may later turn into an alias).
#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

class CopyKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() < 1 || !context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("expects one data input and one output");
        if (!context.input(0).isTensor)
            return context.unsupportedHere("only tensors are supported, not sequences or optionals");
        IS_RETURN_IF_ERROR(requireFixedSize(context, context.inputType(0), "input"));
        if (context.output(0).dtype != context.inputType(0))
            return context.invalidHere("output dtype differs from the input's");
        if (elementCount(context.output(0).shape) != elementCount(context.inputShape(0)))
            return context.invalidHere("output " + shapeToString(context.output(0).shape) + " and input " +
                                       shapeToString(context.inputShape(0)) + " hold different element counts");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        if (in.bytes() != out.bytes()) return {StatusCode::Internal, "copy kernel: input and output sizes differ"};
        parallelCopy(out.data, in.data, out.bytes());
        return Status::ok();
    }
};

}  // namespace

std::unique_ptr<Kernel> makeCopyKernel() { return std::make_unique<CopyKernel>(); }

}  // namespace interstage::cpu::tensor
