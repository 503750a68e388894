// What turns the raw int8 product of Int8Gemm into the ONNX result: the
// zero-point terms, from sums the callers gather, and (QLinear ops) the
// requantization to the output's scale and zero point.
//
// With a = A - za (per row) and b = B - zb (per column),
//   sum_k a*b = sum_k A*B - za * colSum(B) - zb * rowSum(A) + K * za * zb,
// so the GEMM runs on the stored bytes and never sees a zero point.
#pragma once

#include <cstdint>

#include "cpu/ops/quant/quant_math.h"

namespace interstage::cpu::quant {

// In int64, so that no intermediate term overflows; the result wraps to
// int32 as the int32 accumulation ONNX specifies would.
inline int32_t removeZeroPoints(int32_t raw, int32_t rowZero, int32_t columnZero, int32_t rowSum, int32_t columnSum,
                                int64_t k) {
    const int64_t v =
        int64_t{raw} - int64_t{rowZero} * columnSum - int64_t{columnZero} * rowSum + k * rowZero * columnZero;
    return static_cast<int32_t>(static_cast<uint32_t>(v));
}

// saturate(round(value * multiplier + zero_point)) in double, as the ONNX
// reference computes it (int32 times float scale products widens there).
// Rounds half to even by adding and subtracting 1.5 * 2^52, which the
// default rounding mode does exactly for |v| < 2^51 (v is clamped first):
// std::nearbyint is a libm call per element on the baseline x86-64 build.
template <class Q>
inline Q requantize(int32_t value, float multiplier, int32_t zeroPoint) {
    constexpr double lo = std::numeric_limits<Q>::lowest(), hi = std::numeric_limits<Q>::max();
    constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52
    double v = static_cast<double>(value) * static_cast<double>(multiplier) + zeroPoint;
    if (!(v == v)) return Q{0};  // a NaN from an infinite run-time scale
    v = v < lo ? lo : (v > hi ? hi : v);
    v = (v + kRound) - kRound;
    return static_cast<Q>(v);
}

}  // namespace interstage::cpu::quant
