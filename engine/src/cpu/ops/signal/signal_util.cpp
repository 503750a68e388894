#include "cpu/ops/signal/signal_util.h"

namespace interstage::cpu::signal {

std::optional<int64_t> scalarInteger(const TensorView& view) {
    if (view.data == nullptr || view.count() != 1) return std::nullopt;
    if (view.dtype == DataType::Int64) return *view.as<const int64_t>();
    if (view.dtype == DataType::Int32) return *view.as<const int32_t>();
    return std::nullopt;
}

std::optional<int64_t> scalarInteger(const TensorData& value) {
    if (value.elementCount() != 1 || value.bytes.size() != dataTypeSize(value.dtype)) return std::nullopt;
    if (value.dtype == DataType::Int64) return *value.data<int64_t>();
    if (value.dtype == DataType::Int32) return *value.data<int32_t>();
    return std::nullopt;
}

}  // namespace interstage::cpu::signal
