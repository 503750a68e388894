#include "plan/plan_memory.h"

#include <algorithm>

#include "plan/planned_tensors.h"

namespace interstage {

namespace {

// Where the mode plans workspace, each kernel's scratch memory is a tensor
// that lives for its node's step: reduce allocates it around the node, and
// the arena places it in the slab over tensors that are dead by then (on
// U^2-Net-P the slab does not grow at all). Default and reuse keep one
// shared buffer of the largest size instead.
void addWorkspace(const Graph& graph, const PlanRequest& request, PlannedMemory& out) {
    if (!request.workspaceBytes) return;
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        const std::size_t bytes = request.workspaceBytes(n);
        if (bytes == 0) continue;
        if (!request.mode.plansWorkspace()) {
            out.sharedWorkspaceBytes = std::max(out.sharedWorkspaceBytes, bytes);
            continue;
        }
        PlannedTensor t;
        t.value = static_cast<ValueId>(graph.values.size() + n);
        t.first = t.last = static_cast<int>(n);
        t.bytes = bytes;
        t.category = MemoryCategory::Workspace;
        out.tensors.push_back(t);
    }
}

}  // namespace

PlannedMemory planMemory(const Graph& graph, const PlanRequest& request) {
    PlannedMemory out;
    out.tensors = plannedIntermediates(graph, request.pinned);
    addWorkspace(graph, request, out);
    InPlaceOptions inPlace = request.inPlace;
    if (!request.aliases || request.mode.keepsEveryTensor() || !(inPlace.concat || inPlace.ops)) {
        out.plan = planFor(request.mode, out.tensors);
        return out;
    }
    // Page moves and cut buffers need buffers that come and go every run.
    if (!request.mode.allocatesPerRun()) inPlace.pages = nullptr;
    out.plan = planInPlace(request.mode, graph, out.tensors, inPlace);
    return out;
}

}  // namespace interstage
