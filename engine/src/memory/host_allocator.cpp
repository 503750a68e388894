#include "memory/host_allocator.h"

#include <sys/mman.h>

#include <cstdlib>

namespace interstage {

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
    if (bytes >= mapThreshold_) munmap(data, bytes);
    else std::free(data);
}

}  // namespace interstage
