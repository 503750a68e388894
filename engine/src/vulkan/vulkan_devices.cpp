// Device discovery: enumerate and describe on the shared instance. Kept apart
// from the compute context so `interstage-cli devices` and the app's
// backend picker never create a logical device.
#include <vulkan/vulkan.h>

#include <cstring>

#include "interstage/vulkan.h"
#include "vulkan/vulkan_context.h"

namespace interstage {

namespace {

const char* deviceTypeName(VkPhysicalDeviceType type) {
    switch (type) {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
            return "discrete";
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
            return "integrated";
        case VK_PHYSICAL_DEVICE_TYPE_CPU:
            return "cpu";
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
            return "virtual";
        default:
            return "other";
    }
}

}  // namespace

std::string vulkanVersionString(uint32_t v) {
    return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) + "." +
           std::to_string(VK_API_VERSION_PATCH(v));
}

Result<std::vector<VulkanDeviceInfo>> listVulkanDevices() {
    // The shared instance: a throw-away one would load and unload the
    // driver (lavapipe: LLVM) on every call, and sessions call this.
    auto shared = vulkan::sharedInstance(false);
    if (!shared.ok())
        return Status(StatusCode::NotFound, shared.status().message() + "; is a Vulkan driver (ICD) installed?");
    VkInstance instance = shared.value();
    uint32_t count = 0;
    VkResult result = vkEnumeratePhysicalDevices(instance, &count, nullptr);
    std::vector<VkPhysicalDevice> physical(count);
    if (result == VK_SUCCESS && count) result = vkEnumeratePhysicalDevices(instance, &count, physical.data());
    if (result != VK_SUCCESS && result != VK_INCOMPLETE)
        return Status(StatusCode::NotFound, "cannot enumerate Vulkan devices (" + vulkan::resultName(result) + ")");
    std::vector<VulkanDeviceInfo> devices;
    for (uint32_t i = 0; i < count; ++i) {
        VkPhysicalDeviceProperties props{};
        vkGetPhysicalDeviceProperties(physical[i], &props);
        VkPhysicalDeviceMemoryProperties memory{};
        vkGetPhysicalDeviceMemoryProperties(physical[i], &memory);
        VulkanDeviceInfo d;
        d.index = static_cast<int>(i);
        d.name = props.deviceName;
        d.type = deviceTypeName(props.deviceType);
        d.apiVersion = props.apiVersion;
        for (uint32_t h = 0; h < memory.memoryHeapCount; ++h) d.heapBytes.push_back(memory.memoryHeaps[h].size);
        uint32_t extCount = 0;
        if (vkEnumerateDeviceExtensionProperties(physical[i], nullptr, &extCount, nullptr) == VK_SUCCESS) {
            std::vector<VkExtensionProperties> exts(extCount);
            if (vkEnumerateDeviceExtensionProperties(physical[i], nullptr, &extCount, exts.data()) == VK_SUCCESS)
                for (const auto& e : exts)
                    if (std::strcmp(e.extensionName, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME) == 0) d.memoryBudget = true;
        }
        devices.push_back(std::move(d));
    }
    if (devices.empty())
        return Status(StatusCode::NotFound,
                      "the Vulkan loader reports no device (install mesa-vulkan-drivers for "
                      "lavapipe, or a GPU driver)");
    return devices;
}

}  // namespace interstage
