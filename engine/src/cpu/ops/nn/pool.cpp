// MaxPool (optional Indices, storage_order, dilations, ceil_mode) and
// AveragePool (count_include_pad, ceil_mode) over 1 to 3 spatial axes, in
// plain C++ on NCHW data (2-D also on channel-blocked data): pooling is memory-bound, and a loop over each
// plane's rows reads the input once, in order, where a oneDNN primitive
// would need the same reorders as Conv.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/half_float.h"
#include "cpu/ops/nn/nn_kernels.h"
#include "cpu/ops/nn/window.h"
#include "cpu/simd_dispatch.h"

namespace interstage::cpu::nn {

namespace {

// Per spatial axis and output position: where the window starts and which
// kernel taps fall inside the input (a contiguous range, dilations or not).
struct AxisWindows {
    int64_t in = 1, out = 1, kernel = 1, dilation = 1;
    std::vector<int64_t> start;       // input position of tap 0 (may be negative)
    std::vector<int64_t> firstTap;    // first tap inside the input
    std::vector<int64_t> endTap;      // one past the last tap inside the input
    std::vector<int64_t> paddedTaps;  // taps inside input + pads (count_include_pad divisor)

    void build(int64_t inSize, int64_t outSize, int64_t kernelSize, int64_t stride, int64_t dil, int64_t padBegin,
               int64_t padEnd) {
        in = inSize, out = outSize, kernel = kernelSize, dilation = dil;
        start.resize(out), firstTap.resize(out), endTap.resize(out), paddedTaps.resize(out);
        for (int64_t o = 0; o < out; ++o) {
            const int64_t s = o * stride - padBegin;
            int64_t first = 0, end = 0, padded = 0;
            for (int64_t k = 0; k < kernel; ++k) {
                const int64_t p = s + k * dil;
                if (p >= -padBegin && p < in + padEnd) ++padded;
            }
            first = s >= 0 ? 0 : (-s + dil - 1) / dil;
            end = in - s <= 0 ? 0 : std::min<int64_t>(kernel, (in - s + dil - 1) / dil);
            start[o] = s;
            firstTap[o] = std::min(first, end);
            endTap[o] = end;
            paddedTaps[o] = padded;
        }
    }
};

// Spatial axes padded to three (depth, height, width) with size-1 axes.
struct PoolGeometry {
    AxisWindows axis[3];
    int64_t planes = 0;  // N * C
    int64_t inPlane() const { return axis[0].in * axis[1].in * axis[2].in; }
    int64_t outPlane() const { return axis[0].out * axis[1].out * axis[2].out; }
};

Status buildGeometry(const PrepareContext& context, Window& window, PoolGeometry& g) {
    const Shape& x = context.inputShape(0);
    const Shape& y = context.output(0).shape;
    const size_t spatial = x.size() - 2;
    if (y.size() != x.size() || y[0] != x[0] || y[1] != x[1])
        return context.invalidHere("output " + shapeToString(y) + " does not fit input " + shapeToString(x));
    const Shape inSpatial(x.begin() + 2, x.end()), outSpatial(y.begin() + 2, y.end());
    resolveForwardPads(window, inSpatial, outSpatial);
    for (int64_t o : outSpatial)
        if (o < 0) return context.invalidHere("negative output size");
    const size_t skip = 3 - spatial;
    for (size_t k = 0; k < spatial; ++k)
        g.axis[skip + k].build(inSpatial[k], outSpatial[k], window.kernel[k], window.strides[k], window.dilations[k],
                               window.padBegin[k], window.padEnd[k]);
    for (size_t k = 0; k < skip; ++k) g.axis[k].build(1, 1, 1, 1, 1, 0, 0);
    g.planes = x[0] * x[1];
    return Status::ok();
}

Status readPoolWindow(const PrepareContext& context, Window& window) {
    if (!context.hasInput(0)) return context.invalidHere("needs input X");
    const Shape& x = context.inputShape(0);
    if (x.size() < 3 || x.size() > 5)
        return context.unsupportedHere("input rank " + std::to_string(x.size()) + " (1 to 3 spatial axes only)");
    return readWindow(context, x.size() - 2, {}, window);
}

// ---------------------------------------------------------------- MaxPool

template <class T>
void maxPool(const PoolGeometry& g, const T* x, T* y, int64_t* indices, bool columnMajor) {
    const AxisWindows &ad = g.axis[0], &ah = g.axis[1], &aw = g.axis[2];
    const int64_t inPlane = g.inPlane(), outPlane = g.outPlane(), rows = ad.out * ah.out;
    const int64_t work = g.planes * outPlane * aw.kernel * ah.kernel;
#pragma omp parallel for collapse(2) schedule(static) if (work > 32768)
    for (int64_t plane = 0; plane < g.planes; ++plane) {
        for (int64_t row = 0; row < rows; ++row) {
            const int64_t od = row / ah.out, oh = row % ah.out;
            const T* src = x + plane * inPlane;
            T* dst = y + plane * outPlane + row * aw.out;
            int64_t* idx = indices ? indices + plane * outPlane + row * aw.out : nullptr;
            for (int64_t ow = 0; ow < aw.out; ++ow) {
                T best = std::numeric_limits<T>::lowest();
                int64_t where = -1;
                for (int64_t kd = ad.firstTap[od]; kd < ad.endTap[od]; ++kd) {
                    const int64_t d = ad.start[od] + kd * ad.dilation;
                    for (int64_t kh = ah.firstTap[oh]; kh < ah.endTap[oh]; ++kh) {
                        const int64_t h = ah.start[oh] + kh * ah.dilation;
                        const T* line = src + (d * ah.in + h) * aw.in;
                        for (int64_t kw = aw.firstTap[ow]; kw < aw.endTap[ow]; ++kw) {
                            const int64_t w = aw.start[ow] + kw * aw.dilation;
                            if (where < 0 || line[w] > best) {
                                best = line[w];
                                where = columnMajor ? (w * ah.in + h) * ad.in + d : (d * ah.in + h) * aw.in + w;
                            }
                        }
                    }
                }
                dst[ow] = best;
                if (idx) idx[ow] = plane * inPlane + std::max<int64_t>(where, 0);
            }
        }
    }
}

// A float16 / bfloat16 element as maxPool's T: compared exactly through
// float, stored as it was (max picks an input, so nothing is rounded and
// nothing is widened into memory).
template <DataType D>
struct HalfElement {
    uint16_t bits;
    float value() const { return D == DataType::Float16 ? halfToFloat(bits) : bfloatToFloat(bits); }
    bool operator>(HalfElement other) const { return value() > other.value(); }
    static HalfElement of(float v) { return {D == DataType::Float16 ? floatToHalf(v) : floatToBfloat(v)}; }
};

// What averagePool sums in: float for the half types, T otherwise.
template <class T>
struct PoolSum {
    using type = T;
    static T load(T v) { return v; }
    static T store(T v) { return v; }
};
template <DataType D>
struct PoolSum<HalfElement<D>> {
    using type = float;
    static float load(HalfElement<D> v) { return v.value(); }
    static HalfElement<D> store(float v) { return HalfElement<D>::of(v); }
};

// Two input rows -> one output row of a 2x2 / stride 2 window (U^2-Net's
// pools), compiled for AVX-512 / AVX2 / baseline and picked by the CPU: the
// stride-2 loads vectorize as permutes, which the baseline build cannot.
[[gnu::always_inline]] inline void maxRows2x2Body(float* dst, const float* r0, const float* r1, int64_t n) {
    for (int64_t j = 0; j < n; ++j) {
        const float a = r0[2 * j] < r0[2 * j + 1] ? r0[2 * j + 1] : r0[2 * j];
        const float b = r1[2 * j] < r1[2 * j + 1] ? r1[2 * j + 1] : r1[2 * j];
        dst[j] = a < b ? b : a;
    }
}

__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2"))) void maxRows2x2Avx512(float* dst, const float* r0,
                                                                                         const float* r1, int64_t n) {
    maxRows2x2Body(dst, r0, r1, n);
}

__attribute__((target("avx2"))) void maxRows2x2Avx2(float* dst, const float* r0, const float* r1, int64_t n) {
    maxRows2x2Body(dst, r0, r1, n);
}

void maxRows2x2Baseline(float* dst, const float* r0, const float* r1, int64_t n) { maxRows2x2Body(dst, r0, r1, n); }

using MaxRowsFunction = void (*)(float*, const float*, const float*, int64_t);

MaxRowsFunction pickMaxRows2x2() {
    return pickBySimd<MaxRowsFunction>(&maxRows2x2Avx512, &maxRows2x2Avx2, &maxRows2x2Baseline);
}

// 2-D, no dilation, no Indices: the common case. Windows wholly inside the
// input skip the bounds bookkeeping; 2x2 / stride 2 rows take the
// vectorized row function.
void maxPool2dFloat(const PoolGeometry& g, const float* x, float* y) {
    static const MaxRowsFunction maxRows2x2 = pickMaxRows2x2();
    const AxisWindows &ah = g.axis[1], &aw = g.axis[2];
    const int64_t inPlane = g.inPlane(), outPlane = g.outPlane();
    const int64_t K = aw.kernel, work = g.planes * outPlane * ah.kernel * K;
    // Output columns whose window lies wholly inside the input: contiguous.
    int64_t fullBegin = 0, fullEnd = 0;
    while (fullBegin < aw.out && aw.endTap[fullBegin] - aw.firstTap[fullBegin] != K) ++fullBegin;
    fullEnd = fullBegin;
    while (fullEnd < aw.out && aw.endTap[fullEnd] - aw.firstTap[fullEnd] == K) ++fullEnd;
    const bool pairs = K == 2 && ah.kernel == 2 && (aw.out < 2 || aw.start[1] - aw.start[0] == 2);
#pragma omp parallel for collapse(2) schedule(static) if (work > 32768)
    for (int64_t plane = 0; plane < g.planes; ++plane) {
        for (int64_t oh = 0; oh < ah.out; ++oh) {
            const float* src = x + plane * inPlane;
            float* dst = y + plane * outPlane + oh * aw.out;
            const int64_t h0 = ah.start[oh] + ah.firstTap[oh], h1 = ah.start[oh] + ah.endTap[oh];
            int64_t ow = 0;
            if (pairs && h1 - h0 == 2 && fullEnd > fullBegin) {
                const int64_t w0 = aw.start[fullBegin];
                maxRows2x2(dst + fullBegin, src + h0 * aw.in + w0, src + (h0 + 1) * aw.in + w0, fullEnd - fullBegin);
            }
            for (; ow < aw.out; ++ow) {
                if (pairs && h1 - h0 == 2 && ow >= fullBegin && ow < fullEnd) {
                    ow = fullEnd - 1;  // done by the row function
                    continue;
                }
                const int64_t w0 = aw.start[ow] + aw.firstTap[ow], w1 = aw.start[ow] + aw.endTap[ow];
                float best = -std::numeric_limits<float>::infinity();
                for (int64_t h = h0; h < h1; ++h) {
                    const float* line = src + h * aw.in;
                    for (int64_t w = w0; w < w1; ++w) best = std::max(best, line[w]);
                }
                dst[ow] = h1 > h0 && w1 > w0 ? best : std::numeric_limits<float>::lowest();
            }
        }
    }
}

// Separable 2-D max for float, no dilation, no Indices: per output row,
// the vertical max of its (valid) input rows goes into a row buffer, then
// each output column takes the horizontal max of its window in that row.
// Border columns (windows clipped by padding) are handled one by one;
// interior columns run branch-free loops the compiler vectorizes. Compiled
// for AVX-512 / AVX2 / baseline and picked by the CPU.
constexpr int64_t kSeparableMaxWidth = 4096;  // row buffer, floats on the stack

struct SeparableMaxPlan {
    int64_t fullBegin = 0, fullEnd = 0, stride = 1;
};

[[gnu::always_inline]] inline float maxOf(float a, float b) { return a < b ? b : a; }

[[gnu::always_inline]] inline void separableMaxRowsBody(const PoolGeometry& g, const SeparableMaxPlan& plan,
                                                        const float* src, float* dstPlane, int64_t oh0, int64_t oh1,
                                                        float* buf) {
    const AxisWindows &ah = g.axis[1], &aw = g.axis[2];
    const int64_t W = aw.in, OW = aw.out, K = aw.kernel, S = plan.stride;
    const int64_t fullBegin = plan.fullBegin, fullEnd = plan.fullEnd, n = fullEnd - fullBegin;
    for (int64_t oh = oh0; oh < oh1; ++oh) {
        float* __restrict dst = dstPlane + oh * OW;
        const int64_t h0 = ah.start[oh] + ah.firstTap[oh], h1 = ah.start[oh] + ah.endTap[oh];
        if (h1 <= h0) {
            for (int64_t ow = 0; ow < OW; ++ow) dst[ow] = std::numeric_limits<float>::lowest();
            continue;
        }
        const float* row = src + h0 * W;
        if (h1 - h0 > 1) {
            const float* __restrict a = row;
            const float* __restrict b = row + W;
            float* __restrict t = buf;
            for (int64_t w = 0; w < W; ++w) t[w] = maxOf(a[w], b[w]);
            for (int64_t h = h0 + 2; h < h1; ++h) {
                const float* __restrict c = src + h * W;
                for (int64_t w = 0; w < W; ++w) t[w] = maxOf(t[w], c[w]);
            }
            row = buf;
        }
        // Border columns: clipped windows (possibly empty).
        for (int64_t ow = 0; ow < OW; ++ow) {
            if (ow == fullBegin && n > 0) {
                ow = fullEnd - 1;
                continue;
            }
            const int64_t w0 = aw.start[ow] + aw.firstTap[ow], w1 = aw.start[ow] + aw.endTap[ow];
            if (w1 <= w0) {
                dst[ow] = std::numeric_limits<float>::lowest();
                continue;
            }
            float best = row[w0];
            for (int64_t w = w0 + 1; w < w1; ++w) best = maxOf(best, row[w]);
            dst[ow] = best;
        }
        if (n <= 0) continue;
        const float* __restrict base = row + aw.start[fullBegin];
        float* __restrict out = dst + fullBegin;
        if (S == 1 && K == 3) {
            for (int64_t j = 0; j < n; ++j) out[j] = maxOf(maxOf(base[j], base[j + 1]), base[j + 2]);
        } else if (S == 2 && K == 3) {
            for (int64_t j = 0; j < n; ++j) out[j] = maxOf(maxOf(base[2 * j], base[2 * j + 1]), base[2 * j + 2]);
        } else if (S == 1) {
            for (int64_t j = 0; j < n; ++j) out[j] = base[j];
            for (int64_t k = 1; k < K; ++k)
                for (int64_t j = 0; j < n; ++j) out[j] = maxOf(out[j], base[j + k]);
        } else {
            for (int64_t j = 0; j < n; ++j) out[j] = base[j * S];
            for (int64_t k = 1; k < K; ++k)
                for (int64_t j = 0; j < n; ++j) out[j] = maxOf(out[j], base[j * S + k]);
        }
    }
}

__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2"))) void separableMaxRowsAvx512(
    const PoolGeometry& g, const SeparableMaxPlan& plan, const float* src, float* dst, int64_t oh0, int64_t oh1,
    float* buf) {
    separableMaxRowsBody(g, plan, src, dst, oh0, oh1, buf);
}

