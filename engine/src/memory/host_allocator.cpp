#include "memory/host_allocator.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>

namespace interstage {

std::size_t hostPageBytes() {
    static const std::size_t bytes = [] {
        const long page = sysconf(_SC_PAGESIZE);
        return page > 0 ? static_cast<std::size_t>(page) : std::size_t(4096);
    }();
    return bytes;
}

void* HostAllocator::allocate(std::size_t bytes) {
    if (failCountdown_ > 0 && --failCountdown_ == 0) return nullptr;
    if (bytes == 0) bytes = 1;  // a real pointer even for empty tensors
    if (bytes >= mapThreshold_) {
        void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? nullptr : p;
    }
    return std::aligned_alloc(64, (bytes + 63) / 64 * 64);
}

void HostAllocator::release(void* data, std::size_t bytes) {
    if (!data) return;
    if (bytes == 0) bytes = 1;
    if (bytes >= mapThreshold_)
        munmap(data, bytes);
    else
        std::free(data);
}

bool HostAllocator::movePages(void* from, std::size_t bytes, void* into, std::size_t intoBytes, std::size_t offset) {
    if (moveFailCountdown_ > 0 && --moveFailCountdown_ == 0) return false;
    const std::size_t page = hostPageBytes();
    // Both blocks must be mappings of their own: remapping onto the C heap
    // would corrupt it.
    if (!from || !into || bytes < mapThreshold_ || intoBytes < mapThreshold_ || bytes % page != 0 ||
        offset % page != 0 || offset > intoBytes || bytes > intoBytes - offset)
        return false;
    void* to = static_cast<std::byte*>(into) + offset;
    if (mremap(from, bytes, bytes, MREMAP_MAYMOVE | MREMAP_FIXED, to) != MAP_FAILED) return true;
    // With MREMAP_FIXED the kernel may have unmapped the destination range
    // before refusing: map fresh pages there, so the caller's copy lands in
    // memory (the range held nothing yet).
    (void)mmap(to, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    return false;
}

bool HostAllocator::trim(void* data, std::size_t bytes, std::size_t keep) {
    const std::size_t page = hostPageBytes();
    // `keep` must stay a mapping of its own too (release() unmaps it).
    if (!data || bytes < mapThreshold_ || keep < mapThreshold_ || keep % page != 0 || keep >= bytes) return false;
    const std::size_t mapped = (bytes + page - 1) / page * page;
    return munmap(static_cast<std::byte*>(data) + keep, mapped - keep) == 0;
}

}  // namespace interstage
