#include "model/graph_order.h"

#include <functional>
#include <queue>
#include <unordered_map>
#include <unordered_set>

namespace interstage {
namespace {

std::string nodeLabel(const onnx::NodeProto& node, int index) {
    std::string name = node.name().empty() ? node.op_type() + "_" + std::to_string(index) : node.name();
    return "'" + name + "' (" + node.op_type() + ")";
}

void collectSubgraphs(const onnx::NodeProto& node, std::vector<const onnx::GraphProto*>& out) {
    for (const auto& attr : node.attribute()) {
        if (attr.has_g()) out.push_back(&attr.g());
        for (const auto& g : attr.graphs()) out.push_back(&g);
    }
}

}  // namespace

void collectOuterReferences(const onnx::GraphProto& graph, std::set<std::string>& outer) {
    std::unordered_set<std::string> local;
    for (const auto& init : graph.initializer()) local.insert(init.name());
    for (const auto& input : graph.input()) local.insert(input.name());
    for (const auto& node : graph.node())
        for (const auto& output : node.output()) local.insert(output);
    for (const auto& node : graph.node()) {
        for (const auto& input : node.input())
            if (!input.empty() && !local.count(input)) outer.insert(input);
        std::vector<const onnx::GraphProto*> subgraphs;
        collectSubgraphs(node, subgraphs);
        for (const auto* sub : subgraphs) {
            std::set<std::string> nested;
            collectOuterReferences(*sub, nested);
            for (const auto& name : nested)
                if (!local.count(name)) outer.insert(name);
        }
    }
    for (const auto& output : graph.output())
        if (!local.count(output.name())) outer.insert(output.name());
}

Result<GraphOrder> orderNodes(const onnx::GraphProto& graph, const std::set<std::string>& outerNames) {
    const int nodeCount = graph.node_size();
    std::unordered_set<std::string> available(outerNames.begin(), outerNames.end());
    for (const auto& init : graph.initializer()) available.insert(init.name());
    for (const auto& input : graph.input()) available.insert(input.name());

    std::unordered_map<std::string, int> producer;
    for (int i = 0; i < nodeCount; ++i) {
        for (const auto& output : graph.node(i).output()) {
            if (output.empty()) continue;
            if (available.count(output))
                return invalidModel("node " + nodeLabel(graph.node(i), i) + " writes '" + output +
                                    "', which is already a graph input or initializer");
            auto [it, inserted] = producer.emplace(output, i);
            if (!inserted)
                return invalidModel("value '" + output + "' is produced twice: by node " +
                                    nodeLabel(graph.node(it->second), it->second) + " and by node " +
                                    nodeLabel(graph.node(i), i));
        }
    }

    GraphOrder result;
    result.implicit.resize(static_cast<size_t>(nodeCount));
    std::vector<std::vector<int>> dependents(static_cast<size_t>(nodeCount));
    std::vector<int> pending(static_cast<size_t>(nodeCount), 0);
    auto addDependency = [&](int node, const std::string& name, bool implicitUse) -> Status {
        if (available.count(name)) return Status::ok();
        auto it = producer.find(name);
        if (it == producer.end())
            return invalidModel("node " + nodeLabel(graph.node(node), node) + (implicitUse ? " (in a subgraph)" : "") +
                                " reads '" + name + "', which no node, initializer or graph input produces");
        dependents[static_cast<size_t>(it->second)].push_back(node);
        ++pending[static_cast<size_t>(node)];
        return Status::ok();
    };
    for (int i = 0; i < nodeCount; ++i) {
        const auto& node = graph.node(i);
        for (const auto& input : node.input())
            if (!input.empty()) IS_RETURN_IF_ERROR(addDependency(i, input, false));
        std::vector<const onnx::GraphProto*> subgraphs;
        collectSubgraphs(node, subgraphs);
        if (subgraphs.empty()) continue;
        std::set<std::string> outer;
        for (const auto* sub : subgraphs) collectOuterReferences(*sub, outer);
        for (const auto& name : outer) {
            IS_RETURN_IF_ERROR(addDependency(i, name, true));
            result.implicit[static_cast<size_t>(i)].push_back(name);
        }
    }

    // Kahn's algorithm, always taking the lowest file index that is ready:
    // a file already in topological order keeps its order exactly.
    std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
    for (int i = 0; i < nodeCount; ++i)
        if (pending[static_cast<size_t>(i)] == 0) ready.push(i);
    result.order.reserve(static_cast<size_t>(nodeCount));
    while (!ready.empty()) {
        int node = ready.top();
        ready.pop();
        result.order.push_back(node);
        for (int next : dependents[static_cast<size_t>(node)])
            if (--pending[static_cast<size_t>(next)] == 0) ready.push(next);
    }
    if (static_cast<int>(result.order.size()) != nodeCount) {
        std::string names;
        int listed = 0;
        for (int i = 0; i < nodeCount && listed < 5; ++i) {
            if (pending[static_cast<size_t>(i)] == 0) continue;
            names += (listed ? ", " : "") + nodeLabel(graph.node(i), i);
            ++listed;
        }
        return invalidModel("the graph has a cycle: " + std::to_string(nodeCount - result.order.size()) +
                            " nodes wait on each other, among them " + names);
    }
    return result;
}

}  // namespace interstage
