// Reading the byte counts that simulate a small machine in tests
// (INTERSTAGE_AVAILABLE_MEMORY, INTERSTAGE_DEVICE_AVAILABLE_MEMORY).
#pragma once

#include <cstddef>
#include <string>

namespace interstage {

// "1073741824", "512M", "1.5GiB" -> bytes; 0 when unreadable.
std::size_t parseByteCount(const std::string& text);

// The variable's byte count; 0 when it is unset, empty or unreadable.
std::size_t byteCountFromEnvironment(const char* variable);

}  // namespace interstage
