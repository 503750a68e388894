// InstanceNormalization: each (N, C) plane normalized by its own mean and
// variance, then scaled and shifted per channel.
#include <cmath>

#include "cpu/ops/nn/nn_kernels.h"
#include "cpu/parallel.h"

namespace interstage::cpu::nn {

namespace {

class InstanceNormalizationKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() != 3) return context.invalidHere("needs 3 inputs (X, scale, B)");
        for (size_t i = 0; i < 3; ++i) {
            if (!context.hasInput(i)) return context.invalidHere("input " + std::to_string(i) + " is missing");
            if (context.inputType(i) != DataType::Float)
                return context.unsupportedHere(std::string("input ") + std::to_string(i) + " is " +
                                               dataTypeName(context.inputType(i)) + "; only float32 is supported");
        }
        const Shape& x = context.inputShape(0);
        if (x.size() < 3) return context.invalidHere("input must have rank >= 3, not " + shapeToString(x));
        epsilon_ = context.node().attrFloat("epsilon", 1e-5f);
        channels_ = x[1];
        planes_ = x[0] * x[1];
        planeSize_ = 1;
        for (size_t i = 2; i < x.size(); ++i) planeSize_ *= x[i];
        for (size_t i = 1; i < 3; ++i)
            if (elementCount(context.inputShape(i)).value_or(-1) != channels_)
                return context.invalidHere("input " + std::to_string(i) + " " + shapeToString(context.inputShape(i)) +
                                           " does not hold " + std::to_string(channels_) + " channel values");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const float* x = context.inputs[0].as<const float>();
        const float* gamma = context.inputs[1].as<const float>();
        const float* beta = context.inputs[2].as<const float>();
        float* y = context.outputs[0].as<float>();
        const int64_t planeSize = planeSize_, channels = channels_;
        const float epsilon = epsilon_;
#pragma omp parallel for schedule(static) if (planes_ * planeSize > kParallelWork)
        for (int64_t p = 0; p < planes_; ++p) {
            const float* src = x + p * planeSize;
            float* dst = y + p * planeSize;
            // Two passes in double: a plane can be large and its mean far from 0.
            double sum = 0;
            for (int64_t i = 0; i < planeSize; ++i) sum += src[i];
            const double mean = planeSize > 0 ? sum / static_cast<double>(planeSize) : 0;
            double squares = 0;
            for (int64_t i = 0; i < planeSize; ++i) squares += (src[i] - mean) * (src[i] - mean);
            const double var = planeSize > 0 ? squares / static_cast<double>(planeSize) : 0;
            const float a = static_cast<float>(gamma[p % channels] / std::sqrt(var + epsilon));
            const float b = static_cast<float>(beta[p % channels] - mean * a);
            for (int64_t i = 0; i < planeSize; ++i) dst[i] = src[i] * a + b;
        }
        return Status::ok();
    }

private:
    float epsilon_ = 1e-5f;
    int64_t channels_ = 0, planes_ = 0, planeSize_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeInstanceNormalizationKernel() { return std::make_unique<InstanceNormalizationKernel>(); }

}  // namespace interstage::cpu::nn
