// The plan request a session makes once its kernels exist, and what a host
// plan holds at its peak as the memory guard counts it: one definition for
// the Session and for the planning sweep (interstage/plan_sweep.h), so the
// sweep's "fits" is the guard's.
#pragma once

#include <set>
#include <string>

#include "plan/plan_memory.h"
#include "runtime/executor.h"
#include "runtime/memory_budget.h"

namespace interstage {

// The request for `mode`, with what the kernels say: their scratch per
// step, which convs write over their input, whether aliases are realized.
// The request refers to `executor`, which must outlive it.
PlanRequest kernelPlanRequest(const MemoryMode& mode, const std::set<std::string>& pinned, InPlaceOptions inPlace,
                              const Executor& executor);

// CPU backend: the weights as they will be once the copies nobody reads
// are released (plus the kernels' packed copies), the plan's buffers at
// their peak step, the shared workspace, the inputs.
PlannedPeak hostPlannedPeak(const Graph& exec, const Graph& file, const Executor& executor,
                            const PlannedMemory& planned, const MemoryMode& mode, const std::set<std::string>& pinned);

}  // namespace interstage
