#include "memory/shared_huge_pages.h"

#include <sys/mman.h>

#include <algorithm>

#include "memory/host_allocator.h"

namespace interstage {

SharedHugePages::~SharedHugePages() {
    for (const Slab& slab : slabs_) munmap(slab.base, kSlabBytes);
}

std::size_t SharedHugePages::pageBytes() const { return hostPageBytes(); }

SharedHugePages::Slab* SharedHugePages::newSlab() {
    void* base = mapOnHugePages(kSlabBytes, 0);
    if (!base) return nullptr;
    slabs_.push_back({static_cast<std::byte*>(base), {}});
    peakSlabs_ = std::max(peakSlabs_, slabs_.size());
    return &slabs_.back();
}

// First fit, slab by slab: the lowest free run of pages long enough.
void* SharedHugePages::take(std::size_t bytes) {
    const std::size_t page = pageBytes();
    const std::size_t slabPages = std::min(kPagesPerSlab, kSlabBytes / page);
    const std::size_t pages = (bytes + page - 1) / page;
    if (pages == 0 || pages > slabPages / 2) return nullptr;
    auto carve = [&](Slab& slab) -> void* {
        std::size_t run = 0;
        for (std::size_t p = 0; p < slabPages; ++p) {
            run = slab.used[p] ? 0 : run + 1;
            if (run < pages) continue;
            const std::size_t first = p + 1 - pages;
            for (std::size_t q = first; q <= p; ++q) slab.used.set(q);
            std::byte* data = slab.base + first * page;
            blocks_[data] = {slab.base, first, pages};
            return data;
        }
        return nullptr;
    };
    for (Slab& slab : slabs_)
        if (void* data = carve(slab)) return data;
    Slab* slab = newSlab();
    return slab ? carve(*slab) : nullptr;
}

bool SharedHugePages::give(void* data) {
    const auto found = blocks_.find(data);
    if (found == blocks_.end()) return false;
    const Block block = found->second;
    blocks_.erase(found);
    const auto slab = std::find_if(slabs_.begin(), slabs_.end(), [&](const Slab& s) { return s.base == block.slab; });
    for (std::size_t q = block.firstPage; q < block.firstPage + block.pages; ++q) slab->used.reset(q);
    if (!holding_ && slab->used.none()) {
        munmap(slab->base, kSlabBytes);
        slabs_.erase(slab);
    }
    return true;
}

void SharedHugePages::endHold() {
    holding_ = false;
    dropEmpty();
}

void SharedHugePages::dropEmpty() {
    std::erase_if(slabs_, [](const Slab& slab) {
        if (slab.used.any()) return false;
        munmap(slab.base, kSlabBytes);
        return true;
    });
}

std::size_t SharedHugePages::takePeakBytes() {
    const std::size_t peak = peakSlabs_ * kSlabBytes;
    peakSlabs_ = slabs_.size();
    return peak;
}

}  // namespace interstage
