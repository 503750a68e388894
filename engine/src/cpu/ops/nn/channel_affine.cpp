#include "cpu/ops/nn/channel_affine.h"

#include <algorithm>
#include <cstring>

#include "cpu/parallel.h"
#include "cpu/simd_dispatch.h"

namespace interstage::cpu::nn {

namespace {

// One run of `count` elements of one channel (NCHW), or `count` vectors of
// Block lanes (blocked: lane k is channel first + k). Relu is fused into
// the loop; the other activations follow over the run while it is in
// cache (channelAffine, activateRow).
enum class Act { None, Relu };

template <Act A>
[[gnu::always_inline]] inline float apply(float v) {
    if constexpr (A == Act::None) return v;
    return v < 0.f ? 0.f : v;  // as std::max(v, 0): NaN stays; a vector select
}

// Block floats as one vector (GCC's vector extension), so the per-lane
// scale and shift stay in one register across the plane.
template <int Block>
using Lanes [[gnu::vector_size(Block * sizeof(float))]] = float;

template <int Block, Act A>
[[gnu::always_inline]] inline void runBody(const float* __restrict x, float* __restrict y, const float* scale,
                                           const float* shift, int64_t count) {
    if constexpr (Block == 1) {
        for (int64_t i = 0; i < count; ++i) y[i] = apply<A>(x[i] * scale[0] + shift[0]);
    } else {
        using V = Lanes<Block>;
        V a, c;
        std::memcpy(&a, scale, sizeof(V));
        std::memcpy(&c, shift, sizeof(V));
        const V zero{};
        for (int64_t i = 0; i < count; ++i) {
            V v;
            std::memcpy(&v, x + i * Block, sizeof(V));
            v = v * a + c;
            if constexpr (A == Act::Relu) v = v < zero ? zero : v;
            std::memcpy(y + i * Block, &v, sizeof(V));
        }
    }
}

using RunFunction = void (*)(const float*, float*, const float*, const float*, int64_t);

template <int Block, Act A>
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))) IS_FP_CONTRACT_FAST void runAvx512(
    const float* x, float* y, const float* scale, const float* shift, int64_t count) {
    runBody<Block, A>(x, y, scale, shift, count);
}
template <int Block, Act A>
__attribute__((target("avx2,fma"))) IS_FP_CONTRACT_FAST void runAvx2(const float* x, float* y, const float* scale,
                                                                     const float* shift, int64_t count) {
    runBody<Block, A>(x, y, scale, shift, count);
}
template <int Block, Act A>
void runBaseline(const float* x, float* y, const float* scale, const float* shift, int64_t count) {
    runBody<Block, A>(x, y, scale, shift, count);
}

template <int Block, Act A>
RunFunction pick() {
    return pickBySimd<RunFunction>(&runAvx512<Block, A>, &runAvx2<Block, A>, &runBaseline<Block, A>);
}

template <int Block>
RunFunction pickFor(const Activation& a) {
    if (a.kind == Activation::Kind::None) return pick<Block, Act::None>();
    if (a.kind == Activation::Kind::Relu) return pick<Block, Act::Relu>();
    return pick<Block, Act::None>();  // channelAffine applies the rest after each run
}

RunFunction pickRun(int block, const Activation& a) {
    switch (block) {
        case 16:
            return pickFor<16>(a);
        case 8:
            return pickFor<8>(a);
        case 4:
            return pickFor<4>(a);
        default:
            return pickFor<1>(a);
    }
}

}  // namespace

void channelAffine(const float* x, float* y, const float* scale, const float* shift, const ChannelAffineShape& s,
                   const Activation& activation) {
    const RunFunction run = pickRun(s.block, activation);
    const bool activateAfter = activation.kind != Activation::Kind::None && activation.kind != Activation::Kind::Relu;
    // NCHW: one run per (image, channel) plane; blocked: one per (image,
    // channel block), Block lanes wide.
    const int64_t width = s.block > 0 ? s.block : 1;
    const int64_t perImage = s.channels / width, runs = s.images * perImage, planeSize = s.planeSize;
#pragma omp parallel for schedule(static) if (runs * planeSize * width > kParallelWork)
    for (int64_t r = 0; r < runs; ++r) {
        const int64_t first = (r % perImage) * width;
        float* out = y + r * planeSize * width;
        run(x + r * planeSize * width, out, scale + first, shift + first, planeSize);
        if (activateAfter) activateRow(activation, out, planeSize * width);
    }
}

}  // namespace interstage::cpu::nn
