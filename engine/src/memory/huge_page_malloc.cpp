#include "interstage/huge_page_malloc.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "memory/host_allocator.h"

namespace interstage {

namespace {

constexpr const char* kTunables = "GLIBC_TUNABLES";
constexpr const char* kHugeMalloc = "glibc.malloc.hugetlb";

// "always [madvise] never": advice is followed unless "never" is chosen.
bool kernelHasTransparentHugePages() {
    std::ifstream setting("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string line;
    return std::getline(setting, line) && line.find("[never]") == std::string::npos;
}

}  // namespace

bool mallocOnHugePages() {
    const char* tunables = std::getenv(kTunables);
    return tunables && std::string(tunables).find(std::string(kHugeMalloc) + "=1") != std::string::npos;
}

void restartWithHugePageMalloc(char** argv) {
    const char* tunables = std::getenv(kTunables);
    const std::string before = tunables ? tunables : "";
    // The user's own setting of it wins, and so does their "off".
    if (before.find(kHugeMalloc) != std::string::npos || !hostHugePagesEnabled() || !kernelHasTransparentHugePages() ||
        !argv || !argv[0])
        return;
    const std::string after = before.empty() ? std::string(kHugeMalloc) + "=1" : before + ":" + kHugeMalloc + "=1";
    if (setenv(kTunables, after.c_str(), 1) != 0) return;
    execv("/proc/self/exe", argv);
    // Not restarted (no /proc, say): go on as started.
    if (tunables)
        setenv(kTunables, before.c_str(), 1);
    else
        unsetenv(kTunables);
}

}  // namespace interstage
