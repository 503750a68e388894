// What a transformer's dense layer does after its product, done by the
// product: MatMul -> Add(bias [N]) becomes the MatMul's third input (oneDNN's
// bias argument), and a Gelu after it the MatMul's fused activation (an
// eltwise post-op), so the layer's output is written once instead of three
// times; a residual Add after it becomes a fourth input. The node keeps the
// MatMul's name; `_fused_activation` and the extra inputs are what the graph
// view shows of the fusion.
#include "passes/pattern_match.h"

namespace interstage {
namespace {

using pattern::is;

// A float32 MatMul with no activation and at most `inputs` inputs (2: no
// bias yet), writing `value` alone.
Node* plainMatMul(Graph& graph, ValueId value, const std::set<std::string>& pinned, size_t inputs) {
    Node* matmul = pattern::soleProducer(graph, value, pinned);
    if (!is(matmul, "MatMul") || matmul->inputs.size() > inputs || matmul->hasAttr("_fused_activation")) return nullptr;
    if (graph.value(matmul->input(0)).dtype != DataType::Float) return nullptr;
    return matmul;
}

bool fuseBias(Graph& graph, Node& add, const std::set<std::string>& pinned, RemovedValues& removed) {
    if (!is(&add, "Add") || add.inputs.size() != 2) return false;
    for (int side = 0; side < 2; ++side) {
        const ValueId product = add.inputs[static_cast<size_t>(side)];
        Node* matmul = plainMatMul(graph, product, pinned, 2);
        if (!matmul) continue;
        const Shape& shape = graph.value(product).shape;
        const ValueId bias = add.inputs[static_cast<size_t>(1 - side)];
        if (shape.empty() || graph.value(add.outputs[0]).shape != shape) continue;
        const int64_t n = shape.back();
        const TensorData* data = pattern::lastAxisVector(graph, bias, n);
        if (!data) continue;
        ValueId vector = bias;
        if (data->shape != Shape{n}) {
            TensorData flat = *data;
            flat.shape = {n};
            vector = addWeight(graph, matmul->name + "/bias", std::move(flat));
        }
        removed.fusedInto[graph.value(product).name] = matmul->name;
        matmul->inputs.push_back(vector);
        matmul->outputs[0] = add.outputs[0];
        add.opType.clear();
        return true;
    }
    return false;
}

bool fuseGeluActivation(Graph& graph, Node& gelu, const std::set<std::string>& pinned, RemovedValues& removed) {
    if (!is(&gelu, "Gelu") || gelu.outputs.size() != 1) return false;
    const std::string form = gelu.attrString("approximate", "none");
    if (form != "none" && form != "tanh") return false;
    Node* matmul = pattern::soleProducer(graph, gelu.input(0), pinned);
    if (!is(matmul, "MatMul") || matmul->hasAttr("_fused_activation")) return false;
    if (graph.value(matmul->input(0)).dtype != DataType::Float) return false;
    Attribute kind;
    kind.name = "_fused_activation";
    kind.kind = Attribute::Kind::String;
    kind.s = form == "tanh" ? "GeluTanh" : "Gelu";
    matmul->attributes.push_back(kind);
    removed.fusedInto[graph.value(gelu.input(0)).name] = matmul->name;
    matmul->outputs[0] = gelu.outputs[0];
    gelu.opType.clear();
    return true;
}

// MatMul -> Add(residual of the output's shape): the residual becomes the
// MatMul's fourth input (a oneDNN binary post-op). The fused node takes the
// Add's place in the order, where the residual is surely computed.
bool fuseResidual(Graph& graph, NodeId addId, const std::set<std::string>& pinned, RemovedValues& removed) {
    Node& add = graph.nodes[static_cast<size_t>(addId)];
    if (!is(&add, "Add") || add.inputs.size() != 2 || add.inputs[0] == add.inputs[1]) return false;
    for (int side = 0; side < 2; ++side) {
        const ValueId product = add.inputs[static_cast<size_t>(side)];
        Node* matmul = plainMatMul(graph, product, pinned, 3);
        const ValueId residual = add.inputs[static_cast<size_t>(1 - side)];
        if (!matmul) continue;
        const Value& r = graph.value(residual);
        if (r.constant || r.dtype != DataType::Float || r.shape != graph.value(product).shape ||
            graph.value(add.outputs[0]).shape != r.shape)
            continue;
        removed.fusedInto[graph.value(product).name] = matmul->name;
        const ValueId output = add.outputs[0];
        add = std::move(*matmul);
        matmul->opType.clear();
        add.inputs.resize(3, kNoValue);
        add.inputs.push_back(residual);
        add.outputs[0] = output;
        return true;
    }
    return false;
}

}  // namespace

void fuseMatMulEpilogue(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    bool changed = false;
    for (size_t i = 0; i < graph.nodes.size(); ++i)
        if (fuseBias(graph, graph.nodes[i], pinned, removed)) changed = true;
    if (changed) compactGraph(graph);  // the Gelu's producer is now the MatMul
    changed = false;
    for (Node& node : graph.nodes)
        if (fuseGeluActivation(graph, node, pinned, removed)) changed = true;
    if (changed) compactGraph(graph);  // activations first: the residual goes only where there is none
    changed = false;
    for (size_t i = 0; i < graph.nodes.size(); ++i)
        if (fuseResidual(graph, static_cast<NodeId>(i), pinned, removed)) changed = true;
    if (changed) compactGraph(graph);
}

}  // namespace interstage
