// NCHW <-> channels blocked innermost (nChw16c / nChw8c), for reading
// tensors the CPU backend stores blocked (Value::channelBlock). The channel
// count is a multiple of the block, so both hold the same elements.
#pragma once

#include "interstage/shape.h"

namespace interstage {

// shape is the logical {N, C, H, W}.
void unblockChannels(const float* blocked, const Shape& shape, int block, float* plain);
void blockChannels(const float* plain, const Shape& shape, int block, float* blocked);

}  // namespace interstage
