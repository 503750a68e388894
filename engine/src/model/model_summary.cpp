#include "interstage/model_info.h"
#include "model/subgraph_bounds.h"

namespace interstage {

ModelSummary summarizeModel(const Graph& graph) {
    ModelSummary s;
    s.opset = graph.opset();
    s.nodes = static_cast<int>(graph.nodes.size());
    for (const Node& node : graph.nodes) ++s.ops[node.domain.empty() ? node.opType : node.domain + "." + node.opType];
    for (const Value& v : graph.values) {
        if (!v.isWeight() || !v.constant) continue;
        s.weightBytes += v.constant->byteSize();
        s.weightElements += v.constant->elementCount();
    }
    for (const UnloadedWeight& weight : graph.unloadedWeights) {
        s.unloadedWeightBytes += weight.bytes;
        ++s.unloadedWeights;
    }
    auto lifetimes = intermediateLifetimes(graph);
    for (const Lifetime& life : lifetimes) {
        ++s.intermediateCount;
        s.intermediateBytes += life.bytes;
        if (life.bytes > s.largestTensorBytes || s.largestTensor.empty()) {
            s.largestTensorBytes = life.bytes;
            s.largestTensor = graph.value(life.value).name;
        }
    }
    s.lowerBound = lowerBound(graph, lifetimes);
    s.subgraphs = subgraphBounds(graph);
    s.lowerBoundWithSubgraphs = s.lowerBound;
    if (!s.subgraphs.empty()) {
        std::vector<std::size_t> live = liveBytesPerStep(graph, lifetimes);
        for (const SubgraphBound& body : s.subgraphs) live[static_cast<size_t>(body.node)] += body.bytes;
        for (size_t step = 0; step < live.size(); ++step)
            if (live[step] > s.lowerBoundWithSubgraphs.bytes || s.lowerBoundWithSubgraphs.step < 0)
                s.lowerBoundWithSubgraphs = {live[step], static_cast<int>(step)};
    }
    auto describe = [&](ValueId id) {
        const Value& v = graph.value(id);
        return NamedShape{v.name, v.dtype, v.shape, v.shapeResolved};
    };
    for (ValueId id : graph.runtimeInputs()) s.inputs.push_back(describe(id));
    for (ValueId id : graph.outputs) s.outputs.push_back(describe(id));
    return s;
}

}  // namespace interstage
