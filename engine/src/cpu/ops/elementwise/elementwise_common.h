// Helpers shared by the elementwise family: dtype dispatch to C++ types,
// float16 storage, axis and attribute reading, and the row loop that
// applies a fused activation.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "cpu/activation.h"
#include "cpu/kernel.h"

namespace interstage::cpu::ew {

// Below this many elements a loop runs on one thread: waking the OpenMP team
// costs more than the work.
constexpr int64_t kParallelGrain = 32768;

// ---- float16 as stored in tensors; arithmetic happens in float.
struct Half {
    uint16_t bits;
};

inline float halfToFloat(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {  // subnormal: renormalize into a float exponent
            uint32_t e = 113;
            while (!(mantissa & 0x400u)) {
                mantissa <<= 1;
                --e;
            }
            bits = sign | (e << 23) | ((mantissa & 0x3ffu) << 13);
        }
    } else if (exponent == 31) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    }
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

inline uint16_t floatToHalf(float f) {
    uint32_t x;
    std::memcpy(&x, &f, sizeof x);
    const auto sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
    const uint32_t absx = x & 0x7fffffffu;
    if (absx >= 0x7f800000u) return static_cast<uint16_t>(sign | 0x7c00u | (absx > 0x7f800000u ? 0x200u : 0u));
    if (absx >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds past 65504
    if (absx < 0x38800000u) {
        // Below the smallest normal half: scaling by 2^24 is exact in float
        // and nearbyint rounds to nearest even as the hardware would.
        float a;
        std::memcpy(&a, &absx, sizeof a);
        return static_cast<uint16_t>(sign | static_cast<uint32_t>(std::nearbyint(a * 16777216.0f)));
    }
    uint32_t h = (((absx >> 23) - 112) << 10) | ((absx & 0x7fffffu) >> 13);
    const uint32_t rest = absx & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
    return static_cast<uint16_t>(sign | h);
}

// The type arithmetic happens in for a storage type (float for Half).
template <class T>
struct ComputeOf {
    using type = T;
};
template <>
struct ComputeOf<Half> {
    using type = float;
};
template <class T>
using Compute = typename ComputeOf<T>::type;

template <class T>
inline Compute<T> load(T v) {
    if constexpr (std::is_same_v<T, Half>) return halfToFloat(v.bits);
    else return v;
}
template <class T>
inline T store(Compute<T> v) {
    if constexpr (std::is_same_v<T, Half>) return Half{floatToHalf(v)};
    else return static_cast<T>(v);
}

template <class T>
constexpr bool isFloatLike = std::is_floating_point_v<T> || std::is_same_v<T, Half>;

// ---- dtype -> C++ type dispatch. Bool tensors hold one byte per element.
template <class T>
struct Tag {
    using type = T;
};

enum TypeSet : unsigned {
    kFloats = 1,         // float, double, float16
    kSignedInts = 2,     // int8 .. int64
    kUnsignedInts = 4,   // uint8 .. uint64
    kBool = 8,           // as uint8_t
    kInts = kSignedInts | kUnsignedInts,
    kNumeric = kFloats | kInts,
};

// Calls f(Tag<T>{}) with the C++ type of `type` when it belongs to Set and
// returns true; returns false (f not called) otherwise.
template <unsigned Set, class F>
bool dispatchType(DataType type, F&& f) {
    switch (type) {
        case DataType::Float:
            if constexpr ((Set & kFloats) != 0) { f(Tag<float>{}); return true; }
            break;
        case DataType::Double:
            if constexpr ((Set & kFloats) != 0) { f(Tag<double>{}); return true; }
            break;
        case DataType::Float16:
            if constexpr ((Set & kFloats) != 0) { f(Tag<Half>{}); return true; }
            break;
        case DataType::Int8:
            if constexpr ((Set & kSignedInts) != 0) { f(Tag<int8_t>{}); return true; }
            break;
        case DataType::Int16:
            if constexpr ((Set & kSignedInts) != 0) { f(Tag<int16_t>{}); return true; }
            break;
        case DataType::Int32:
            if constexpr ((Set & kSignedInts) != 0) { f(Tag<int32_t>{}); return true; }
            break;
        case DataType::Int64:
            if constexpr ((Set & kSignedInts) != 0) { f(Tag<int64_t>{}); return true; }
            break;
        case DataType::UInt8:
            if constexpr ((Set & kUnsignedInts) != 0) { f(Tag<uint8_t>{}); return true; }
            break;
        case DataType::UInt16:
            if constexpr ((Set & kUnsignedInts) != 0) { f(Tag<uint16_t>{}); return true; }
            break;
        case DataType::UInt32:
            if constexpr ((Set & kUnsignedInts) != 0) { f(Tag<uint32_t>{}); return true; }
            break;
        case DataType::UInt64:
            if constexpr ((Set & kUnsignedInts) != 0) { f(Tag<uint64_t>{}); return true; }
            break;
        case DataType::Bool:
            if constexpr ((Set & kBool) != 0) { f(Tag<uint8_t>{}); return true; }
            break;
        default: break;
    }
    return false;
}

// "the float16 input of Foo is not supported" style text.
inline std::string dtypeRefusal(DataType type, const char* what = "input") {
    return std::string(what) + " type " + dataTypeName(type) + " is not supported";
}

// ---- axes
// Maps a possibly negative axis into [0, rank); false when out of range.
inline bool normalizeAxis(int64_t axis, int64_t rank, int64_t& out) {
    if (axis < -rank || axis >= rank) return false;
    out = axis < 0 ? axis + rank : axis;
    return true;
}

// Reads an int32 / int64 tensor (rank 0 or 1) into values.
inline bool readIntValues(DataType dtype, const void* data, int64_t count, std::vector<int64_t>& values) {
    values.clear();
    if (!data && count > 0) return false;
    if (dtype == DataType::Int64) {
        const auto* p = static_cast<const int64_t*>(data);
        values.assign(p, p + count);
    } else if (dtype == DataType::Int32) {
        const auto* p = static_cast<const int32_t*>(data);
        values.assign(p, p + count);
    } else {
        return false;
    }
    return true;
}
inline bool readIntValues(const TensorData& t, std::vector<int64_t>& values) {
    return readIntValues(t.dtype, t.bytes.data(), t.elementCount(), values);
}
inline bool readIntValues(const TensorView& v, std::vector<int64_t>& values) {
    return readIntValues(v.dtype, v.data, v.count(), values);
}

// Product of dims [from, to).
inline int64_t dimProduct(const Shape& shape, size_t from, size_t to) {
    int64_t p = 1;
    for (size_t i = from; i < to && i < shape.size(); ++i) p *= shape[i];
    return p;
}

// ---- fused activation over one row, with the switch hoisted out of the loop.
inline void activateRow(const Activation& a, float* data, int64_t n) {
    switch (a.kind) {
        case Activation::Kind::None: return;
        case Activation::Kind::Relu:
            for (int64_t i = 0; i < n; ++i) data[i] = data[i] > 0.f ? data[i] : 0.f;
            return;
        case Activation::Kind::Clip: {
            const float lo = a.alpha, hi = a.beta;
            for (int64_t i = 0; i < n; ++i) data[i] = std::min(std::max(data[i], lo), hi);
            return;
        }
        case Activation::Kind::LeakyRelu: {
            const float alpha = a.alpha;
            for (int64_t i = 0; i < n; ++i) data[i] = data[i] >= 0.f ? data[i] : alpha * data[i];
            return;
        }
        case Activation::Kind::HardSwish:
            for (int64_t i = 0; i < n; ++i)
                data[i] = data[i] * std::min(1.f, std::max(0.f, data[i] * (1.f / 6.f) + 0.5f));
            return;
        default:
            for (int64_t i = 0; i < n; ++i) data[i] = activate(a, data[i]);
            return;
    }
}

// True when the node carries a fused activation the kernel must apply.
inline bool hasFusedActivation(const Node& node) { return fusedActivation(node).active(); }

// ---- parallel loop over [0, n) in contiguous blocks, one block per thread.
template <class Fn>
void parallelBlocks(int64_t n, int64_t work, Fn&& fn) {
    if (n <= 0) return;
    if (work < kParallelGrain || omp_get_max_threads() == 1 || n == 1) {
        fn(int64_t(0), n);
        return;
    }
#pragma omp parallel
    {
        const int64_t threads = omp_get_num_threads();
        const int64_t t = omp_get_thread_num();
        const int64_t begin = n * t / threads, end = n * (t + 1) / threads;
        if (begin < end) fn(begin, end);
    }
}

}  // namespace interstage::cpu::ew
