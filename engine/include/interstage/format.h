// The one way the project writes a byte count for people: "512 B",
// "1.5 KiB", "37.5 MiB", "1.25 GiB" (binary units; negative for deltas).
// The CLI, the engine's messages, the app and the charts all use it.
#pragma once

#include <cstddef>
#include <string>

namespace interstage {

std::string formatBytes(double bytes);

// "200M", "1.5G", "512K" or a byte count (binary units), as the CLI's
// --max-memory and fit's --budget and the Python Session's max_memory read
// it; false for anything else (no number, a unit it does not know, zero or
// less, beyond 10^18).
bool parseByteSize(const std::string& value, std::size_t& bytes);

}  // namespace interstage
