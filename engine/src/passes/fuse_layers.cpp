// Layer fusion: BatchNorm folded into Conv weights, activations applied by
// the producing kernel. Each fusion removes one intermediate tensor.
#include <cmath>
#include <memory>
#include <vector>

#include "core/half_float.h"
#include "ops/op_table.h"
#include "passes/passes.h"

namespace interstage {
namespace {

// float32, float16 or bfloat16: the types whose Conv folds and fuses.
bool foldableType(DataType type) {
    return type == DataType::Float || type == DataType::Float16 || type == DataType::BFloat16;
}

// The value may vanish: one consumer, not an output, not pinned.
bool fusible(const Graph& graph, ValueId id, const std::set<std::string>& pinned) {
    if (id == kNoValue) return false;
    const Value& v = graph.value(id);
    return v.consumers.size() == 1 && !v.isGraphOutput && !pinned.count(v.name) && foldableType(v.dtype) &&
           v.producer != kNoNode;
}

// The data of a weight of `dtype` with `count` elements (any when < 0);
// nullptr when it is none.
const TensorData* foldableWeight(const Graph& graph, ValueId id, int64_t count, DataType dtype) {
    if (id == kNoValue) return nullptr;
    const Value& v = graph.value(id);
    if (!v.isWeight() || !v.constant || v.constant->dtype != dtype || !foldableType(dtype)) return nullptr;
    const int64_t n = v.constant->elementCount();
    if ((count >= 0 && n != count) || n <= 0) return nullptr;
    return v.constant.get();
}

// A weight of `dtype` with `count` elements (any when < 0) as floats; empty
// when it is none. Half weights fold in float and are narrowed back after.
std::vector<float> weightFloats(const Graph& graph, ValueId id, int64_t count, DataType dtype) {
    if (!foldableWeight(graph, id, count, dtype)) return {};
    const Value& v = graph.value(id);
    const int64_t n = v.constant->elementCount();
    std::vector<float> values(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        if (dtype == DataType::Float)
            values[size_t(i)] = v.constant->data<float>()[i];
        else if (dtype == DataType::Float16)
            values[size_t(i)] = halfToFloat(v.constant->data<uint16_t>()[i]);
        else
            values[size_t(i)] = bfloatToFloat(v.constant->data<uint16_t>()[i]);
    }
    return values;
}

TensorData tensorOf(DataType dtype, Shape shape, const std::vector<float>& values) {
    TensorData t = TensorData::zeros(dtype, std::move(shape));
    for (size_t i = 0; i < values.size(); ++i) {
        if (dtype == DataType::Float)
            t.data<float>()[i] = values[i];
        else if (dtype == DataType::Float16)
            t.data<uint16_t>()[i] = floatToHalf(values[i]);
        else
            t.data<uint16_t>()[i] = floatToBfloat(values[i]);
    }
    return t;
}

// Conv -> BatchNormalization: W' = W * g, B' = (B - mean) * g + beta with
// g = scale / sqrt(var + eps), per output channel. Float16 / bfloat16
// convs fold in float and keep their type.
bool foldBatchNorm(Graph& graph, Node& bn, const std::set<std::string>& pinned, RemovedValues& removed) {
    ValueId x = bn.input(0);
    if (!fusible(graph, x, pinned)) return false;
    for (size_t i = 1; i < bn.outputs.size(); ++i)
        if (bn.outputs[i] != kNoValue) return false;    // training-mode outputs in use
    if (bn.hasAttr("_fused_activation")) return false;  // it applies an activation the Conv would lose
    Node& conv = graph.nodes[static_cast<size_t>(graph.value(x).producer)];
    if (conv.opType != "Conv" || conv.hasAttr("_fused_activation") || conv.outputs.size() != 1) return false;
    const DataType dtype = graph.value(x).dtype;
    const TensorData* wData = foldableWeight(graph, conv.input(1), -1, dtype);
    if (!wData || wData->shape.empty()) return false;
    const Shape wShape = wData->shape;
    const int64_t channels = wShape[0];
    const std::vector<float> b =
        conv.input(2) == kNoValue ? std::vector<float>{} : weightFloats(graph, conv.input(2), channels, dtype);
    if (conv.input(2) != kNoValue && b.empty()) return false;
    const std::vector<float> scale = weightFloats(graph, bn.input(1), channels, dtype);
    const std::vector<float> beta = weightFloats(graph, bn.input(2), channels, dtype);
    const std::vector<float> mean = weightFloats(graph, bn.input(3), channels, dtype);
    const std::vector<float> var = weightFloats(graph, bn.input(4), channels, dtype);
    if (scale.empty() || beta.empty() || mean.empty() || var.empty()) return false;
    const float eps = bn.attrFloat("epsilon", 1e-5f);

    // Float weights are scaled in a copy of their bytes: one pass over
    // fresh memory, where a float vector and a zeroed tensor took three
    // (the weights are most of a CNN's bytes: inception_v3 folds 27 MB).
    // Half weights go through floats and are narrowed back.
    std::vector<float> halfAsFloats;
    TensorData scaled;
    float* w = nullptr;
    if (dtype == DataType::Float) {
        scaled = *wData;
        w = scaled.data<float>();
    } else {
        halfAsFloats = weightFloats(graph, conv.input(1), -1, dtype);
        w = halfAsFloats.data();
    }
    std::vector<float> newB(static_cast<size_t>(channels));
    const int64_t perChannel = wData->elementCount() / std::max<int64_t>(channels, 1);
    for (int64_t c = 0; c < channels; ++c) {
        const auto k = static_cast<size_t>(c);
        const float g = scale[k] / std::sqrt(var[k] + eps);
        for (int64_t i = 0; i < perChannel; ++i) w[static_cast<size_t>(c * perChannel + i)] *= g;
        const float bias = b.empty() ? 0.f : b[k];
        newB[k] = (bias - mean[k]) * g + beta[k];
    }
    if (dtype != DataType::Float) scaled = tensorOf(dtype, wShape, halfAsFloats);
    ValueId wId = addWeight(graph, conv.name + "/bn_folded_W", std::move(scaled));
    ValueId bId = addWeight(graph, conv.name + "/bn_folded_B", tensorOf(dtype, {channels}, newB));
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
    // Of the half-type kernels only Conv applies a fused activation (in
    // float, inside its band).
    if (graph.value(x).dtype != DataType::Float && producer.opType != "Conv") return false;
    if (producer.hasAttr("_fused_activation") || producer.outputs.size() != 1) return false;

    float alpha = 0, beta = 0;
    if (act.opType == "Clip") {
        if (graph.opset() < 11) {
            alpha = act.attrFloat("min", -INFINITY);
            beta = act.attrFloat("max", INFINITY);
        } else {
            const DataType dtype = graph.value(x).dtype;
            const std::vector<float> lo = weightFloats(graph, act.input(1), 1, dtype);
            const std::vector<float> hi = weightFloats(graph, act.input(2), 1, dtype);
            if ((act.input(1) != kNoValue && lo.empty()) || (act.input(2) != kNoValue && hi.empty())) return false;
            alpha = lo.empty() ? -INFINITY : lo[0];
            beta = hi.empty() ? INFINITY : hi[0];
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
