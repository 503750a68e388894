// Host memory for tensors. Big blocks are mapped directly (mmap) so that
// freeing them returns the pages to the OS at once: glibc would otherwise
// keep them in its heap after raising its mmap threshold, and the process's
// resident memory would not show what a memory mode saves.
#pragma once

#include <cstddef>
#include <unordered_map>
#include <utility>
#include <vector>

#include "interstage/memory_budget.h"

namespace interstage {

// Blocks of at least this many bytes are mapped; smaller ones come from
// aligned_alloc (64-byte aligned).
constexpr std::size_t kHostMapThreshold = 64 * 1024;

// Mapped blocks of at least this many bytes start on a huge-page boundary
// and are advised for transparent huge pages (madvise): a run that touches
// hundreds of MiB of fresh tensors takes a fault per 2 MiB, not per page.
constexpr std::size_t kHostHugePageBytes = std::size_t(2) << 20;

// Blocks a run allocates and frees step by step (BlockPages::WholeHuge)
// of at least this many bytes are mapped as whole huge pages, their length
// rounded up to 2 MiB. A small page costs a fault, and on a virtual machine
// a fault can cost 10 us (measured here: U^2-Net-P in reduce mode took
// 10,050 faults per run, 4K tails of big tensors and 1-2 MiB tensors among
// them); a 2 MiB huge page costs one. The price is resident memory: up to
// 2 MiB less a page per live block beyond its bytes (at most 2x for a
// 1 MiB block, 1.1x at 20 MiB); the tracked bytes stay the tensors' own.
constexpr std::size_t kHostWholeHugeMinBytes = std::size_t(1) << 20;

// The most bytes of freed mapped blocks the allocator keeps for reuse by
// the next block of the same size (reduce modes free and allocate tensors
// of the same sizes all run long): such a block skips mmap, its page
// faults, the kernel's zeroing and munmap. Small, so RSS still falls as
// tensors die; emptied at the end of each run (dropBlockCache). Only blocks
// on small pages are kept: remapping a huge-page block costs one fault per
// 2 MiB, so keeping it would hold much memory to save little.
constexpr std::size_t kHostBlockCacheBytes = std::size_t(8) << 20;

// How a block's pages are mapped: Exact maps its bytes to the page (what
// lasts a session: default mode's tensors, the arena's slab, where rounding
// every tensor up would add up); WholeHuge rounds a block of at least
// kHostWholeHugeMinBytes up to whole huge pages (blocks that live a few
// steps of a run, where the faults of each run's re-mapping dominate).
enum class BlockPages { Exact, WholeHuge };

// kHostBlockCacheBytes, or 0 when INTERSTAGE_NO_BLOCK_CACHE is set (to
// anything but 0): every freed block then goes straight back (A/B runs).
std::size_t hostBlockCacheBytes();

// False when INTERSTAGE_NO_HUGE_PAGES is set (to anything but 0): every
// block is then mapped with small pages, as before (A/B measurements).
bool hostHugePagesEnabled();

// The OS page size (what mapped blocks and page moves are made of).
std::size_t hostPageBytes();

class HostAllocator {
public:
    explicit HostAllocator(std::size_t mapThreshold = kHostMapThreshold, bool hugePages = hostHugePagesEnabled(),
                           std::size_t blockCacheBytes = hostBlockCacheBytes())
        : mapThreshold_(mapThreshold), hugePages_(hugePages), cacheLimit_(blockCacheBytes) {}
    ~HostAllocator() { dropBlockCache(); }
    HostAllocator(const HostAllocator&) = delete;
    HostAllocator& operator=(const HostAllocator&) = delete;

    // nullptr when the system refuses (or an injected fault fires).
    void* allocate(std::size_t bytes, BlockPages pages = BlockPages::Exact);
    void release(void* data, std::size_t bytes);

    // Set-up of many lasting blocks at once (default mode's tensors, reuse
    // mode's buffers, all mapped before the first run): reserve() maps one
    // region on huge pages, `bytes` long (reservedLength() of each block,
    // summed), and the Exact blocks allocated until endReserve() are carved
    // from it in turn, each on whole small pages of its own, so release(),
    // trim() and movePages() treat it as a mapping of its own. The region's
    // 2 MiB stretches then cross tensor boundaries: the first run takes a
    // fault per 2 MiB, not one per page of each tensor (det at 640^2: 14,100
    // faults in its first run), for the same resident memory once every
    // tensor is written. endReserve() gives back what was not handed out.
    std::size_t reservedLength(std::size_t bytes) const;
    void reserve(std::size_t bytes);
    void endReserve();

    // Moves the pages of the block `from` (allocate()d, `bytes` long, a
    // whole number of pages) to `offset` in the block `into` (allocate()d,
    // `intoBytes` long), replacing the pages there (mremap): no copy, no new
    // memory. `from` is gone afterwards; its pages are freed with `into`.
    // False when a block is not mapped (too small), the range is not
    // page-aligned or does not fit, or the OS refuses: `from` is unchanged,
    // the range in `into` is mapped (fresh pages if the refusal unmapped
    // it), and the caller copies instead. `from` must be one mapping, as
    // allocate() made it (not a block pages were moved into).
    bool movePages(void* from, std::size_t bytes, void* into, std::size_t intoBytes, std::size_t offset);

    // Gives back the tail of a block (allocate()d, `bytes` long) past its
    // first `keep` bytes, a whole number of pages; afterwards the block is
    // `keep` bytes long (release it as such). False, with nothing changed,
    // where the block is not mapped or `keep` is not page-aligned.
    bool trim(void* data, std::size_t bytes, std::size_t keep);

    // The freed-block cache: what it holds now, the most it held since the
    // last takeBlockCachePeak(), and giving every cached block back to the
    // OS (run ends, session ends).
    std::size_t blockCacheBytes() const { return cachedBytes_; }
    std::size_t takeBlockCachePeak();
    void dropBlockCache();

    // The run-time guard: the budget the tracked live bytes must stay
    // under (bytes 0: none). The allocator does not track; TensorMemory
    // asks before each buffer it allocates while a run goes (reduce modes,
    // control-flow bodies), so every executor sharing this allocator obeys
    // the same budget.
    void setBudget(MemoryBudget budget) { budget_ = std::move(budget); }
    const MemoryBudget& budget() const { return budget_; }

    // Fault injection for tests: the n-th allocation from now fails
    // (n >= 1); 0 turns it off. Page moves likewise.
    void failNthAllocation(int n) { failCountdown_ = n; }
    void failNthPageMove(int n) { moveFailCountdown_ = n; }

private:
    // The length of the mapping of an allocate()d block of `bytes`.
    std::size_t mappedLength(const void* data, std::size_t bytes) const;
    void* mapHuge(std::size_t mapped);
    void* reuseCached(std::size_t mapped);
    bool keepInCache(void* data, std::size_t mapped);

    std::size_t mapThreshold_;
    bool hugePages_;
    std::byte* reserved_ = nullptr;  // the rest of the reserve() region
    std::size_t reservedLeft_ = 0;
    struct CachedBlock {
        void* data;
        std::size_t mapped;
    };
    std::vector<CachedBlock> cache_;  // oldest first
    // Blocks mapped as whole huge pages, by address: their mapped length
    // (past their bytes) for release(), trim() and movePages().
    std::unordered_map<const void*, std::size_t> wholeHuge_;
    std::size_t cacheLimit_;
    std::size_t cachedBytes_ = 0;
    std::size_t cachePeak_ = 0;
    MemoryBudget budget_;
    int failCountdown_ = 0;
    int moveFailCountdown_ = 0;
};

}  // namespace interstage
