// The one way the project writes a byte count for people: "512 B",
// "1.5 KiB", "37.5 MiB", "1.25 GiB" (binary units; negative for deltas).
// The CLI, the engine's messages, the app and the charts all use it.
#pragma once

#include <string>

namespace interstage {

std::string formatBytes(double bytes);

}  // namespace interstage
