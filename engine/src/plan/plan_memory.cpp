#include "plan/plan_memory.h"

#include <algorithm>
#include <optional>

#include "plan/aliased_bound.h"
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

// The in-place options planMemory() plans with; nullopt: no aliases.
std::optional<InPlaceOptions> aliasOptions(const PlanRequest& request) {
    InPlaceOptions inPlace = request.inPlace;
    if (!request.aliases || request.mode.keepsEveryTensor() || !(inPlace.concat || inPlace.ops)) return std::nullopt;
    // Page moves and cut buffers need buffers that come and go every run.
    if (!request.mode.allocatesPerRun()) inPlace.pages = nullptr;
    return inPlace;
}

// The intermediates at the bytes the backend stores them in.
std::vector<PlannedTensor> storedIntermediates(const Graph& graph, const PlanRequest& request) {
    std::vector<PlannedTensor> tensors = plannedIntermediates(graph, request.pinned);
    if (request.tensorBytes)
        for (PlannedTensor& t : tensors) t.bytes = request.tensorBytes(graph.value(t.value));
    return tensors;
}

}  // namespace

PlannedMemory planMemory(const Graph& graph, const PlanRequest& request) {
    PlannedMemory out;
    out.tensors = storedIntermediates(graph, request);
    addWorkspace(graph, request, out);
    const auto inPlace = aliasOptions(request);
    out.plan = inPlace ? planInPlace(request.mode, graph, out.tensors, *inPlace) : planFor(request.mode, out.tensors);
    return out;
}

LowerBound aliasedLowerBound(const Graph& graph, const PlanRequest& request) {
    const auto tensors = storedIntermediates(graph, request);
    const auto inPlace = aliasOptions(request);
    const auto candidates = inPlace ? inPlaceCandidates(graph, tensors, *inPlace) : std::vector<AliasCandidate>{};
    return aliasedLowerBound(tensors, candidates, static_cast<int>(graph.nodes.size()));
}

}  // namespace interstage
