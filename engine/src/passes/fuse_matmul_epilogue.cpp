// What a transformer's dense layer does after its product, done by the
// product: MatMul -> Add(bias [N]) becomes the MatMul's third input (oneDNN's
// bias argument), and a Gelu after it the MatMul's fused activation (an
// eltwise post-op), so the layer's output is written once instead of three
// times. The node keeps the MatMul's name; `_fused_activation` and the third
// input are what the graph view shows of the fusion.
#include "passes/pattern_match.h"

namespace interstage {
namespace {

using pattern::is;

// A float32 MatMul with nothing fused yet, writing `value` alone.
Node* plainMatMul(Graph& graph, ValueId value, const std::set<std::string>& pinned) {
    Node* matmul = pattern::soleProducer(graph, value, pinned);
    if (!is(matmul, "MatMul") || matmul->inputs.size() != 2 || matmul->hasAttr("_fused_activation")) return nullptr;
    if (graph.value(matmul->input(0)).dtype != DataType::Float) return nullptr;
    return matmul;
}

bool fuseBias(Graph& graph, Node& add, const std::set<std::string>& pinned, RemovedValues& removed) {
    if (!is(&add, "Add") || add.inputs.size() != 2) return false;
    for (int side = 0; side < 2; ++side) {
        const ValueId product = add.inputs[static_cast<size_t>(side)];
        Node* matmul = plainMatMul(graph, product, pinned);
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

}  // namespace

void fuseMatMulEpilogue(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    bool changed = false;
    for (size_t i = 0; i < graph.nodes.size(); ++i)
        if (fuseBias(graph, graph.nodes[i], pinned, removed)) changed = true;
    if (changed) compactGraph(graph);  // the Gelu's producer is now the MatMul
    changed = false;
    for (Node& node : graph.nodes)
        if (fuseGeluActivation(graph, node, pinned, removed)) changed = true;
    if (changed) compactGraph(graph);
}

}  // namespace interstage
