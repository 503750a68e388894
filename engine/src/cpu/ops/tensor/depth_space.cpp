// DepthToSpace and SpaceToDepth: both are a reshape, a transpose and a
// reshape, i.e. one strided view of the input read into the output.
#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

// Validates the 4-D input (any fixed-size dtype) and the blocksize attribute.
Status checkBlocks(const PrepareContext& context, int64_t& block) {
    if (!context.hasInput(0) || context.outputCount() != 1)
        return context.invalidHere("needs one input and one output");
    IS_RETURN_IF_ERROR(requireFixedSize(context, context.inputType(0), "input"));
    if (context.inputShape(0).size() != 4 || context.output(0).shape.size() != 4)
        return context.invalidHere("input and output must be 4-D");
    block = context.node().attrInt("blocksize", 0);
    if (block < 1) return context.invalidHere("blocksize must be >= 1");
    return Status::ok();
}

class DepthToSpaceKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        IS_RETURN_IF_ERROR(checkBlocks(context, block_));
        std::string mode = context.node().attrString("mode", "DCR");
        if (mode != "DCR" && mode != "CRD") return context.invalidHere("mode must be DCR or CRD, not '" + mode + "'");
        columnRowDepth_ = mode == "CRD";
        const Shape& in = context.inputShape(0);
        if (in[1] % (block_ * block_) != 0) return context.invalidHere("channels are not a multiple of blocksize^2");
        if (context.output(0).shape != Shape{in[0], in[1] / (block_ * block_), in[2] * block_, in[3] * block_})
            return context.invalidHere("the output shape does not match the blocksize");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const int64_t n = in.shape[0], c = in.shape[1], h = in.shape[2], w = in.shape[3], b = block_;
        const int64_t depth = c / (b * b), plane = h * w;
        // Output viewed as [N, C/b^2, H, b, W, b]; the input channel of
        // (c, i, j) is (i*b + j)*C' + c for DCR and c*b*b + i*b + j for CRD.
        const int64_t strideC = columnRowDepth_ ? b * b * plane : plane;
        const int64_t strideI = columnRowDepth_ ? b * plane : b * depth * plane;
        const int64_t strideJ = columnRowDepth_ ? plane : depth * plane;
        gatherStrided(context.outputs[0].data, in.data, dataTypeSize(in.dtype), {n, depth, h, b, w, b},
                      {c * plane, strideC, w, strideI, 1, strideJ});
        return Status::ok();
    }

private:
    int64_t block_ = 1;
    bool columnRowDepth_ = false;
};

class SpaceToDepthKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        IS_RETURN_IF_ERROR(checkBlocks(context, block_));
        const Shape& in = context.inputShape(0);
        if (in[2] % block_ != 0 || in[3] % block_ != 0)
            return context.invalidHere("height and width must be multiples of blocksize");
        if (context.output(0).shape != Shape{in[0], in[1] * block_ * block_, in[2] / block_, in[3] / block_})
            return context.invalidHere("the output shape does not match the blocksize");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const int64_t n = in.shape[0], c = in.shape[1], h = in.shape[2], w = in.shape[3], b = block_;
        // Output channel (i*b + j)*C + c holds input pixel (h*b + i, w*b + j).
        gatherStrided(context.outputs[0].data, in.data, dataTypeSize(in.dtype), {n, b, b, c, h / b, w / b},
                      {c * h * w, w, 1, h * w, b * w, b});
        return Status::ok();
    }

private:
    int64_t block_ = 1;
};

}  // namespace

std::unique_ptr<Kernel> makeDepthToSpaceKernel() { return std::make_unique<DepthToSpaceKernel>(); }
std::unique_ptr<Kernel> makeSpaceToDepthKernel() { return std::make_unique<SpaceToDepthKernel>(); }

}  // namespace interstage::cpu::tensor
