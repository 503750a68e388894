#include <algorithm>

#include "passes/passes.h"

namespace interstage {

void compactGraph(Graph& graph) {
    graph.nodes.erase(
        std::remove_if(graph.nodes.begin(), graph.nodes.end(), [](const Node& n) { return n.opType.empty(); }),
        graph.nodes.end());
    for (Value& v : graph.values) {
        v.producer = kNoNode;
        v.consumers.clear();
    }
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        const Node& node = graph.nodes[n];
        for (ValueId id : node.inputs)
            if (id != kNoValue) graph.value(id).consumers.push_back(static_cast<NodeId>(n));
        for (ValueId id : node.implicitInputs) graph.value(id).consumers.push_back(static_cast<NodeId>(n));
        for (ValueId id : node.outputs)
            if (id != kNoValue) graph.value(id).producer = static_cast<NodeId>(n);
    }
}

}  // namespace interstage
