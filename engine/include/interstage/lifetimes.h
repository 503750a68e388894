// Tensor lifetimes over the execution order, and the lower bound on memory
// that any planner can reach for that order.
#pragma once

#include <cstddef>
#include <vector>

#include "interstage/graph.h"

namespace interstage {

// A node output's life: from its producer's step to its last consumer's
// step (graph outputs: to the last step). Steps are node indices.
struct Lifetime {
    ValueId value = kNoValue;
    int first = 0;
    int last = 0;
    std::size_t bytes = 0;
};

// Lifetimes of every intermediate: each node output except Constant nodes'
// (graph outputs included; graph inputs and weights excluded). Shapes must
// be resolved.
std::vector<Lifetime> intermediateLifetimes(const Graph& graph);

struct LowerBound {
    std::size_t bytes = 0;  // the largest sum of live intermediate bytes at one step
    int step = -1;          // the node index where it is reached (-1: no intermediates)
};

// Bytes live at each step (size = node count).
std::vector<std::size_t> liveBytesPerStep(const Graph& graph, const std::vector<Lifetime>& lifetimes);
LowerBound lowerBound(const Graph& graph, const std::vector<Lifetime>& lifetimes);

}  // namespace interstage
