// `interstage-cli devices`: the backends a run can use — the CPU and each
// Vulkan device with the index that selects it.
#include <iostream>
#include <thread>

#include "cli_common.h"
#include "interstage/vulkan.h"

namespace interstage::cli {

int runDevices(Args& args) {
    if (!args.done()) return usageError("devices: unexpected argument '" + args.peek() + "'");
    std::cout << "cpu        " << std::max(1u, std::thread::hardware_concurrency()) << " threads\n";
    auto devices = listVulkanDevices();
    if (!devices.ok()) {
        // No Vulkan is a fact about the machine, not a failure of the command.
        std::cout << "vulkan     none: " << devices.status().message() << "\n";
        return 0;
    }
    for (const auto& d : devices.value()) {
        std::cout << "vulkan:" << d.index << "   " << d.name << "  (" << d.type << ", Vulkan "
                  << vulkanVersionString(d.apiVersion) << ")\n";
        std::cout << "           heaps:";
        for (uint64_t bytes : d.heapBytes) std::cout << " " << formatBytes(bytes);
        std::cout << (d.memoryBudget ? "  (memory budget: yes)" : "  (memory budget: no)") << "\n";
    }
    return 0;
}

}  // namespace interstage::cli
