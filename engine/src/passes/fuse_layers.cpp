// Layer fusion: BatchNorm folded into Conv weights, activations applied by
// the producing kernel. Each fusion removes one intermediate tensor.
#include <cmath>
#include <memory>

#include "ops/op_table.h"
#include "passes/passes.h"

namespace interstage {
namespace {

// The value may vanish: one consumer, not an output, not pinned.
bool fusible(const Graph& graph, ValueId id, const std::set<std::string>& pinned) {
    if (id == kNoValue) return false;
    const Value& v = graph.value(id);
    return v.consumers.size() == 1 && !v.isGraphOutput && !pinned.count(v.name) && v.dtype == DataType::Float &&
           v.producer != kNoNode;
}

const TensorData* floatConstant(const Graph& graph, ValueId id, int64_t count) {
    if (id == kNoValue) return nullptr;
    const Value& v = graph.value(id);
    if (!v.isWeight() || !v.constant || v.constant->dtype != DataType::Float) return nullptr;
    if (count >= 0 && v.constant->elementCount() != count) return nullptr;
    return v.constant.get();
}

// Conv -> BatchNormalization: W' = W * g, B' = (B - mean) * g + beta with
// g = scale / sqrt(var + eps), per output channel.
bool foldBatchNorm(Graph& graph, Node& bn, const std::set<std::string>& pinned, RemovedValues& removed) {
    ValueId x = bn.input(0);
    if (!fusible(graph, x, pinned)) return false;
    for (size_t i = 1; i < bn.outputs.size(); ++i)
        if (bn.outputs[i] != kNoValue) return false;  // training-mode outputs in use
    Node& conv = graph.nodes[static_cast<size_t>(graph.value(x).producer)];
    if (conv.opType != "Conv" || conv.hasAttr("_fused_activation") || conv.outputs.size() != 1) return false;
    const TensorData* w = floatConstant(graph, conv.input(1), -1);
    if (!w || w->shape.empty()) return false;
    const int64_t channels = w->shape[0];
    const TensorData* b = conv.input(2) == kNoValue ? nullptr : floatConstant(graph, conv.input(2), channels);
    if (conv.input(2) != kNoValue && !b) return false;
    const TensorData* scale = floatConstant(graph, bn.input(1), channels);
    const TensorData* beta = floatConstant(graph, bn.input(2), channels);
    const TensorData* mean = floatConstant(graph, bn.input(3), channels);
    const TensorData* var = floatConstant(graph, bn.input(4), channels);
    if (!scale || !beta || !mean || !var) return false;
    const float eps = bn.attrFloat("epsilon", 1e-5f);

    TensorData newW = *w;
    TensorData newB = TensorData::zeros(DataType::Float, {channels});
    const int64_t perChannel = w->elementCount() / std::max<int64_t>(channels, 1);
    for (int64_t c = 0; c < channels; ++c) {
        const float g = scale->data<float>()[c] / std::sqrt(var->data<float>()[c] + eps);
        for (int64_t k = 0; k < perChannel; ++k) newW.data<float>()[c * perChannel + k] *= g;
        const float bias = b ? b->data<float>()[c] : 0.f;
        newB.data<float>()[c] = (bias - mean->data<float>()[c]) * g + beta->data<float>()[c];
    }
    ValueId wId = addWeight(graph, conv.name + "/bn_folded_W", std::move(newW));
    ValueId bId = addWeight(graph, conv.name + "/bn_folded_B", std::move(newB));
    conv.inputs.resize(std::max<size_t>(conv.inputs.size(), 3), kNoValue);
    conv.inputs[1] = wId;
    conv.inputs[2] = bId;
    removed.fusedInto[graph.value(x).name] = conv.name;
    conv.outputs[0] = bn.outputs[0];
    bn.opType.clear();
    return true;
}

bool fuseActivation(Graph& graph, Node& act, const std::set<std::string>& pinned, RemovedValues& removed) {
    ValueId x = act.input(0);
    if (!fusible(graph, x, pinned) || act.outputs.size() != 1) return false;
    Node& producer = graph.nodes[static_cast<size_t>(graph.value(x).producer)];
    if (!ops::hasTrait(producer, ops::kFusesActivation)) return false;
    if (producer.hasAttr("_fused_activation") || producer.outputs.size() != 1) return false;

    float alpha = 0, beta = 0;
    if (act.opType == "Clip") {
        if (graph.opset() < 11) {
            alpha = act.attrFloat("min", -INFINITY);
            beta = act.attrFloat("max", INFINITY);
        } else {
            const TensorData* lo = act.input(1) == kNoValue ? nullptr : floatConstant(graph, act.input(1), 1);
            const TensorData* hi = act.input(2) == kNoValue ? nullptr : floatConstant(graph, act.input(2), 1);
            if ((act.input(1) != kNoValue && !lo) || (act.input(2) != kNoValue && !hi)) return false;
            alpha = lo ? lo->data<float>()[0] : -INFINITY;
            beta = hi ? hi->data<float>()[0] : INFINITY;
        }
    } else if (act.opType == "HardSigmoid") {
        alpha = act.attrFloat("alpha", 0.2f);
        beta = act.attrFloat("beta", 0.5f);
    } else if (act.opType == "LeakyRelu") {
        alpha = act.attrFloat("alpha", 0.01f);
    }
    Attribute kind;
    kind.name = "_fused_activation";
    kind.kind = Attribute::Kind::String;
    kind.s = act.opType;
    Attribute a;
    a.name = "_fused_alpha";
    a.kind = Attribute::Kind::Float;
    a.f = alpha;
    Attribute b = a;
    b.name = "_fused_beta";
    b.f = beta;
    producer.attributes.push_back(kind);
    producer.attributes.push_back(a);
    producer.attributes.push_back(b);
    removed.fusedInto[graph.value(x).name] = producer.name;
    producer.outputs[0] = act.outputs[0];
    act.opType.clear();
    return true;
}

}  // namespace

void fuseLayers(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    bool changed = false;
    for (Node& node : graph.nodes) {
        if (!node.domain.empty()) continue;
        if (node.opType == "BatchNormalization" && foldBatchNorm(graph, node, pinned, removed)) changed = true;
    }
    if (changed) compactGraph(graph);  // producers must be right before fusing activations
    changed = false;
    for (Node& node : graph.nodes) {
        if (!ops::hasTrait(node, ops::kActivation)) continue;
        if (fuseActivation(graph, node, pinned, removed)) changed = true;
    }
    if (changed) compactGraph(graph);
}

}  // namespace interstage
