// Depthwise 5x5 convolution (stride 1 or 2, "same"-style pads of 2) on NCHW
// planes, for channel counts the blocked layout cannot take (BlazeFace's
// 24, 28, 36, 42 ... channels, PP-LCNet's): oneDNN would reorder the
// tensor to NHWC and back around its kernel, which costs more than the
// convolution itself.
//
// Each plane is read once: its rows are copied into a ring of five
// zero-bordered rows (the last five input rows an output row needs), so
// every output takes all 25 taps from contiguous memory without bounds
// checks. At stride 2 each row is stored deinterleaved, even columns then
// odd ones, so the taps of 16 neighbouring outputs are again 16 contiguous
// floats.
#include <algorithm>
#include <vector>

#include "cpu/ops/nn/conv_paths.h"
#include "cpu/parallel.h"
#include "cpu/simd_dispatch.h"

namespace interstage::cpu::nn {

namespace {

constexpr int64_t kTaps = 5;
constexpr int64_t kPad = 2;
constexpr int64_t kMaxRow = 2048;             // floats in one bordered row (five on the stack per thread)
constexpr int64_t kRowStride = kMaxRow + 16;  // floats from one ring row to the next

struct PlaneGeometry {
    int64_t inHeight = 0, inWidth = 0, outHeight = 0, outWidth = 0, stride = 1;
    int64_t rowFloats = 0;  // a bordered row: (outWidth - 1) * stride + kTaps, rounded up to even
};

// The bordered copy of input row ih (zeros outside the plane): at stride 2
// the even columns first, then the odd ones, each rowFloats / 2 long.
template <int Stride>
[[gnu::always_inline]] inline void loadRow(const float* __restrict plane, int64_t ih, float* __restrict row,
                                           const PlaneGeometry& g) {
    std::fill_n(row, g.rowFloats, 0.f);
    if (ih < 0 || ih >= g.inHeight) return;
    const float* src = plane + ih * g.inWidth;
    const int64_t n = std::min(g.inWidth, g.rowFloats - kPad);
    if constexpr (Stride == 1) {
        std::copy_n(src, n, row + kPad);
    } else {
        const int64_t half = g.rowFloats / 2;
        for (int64_t i = 0; i < n; ++i) {
            const int64_t j = i + kPad;
            row[(j & 1) * half + (j >> 1)] = src[i];
        }
    }
}

// out[o] = bias + sum of the 25 taps over the five bordered rows, in one
// pass: each sum stays in a register for all taps.
template <int Stride>
[[gnu::always_inline]] inline void outputRow(float* __restrict out, const float* const* rows, const float* k,
                                             float bias, const PlaneGeometry& g) {
    const int64_t half = Stride == 1 ? 1 : g.rowFloats / 2;  // stride 2: where the odd columns start
    const float* __restrict r0 = rows[0];
    const float* __restrict r1 = rows[1];
    const float* __restrict r2 = rows[2];
    const float* __restrict r3 = rows[3];
    const float* __restrict r4 = rows[4];
    // Tap t of a row: even (t = 2q) at [o + q], odd (t = 2q + 1) at [half + o + q]
    // at stride 2; at stride 1 simply [o + t].
    auto at = [&](int t) -> int64_t { return Stride == 1 ? t : (t & 1) * half + (t >> 1); };
    const int64_t a0 = at(0), a1 = at(1), a2 = at(2), a3 = at(3), a4 = at(4);
    for (int64_t o = 0; o < g.outWidth; ++o) {
        const float s0 =
            k[0] * r0[o + a0] + k[1] * r0[o + a1] + k[2] * r0[o + a2] + k[3] * r0[o + a3] + k[4] * r0[o + a4];
        const float s1 =
            k[5] * r1[o + a0] + k[6] * r1[o + a1] + k[7] * r1[o + a2] + k[8] * r1[o + a3] + k[9] * r1[o + a4];
        const float s2 =
            k[10] * r2[o + a0] + k[11] * r2[o + a1] + k[12] * r2[o + a2] + k[13] * r2[o + a3] + k[14] * r2[o + a4];
        const float s3 =
            k[15] * r3[o + a0] + k[16] * r3[o + a1] + k[17] * r3[o + a2] + k[18] * r3[o + a3] + k[19] * r3[o + a4];
        const float s4 =
            k[20] * r4[o + a0] + k[21] * r4[o + a1] + k[22] * r4[o + a2] + k[23] * r4[o + a3] + k[24] * r4[o + a4];
        out[o] = bias + ((s0 + s1) + (s2 + s3)) + s4;
    }
}

template <int Stride>
[[gnu::always_inline]] inline void planeBody(const float* x, float* y, const float* k, float bias,
                                             const PlaneGeometry& g) {
    // Rows kRowStride floats apart: not a multiple of 4 KiB, so the five
    // rows' loads and the output's stores do not alias in the cache's eyes.
    alignas(64) float ring[kTaps * kRowStride];
    int64_t held[kTaps];  // which input row each ring slot holds
    std::fill_n(held, kTaps, int64_t(-1) - kTaps);
    float kernel[kTaps * kTaps];
    std::copy_n(k, kTaps * kTaps, kernel);
    for (int64_t oh = 0; oh < g.outHeight; ++oh) {
        const float* rows[kTaps];
        for (int64_t r = 0; r < kTaps; ++r) {
            const int64_t ih = oh * Stride - kPad + r;
            const int64_t slot = (ih + kTaps * 4) % kTaps;  // ih >= -kPad
            if (held[slot] != ih) {
                loadRow<Stride>(x, ih, ring + slot * kRowStride, g);
                held[slot] = ih;
            }
            rows[r] = ring + slot * kRowStride;
        }
        outputRow<Stride>(y + oh * g.outWidth, rows, kernel, bias, g);
    }
}

using PlaneFunction = void (*)(const float*, float*, const float*, float, const PlaneGeometry&);

template <int Stride>
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))) IS_FP_CONTRACT_FAST void planeAvx512(
    const float* x, float* y, const float* k, float bias, const PlaneGeometry& g) {
    planeBody<Stride>(x, y, k, bias, g);
}
template <int Stride>
__attribute__((target("avx2,fma"))) IS_FP_CONTRACT_FAST void planeAvx2(const float* x, float* y, const float* k,
                                                                       float bias, const PlaneGeometry& g) {
    planeBody<Stride>(x, y, k, bias, g);
}
template <int Stride>
void planeBaseline(const float* x, float* y, const float* k, float bias, const PlaneGeometry& g) {
    planeBody<Stride>(x, y, k, bias, g);
}

