// Host buffers on huge pages: blocks of 2 MiB or more start on a huge-page
// boundary and are mapped exactly their page-rounded size, so the process's
// resident memory still counts them to the page; blocks a run re-maps
// (BlockPages::WholeHuge) of 1 MiB or more are rounded up to whole huge
// pages instead, smaller ones share huge pages (BlockPages::Shared), and
// blocks freed between two steps pass to the next step's; page moves,
// trims and releases keep working on all, and a reduce-mode run still
// returns its tensors' memory between runs.
#include <sys/mman.h>

#include <QtTest>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "interstage/memory.h"
#include "interstage/session.h"
#include "memory/host_allocator.h"
#include "test_support.h"

using namespace interstage;

namespace {

constexpr std::size_t kMiB = std::size_t(1) << 20;

std::size_t pageRounded(std::size_t bytes) {
    const std::size_t page = hostPageBytes();
    return (bytes + page - 1) / page * page;
}

// The /proc/self/smaps entry of the mapping that holds `p`: its range and
// its resident bytes. {0, 0, 0} when no mapping holds it.
struct Mapping {
    std::uintptr_t start = 0, end = 0;
    std::size_t rssBytes = 0;
};

Mapping mappingOf(const void* p) {
    const auto at = reinterpret_cast<std::uintptr_t>(p);
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    Mapping found;
    bool inside = false;
    while (std::getline(smaps, line)) {
        std::uintptr_t start = 0, end = 0;
        char dash = 0;
        std::istringstream head(line);
        if (head >> std::hex >> start >> dash >> end && dash == '-') {
            if (inside) break;  // the next mapping begins: ours is read
            inside = start <= at && at < end;
            if (inside) found = {start, end, 0};
            continue;
        }
        if (inside && line.rfind("Rss:", 0) == 0) found.rssBytes = std::stoull(line.substr(4)) * 1024;
    }
    return found;
}

// Pages of [p, p + bytes) that are mapped, and of those the resident ones
// (mincore: it refuses a range with an unmapped page, so page by page).
struct Pages {
    std::size_t mapped = 0, resident = 0;
};

Pages pagesIn(const void* p, std::size_t bytes) {
    const std::size_t page = hostPageBytes();
    Pages out;
    for (std::size_t at = 0; at < bytes; at += page) {
        unsigned char in = 0;
        if (mincore(const_cast<unsigned char*>(static_cast<const unsigned char*>(p)) + at, page, &in) != 0) continue;
        out.mapped += page;
        if (in & 1) out.resident += page;
    }
    return out;
}

void fill(void* p, std::size_t bytes, unsigned char value) { std::memset(p, value, bytes); }

bool allBytes(const void* p, std::size_t bytes, unsigned char value) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < bytes; ++i)
        if (b[i] != value) return false;
    return true;
}

}  // namespace

class TestHostBuffers : public QObject {
    Q_OBJECT

private slots:
    // Aligned to 2 MiB, mapped exactly the page-rounded size (the slack
    // reserved for the alignment is gone), and resident to the page once
    // written: huge pages never make RSS count more than the block.
    void hugeBlocksAreAlignedAndExact() {
        HostAllocator allocator(kHostMapThreshold, true, 0);
        for (std::size_t bytes : {2 * kMiB, 5 * kMiB + 123, 9 * kMiB + 4096}) {
            void* p = allocator.allocate(bytes);
            QVERIFY(p);
            QCOMPARE(reinterpret_cast<std::uintptr_t>(p) % kHostHugePageBytes, std::uintptr_t(0));
            const Mapping m = mappingOf(p);
            QCOMPARE(m.start, reinterpret_cast<std::uintptr_t>(p));
            QCOMPARE(std::size_t(m.end - m.start), pageRounded(bytes));
            QCOMPARE(m.rssBytes, std::size_t(0));  // nothing touched yet
            fill(p, bytes, 0x5a);
            QCOMPARE(mappingOf(p).rssBytes, pageRounded(bytes));
            allocator.release(p, bytes);
            QCOMPARE(mappingOf(p).end, std::uintptr_t(0));  // unmapped: its pages went back
        }
    }

