#include "cpu/ops/quant/quant_params.h"

#include "core/half_float.h"

namespace interstage::cpu::quant {

float floatAt(const TensorView& t, int64_t i) {
    switch (t.dtype) {
        case DataType::Float16:
            return halfToFloat(t.as<const uint16_t>()[i]);
        case DataType::BFloat16:
            return bfloatToFloat(t.as<const uint16_t>()[i]);
        default:
            return t.as<const float>()[i];
    }
}

int32_t intAt(const TensorView& t, int64_t i) {
    if (!t.data) return 0;
    switch (t.dtype) {
        case DataType::Int8:
            return t.as<const int8_t>()[i];
        case DataType::UInt8:
            return t.as<const uint8_t>()[i];
        case DataType::Int32:
            return t.as<const int32_t>()[i];
        default:
            return 0;
    }
}

std::vector<float> floatsOf(const TensorView& t) {
    std::vector<float> out(static_cast<size_t>(t.count()));
    for (int64_t i = 0; i < t.count(); ++i) out[i] = floatAt(t, i);
    return out;
}

std::vector<int32_t> intsOf(const TensorView& t, int64_t count) {
    if (!t.data) return std::vector<int32_t>(static_cast<size_t>(count), 0);
    std::vector<int32_t> out(static_cast<size_t>(t.count()));
    for (int64_t i = 0; i < t.count(); ++i) out[i] = intAt(t, i);
    return out;
}

}  // namespace interstage::cpu::quant
