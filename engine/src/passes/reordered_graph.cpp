#include "passes/reordered_graph.h"

#include <algorithm>
#include <utility>

#include "passes/passes.h"

namespace interstage {

Graph reorderedGraph(const Graph& graph, const std::vector<NodeId>& order) {
    Graph reordered = graph;
    for (size_t i = 0; i < order.size(); ++i) reordered.nodes[i] = graph.nodes[static_cast<size_t>(order[i])];
    compactGraph(reordered);
    return reordered;
}

ReorderedCopy::ReorderedCopy(const Graph& graph)
    : graph_(graph), nodeAt_(graph.nodes.size()), positionOf_(graph.nodes.size()) {
    for (size_t i = 0; i < nodeAt_.size(); ++i) nodeAt_[i] = positionOf_[i] = i;
}

bool ReorderedCopy::usable(const Graph& graph) {
    return std::none_of(graph.nodes.begin(), graph.nodes.end(), [](const Node& n) { return n.opType.empty(); });
}

const Graph& ReorderedCopy::inOrder(const std::vector<NodeId>& order) {
    for (size_t i = 0; i < order.size(); ++i) {
        const auto wanted = static_cast<size_t>(order[i]);
        const size_t at = positionOf_[wanted];
        if (at == i) continue;
        std::swap(graph_.nodes[i], graph_.nodes[at]);
        const size_t displaced = nodeAt_[i];
        nodeAt_[i] = wanted;
        positionOf_[wanted] = i;
        nodeAt_[at] = displaced;
        positionOf_[displaced] = at;
    }
    compactGraph(graph_);  // drops nothing (usable()); the consumer lists keep their storage
    return graph_;
}

}  // namespace interstage
