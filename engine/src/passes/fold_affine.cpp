// Conv followed by a constant scale and shift (y = conv(x) * a + b, with a
// and b scalars or per-channel) — the "learnable affine" blocks of
// PP-LCNetV3 / PP-OCRv4 — folds into the Conv's weights and bias, so two
// elementwise passes over the tensor disappear.
#include <memory>

#include "passes/passes.h"

namespace interstage {
namespace {

// Per-output-channel values of a constant that is a scalar or holds one
// value per channel; empty otherwise.
std::vector<float> perChannel(const Graph& g, ValueId id, int64_t channels, size_t outputRank) {
    if (id == kNoValue) return {};
    const Value& v = g.value(id);
    if (!v.constant || v.constant->dtype != DataType::Float) return {};
    const Shape& s = v.constant->shape;
    if (s.size() > outputRank) return {};  // it would raise the output's rank
    const int64_t n = v.constant->elementCount();
    const float* p = v.constant->data<float>();
    if (n == 1) return std::vector<float>(static_cast<size_t>(channels), p[0]);
    // Per channel means broadcasting along NCHW's C: shape [C,1,1] or
    // [1,C,1,1]. A plain [C] would broadcast along W instead.
    if (n != channels || outputRank != 4 || s.size() < 3 || s[s.size() - 3] != channels) return {};
    return std::vector<float>(p, p + n);
}

ValueId otherInput(const Node& n, ValueId known) { return n.input(0) == known ? n.input(1) : n.input(0); }

Node* soleConsumer(Graph& g, ValueId id, const std::set<std::string>& pinned) {
    const Value& v = g.value(id);
    if (v.consumers.size() != 1 || v.isGraphOutput || pinned.count(v.name)) return nullptr;
    Node& n = g.nodes[static_cast<size_t>(v.consumers[0])];
    return n.opType.empty() ? nullptr : &n;
}

}  // namespace

void foldAffineIntoConv(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    bool changed = false;
    for (Node& conv : graph.nodes) {
        if (conv.opType != "Conv" || !conv.domain.empty() || conv.hasAttr("_fused_activation") ||
            conv.outputs.size() != 1)
            continue;
        const Value& w = graph.value(conv.input(1));
        if (!w.isWeight() || !w.constant || w.dtype != DataType::Float || w.shape.empty()) continue;
        const int64_t channels = w.shape[0];
        const ValueId bias = conv.input(2);
        if (bias != kNoValue && !(graph.value(bias).constant && graph.value(bias).isWeight())) continue;

        Node* mul = soleConsumer(graph, conv.outputs[0], pinned);
        if (!mul || mul->opType != "Mul" || !mul->domain.empty()) continue;
        const size_t rank = graph.value(conv.outputs[0]).shape.size();
        std::vector<float> scale = perChannel(graph, otherInput(*mul, conv.outputs[0]), channels, rank);
        if (scale.empty()) continue;
        std::vector<float> shift(static_cast<size_t>(channels), 0.f);
        Node* add = soleConsumer(graph, mul->outputs[0], pinned);
        if (add && (add->opType != "Add" || !add->domain.empty())) add = nullptr;
        if (add) {
            shift = perChannel(graph, otherInput(*add, mul->outputs[0]), channels, rank);
            if (shift.empty()) add = nullptr;
        }
        if (!add) shift.assign(static_cast<size_t>(channels), 0.f);

        TensorData newW = *w.constant;
        const int64_t perOut = newW.elementCount() / std::max<int64_t>(channels, 1);
        TensorData newB = TensorData::zeros(DataType::Float, {channels});
        for (int64_t c = 0; c < channels; ++c) {
            for (int64_t k = 0; k < perOut; ++k) newW.data<float>()[c * perOut + k] *= scale[static_cast<size_t>(c)];
            const float b = bias != kNoValue ? graph.value(bias).constant->data<float>()[c] : 0.f;
            newB.data<float>()[c] = b * scale[static_cast<size_t>(c)] + shift[static_cast<size_t>(c)];
        }
        conv.inputs.resize(std::max<size_t>(conv.inputs.size(), 3), kNoValue);
        conv.inputs[1] = addWeight(graph, conv.name + "/affine_W", std::move(newW));
        conv.inputs[2] = addWeight(graph, conv.name + "/affine_B", std::move(newB));
        removed.fusedInto[graph.value(conv.outputs[0]).name] = conv.name;
        ValueId result = mul->outputs[0];
        mul->opType.clear();
        // An activation fused into the Add earlier now follows the Conv.
        for (const Node* last : {static_cast<const Node*>(mul), static_cast<const Node*>(add)})
            if (last)
                for (const auto& a : last->attributes)
                    if (a.name.rfind("_fused_", 0) == 0) conv.attributes.push_back(a);
        if (add) {
            removed.fusedInto[graph.value(result).name] = conv.name;
            result = add->outputs[0];
            add->opType.clear();
        }
        conv.outputs[0] = result;
        changed = true;
    }
    if (changed) compactGraph(graph);
}

}  // namespace interstage
