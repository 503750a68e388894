// The arithmetic every quantized op shares, as ONNX defines it: rounding
// half to even, saturation to the integer type, and how one scale / zero
// point spreads over a tensor (per tensor, per axis, per block).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "interstage/graph.h"

namespace interstage::cpu::quant {

// Rounds half to even (2.5 -> 2, 3.5 -> 4) under the default FP rounding
// mode, then clamps to Q's range; NaN becomes 0 (no defined answer, and a
// cast of NaN to an integer is undefined behaviour).
template <class Q>
inline Q saturateRound(float v) {
    constexpr float lo = static_cast<float>(std::numeric_limits<Q>::lowest());
    constexpr float hi = static_cast<float>(std::numeric_limits<Q>::max());
    float r = std::nearbyint(v);
    if (!(r >= lo)) return r != r ? Q{0} : std::numeric_limits<Q>::lowest();
    if (r > hi) return std::numeric_limits<Q>::max();
    return static_cast<Q>(r);
}

// The data tensor seen as [outer, axis, inner]; parameter p of element
// (o, a, i) is (o * blocks + a / block) * inner + i for blocked params,
// a for per-axis ones and 0 for per-tensor ones.
struct ParamLayout {
    int64_t outer = 1, axis = 1, inner = 1;
    int64_t block = 0;  // > 0: blocked (block_size)
    bool perTensor = true;

    int64_t blocks() const { return (axis + block - 1) / block; }
};

// From the data's shape, the scale's shape and the node's axis / block_size
// attributes (the shape rule has checked they agree).
ParamLayout paramLayout(const Shape& data, const Shape& scale, int64_t axis, int64_t blockSize);

}  // namespace interstage::cpu::quant
