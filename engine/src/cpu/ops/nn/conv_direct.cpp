// Direct Conv on NCHW rows, for depthwise convolutions and dense ones with
// very few output channels (U^2-Net's 64 -> 1 side outputs): each output
// row starts as the bias and accumulates, per input channel, the kernel's
// taps over the input rows under it. oneDNN would need the activations
// reordered to a channel-blocked layout and back, which costs more than
// this memory-bound work, and fills 1 lane of 16 when there is one output
// channel.
//
// The row loop is compiled three times (AVX-512, AVX2+FMA, baseline) and
// picked by the CPU at prepare: the engine is built for baseline x86-64.
#include <algorithm>
#include <vector>

#include "cpu/ops/nn/conv_paths.h"
#include "cpu/parallel.h"
#include "cpu/simd_dispatch.h"

namespace interstage::cpu::nn {

namespace {

// The horizontal geometry of one output row: the output positions whose
// taps all land inside the input row ("interior") run without bounds checks.
struct RowGeometry {
    int64_t outWidth = 0, inWidth = 0, stride = 1, dilation = 1, pad = 0, taps = 1;
    int64_t interiorBegin = 0, interiorEnd = 0;

    void build(int64_t ow, int64_t iw, int64_t s, int64_t d, int64_t p, int64_t k) {
        outWidth = ow, inWidth = iw, stride = s, dilation = d, pad = p, taps = k;
        // ow * s - p >= 0 and ow * s - p + (k - 1) * d <= iw - 1
        interiorBegin = std::min(ow, (p + s - 1) / s);
        const int64_t last = iw - 1 + p - (k - 1) * d;
        interiorEnd = last < 0 ? 0 : std::min(ow, last / s + 1);
        interiorEnd = std::max(interiorEnd, interiorBegin);
    }
};

// Rows x Taps kernel taps over Rows input rows (Rows = 0 / Taps = 0: given
// at run time). With both known the loop over the output row keeps one
// running sum per position for the whole kernel window.
template <int Rows, int Taps, int Stride>
[[gnu::always_inline]] inline void interior(float* acc, const float* const* in, int64_t rowCount, const float* w,
                                            const RowGeometry& g) {
    const int64_t d = g.dilation, s = Stride > 0 ? Stride : g.stride;
    const int64_t taps = Taps > 0 ? Taps : g.taps, rows = Rows > 0 ? Rows : rowCount;
    for (int64_t o = g.interiorBegin; o < g.interiorEnd; ++o) {
        const int64_t base = o * s - g.pad;
        float sum = acc[o];
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t k = 0; k < taps; ++k) sum += w[r * taps + k] * in[r][base + k * d];
        acc[o] = sum;
    }
}

template <int Rows, int Taps>
[[gnu::always_inline]] inline void interiorByStride(float* acc, const float* const* in, int64_t rowCount,
                                                    const float* w, const RowGeometry& g) {
    if (g.stride == 1)
        interior<Rows, Taps, 1>(acc, in, rowCount, w, g);
    else if (g.stride == 2)
        interior<Rows, Taps, 2>(acc, in, rowCount, w, g);
    else
        interior<Rows, Taps, 0>(acc, in, rowCount, w, g);
}

// acc += the kernel rows' taps over rowCount consecutive input rows.
[[gnu::always_inline]] inline void accumulateRowsBody(float* acc, const float* const* in, int64_t rowCount,
                                                      const float* w, const RowGeometry& g) {
    // Edges: taps that fall outside the input are skipped one by one.
    auto edge = [&](int64_t o) {
        float sum = acc[o];
        for (int64_t r = 0; r < rowCount; ++r)
            for (int64_t k = 0; k < g.taps; ++k) {
                const int64_t i = o * g.stride - g.pad + k * g.dilation;
                if (i >= 0 && i < g.inWidth) sum += w[r * g.taps + k] * in[r][i];
            }
        acc[o] = sum;
    };
    for (int64_t o = 0; o < g.interiorBegin; ++o) edge(o);
    for (int64_t o = g.interiorEnd; o < g.outWidth; ++o) edge(o);
    if (rowCount == 3 && g.taps == 3) return interiorByStride<3, 3>(acc, in, rowCount, w, g);
    for (int64_t r = 0; r < rowCount; ++r) {
        switch (g.taps) {
            case 1:
                interiorByStride<1, 1>(acc, in + r, 1, w + r * g.taps, g);
                break;
            case 3:
                interiorByStride<1, 3>(acc, in + r, 1, w + r * g.taps, g);
                break;
            case 5:
                interiorByStride<1, 5>(acc, in + r, 1, w + r * g.taps, g);
                break;
            case 7:
                interiorByStride<1, 7>(acc, in + r, 1, w + r * g.taps, g);
                break;
            default:
                interiorByStride<1, 0>(acc, in + r, 1, w + r * g.taps, g);
                break;
        }
    }
}

using RowFunction = void (*)(float*, const float* const*, int64_t, const float*, const RowGeometry&);

__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))) IS_FP_CONTRACT_FAST void accumulateRowsAvx512(
    float* acc, const float* const* in, int64_t rowCount, const float* w, const RowGeometry& g) {
    accumulateRowsBody(acc, in, rowCount, w, g);
}

