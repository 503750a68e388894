// A dense 2-D Conv of few input channels on NCHW tensors (BlazeFace's stem,
// 3 -> 24 channels, 5x5, stride 2), one output row at a time: the row's
// input windows are gathered into columns (depth = channels x kernel taps,
// one column per output pixel) and multiplied by the narrow kernel
// (narrow_product.h), which writes the row of every output channel with
// its bias and Relu / Clip. oneDNN's direct kernel wants the output
// channel-blocked, and reordering 24 channels of 128x128 in and out cost
// as much as the convolution.
//
// Each input row is first copied with its padding into a zeroed buffer,
// and at stride 2 split into even and odd columns, so every tap's columns
// are one contiguous copy.
#include <algorithm>
#include <vector>

#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/narrow_product.h"
#include "cpu/parallel.h"

namespace interstage::cpu::nn {

namespace {

constexpr int64_t kMaxDepth = 256;           // channels x taps: the kernel packs tiles up to this
constexpr int64_t kMaxColumnFloats = 16384;  // one output row's columns, on the stack (64 KiB)
constexpr int64_t kMaxPaddedRow = 4096;      // a padded input row, on the stack

class NarrowRowsConv final : public ConvPath {
public:
    explicit NarrowRowsConv(const ConvSpec& spec) {
        batch_ = spec.x[0];
        in_ = spec.x[1];
        inHeight_ = spec.x[2];
        inWidth_ = spec.x[3];
        out_ = spec.w[0];
        outHeight_ = spec.y[2];
        outWidth_ = spec.y[3];
        kernelHeight_ = spec.w[2];
        kernelWidth_ = spec.w[3];
        stride_ = spec.window.strides[0];
        padTop_ = spec.window.padBegin[0];
        padLeft_ = spec.window.padBegin[1];
        // The padded row covers every tap of every output, rounded up to even.
        paddedWidth_ = ((outWidth_ - 1) * stride_ + kernelWidth_ + 1) / 2 * 2;
        hasBias_ = spec.hasBias;
        activationAsClamp(spec.activation, low_, high_);
        copyConstants(spec, weights_, bias_);
    }

    Status run(RunContext& context) override {
        const float* x = context.inputs[0].as<const float>();
        float* y = context.outputs[0].as<float>();
        const float* w = weights_.empty() ? context.inputs[1].as<const float>() : weights_.data();
        const float* bias = !hasBias_ ? nullptr : bias_.empty() ? context.inputs[2].as<const float>() : bias_.data();
        const int64_t rows = batch_ * outHeight_;
        const int64_t work = rows * outWidth_ * out_ * in_ * kernelHeight_ * kernelWidth_;
#pragma omp parallel for schedule(static) if (work > kParallelWork)
        for (int64_t row = 0; row < rows; ++row) {
            const int64_t image = row / outHeight_, oh = row % outHeight_;
            alignas(64) float columns[kMaxColumnFloats];
            gather(x + image * in_ * inHeight_ * inWidth_, oh, columns);
            NarrowProduct p;
            p.x = columns;
            p.xStride = outWidth_;
            p.w = w;
            p.bias = bias;
            p.y = y + (image * out_ * outHeight_ + oh) * outWidth_;
            p.yStride = outHeight_ * outWidth_;
            p.rows = out_;
            p.depth = in_ * kernelHeight_ * kernelWidth_;
            p.columns = outWidth_;
            p.low = low_;
            p.high = high_;
            runNarrowProduct(p, 0, out_, 0, outWidth_);
        }
        return Status::ok();
    }

private:
    // columns[(c * kh + ky) * kw + kx][ox] = the input under tap (ky, kx) of
    // output (oh, ox), zero in the padding: the weight's own order. Built
    // for AVX-512 only: the path is taken only there.
    __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))) void gather(const float* image, int64_t oh,
                                                                                       float* columns) const {
        alignas(64) float padded[kMaxPaddedRow];
        const int64_t half = paddedWidth_ / 2;
        for (int64_t c = 0; c < in_; ++c)
            for (int64_t ky = 0; ky < kernelHeight_; ++ky) {
                float* tap = columns + (c * kernelHeight_ + ky) * kernelWidth_ * outWidth_;
                const int64_t ih = oh * stride_ - padTop_ + ky;
                if (ih < 0 || ih >= inHeight_) {
                    std::fill_n(tap, kernelWidth_ * outWidth_, 0.f);
                    continue;
                }
                const float* src = image + (c * inHeight_ + ih) * inWidth_;
                std::fill_n(padded, paddedWidth_, 0.f);
                const int64_t first =
                    std::max<int64_t>(0, -padLeft_);  // input columns left of the window are never read
                const int64_t last = std::min(inWidth_, paddedWidth_ - padLeft_);
                if (stride_ == 1) {
                    if (last > first) std::copy(src + first, src + last, padded + first + padLeft_);
                    for (int64_t kx = 0; kx < kernelWidth_; ++kx)
                        std::copy_n(padded + kx, outWidth_, tap + kx * outWidth_);
                    continue;
                }
                // Stride 2: even padded columns in [0, half), odd ones in
                // [half, 2 half); two stride-2 loops the compiler vectorizes.
                for (int64_t parity = 0; parity < 2; ++parity) {
                    // padded column 2q + parity holds input column 2q + parity - padLeft.
                    const int64_t offset = parity - padLeft_;
                    const int64_t q0 = std::max<int64_t>(0, (first - offset + 1) / 2);
                    const int64_t q1 = std::min<int64_t>(half, (last - offset + 1) / 2);
                    float* __restrict dst = padded + parity * half;
                    for (int64_t q = q0; q < q1; ++q) dst[q] = src[2 * q + offset];
                }
                for (int64_t kx = 0; kx < kernelWidth_; ++kx)
                    std::copy_n(padded + (kx & 1) * half + (kx >> 1), outWidth_, tap + kx * outWidth_);
            }
    }

    int64_t batch_ = 0, in_ = 0, inHeight_ = 0, inWidth_ = 0, out_ = 0, outHeight_ = 0, outWidth_ = 0;
    int64_t kernelHeight_ = 0, kernelWidth_ = 0, stride_ = 1, padTop_ = 0, padLeft_ = 0, paddedWidth_ = 0;
    bool hasBias_ = false;
    float low_ = 0, high_ = 0;
    std::vector<float> weights_, bias_;
};

}  // namespace

std::unique_ptr<ConvPath> makeNarrowRowsConv(const ConvSpec& spec) {
    float low = 0, high = 0;
    if (!narrowProductIsFast() || spec.spatial() != 2 || spec.group != 1 || spec.inBlock || spec.outBlock ||
        spec.residualChannels || !activationAsClamp(spec.activation, low, high))
        return nullptr;
    const int64_t stride = spec.window.strides[0];
    if ((stride != 1 && stride != 2) || spec.window.strides[1] != stride || spec.window.dilations[0] != 1 ||
        spec.window.dilations[1] != 1)
        return nullptr;
    const int64_t depth = spec.w[1] * spec.w[2] * spec.w[3];
    const int64_t outWidth = spec.y[3];
    const int64_t paddedWidth = ((outWidth - 1) * stride + spec.w[3] + 1) / 2 * 2;
    if (spec.w[2] * spec.w[3] == 1 || depth > kMaxDepth || depth * outWidth > kMaxColumnFloats ||
        paddedWidth > kMaxPaddedRow)
        return nullptr;
    return std::make_unique<NarrowRowsConv>(spec);
}

}  // namespace interstage::cpu::nn
