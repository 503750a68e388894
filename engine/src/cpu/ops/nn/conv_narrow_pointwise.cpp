// Pointwise Conv of few channels on NCHW tensors (see narrow_product.h):
// the matrix product per image on the register-blocked kernel, with the
// bias, a Relu / Clip and a fused residual (then Relu) applied as each
// output is written. Unfused it is used where it measured faster than
// oneDNN's matmul (PointwiseConv): up to kMaxInputChannels in and
// kMaxOutputChannels out, on AVX-512 machines; a fused residual (passes/
// fuse_conv_residual.cpp) only this path computes, on any machine.
#include <vector>

#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/narrow_product.h"

namespace interstage::cpu::nn {

namespace {

constexpr int64_t kMaxInputChannels = 128;
constexpr int64_t kMaxOutputChannels = 256;

class NarrowPointwiseConv final : public ConvPath {
public:
    explicit NarrowPointwiseConv(const ConvSpec& spec) {
        batch_ = spec.x[0];
        in_ = spec.x[1];
        out_ = spec.w[0];
        positions_ = 1;
        for (size_t k = 2; k < spec.x.size(); ++k) positions_ *= spec.x[k];
        hasBias_ = spec.hasBias;
        activationAsClamp(spec.activation, low_, high_);
        residualChannels_ = spec.residualChannels;
        activationAsClamp(spec.residualActivation, afterLow_, afterHigh_);
        copyConstants(spec, weights_, bias_);
    }

    Status run(RunContext& context) override {
        const float* x = context.inputs[0].as<const float>();
        float* y = context.outputs[0].as<float>();
        NarrowProduct p;
        p.w = weights_.empty() ? context.inputs[1].as<const float>() : weights_.data();
        p.bias = !hasBias_ ? nullptr : bias_.empty() ? context.inputs[2].as<const float>() : bias_.data();
        p.rows = out_;
        p.depth = in_;
        p.columns = positions_;
        p.xStride = p.yStride = positions_;
        p.low = low_;
        p.high = high_;
        const float* residual = residualChannels_ ? context.inputs[3].as<const float>() : nullptr;
        p.residualRows = residualChannels_;
        p.residualStride = positions_;
        p.afterLow = afterLow_;
        p.afterHigh = afterHigh_;
        for (int64_t image = 0; image < batch_; ++image) {
            p.x = x + image * in_ * positions_;
            p.y = y + image * out_ * positions_;
            if (residual) p.residual = residual + image * residualChannels_ * positions_;
            runNarrowProductParallel(p);
        }
        return Status::ok();
    }

private:
    int64_t batch_ = 0, in_ = 0, out_ = 0, positions_ = 0;
    bool hasBias_ = false;
    float low_ = 0, high_ = 0;
    int64_t residualChannels_ = 0;
    float afterLow_ = 0, afterHigh_ = 0;
    std::vector<float> weights_, bias_;
};

}  // namespace

std::unique_ptr<ConvPath> makeNarrowPointwiseConv(const ConvSpec& spec) {
    float low = 0, high = 0;
    if (spec.group != 1 || spec.inBlock || spec.outBlock || !activationAsClamp(spec.activation, low, high) ||
        !activationAsClamp(spec.residualActivation, low, high))
        return nullptr;
    // Unfused, oneDNN's matmul is as good elsewhere; a residual only this path adds.
    if (!spec.residualChannels &&
        (!narrowProductIsFast() || spec.x[1] > kMaxInputChannels || spec.w[0] > kMaxOutputChannels))
        return nullptr;
    for (size_t k = 0; k < spec.window.rank(); ++k)
        if (spec.window.kernel[k] != 1 || spec.window.strides[k] != 1 || spec.window.padBegin[k] != 0 ||
            spec.window.padEnd[k] != 0)
            return nullptr;
    return std::make_unique<NarrowPointwiseConv>(spec);
}

}  // namespace interstage::cpu::nn
