#include "vulkan/fp16_storage.h"

#include <cstdint>
#include <cstring>

#include "core/half_float.h"

namespace interstage::vulkan {

namespace {

bool converts(DataType type, bool fp16Storage) { return fp16Storage && type == DataType::Float; }

// `count` elements of From at `source` into To at `target` (either may be
// unaligned: the staging memory is mapped bytes).
template <class From, class To, class Convert>
void convertEach(const std::byte* source, std::byte* target, std::size_t count, Convert convert) {
    for (std::size_t i = 0; i < count; ++i) {
        From value{};
        std::memcpy(&value, source + i * sizeof(From), sizeof(From));
        const To converted = convert(value);
        std::memcpy(target + i * sizeof(To), &converted, sizeof(To));
    }
}

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
    if (converts(type, fp16Storage))
        convertEach<float, uint16_t>(host, device, hostBytes / sizeof(float), floatToHalf);
    else if (hostBytes)
        std::memcpy(device, host, hostBytes);
}

void deviceToHost(DataType type, bool fp16Storage, const std::byte* device, std::byte* host, std::size_t hostBytes) {
    if (converts(type, fp16Storage))
        convertEach<uint16_t, float>(device, host, hostBytes / sizeof(float), halfToFloat);
    else if (hostBytes)
        std::memcpy(host, device, hostBytes);
}

}  // namespace interstage::vulkan
