// Vulkan devices the engine can run on. Discovery never fails hard: a
// machine without a Vulkan loader or without any device gets a clear
// Status, not a crash.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "interstage/status.h"

namespace interstage {

struct VulkanDeviceInfo {
    int index = 0;                    // position in vkEnumeratePhysicalDevices: the device index sessions take
    std::string name;                 // "llvmpipe (LLVM 15.0.6, 256 bits)", "NVIDIA H100 ..."
    std::string type;                 // "discrete", "integrated", "cpu", "virtual" or "other"
    std::vector<uint64_t> heapBytes;  // size of each memory heap
    bool memoryBudget = false;        // VK_EXT_memory_budget: live heap usage can be sampled
    uint32_t apiVersion = 0;          // VK_MAKE_API_VERSION encoded; see vulkanVersionString()
};

// Every physical device of the system's Vulkan loader. NotFound when there
// is no loader or no device (the message says which).
Result<std::vector<VulkanDeviceInfo>> listVulkanDevices();

// "1.3.230" for an encoded API version.
std::string vulkanVersionString(uint32_t apiVersion);

}  // namespace interstage
