// Constant scales and shifts (y * a + b, with a and b scalars or
// per-channel) next to a Conv — the "learnable affine" blocks of
// PP-LCNetV3 / PP-OCRv4 — fold into the Conv's weights and bias, so two
// elementwise passes over the tensor disappear: after the Conv
// (foldAffineIntoConv) or, where an activation sits between, before the
// next unpadded Conv (foldInputAffineIntoConv).
#include <algorithm>
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

// True where a Conv reads every input value it multiplies (no padding), so
// that conv(x * a + b) = conv'(x) with W' = W * a and bias' = bias + W b.
// A padded Conv reads zeros at the border where the shift would be b.
bool unpaddedConv(const Graph& g, const Node& n, ValueId input) {
    if (n.opType != "Conv" || !n.domain.empty() || n.input(0) != input || n.outputs.size() != 1) return false;
    const std::string autoPad = n.attrString("auto_pad", "NOTSET");
    if (autoPad != "NOTSET" && autoPad != "VALID") return false;
    for (int64_t p : n.attrInts("pads"))
        if (p != 0) return false;
    const Value& w = g.value(n.input(1));
    if (!w.isWeight() || !w.constant || w.constant->dtype != DataType::Float || w.shape.size() < 3) return false;
    const ValueId bias = n.input(2);
    return bias == kNoValue ||
           (g.value(bias).constant && g.value(bias).isWeight() && g.value(bias).constant->dtype == DataType::Float);
}

// The constant scale and shift a Mul [-> Add] or Add before `v` applies,
// per input channel, and the value it applies them to; false if `v` is not
// made that way.
struct InputAffine {
    ValueId source = kNoValue;
    std::vector<float> scale, shift;
    std::vector<Node*> nodes;  // the Mul and / or Add, to remove
};

bool plainElementwise(const Node& n, const char* op) {
    if (n.opType != op || !n.domain.empty() || n.outputs.size() != 1) return false;
    for (const auto& a : n.attributes)
        if (a.name.rfind("_fused_", 0) == 0) return false;  // an activation after it
    return true;
}

bool findInputAffine(Graph& g, ValueId v, int64_t channels, const std::set<std::string>& pinned, InputAffine& affine) {
    const Value& value = g.value(v);
    if (value.producer == kNoNode || value.isGraphOutput || pinned.count(value.name) || value.shape.size() != 4)
        return false;
    Node* last = &g.nodes[static_cast<size_t>(value.producer)];
    affine.scale.assign(static_cast<size_t>(channels), 1.f);
    affine.shift.assign(static_cast<size_t>(channels), 0.f);
    Node* add = nullptr;
    Node* mul = nullptr;
    ValueId source = kNoValue;
    auto constantSide = [&](Node& n, std::vector<float>& out) {
        for (int side = 0; side < 2; ++side) {
            std::vector<float> c = perChannel(g, n.input(static_cast<size_t>(side)), channels, 4);
            if (c.empty()) continue;
            const ValueId other = n.input(static_cast<size_t>(1 - side));
            if (g.value(other).shape != value.shape) return kNoValue;  // the constant must not broadcast it
            out = std::move(c);
            return other;
        }
        return kNoValue;
    };
    if (plainElementwise(*last, "Add")) {
        add = last;
        source = constantSide(*add, affine.shift);
        if (source == kNoValue) return false;
        const Value& between = g.value(source);
        if (between.producer != kNoNode && between.consumers.size() == 1 && !between.isGraphOutput &&
            !pinned.count(between.name) && plainElementwise(g.nodes[static_cast<size_t>(between.producer)], "Mul")) {
            Node& m = g.nodes[static_cast<size_t>(between.producer)];
            std::vector<float> scale;
            const ValueId s = constantSide(m, scale);
            if (s != kNoValue) {
                mul = &m;
                source = s;
                affine.scale = std::move(scale);
            }
        }
    } else if (plainElementwise(*last, "Mul")) {
        mul = last;
        source = constantSide(*mul, affine.scale);
        if (source == kNoValue) return false;
    } else {
        return false;
    }
    affine.source = source;
    affine.nodes.clear();
    if (mul) affine.nodes.push_back(mul);
    if (add) affine.nodes.push_back(add);
    return true;
}