__attribute__((target("avx2"))) void separableMaxRowsAvx2(const PoolGeometry& g, const SeparableMaxPlan& plan,
                                                          const float* src, float* dst, int64_t oh0, int64_t oh1,
                                                          float* buf) {
    separableMaxRowsBody(g, plan, src, dst, oh0, oh1, buf);
}

void separableMaxRowsBaseline(const PoolGeometry& g, const SeparableMaxPlan& plan, const float* src, float* dst,
                              int64_t oh0, int64_t oh1, float* buf) {
    separableMaxRowsBody(g, plan, src, dst, oh0, oh1, buf);
}

using SeparableMaxRowsFunction = void (*)(const PoolGeometry&, const SeparableMaxPlan&, const float*, float*, int64_t,
                                          int64_t, float*);

SeparableMaxRowsFunction pickSeparableMaxRows() {
    return pickBySimd<SeparableMaxRowsFunction>(&separableMaxRowsAvx512, &separableMaxRowsAvx2,
                                                &separableMaxRowsBaseline);
}

void separableMaxPool2dFloat(const PoolGeometry& g, const float* x, float* y) {
    static const SeparableMaxRowsFunction rowsFunction = pickSeparableMaxRows();
    const AxisWindows &ah = g.axis[1], &aw = g.axis[2];
    const int64_t inPlane = g.inPlane(), outPlane = g.outPlane();
    const int64_t K = aw.kernel, work = g.planes * outPlane * ah.kernel * K;
    SeparableMaxPlan plan;
    plan.stride = aw.out > 1 ? aw.start[1] - aw.start[0] : 1;
    while (plan.fullBegin < aw.out && aw.endTap[plan.fullBegin] - aw.firstTap[plan.fullBegin] != K) ++plan.fullBegin;
    plan.fullEnd = plan.fullBegin;
    while (plan.fullEnd < aw.out && aw.endTap[plan.fullEnd] - aw.firstTap[plan.fullEnd] == K) ++plan.fullEnd;
    // Few planes: split each plane's rows into blocks so threads share work.
    const int64_t blocks = g.planes >= 32 ? 1 : std::max<int64_t>(1, std::min<int64_t>(ah.out, 16));
    const int64_t rowsPerBlock = (ah.out + blocks - 1) / std::max<int64_t>(blocks, 1);
#pragma omp parallel for collapse(2) schedule(static) if (work > 32768)
    for (int64_t plane = 0; plane < g.planes; ++plane) {
        for (int64_t block = 0; block < blocks; ++block) {
            const int64_t oh0 = block * rowsPerBlock, oh1 = std::min<int64_t>(ah.out, oh0 + rowsPerBlock);
            if (oh0 >= oh1) continue;
            alignas(64) float buf[kSeparableMaxWidth];
            rowsFunction(g, plan, x + plane * inPlane, y + plane * outPlane, oh0, oh1, buf);
        }
    }
}

