#include "model/subgraph_bounds.h"

#include "model/subgraph_shapes.h"

namespace interstage {
namespace {

bool inputsResolved(const Graph& graph, const Node& node) {
    for (ValueId id : node.inputs)
        if (id != kNoValue && !graph.value(id).shapeResolved) return false;
    return true;
}

// The body's formal inputs as the node hands them (Loop: iteration,
// condition, carried values; Scan: states, then one slice of each scan
// input); false when the node's form is not one counted here.
bool bodyInputs(const Graph& graph, const Node& node, std::vector<BodyInput>& inputs) {
    if (node.opType == "If") return true;
    if (node.opType == "Loop") {
        inputs = {{DataType::Int64, {}, nullptr}, {DataType::Bool, {}, nullptr}};
        for (size_t i = 2; i < node.inputs.size(); ++i) {
            const Value& v = graph.value(node.inputs[i]);
            inputs.push_back({v.dtype, v.shape, nullptr});
        }
        return true;
    }
    if (node.opType != "Scan" || (graph.opset() > 0 && graph.opset() < 9)) return false;
    const int64_t scanned = node.attrInt("num_scan_inputs", 0);
    if (scanned < 1 || static_cast<size_t>(scanned) > node.inputs.size()) return false;
    const size_t states = node.inputs.size() - static_cast<size_t>(scanned);
    const std::vector<int64_t> axes = node.attrInts("scan_input_axes");
    for (size_t i = 0; i < node.inputs.size(); ++i) {
        const Value& v = graph.value(node.inputs[i]);
        Shape shape = v.shape;
        if (i >= states) {
            const auto rank = static_cast<int64_t>(shape.size());
            int64_t axis = axes.size() == static_cast<size_t>(scanned) ? axes[i - states] : 0;
            if (axis < 0) axis += rank;
            if (axis < 0 || axis >= rank) return false;
            shape.erase(shape.begin() + axis);
        }
        inputs.push_back({v.dtype, shape, nullptr});
    }
    return true;
}

bool boundOf(const Graph& graph, const Graph& body, const std::vector<BodyInput>& inputs, std::size_t& bytes) {
    auto resolved = resolveBody(body, inputs, graph, ShapeOptions{});
    if (!resolved.ok()) return false;
    bytes = lowerBound(resolved.value(), intermediateLifetimes(resolved.value())).bytes;
    return true;
}

}  // namespace

std::vector<SubgraphBound> subgraphBounds(const Graph& graph) {
    std::vector<SubgraphBound> bounds;
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        const Node& node = graph.nodes[n];
        std::vector<BodyInput> inputs;
        if (!node.hasSubgraph || !node.domain.empty() || !inputsResolved(graph, node) ||
            !bodyInputs(graph, node, inputs))
            continue;
        std::vector<std::string> names{"body"};
        bool taken = false;
        if (node.opType == "If") {
            const Value& condition = graph.value(node.input(0));
            taken = condition.constant && condition.constant->elementCount() == 1;
            names = {"then_branch", "else_branch"};
            if (taken) names = {condition.constant->intAt(0) ? "then_branch" : "else_branch"};
        }
        SubgraphBound bound{static_cast<NodeId>(n), {}, 0, taken};
        bool resolved = true;
        for (const std::string& name : names) {
            const Graph* body = node.subgraph(name);
            std::size_t bytes = 0;
            resolved = resolved && body && boundOf(graph, *body, inputs, bytes);
            if (resolved && (bound.body.empty() || bytes > bound.bytes)) {
                bound.body = name;
                bound.bytes = bytes;
            }
        }
        if (resolved) bounds.push_back(bound);
    }
    return bounds;
}

}  // namespace interstage
