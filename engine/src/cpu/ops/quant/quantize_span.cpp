#include "cpu/ops/quant/quantize_span.h"

// GCC 12's AVX-512 intrinsics read an undefined vector as their passthrough
// (_mm512_undefined_ps) and warn about it once inlined into a target
// function; the value is never used. CI builds with -Werror.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>

#include "cpu/ops/quant/quant_math.h"
#include "cpu/simd_dispatch.h"

namespace interstage::cpu::quant {

namespace {

template <class Q>
void quantizeBaseline(const float* x, int64_t n, float scale, float zeroPoint, Q* y) {
    for (int64_t i = 0; i < n; ++i) y[i] = saturateRound<Q>(std::nearbyint(x[i] / scale) + zeroPoint);
}

template <class Q>
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq"))) void quantizeAvx512(const float* x, int64_t n,
                                                                                  float scale, float zeroPoint, Q* y) {
    const __m512 s = _mm512_set1_ps(scale), z = _mm512_set1_ps(zeroPoint);
    const __m512 lo = _mm512_set1_ps(static_cast<float>(std::numeric_limits<Q>::lowest()));
    const __m512 hi = _mm512_set1_ps(static_cast<float>(std::numeric_limits<Q>::max()));
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_div_ps(_mm512_loadu_ps(x + i), s);
        v = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        v = _mm512_add_ps(v, z);
        // NaN -> 0 as in saturateRound(): min / max would pass it on.
        const __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
        v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);
        v = _mm512_mask_mov_ps(v, nan, _mm512_setzero_ps());
        const __m128i bytes = _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(v));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i), bytes);
    }
    quantizeBaseline(x + i, n - i, scale, zeroPoint, y + i);
}

template <class Q>
void quantizeAny(const float* x, int64_t n, float scale, float zeroPoint, Q* y) {
    using Fn = void (*)(const float*, int64_t, float, float, Q*);
    static const Fn fn = pickBySimd<Fn>(quantizeAvx512<Q>, quantizeBaseline<Q>, quantizeBaseline<Q>);
    fn(x, n, scale, zeroPoint, y);
}

void rangeBaseline(const float* x, int64_t n, float& lo, float& hi) {
    for (int64_t i = 0; i < n; ++i) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
    }
}

__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq"))) void rangeAvx512(const float* x, int64_t n, float& lo,
                                                                               float& hi) {
    __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512 v = _mm512_loadu_ps(x + i);
        vlo = _mm512_min_ps(v, vlo);
        vhi = _mm512_max_ps(v, vhi);
    }
    lo = _mm512_reduce_min_ps(vlo);
    hi = _mm512_reduce_max_ps(vhi);
    rangeBaseline(x + i, n - i, lo, hi);
}

}  // namespace

void extendRange(const float* x, int64_t n, float& lo, float& hi) {
    using Fn = void (*)(const float*, int64_t, float&, float&);
    static const Fn fn = pickBySimd<Fn>(rangeAvx512, rangeBaseline, rangeBaseline);
    fn(x, n, lo, hi);
}

void quantizeSpan(const float* x, int64_t n, float scale, float zeroPoint, uint8_t* y) {
    quantizeAny(x, n, scale, zeroPoint, y);
}

void quantizeSpan(const float* x, int64_t n, float scale, float zeroPoint, int8_t* y) {
    quantizeAny(x, n, scale, zeroPoint, y);
}

}  // namespace interstage::cpu::quant

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
