// A MatMul operand made by Transpose (after a Reshape that splits heads, as
// attention layers write it) is read through strides instead: oneDNN's
// matmul takes a strided view of the untransposed tensor, so the transposed
// copy, and the Reshape's, never exist. The MatMul records the view as
// `_view_shape_N` (the Reshape's shape) and `_view_perm_N` (the perm).
// Likewise a Transpose [-> Reshape] after the MatMul: it writes the
// transposed layout through strides (`_view_perm_out`).
// Runs after the attention fusion, on the MatMuls it leaves.
#include "interstage/builder.h"
#include "passes/pattern_match.h"

namespace interstage {
namespace {

using pattern::is;

// Transpose's perm, the default (reversed axes) included.
std::vector<int64_t> permOf(const Node& transpose, size_t rank) {
    std::vector<int64_t> perm = transpose.attrInts("perm");
    if (perm.empty())
        for (size_t i = rank; i-- > 0;) perm.push_back(static_cast<int64_t>(i));
    for (int64_t& axis : perm)
        if (axis < 0) axis += static_cast<int64_t>(rank);
    return perm;
}

bool foldOperand(Graph& graph, Node& matmul, size_t index, const std::set<std::string>& pinned,
                 RemovedValues& removed) {
    const std::string suffix = std::to_string(index);
    if (matmul.hasAttr("_view_perm_" + suffix)) return false;
    Node* transpose = pattern::soleProducer(graph, matmul.input(index), pinned);
    if (!is(transpose, "Transpose")) return false;
    ValueId source = transpose->input(0);
    const Shape view = graph.value(source).shape;
    const size_t rank = graph.value(matmul.input(index)).shape.size();
    if (rank < 2 || view.size() != rank || graph.value(source).dtype != DataType::Float) return false;
    std::vector<Node*> gone = {transpose};
    // A Reshape before it only renames the axes of the same bytes.
    if (Node* reshape = pattern::soleProducer(graph, source, pinned); is(reshape, "Reshape")) {
        gone.push_back(reshape);
        source = reshape->input(0);
    }
    if (graph.value(source).constant) return false;  // folded constants are packed as they are
    matmul.attributes.push_back(intsAttr("_view_perm_" + suffix, permOf(*transpose, rank)));
    matmul.attributes.push_back(intsAttr("_view_shape_" + suffix, view));
    matmul.inputs[index] = source;
    pattern::dropNodes(graph, gone, matmul.name, removed);
    return true;
}

// MatMul -> Transpose [-> Reshape that merges heads]: the MatMul writes the
// transposed layout through strides (`_view_perm_out`) into the last value.
bool foldOutput(Graph& graph, Node& matmul, const std::set<std::string>& pinned, RemovedValues& removed) {
    if (matmul.hasAttr("_view_perm_out") || matmul.inputs.size() > 3) return false;  // a residual reads plain
    const ValueId product = matmul.outputs[0];
    Node* transpose = pattern::soleConsumer(graph, product, pinned);
    const size_t rank = graph.value(product).shape.size();
    if (!is(transpose, "Transpose") || rank < 2) return false;
    std::vector<Node*> gone = {transpose};
    ValueId last = transpose->outputs[0];
    if (Node* reshape = pattern::soleConsumer(graph, last, pinned); is(reshape, "Reshape")) {
        removed.fusedInto[graph.value(last).name] = matmul.name;
        gone.push_back(reshape);
        last = reshape->outputs[0];
    }
    removed.fusedInto[graph.value(product).name] = matmul.name;
    matmul.attributes.push_back(intsAttr("_view_perm_out", permOf(*transpose, rank)));
    matmul.outputs[0] = last;
    for (Node* node : gone) node->opType.clear();
    return true;
}

}  // namespace

void foldTransposeIntoMatMul(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    bool changed = false;
    for (Node& node : graph.nodes) {
        if (!is(&node, "MatMul") || graph.value(node.outputs[0]).dtype != DataType::Float) continue;
        for (size_t i = 0; i < 2; ++i)
            if (foldOperand(graph, node, i, pinned, removed)) changed = true;
        if (foldOutput(graph, node, pinned, removed)) changed = true;
    }
    if (changed) compactGraph(graph);
}

}  // namespace interstage
