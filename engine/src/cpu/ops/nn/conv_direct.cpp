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
    if (g.stride == 1) interior<Rows, Taps, 1>(acc, in, rowCount, w, g);
    else if (g.stride == 2) interior<Rows, Taps, 2>(acc, in, rowCount, w, g);
    else interior<Rows, Taps, 0>(acc, in, rowCount, w, g);
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
            case 1: interiorByStride<1, 1>(acc, in + r, 1, w + r * g.taps, g); break;
            case 3: interiorByStride<1, 3>(acc, in + r, 1, w + r * g.taps, g); break;
            case 5: interiorByStride<1, 5>(acc, in + r, 1, w + r * g.taps, g); break;
            case 7: interiorByStride<1, 7>(acc, in + r, 1, w + r * g.taps, g); break;
            default: interiorByStride<1, 0>(acc, in + r, 1, w + r * g.taps, g); break;
        }
    }
}

using RowFunction = void (*)(float*, const float* const*, int64_t, const float*, const RowGeometry&);

// ISO C++ mode turns off FMA contraction; these loops want it.
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"), optimize("fp-contract=fast"))) void
accumulateRowsAvx512(float* acc, const float* const* in, int64_t rowCount, const float* w, const RowGeometry& g) {
    accumulateRowsBody(acc, in, rowCount, w, g);
}

__attribute__((target("avx2,fma"), optimize("fp-contract=fast"))) void
accumulateRowsAvx2(float* acc, const float* const* in, int64_t rowCount, const float* w, const RowGeometry& g) {
    accumulateRowsBody(acc, in, rowCount, w, g);
}

void accumulateRowsBaseline(float* acc, const float* const* in, int64_t rowCount, const float* w,
                            const RowGeometry& g) {
    accumulateRowsBody(acc, in, rowCount, w, g);
}

RowFunction pickRowFunction() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
        return &accumulateRowsAvx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &accumulateRowsAvx2;
    return &accumulateRowsBaseline;
}

}  // namespace

void activateRow(const Activation& a, float* row, int64_t n) {
    switch (a.kind) {
        case Activation::Kind::None: return;
        case Activation::Kind::Relu:
            for (int64_t i = 0; i < n; ++i) row[i] = row[i] > 0 ? row[i] : 0;
            return;
        case Activation::Kind::LeakyRelu:
            for (int64_t i = 0; i < n; ++i) row[i] = row[i] >= 0 ? row[i] : a.alpha * row[i];
            return;
        case Activation::Kind::Clip:
            for (int64_t i = 0; i < n; ++i) row[i] = std::min(std::max(row[i], a.alpha), a.beta);
            return;
        default:
            for (int64_t i = 0; i < n; ++i) row[i] = activate(a, row[i]);
            return;
    }
}

namespace {

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
        // Constant weights and bias are copied so the graph's copy can go.
        if (spec.constantWeights) {
            const float* w = spec.constantWeights->data<float>();
            weights_.assign(w, w + spec.constantWeights->elementCount());
        }
        if (spec.constantBias) {
            const float* b = spec.constantBias->data<float>();
            bias_.assign(b, b + spec.constantBias->elementCount());
        }
        packedBytes = (weights_.size() + bias_.size()) * sizeof(float);
    }

    Status run(RunContext& context) override {
        const float* x = context.inputs[0].as<const float>();
        const float* w = weights_.empty() ? context.inputs[1].as<const float>() : weights_.data();
        const float* bias = !hasBias_ ? nullptr : bias_.empty() ? context.inputs[2].as<const float>() : bias_.data();
        float* y = context.outputs[0].as<float>();
        const int64_t planes = batch_ * outChannels_, rows = outHeight_, outWidth = row_.outWidth;
        const int64_t kernelWidth = row_.taps, kernelArea = kernelHeight_ * kernelWidth;
        const int64_t work = planes * rows * outWidth * inPerGroup_ * kernelArea;
#pragma omp parallel for collapse(2) schedule(static) if (work > 65536)
        for (int64_t plane = 0; plane < planes; ++plane) {
            for (int64_t oh = 0; oh < rows; ++oh) {
                const int64_t n = plane / outChannels_, o = plane % outChannels_;
                const int64_t firstInput = (o / outPerGroup_) * inPerGroup_;
                float* dst = y + (plane * rows + oh) * outWidth;
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

std::unique_ptr<ConvPath> makeDirectConv(const ConvSpec& spec) {
    if (spec.spatial() > 2) return nullptr;
    // Measured against oneDNN plus its reorders (PP-OCRv4, U^2-Net-P, one
    // thread): depthwise 3x3 on rows of 64+ outputs runs 1.0-2.4x faster
    // here; 5x5 kernels and short rows are faster in oneDNN's jit_dw. One
    // output channel from 64: 2.4-5x faster here at 40x40 and up.
    const bool depthwise = spec.w[1] == 1 && spec.group == spec.x[1] && spec.w[2] <= 3 && spec.w.back() <= 3 &&
                           spec.y.back() >= 64;
    const bool fewOutputs = spec.group == 1 && spec.w[0] <= 4;
    if (!depthwise && !fewOutputs) return nullptr;
    return std::make_unique<DirectConv>(spec);
}

}  // namespace interstage::cpu::nn
