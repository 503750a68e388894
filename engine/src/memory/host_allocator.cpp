#include "memory/host_allocator.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace interstage {

namespace {

template <typename T>
T roundUp(T value, std::size_t multiple) {
    return (value + multiple - 1) / multiple * multiple;
}

// An environment switch that turns a default off (A/B measurements).
bool switchedOff(const char* name) {
    const char* off = std::getenv(name);
    return off && *off && std::string(off) != "0";
}

}  // namespace

std::size_t hostPageBytes() {
    static const std::size_t bytes = [] {
        const long page = sysconf(_SC_PAGESIZE);
        return page > 0 ? static_cast<std::size_t>(page) : std::size_t(4096);
    }();
    return bytes;
}

// Read once: the settings are the process's, not a block's.
bool hostHugePagesEnabled() {
    static const bool enabled = !switchedOff("INTERSTAGE_NO_HUGE_PAGES");
    return enabled;
}

std::size_t hostBlockCacheBytes() {
    static const std::size_t bytes = switchedOff("INTERSTAGE_NO_BLOCK_CACHE") ? 0 : kHostBlockCacheBytes;
    return bytes;
}

void* HostAllocator::allocate(std::size_t bytes, BlockPages pages) {
    if (failCountdown_ > 0 && --failCountdown_ == 0) return nullptr;
    if (bytes == 0) bytes = 1;  // a real pointer even for empty tensors
    if (bytes < mapThreshold_) return std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (hugePages_ && pages == BlockPages::WholeHuge && bytes >= kHostWholeHugeMinBytes) {
        const std::size_t mapped = roundUp(bytes, kHostHugePageBytes);
        void* p = mapHuge(mapped);
        if (p) wholeHuge_[p] = mapped;
        return p;
    }
    const std::size_t mapped = roundUp(bytes, hostPageBytes());
    if (reservedLeft_ >= mapped) {
        void* carved = reserved_;
        reserved_ += mapped;
        reservedLeft_ -= mapped;
        return carved;
    }
    if (void* cached = reuseCached(mapped)) return cached;
    if (hugePages_ && mapped >= kHostHugePageBytes) return mapHuge(mapped);
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
}

std::size_t HostAllocator::reservedLength(std::size_t bytes) const {
    return bytes >= mapThreshold_ ? roundUp(bytes, hostPageBytes()) : 0;
}

// Only where huge pages are on and the region holds one: otherwise each
// block is mapped on its own as before.
void HostAllocator::reserve(std::size_t bytes) {
    endReserve();
    if (!hugePages_ || bytes < kHostHugePageBytes) return;
    reserved_ = static_cast<std::byte*>(mapHuge(roundUp(bytes, hostPageBytes())));
    reservedLeft_ = reserved_ ? roundUp(bytes, hostPageBytes()) : 0;
}

void HostAllocator::endReserve() {
    if (reservedLeft_ > 0) munmap(reserved_, reservedLeft_);
    reserved_ = nullptr;
    reservedLeft_ = 0;
}

std::size_t HostAllocator::mappedLength(const void* data, std::size_t bytes) const {
    if (!wholeHuge_.empty()) {
        const auto found = wholeHuge_.find(data);
        if (found != wholeHuge_.end()) return found->second;
    }
    return roundUp(bytes, hostPageBytes());
}

// A block of `mapped` bytes (whole pages) starting on a huge-page boundary,
// advised for transparent huge pages: one fault then brings 2 MiB instead
// of 512 faults bringing 4 KiB each. The mapping is exactly `mapped` long
// (the slack reserved to find the boundary is unmapped at once), so the
// resident memory still counts this block to the page: only its whole
// 2 MiB stretches can become huge pages, its tail stays in small ones.
void* HostAllocator::mapHuge(std::size_t mapped) {
    const std::size_t page = hostPageBytes();
    const std::size_t reserve = mapped + kHostHugePageBytes - page;
    void* raw = mmap(nullptr, reserve, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return nullptr;
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = roundUp(start, kHostHugePageBytes);
    if (aligned > start) munmap(raw, aligned - start);
    const std::uintptr_t end = aligned + mapped;
    if (start + reserve > end) munmap(reinterpret_cast<void*>(end), start + reserve - end);
    // Advice only: where the kernel has no THP the block is an ordinary one.
    (void)madvise(reinterpret_cast<void*>(aligned), mapped, MADV_HUGEPAGE);
    return reinterpret_cast<void*>(aligned);
}

void HostAllocator::release(void* data, std::size_t bytes) {
    if (!data) return;
    if (bytes == 0) bytes = 1;
    if (bytes < mapThreshold_) return std::free(data);
    const std::size_t mapped = mappedLength(data, bytes);
    if (wholeHuge_.erase(data) == 0 && keepInCache(data, mapped)) return;
    munmap(data, mapped);
}

// A cached block of exactly this size, the most recently freed first (the
// next layer's tensor is often the same size as the one just freed): its
// pages are resident already, and its producer writes it whole.
void* HostAllocator::reuseCached(std::size_t mapped) {
    for (std::size_t i = cache_.size(); i-- > 0;) {
        if (cache_[i].mapped != mapped) continue;
        void* data = cache_[i].data;
        cache_.erase(cache_.begin() + static_cast<std::ptrdiff_t>(i));
        cachedBytes_ -= mapped;
        return data;
    }
    return nullptr;
}

// Keeps the block, giving back the oldest cached ones to stay within the
// bound; a block over the bound goes back itself.
bool HostAllocator::keepInCache(void* data, std::size_t mapped) {
    if (mapped > cacheLimit_ || (hugePages_ && mapped >= kHostHugePageBytes)) return false;
    std::size_t evicted = 0;
    while (cachedBytes_ + mapped > cacheLimit_) {
        munmap(cache_[evicted].data, cache_[evicted].mapped);
        cachedBytes_ -= cache_[evicted].mapped;
        ++evicted;
    }
    cache_.erase(cache_.begin(), cache_.begin() + static_cast<std::ptrdiff_t>(evicted));
    cache_.push_back({data, mapped});
    cachedBytes_ += mapped;
    cachePeak_ = std::max(cachePeak_, cachedBytes_);
    return true;
}

std::size_t HostAllocator::takeBlockCachePeak() {
    const std::size_t peak = cachePeak_;
    cachePeak_ = cachedBytes_;
    return peak;
}

void HostAllocator::dropBlockCache() {
    for (const CachedBlock& block : cache_) munmap(block.data, block.mapped);
    cache_.clear();
    cachedBytes_ = 0;
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
    const std::size_t fromMapped = mappedLength(from, bytes);
    if (mremap(from, bytes, bytes, MREMAP_MAYMOVE | MREMAP_FIXED, to) != MAP_FAILED) {
        // A block mapped past its bytes (to a huge-page boundary) leaves
        // that rest behind: it goes back now, as `from` is gone.
        if (fromMapped > bytes) munmap(static_cast<std::byte*>(from) + bytes, fromMapped - bytes);
        wholeHuge_.erase(from);
        return true;
    }
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
    const std::size_t mapped = mappedLength(data, bytes);
    // A block on whole huge pages stays on whole huge pages (release()
    // unmaps its recorded length).
    const auto wholeHuge = wholeHuge_.find(data);
    const std::size_t kept = wholeHuge == wholeHuge_.end() ? keep : roundUp(keep, kHostHugePageBytes);
    if (kept >= mapped) return false;
    if (munmap(static_cast<std::byte*>(data) + kept, mapped - kept) != 0) return false;
    if (wholeHuge != wholeHuge_.end()) wholeHuge->second = kept;
    return true;
}

}  // namespace interstage