__attribute__((target("avx2,fma"))) IS_FP_CONTRACT_FAST void accumulateRowsAvx2(float* acc, const float* const* in,
                                                                                int64_t rowCount, const float* w,
                                                                                const RowGeometry& g) {
    accumulateRowsBody(acc, in, rowCount, w, g);
}

void accumulateRowsBaseline(float* acc, const float* const* in, int64_t rowCount, const float* w,
                            const RowGeometry& g) {
    accumulateRowsBody(acc, in, rowCount, w, g);
}

RowFunction pickRowFunction() {
    return pickBySimd<RowFunction>(&accumulateRowsAvx512, &accumulateRowsAvx2, &accumulateRowsBaseline);
}

constexpr int64_t kMaxFusedRows = 8;

class DirectConv final : public ConvPath {
public:
    explicit DirectConv(const ConvSpec& spec) : activation_(spec.activation) {
        const bool oneD = spec.spatial() == 1;
        batch_ = spec.x[0];
        inChannels_ = spec.x[1];
        outChannels_ = spec.w[0];
        inPerGroup_ = spec.w[1];
        outPerGroup_ = spec.w[0] / spec.group;
        inHeight_ = oneD ? 1 : spec.x[2];
        inWidth_ = spec.x.back();
        outHeight_ = oneD ? 1 : spec.y[2];
        kernelHeight_ = oneD ? 1 : spec.w[2];
        const size_t wAxis = spec.spatial() - 1;
        strideH_ = oneD ? 1 : spec.window.strides[0];
        dilationH_ = oneD ? 1 : spec.window.dilations[0];
        padH_ = oneD ? 0 : spec.window.padBegin[0];
        row_.build(spec.y.back(), inWidth_, spec.window.strides[wAxis], spec.window.dilations[wAxis],
                   spec.window.padBegin[wAxis], spec.w.back());
        rowFunction_ = pickRowFunction();
        hasBias_ = spec.hasBias;
        copyConstants(spec, weights_, bias_);
    }

