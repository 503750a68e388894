// The planners' invariants, checked on the plans of any graph: the fuzzer
// checks the top-level graph and every control-flow body it resolves
// (fuzz/nested_plans.h). Each check returns what broke, empty when nothing
// did, so that the regression suite can report it instead of trapping.
#pragma once

#include <string>
#include <vector>

#include "interstage/graph.h"
#include "plan/in_place.h"
#include "plan/memory_plan.h"
#include "plan/planned_tensors.h"

namespace interstage::fuzzing {

// Two tensors whose lifetimes overlap never share bytes of one buffer,
// unless one is a Concat input written in place inside the other, or was
// written over the other as it died.
std::string checkNoOverlap(const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan,
                           const std::vector<TensorAlias>& aliases = {});

// Page moves (plan/concat_pages.h) hand a per-run buffer that ends at a
// Concat, with one tenant that the Concat reads, to an allocated per-run
// buffer, at whole pages, never over bytes another move or tenant fills.
std::string checkMoves(const Graph& graph, const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan,
                       const PageRules& rules);

// A cut buffer holds no tensor past the bytes it keeps after the cut.
std::string checkTrims(const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan);

// A plan holds at least the aliased lower bound's bytes at every step
// (plan/aliased_bound.h).
std::string checkAboveBound(const MemoryPlan& plan, const std::vector<std::size_t>& bound);
// Every memory mode on the graph as it stands (no passes, no reordering):
// the plain plan, the plan with in-place aliases (64-byte pages, every
// Conv taken for striped), and the session's choice, whose peak is never
// above the plain plan's. Graphs of more than 2000 tensors are skipped
// (the overlap check is quadratic).
std::string checkPlans(const Graph& graph);

}  // namespace interstage::fuzzing