// W' = W * scale[c] along input channels; the returned bias adds, for each
// output channel, its weights times shift[c].
TensorData scaleInputChannels(const TensorData& w, int64_t group, const std::vector<float>& scale,
                              const std::vector<float>& shift, std::vector<double>& biasShift) {
    TensorData scaled = w;
    const int64_t K = w.shape[0], perGroupIn = w.shape[1], taps = w.elementCount() / (K * perGroupIn);
    const int64_t perGroupOut = K / group;
    biasShift.assign(static_cast<size_t>(K), 0.0);
    const float* src = w.data<float>();
    float* dst = scaled.data<float>();
    for (int64_t k = 0; k < K; ++k)
        for (int64_t ci = 0; ci < perGroupIn; ++ci) {
            const size_t c = static_cast<size_t>((k / perGroupOut) * perGroupIn + ci);
            for (int64_t t = 0; t < taps; ++t) {
                const int64_t at = (k * perGroupIn + ci) * taps + t;
                dst[at] = src[at] * scale[c];
                biasShift[static_cast<size_t>(k)] += static_cast<double>(src[at]) * shift[c];
            }
        }
    return scaled;
}

// Folds one match; false when there is none left.
bool foldOneInputAffine(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    for (const Node& first : graph.nodes) {
        if (first.opType != "Conv" || !first.domain.empty()) continue;
        const ValueId v = first.input(0);
        const Value& in = graph.value(v);
        if (in.shape.size() != 4 || in.shape[1] <= 0 || in.consumers.empty()) continue;
        const int64_t channels = in.shape[1];
        std::vector<NodeId> consumers = in.consumers;
        std::sort(consumers.begin(), consumers.end());
        consumers.erase(std::unique(consumers.begin(), consumers.end()), consumers.end());
        bool all = true;
        for (NodeId id : consumers) {
            const Node& conv = graph.nodes[static_cast<size_t>(id)];
            all = all && unpaddedConv(graph, conv, v) &&
                  graph.value(conv.input(1)).shape[1] * conv.attrInt("group", 1) == channels;
        }
        InputAffine affine;
        if (!all || !findInputAffine(graph, v, channels, pinned, affine)) continue;
        for (NodeId id : consumers) {
            Node& conv = graph.nodes[static_cast<size_t>(id)];
            const TensorData& w = *graph.value(conv.input(1)).constant;
            std::vector<double> biasShift;
            TensorData newW = scaleInputChannels(w, conv.attrInt("group", 1), affine.scale, affine.shift, biasShift);
            const int64_t K = w.shape[0];
            TensorData newB = TensorData::zeros(DataType::Float, {K});
            const ValueId bias = conv.input(2);
            for (int64_t k = 0; k < K; ++k) {
                const double b = bias != kNoValue ? graph.value(bias).constant->data<float>()[k] : 0.0;
                newB.data<float>()[k] = static_cast<float>(b + biasShift[static_cast<size_t>(k)]);
            }
            conv.inputs.resize(std::max<size_t>(conv.inputs.size(), 3), kNoValue);
            conv.inputs[0] = affine.source;
            conv.inputs[1] = addWeight(graph, conv.name + "/input_affine_W", std::move(newW));
            conv.inputs[2] = addWeight(graph, conv.name + "/input_affine_B", std::move(newB));
        }
        const std::string into = graph.nodes[static_cast<size_t>(consumers.front())].name;
        for (Node* n : affine.nodes) {
            removed.fusedInto[graph.value(n->outputs[0]).name] = into;
            n->opType.clear();
        }
        compactGraph(graph);
        return true;
    }
    return false;
}

}  // namespace

void foldInputAffineIntoConv(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    while (foldOneInputAffine(graph, pinned, removed)) {
    }
}

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
