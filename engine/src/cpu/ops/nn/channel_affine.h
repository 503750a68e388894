// y = activation(x * scale[c] + shift[c]) for each channel c: inference
// BatchNormalization with the activation layer fusion gave it, in one pass
// over NCHW or channel-blocked (nChw{block}c) tensors. DenseNet's
// pre-activation units (BatchNorm -> Relu -> Conv on a growing Concat) are
// the case: one read and one write of the Concat instead of two of each,
// and in the Conv's blocked layout, so the Conv reads it without a reorder.
#pragma once

#include <cstdint>

#include "cpu/activation.h"

namespace interstage::cpu::nn {

struct ChannelAffineShape {
    int64_t images = 0;
    int64_t channels = 0;
    int64_t planeSize = 0;  // elements per (image, channel)
    int block = 0;          // the tensor's channel block; 0: NCHW
};

// x and y do not overlap. Threads: OpenMP inside; the loops are
// built for AVX-512, AVX2 and baseline (cpu/simd_dispatch.h).
void channelAffine(const float* x, float* y, const float* scale, const float* shift, const ChannelAffineShape& shape,
                   const Activation& activation);

}  // namespace interstage::cpu::nn
