// The graph with its nodes in another order, as the memory-aware order
// search evaluates hundreds of orders of one graph.
#pragma once

#include <cstddef>
#include <vector>

#include "interstage/graph.h"

namespace interstage {

// A fresh copy with node order[i] of `graph` at position i, producers and
// consumers recomputed (nodes marked for removal dropped).
Graph reorderedGraph(const Graph& graph, const std::vector<NodeId>& order);

// One copy of a graph put in each order by swapping its nodes in place,
// its producers and consumers then recomputed into the storage they had.
// The same graph as reorderedGraph() gives, made without copying names,
// attributes and the name index each time: on U^2-Net-P those copies cost
// as much as planning each order. Only for graphs with no node marked for
// removal (usable()), which reorderedGraph() would drop.
class ReorderedCopy {
public:
    explicit ReorderedCopy(const Graph& graph);
    static bool usable(const Graph& graph);
    // The copy with node order[i] of the graph it was made from at position
    // i; valid until the next call.
    const Graph& inOrder(const std::vector<NodeId>& order);

private:
    Graph graph_;
    std::vector<size_t> nodeAt_;      // the original index of the node at each position
    std::vector<size_t> positionOf_;  // the position of each original node
};

}  // namespace interstage
