#include "cpu/ops/tensor/tensor_util.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace interstage::cpu::tensor {

Status requireFixedSize(const PrepareContext& context, DataType dtype, const std::string& role) {
    if (dataTypeSize(dtype) == 0)
        return context.unsupportedHere(role + " of dtype " + dataTypeName(dtype) + " is not supported");
    return Status::ok();
}

namespace {

template <class T>
void widen(const void* data, int64_t count, std::vector<int64_t>& out) {
    const T* p = static_cast<const T*>(data);
    // NOLINTNEXTLINE(bugprone-signed-char-misuse): int8 values widen with their sign
    for (int64_t i = 0; i < count; ++i) out[static_cast<size_t>(i)] = static_cast<int64_t>(p[i]);
}

template <class T>
void toDoubles(const void* data, int64_t count, std::vector<double>& out) {
    const T* p = static_cast<const T*>(data);
    for (int64_t i = 0; i < count; ++i) out[static_cast<size_t>(i)] = static_cast<double>(p[i]);
}

}  // namespace

bool readIntegers(DataType dtype, const void* data, int64_t count, std::vector<int64_t>& out) {
    out.assign(static_cast<size_t>(std::max<int64_t>(count, 0)), 0);
    if (count > 0 && !data) return false;
    switch (dtype) {
        case DataType::Int64:
            widen<int64_t>(data, count, out);
            return true;
        case DataType::Int32:
            widen<int32_t>(data, count, out);
            return true;
        case DataType::Int16:
            widen<int16_t>(data, count, out);
            return true;
        case DataType::Int8:
            widen<int8_t>(data, count, out);
            return true;
        case DataType::UInt8:
        case DataType::Bool:
            widen<uint8_t>(data, count, out);
            return true;
        case DataType::UInt16:
            widen<uint16_t>(data, count, out);
            return true;
        case DataType::UInt32:
            widen<uint32_t>(data, count, out);
            return true;
        case DataType::UInt64:
            widen<uint64_t>(data, count, out);
            return true;
        default:
            return false;
    }
}

bool readNumbers(DataType dtype, const void* data, int64_t count, std::vector<double>& out) {
    out.assign(static_cast<size_t>(std::max<int64_t>(count, 0)), 0.0);
    if (count > 0 && !data) return false;
    switch (dtype) {
        case DataType::Float:
            toDoubles<float>(data, count, out);
            return true;
        case DataType::Double:
            toDoubles<double>(data, count, out);
            return true;
        case DataType::Float16:
        case DataType::BFloat16: {
            const auto* p = static_cast<const uint16_t*>(data);
            for (int64_t i = 0; i < count; ++i)
                out[static_cast<size_t>(i)] = dtype == DataType::Float16 ? halfToFloat(p[i]) : bfloatToFloat(p[i]);
            return true;
        }
        default: {
            std::vector<int64_t> ints;
            if (!readIntegers(dtype, data, count, ints)) return false;
            for (size_t i = 0; i < ints.size(); ++i) out[i] = static_cast<double>(ints[i]);
            return true;
        }
    }
}

namespace {

template <class T>
void storeAs(double v, void* dst) {
    T t;
    if constexpr (std::is_integral_v<T>) {
        // Saturate instead of the undefined behaviour of an out-of-range cast.
        if (std::isnan(v))
            t = 0;
        else if (v <= static_cast<double>(std::numeric_limits<T>::lowest()))
            t = std::numeric_limits<T>::lowest();
        else if (v >= static_cast<double>(std::numeric_limits<T>::max()))
            t = std::numeric_limits<T>::max();
        else
            t = static_cast<T>(v);
    } else {
        t = static_cast<T>(v);
    }
    std::memcpy(dst, &t, sizeof(T));
}

}  // namespace