    Status run(RunContext& context) override {
        const float* x = context.inputs[0].as<const float>();
        const float* w = weights_.empty() ? context.inputs[1].as<const float>() : weights_.data();
        const float* bias = !hasBias_ ? nullptr : bias_.empty() ? context.inputs[2].as<const float>() : bias_.data();
        float* y = context.outputs[0].as<float>();
        const int64_t planes = batch_ * outChannels_, outRows = outHeight_, outWidth = row_.outWidth;
        const int64_t kernelWidth = row_.taps, kernelArea = kernelHeight_ * kernelWidth;
        const int64_t work = planes * outRows * outWidth * inPerGroup_ * kernelArea;
#pragma omp parallel for collapse(2) schedule(static) if (work > kParallelWork)
        for (int64_t plane = 0; plane < planes; ++plane) {
            for (int64_t oh = 0; oh < outRows; ++oh) {
                const int64_t n = plane / outChannels_, o = plane % outChannels_;
                const int64_t firstInput = (o / outPerGroup_) * inPerGroup_;
                float* dst = y + (plane * outRows + oh) * outWidth;
                std::fill_n(dst, outWidth, bias ? bias[o] : 0.f);
                for (int64_t ci = 0; ci < inPerGroup_; ++ci) {
                    const float* inPlane = x + (n * inChannels_ + firstInput + ci) * inHeight_ * inWidth_;
                    const float* kernel = w + (o * inPerGroup_ + ci) * kernelArea;
                    // All kernel rows inside the input: one pass over the
                    // output row; at the top and bottom, row by row.
                    const float* rows[kMaxFusedRows];
                    const int64_t top = oh * strideH_ - padH_;
                    const bool inside = top >= 0 && top + (kernelHeight_ - 1) * dilationH_ < inHeight_;
                    if (inside && kernelHeight_ <= kMaxFusedRows) {
                        for (int64_t kh = 0; kh < kernelHeight_; ++kh)
                            rows[kh] = inPlane + (top + kh * dilationH_) * inWidth_;
                        rowFunction_(dst, rows, kernelHeight_, kernel, row_);
                        continue;
                    }
                    for (int64_t kh = 0; kh < kernelHeight_; ++kh) {
                        const int64_t ih = top + kh * dilationH_;
                        if (ih < 0 || ih >= inHeight_) continue;
                        rows[0] = inPlane + ih * inWidth_;
                        rowFunction_(dst, rows, 1, kernel + kh * kernelWidth, row_);
                    }
                }
                activateRow(activation_, dst, outWidth);
            }
        }
        return Status::ok();
    }

private:
    Activation activation_;
    int64_t batch_ = 0, inChannels_ = 0, outChannels_ = 0, inPerGroup_ = 0, outPerGroup_ = 0;
    int64_t inHeight_ = 0, inWidth_ = 0, outHeight_ = 0, kernelHeight_ = 1;
    int64_t strideH_ = 1, dilationH_ = 1, padH_ = 0;
    RowGeometry row_;
    RowFunction rowFunction_ = nullptr;
    bool hasBias_ = false;
    std::vector<float> weights_, bias_;
};

}  // namespace

namespace {

// Depthwise 3x3, stride 1, pad 1, no dilation, 2-D: each channel's plane is
// copied into a zero-bordered buffer so every output takes all nine taps
// without bounds checks. Narrow planes (MobileNet's 7x7 to 28x28) are
// computed over the padded width as one flat loop, then compacted, so the
// vector loop does not stop every 7 or 14 outputs.
constexpr int64_t kDwMaxPadded = 16384;  // floats in the padded plane (on the stack)
constexpr int64_t kDwFlatWidth = 32;     // narrower planes use the flat loop

[[gnu::always_inline]] inline void depthwisePlaneBody(const float* __restrict x, float* __restrict y,
                                                      const float* __restrict k, float bias, int64_t h, int64_t width) {
    const int64_t wp = width + 2;
    alignas(64) float pad[kDwMaxPadded];
    std::fill_n(pad, wp + 1, 0.f);
    for (int64_t r = 0; r < h; ++r) {
        float* dst = pad + (r + 1) * wp + 1;
        std::copy_n(x + r * width, width, dst);
        dst[width] = 0.f;
        dst[width + 1] = 0.f;
    }
    std::fill_n(pad + (h + 1) * wp + 1, wp + 1, 0.f);
    const float k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6], k7 = k[7], k8 = k[8];
    auto compute = [&](float* __restrict out, const float* __restrict in, int64_t n) {
        const float* __restrict r0 = in;
        const float* __restrict r1 = in + wp;
        const float* __restrict r2 = in + 2 * wp;
        for (int64_t p = 0; p < n; ++p)
            out[p] = bias + k0 * r0[p] + k1 * r0[p + 1] + k2 * r0[p + 2] + k3 * r1[p] + k4 * r1[p + 1] +
                     k5 * r1[p + 2] + k6 * r2[p] + k7 * r2[p + 1] + k8 * r2[p + 2];
    };
    if (width < kDwFlatWidth && h * wp <= kDwFlatWidth * (kDwFlatWidth + 2)) {
        alignas(64) float flat[kDwFlatWidth * (kDwFlatWidth + 2)];
        compute(flat, pad, h * wp);
        for (int64_t r = 0; r < h; ++r) std::copy_n(flat + r * wp, width, y + r * width);
    } else {
        for (int64_t r = 0; r < h; ++r) compute(y + r * width, pad + r * wp, width);
    }
}

using PlaneFunction = void (*)(const float*, float*, const float*, float, int64_t, int64_t);

