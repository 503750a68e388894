// Vectorized with F16C where the CPU has it (checked once at run time, since
// the engine is built for baseline x86-64); bfloat16 is a shift either way.
#include "cpu/half_rows.h"

#include <cpuid.h>
#include <immintrin.h>

#include <cstring>

#include "core/half_float.h"

namespace interstage::cpu {

namespace {

// F16C from CPUID leaf 1 (ECX bit 29): clang's __builtin_cpu_supports
// does not know "f16c"; AVX2 through the builtin, which also checks that
// the OS saves the wide registers.
bool hasF16c() {
    static const bool has = [] {
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
        __builtin_cpu_init();
        return (ecx & bit_F16C) != 0 && __builtin_cpu_supports("avx2");
    }();
    return has;
}

__attribute__((target("avx2,f16c"))) int64_t widenHalfF16c(const uint16_t* src, float* dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
    }
    return i;
}

__attribute__((target("avx2,f16c"))) int64_t narrowHalfF16c(const float* src, uint16_t* dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), h);
    }
    return i;
}

}  // namespace

void widenRow(DataType from, const void* src, float* dst, int64_t n) {
    const auto* s = static_cast<const uint16_t*>(src);
    if (from == DataType::BFloat16) {
        for (int64_t i = 0; i < n; ++i) dst[i] = bfloatToFloat(s[i]);
        return;
    }
    const int64_t done = hasF16c() ? widenHalfF16c(s, dst, n) : 0;
    for (int64_t i = done; i < n; ++i) dst[i] = halfToFloat(s[i]);
}

void narrowRow(DataType to, const float* src, void* dst, int64_t n) {
    auto* d = static_cast<uint16_t*>(dst);
    if (to == DataType::BFloat16) {
        for (int64_t i = 0; i < n; ++i) d[i] = floatToBfloat(src[i]);
        return;
    }
    const int64_t done = hasF16c() ? narrowHalfF16c(src, d, n) : 0;
    for (int64_t i = done; i < n; ++i) d[i] = floatToHalf(src[i]);
}

TensorData widenedCopy(const TensorData& data) {
    TensorData out = TensorData::zeros(DataType::Float, data.shape);
    widenRow(data.dtype, data.bytes.data(), out.data<float>(), data.elementCount());
    return out;
}

}  // namespace interstage::cpu
