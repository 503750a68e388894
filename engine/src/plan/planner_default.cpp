// Default: every intermediate its own buffer, allocated on the first run and kept.
#include <algorithm>
#include <map>
#include <numeric>

#include "plan/memory_plan.h"
#include "plan/planner_util.h"

namespace interstage {

using planners::aligned;
using planners::overlaps;

MemoryPlan planDefault(const std::vector<PlannedTensor>& tensors) { return planners::ownBuffers(tensors, false); }

}  // namespace interstage
