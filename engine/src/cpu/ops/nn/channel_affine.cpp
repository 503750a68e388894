#include "cpu/ops/nn/channel_affine.h"

#include <algorithm>

#include "cpu/parallel.h"

namespace interstage::cpu::nn {

namespace {

// The activations as functors, so the common ones (none, Relu) compile to
// a vector max in the inner loop instead of a switch per element.
struct Identity {
    float operator()(float v) const { return v; }
};
struct Relu {
    float operator()(float v) const { return std::max(v, 0.f); }
};
struct Generic {
    Activation a;
    float operator()(float v) const { return activate(a, v); }
};

template <class Act>
void affinePlain(const float* x, float* y, const float* scale, const float* shift, const ChannelAffineShape& s,
                 Act act) {
    const int64_t planes = s.images * s.channels, planeSize = s.planeSize, channels = s.channels;
#pragma omp parallel for schedule(static) if (planes * planeSize > kParallelWork)
    for (int64_t p = 0; p < planes; ++p) {
        const float a = scale[p % channels], b = shift[p % channels];
        const float* src = x + p * planeSize;
        float* dst = y + p * planeSize;
        for (int64_t i = 0; i < planeSize; ++i) dst[i] = act(src[i] * a + b);
    }
}

// Lane k of block b is channel b * Block + k: the lanes' scales are one
// vector, loaded once per block.
template <int Block, class Act>
void affineBlocked(const float* x, float* y, const float* scale, const float* shift, const ChannelAffineShape& s,
                   Act act) {
    const int64_t perImage = s.channels / Block, blocks = s.images * perImage, planeSize = s.planeSize;
#pragma omp parallel for schedule(static) if (blocks * planeSize * Block > kParallelWork)
    for (int64_t b = 0; b < blocks; ++b) {
        float a[Block], c[Block];
        const int64_t first = (b % perImage) * Block;
        for (int k = 0; k < Block; ++k) a[k] = scale[first + k], c[k] = shift[first + k];
        const float* src = x + b * planeSize * Block;
        float* dst = y + b * planeSize * Block;
        for (int64_t i = 0; i < planeSize; ++i)
            for (int k = 0; k < Block; ++k) dst[i * Block + k] = act(src[i * Block + k] * a[k] + c[k]);
    }
}

template <class Act>
void affine(const float* x, float* y, const float* scale, const float* shift, const ChannelAffineShape& s, Act act) {
    if (s.block == 16)
        affineBlocked<16>(x, y, scale, shift, s, act);
    else if (s.block == 8)
        affineBlocked<8>(x, y, scale, shift, s, act);
    else if (s.block == 4)
        affineBlocked<4>(x, y, scale, shift, s, act);
    else
        affinePlain(x, y, scale, shift, s, act);
}

}  // namespace

void channelAffine(const float* x, float* y, const float* scale, const float* shift, const ChannelAffineShape& shape,
                   const Activation& activation) {
    switch (activation.kind) {
        case Activation::Kind::None:
            return affine(x, y, scale, shift, shape, Identity{});
        case Activation::Kind::Relu:
            return affine(x, y, scale, shift, shape, Relu{});
        default:
            return affine(x, y, scale, shift, shape, Generic{activation});
    }
}

}  // namespace interstage::cpu::nn
