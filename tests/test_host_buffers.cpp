// Host buffers on huge pages: blocks of 2 MiB or more start on a huge-page
// boundary and are mapped exactly their page-rounded size, so the process's
// resident memory still counts them to the page; blocks a run re-maps
// (BlockPages::WholeHuge) of 1 MiB or more are rounded up to whole huge
// pages instead; page moves, trims and releases keep working on both, and a
// reduce-mode run still returns its tensors' memory between runs.
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
    // 2 MiB, never kept in the freed-block cache (re-mapping them costs a
    // fault per 2 MiB), and unmapped whole on release. Below 1 MiB a block
    // is mapped to the page and cached as before.
    void wholeHugeBlocksAreRoundedAndGoBack() {
        HostAllocator allocator(kHostMapThreshold, true, 8 * kMiB);
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
        fill(p, small, 1);
        allocator.release(p, small);
        QCOMPARE(allocator.blockCacheBytes(), small);
        void* exact = allocator.allocate(3 * kMiB);  // huge pages, exact: not cached either
        fill(exact, 3 * kMiB, 1);
        allocator.release(exact, 3 * kMiB);
        QCOMPARE(allocator.blockCacheBytes(), small);
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

    // The freed-block cache keeps the newest freed blocks up to its bound,
    // gives the oldest back past it, hands a block back out for the same
    // size only, reports the most it held, and drops everything at once.
    void freedBlockCacheIsBoundedAndReported() {
        const std::size_t bound = kMiB, block = 256 * 1024;
        HostAllocator allocator(kHostMapThreshold, true, bound);
        std::vector<void*> blocks;
        for (int i = 0; i < 6; ++i) blocks.push_back(allocator.allocate(block));
        for (void* p : blocks) fill(p, block, 9);
        for (void* p : blocks) {
            allocator.release(p, block);
            QVERIFY(allocator.blockCacheBytes() <= bound);
        }
        QCOMPARE(allocator.blockCacheBytes(), bound);
        QCOMPARE(pagesIn(blocks[0], block).mapped, std::size_t(0));  // the oldest went back
        QCOMPARE(pagesIn(blocks[5], block).resident, block);         // the newest is kept, resident
        void* again = allocator.allocate(block);
        QCOMPARE(again, blocks[5]);  // the most recently freed of that size
        QCOMPARE(allocator.blockCacheBytes(), bound - block);
        void* big = allocator.allocate(2 * kMiB);
        fill(big, 2 * kMiB, 1);
        allocator.release(big, 2 * kMiB);  // over the bound: straight back to the OS
        QCOMPARE(pagesIn(big, 2 * kMiB).mapped, std::size_t(0));
        QCOMPARE(allocator.takeBlockCachePeak(), bound);
        QCOMPARE(allocator.takeBlockCachePeak(), bound - block);  // the peak restarts from what is held
        allocator.dropBlockCache();
        QCOMPARE(allocator.blockCacheBytes(), std::size_t(0));
        for (int i = 2; i < 5; ++i) QCOMPARE(pagesIn(blocks[static_cast<size_t>(i)], block).mapped, std::size_t(0));
        allocator.release(again, block);
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
            QVERIFY2(after.back() + 8 * kMiB <= stats.peakRssBytes, qPrintable(figures));
            // From the third run on the process has settled (the first runs
            // also allocate the input, the kept output and the heap's own).
            if (run >= 2) QVERIFY2(after.back() < after[1] + kRunGrowthAllowance, qPrintable(figures));
        }
    }
};

QTEST_GUILESS_MAIN(TestHostBuffers)
#include "test_host_buffers.moc"
