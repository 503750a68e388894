// The table of the SDK tutorial the project grows from (ailia SDK,
// "省メモリモード", 2021; ../shared/seed): U^2-Net-P's peak memory and CPU
// times in its three configurations, for showing beside our own runs of
// the same presets (`compare --seed-table`, the app's View > The Seed's
// Table).
#pragma once

#include <string>
#include <vector>

#include "interstage/memory.h"

namespace interstage {

struct SeedRow {
    const char* preset;         // the memoryPresets() name of the same configuration
    const char* description;    // as the tutorial titles it
    double peakMB = 0;          // "最大メモリ使用量", as printed (MB)
    std::vector<double> cpuMs;  // "ailia processing time" of its five CPU runs, in order
};

// Default (557.2 MB), Reduce Interstage (176.4 MB), Reuse Interstage
// (296.8 MB), each with get_memory_mode(True, True, x, x).
const std::vector<SeedRow>& seedTable();

// What the tutorial measured and how ours differs, in one line.
std::string seedMethodNote();
// Where its numbers come from (machine, model, size).
std::string seedSource();

}  // namespace interstage
