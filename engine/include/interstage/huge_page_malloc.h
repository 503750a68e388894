// malloc on transparent huge pages for the whole process: the weights a
// model load parses, copies and packs (61 MiB on densenet121, three times
// over) are otherwise faulted in 4 KiB at a time, and where a fault costs
// 10-20 us (virtual machines) that is most of the time to the first result.
#pragma once

namespace interstage {

// glibc reads its tunables once, before main, so malloc's huge-page
// tunable (glibc.malloc.hugetlb=1: malloc advises what it maps for
// transparent huge pages) can only be turned on by starting the program
// again with it in GLIBC_TUNABLES. Call first thing in main, with main's
// argv. Returns (and the program goes on as it is) where the tunable is set
// already (by this restart or by the user), where INTERSTAGE_NO_HUGE_PAGES
// turns huge pages off, where the kernel has transparent huge pages off,
// or where the restart fails; otherwise it does not return.
void restartWithHugePageMalloc(char** argv);

// Whether this process's malloc was started with the tunable set.
bool mallocOnHugePages();

}  // namespace interstage
