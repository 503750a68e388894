// BatchNormalization: inference (the usual case, often folded into the Conv
// before it by layer fusion) and training mode (batch statistics, running
// mean / var outputs), on NCHW-style inputs of any rank >= 2, or 4-D
// float32 in the channel-blocked layout (passes/blocked_layout). A fused
// activation (layer fusion: BatchNorm -> Relu) is applied in the same pass
// (channel_affine.h).
#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu/activation.h"
#include "cpu/half_rows.h"
#include "cpu/ops/nn/channel_affine.h"
#include "cpu/ops/nn/nn_kernels.h"
#include "cpu/parallel.h"

namespace interstage::cpu::nn {

namespace {

class BatchNormalizationKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() != 5) return context.invalidHere("needs 5 inputs (X, scale, B, mean, var)");
        // float32, or float16 / bfloat16 data (inference) with parameters
        // of that type or float32 (opset 15 lets them differ).
        for (size_t i = 0; i < 5; ++i) {
            if (!context.hasInput(i)) return context.invalidHere("input " + std::to_string(i) + " is missing");
            const DataType t = context.inputType(i);
            if (t != DataType::Float && !(isHalfType(t) && (i == 0 || t == context.inputType(0))))
                return context.unsupportedHere(std::string("input ") + std::to_string(i) + " is " + dataTypeName(t) +
                                               "; float32, float16 and bfloat16 are supported");
        }
        type_ = context.inputType(0);
        const Node& node = context.node();
        if (node.attrInt("spatial", 1) != 1)
            return context.unsupportedHere("spatial=0 (per-activation statistics, opset < 9)");
        epsilon_ = node.attrFloat("epsilon", 1e-5f);
        momentum_ = node.attrFloat("momentum", 0.9f);
        training_ = node.attrInt("training_mode", 0) != 0;
        bool extraOutputs = false;
        for (size_t i = 1; i < context.outputCount(); ++i) extraOutputs |= context.hasOutput(i);
        if (!training_ && extraOutputs)
            return context.unsupportedHere("mean / variance outputs of training (opset < 14 training mode)");
        if (training_ && (context.hasOutput(3) || context.hasOutput(4)))
            return context.unsupportedHere("saved mean / variance outputs");
        if (training_ && isHalfType(type_))
            return context.unsupportedHere(std::string("training mode on ") + dataTypeName(type_));
        const Shape& x = context.inputShape(0);
        if (x.size() < 2) return context.invalidHere("input must have rank >= 2, not " + shapeToString(x));
        batch_ = x[0];
        channels_ = x[1];
        planeSize_ = 1;
        for (size_t i = 2; i < x.size(); ++i) planeSize_ *= x[i];
        IS_RETURN_IF_ERROR(prepareLayoutAndActivation(context));
        for (size_t i = 1; i < 5; ++i)
            if (elementCount(context.inputShape(i)).value_or(-1) != channels_)
                return context.invalidHere("input " + std::to_string(i) + " " + shapeToString(context.inputShape(i)) +
                                           " does not hold " + std::to_string(channels_) + " channel values");
        scale_.resize(static_cast<size_t>(channels_));
        shift_.resize(static_cast<size_t>(channels_));
        return Status::ok();
    }

    Status run(RunContext& context) override {
        if (isHalfType(type_)) return runHalf(context);
        const float* x = context.inputs[0].as<const float>();
        const float* gamma = context.inputs[1].as<const float>();
        const float* beta = context.inputs[2].as<const float>();
        const float* mean = context.inputs[3].as<const float>();
        const float* var = context.inputs[4].as<const float>();
        float* y = context.outputs[0].as<float>();
        for (int64_t c = 0; c < channels_; ++c) {
            float m = mean[c], v = var[c];
            if (training_) {
                batchStatistics(x, c, m, v);
                if (context.outputs.size() > 1 && context.outputs[1].data)
                    context.outputs[1].as<float>()[c] = mean[c] * momentum_ + m * (1 - momentum_);
                if (context.outputs.size() > 2 && context.outputs[2].data)
                    context.outputs[2].as<float>()[c] = var[c] * momentum_ + v * (1 - momentum_);
            }
            scale_[c] = gamma[c] / std::sqrt(v + epsilon_);
            shift_[c] = beta[c] - m * scale_[c];
        }
        channelAffine(x, y, scale_.data(), shift_.data(), {batch_, channels_, planeSize_, block_}, activation_);
        return Status::ok();
    }