// ---------------------------------------------------------------- blocked

// 2-D pooling over channels blocked innermost (Value::channelBlock): each
// (image, channel block) is a plane of Block-float vectors, and each lane
// sees exactly the taps, pads and divisor of the NCHW paths. One output
// row per call, built for AVX-512, AVX2 and baseline (the engine itself
// is built for baseline x86-64, whose 4-lane vectors made this loop 3x
// slower than ONNX Runtime's on Inception's and DenseNet's pools).
// Block floats as one vector (GCC's vector extension): std::max over an
// array of lanes stays scalar (NaN ordering), a vector compare-select does not.
template <int Block>
using Lanes [[gnu::vector_size(Block * sizeof(float))]] = float;

template <int Block, bool Max>
[[gnu::always_inline]] inline void poolBlockedRowBody(const PoolGeometry& g, const float* src, float* dst, int64_t oh,
                                                      bool countPads) {
    using V = Lanes<Block>;
    const AxisWindows &ah = g.axis[1], &aw = g.axis[2];
    for (int64_t ow = 0; ow < aw.out; ++ow) {
        V acc;
        for (int k = 0; k < Block; ++k) acc[k] = Max ? -std::numeric_limits<float>::infinity() : 0.f;
        for (int64_t kh = ah.firstTap[oh]; kh < ah.endTap[oh]; ++kh) {
            const int64_t h = ah.start[oh] + kh * ah.dilation;
            for (int64_t kw = aw.firstTap[ow]; kw < aw.endTap[ow]; ++kw) {
                V v;
                std::memcpy(&v, src + (h * aw.in + aw.start[ow] + kw * aw.dilation) * Block, sizeof(V));
                if constexpr (Max)
                    acc = v > acc ? v : acc;  // as std::max(acc, v): acc unless v is greater
                else
                    acc += v;
            }
        }
        const int64_t taps = (ah.endTap[oh] - ah.firstTap[oh]) * (aw.endTap[ow] - aw.firstTap[ow]);
        const int64_t count = countPads ? ah.paddedTaps[oh] * aw.paddedTaps[ow] : taps;
        if (Max && taps <= 0)
            for (int k = 0; k < Block; ++k) acc[k] = std::numeric_limits<float>::lowest();
        if (!Max) acc = count > 0 ? acc / static_cast<float>(count) : acc * 0.f;
        std::memcpy(dst + ow * Block, &acc, sizeof(V));
    }
}

