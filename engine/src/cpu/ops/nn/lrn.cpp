// LRN (local response normalization, AlexNet / GoogLeNet v1): each element
// divided by (bias + alpha / size * the sum of squares over `size`
// neighbouring channels) ^ beta. The window is floor((size - 1) / 2)
// channels before and ceil((size - 1) / 2) after, cut at the edges.
#include <cmath>

#include "cpu/ops/nn/nn_kernels.h"
#include "cpu/parallel.h"

namespace interstage::cpu::nn {

namespace {

class LrnKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() != 1 || !context.hasInput(0)) return context.invalidHere("needs one input");
        if (context.inputType(0) != DataType::Float)
            return context.unsupportedHere(std::string("input is ") + dataTypeName(context.inputType(0)) +
                                           "; only float32 is supported");
        const Shape& x = context.inputShape(0);
        if (x.size() < 3) return context.invalidHere("input must have rank >= 3, not " + shapeToString(x));
        const Node& node = context.node();
        const int64_t size = node.attrInt("size", 0);
        if (size < 1) return context.invalidHere("attribute 'size' must be 1 or more");
        alpha_ = node.attrFloat("alpha", 1e-4f);
        beta_ = node.attrFloat("beta", 0.75f);
        bias_ = node.attrFloat("bias", 1.0f);
        before_ = (size - 1) / 2;
        after_ = size - 1 - before_;
        scale_ = alpha_ / static_cast<float>(size);
        batch_ = x[0];
        channels_ = x[1];
        planeSize_ = 1;
        for (size_t i = 2; i < x.size(); ++i) planeSize_ *= x[i];
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const float* x = context.inputs[0].as<const float>();
        float* y = context.outputs[0].as<float>();
        const int64_t channels = channels_, planeSize = planeSize_;
        const int64_t work = batch_ * channels * planeSize * (before_ + after_ + 1);
#pragma omp parallel for collapse(2) schedule(static) if (work > kParallelWork)
        for (int64_t n = 0; n < batch_; ++n)
            for (int64_t c = 0; c < channels; ++c) {
                const float* image = x + n * channels * planeSize;
                const int64_t first = std::max<int64_t>(0, c - before_);
                const int64_t last = std::min<int64_t>(channels - 1, c + after_);
                float* dst = y + (n * channels + c) * planeSize;
                const float* src = image + c * planeSize;
                for (int64_t i = 0; i < planeSize; ++i) {
                    float squares = 0;
                    for (int64_t k = first; k <= last; ++k) {
                        const float v = image[k * planeSize + i];
                        squares += v * v;
                    }
                    dst[i] = src[i] / std::pow(bias_ + scale_ * squares, beta_);
                }
            }
        return Status::ok();
    }

private:
    float alpha_ = 0, beta_ = 0, bias_ = 0, scale_ = 0;
    int64_t before_ = 0, after_ = 0, batch_ = 0, channels_ = 0, planeSize_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeLrnKernel() { return std::make_unique<LrnKernel>(); }

}  // namespace interstage::cpu::nn
