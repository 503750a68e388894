#include "model/node_bodies.h"

#include <cstddef>
#include <memory>
#include <utility>

#include "model/fold_util.h"

namespace interstage {
namespace {

bool inputsResolved(const Graph& graph, const Node& node) {
    for (ValueId id : node.inputs)
        if (id != kNoValue && !graph.value(id).shapeResolved) return false;
    return true;
}

// Loop: iteration, condition, then the carried values (never omitted).
bool loopInputs(const Graph& graph, const Node& node, std::vector<BodyInput>& inputs) {
    inputs = {{DataType::Int64, {}, nullptr}, {DataType::Bool, {}, nullptr}};
    for (size_t i = 2; i < node.inputs.size(); ++i) {
        if (node.inputs[i] == kNoValue) return false;
        const Value& v = graph.value(node.inputs[i]);
        inputs.push_back({v.dtype, v.shape, nullptr});
    }
    return true;
}

// The same with the first iteration's values (model/shape_rules_control.cpp,
// loopRule).
std::vector<BodyInput> firstIterationOf(const Graph& graph, const Node& node, std::vector<BodyInput> inputs) {
    inputs[0].value = std::make_shared<const TensorData>(TensorData::fromInt64({0}, {}));
    TensorData yes = TensorData::zeros(DataType::Bool, {});
    yes.bytes[0] = std::byte{1};
    inputs[1].value = std::make_shared<const TensorData>(std::move(yes));
    for (size_t i = 2; i < inputs.size(); ++i) {
        const Value& v = graph.value(node.inputs[i]);
        if (v.constant && v.constant->shape == v.shape && shapes::fold::isConsistent(*v.constant))
            inputs[i].value = v.constant;
    }
    return inputs;
}

// Scan from opset 9: the states whole, each scan input without its scan
// axis. Before opset 9 input 0 is sequence_lens (refused when given), and
// every input loses its batch axis, scan inputs their sequence axis too.
bool scanInputs(const Graph& graph, const Node& node, std::vector<BodyInput>& inputs) {
    const bool batched = graph.opset() > 0 && graph.opset() < 9;
    const size_t first = batched ? 1 : 0;
    if (batched && node.input(0) != kNoValue) return false;
    const int64_t scanned = node.attrInt("num_scan_inputs", 0);
    if (scanned < 1 || static_cast<size_t>(scanned) > node.inputs.size() - first) return false;
    const size_t states = node.inputs.size() - static_cast<size_t>(scanned);
    const std::vector<int64_t> axes = batched ? std::vector<int64_t>{} : node.attrInts("scan_input_axes");
    for (size_t i = first; i < node.inputs.size(); ++i) {
        if (node.inputs[i] == kNoValue) return false;
        const Value& v = graph.value(node.inputs[i]);
        const auto rank = static_cast<int64_t>(v.shape.size());
        Shape shape = v.shape;
        if (batched) {
            const int64_t drop = i >= states ? 2 : 1;
            if (rank < drop) return false;
            shape.erase(shape.begin(), shape.begin() + drop);
        } else if (i >= states) {
            int64_t axis = axes.size() == static_cast<size_t>(scanned) ? axes[i - states] : 0;
            if (axis < 0) axis += rank;
            if (axis < 0 || axis >= rank) return false;
            shape.erase(shape.begin() + axis);
        }
        inputs.push_back({v.dtype, shape, nullptr});
    }
    return true;
}

}  // namespace

std::optional<NodeBodies> nodeBodies(const Graph& graph, const Node& node) {
    if (!node.hasSubgraph || !node.domain.empty() || !inputsResolved(graph, node)) return std::nullopt;
    NodeBodies bodies;
    if (node.opType == "If") {
        if (node.input(0) == kNoValue) return std::nullopt;  // no condition: its shape rule refuses it
        bodies.names = {"then_branch", "else_branch"};
        const Value& condition = graph.value(node.input(0));
        if (condition.constant && condition.constant->elementCount() == 1) {
            bodies.branchTaken = true;
            bodies.names = {condition.constant->intAt(0) ? "then_branch" : "else_branch"};
        }
        return bodies;
    }
    bodies.names = {"body"};
    if (node.opType == "Loop" && loopInputs(graph, node, bodies.inputs)) {
        bodies.firstIteration = firstIterationOf(graph, node, bodies.inputs);
        return bodies;
    }
    if (node.opType == "Scan" && scanInputs(graph, node, bodies.inputs)) return bodies;
    return std::nullopt;
}

}  // namespace interstage
