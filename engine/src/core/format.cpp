#include "interstage/format.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

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

bool parseByteSize(const std::string& value, std::size_t& bytes) {
    char* stop = nullptr;
    const double number = std::strtod(value.c_str(), &stop);
    double scale = 1;
    if (*stop == 'K' || *stop == 'k')
        scale = 1024.0, ++stop;
    else if (*stop == 'M' || *stop == 'm')
        scale = 1024.0 * 1024, ++stop;
    else if (*stop == 'G' || *stop == 'g')
        scale = 1024.0 * 1024 * 1024, ++stop;
    if (value.empty() || *stop != '\0' || !(number > 0) || number * scale > 1e18) return false;
    bytes = static_cast<std::size_t>(number * scale);
    return true;
}

}  // namespace interstage