__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))) IS_FP_CONTRACT_FAST void depthwisePlaneAvx512(
    const float* x, float* y, const float* k, float bias, int64_t h, int64_t w) {
    depthwisePlaneBody(x, y, k, bias, h, w);
}
__attribute__((target("avx2,fma"))) IS_FP_CONTRACT_FAST void depthwisePlaneAvx2(const float* x, float* y,
                                                                                const float* k, float bias, int64_t h,
                                                                                int64_t w) {
    depthwisePlaneBody(x, y, k, bias, h, w);
}
void depthwisePlaneBaseline(const float* x, float* y, const float* k, float bias, int64_t h, int64_t w) {
    depthwisePlaneBody(x, y, k, bias, h, w);
}

PlaneFunction pickPlaneFunction() {
    return pickBySimd<PlaneFunction>(&depthwisePlaneAvx512, &depthwisePlaneAvx2, &depthwisePlaneBaseline);
}

class Depthwise3x3 final : public ConvPath {
public:
    explicit Depthwise3x3(const ConvSpec& spec) : activation_(spec.activation) {
        batch_ = spec.x[0];
        channels_ = spec.x[1];
        height_ = spec.x[2];
        width_ = spec.x[3];
        hasBias_ = spec.hasBias;
        plane_ = pickPlaneFunction();
        copyConstants(spec, weights_, bias_);
    }

    Status run(RunContext& context) override {
        const float* x = context.inputs[0].as<const float>();
        const float* w = weights_.empty() ? context.inputs[1].as<const float>() : weights_.data();
        const float* bias = !hasBias_ ? nullptr : bias_.empty() ? context.inputs[2].as<const float>() : bias_.data();
        float* y = context.outputs[0].as<float>();
        const int64_t planes = batch_ * channels_, area = height_ * width_;
#pragma omp parallel for schedule(static) if (planes * area * 9 > kParallelWork)
        for (int64_t plane = 0; plane < planes; ++plane) {
            const int64_t c = plane % channels_;
            float* dst = y + plane * area;
            plane_(x + plane * area, dst, w + c * 9, bias ? bias[c] : 0.f, height_, width_);
            activateRow(activation_, dst, area);
        }
        return Status::ok();
    }

private:
    Activation activation_;
    int64_t batch_ = 0, channels_ = 0, height_ = 0, width_ = 0;
    bool hasBias_ = false;
    PlaneFunction plane_ = nullptr;
    std::vector<float> weights_, bias_;
};

bool isDepthwise3x3Stride1(const ConvSpec& spec) {
    if (spec.spatial() != 2 || spec.group != spec.x[1] || spec.w[0] != spec.x[1] || spec.w[1] != 1) return false;
    for (size_t k = 0; k < 2; ++k)
        if (spec.w[2 + k] != 3 || spec.window.strides[k] != 1 || spec.window.dilations[k] != 1 ||
            spec.window.padBegin[k] != 1 || spec.window.padEnd[k] != 1)
            return false;
    // Measured on MobileNetV2 (one thread): 1.4-1.6x faster than oneDNN's
    // jit_dw plus its reorders at 56x56 and 112x112, even at 28x28 and 14x14,
    // slower at 7x7 (per-plane overhead on 49 outputs).
    return spec.x[3] >= 14 && (spec.x[2] + 2) * (spec.x[3] + 2) + 2 <= kDwMaxPadded;
}

}  // namespace

std::unique_ptr<ConvPath> makeDirectConv(const ConvSpec& spec) {
    if (spec.spatial() > 2) return nullptr;
    if (isDepthwise3x3Stride1(spec)) return std::make_unique<Depthwise3x3>(spec);
    if (auto path = makeDepthwise5x5(spec)) return path;
    // Measured against oneDNN plus its reorders (PP-OCRv4, U^2-Net-P, one
    // thread): depthwise 3x3 on rows of 64+ outputs runs 1.0-2.4x faster
    // here (MobileNetV2's stride-2 112 -> 56: 1.4x); 5x5 kernels and short rows are faster in oneDNN's jit_dw. One
    // output channel from 64: 2.4-5x faster here at 40x40 and up.
    const bool depthwise =
        spec.w[1] == 1 && spec.group == spec.x[1] && spec.w[2] <= 3 && spec.w.back() <= 3 && spec.y.back() >= 56;
    const bool fewOutputs = spec.group == 1 && spec.w[0] <= 4;
    if (!depthwise && !fewOutputs) return nullptr;
    return std::make_unique<DirectConv>(spec);
}

}  // namespace interstage::cpu::nn
