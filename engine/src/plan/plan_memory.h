// The memory plan of an executed graph, top to bottom: the tensors to
// place (intermediates with their lifetimes, plus each kernel's scratch
// where the mode plans it) -> aliases (in-place writes, Concat members;
// plan/in_place.h) -> placement by the mode's planner (plan/planners.h)
// -> page moves and cuts (plan/concat_pages.h). A Session plans with its
// kernels' workspace; the golden-plan test plans from the graph alone.
#pragma once

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "interstage/graph.h"
#include "interstage/memory.h"
#include "plan/in_place.h"
#include "plan/memory_plan.h"

namespace interstage {

struct PlanRequest {
    MemoryMode mode;
    // Graph outputs are always kept; these too, alive to the last step.
    std::set<std::string> pinned;
    // What may be written in place, when the backend realizes aliased
    // plans at all (the CPU does; the Vulkan executor does not).
    InPlaceOptions inPlace;
    bool aliases = true;
    // Scratch bytes of the kernel at each step; unset: none (a plan from
    // the graph alone).
    std::function<std::size_t(size_t step)> workspaceBytes;
    // The bytes of a value's tensor where the backend stores it; unset:
    // Value::byteSize() (Vulkan's fp16 storage halves float32 tensors).
    std::function<std::size_t(const Value& value)> tensorBytes;
};

struct PlannedMemory {
    // What the plan places: intermediates, then workspace entries (value
    // id values.size() + step) where the mode plans workspace.
    std::vector<PlannedTensor> tensors;
    MemoryPlan plan;
    // One buffer of the largest workspace, when the mode does not plan it.
    std::size_t sharedWorkspaceBytes = 0;
};

PlannedMemory planMemory(const Graph& graph, const PlanRequest& request);

// The least live bytes any plan of this request can hold at one step
// (plan/aliased_bound.h): the intermediates (pins included, workspace
// aside) with the in-place writes planMemory() may take for it. Without
// aliases (default mode, or a backend that plans every tensor apart) it is
// lowerBound() of the graph as written, pins included.
LowerBound aliasedLowerBound(const Graph& graph, const PlanRequest& request);

}  // namespace interstage
