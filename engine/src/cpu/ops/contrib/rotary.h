// Rotary position embedding of one head vector, shared by RotaryEmbedding
// and GroupQueryAttention's do_rotary. cos / sin are the cache rows of the
// token's position (rotaryDim / 2 values each). Non-interleaved rotates
// element i with i + rotaryDim / 2 (GPT-NeoX / Llama halves); interleaved
// rotates the pairs (2i, 2i + 1) (GPT-J). Elements past rotaryDim pass.
#pragma once

#include <cstdint>

namespace interstage::cpu::contrib {

inline void rotate(const float* in, float* out, int64_t headSize, int64_t rotaryDim, const float* cos, const float* sin,
                   bool interleaved) {
    const int64_t half = rotaryDim / 2;
    for (int64_t i = 0; i < half; ++i) {
        const int64_t a = interleaved ? 2 * i : i;
        const int64_t b = interleaved ? 2 * i + 1 : i + half;
        const float x = in[a], y = in[b];
        out[a] = x * cos[i] - y * sin[i];
        out[b] = y * cos[i] + x * sin[i];
    }
    for (int64_t i = rotaryDim; i < headSize; ++i) out[i] = in[i];
}

}  // namespace interstage::cpu::contrib
