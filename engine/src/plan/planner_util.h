// What the planners share: the plan's alignment, whether two lifetimes
// overlap, and "every tensor its own buffer" (default and reduce).
#pragma once

#include <cstddef>
#include <vector>

#include "plan/memory_plan.h"

namespace interstage::planners {

inline std::size_t aligned(std::size_t bytes) { return (bytes + kPlanAlignment - 1) / kPlanAlignment * kPlanAlignment; }

inline bool overlaps(const PlannedTensor& a, const PlannedTensor& b) { return a.first <= b.last && b.first <= a.last; }

// One buffer per tensor: kept from the first run (perRun false), or
// allocated before its producer and freed after its last reader on every
// run (perRun; kept tensors are freed when the next run starts).
inline MemoryPlan ownBuffers(const std::vector<PlannedTensor>& tensors, bool perRun) {
    MemoryPlan plan;
    for (const auto& t : tensors) {
        BufferSpec b;
        b.bytes = t.bytes;
        b.category = t.category;
        b.firstTenant = t.value;
        if (perRun) {
            b.allocStep = t.first;
            b.freeStep = t.keep ? kPersistent : t.last;
        }
        plan.bufferOf.push_back(static_cast<int>(plan.buffers.size()));
        plan.offsetOf.push_back(0);
        plan.buffers.push_back(b);
    }
    return plan;
}

}  // namespace interstage::planners
