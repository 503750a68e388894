// Two plans of one model side by side, tensor by tensor: where each tensor
// lives in each plan (buffer, offset), when (first..last step), whether it
// shares its bytes with another tensor, and which tensors make the
// difference between the two peaks. Built from memory maps alone
// (Session::memoryMap(), a saved run set's map), so a front end can diff
// two sets it only planned.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "interstage/run_stats.h"

namespace interstage {

// One plan's figures. The diff fills what the map tells (live peak,
// buffers, allocations); the caller names the mode and gives the planned
// peak it checked against the budget (Session::plannedPeakBytes()).
struct PlanSideSummary {
    std::string mode;
    std::size_t planPeakBytes = 0;  // Session::plannedPeakBytes(): weights, tensors, workspace, inputs
    std::size_t livePeakBytes = 0;  // peakOfLiveTensors(map).bytes: the planned tensors alive together
    int livePeakStep = -1;
    int buffers = 0;            // distinct buffers the map's tensors use
    int allocationsPerRun = 0;  // of those, the ones allocated and freed every run
    int tensors = 0;            // entries of the map
};

// A tensor as one plan places it. present == false: the plan has no such
// tensor (fusion removed it, a kernel of the other plan needs no workspace).
struct TensorSide {
    bool present = false;
    std::size_t bytes = 0;
    int buffer = -1;
    std::size_t offset = 0;
    int first = -1, last = -1;  // its life in this plan's steps
    // Some other tensor of this plan occupies some of the same bytes of
    // the same buffer (reuse, an arena slot, an in-place write, pages
    // handed over to a Concat).
    bool shared = false;
};

struct TensorDiff {
    std::string name;
    std::size_t bytes = 0;  // the larger side's bytes (the same in both when present in both)
    TensorSide a, b;
    bool atPeak = false;  // alive at a's live peak in a, or at b's live peak in b
    // In one plan only, or placement (buffer, offset), life, bytes or
    // sharing differ.
    bool differs = false;
};

struct PlanDiff {
    PlanSideSummary a, b;
    // Every tensor named in either map exactly once: first those alive at
    // either live peak that differ; then those whose life, bytes or
    // presence differ (a pin, a switch: what moves a slab's size even away
    // from the live peak); then those only placed elsewhere; then the
    // identical ones. Each group by bytes, largest first (then by name).
    std::vector<TensorDiff> tensors;
    int differing = 0;  // how many tensors differ
};

// The two maps should come from the same model (names match across them);
// a tensor named in one only is listed as such. A name listed twice in one
// map (which placementsOf never does) keeps its first placement.
PlanDiff diffPlans(const std::vector<TensorPlacement>& a, const std::vector<TensorPlacement>& b);

}  // namespace interstage
