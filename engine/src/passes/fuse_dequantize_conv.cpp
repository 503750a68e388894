// ONNX Runtime's dynamic quantizer writes each conv as
//   ConvInteger -> Cast(float) -> Mul(x_scale * w_scale) [-> Add(bias)]:
// an int32 tensor and one or two float tensors of the conv's full size
// per layer, each read once. The Cast, the Mul and the per-channel Add
// fold into the ConvInteger (its _dequantize output stage,
// cpu/ops/quant/integer_conv.cpp), which then writes the float result
// directly, in the same float operations, so the bits do not change.
#include "passes/passes.h"

namespace interstage {
namespace {

// The node that alone reads `id`, an intermediate that is neither a graph
// output nor pinned; nullptr otherwise.
Node* soleConsumer(Graph& g, ValueId id, const std::set<std::string>& pinned) {
    const Value& v = g.value(id);
    if (v.consumers.size() != 1 || v.isGraphOutput || pinned.count(v.name)) return nullptr;
    Node& n = g.nodes[static_cast<size_t>(v.consumers[0])];
    return n.opType.empty() || !n.domain.empty() ? nullptr : &n;
}

// The other input of a two-input node, when one of them is `id`.
ValueId otherInput(const Node& n, ValueId id) {
    if (n.inputs.size() != 2) return kNoValue;
    if (n.inputs[0] == id) return n.inputs[1];
    return n.inputs[1] == id ? n.inputs[0] : kNoValue;
}

bool isFloatScalar(const Graph& g, ValueId id) {
    if (id == kNoValue) return false;
    const Value& v = g.value(id);
    int64_t count = 1;
    for (int64_t d : v.shape) count *= d;
    return v.dtype == DataType::Float && v.shapeResolved && count == 1;
}

// A constant float bias that adds one value per channel of a [N, C, H, W]
// result: shape [C, 1, 1] or [1, C, 1, 1].
bool isChannelBias(const Graph& g, ValueId id, int64_t channels) {
    if (id == kNoValue) return false;
    const Value& v = g.value(id);
    if (!v.constant || v.dtype != DataType::Float) return false;
    const Shape& s = v.shape;
    return s == Shape{channels, 1, 1} || s == Shape{1, channels, 1, 1};
}

Attribute intAttribute(const std::string& name, int64_t value) {
    Attribute a;
    a.name = name;
    a.kind = Attribute::Kind::Int;
    a.i = value;
    return a;
}

}  // namespace

void fuseDequantizeIntoConvInteger(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    bool changed = false;
    for (Node& conv : graph.nodes) {
        if (conv.opType != "ConvInteger" || !conv.domain.empty() || conv.hasAttr("_dequantize") ||
            conv.outputs.size() != 1 || conv.inputs.size() > 4)
            continue;
        const Value& product = graph.value(conv.outputs[0]);
        if (product.shape.size() != 4) continue;
        Node* cast = soleConsumer(graph, conv.outputs[0], pinned);
        if (!cast || cast->opType != "Cast" || cast->attrInt("to", 0) != static_cast<int64_t>(DataType::Float))
            continue;
        Node* mul = soleConsumer(graph, cast->outputs[0], pinned);
        if (!mul || mul->opType != "Mul" || mul->outputs.size() != 1) continue;
        const ValueId scale = otherInput(*mul, cast->outputs[0]);
        if (!isFloatScalar(graph, scale) || graph.value(mul->outputs[0]).shape != product.shape) continue;
        Node* add = soleConsumer(graph, mul->outputs[0], pinned);
        ValueId bias = add && add->opType == "Add" ? otherInput(*add, mul->outputs[0]) : kNoValue;
        if (!isChannelBias(graph, bias, product.shape[1])) {
            add = nullptr;
            bias = kNoValue;
        }
        // The fused node takes the place of the last one it replaces: the
        // scale is computed after the ConvInteger in the file's order.
        Node& last = add ? *add : *mul;
        Node fused = conv;
        fused.inputs.resize(4, kNoValue);
        fused.inputs.push_back(scale);
        if (bias != kNoValue) fused.inputs.push_back(bias);
        fused.attributes.push_back(intAttribute("_dequantize", 1));
        fused.outputs[0] = last.outputs[0];
        removed.fusedInto[graph.value(conv.outputs[0]).name] = conv.name;
        removed.fusedInto[graph.value(cast->outputs[0]).name] = conv.name;
        if (add) removed.fusedInto[graph.value(mul->outputs[0]).name] = conv.name;
        conv.opType.clear();
        cast->opType.clear();
        mul->opType.clear();
        last = std::move(fused);
        changed = true;
    }
    if (changed) compactGraph(graph);
}

}  // namespace interstage
