// Which of the lifetimes added so far overlap a given one, in time
// proportional to the answer (plus a logarithm), not to everything added.
// The arena planner asks this once per tensor; scanning every placed
// tensor instead made a 100k-node chain take minutes (quadratic).
#pragma once

#include <cstddef>
#include <map>
#include <vector>

#include "plan/memory_plan.h"

namespace interstage::planners {

class LifetimeIndex {
public:
    // `tensors` is every lifetime that may be added later: it fixes the
    // steps the index knows about. Ids are positions in it.
    explicit LifetimeIndex(const std::vector<PlannedTensor>& tensors);

    void add(std::size_t id);

    // Ids added so far whose [first, last] meets [first, last] of `id`.
    // Each appears once; the order is unspecified.
    void overlapping(std::size_t id, std::vector<std::size_t>& out) const;

private:
    // A lifetime meets [a, b] when it holds step a, or starts inside (a, b]:
    // the two cases are disjoint, so nothing is reported twice.
    void holding(int step, std::vector<std::size_t>& out) const;
    void insert(std::size_t node, std::size_t lo, std::size_t hi, std::size_t first, std::size_t last, std::size_t id);
    std::size_t slot(int step) const;

    const std::vector<PlannedTensor>& tensors_;
    std::vector<int> steps_;                         // sorted distinct endpoints
    std::vector<std::vector<std::size_t>> segment_;  // segment tree over steps_: ids covering each node's range
    std::multimap<int, std::size_t> byFirst_;        // first step -> id
};

}  // namespace interstage::planners
