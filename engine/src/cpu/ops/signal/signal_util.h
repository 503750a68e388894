// Helpers the signal kernels share: reading the small integer inputs that
// size them (DFT length, axis, frame step) and the per-thread split of
// independent lines over the workspace.
#pragma once

#include <cstdint>
#include <optional>

#include "core/half_float.h"
#include "cpu/kernel.h"

namespace interstage::cpu::signal {

// The single integer element of an int32 / int64 view; nullopt for other
// dtypes or when it does not hold exactly one element.
std::optional<int64_t> scalarInteger(const TensorView& view);
// Same for a value known at prepare.
std::optional<int64_t> scalarInteger(const TensorData& value);

// The floating types the signal kernels read and write.
inline bool isSignalType(DataType dtype) {
    return dtype == DataType::Float || dtype == DataType::Double || dtype == DataType::Float16 ||
           dtype == DataType::BFloat16;
}

// Element i of a buffer of a signal type, as double. (The transforms run
// in double whatever the tensors hold.)
inline double loadReal(DataType dtype, const void* data, int64_t i) {
    switch (dtype) {
        case DataType::Double:
            return static_cast<const double*>(data)[i];
        case DataType::Float16:
            return halfToFloat(static_cast<const uint16_t*>(data)[i]);
        case DataType::BFloat16:
            return bfloatToFloat(static_cast<const uint16_t*>(data)[i]);
        default:
            return static_cast<const float*>(data)[i];
    }
}

inline void storeReal(DataType dtype, void* data, int64_t i, double v) {
    switch (dtype) {
        case DataType::Double:
            static_cast<double*>(data)[i] = v;
            break;
        case DataType::Float16:
            static_cast<uint16_t*>(data)[i] = floatToHalf(static_cast<float>(v));
            break;
        case DataType::BFloat16:
            static_cast<uint16_t*>(data)[i] = floatToBfloat(static_cast<float>(v));
            break;
        default:
            static_cast<float*>(data)[i] = static_cast<float>(v);
    }
}

}  // namespace interstage::cpu::signal
