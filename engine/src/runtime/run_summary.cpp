#include "interstage/run_summary.h"

#include <algorithm>

namespace interstage {

double medianOf(std::vector<double> values) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    return values[(values.size() - 1) / 2];
}

RunSetSummary summarizeRuns(const std::vector<const RunStats*>& runs) {
    RunSetSummary s;
    if (runs.empty()) return s;
    s.firstMs = runs.front()->ms;
    std::vector<double> ms, allocations;
    for (size_t i = runs.size() > 1 ? 1 : 0; i < runs.size(); ++i) {
        ms.push_back(runs[i]->ms);
        allocations.push_back(runs[i]->allocations);
    }
    s.steadyMedianMs = medianOf(ms);
    s.steadyAllocations = medianOf(allocations);
    for (const RunStats* r : runs) {
        s.peakTrackedBytes = std::max(s.peakTrackedBytes, r->peakTrackedBytes);
        s.peakRssBytes = std::max(s.peakRssBytes, r->peakRssBytes);
        s.peakActivationBytes = std::max(s.peakActivationBytes, r->peakActivationBytes);
        s.peakDeviceHeapBytes = std::max(s.peakDeviceHeapBytes, r->peakDeviceHeapBytes);
        s.fallbackTransfers = std::max(s.fallbackTransfers, r->fallbackTransfers);
    }
    return s;
}

}  // namespace interstage
