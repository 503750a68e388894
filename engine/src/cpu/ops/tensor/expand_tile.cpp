// Expand and Tile as strided views of their input. Expand reads a
// broadcast dim with stride 0. Tile splits each output dim into
// (repeat, input dim) and reads the repeat with stride 0, so repeated rows
// are still copied with memcpy. Both take the sizes from the resolved
// output shape; the shape / repeats inputs only had to produce it.
#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

Status checkDataAndOutput(const PrepareContext& context) {
    if (!context.hasInput(0) || context.outputCount() != 1)
        return context.invalidHere("needs a data input and one output");
    IS_RETURN_IF_ERROR(requireFixedSize(context, context.inputType(0), "input"));
    if (context.output(0).dtype != context.inputType(0))
        return context.invalidHere("output dtype differs from the input's");
    return Status::ok();
}

class ExpandKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        IS_RETURN_IF_ERROR(checkDataAndOutput(context));
        const Shape& in = context.inputShape(0);
        const Shape& out = context.output(0).shape;
        if (in.size() > out.size()) return context.invalidHere("the output has a lower rank than the input");
        size_t lead = out.size() - in.size();
        for (size_t k = 0; k < in.size(); ++k)
            if (in[k] != 1 && in[k] != out[lead + k])
                return context.invalidHere("input " + shapeToString(in) + " does not broadcast to " +
                                           shapeToString(out));
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        const Shape inStrides = contiguousStrides(in.shape);
        const size_t lead = out.shape.size() - in.shape.size();
        Shape strides(out.shape.size(), 0);
        for (size_t k = 0; k < in.shape.size(); ++k) strides[lead + k] = in.shape[k] == 1 ? 0 : inStrides[k];
        gatherStrided(out.data, in.data, dataTypeSize(in.dtype), out.shape, strides);
        return Status::ok();
    }
};

class TileKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        IS_RETURN_IF_ERROR(checkDataAndOutput(context));
        const Shape& in = context.inputShape(0);
        const Shape& out = context.output(0).shape;
        if (in.size() != out.size()) return context.invalidHere("the output rank differs from the input's");
        for (size_t k = 0; k < in.size(); ++k)
            if (in[k] == 0 ? out[k] != 0 : out[k] % in[k] != 0)
                return context.invalidHere("output " + shapeToString(out) + " is not a tiling of " + shapeToString(in));
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        if (out.count() == 0) return Status::ok();
        const Shape inStrides = contiguousStrides(in.shape);
        Shape shape, strides;
        for (size_t k = 0; k < in.shape.size(); ++k) {
            shape.push_back(out.shape[k] / in.shape[k]);  // the repeat count
            strides.push_back(0);
            shape.push_back(in.shape[k]);
            strides.push_back(inStrides[k]);
        }
        gatherStrided(out.data, in.data, dataTypeSize(in.dtype), shape, strides);
        return Status::ok();
    }
};

}  // namespace

std::unique_ptr<Kernel> makeExpandKernel() { return std::make_unique<ExpandKernel>(); }
std::unique_ptr<Kernel> makeTileKernel() { return std::make_unique<TileKernel>(); }

}  // namespace interstage::cpu::tensor
