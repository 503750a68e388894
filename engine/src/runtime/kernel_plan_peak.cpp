#include "runtime/kernel_plan_peak.h"

#include "runtime/constant_release.h"

namespace interstage {

PlanRequest kernelPlanRequest(const MemoryMode& mode, const std::set<std::string>& pinned, InPlaceOptions inPlace,
                              const Executor& executor) {
    PlanRequest request;
    request.mode = mode;
    request.pinned = pinned;
    request.inPlace = std::move(inPlace);
    // What the kernels really do decides (they agree with the graph's say
    // unless oneDNN refused a layout).
    if (request.inPlace.stripedConv)
        request.inPlace.stripedConv = [&executor](const Graph&, size_t step) { return executor.writesOverInput(step); };
    request.aliases = executor.realizesAliases();
    request.workspaceBytes = [&executor](size_t step) { return executor.workspaceBytes(step); };
    request.tensorBytes = [&executor](const Value& value) { return executor.tensorBytes(value); };
    return request;
}

PlannedPeak hostPlannedPeak(const Graph& exec, const Graph& file, const Executor& executor,
                            const PlannedMemory& planned, const MemoryMode& mode, const std::set<std::string>& pinned) {
    PlannedPeak peak;
    for (ValueId id : exec.runtimeInputs()) peak.inputs += exec.value(id).byteSize();
    peak.weights = keptConstantBytes(exec, file, executor.hostConstantsRead(), mode.reduceConstant, pinned) +
                   executor.ownWeightBytes();
    peak.tensors = plannedPeakBytes(planned.plan, static_cast<int>(exec.nodes.size()));
    peak.workspace = planned.sharedWorkspaceBytes;
    return peak;
}

}  // namespace interstage