    // Below 2 MiB, and with huge pages off, blocks are mapped as before.
    void smallOrPlainBlocksAreOrdinary() {
        HostAllocator huge(kHostMapThreshold, true, 0), plain(kHostMapThreshold, false, 0);
        for (HostAllocator* allocator : {&huge, &plain}) {
            const std::size_t bytes = allocator == &huge ? kMiB : 3 * kMiB;
            void* p = allocator->allocate(bytes);
            QVERIFY(p);
            QCOMPARE(pagesIn(p, bytes).mapped, pageRounded(bytes));
            fill(p, bytes, 1);
            // Counted page by page: the kernel may merge the mapping with a
            // neighbour (ASan's own mappings do), so smaps' total is not its own.
            QCOMPARE(pagesIn(p, bytes).resident, pageRounded(bytes));
            allocator->release(p, bytes);
        }
    }

    // A page move onto an offset that is page- but not huge-page-aligned,
    // then a trim, then the release: the data arrives, the rest of the
    // block is intact, and each step leaves the mapping the right size.
    void movesAndTrimsWorkOnHugeBlocks() {
        HostAllocator allocator(kHostMapThreshold, true, 0);
        const std::size_t page = hostPageBytes();
        const std::size_t intoBytes = 8 * kMiB, fromBytes = 3 * kMiB, offset = 2 * kMiB + page;
        auto* into = static_cast<unsigned char*>(allocator.allocate(intoBytes));
        auto* from = static_cast<unsigned char*>(allocator.allocate(fromBytes));
        QVERIFY(into && from);
        fill(into, intoBytes, 0x11);
        fill(from, fromBytes, 0x77);
        QVERIFY(allocator.movePages(from, fromBytes, into, intoBytes, offset));
        QVERIFY(allBytes(into, offset, 0x11));
        QVERIFY(allBytes(into + offset, fromBytes, 0x77));
        QVERIFY(allBytes(into + offset + fromBytes, intoBytes - offset - fromBytes, 0x11));
        QCOMPARE(pagesIn(from, fromBytes).mapped, std::size_t(0));  // the source mapping is gone
        QCOMPARE(pagesIn(into, intoBytes).resident, intoBytes);     // no page lost, none doubled
        const std::size_t keep = 4 * kMiB + page;
        QVERIFY(allocator.trim(into, intoBytes, keep));
        QCOMPARE(pagesIn(into, keep).resident, keep);
        QCOMPARE(pagesIn(into + keep, intoBytes - keep).mapped, std::size_t(0));  // the tail went back
        QVERIFY(allBytes(into, offset, 0x11));
        QVERIFY(allBytes(into + offset, keep - offset, 0x77));
        allocator.release(into, keep);
        QCOMPARE(pagesIn(into, intoBytes).mapped, std::size_t(0));
    }

    // Whole-huge blocks: from 1 MiB up, aligned and mapped to the next
    // 2 MiB, and unmapped whole on release where the freed-block cache has
    // no room (here: none). Below 1 MiB a block is mapped to the page.
    void wholeHugeBlocksAreRoundedAndGoBack() {
        HostAllocator allocator(kHostMapThreshold, true, 0);
        for (std::size_t bytes : {kMiB, kMiB + kMiB / 2 + 123, 5 * kMiB + 4096}) {
            const std::size_t rounded = (bytes + kHostHugePageBytes - 1) / kHostHugePageBytes * kHostHugePageBytes;
            void* p = allocator.allocate(bytes, BlockPages::WholeHuge);
            QVERIFY(p);
            QCOMPARE(reinterpret_cast<std::uintptr_t>(p) % kHostHugePageBytes, std::uintptr_t(0));
            QCOMPARE(pagesIn(p, rounded).mapped, rounded);
            fill(p, bytes, 0x3c);
            allocator.release(p, bytes);
            QCOMPARE(allocator.blockCacheBytes(), std::size_t(0));
            QCOMPARE(pagesIn(p, rounded).mapped, std::size_t(0));
        }
        const std::size_t small = 512 * 1024;
        void* p = allocator.allocate(small, BlockPages::WholeHuge);
        QCOMPARE(pagesIn(p, small).mapped, small);
        allocator.release(p, small);
        QCOMPARE(pagesIn(p, small).mapped, std::size_t(0));
    }

