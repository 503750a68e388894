// Host memory for tensors. Big blocks are mapped directly (mmap) so that
// freeing them returns the pages to the OS at once: glibc would otherwise
// keep them in its heap after raising its mmap threshold, and the process's
// resident memory would not show what a memory mode saves.
#pragma once

#include <cstddef>

namespace interstage {

class HostAllocator {
public:
    // Blocks of at least this many bytes are mapped; smaller ones come from
    // aligned_alloc (64-byte aligned).
    explicit HostAllocator(std::size_t mapThreshold = 64 * 1024) : mapThreshold_(mapThreshold) {}

    // nullptr when the system refuses (or an injected fault fires).
    void* allocate(std::size_t bytes);
    void release(void* data, std::size_t bytes);

    // Fault injection for tests: the n-th allocation from now fails
    // (n >= 1); 0 turns it off.
    void failNthAllocation(int n) { failCountdown_ = n; }

private:
    std::size_t mapThreshold_;
    int failCountdown_ = 0;
};

}  // namespace interstage
