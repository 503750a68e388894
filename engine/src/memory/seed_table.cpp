#include "interstage/seed_table.h"

namespace interstage {

const std::vector<SeedRow>& seedTable() {
    // Copied from the tutorial's text (../shared/seed): the peaks under
    // each figure, the five CPU lines of each speed section.
    static const std::vector<SeedRow> rows = {
        {"default", "Default: every tensor its own memory", 557.2, {269, 178, 176, 177, 175}},
        {"reduce", "Reduce Interstage: allocated and freed per tensor", 176.4, {268, 253, 254, 255, 248}},
        {"reuse", "Reuse Interstage: tensors of equal size share memory", 296.8, {236, 167, 171, 169, 172}},
    };
    return rows;
}

std::string seedMethodNote() {
    return "method: the seed's peak is the whole process's memory as a profiler graphed it (Python and the SDK "
           "included); ours are this process's peak RSS and the bytes the engine itself tracked";
}

std::string seedSource() {
    return "the seed: ailia SDK tutorial (2021), U^2-Net-P 1x3x320x320, MacBookPro13 Core i5 2.3 GHz CPU, five runs "
           "per configuration, get_memory_mode(True, True, x, x)";
}

}  // namespace interstage
