// Pointwise Conv -> Add(shortcut) [-> Relu] becomes one Conv that adds the
// shortcut as it writes each output (input 3; the Add's Relu as
// `_fused_residual_activation`), so the block's output is written once
// instead of written, read twice and written again. A shortcut padded with
// zero channels at the end (Pad, as PyTorch's F.pad exports BlazeFace's
// growing blocks) is read unpadded: it reaches only the first channels, and
// the Pad goes too.
//
// Only where the CPU's narrow pointwise kernel (cpu/ops/nn/
// conv_narrow_pointwise.cpp) runs the result: 1x1, stride 1, one group,
// float32, few channels, a clamp-like activation (none, Relu, Clip). Such a
// Conv stays NCHW (passes/blocked_layout.cpp leaves a Conv with a
// residual out of the blocked groups).
#include <cmath>

#include "passes/pattern_match.h"

namespace interstage {
namespace {

using pattern::is;

// The kernel's register blocking pays up to here (wider ones are oneDNN's);
// see conv_narrow_pointwise.cpp.
constexpr int64_t kMaxInputChannels = 128;
constexpr int64_t kMaxOutputChannels = 256;

// A float32 4-D 1x1 Conv, stride 1, no padding, one group, without a
// residual yet, whose activation the narrow kernel applies.
bool narrowPointwise(const Graph& graph, const Node& conv) {
    if (!is(&conv, "Conv") || conv.inputs.size() < 2 || conv.inputs.size() > 3 || conv.outputs.size() != 1 ||
        conv.input(0) == kNoValue || conv.input(1) == kNoValue)
        return false;
    const std::string activation = conv.attrString("_fused_activation", "");
    if (!activation.empty() && activation != "Relu" && activation != "Clip") return false;
    const Value& x = graph.value(conv.input(0));
    const Value& w = graph.value(conv.input(1));
    const Value& y = graph.value(conv.output(0));
    if (x.dtype != DataType::Float || x.shape.size() != 4 || w.shape.size() != 4 || y.shape.size() != 4) return false;
    if (w.shape[2] != 1 || w.shape[3] != 1 || conv.attrInt("group", 1) != 1) return false;
    if (x.shape[2] != y.shape[2] || x.shape[3] != y.shape[3]) return false;  // 1x1 with padding would grow
    for (int64_t s : conv.attrInts("strides"))
        if (s != 1) return false;
    return x.shape[1] <= kMaxInputChannels && y.shape[1] <= kMaxOutputChannels;
}

// The tensor a zero Pad of channels at the end reads, else kNoValue.
ValueId unpaddedChannels(const Graph& graph, const Node& pad) {
    if (!is(&pad, "Pad") || pad.attrString("mode", "constant") != "constant" || pad.input(0) == kNoValue)
        return kNoValue;
    std::vector<int64_t> pads;
    if (pad.inputs.size() == 1) {  // opset < 11: attributes
        pads = pad.attrInts("pads");
        if (pad.attrFloat("value", 0.f) != 0.f) return kNoValue;
    } else {
        const Value& p = graph.value(pad.input(1));
        if (!p.constant || p.constant->dtype != DataType::Int64) return kNoValue;
        const int64_t* data = p.constant->data<int64_t>();
        pads.assign(data, data + p.constant->elementCount());
        if (pad.inputs.size() > 3 && pad.input(3) != kNoValue) return kNoValue;  // axes
        if (pad.inputs.size() > 2 && pad.input(2) != kNoValue) {
            const std::optional<float> value = pattern::scalarOf(graph, pad.input(2));
            if (!value || *value != 0.f) return kNoValue;
        }
    }
    if (pads.size() != 8) return kNoValue;
    for (size_t i = 0; i < 8; ++i)
        if (pads[i] != (i == 5 ? pads[5] : 0)) return kNoValue;
    return pads[5] > 0 ? pad.input(0) : kNoValue;
}

bool fuseResidual(Graph& graph, NodeId addId, const std::set<std::string>& pinned, RemovedValues& removed) {
    Node& add = graph.nodes[static_cast<size_t>(addId)];
    if (!is(&add, "Add") || add.inputs.size() != 2 || add.outputs.size() != 1 || add.inputs[0] == add.inputs[1])
        return false;
    const std::string after = add.attrString("_fused_activation", "");
    if (!after.empty() && after != "Relu") return false;
    for (int side = 0; side < 2; ++side) {
        const ValueId product = add.inputs[static_cast<size_t>(side)];
        Node* conv = pattern::soleProducer(graph, product, pinned);
        if (!conv || !narrowPointwise(graph, *conv)) continue;
        const Shape& shape = graph.value(product).shape;
        if (graph.value(add.output(0)).shape != shape) continue;
        const ValueId other = add.inputs[static_cast<size_t>(1 - side)];
        const Value& o = graph.value(other);
        if (o.constant || o.dtype != DataType::Float || o.shape != shape) continue;
        // A zero-padded shortcut is read unpadded; any other as it is.
        ValueId residual = other;
        Node* pad = pattern::soleProducer(graph, other, pinned);
        const ValueId unpadded = pad ? unpaddedChannels(graph, *pad) : kNoValue;
        const Shape* u = unpadded == kNoValue ? nullptr : &graph.value(unpadded).shape;
        if (u && graph.value(unpadded).dtype == DataType::Float && u->size() == 4 && (*u)[0] == shape[0] &&
            (*u)[2] == shape[2] && (*u)[3] == shape[3] && (*u)[1] < shape[1])
            residual = unpadded;
        else
            pad = nullptr;

        const std::string name = conv->name;
        removed.fusedInto[graph.value(product).name] = name;
        if (pad) pattern::dropNodes(graph, {pad}, name, removed);
        // The fused node takes the Add's place in the order, where the
        // shortcut is surely computed.
        const ValueId output = add.output(0);
        add = std::move(*conv);
        conv->opType.clear();
        add.inputs.resize(3, kNoValue);
        add.inputs.push_back(residual);
        add.outputs[0] = output;
        if (!after.empty()) {
            Attribute kind;
            kind.name = "_fused_residual_activation";
            kind.kind = Attribute::Kind::String;
            kind.s = after;
            add.attributes.push_back(kind);
        }
        return true;
    }
    return false;
}

}  // namespace

void fuseConvResidual(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    bool changed = false;
    for (size_t i = 0; i < graph.nodes.size(); ++i)
        if (fuseResidual(graph, static_cast<NodeId>(i), pinned, removed)) changed = true;
    if (changed) compactGraph(graph);
}

}  // namespace interstage
