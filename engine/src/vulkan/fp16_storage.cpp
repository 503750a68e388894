#include "vulkan/fp16_storage.h"

#include <cstdint>
#include <cstring>

#include "core/half_float.h"

namespace interstage::vulkan {

namespace {

bool converts(DataType type, bool fp16Storage) { return fp16Storage && type == DataType::Float; }

}  // namespace

std::size_t deviceElementBytes(DataType type, bool fp16Storage) {
    return converts(type, fp16Storage) ? sizeof(uint16_t) : dataTypeSize(type);
}

std::size_t deviceBytes(DataType type, bool fp16Storage, std::size_t hostBytes) {
    return converts(type, fp16Storage) ? hostBytes / sizeof(float) * sizeof(uint16_t) : hostBytes;
}

std::size_t deviceBytes(const Value& value, bool fp16Storage) {
    return deviceBytes(value.dtype, fp16Storage, value.byteSize());
}

void hostToDevice(DataType type, bool fp16Storage, const std::byte* host, std::size_t hostBytes, std::byte* device) {
    if (!converts(type, fp16Storage)) {
        if (hostBytes) std::memcpy(device, host, hostBytes);
        return;
    }
    const std::size_t count = hostBytes / sizeof(float);
    for (std::size_t i = 0; i < count; ++i) {
        float value = 0;
        std::memcpy(&value, host + i * sizeof(float), sizeof(float));
        const uint16_t half = floatToHalf(value);
        std::memcpy(device + i * sizeof(uint16_t), &half, sizeof(uint16_t));
    }
}

void deviceToHost(DataType type, bool fp16Storage, const std::byte* device, std::byte* host, std::size_t hostBytes) {
    if (!converts(type, fp16Storage)) {
        if (hostBytes) std::memcpy(host, device, hostBytes);
        return;
    }
    const std::size_t count = hostBytes / sizeof(float);
    for (std::size_t i = 0; i < count; ++i) {
        uint16_t half = 0;
        std::memcpy(&half, device + i * sizeof(uint16_t), sizeof(uint16_t));
        const float value = halfToFloat(half);
        std::memcpy(host + i * sizeof(float), &value, sizeof(float));
    }
}

}  // namespace interstage::vulkan
