#include "passes/pattern_match.h"

#include <cmath>

namespace interstage::pattern {

bool removable(const Graph& graph, ValueId id, const std::set<std::string>& pinned) {
    if (id == kNoValue) return false;
    const Value& v = graph.value(id);
    return v.producer != kNoNode && !v.isGraphOutput && !pinned.count(v.name) && v.dtype == DataType::Float &&
           !v.constant;
}

Node* soleConsumer(Graph& graph, ValueId id, const std::set<std::string>& pinned) {
    if (!removable(graph, id, pinned) || graph.value(id).consumers.size() != 1) return nullptr;
    Node& n = graph.nodes[static_cast<size_t>(graph.value(id).consumers[0])];
    return n.opType.empty() ? nullptr : &n;
}

Node* soleProducer(Graph& graph, ValueId id, const std::set<std::string>& pinned) {
    if (!removable(graph, id, pinned) || graph.value(id).consumers.size() != 1) return nullptr;
    Node& n = graph.nodes[static_cast<size_t>(graph.value(id).producer)];
    return n.opType.empty() ? nullptr : &n;
}

bool is(const Node* node, const char* opType) { return node && node->domain.empty() && node->opType == opType; }

std::optional<float> scalarOf(const Graph& graph, ValueId id) {
    if (id == kNoValue) return std::nullopt;
    const Value& v = graph.value(id);
    if (!v.constant || v.constant->dtype != DataType::Float || v.constant->elementCount() != 1) return std::nullopt;
    return v.constant->data<float>()[0];
}

bool scalarNear(const Graph& graph, ValueId id, float expected, float tolerance) {
    const std::optional<float> value = scalarOf(graph, id);
    return value && std::abs(*value - expected) <= tolerance * std::max(1.f, std::abs(expected));
}

ValueId otherInput(const Node& node, ValueId x) {
    if (node.inputs.size() != 2) return kNoValue;
    if (node.inputs[0] == x) return node.inputs[1];
    if (node.inputs[1] == x) return node.inputs[0];
    return kNoValue;
}

const TensorData* lastAxisVector(const Graph& graph, ValueId id, int64_t count) {
    if (id == kNoValue) return nullptr;
    const Value& v = graph.value(id);
    if (!v.constant || v.constant->dtype != DataType::Float || v.constant->elementCount() != count) return nullptr;
    const Shape& shape = v.constant->shape;
    if (shape.empty() || shape.back() != count) return nullptr;
    return v.constant.get();
}

void dropNodes(Graph& graph, const std::vector<Node*>& nodes, const std::string& into, RemovedValues& removed) {
    for (Node* node : nodes) {
        for (ValueId out : node->outputs)
            if (out != kNoValue) removed.fusedInto[graph.value(out).name] = into;
        node->opType.clear();
    }
}

}  // namespace interstage::pattern
