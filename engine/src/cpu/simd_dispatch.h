// Picking the widest build of a hot loop the CPU can run. Kernels compile
// their inner loops three times (AVX-512, AVX2+FMA, baseline) and choose
// once, here, so every kernel agrees on what the machine supports.
#pragma once

// ISO C++ mode turns off FMA contraction in GCC; hot loops turn it back on.
// Clang contracts within expressions by default and has no such attribute.
#if defined(__GNUC__) && !defined(__clang__)
#define IS_FP_CONTRACT_FAST __attribute__((optimize("fp-contract=fast")))
#else
#define IS_FP_CONTRACT_FAST
#endif

namespace interstage::cpu {

enum class SimdLevel { Avx512, Avx2, Baseline };

inline SimdLevel simdLevel() {
    static const SimdLevel level = [] {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
            __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
            return SimdLevel::Avx512;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdLevel::Avx2;
        return SimdLevel::Baseline;
    }();
    return level;
}

template <class Function>
Function pickBySimd(Function avx512, Function avx2, Function baseline) {
    switch (simdLevel()) {
        case SimdLevel::Avx512:
            return avx512;
        case SimdLevel::Avx2:
            return avx2;
        case SimdLevel::Baseline:
            break;
    }
    return baseline;
}

}  // namespace interstage::cpu
