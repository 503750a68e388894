// Edits the passes share: adding a computed weight, dropping removed nodes.
#include <algorithm>
#include <memory>

#include "passes/passes.h"

namespace interstage {

ValueId addWeight(Graph& graph, const std::string& name, TensorData data) {
    Value v;
    v.name = name;
    while (graph.find(v.name) != kNoValue) v.name += "_";
    v.isInitializer = true;
    v.dtype = data.dtype;
    v.shape = data.shape;
    v.shapeResolved = true;
    v.constant = std::make_shared<const TensorData>(std::move(data));
    return graph.addValue(std::move(v));
}

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
