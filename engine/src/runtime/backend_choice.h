// Which backend a SessionOptions::backend string names.
#pragma once

#include <string>

#include "interstage/status.h"

namespace interstage {

// "cpu" -> -1; "vulkan" -> 0; "vulkan:N" -> N, when that device exists.
// Anything else is InvalidArgument; a missing device is NotFound.
Result<int> vulkanDeviceIndex(const std::string& backend);

}  // namespace interstage
