// Every tensor of a plan alive at one step and the bytes each adds to that
// step's live total, counted as interstage/live_peak.h counts them (hosts
// stretched over their Concat members, members and in-place writes once,
// pages not moved in yet not held): the per-tensor breakdown the peak
// explanation lists, so that its rows sum to the live peak.
#pragma once

#include <cstddef>
#include <vector>

#include "interstage/run_stats.h"

namespace interstage {

struct LiveAtStep {
    std::size_t index = 0;    // into the map
    std::size_t counted = 0;  // bytes it adds to the step's total
    // The counted tensor whose bytes hold it (a Concat member, a tensor
    // written in place); -1: counted in its own bytes.
    long host = -1;
};

// (Named apart from interstage::liveTensorsAtStep in interstage/live_peak.h,
// the same live set without hosts, which the app's step-through lists.)
std::vector<LiveAtStep> liveAtStepWithHosts(const std::vector<TensorPlacement>& map, int step);

}  // namespace interstage