    // Between two steps (holdReleases .. endHold) a freed run block goes to
    // the next allocation that fits in it, cut to that one's length: the
    // same pages, still resident, the rest unmapped at once; what nobody
    // took goes back at endHold (no cache here). Outside a hold, nothing is
    // handed over.
    void blocksFreedBetweenStepsAreHandedOver() {
        HostAllocator allocator(kHostMapThreshold, true, 0);
        const std::size_t big = 9 * kMiB, next = 5 * kMiB, other = 3 * kMiB;
        auto* a = static_cast<unsigned char*>(allocator.allocate(big, BlockPages::WholeHuge));
        auto* b = static_cast<unsigned char*>(allocator.allocate(other, BlockPages::WholeHuge));
        fill(a, big, 7);
        fill(b, other, 8);
        allocator.holdReleases();
        allocator.release(a, big);
        allocator.release(b, other);
        QCOMPARE(pagesIn(a, 10 * kMiB).resident, 10 * kMiB);  // held, not gone
        // A block pages will move into takes fresh pages: resident ones
        // there would be held, untracked, until the move replaced them.
        void* destination = allocator.allocate(other, BlockPages::WholeHuge, {0, true});
        QVERIFY(destination != a && destination != b);
        QCOMPARE(pagesIn(destination, other).resident, std::size_t(0));
        QCOMPARE(allocator.takeHandedOverBytes(), std::size_t(0));
        allocator.release(destination, other);  // held as well
        auto* c = static_cast<unsigned char*>(allocator.allocate(next, BlockPages::WholeHuge));
        QCOMPARE(c, a);                                     // the smallest that fits is a (b is too short)
        QCOMPARE(pagesIn(c, 10 * kMiB).mapped, 6 * kMiB);   // cut to 5 MiB on whole huge pages
        QCOMPARE(pagesIn(c, 6 * kMiB).resident, 6 * kMiB);  // no fault to come
        QCOMPARE(allocator.takeHandedOverBytes(), 6 * kMiB);
        QCOMPARE(allocator.takeHandedOverBytes(), std::size_t(0));
        allocator.endHold();
        QCOMPARE(pagesIn(b, other).mapped, std::size_t(0));  // nobody took b: back to the OS
        allocator.release(c, next);
        void* d = allocator.allocate(next, BlockPages::WholeHuge);  // no hold now: fresh pages
        QCOMPARE(pagesIn(d, 6 * kMiB).resident, std::size_t(0));
        QCOMPARE(allocator.takeHandedOverBytes(), std::size_t(0));
        allocator.release(d, next);
    }

    // Small run blocks that nothing moves or cuts (BlockPages::Shared)
    // share 2 MiB huge pages: two of them lie in one huge page, page-aligned
    // and apart; the huge page goes back with the last of them, and one
    // block freed between steps leaves its huge page for the next step.
    void smallRunBlocksShareHugePages() {
        HostAllocator allocator(kHostMapThreshold, true, 0);
        const std::size_t one = 300 * 1024 + 5, two = 600 * 1024;
        auto* a = static_cast<unsigned char*>(allocator.allocate(one, BlockPages::Shared));
        auto* b = static_cast<unsigned char*>(allocator.allocate(two, BlockPages::Shared));
        QVERIFY(a && b);
        const auto slab = reinterpret_cast<std::uintptr_t>(a) / kHostHugePageBytes;
        QCOMPARE(reinterpret_cast<std::uintptr_t>(b) / kHostHugePageBytes, slab);
        QCOMPARE(reinterpret_cast<std::uintptr_t>(a) % hostPageBytes(), std::uintptr_t(0));
        QVERIFY(b >= a + pageRounded(one) || a >= b + two);
        fill(a, one, 1);
        fill(b, two, 2);
        QVERIFY(allBytes(a, one, 1));
        QCOMPARE(allocator.takeSharedPagePeak(), kHostHugePageBytes);
        allocator.release(a, one);
        QVERIFY(allBytes(b, two, 2));
        auto* base = reinterpret_cast<unsigned char*>(slab * kHostHugePageBytes);
        QCOMPARE(pagesIn(base, kHostHugePageBytes).mapped, kHostHugePageBytes);  // b still in it
        allocator.holdReleases();
        allocator.release(b, two);
        QCOMPARE(pagesIn(base, kHostHugePageBytes).mapped, kHostHugePageBytes);  // empty, held for the next step
        void* c = allocator.allocate(two, BlockPages::Shared);
        QCOMPARE(reinterpret_cast<std::uintptr_t>(c) / kHostHugePageBytes, slab);
        allocator.endHold();
        allocator.release(c, two);
        QCOMPARE(pagesIn(base, kHostHugePageBytes).mapped, std::size_t(0));  // the last one out: unmapped
        // From 1 MiB up a Shared block is a whole-huge block of its own.
        void* big = allocator.allocate(kMiB, BlockPages::Shared);
        QCOMPARE(pagesIn(big, kHostHugePageBytes).mapped, kHostHugePageBytes);
        allocator.release(big, kMiB);
        QCOMPARE(pagesIn(big, kHostHugePageBytes).mapped, std::size_t(0));
    }

