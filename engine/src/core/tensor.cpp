#include "interstage/tensor.h"

#include <cstdint>

#include "core/half_float.h"

namespace interstage {

int64_t TensorData::elementCount() const {
    auto count = interstage::elementCount(shape);
    return count ? *count : 0;
}

int64_t TensorData::intAt(int64_t i) const {
    switch (dtype) {
        case DataType::Float:
            return static_cast<int64_t>(data<float>()[i]);
        case DataType::Double:
            return static_cast<int64_t>(data<double>()[i]);
        case DataType::Int64:
            return data<int64_t>()[i];
        case DataType::Int32:
            return data<int32_t>()[i];
        case DataType::Int16:
            return data<int16_t>()[i];
        case DataType::Int8:
            return data<int8_t>()[i];
        case DataType::UInt8:
            return data<uint8_t>()[i];
        case DataType::Bool:
            return data<uint8_t>()[i] ? 1 : 0;
        case DataType::UInt16:
            return data<uint16_t>()[i];
        case DataType::UInt32:
            return data<uint32_t>()[i];
        case DataType::UInt64:
            return static_cast<int64_t>(data<uint64_t>()[i]);
        case DataType::Float16:
            return static_cast<int64_t>(halfToFloat(data<uint16_t>()[i]));
        case DataType::BFloat16:
            return static_cast<int64_t>(bfloatToFloat(data<uint16_t>()[i]));
        default:
            return 0;
    }
}

double TensorData::doubleAt(int64_t i) const {
    switch (dtype) {
        case DataType::Float:
            return data<float>()[i];
        case DataType::Double:
            return data<double>()[i];
        case DataType::UInt64:
            return static_cast<double>(data<uint64_t>()[i]);
        case DataType::Float16:
            return halfToFloat(data<uint16_t>()[i]);
        case DataType::BFloat16:
            return bfloatToFloat(data<uint16_t>()[i]);
        default:
            return static_cast<double>(intAt(i));
    }
}

TensorData TensorData::zeros(DataType dtype, Shape shape) {
    TensorData t;
    t.dtype = dtype;
    t.shape = std::move(shape);
    auto count = interstage::elementCount(t.shape);
    size_t n = count ? static_cast<size_t>(*count) : 0;
    if (dtype == DataType::String)
        t.strings.resize(n);
    else
        t.bytes.resize(n * dataTypeSize(dtype));
    return t;
}

TensorData TensorData::fromInt64(const std::vector<int64_t>& values, Shape shape) {
    TensorData t = zeros(DataType::Int64, std::move(shape));
    for (size_t i = 0; i < values.size() && i * 8 < t.bytes.size(); ++i) t.data<int64_t>()[i] = values[i];
    return t;
}

TensorData TensorData::fromFloat(const std::vector<float>& values, Shape shape) {
    TensorData t = zeros(DataType::Float, std::move(shape));
    for (size_t i = 0; i < values.size() && i * 4 < t.bytes.size(); ++i) t.data<float>()[i] = values[i];
    return t;
}

}  // namespace interstage