private:
    // The channel block of input and output (the layout pass gives both the
    // same), and the activation fusion gave this node: both float32 only.
    Status prepareLayoutAndActivation(PrepareContext& context) {
        block_ = context.input(0).channelBlock;
        if (context.hasOutput(0) && block_ != context.output(0).channelBlock)
            return context.invalidHere("input and output must share one channel layout");
        if (block_ && (type_ != DataType::Float || context.inputShape(0).size() != 4 || channels_ % block_ != 0 ||
                       (block_ != 4 && block_ != 8 && block_ != 16) || training_))
            return context.invalidHere(
                "a channel-blocked input must be a 4-D float32 tensor of whole blocks of 4, 8 "
                "or 16 channels, in inference mode");
        activation_ = fusedActivation(context.node());
        if (activation_.active() && type_ != DataType::Float)
            return context.unsupportedHere(std::string("a fused activation on ") + dataTypeName(type_));
        return Status::ok();
    }

    // Inference on float16 / bfloat16: the per-channel affine in float over
    // stack chunks of each plane.
    Status runHalf(RunContext& context) {
        auto param = [&](size_t i, int64_t c) {
            const TensorView& v = context.inputs[i];
            if (v.dtype == DataType::Float) return v.as<const float>()[c];
            float f = 0;
            widenRow(v.dtype, v.as<const uint16_t>() + c, &f, 1);
            return f;
        };
        for (int64_t c = 0; c < channels_; ++c) {
            scale_[c] = param(1, c) / std::sqrt(param(4, c) + epsilon_);
            shift_[c] = param(2, c) - param(3, c) * scale_[c];
        }
        const auto* x = context.inputs[0].as<const uint16_t>();
        auto* y = context.outputs[0].as<uint16_t>();
        const int64_t planes = batch_ * channels_, planeSize = planeSize_;
        const DataType type = type_;
#pragma omp parallel for schedule(static) if (planes * planeSize > kParallelWork)
        for (int64_t p = 0; p < planes; ++p) {
            const float a = scale_[p % channels_], b = shift_[p % channels_];
            constexpr int64_t kChunk = 1024;
            float chunk[kChunk];
            for (int64_t begin = 0; begin < planeSize; begin += kChunk) {
                const int64_t n = std::min(kChunk, planeSize - begin);
                widenRow(type, x + p * planeSize + begin, chunk, n);
                for (int64_t i = 0; i < n; ++i) chunk[i] = chunk[i] * a + b;
                narrowRow(type, chunk, y + p * planeSize + begin, n);
            }
        }
        return Status::ok();
    }

    // Population mean and variance of channel c over the batch and space.
    void batchStatistics(const float* x, int64_t c, float& mean, float& var) const {
        double sum = 0, squares = 0;
        for (int64_t n = 0; n < batch_; ++n) {
            const float* plane = x + (n * channels_ + c) * planeSize_;
            for (int64_t i = 0; i < planeSize_; ++i) sum += plane[i];
        }
        const double count = static_cast<double>(batch_ * planeSize_);
        const double m = count > 0 ? sum / count : 0;
        for (int64_t n = 0; n < batch_; ++n) {
            const float* plane = x + (n * channels_ + c) * planeSize_;
            for (int64_t i = 0; i < planeSize_; ++i) squares += (plane[i] - m) * (plane[i] - m);
        }
        mean = static_cast<float>(m);
        var = static_cast<float>(count > 0 ? squares / count : 0);
    }

    DataType type_ = DataType::Float;
    float epsilon_ = 1e-5f, momentum_ = 0.9f;
    bool training_ = false;
    int64_t batch_ = 0, channels_ = 0, planeSize_ = 0;
    int block_ = 0;  // the input's and output's channel block (0: NCHW)
    Activation activation_;
    std::vector<float> scale_, shift_;  // per channel, recomputed each run (parameters may arrive at run time)
};

}  // namespace

std::unique_ptr<Kernel> makeBatchNormalizationKernel() { return std::make_unique<BatchNormalizationKernel>(); }

}  // namespace interstage::cpu::nn
