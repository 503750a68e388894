// Helpers the signal kernels share: reading the small integer inputs that
// size them (DFT length, axis, frame step) and the per-thread split of
// independent lines over the workspace.
#pragma once

#include <cstdint>
#include <optional>

#include "cpu/kernel.h"

namespace interstage::cpu::signal {

// The single integer element of an int32 / int64 view; nullopt for other
// dtypes or when it does not hold exactly one element.
std::optional<int64_t> scalarInteger(const TensorView& view);
// Same for a value known at prepare.
std::optional<int64_t> scalarInteger(const TensorData& value);

// Element i of a float or double buffer, as double.
inline double loadReal(DataType dtype, const void* data, int64_t i) {
    return dtype == DataType::Double ? static_cast<const double*>(data)[i]
                                     : static_cast<double>(static_cast<const float*>(data)[i]);
}
inline void storeReal(DataType dtype, void* data, int64_t i, double v) {
    if (dtype == DataType::Double)
        static_cast<double*>(data)[i] = v;
    else
        static_cast<float*>(data)[i] = static_cast<float>(v);
}

}  // namespace interstage::cpu::signal
