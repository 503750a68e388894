#include "memory/host_allocator.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
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

bool hostHandOverEnabled() {
    static const bool enabled = !switchedOff("INTERSTAGE_NO_HAND_OVER");
    return enabled;
}

std::size_t hostBlockCacheBytes() {
    static const std::size_t bytes = switchedOff("INTERSTAGE_NO_BLOCK_CACHE") ? 0 : kHostBlockCacheBytes;
    return bytes;
}

void* HostAllocator::allocate(std::size_t bytes, BlockPages pages, BlockPlacement placement) {
    if (failCountdown_ > 0 && --failCountdown_ == 0) return nullptr;
    if (bytes == 0) bytes = 1;  // a real pointer even for empty tensors
    if (bytes < mapThreshold_) return std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (pages == BlockPages::Shared && hugePages_ && bytes < kHostWholeHugeMinBytes)
        if (void* carved = shared_.take(bytes)) return carved;
    if (pages != BlockPages::Exact) return allocateRunBlock(bytes, placement);
    const std::size_t mapped = roundUp(bytes, hostPageBytes());
    if (reservedLeft_ >= mapped) {
        void* carved = reserved_;
        reserved_ += mapped;
        reservedLeft_ -= mapped;
        return carved;
    }
    if (hugePages_ && mapped >= kHostHugePageBytes) return mapOnHugePages(mapped, 0);
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
}

// A block of a run: pages freed a moment ago where they fit (held between
// two steps, then the cache), else fresh ones. A block with a phase is
// mapped fresh, its end on a huge-page boundary, and never reused: its
// pages move into another block (movePages), where it goes. One pages
// move into takes fresh pages too (BlockPlacement::freshPages).
void* HostAllocator::allocateRunBlock(std::size_t bytes, BlockPlacement placement) {
    const bool huge = hugePages_ && bytes >= kHostWholeHugeMinBytes;
    const std::size_t page = hostPageBytes();
    const std::size_t phase = huge ? roundUp(placement.phase, page) % kHostHugePageBytes : 0;
    const std::size_t mapped = roundUp(bytes + phase, huge ? kHostHugePageBytes : page) - phase;
    void* p = nullptr;
    if (phase == 0 && !placement.freshPages) {
        if (std::optional<FreeBlock> held = takeBestFit(held_, mapped)) {
            p = held->data;
            handedOver_ += mapped;
        } else if (std::optional<FreeBlock> cached = takeBestFit(cache_, mapped)) {
            p = cached->data;
            cachedBytes_ -= cached->mapped;
        }
    }
    if (!p && huge) {
        p = mapOnHugePages(mapped, phase);
    } else if (!p) {
        p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) p = nullptr;
    }
    if (p) runBlocks_[p] = {mapped, huge, phase};
    return p;
}

// The smallest free block of at least `mapped` bytes (the most recently
// freed among equals: the next layer's tensor is often the size of the one
// just freed), cut to `mapped`: its pages are resident already, and the
// producer writes them. The cut goes back to the OS.
std::optional<HostAllocator::FreeBlock> HostAllocator::takeBestFit(std::vector<FreeBlock>& blocks, std::size_t mapped) {
    std::size_t best = blocks.size();
    for (std::size_t i = blocks.size(); i-- > 0;)
        if (blocks[i].mapped >= mapped && (best == blocks.size() || blocks[i].mapped < blocks[best].mapped)) best = i;
    if (best == blocks.size()) return std::nullopt;
    const FreeBlock block = blocks[best];
    blocks.erase(blocks.begin() + static_cast<std::ptrdiff_t>(best));
    if (block.mapped > mapped) munmap(static_cast<std::byte*>(block.data) + mapped, block.mapped - mapped);
    return block;
}

std::size_t HostAllocator::reservedLength(std::size_t bytes) const {
    return bytes >= mapThreshold_ ? roundUp(bytes, hostPageBytes()) : 0;
}

// Only where huge pages are on and the region holds one: otherwise each
// block is mapped on its own as before.
void HostAllocator::reserve(std::size_t bytes) {
    endReserve();
    if (!hugePages_ || bytes < kHostHugePageBytes) return;
    reserved_ = static_cast<std::byte*>(mapOnHugePages(roundUp(bytes, hostPageBytes()), 0));
    reservedLeft_ = reserved_ ? roundUp(bytes, hostPageBytes()) : 0;
}

void HostAllocator::endReserve() {
    if (reservedLeft_ > 0) munmap(reserved_, reservedLeft_);
    reserved_ = nullptr;
    reservedLeft_ = 0;
}

std::size_t HostAllocator::mappedLength(const void* data, std::size_t bytes) const {
    if (!runBlocks_.empty()) {
        const auto found = runBlocks_.find(data);
        if (found != runBlocks_.end()) return found->second.mapped;
    }
    return roundUp(bytes, hostPageBytes());
}

