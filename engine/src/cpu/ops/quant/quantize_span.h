// The hot loop of QuantizeLinear and DynamicQuantizeLinear: a span of
// floats with one scale and zero point, y = saturate(round_half_even(x /
// scale) + zero_point), 16 at a time with AVX-512 where the CPU has it.
// The same division and rounding as the scalar saturateRound(), so both
// give the same bytes.
#pragma once

#include <cstdint>

namespace interstage::cpu::quant {

void quantizeSpan(const float* x, int64_t n, float scale, float zeroPoint, uint8_t* y);
void quantizeSpan(const float* x, int64_t n, float scale, float zeroPoint, int8_t* y);
// lo = min(lo, x...), hi = max(hi, x...) over the span (DynamicQuantizeLinear's range).
void extendRange(const float* x, int64_t n, float& lo, float& hi);

}  // namespace interstage::cpu::quant
