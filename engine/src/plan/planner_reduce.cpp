// Reduce interstage: every intermediate its own buffer, allocated before its
// producer and freed after its last reader on every run.
#include <algorithm>
#include <map>
#include <numeric>

#include "plan/memory_plan.h"
#include "plan/planner_util.h"

namespace interstage {

using planners::aligned;
using planners::overlaps;

MemoryPlan planReduce(const std::vector<PlannedTensor>& tensors) { return planners::ownBuffers(tensors, true); }

}  // namespace interstage