    // A run block with a phase starts that far past a huge-page boundary,
    // so a page move to an offset of the same phase lands its 2 MiB
    // stretches on 2 MiB boundaries; the move keeps the data, and the
    // source's mapping ends on a huge-page boundary.
    void phasedBlocksMoveOntoHugePageBoundaries() {
        HostAllocator allocator(kHostMapThreshold, true, 0);
        const std::size_t intoBytes = 52 * kMiB, fromBytes = 25 * kMiB, offset = 25 * kMiB;
        auto* into = static_cast<unsigned char*>(allocator.allocate(intoBytes, BlockPages::WholeHuge));
        auto* from = static_cast<unsigned char*>(allocator.allocate(fromBytes, BlockPages::WholeHuge, {offset}));
        QVERIFY(into && from);
        QCOMPARE(reinterpret_cast<std::uintptr_t>(into) % kHostHugePageBytes, std::uintptr_t(0));
        QCOMPARE(reinterpret_cast<std::uintptr_t>(from) % kHostHugePageBytes, offset % kHostHugePageBytes);
        QCOMPARE(pagesIn(from, fromBytes).mapped, fromBytes);  // 1 MiB head + 12 huge pages, to the boundary
        QCOMPARE(reinterpret_cast<std::uintptr_t>(from + fromBytes) % kHostHugePageBytes, std::uintptr_t(0));
        fill(into, offset, 0x11);
        fill(from, fromBytes, 0x66);
        QVERIFY(allocator.movePages(from, fromBytes, into, intoBytes, offset));
        QVERIFY(allBytes(into, offset, 0x11));
        QVERIFY(allBytes(into + offset, fromBytes, 0x66));
        QCOMPARE(pagesIn(from, fromBytes).mapped, std::size_t(0));
        allocator.release(into, intoBytes);
    }

    // A whole-huge source of a page move leaves nothing mapped behind (its
    // rounding rest goes too); a trim keeps whole huge pages and refuses
    // where the kept bytes round up to the whole block.
    void wholeHugeMovesAndTrims() {
        HostAllocator allocator(kHostMapThreshold, true, 0);
        const std::size_t page = hostPageBytes();
        const std::size_t fromBytes = kMiB + kMiB / 2, intoBytes = 4 * kMiB;
        auto* from = static_cast<unsigned char*>(allocator.allocate(fromBytes, BlockPages::WholeHuge));
        auto* into = static_cast<unsigned char*>(allocator.allocate(intoBytes));
        QVERIFY(from && into);
        fill(from, fromBytes, 0x42);
        fill(into, intoBytes, 0x24);
        QVERIFY(allocator.movePages(from, fromBytes, into, intoBytes, page));
        QVERIFY(allBytes(into, page, 0x24));
        QVERIFY(allBytes(into + page, fromBytes, 0x42));
        QCOMPARE(pagesIn(from, kHostHugePageBytes).mapped, std::size_t(0));
        allocator.release(into, intoBytes);

        const std::size_t bytes = 5 * kMiB;
        auto* block = static_cast<unsigned char*>(allocator.allocate(bytes, BlockPages::WholeHuge));
        fill(block, bytes, 7);
        QVERIFY(!allocator.trim(block, bytes, 5 * kMiB - page));  // rounds up to the 6 MiB it has
        QCOMPARE(pagesIn(block, 6 * kMiB).mapped, 6 * kMiB);
        QVERIFY(allocator.trim(block, bytes, 3 * kMiB));
        QCOMPARE(pagesIn(block, 4 * kMiB).mapped, 4 * kMiB);
        QCOMPARE(pagesIn(block + 4 * kMiB, 2 * kMiB).mapped, std::size_t(0));
        QVERIFY(allBytes(block, 3 * kMiB, 7));
        allocator.release(block, 3 * kMiB);
        QCOMPARE(pagesIn(block, 6 * kMiB).mapped, std::size_t(0));
    }

