// Picking the widest build of a hot loop the CPU can run. Kernels compile
// their inner loops three times (AVX-512, AVX2+FMA, baseline) and choose
// once, here, so every kernel agrees on what the machine supports.
#pragma once

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
        case SimdLevel::Avx512: return avx512;
        case SimdLevel::Avx2: return avx2;
        case SimdLevel::Baseline: break;
    }
    return baseline;
}

}  // namespace interstage::cpu