using BlockedRowFunction = void (*)(const PoolGeometry&, const float*, float*, int64_t, bool);

template <int Block, bool Max>
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))) void poolBlockedRowAvx512(const PoolGeometry& g,
                                                                                                 const float* src,
                                                                                                 float* dst, int64_t oh,
                                                                                                 bool countPads) {
    poolBlockedRowBody<Block, Max>(g, src, dst, oh, countPads);
}
template <int Block, bool Max>
__attribute__((target("avx2,fma"))) void poolBlockedRowAvx2(const PoolGeometry& g, const float* src, float* dst,
                                                            int64_t oh, bool countPads) {
    poolBlockedRowBody<Block, Max>(g, src, dst, oh, countPads);
}
template <int Block, bool Max>
void poolBlockedRowBaseline(const PoolGeometry& g, const float* src, float* dst, int64_t oh, bool countPads) {
    poolBlockedRowBody<Block, Max>(g, src, dst, oh, countPads);
}

template <int Block, bool Max>
void poolBlocked2d(const PoolGeometry& g, const float* x, float* y, bool countPads) {
    const AxisWindows &ah = g.axis[1], &aw = g.axis[2];
    const BlockedRowFunction row = pickBySimd<BlockedRowFunction>(
        &poolBlockedRowAvx512<Block, Max>, &poolBlockedRowAvx2<Block, Max>, &poolBlockedRowBaseline<Block, Max>);
    const int64_t planes = g.planes / Block;
    const int64_t inPlane = ah.in * aw.in * Block, outPlane = ah.out * aw.out * Block;
    const int64_t work = g.planes * ah.out * aw.out * ah.kernel * aw.kernel;
#pragma omp parallel for collapse(2) schedule(static) if (work > 32768)
    for (int64_t plane = 0; plane < planes; ++plane)
        for (int64_t oh = 0; oh < ah.out; ++oh)
            row(g, x + plane * inPlane, y + plane * outPlane + oh * aw.out * Block, oh, countPads);
}

