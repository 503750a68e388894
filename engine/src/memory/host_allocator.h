// Host memory for tensors. Big blocks are mapped directly (mmap) so that
// freeing them returns the pages to the OS at once: glibc would otherwise
// keep them in its heap after raising its mmap threshold, and the process's
// resident memory would not show what a memory mode saves.
#pragma once

#include <cstddef>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "interstage/memory_budget.h"
#include "memory/shared_huge_pages.h"

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

// The most bytes of freed run blocks (BlockPages::WholeHuge) the allocator
// keeps for reuse by a later block of the run that fits in one (the
// smallest that does, cut to size): such a block skips mmap, its page
// faults, the kernel's zeroing and munmap. Small, so RSS still falls as
// tensors die; emptied at the end of each run (dropBlockCache).
constexpr std::size_t kHostBlockCacheBytes = std::size_t(8) << 20;

// How a block's pages are mapped: Exact maps its bytes to the page (what
// lasts a session: default mode's tensors, the arena's slab, where rounding
// every tensor up would add up); WholeHuge is a run block, one that lives a
// few steps of a run, where the faults of each run's re-mapping dominate:
// one of at least kHostWholeHugeMinBytes is rounded up to whole huge pages,
// and freed run blocks are reused (holdReleases(), the freed-block cache).
//
// Shared is a run block that nothing moves, moves pages into or cuts
// (TensorMemory knows): one under kHostWholeHugeMinBytes is carved from huge
// pages it shares with other small blocks (SharedHugePages), and from there
// up it is a WholeHuge block.
enum class BlockPages { Exact, WholeHuge, Shared };

// False when INTERSTAGE_NO_HAND_OVER is set (to anything but 0): run blocks
// released between two steps go back at once (HostAllocator::holdReleases).
bool hostHandOverEnabled();

// kHostBlockCacheBytes, or 0 when INTERSTAGE_NO_BLOCK_CACHE is set (to
// anything but 0): every freed block then goes straight back (A/B runs).
std::size_t hostBlockCacheBytes();

// False when INTERSTAGE_NO_HUGE_PAGES is set (to anything but 0): every
// block is then mapped with small pages, as before (A/B measurements).
bool hostHugePagesEnabled();

// `mapped` bytes (whole pages) starting `phase` bytes past a huge-page
// boundary, advised for transparent huge pages; nullptr when the OS refuses.
void* mapOnHugePages(std::size_t mapped, std::size_t phase);

// The OS page size (what mapped blocks and page moves are made of).
std::size_t hostPageBytes();

// Where a run block's pages lie and come from, for page moves (movePages).
struct BlockPlacement {
    // Where its start falls within a huge page: a block whose pages move to
    // an offset in another starts at that offset's phase, so that its 2 MiB
    // stretches land on 2 MiB boundaries there and move whole. Pages moved
    // off the boundary are split into small ones, and on a virtual machine
    // with shadow page tables every one of them then costs a trap on its
    // next touch (measured here: reading 25 MiB moved 1 MiB off the boundary
    // took 49 ms, against 1.2 ms when it lands on one).
    std::size_t phase = 0;
    // Pages move into it: fresh ones only. A freed block's resident pages
    // would sit where the moved ones arrive, held until the move replaces
    // them, above the bytes the tracker counts.
    bool freshPages = false;
};

class HostAllocator {
public:
    explicit HostAllocator(std::size_t mapThreshold = kHostMapThreshold, bool hugePages = hostHugePagesEnabled(),
                           std::size_t blockCacheBytes = hostBlockCacheBytes())
        : mapThreshold_(mapThreshold), hugePages_(hugePages), cacheLimit_(blockCacheBytes) {}
    ~HostAllocator() {
        endHold();
        dropBlockCache();
    }
    HostAllocator(const HostAllocator&) = delete;
    HostAllocator& operator=(const HostAllocator&) = delete;

    // nullptr when the system refuses (or an injected fault fires).
    void* allocate(std::size_t bytes, BlockPages pages = BlockPages::Exact, BlockPlacement placement = {});
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

    // Hand-over between two steps of a run (reduce modes): from
    // holdReleases() until endHold(), a released run block is held back,
    // and allocate() of a run block takes the smallest held one that is
    // long enough (its tail past the new length goes back at once) instead
    // of mapping fresh pages. No node runs between the releases after one
    // step and the allocations before the next, so during every node the
    // process holds what it would if the one block went back and the other
    // were mapped anew (once its producer wrote it); what is saved is the
    // kernel zeroing and faulting the pages in again, most of reduce mode's
    // cost. endHold() frees what no allocation took (to the cache or the
    // OS); takeHandedOverBytes() says how many bytes were handed over since
    // its last call.
    void holdReleases() {
        holding_ = handOver_;
        if (holding_) shared_.hold();
    }
    void endHold();
    std::size_t takeHandedOverBytes() { return std::exchange(handedOver_, 0); }
    // The most bytes of huge pages shared by small blocks since the last
    // call (SharedHugePages::takePeakBytes).
    std::size_t takeSharedPagePeak() { return shared_.takePeakBytes(); }

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
    struct FreeBlock {
        void* data;
        std::size_t mapped;
    };
    struct RunBlock {
        std::size_t mapped;
        bool huge;          // on whole huge pages: trims keep it so
        std::size_t phase;  // its start past a huge-page boundary (a page move's source): never reused
    };

    // The length of the mapping of an allocate()d block of `bytes`.
    std::size_t mappedLength(const void* data, std::size_t bytes) const;
    void* allocateRunBlock(std::size_t bytes, BlockPlacement placement);
    static std::optional<FreeBlock> takeBestFit(std::vector<FreeBlock>& blocks, std::size_t mapped);
    bool keepInCache(void* data, std::size_t mapped);

    std::size_t mapThreshold_;
    bool hugePages_;
    std::byte* reserved_ = nullptr;  // the rest of the reserve() region
    std::size_t reservedLeft_ = 0;
    // Run blocks in use, by address: their mapped length (past their bytes
    // where on whole huge pages) for release(), trim() and movePages().
    std::unordered_map<const void*, RunBlock> runBlocks_;
    // Blocks pages were moved into: several mappings, which a later page
    // move out of them would refuse, so they are never reused.
    std::unordered_set<const void*> receivedPages_;
    SharedHugePages shared_;        // BlockPages::Shared blocks under kHostWholeHugeMinBytes
    std::vector<FreeBlock> held_;   // released while holding
    std::vector<FreeBlock> cache_;  // oldest first
    bool handOver_ = hostHandOverEnabled();
    bool holding_ = false;
    std::size_t handedOver_ = 0;
    std::size_t cacheLimit_;
    std::size_t cachedBytes_ = 0;
    std::size_t cachePeak_ = 0;
    MemoryBudget budget_;
    int failCountdown_ = 0;
    int moveFailCountdown_ = 0;
};

}  // namespace interstage
