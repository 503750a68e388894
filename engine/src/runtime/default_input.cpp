#include <cstring>

#include "core/half_float.h"
#include "interstage/session.h"

namespace interstage {

TensorData defaultInput(DataType dtype, const Shape& shape) {
    TensorData t = TensorData::zeros(dtype, shape);
    const int64_t n = t.elementCount();
    for (int64_t i = 0; i < n; ++i) {
        const int64_t pattern = (i * 7) % 256;
        switch (dtype) {
            case DataType::Float:
                t.data<float>()[i] = static_cast<float>(pattern) / 255.f - 0.5f;
                break;
            case DataType::Double:
                t.data<double>()[i] = static_cast<double>(pattern) / 255.0 - 0.5;
                break;
            case DataType::Float16:
                t.data<uint16_t>()[i] = floatToHalf(static_cast<float>(pattern) / 255.f - 0.5f);
                break;
            case DataType::BFloat16:
                t.data<uint16_t>()[i] = floatToBfloat(static_cast<float>(pattern) / 255.f - 0.5f);
                break;
            case DataType::Int64:
                t.data<int64_t>()[i] = pattern;
                break;
            case DataType::Int32:
                t.data<int32_t>()[i] = static_cast<int32_t>(pattern);
                break;
            case DataType::UInt8:
                t.data<uint8_t>()[i] = static_cast<uint8_t>(pattern);
                break;
            case DataType::Int8:
                t.data<int8_t>()[i] = static_cast<int8_t>(pattern - 128);
                break;
            case DataType::Bool:
                t.data<uint8_t>()[i] = static_cast<uint8_t>(i % 2);
                break;
            default:
                break;  // other types stay zero
        }
    }
    return t;
}

}  // namespace interstage
