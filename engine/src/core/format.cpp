#include "interstage/format.h"

#include <cmath>
#include <cstdio>

namespace interstage {

std::string formatBytes(double bytes) {
    constexpr double kKiB = 1024.0, kMiB = kKiB * 1024.0, kGiB = kMiB * 1024.0;
    const double magnitude = std::fabs(bytes);
    char buffer[64];
    if (magnitude >= kGiB)
        std::snprintf(buffer, sizeof buffer, "%.2f GiB", bytes / kGiB);
    else if (magnitude >= kMiB)
        std::snprintf(buffer, sizeof buffer, "%.1f MiB", bytes / kMiB);
    else if (magnitude >= kKiB)
        std::snprintf(buffer, sizeof buffer, "%.1f KiB", bytes / kKiB);
    else
        std::snprintf(buffer, sizeof buffer, "%.0f B", bytes);
    return buffer;
}

}  // namespace interstage