template <bool Max>
void poolBlocked(const PoolGeometry& g, const float* x, float* y, int block, bool countPads) {
    if (block == 16)
        poolBlocked2d<16, Max>(g, x, y, countPads);
    else
        poolBlocked2d<8, Max>(g, x, y, countPads);
}

// A blocked input comes with a blocked output (passes/blocked_layout.h):
// float32, 2-D, whole blocks, no Indices.
Status checkBlocked(const PrepareContext& context, int block) {
    const Shape& x = context.inputShape(0);
    if ((block != 16 && block != 8) || context.inputType(0) != DataType::Float || x.size() != 4 || x[1] % block != 0 ||
        context.output(0).channelBlock != block || context.hasOutput(1))
        return context.invalidHere("channel-blocked pooling needs 4-D float32 input and output of whole blocks");
    return Status::ok();
}

class MaxPoolKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        IS_RETURN_IF_ERROR(readPoolWindow(context, window_));
        dtype_ = context.inputType(0);
        if (dtype_ != DataType::Float && dtype_ != DataType::Double && dtype_ != DataType::Int8 &&
            dtype_ != DataType::UInt8 && dtype_ != DataType::Float16 && dtype_ != DataType::BFloat16)
            return context.unsupportedHere(std::string("input is ") + dataTypeName(dtype_) +
                                           "; float32, float64, float16, bfloat16, int8 and uint8 are supported");
        if (context.node().attrInt("ceil_mode", 0) != 0 && window_.samePadding())
            return context.invalidHere("ceil_mode cannot be combined with auto_pad " + window_.autoPad);
        columnMajor_ = context.node().attrInt("storage_order", 0) == 1;
        wantIndices_ = context.hasOutput(1);
        block_ = context.input(0).channelBlock;
        if (block_) IS_RETURN_IF_ERROR(checkBlocked(context, block_));
        IS_RETURN_IF_ERROR(buildGeometry(context, window_, geometry_));
        return Status::ok();
    }

    Status run(RunContext& context) override {
        if (block_) {
            poolBlocked<true>(geometry_, context.inputs[0].as<const float>(), context.outputs[0].as<float>(), block_,
                              false);
            return Status::ok();
        }
        const void* x = context.inputs[0].data;
        void* y = context.outputs[0].data;
        int64_t* indices = wantIndices_ && context.outputs.size() > 1 ? context.outputs[1].as<int64_t>() : nullptr;
        const bool plain2d = geometry_.axis[0].out == 1 && geometry_.axis[0].kernel == 1 &&
                             geometry_.axis[1].dilation == 1 && geometry_.axis[2].dilation == 1;
        switch (dtype_) {
            case DataType::Float:
                if (plain2d && !indices && !pairs2x2() && geometry_.axis[2].in <= kSeparableMaxWidth)
                    separableMaxPool2dFloat(geometry_, static_cast<const float*>(x), static_cast<float*>(y));
                else if (plain2d && !indices)
                    maxPool2dFloat(geometry_, static_cast<const float*>(x), static_cast<float*>(y));
                else
                    maxPool(geometry_, static_cast<const float*>(x), static_cast<float*>(y), indices, columnMajor_);
                break;
            case DataType::Double:
                maxPool(geometry_, static_cast<const double*>(x), static_cast<double*>(y), indices, columnMajor_);
                break;
            case DataType::Int8:
                maxPool(geometry_, static_cast<const int8_t*>(x), static_cast<int8_t*>(y), indices, columnMajor_);
                break;
            case DataType::Float16:
                maxPool(geometry_, static_cast<const HalfElement<DataType::Float16>*>(x),
                        static_cast<HalfElement<DataType::Float16>*>(y), indices, columnMajor_);
                break;
            case DataType::BFloat16:
                maxPool(geometry_, static_cast<const HalfElement<DataType::BFloat16>*>(x),
                        static_cast<HalfElement<DataType::BFloat16>*>(y), indices, columnMajor_);
                break;
            default:
                maxPool(geometry_, static_cast<const uint8_t*>(x), static_cast<uint8_t*>(y), indices, columnMajor_);
                break;
        }
        return Status::ok();
    }

