#include "interstage/op_support.h"

#include <algorithm>

#include "cpu/kernel.h"
#include "interstage/format.h"
#include "ops/op_table.h"
#include "runtime/cpu_executor.h"

namespace interstage {
namespace {

void count(std::vector<OpGap>& gaps, const std::string& op, NodeId node) {
    auto it = std::find_if(gaps.begin(), gaps.end(), [&](const OpGap& gap) { return gap.op == op; });
    if (it == gaps.end())
        gaps.push_back({op, 1, node});
    else
        ++it->nodes;
}

// Shape arithmetic that shape resolution already computed (Shape, Gather
// of a shape, ...): the passes fold it, so no backend runs it.
bool foldedBeforeRunning(const Graph& graph, const Node& node) {
    if (node.outputs.empty()) return false;
    for (ValueId id : node.outputs)
        if (id != kNoValue && !graph.value(id).constant) return false;
    return true;
}

// The first op in a node's bodies (at any depth) with no CPU kernel; empty
// when they all have one.
std::string firstBodyGap(const Node& node) {
    for (const Attribute& a : node.attributes) {
        std::vector<const Graph*> bodies;
        if (a.graph) bodies.push_back(a.graph.get());
        for (const auto& g : a.graphs) bodies.push_back(g.get());
        for (const Graph* body : bodies)
            for (const Node& inner : body->nodes) {
                if (producesOnlyWeights(*body, inner) || ops::hasTrait(inner, ops::kResolvedBeforePlanning)) continue;
                if (!cpu::findKernel(inner)) return (inner.domain.empty() ? "" : inner.domain + ".") + inner.opType;
                std::string nested = firstBodyGap(inner);
                if (!nested.empty()) return nested;
            }
    }
    return {};
}

}  // namespace

OpSupport opSupport(const Graph& graph) {
    OpSupport support;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
        const Node& node = graph.nodes[i];
        if (producesOnlyWeights(graph, node) || foldedBeforeRunning(graph, node)) continue;
        if (ops::hasTrait(node, ops::kResolvedBeforePlanning)) continue;  // no node of theirs runs
        const auto id = static_cast<NodeId>(i);
        const std::string op = (node.domain.empty() ? "" : node.domain + ".") + node.opType;
        if (!cpu::findKernel(node)) {
            count(support.noCpuKernel, op, id);
            support.unsupportedNodes.push_back(id);
            continue;
        }
        // A body op nothing runs makes its control-flow node unrunnable.
        if (node.hasSubgraph) {
            const std::string gap = firstBodyGap(node);
            if (!gap.empty()) {
                count(support.noCpuKernel, gap + " (in a subgraph)", id);
                support.unsupportedNodes.push_back(id);
                continue;
            }
        }
        // Control-flow nodes have no shader either: a Vulkan session runs
        // them, bodies and all, through the CPU fallback.
        const ops::OpEntry* entry = ops::findOp(node);
        if (!entry || !entry->vulkan) count(support.noShader, op, id);
    }
    support.notOnVulkan.insert(support.notOnVulkan.begin(), support.noCpuKernel.begin(), support.noCpuKernel.end());
    return support;
}

std::string describeGaps(const Graph& graph, const std::vector<OpGap>& gaps) {
    std::string text;
    for (const OpGap& gap : gaps) {
        if (!text.empty()) text += ", ";
        text += gap.op + " (" + std::to_string(gap.nodes) + (gap.nodes == 1 ? " node" : " nodes") + ", first '" +
                graph.nodes[static_cast<size_t>(gap.firstNode)].name + "')";
    }
    return text;
}

Status checkWeightsLoaded(const Graph& graph) {
    if (graph.unloadedWeights.empty()) return Status::ok();
    std::size_t bytes = 0;
    for (const UnloadedWeight& weight : graph.unloadedWeights) bytes += weight.bytes;
    const UnloadedWeight& first = graph.unloadedWeights.front();
    const std::size_t count = graph.unloadedWeights.size();
    return Status(StatusCode::NotFound, "cannot run without the weights: " + std::to_string(count) +
                                            (count == 1 ? " initializer (" : " initializers (") +
                                            formatBytes(double(bytes)) +
                                            " declared) could not be read from external data; the first, '" +
                                            graph.value(first.value).name + "': " + first.reason);
}

}  // namespace interstage
