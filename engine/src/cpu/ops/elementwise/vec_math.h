// Vectorized float math for the exp-heavy kernels (Sigmoid, Tanh, Exp,
// Erf, Softmax): GCC vector extensions, eight lanes, Cephes-style range
// reduction and polynomials a few ulp from libm, far inside the engine's
// 1e-3 relative tolerance.
//
// Why not plain loops: libm calls never vectorize, and under the default
// -ftrapping-math GCC refuses to if-convert a clamp followed by arithmetic,
// so even a hand-written polynomial stays scalar. Vector types make the
// selects explicit. Functions that use them are compiled twice through
// EW_VECTOR_CLONES (AVX2+FMA and the x86-64 baseline), picked at load time.
#pragma once

#include <cstdint>
#include <cstring>

// 32-byte vectors passed between always-inline helpers never cross an ABI
// boundary; GCC warns about the ABI anyway (for the whole including file,
// whose lambdas take vectors too).

#pragma GCC diagnostic ignored "-Wpsabi"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define EW_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define EW_VECTOR_CLONES
#endif
#define EW_INLINE inline __attribute__((always_inline))

namespace interstage::cpu::ew {

using VecF = float __attribute__((vector_size(32)));
using VecI = int32_t __attribute__((vector_size(32)));
constexpr int64_t kLanes = 8;

EW_INLINE VecF splat(float v) { return VecF{} + v; }
EW_INLINE VecF vmin(const VecF& a, const VecF& b) { return b < a ? b : a; }
EW_INLINE VecF vmax(const VecF& a, const VecF& b) { return a < b ? b : a; }
EW_INLINE VecF vabs(const VecF& a) { return reinterpret_cast<VecF>(reinterpret_cast<VecI>(a) & 0x7fffffff); }
EW_INLINE VecF vcopysign(const VecF& magnitude, const VecF& sign) {
    const VecI bits = (reinterpret_cast<VecI>(magnitude) & 0x7fffffff) |
                      (reinterpret_cast<VecI>(sign) & static_cast<int32_t>(0x80000000u));
    return reinterpret_cast<VecF>(bits);
}
EW_INLINE VecF loadVec(const float* p) {
    VecF v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
EW_INLINE void storeVec(float* p, const VecF& v) { std::memcpy(p, &v, sizeof v); }

// exp(x): below -87.3 flushes to 0, above 88.72 gives +inf, NaN stays NaN.
EW_INLINE VecF vexp(const VecF& x) {
    const VecF c = vmin(vmax(x, splat(-87.3f)), splat(88.8f));
    // n = round(x / ln 2) by the 1.5 * 2^23 trick (no SSE4.1 rounding needed).
    const VecF n = (c * 1.44269504088896341f + 12582912.f) - 12582912.f;
    VecF r = c - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    VecF p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.f;
    // 2^n as 2^(n-1) * 2: n = 128 overflows to inf in the multiply rather
    // than in the exponent bits; n = -126 gives a zero scale.
    const VecI bits = (__builtin_convertvector(n, VecI) + 126) << 23;
    return p * reinterpret_cast<VecF>(bits) * 2.f;
}

EW_INLINE VecF vsigmoid(const VecF& x) { return 1.f / (1.f + vexp(-x)); }

EW_INLINE VecF vtanh(const VecF& x) {
    const VecF c = vmin(vmax(x, splat(-9.f)), splat(9.f));  // tanh(9) == 1 in float
    const VecF ax = vabs(c);
    // Small |x|: odd polynomial (1 - 2/(e^2x + 1) cancels badly near 0).
    const VecF z = c * c;
    VecF p = splat(-5.70498872745e-3f);
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    const VecF small = p * z * c + c;
    const VecF large = vcopysign(1.f - 2.f / (vexp(2.f * ax) + 1.f), c);
    return ax < 0.625f ? small : large;
}

// erf(x), Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
EW_INLINE VecF verf(const VecF& x) {
    const VecF ax = vmin(vabs(x), splat(6.f));
    const VecF t = 1.f / (1.f + 0.3275911f * ax);
    VecF p = splat(1.061405429f);
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    const VecF y = 1.f - p * t * vexp(-ax * ax);
    return vcopysign(y, x);
}

}  // namespace interstage::cpu::ew



// Defines `void name(const float* in, float* out, int64_t n, float alpha,
// float beta, float gamma)` computing out[i] = expr with `x` bound to in[i]
// as a VecF (expr may use the three parameters): whole vectors, then the
// tail through a zero-padded vector; in and out may be the same buffer.
// A macro rather than a template taking a lambda: a lambda on vectors is a
// function with a vector ABI of its own, which GCC compiles and warns about.
#define EW_DEFINE_VEC_MAP(name, expr)                                                       \
    EW_VECTOR_CLONES void name(const float* in, float* out, int64_t n, float alpha, float beta, \
                               float gamma) {                                                  \
        using namespace ::interstage::cpu::ew;                                                 \
        (void)alpha, (void)beta, (void)gamma;                                                  \
        int64_t i = 0;                                                                         \
        for (; i + kLanes <= n; i += kLanes) {                                                 \
            const VecF x = loadVec(in + i);                                                    \
            storeVec(out + i, (expr));                                                         \
        }                                                                                      \
        if (i < n) {                                                                           \
            float tail[kLanes] = {};                                                           \
            std::memcpy(tail, in + i, sizeof(float) * static_cast<size_t>(n - i));             \
            const VecF x = loadVec(tail);                                                      \
            storeVec(tail, (expr));                                                            \
            std::memcpy(out + i, tail, sizeof(float) * static_cast<size_t>(n - i));            \
        }                                                                                      \
    }
