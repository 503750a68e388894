#include "runtime/backend_choice.h"

#include <cstdlib>

#include "interstage/vulkan.h"

namespace interstage {

Result<int> vulkanDeviceIndex(const std::string& backend) {
    if (backend == "cpu") return -1;
    if (backend != "vulkan" && backend.rfind("vulkan:", 0) != 0)
        return invalidArgument("unknown backend '" + backend + "' (cpu, vulkan or vulkan:INDEX)");
    const std::string index = backend == "vulkan" ? "0" : backend.substr(7);
    char* stop = nullptr;
    const long device = std::strtol(index.c_str(), &stop, 10);
    if (index.empty() || *stop != '\0' || device < 0)
        return invalidArgument("backend '" + backend + "': the device index must be a number");
    auto devices = listVulkanDevices();
    if (!devices.ok())
        return Status(devices.status().code(),
                      "backend '" + backend +
                          "' needs a Vulkan device (the cpu backend does not): " + devices.status().message());
    if (device >= static_cast<long>(devices->size()))
        return Status(StatusCode::NotFound,
                      "there is no Vulkan device " + index + " (" + std::to_string(devices->size()) + " found)");
    return static_cast<int>(device);
}

}  // namespace interstage