bool storeNumber(DataType dtype, double v, void* dst) {
    switch (dtype) {
        case DataType::Float:
            storeAs<float>(v, dst);
            return true;
        case DataType::Double:
            storeAs<double>(v, dst);
            return true;
        case DataType::Int64:
            storeAs<int64_t>(v, dst);
            return true;
        case DataType::Int32:
            storeAs<int32_t>(v, dst);
            return true;
        case DataType::Int16:
            storeAs<int16_t>(v, dst);
            return true;
        case DataType::Int8:
            storeAs<int8_t>(v, dst);
            return true;
        case DataType::UInt64:
            storeAs<uint64_t>(v, dst);
            return true;
        case DataType::UInt32:
            storeAs<uint32_t>(v, dst);
            return true;
        case DataType::UInt16:
            storeAs<uint16_t>(v, dst);
            return true;
        case DataType::UInt8:
            storeAs<uint8_t>(v, dst);
            return true;
        case DataType::Bool:
            *static_cast<uint8_t*>(dst) = v != 0 ? 1 : 0;
            return true;
        case DataType::Float16: {
            uint16_t h = floatToHalf(static_cast<float>(v));
            std::memcpy(dst, &h, 2);
            return true;
        }
        case DataType::BFloat16: {
            uint16_t b = floatToBfloat(static_cast<float>(v));
            std::memcpy(dst, &b, 2);
            return true;
        }
        default:
            return false;
    }
}

namespace {

template <class T>
void fillTyped(void* dst, const void* value, int64_t count) {
    T v;
    std::memcpy(&v, value, sizeof(T));
    std::fill(static_cast<T*>(dst), static_cast<T*>(dst) + count, v);
}

}  // namespace

void fillElements(void* dst, const void* value, std::size_t elementSize, int64_t count) {
    switch (elementSize) {
        case 1:
            std::memset(dst, *static_cast<const uint8_t*>(value), static_cast<std::size_t>(count));
            return;
        case 2:
            fillTyped<uint16_t>(dst, value, count);
            return;
        case 4:
            fillTyped<uint32_t>(dst, value, count);
            return;
        case 8:
            fillTyped<uint64_t>(dst, value, count);
            return;
        default:
            for (int64_t i = 0; i < count; ++i)
                std::memcpy(static_cast<char*>(dst) + i * static_cast<int64_t>(elementSize), value, elementSize);
    }
}

bool normalizeAxis(int64_t& axis, int64_t rank) {
    if (axis < -rank || axis >= rank) return false;
    if (axis < 0) axis += rank;
    return true;
}

bool normalizeAxes(std::vector<int64_t>& axes, int64_t rank) {
    std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(rank, 0)), false);
    for (int64_t& axis : axes) {
        if (!normalizeAxis(axis, rank) || seen[static_cast<size_t>(axis)]) return false;
        seen[static_cast<size_t>(axis)] = true;
    }
    return true;
}

Shape contiguousStrides(const Shape& shape) {
    Shape strides(shape.size(), 1);
    for (size_t k = shape.size(); k-- > 1;) strides[k - 1] = strides[k] * shape[k];
    return strides;
}

int64_t product(const Shape& shape, size_t begin, size_t end) {
    int64_t p = 1;
    for (size_t k = begin; k < end && k < shape.size(); ++k) p *= shape[k];
    return p;
}

void parallelCopy(void* dst, const void* src, std::size_t bytes) {
    if (bytes == 0 || dst == src) return;
    auto total = static_cast<int64_t>(bytes);
    if (total < 4 * kParallelBytes || omp_get_max_threads() == 1) {
        std::memcpy(dst, src, bytes);
        return;
    }
#pragma omp parallel
    {
        int64_t threads = omp_get_num_threads();
        int64_t t = omp_get_thread_num();
        // Chunk borders on 64-byte lines so threads never share one.
        int64_t begin = (total * t / threads) & ~int64_t(63);
        int64_t end = t + 1 == threads ? total : (total * (t + 1) / threads) & ~int64_t(63);
        if (end > begin)
            std::memcpy(static_cast<char*>(dst) + begin, static_cast<const char*>(src) + begin,
                        static_cast<std::size_t>(end - begin));
    }
}

}  // namespace interstage::cpu::tensor