    // Blocks allocated inside reserve() are carved one after another from
    // one huge-page region, each on pages of its own: releasing one unmaps
    // its pages only, endReserve() gives back what was not handed out, and
    // small blocks (under the map threshold) still come from the heap.
    void reservedBlocksAreCarvedOnTheirOwnPages() {
        HostAllocator allocator(kHostMapThreshold, true, 0);
        const std::size_t page = hostPageBytes();
        const std::size_t a = 3 * kMiB + 100, b = 200 * 1024, tiny = 1000, unused = 5 * kMiB;
        allocator.reserve(allocator.reservedLength(a) + allocator.reservedLength(b) + allocator.reservedLength(tiny) +
                          unused);
        QCOMPARE(allocator.reservedLength(tiny), std::size_t(0));
        auto* pa = static_cast<unsigned char*>(allocator.allocate(a));
        auto* pt = static_cast<unsigned char*>(allocator.allocate(tiny));
        auto* pb = static_cast<unsigned char*>(allocator.allocate(b));
        QVERIFY(pa && pt && pb);
        QCOMPARE(reinterpret_cast<std::uintptr_t>(pa) % kHostHugePageBytes, std::uintptr_t(0));
        QCOMPARE(pb, pa + pageRounded(a));  // carved in turn
        QVERIFY(pt < pa || pt >= pb + pageRounded(b));
        allocator.endReserve();
        QCOMPARE(pagesIn(pb + pageRounded(b), unused).mapped, std::size_t(0));
        fill(pa, a, 1);
        fill(pb, b, 2);
        fill(pt, tiny, 3);
        allocator.release(pa, a);
        QCOMPARE(pagesIn(pa, pageRounded(a)).mapped, std::size_t(0));
        QCOMPARE(pagesIn(pb, pageRounded(b)).resident, pageRounded(b));
        QVERIFY(allBytes(pb, b, 2));
        allocator.release(pb, b);
        QCOMPARE(pagesIn(pb, page).mapped, std::size_t(0));
        allocator.release(pt, tiny);
        // After endReserve() blocks are mapped on their own again.
        void* alone = allocator.allocate(b);
        QVERIFY(alone != pb);
        allocator.release(alone, b);
    }

    // Refusals stay refusals on huge blocks: a range that is not page
    // aligned or does not fit moves nothing and changes nothing.
    void badMovesAndTrimsAreRefused() {
        HostAllocator allocator(kHostMapThreshold, true, 0);
        const std::size_t bytes = 4 * kMiB;
        auto* into = static_cast<unsigned char*>(allocator.allocate(bytes));
        auto* from = static_cast<unsigned char*>(allocator.allocate(bytes));
        fill(into, bytes, 3);
        fill(from, bytes, 4);
        QVERIFY(!allocator.movePages(from, bytes, into, bytes, 100));
        QVERIFY(!allocator.movePages(from, bytes, into, bytes, hostPageBytes()));
        QVERIFY(!allocator.trim(into, bytes, 100));
        QVERIFY(allBytes(into, bytes, 3));
        QVERIFY(allBytes(from, bytes, 4));
        QCOMPARE(pagesIn(into, bytes).resident, bytes);
        QCOMPARE(pagesIn(from, bytes).resident, bytes);
        allocator.release(into, bytes);
        allocator.release(from, bytes);
    }