template <int Stride>
PlaneFunction pickPlane() {
    return pickBySimd<PlaneFunction>(&planeAvx512<Stride>, &planeAvx2<Stride>, &planeBaseline<Stride>);
}

class Depthwise5x5 final : public ConvPath {
public:
    explicit Depthwise5x5(const ConvSpec& spec) : activation_(spec.activation) {
        batch_ = spec.x[0];
        channels_ = spec.x[1];
        g_.inHeight = spec.x[2];
        g_.inWidth = spec.x[3];
        g_.outHeight = spec.y[2];
        g_.outWidth = spec.y[3];
        g_.stride = spec.window.strides[0];
        g_.rowFloats = ((g_.outWidth - 1) * g_.stride + kTaps + 1) / 2 * 2;
        plane_ = g_.stride == 1 ? pickPlane<1>() : pickPlane<2>();
        hasBias_ = spec.hasBias;
        copyConstants(spec, weights_, bias_);
    }

    Status run(RunContext& context) override {
        const float* x = context.inputs[0].as<const float>();
        const float* w = weights_.empty() ? context.inputs[1].as<const float>() : weights_.data();
        const float* bias = !hasBias_ ? nullptr : bias_.empty() ? context.inputs[2].as<const float>() : bias_.data();
        float* y = context.outputs[0].as<float>();
        const int64_t planes = batch_ * channels_, inArea = g_.inHeight * g_.inWidth;
        const int64_t outArea = g_.outHeight * g_.outWidth;
#pragma omp parallel for schedule(static) if (planes * outArea * kTaps * kTaps > kParallelWork)
        for (int64_t plane = 0; plane < planes; ++plane) {
            const int64_t c = plane % channels_;
            float* dst = y + plane * outArea;
            plane_(x + plane * inArea, dst, w + c * kTaps * kTaps, bias ? bias[c] : 0.f, g_);
            activateRow(activation_, dst, outArea);
        }
        return Status::ok();
    }

private:
    Activation activation_;
    int64_t batch_ = 0, channels_ = 0;
    PlaneGeometry g_;
    bool hasBias_ = false;
    PlaneFunction plane_ = nullptr;
    std::vector<float> weights_, bias_;
};

}  // namespace

namespace {

bool isDepthwise5x5(const ConvSpec& spec) {
    if (spec.spatial() != 2 || spec.group != spec.x[1] || spec.w[0] != spec.x[1] || spec.w[1] != 1) return false;
    const int64_t stride = spec.window.strides[0];
    if (stride != 1 && stride != 2) return false;
    for (size_t k = 0; k < 2; ++k)
        if (spec.w[2 + k] != kTaps || spec.window.strides[k] != stride || spec.window.dilations[k] != 1 ||
            spec.window.padBegin[k] != kPad || spec.window.padEnd[k] > kPad)
            return false;
    return (spec.y[3] - 1) * stride + kTaps + 1 <= kMaxRow;
}

}  // namespace

std::unique_ptr<ConvPath> makeDepthwise5x5(const ConvSpec& spec) {
    return isDepthwise5x5(spec) ? std::make_unique<Depthwise5x5>(spec) : nullptr;
}

}  // namespace interstage::cpu::nn
