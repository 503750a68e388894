// SPIR-V of the compute shaders in shaders/*.comp, compiled by glslc at
// build time and embedded (see shaders.cmake): no shader files at run time.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace interstage::vulkan {

// The SPIR-V words of shaders/<name>.comp; empty when there is none.
std::span<const uint32_t> shaderCode(std::string_view name);
std::vector<std::string_view> shaderNames();

}  // namespace interstage::vulkan
