// The lower bound on a plan's live bytes once in-place writes are allowed.
//
// interstage/lifetimes.h's lowerBound() counts every tensor its own bytes:
// the bound of the graph as written. The planners go below it wherever a
// tensor is written inside another (a Concat member inside its Concat, an
// op's output over its dying input), so a plan at 0.62 of "the lower
// bound" told a student the impossible happened. This bound counts a
// tensor once wherever any tensor it could be written inside
// (inPlaceCandidates, transitively) is alive at the same step: the
// aliases a plan takes are a subset of those candidates, and two live
// tensors share bytes only through an alias, so no plan holds fewer live
// bytes at any step.
#pragma once

#include <vector>

#include "interstage/lifetimes.h"
#include "plan/in_place.h"
#include "plan/memory_plan.h"

namespace interstage {

// Live bytes per step (size = steps), each tensor not counted at the steps
// where one of its candidate hosts (or theirs) is alive.
std::vector<std::size_t> aliasedLiveBytesPerStep(const std::vector<PlannedTensor>& tensors,
                                                 const std::vector<AliasCandidate>& candidates, int steps);
LowerBound aliasedLowerBound(const std::vector<PlannedTensor>& tensors, const std::vector<AliasCandidate>& candidates,
                             int steps);

}  // namespace interstage
