#include "model/subgraph_bounds.h"

#include "model/node_bodies.h"

namespace interstage {
namespace {

bool boundOf(const Graph& graph, const Graph& body, const std::vector<BodyInput>& inputs, std::size_t& bytes) {
    auto resolved = resolveBody(body, inputs, graph, ShapeOptions{});
    if (!resolved.ok()) return false;
    bytes = lowerBound(resolved.value(), intermediateLifetimes(resolved.value())).bytes;
    return true;
}

}  // namespace

std::vector<SubgraphBound> subgraphBounds(const Graph& graph) {
    std::vector<SubgraphBound> bounds;
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        const Node& node = graph.nodes[n];
        const std::optional<NodeBodies> bodies = nodeBodies(graph, node);
        if (!bodies) continue;
        SubgraphBound bound{static_cast<NodeId>(n), {}, 0, bodies->branchTaken};
        // An If's branch that cannot take these shapes is one no run takes
        // (the shape rule takes the other's outputs): bound the rest.
        int fit = 0;
        for (const std::string& name : bodies->names) {
            const Graph* body = node.subgraph(name);
            std::size_t bytes = 0;
            if (!body || !boundOf(graph, *body, bodies->inputs, bytes)) continue;
            ++fit;
            if (bound.body.empty() || bytes > bound.bytes) {
                bound.body = name;
                bound.bytes = bytes;
            }
        }
        const bool resolved = fit == int(bodies->names.size()) || (node.opType == "If" && fit > 0);
        bound.onlyOneFits = resolved && fit < int(bodies->names.size());
        if (resolved) bounds.push_back(bound);
    }
    return bounds;
}

}  // namespace interstage
