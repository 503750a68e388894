// fp16 storage (SessionOptions::gpuFp16): float32 tensors and weights are
// stored on the device as float16 and converted at the host boundary
// (weights at upload, run inputs on upload, CPU-fallback nodes' tensors
// and read tensors on the way down and up); the shaders compute in
// float32. Every other type keeps its bytes.
#pragma once

#include <cstddef>

#include "interstage/dtype.h"
#include "interstage/graph.h"

namespace interstage::vulkan {

// Bytes per element of a `type` tensor on the device: float32 is stored as
// float16 with fp16 storage, every other type as it is.
std::size_t deviceElementBytes(DataType type, bool fp16Storage);
// A value's bytes on the device (Value::byteSize() at those elements).
std::size_t deviceBytes(const Value& value, bool fp16Storage);
// The device's bytes of a `type` tensor of `hostBytes` on the host.
std::size_t deviceBytes(DataType type, bool fp16Storage, std::size_t hostBytes);

// `hostBytes` of a `type` tensor as ONNX lays it out, into `device` (which
// holds the device's bytes of it), float32 rounded to the nearest float16
// with fp16 storage (beyond 65504: infinity, as the GPU would).
void hostToDevice(DataType type, bool fp16Storage, const std::byte* host, std::size_t hostBytes, std::byte* device);
// The way back: the device's bytes into `hostBytes` of host layout.
void deviceToHost(DataType type, bool fp16Storage, const std::byte* device, std::byte* host, std::size_t hostBytes);

}  // namespace interstage::vulkan