// A block of `mapped` bytes (whole pages) starting `phase` bytes past a
// huge-page boundary, advised for transparent huge pages: one fault then
// brings 2 MiB instead of 512 faults bringing 4 KiB each. The mapping is
// exactly `mapped` long (the slack reserved to find the boundary is
// unmapped at once), so the resident memory still counts this block to the
// page: only its whole 2 MiB stretches can become huge pages, its head and
// tail stay in small ones.
void* mapOnHugePages(std::size_t mapped, std::size_t phase) {
    const std::size_t page = hostPageBytes();
    const std::size_t reserve = mapped + kHostHugePageBytes - page + phase;
    void* raw = mmap(nullptr, reserve, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return nullptr;
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = roundUp(start, kHostHugePageBytes) + phase;
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
    if (shared_.give(data)) return;
    const std::size_t mapped = mappedLength(data, bytes);
    const bool severalMappings = receivedPages_.erase(data) > 0;
    const auto run = runBlocks_.find(data);
    const bool reusable = run != runBlocks_.end() && run->second.phase == 0 && !severalMappings;
    if (run != runBlocks_.end()) runBlocks_.erase(run);
    if (reusable) {
        if (holding_) {
            held_.push_back({data, mapped});
            return;
        }
        if (keepInCache(data, mapped)) return;
    }
    munmap(data, mapped);
}

void HostAllocator::endHold() {
    holding_ = false;
    shared_.endHold();
    // What no allocation took is freed as any run block is: kept in the
    // cache where it fits, else given back.
    for (const FreeBlock& block : held_)
        if (!keepInCache(block.data, block.mapped)) munmap(block.data, block.mapped);
    held_.clear();
}

// Keeps the block, giving back the oldest cached ones to stay within the
// bound; a block over the bound goes back itself.
bool HostAllocator::keepInCache(void* data, std::size_t mapped) {
    if (mapped > cacheLimit_) return false;
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
    for (const FreeBlock& block : cache_) munmap(block.data, block.mapped);
    cache_.clear();
    cachedBytes_ = 0;
}

bool HostAllocator::movePages(void* from, std::size_t bytes, void* into, std::size_t intoBytes, std::size_t offset) {
    if (moveFailCountdown_ > 0 && --moveFailCountdown_ == 0) return false;
    const std::size_t page = hostPageBytes();
    // Both blocks must be mappings of their own: remapping onto the C heap
    // would corrupt it.
    if (!from || !into || shared_.holds(from) || shared_.holds(into) || bytes < mapThreshold_ ||
        intoBytes < mapThreshold_ || bytes % page != 0 || offset % page != 0 || offset > intoBytes ||
        bytes > intoBytes - offset)
        return false;
    void* to = static_cast<std::byte*>(into) + offset;
    const std::size_t fromMapped = mappedLength(from, bytes);
    if (mremap(from, bytes, bytes, MREMAP_MAYMOVE | MREMAP_FIXED, to) != MAP_FAILED) {
        // A block mapped past its bytes (to a huge-page boundary) leaves
        // that rest behind: it goes back now, as `from` is gone.
        if (fromMapped > bytes) munmap(static_cast<std::byte*>(from) + bytes, fromMapped - bytes);
        runBlocks_.erase(from);
        receivedPages_.erase(from);
        receivedPages_.insert(into);
        return true;
    }
    // With MREMAP_FIXED the kernel may have unmapped the destination range
    // before refusing: map fresh pages there, so the caller's copy lands in
    // memory (the range held nothing yet).
    // The range is a mapping of its own now: `into` is several, so it is
    // not reused either.
    (void)mmap(to, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    receivedPages_.insert(into);
    return false;
}

bool HostAllocator::trim(void* data, std::size_t bytes, std::size_t keep) {
    const std::size_t page = hostPageBytes();
    // `keep` must stay a mapping of its own too (release() unmaps it).
    if (!data || shared_.holds(data) || bytes < mapThreshold_ || keep < mapThreshold_ || keep % page != 0 ||
        keep >= bytes)
        return false;
    const std::size_t mapped = mappedLength(data, bytes);
    // A block on whole huge pages stays on whole huge pages (release()
    // unmaps its recorded length).
    const auto run = runBlocks_.find(data);
    const bool huge = run != runBlocks_.end() && run->second.huge;
    const std::size_t phase = huge ? run->second.phase : 0;
    const std::size_t kept = huge ? roundUp(keep + phase, kHostHugePageBytes) - phase : keep;
    if (kept >= mapped) return false;
    if (munmap(static_cast<std::byte*>(data) + kept, mapped - kept) != 0) return false;
    if (run != runBlocks_.end()) run->second.mapped = kept;
    return true;
}

}  // namespace interstage
