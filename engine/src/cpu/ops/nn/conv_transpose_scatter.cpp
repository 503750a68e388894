// Upsampling ConvTranspose (stride == kernel on every axis, no dilation, one
// group; 1-D or 2-D), the decoder step of U-Nets and PP-OCR's detector.
// Windows do not overlap, so the op is a matrix product and a shuffle:
//
//   columns[(o, a, b), (i, j)] = sum_c W[c, (o, a, b)] * X[c, (i, j)]
//   Y[o, i*s + a - pad, j*s + b - pad] = columns[(o, a, b), (i, j)] + bias[o]
//
// The product runs on oneDNN's matmul straight from the NCHW input into
// the workspace; the shuffle adds the bias and the fused activation while
// writing the output. oneDNN's deconvolution instead needs both
// activations reordered, and with one output channel it fills 1 lane of 16
// (PP-OCRv4's last layer: 5.2 ms there, well under 1 ms here).
#include <algorithm>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/dnnl_context.h"
#include "cpu/parallel.h"

namespace interstage::cpu::nn {

namespace {

using dnnl::memory;

class ScatterConvTranspose final : public ConvPath {
public:
    explicit ScatterConvTranspose(const ConvTransposeSpec& spec) : activation_(spec.activation) {
        const bool oneD = spec.spatial() == 1;
        batch_ = spec.x[0];
        channels_ = spec.x[1];
        outChannels_ = spec.w[1];
        inHeight_ = oneD ? 1 : spec.x[2];
        inWidth_ = spec.x.back();
        outHeight_ = oneD ? 1 : spec.y[2];
        outWidth_ = spec.y.back();
        strideH_ = oneD ? 1 : spec.window.strides[0];
        strideW_ = spec.window.strides.back();
        padH_ = oneD ? 0 : spec.padBegin[0];
        padW_ = spec.padBegin.back();
        columnRows_ = outChannels_ * strideH_ * strideW_;  // (o, a, b)
        const int64_t positions = inHeight_ * inWidth_;

        // Weights {C, M} in memory, used as the product's left side {M, C}.
        const memory::desc userWeights =
            stridedDesc({1, columnRows_, channels_}, {columnRows_ * channels_, 1, columnRows_});
        const memory::desc packedWeights = plainDesc({1, columnRows_, channels_});
        const memory::desc input = plainDesc({batch_, channels_, positions});
        const memory::desc columns = plainDesc({batch_, columnRows_, positions});
        const memory::desc left = spec.constantWeights ? packedWeights : userWeights;
        dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(left, input, columns), makeAttributes({}), dnnlEngine());
        WorkspacePlan plan;
        columnsOffset_ = plan.reserve(columns.get_size());
        step_.setPrimitive(pd, dnnl::matmul(pd));
        if (spec.constantWeights)
            packedBytes +=
                step_.addConstant(DNNL_ARG_SRC, spec.constantWeights->data<float>(), userWeights, pd.src_desc());
        else
            step_.addInput(DNNL_ARG_SRC, 1, userWeights, pd.src_desc(), plan);
        step_.addInput(DNNL_ARG_WEIGHTS, 0, input, pd.weights_desc(), plan);
        step_.addWorkspaceArgument(DNNL_ARG_DST, pd.dst_desc(), columnsOffset_);
        step_.finish(plan);
        workspaceBytes = plan.total();
        hasBias_ = spec.hasBias;
        if (spec.constantBias) {
            const float* b = spec.constantBias->data<float>();
            bias_.assign(b, b + outChannels_);
            packedBytes += bias_.size() * sizeof(float);
        }
    }

    Status run(RunContext& context) override {
        IS_RETURN_IF_ERROR(step_.run(context));
        const float* columns = static_cast<const float*>(workspaceAt(context.workspace, columnsOffset_));
        const float* bias = !hasBias_ ? nullptr : bias_.empty() ? context.inputs[2].as<const float>() : bias_.data();
        float* y = context.outputs[0].as<float>();
        const int64_t planes = batch_ * outChannels_, positions = inHeight_ * inWidth_;
        const int64_t fullHeight = inHeight_ * strideH_;
#pragma omp parallel for collapse(2) schedule(static) if (planes * outHeight_ * outWidth_ > kParallelWork)
        for (int64_t plane = 0; plane < planes; ++plane) {
            for (int64_t oy = 0; oy < outHeight_; ++oy) {
                const int64_t n = plane / outChannels_, o = plane % outChannels_;
                float* dst = y + (plane * outHeight_ + oy) * outWidth_;
                const float b = bias ? bias[o] : 0.f;
                // Positions no input window reaches (output_padding) hold the bias.
                std::fill_n(dst, outWidth_, b);
                const int64_t fy = oy + padH_;
                if (fy >= 0 && fy < fullHeight) {
                    const int64_t i = fy / strideH_, a = fy % strideH_;
                    for (int64_t bx = 0; bx < strideW_; ++bx) {
                        const int64_t row = (o * strideH_ + a) * strideW_ + bx;
                        const float* src = columns + (n * columnRows_ + row) * positions + i * inWidth_;
                        // Output x = j * s + bx - pad, inside [0, outWidth).
                        const int64_t shift = bx - padW_;
                        const int64_t jBegin = shift >= 0 ? 0 : (-shift + strideW_ - 1) / strideW_;
                        const int64_t last = outWidth_ - 1 - shift;
                        const int64_t jEnd = last < 0 ? 0 : std::min(inWidth_, last / strideW_ + 1);
                        for (int64_t j = jBegin; j < jEnd; ++j) dst[j * strideW_ + shift] = src[j] + b;
                    }
                }
                activateRow(activation_, dst, outWidth_);
            }
        }
        return Status::ok();
    }

private:
    Activation activation_;
    int64_t batch_ = 0, channels_ = 0, outChannels_ = 0, columnRows_ = 0;
    int64_t inHeight_ = 0, inWidth_ = 0, outHeight_ = 0, outWidth_ = 0;
    int64_t strideH_ = 1, strideW_ = 1, padH_ = 0, padW_ = 0;
    std::size_t columnsOffset_ = 0;
    bool hasBias_ = false;
    std::vector<float> bias_;
    DnnlStep step_;
};

}  // namespace

std::unique_ptr<ConvPath> makeScatterConvTranspose(const ConvTransposeSpec& spec) {
    if (spec.group != 1 || spec.spatial() > 2) return nullptr;
    for (size_t k = 0; k < spec.spatial(); ++k)
        if (spec.window.strides[k] != spec.window.kernel[k] || spec.window.dilations[k] != 1) return nullptr;
    return std::make_unique<ScatterConvTranspose>(spec);
}

}  // namespace interstage::cpu::nn
