// Small blocks of a run carved from 2 MiB huge pages they share.
//
// A tensor under 1 MiB mapped on its own takes small pages, and each of
// them faults on first touch; on a virtual machine with shadow page tables
// such a fault costs about 10 us (here: PP-OCRv4 det in reduce mode took
// 870 of them per run for 3.4 MiB of fresh small tensors, 8 ms of 50).
// Rounding each small tensor up to a huge page of its own would take up to
// 2 MiB of resident memory per tensor instead. So small run blocks share
// huge pages ("slabs"): a block is a run of whole small pages in a slab, and
// a slab goes back to the OS as soon as its last block does, so the
// resident memory still falls as tensors die, to the 2 MiB.
#pragma once

#include <bitset>
#include <cstddef>
#include <unordered_map>
#include <vector>

namespace interstage {

class SharedHugePages {
public:
    static constexpr std::size_t kSlabBytes = std::size_t(2) << 20;

    SharedHugePages() = default;
    ~SharedHugePages();
    SharedHugePages(const SharedHugePages&) = delete;
    SharedHugePages& operator=(const SharedHugePages&) = delete;

    // A block of `bytes` (at most half a slab), page-aligned; nullptr when
    // the OS refuses a new slab.
    void* take(std::size_t bytes);
    // False when `data` is not a block of this (the caller frees it).
    bool give(void* data);
    // Between two steps a slab that empties is kept for the next step's
    // blocks (HostAllocator::holdReleases); endHold() gives back those
    // still empty.
    void hold() { holding_ = true; }
    void endHold();

    bool holds(const void* data) const { return blocks_.contains(data); }
    // Resident or not, the bytes of the slabs mapped now, and the most since
    // the last takePeakBytes().
    std::size_t slabBytes() const { return slabs_.size() * kSlabBytes; }
    std::size_t takePeakBytes();

private:
    static constexpr std::size_t kPagesPerSlab = 512;
    struct Slab {
        std::byte* base;
        std::bitset<kPagesPerSlab> used;
    };
    struct Block {
        std::byte* slab;
        std::size_t firstPage;
        std::size_t pages;
    };

    std::size_t pageBytes() const;
    Slab* newSlab();
    void dropEmpty();

    std::vector<Slab> slabs_;
    std::unordered_map<const void*, Block> blocks_;
    bool holding_ = false;
    std::size_t peakSlabs_ = 0;
};

}  // namespace interstage
