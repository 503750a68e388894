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
        bool resolved = true;
        for (const std::string& name : bodies->names) {
            const Graph* body = node.subgraph(name);
            std::size_t bytes = 0;
            resolved = resolved && body && boundOf(graph, *body, bodies->inputs, bytes);
            if (resolved && (bound.body.empty() || bytes > bound.bytes)) {
                bound.body = name;
                bound.bytes = bytes;
            }
        }
        if (resolved) bounds.push_back(bound);
    }
    return bounds;
}

}  // namespace interstage
