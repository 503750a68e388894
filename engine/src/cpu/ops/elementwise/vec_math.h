// Vectorized float math for the transcendental kernels (Sigmoid, Tanh, Exp,
// Erf, Softmax): GCC vector extensions, sixteen lanes, Cephes-style range
// reduction and polynomials (rational for tanh) a few ulp from libm, far
// inside the engine's 1e-3 relative tolerance.
//
// Why not plain loops: libm calls never vectorize, and under the default
// -ftrapping-math GCC refuses to if-convert a clamp followed by arithmetic,
// so even a hand-written polynomial stays scalar. Vector types make the
// selects explicit. Functions that use them are compiled three times through
// EW_VECTOR_CLONES (AVX-512, AVX2+FMA and the x86-64 baseline), picked at
// load time.
#pragma once

#include <cstdint>
#include <cstring>

// Vectors passed between always-inline helpers never cross an ABI boundary;
// GCC warns about the ABI anyway (for the whole including file).
#pragma GCC diagnostic ignored "-Wpsabi"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define EW_VECTOR_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"), optimize("fp-contract=fast")))
#else
#define EW_VECTOR_CLONES
#endif
#define EW_INLINE inline __attribute__((always_inline))

namespace interstage::cpu::ew {

// Sixteen lanes: one AVX-512 register, two AVX2 or four SSE registers.
using VecF = float __attribute__((vector_size(64)));
using VecI = int32_t __attribute__((vector_size(64)));
constexpr int64_t kLanes = 16;

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

// tanh(x) as a 13/6 rational function of x (Eigen's float tanh: within a
// few ulp, one division, no exp). tanh(7.905) rounds to 1 in float.
EW_INLINE VecF vtanh(const VecF& x) {
    const VecF c = vmin(vmax(x, splat(-7.90531110763549805f)), splat(7.90531110763549805f));
    const VecF z = c * c;
    VecF p = splat(-2.76076847742355e-16f);
    p = p * z + 2.00018790482477e-13f;
    p = p * z - 8.60467152213735e-11f;
    p = p * z + 5.12229709037114e-08f;
    p = p * z + 1.48572235717979e-05f;
    p = p * z + 6.37261928875436e-04f;
    p = p * z + 4.89352455891786e-03f;
    VecF q = splat(1.19825839466702e-06f);
    q = q * z + 1.18534705686654e-04f;
    q = q * z + 2.26843463243900e-03f;
    q = q * z + 4.89352518554385e-03f;
    // Tiny |x|: tanh(x) == x in float, and the quotient would lose it.
    return vabs(x) < 0.0004f ? x : p * c / q;
}

// erf(x) as a 13/8 rational function of x (Eigen's float erf: within a
// few ulp; erf(4) rounds to 1 in float).
EW_INLINE VecF verf(const VecF& x) {
    const VecF c = vmin(vmax(x, splat(-4.f)), splat(4.f));
    const VecF z = c * c;
    VecF p = splat(-2.72614225801306e-10f);
    p = p * z + 2.77068142495902e-08f;
    p = p * z - 2.10102402082508e-06f;
    p = p * z - 5.69250639462346e-05f;
    p = p * z - 7.34990630326855e-04f;
    p = p * z - 2.95459980854025e-03f;
    p = p * z - 1.60960333262415e-02f;
    VecF q = splat(-1.45660718464996e-05f);
    q = q * z - 2.13374055278905e-04f;
    q = q * z - 1.68282697438203e-03f;
    q = q * z - 7.37332916720468e-03f;
    q = q * z - 1.42647390514189e-02f;
    return p * c / q;
}

}  // namespace interstage::cpu::ew

// Defines `void name(const float* in, float* out, int64_t n, float alpha,
// float beta, float gamma)` computing out[i] = expr with `x` bound to in[i]
// as a VecF (expr may use the three parameters): whole vectors, then the
// tail through a zero-padded vector; in and out may be the same buffer.
// A macro rather than a template taking a lambda: a lambda on vectors is a
// function with a vector ABI of its own, which GCC compiles and warns about.
#define EW_DEFINE_VEC_MAP(name, expr)                                                                          \
    EW_VECTOR_CLONES void name(const float* in, float* out, int64_t n, float alpha, float beta, float gamma) { \
        using namespace ::interstage::cpu::ew;                                                                 \
        (void)alpha, (void)beta, (void)gamma;                                                                  \
        int64_t i = 0;                                                                                         \
        for (; i + kLanes <= n; i += kLanes) {                                                                 \
            const VecF x = loadVec(in + i);                                                                    \
            storeVec(out + i, (expr));                                                                         \
        }                                                                                                      \
        if (i < n) {                                                                                           \
            float tail[kLanes] = {};                                                                           \
            std::memcpy(tail, in + i, sizeof(float) * static_cast<size_t>(n - i));                             \
            const VecF x = loadVec(tail);                                                                      \
            storeVec(tail, (expr));                                                                            \
            std::memcpy(out + i, tail, sizeof(float) * static_cast<size_t>(n - i));                            \
        }                                                                                                      \
    }
