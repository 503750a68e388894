// Helpers shared by the elementwise family: dtype dispatch to C++ types,
// compute types (float for float16 storage), axis reading, the row loop
// that applies a fused activation, and the parallel block loop.
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
#include "cpu/ops/elementwise/float16.h"

namespace interstage::cpu::ew {

// Below this many elements a loop runs on one thread: waking the OpenMP team
// costs more than the work.
constexpr int64_t kParallelGrain = 32768;

// The type arithmetic happens in for a storage type (float for Half).
template <class T>
struct ComputeOf {
    using type = T;
};
template <>
struct ComputeOf<Half> {
    using type = float;
};
template <>
struct ComputeOf<BHalf> {
    using type = float;
};
template <class T>
using Compute = typename ComputeOf<T>::type;
// float16 or bfloat16 storage (computed in float).
template <class T>
constexpr bool kHalfStorage = std::is_same_v<T, Half> || std::is_same_v<T, BHalf>;

template <class T>
inline Compute<T> load(T v) {
    if constexpr (std::is_same_v<T, Half>)
        return halfToFloat(v.bits);
    else if constexpr (std::is_same_v<T, BHalf>)
        return bfloatToFloat(v.bits);
    else
        return v;
}
template <class T>
inline T store(Compute<T> v) {
    if constexpr (std::is_same_v<T, Half>)
        return Half{floatToHalf(v)};
    else if constexpr (std::is_same_v<T, BHalf>)
        return BHalf{floatToBfloat(v)};
    else
        return static_cast<T>(v);
}

// ---- dtype -> C++ type dispatch. Bool tensors hold one byte per element.
template <class T>
struct Tag {
    using type = T;
};

enum TypeSet : unsigned {
    kFloats = 1,        // float, double, float16, bfloat16
    kSignedInts = 2,    // int8 .. int64
    kUnsignedInts = 4,  // uint8 .. uint64
    kBool = 8,          // as uint8_t
    kInts = kSignedInts | kUnsignedInts,
    kNumeric = kFloats | kInts,
};

// Calls f(Tag<T>{}) with the C++ type of `type` when it belongs to Set and
// returns true; returns false (f not called) otherwise.
template <unsigned Set, class F>
bool dispatchType(DataType type, F&& f) {
    switch (type) {
        case DataType::Float:
            if constexpr ((Set & kFloats) != 0) {
                f(Tag<float>{});
                return true;
            }
            break;
        case DataType::Double:
            if constexpr ((Set & kFloats) != 0) {
                f(Tag<double>{});
                return true;
            }
            break;
        case DataType::Float16:
            if constexpr ((Set & kFloats) != 0) {
                f(Tag<Half>{});
                return true;
            }
            break;
        case DataType::BFloat16:
            if constexpr ((Set & kFloats) != 0) {
                f(Tag<BHalf>{});
                return true;
            }
            break;
        case DataType::Int8:
            if constexpr ((Set & kSignedInts) != 0) {
                f(Tag<int8_t>{});
                return true;
            }
            break;
        case DataType::Int16:
            if constexpr ((Set & kSignedInts) != 0) {
                f(Tag<int16_t>{});
                return true;
            }
            break;
        case DataType::Int32:
            if constexpr ((Set & kSignedInts) != 0) {
                f(Tag<int32_t>{});
                return true;
            }
            break;
        case DataType::Int64:
            if constexpr ((Set & kSignedInts) != 0) {
                f(Tag<int64_t>{});
                return true;
            }
            break;
        case DataType::UInt8:
            if constexpr ((Set & kUnsignedInts) != 0) {
                f(Tag<uint8_t>{});
                return true;
            }
            break;
        case DataType::UInt16:
            if constexpr ((Set & kUnsignedInts) != 0) {
                f(Tag<uint16_t>{});
                return true;
            }
            break;
        case DataType::UInt32:
            if constexpr ((Set & kUnsignedInts) != 0) {
                f(Tag<uint32_t>{});
                return true;
            }
            break;
        case DataType::UInt64:
            if constexpr ((Set & kUnsignedInts) != 0) {
                f(Tag<uint64_t>{});
                return true;
            }
            break;
        case DataType::Bool:
            if constexpr ((Set & kBool) != 0) {
                f(Tag<uint8_t>{});
                return true;
            }
            break;
        default:
            break;
    }
    return false;
}

// "input type float16 is not supported" (what = "input", "mask", ...).
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
    const int64_t n = t.elementCount();
    if (n < 0 || t.bytes.size() < static_cast<size_t>(n) * dataTypeSize(t.dtype)) return false;
    return readIntValues(t.dtype, t.bytes.data(), n, values);
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