    // The freed-block cache keeps the newest freed run blocks up to its
    // bound, gives the oldest back past it, hands out the smallest block
    // that fits (the most recently freed among equals, cut to size),
    // reports the most it held, and drops everything at once.
    void freedBlockCacheIsBoundedAndReported() {
        const std::size_t bound = kMiB, block = 256 * 1024;
        HostAllocator allocator(kHostMapThreshold, true, bound);
        std::vector<void*> blocks;
        for (int i = 0; i < 6; ++i) blocks.push_back(allocator.allocate(block, BlockPages::WholeHuge));
        for (void* p : blocks) fill(p, block, 9);
        for (void* p : blocks) {
            allocator.release(p, block);
            QVERIFY(allocator.blockCacheBytes() <= bound);
        }
        QCOMPARE(allocator.blockCacheBytes(), bound);
        QCOMPARE(pagesIn(blocks[0], block).mapped, std::size_t(0));  // the oldest went back
        QCOMPARE(pagesIn(blocks[5], block).resident, block);         // the newest is kept, resident
        void* again = allocator.allocate(block, BlockPages::WholeHuge);
        QCOMPARE(again, blocks[5]);  // the most recently freed of that size
        QCOMPARE(allocator.blockCacheBytes(), bound - block);
        void* shorter = allocator.allocate(block / 2, BlockPages::WholeHuge);
        QCOMPARE(shorter, blocks[4]);  // cut to size: its second half went back
        QCOMPARE(pagesIn(blocks[4], block).mapped, block / 2);
        QCOMPARE(allocator.blockCacheBytes(), bound - 2 * block);
        void* big = allocator.allocate(2 * kMiB, BlockPages::WholeHuge);
        fill(big, 2 * kMiB, 1);
        allocator.release(big, 2 * kMiB);  // over the bound: straight back to the OS
        QCOMPARE(pagesIn(big, 2 * kMiB).mapped, std::size_t(0));
        void* lasting = allocator.allocate(block);  // Exact: never cached
        allocator.release(lasting, block);
        QCOMPARE(allocator.blockCacheBytes(), bound - 2 * block);
        QCOMPARE(allocator.takeBlockCachePeak(), bound);
        QCOMPARE(allocator.takeBlockCachePeak(), bound - 2 * block);  // the peak restarts from what is held
        allocator.dropBlockCache();
        QCOMPARE(allocator.blockCacheBytes(), std::size_t(0));
        for (int i = 2; i < 4; ++i) QCOMPARE(pagesIn(blocks[static_cast<size_t>(i)], block).mapped, std::size_t(0));
        allocator.release(again, block);
        allocator.release(shorter, block / 2);
    }

    // Reduce mode on huge pages keeps its meaning: each run's resident peak
    // holds its tensors (the 16 MiB r1 with the 8 MiB y2), and after the
    // run they are back with the OS: RSS falls at least 8 MiB from the peak
    // and does not grow from run to run.
    void reduceRunsStillReturnTheirMemory() {
#if defined(__SANITIZE_ADDRESS__)
        // ASan's quarantine keeps freed heap blocks from reuse (256 MiB by
        // default), so its heap grows from run to run by design (4.8 MiB
        // here); the tensors' mapped blocks must still go back.
        constexpr std::size_t kRunGrowthAllowance = 16 * kMiB;
#else
        constexpr std::size_t kRunGrowthAllowance = 2 * kMiB;
#endif
        SessionOptions options;
        options.threads = 2;
        options.mode = MemoryMode::parse("reduce").value();
        auto session = Session::create(testsupport::bigConvChain(), options);
        QVERIFY2(session.ok(), qPrintable(QString::fromStdString(session.status().toString())));
        std::vector<std::size_t> after;
        for (int run = 0; run < 5; ++run) {
            const std::size_t before = processResidentBytes();
            RunStats stats;
            QVERIFY(session.value()->run({}, &stats).isOk());
            after.push_back(processResidentBytes());
            const QString figures = QString("run %1: before %2, peak %3, after %4, after run 2 %5")
                                        .arg(run + 1)
                                        .arg(before)
                                        .arg(stats.peakRssBytes)
                                        .arg(after.back())
                                        .arg(after.size() > 1 ? after[1] : 0);
            QVERIFY2(stats.peakRssBytes >= before + 8 * kMiB, qPrintable(figures));
            QVERIFY(stats.peakBlockCacheBytes <= kHostBlockCacheBytes);
            QVERIFY2(stats.handedOverBytes > 0, qPrintable(figures));  // the chain's blocks pass step to step
            QVERIFY2(after.back() + 8 * kMiB <= stats.peakRssBytes, qPrintable(figures));
            // From the third run on the process has settled (the first runs
            // also allocate the input, the kept output and the heap's own).
            if (run >= 2) QVERIFY2(after.back() < after[1] + kRunGrowthAllowance, qPrintable(figures));
        }
    }
};

QTEST_GUILESS_MAIN(TestHostBuffers)
#include "test_host_buffers.moc"
