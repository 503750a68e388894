// The QDQ form of a quantized conv, as quantization tools export it:
//   DequantizeLinear(x_q) -> Conv(., DequantizeLinear(w_q), bias) -> QuantizeLinear
// with constant scales and zero points, becomes one QLinearConv on the
// stored bytes (an int8 oneDNN conv, cpu/ops/quant): no float copy of the
// activation or the weights, and the conv's result goes straight to the
// output's scale. The float bias becomes int32 in units of
// x_scale * w_scale, as QLinearConv wants; rounding it moves the result
// by at most half of that unit, so an element on a rounding tie of the
// output may land one step away from the float path.
#include <cmath>
#include <limits>

#include "passes/passes.h"

namespace interstage {
namespace {

bool isConstant(const Graph& g, ValueId id) { return id != kNoValue && g.value(id).constant != nullptr; }

// The node producing `id` when `id` is an intermediate only one node reads.
Node* soleProducer(Graph& g, ValueId id, const std::set<std::string>& pinned) {
    if (id == kNoValue) return nullptr;
    const Value& v = g.value(id);
    if (v.producer == kNoNode || v.consumers.size() != 1 || v.isGraphOutput || pinned.count(v.name)) return nullptr;
    Node& n = g.nodes[static_cast<size_t>(v.producer)];
    return n.opType.empty() ? nullptr : &n;
}

bool isByteType(DataType t) { return t == DataType::Int8 || t == DataType::UInt8; }

// A DequantizeLinear of int8 / uint8 data with a constant float scale and
// zero point (omitted: 0), per tensor, or per output channel (axis 0) when
// perChannel. Blocked ones are left alone.
bool isConstantDequantize(const Graph& g, const Node& n, bool perChannel) {
    if (n.opType != "DequantizeLinear" || !n.domain.empty() || n.attrInt("block_size", 0) != 0) return false;
    if (!isByteType(g.value(n.input(0)).dtype) || !isConstant(g, n.input(1))) return false;
    if (g.value(n.input(1)).dtype != DataType::Float) return false;
    if (n.input(2) != kNoValue && !isConstant(g, n.input(2))) return false;
    const int64_t count = g.value(n.input(1)).constant->elementCount();
    if (count == 1) return true;
    return perChannel && n.attrInt("axis", 1) == 0;
}

bool isScalarQuantize(const Graph& g, const Node& n) {
    if (n.opType != "QuantizeLinear" || !n.domain.empty() || n.attrInt("block_size", 0) != 0) return false;
    if (!isConstant(g, n.input(1)) || g.value(n.input(1)).constant->elementCount() != 1) return false;
    if (g.value(n.input(1)).dtype != DataType::Float) return false;
    return n.input(2) != kNoValue && isConstant(g, n.input(2)) && isByteType(g.value(n.input(2)).dtype);
}

// A scalar zero point of `dtype` (the omitted zero point of an int8 tensor).
ValueId zeroPointOrZero(Graph& g, ValueId given, DataType dtype, const std::string& name) {
    if (given != kNoValue) return given;
    return addWeight(g, name, TensorData::zeros(dtype, {}));
}

}  // namespace

void fuseQdqConv(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    bool changed = false;
    for (Node& quantize : graph.nodes) {
        if (!isScalarQuantize(graph, quantize)) continue;
        Node* conv = soleProducer(graph, quantize.input(0), pinned);
        if (!conv || conv->opType != "Conv" || !conv->domain.empty() || conv->attr("_fused_activation")) continue;
        Node* dqX = soleProducer(graph, conv->input(0), pinned);
        Node* dqW = soleProducer(graph, conv->input(1), pinned);
        if (!dqX || !dqW || !isConstantDequantize(graph, *dqX, false) || !isConstantDequantize(graph, *dqW, true))
            continue;
        if (!isConstant(graph, dqW->input(0))) continue;
        const ValueId bias = conv->input(2);
        if (bias != kNoValue && (!isConstant(graph, bias) || graph.value(bias).dtype != DataType::Float)) continue;

        const int64_t channels = graph.value(dqW->input(0)).shape[0];
        const TensorData& wScales = *graph.value(dqW->input(1)).constant;
        const float xScale = graph.value(dqX->input(1)).constant->data<float>()[0];
        ValueId bias32 = kNoValue;
        if (bias != kNoValue) {
            const TensorData& b = *graph.value(bias).constant;
            if (b.elementCount() != channels) continue;
            TensorData q = TensorData::zeros(DataType::Int32, {channels});
            bool fits = true;
            for (int64_t m = 0; m < channels; ++m) {
                const double unit = double(xScale) * wScales.data<float>()[wScales.elementCount() > 1 ? m : 0];
                const double v = std::nearbyint(b.data<float>()[m] / unit);
                fits &= unit > 0 && std::abs(v) < double(std::numeric_limits<int32_t>::max());
                q.data<int32_t>()[m] = fits ? static_cast<int32_t>(v) : 0;
            }
            if (!fits) continue;
            bias32 = addWeight(graph, graph.value(bias).name + "_int32", std::move(q));
        }
        const DataType xType = graph.value(dqX->input(0)).dtype, wType = graph.value(dqW->input(0)).dtype;
        std::vector<ValueId> inputs{dqX->input(0),
                                    dqX->input(1),
                                    zeroPointOrZero(graph, dqX->input(2), xType, conv->name + "_x_zero_point"),
                                    dqW->input(0),
                                    dqW->input(1),
                                    zeroPointOrZero(graph, dqW->input(2), wType, conv->name + "_w_zero_point"),
                                    quantize.input(1),
                                    quantize.input(2)};
        if (bias32 != kNoValue) inputs.push_back(bias32);
        for (const Node* gone : {dqX, dqW, conv}) removed.fusedInto[graph.value(gone->outputs[0]).name] = quantize.name;
        quantize.opType = "QLinearConv";
        quantize.inputs = std::move(inputs);
        quantize.attributes = conv->attributes;
        dqX->opType.clear();
        dqW->opType.clear();
        conv->opType.clear();
        changed = true;
    }
    if (changed) compactGraph(graph);
}

}  // namespace interstage
