#include "interstage/model_info.h"

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
    auto describe = [&](ValueId id) {
        const Value& v = graph.value(id);
        return NamedShape{v.name, v.dtype, v.shape, v.shapeResolved};
    };
    for (ValueId id : graph.runtimeInputs()) s.inputs.push_back(describe(id));
    for (ValueId id : graph.outputs) s.outputs.push_back(describe(id));
    return s;
}

}  // namespace interstage