private:
    // 2x2 / stride 2 windows: the existing row-pair path.
    bool pairs2x2() const {
        const AxisWindows &ah = geometry_.axis[1], &aw = geometry_.axis[2];
        return aw.kernel == 2 && ah.kernel == 2 && (aw.out < 2 || aw.start[1] - aw.start[0] == 2);
    }

    Window window_;
    PoolGeometry geometry_;
    DataType dtype_ = DataType::Float;
    bool columnMajor_ = false;
    bool wantIndices_ = false;
    int block_ = 0;  // the input's channel block (0: NCHW)
};

// ---------------------------------------------------------------- AveragePool

template <class T>
void averagePool(const PoolGeometry& g, const T* x, T* y, bool countPads) {
    const AxisWindows &ad = g.axis[0], &ah = g.axis[1], &aw = g.axis[2];
    const int64_t inPlane = g.inPlane(), outPlane = g.outPlane(), rows = ad.out * ah.out;
    const int64_t work = g.planes * outPlane * aw.kernel * ah.kernel;
#pragma omp parallel for collapse(2) schedule(static) if (work > 32768)
    for (int64_t plane = 0; plane < g.planes; ++plane) {
        for (int64_t row = 0; row < rows; ++row) {
            const int64_t od = row / ah.out, oh = row % ah.out;
            const T* src = x + plane * inPlane;
            T* dst = y + plane * outPlane + row * aw.out;
            const int64_t rowTaps = (ad.endTap[od] - ad.firstTap[od]) * (ah.endTap[oh] - ah.firstTap[oh]);
            const int64_t rowPadded = ad.paddedTaps[od] * ah.paddedTaps[oh];
            for (int64_t ow = 0; ow < aw.out; ++ow) {
                using S = PoolSum<T>;
                typename S::type sum = 0;
                for (int64_t kd = ad.firstTap[od]; kd < ad.endTap[od]; ++kd) {
                    const int64_t d = ad.start[od] + kd * ad.dilation;
                    for (int64_t kh = ah.firstTap[oh]; kh < ah.endTap[oh]; ++kh) {
                        const T* line = src + (d * ah.in + ah.start[oh] + kh * ah.dilation) * aw.in + aw.start[ow];
                        for (int64_t kw = aw.firstTap[ow]; kw < aw.endTap[ow]; ++kw)
                            sum += S::load(line[kw * aw.dilation]);
                    }
                }
                const int64_t count =
                    countPads ? rowPadded * aw.paddedTaps[ow] : rowTaps * (aw.endTap[ow] - aw.firstTap[ow]);
                dst[ow] = S::store(count > 0 ? sum / static_cast<typename S::type>(count) : typename S::type(0));
            }
        }
    }
}

class AveragePoolKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        IS_RETURN_IF_ERROR(readPoolWindow(context, window_));
        dtype_ = context.inputType(0);
        if (dtype_ != DataType::Float && dtype_ != DataType::Double && dtype_ != DataType::Float16 &&
            dtype_ != DataType::BFloat16)
            return context.unsupportedHere(std::string("input is ") + dataTypeName(dtype_) +
                                           "; float32, float64, float16 and bfloat16 are supported");
        countPads_ = context.node().attrInt("count_include_pad", 0) != 0;
        block_ = context.input(0).channelBlock;
        if (block_) IS_RETURN_IF_ERROR(checkBlocked(context, block_));
        IS_RETURN_IF_ERROR(buildGeometry(context, window_, geometry_));
        return Status::ok();
    }

    Status run(RunContext& context) override {
        if (block_)
            poolBlocked<false>(geometry_, context.inputs[0].as<const float>(), context.outputs[0].as<float>(), block_,
                               countPads_);
        else if (dtype_ == DataType::Float)
            averagePool(geometry_, context.inputs[0].as<const float>(), context.outputs[0].as<float>(), countPads_);
        else if (dtype_ == DataType::Float16)
            averagePool(geometry_, context.inputs[0].as<const HalfElement<DataType::Float16>>(),
                        context.outputs[0].as<HalfElement<DataType::Float16>>(), countPads_);
        else if (dtype_ == DataType::BFloat16)
            averagePool(geometry_, context.inputs[0].as<const HalfElement<DataType::BFloat16>>(),
                        context.outputs[0].as<HalfElement<DataType::BFloat16>>(), countPads_);
        else
            averagePool(geometry_, context.inputs[0].as<const double>(), context.outputs[0].as<double>(), countPads_);
        return Status::ok();
    }

private:
    Window window_;
    PoolGeometry geometry_;
    DataType dtype_ = DataType::Float;
    bool countPads_ = false;
    int block_ = 0;  // the input's channel block (0: NCHW)
};

}  // namespace

std::unique_ptr<Kernel> makeMaxPoolKernel() { return std::make_unique<MaxPoolKernel>(); }
std::unique_ptr<Kernel> makeAveragePoolKernel() { return std::make_unique<AveragePoolKernel>(); }

}  // namespace interstage::cpu::nn
