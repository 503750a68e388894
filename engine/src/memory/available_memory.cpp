// What the host can give: MemAvailable (the kernel's estimate of memory
// that new allocations get without swapping), or a test's override.
#include "memory/available_memory.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "interstage/format.h"
#include "interstage/memory_budget.h"

namespace interstage {

std::size_t parseByteCount(const std::string& text) {
    std::istringstream in(text);
    double number = 0;
    if (!(in >> number) || number < 0) return 0;
    std::string unit;
    in >> unit;
    double scale = 1;
    if (!unit.empty()) {
        const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0])));
        scale = c == 'K'   ? 1024.0
                : c == 'M' ? 1024.0 * 1024
                : c == 'G' ? 1024.0 * 1024 * 1024
                : c == 'T' ? 1099511627776.0
                           : 0;
        if (scale == 0) return 0;
    }
    return static_cast<std::size_t>(number * scale);
}

std::size_t byteCountFromEnvironment(const char* variable) {
    const char* text = std::getenv(variable);
    return text && *text ? parseByteCount(text) : 0;
}

namespace {

std::size_t memAvailableFromProc() {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    std::size_t kib = 0;
    std::string unit;
    while (meminfo >> key >> kib >> unit)
        if (key == "MemAvailable:") return kib * 1024;
    return 0;
}

}  // namespace

std::size_t hostAvailableBytes() {
    if (const char* override = std::getenv("INTERSTAGE_AVAILABLE_MEMORY"); override && *override)
        return parseByteCount(override);
    return memAvailableFromProc();
}

MemoryBudget automaticHostBudget() {
    MemoryBudget budget;
    budget.automatic = true;
    const std::size_t available = hostAvailableBytes();
    if (available == 0) {
        budget.source = "none: the host's available memory could not be read";
        return budget;
    }
    // The margin keeps room for what the plan does not count (the process's
    // code and libraries, the app's windows, oneDNN's scratch, the page
    // cache other programs need): 5 %, at least 256 MiB (a quarter on a
    // machine, or a simulated one, under 1 GiB).
    const std::size_t margin = std::max(available / 20, std::min(std::size_t(256) << 20, available / 4));
    budget.bytes = available > margin ? available - margin : 1;
    const bool overridden = std::getenv("INTERSTAGE_AVAILABLE_MEMORY") && *std::getenv("INTERSTAGE_AVAILABLE_MEMORY");
    budget.source = "host: " + formatBytes(double(available)) + " available (" +
                    (overridden ? "INTERSTAGE_AVAILABLE_MEMORY" : "MemAvailable") + ") less a " +
                    formatBytes(double(margin)) + " margin";
    return budget;
}

MemoryBudget resolveMemoryBudget(std::size_t maxMemoryBytes, bool automatic) {
    if (maxMemoryBytes) return {maxMemoryBytes, "set by the caller", false};
    if (!automatic) return {0, "none (switched off)", false};
    return automaticHostBudget();
}

std::string describeMemoryBudget(const MemoryBudget& budget) {
    if (budget.bytes == 0) return budget.source.empty() ? "none" : budget.source;
    return formatBytes(double(budget.bytes)) + " (" + budget.source + ")";
}

}  // namespace interstage
