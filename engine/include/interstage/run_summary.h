// One summary of a run set (N runs of one configuration), the same in the
// CLI's compare table and the app's charts: the first run apart, the
// steady runs (2..N; run 1 when it is alone) by their median.
#pragma once

#include <cstddef>
#include <vector>

#include "interstage/run_stats.h"

namespace interstage {

struct RunSetSummary {
    double firstMs = 0;
    double steadyMedianMs = 0;
    double steadyAllocations = 0;  // median allocations of a steady run
    std::size_t peakTrackedBytes = 0;
    std::size_t peakRssBytes = 0;
    std::size_t peakActivationBytes = 0;
    std::size_t peakDeviceHeapBytes = 0;
    int fallbackTransfers = 0;  // the most of one run
};

RunSetSummary summarizeRuns(const std::vector<const RunStats*>& runs);

// The median of the values (the lower middle one of an even count); 0 when
// there are none.
double medianOf(std::vector<double> values);

}  // namespace interstage
