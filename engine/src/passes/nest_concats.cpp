// A Concat whose first inputs are exactly an earlier Concat's inputs (same
// order, same axis) reads that Concat's output instead of them: DenseNet's
// layer k concatenates f0..f(k-1), layer k+1 f0..fk, so each becomes
// Concat(previous concat, newest feature). The result is the same bytes
// (concatenation is associative), but
//   - each feature is read by one Concat instead of by every later layer,
//     so it can die there instead of living to the end of its block;
//   - the earlier Concat's output is a candidate to be written in place at
//     the start of the later one (plan/in_place), so a block's Concats can
//     share one buffer and copy nothing.
#include <map>
#include <vector>

#include "passes/passes.h"

namespace interstage {
namespace {

struct ConcatInfo {
    size_t node = 0;
    int64_t axis = 0;
    std::vector<ValueId> inputs;  // as the file wrote them, before any nesting
};

// The Concat's axis normalized by its output's rank; -1 when it is not a
// single-output Concat of known rank whose inputs are all present.
int64_t concatAxis(const Graph& graph, const Node& node) {
    if (node.opType != "Concat" || !node.domain.empty() || node.outputs.size() != 1 || node.output(0) == kNoValue ||
        node.inputs.size() < 2)
        return -1;
    for (ValueId id : node.inputs)
        if (id == kNoValue) return -1;
    const auto rank = static_cast<int64_t>(graph.value(node.output(0)).shape.size());
    int64_t axis = node.attrInt("axis", graph.opset() > 0 && graph.opset() < 4 ? 1 : 0);
    if (axis < 0) axis += rank;
    return axis >= 0 && axis < rank ? axis : -1;
}

bool startsWith(const std::vector<ValueId>& longer, const std::vector<ValueId>& prefix) {
    if (prefix.size() >= longer.size()) return false;  // equal lists: nothing to nest
    for (size_t i = 0; i < prefix.size(); ++i)
        if (longer[i] != prefix[i]) return false;
    return true;
}

}  // namespace

void nestPrefixConcats(Graph& graph) {
    // Earlier Concats by their first input: only those can be a prefix.
    std::map<ValueId, std::vector<ConcatInfo>> byFirstInput;
    bool changed = false;
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        Node& node = graph.nodes[n];
        const int64_t axis = concatAxis(graph, node);
        if (axis < 0) continue;
        ConcatInfo self{n, axis, node.inputs};
        const ConcatInfo* best = nullptr;
        // Nodes are in topological order, so an earlier Concat's output
        // never depends on this one: reading it adds no cycle.
        for (const ConcatInfo& earlier : byFirstInput[self.inputs.front()]) {
            const Node& other = graph.nodes[earlier.node];
            if (earlier.axis != axis || graph.value(other.output(0)).dtype != graph.value(node.output(0)).dtype)
                continue;
            if (startsWith(self.inputs, earlier.inputs) && (!best || earlier.inputs.size() > best->inputs.size()))
                best = &earlier;
        }
        if (best) {
            std::vector<ValueId> inputs{graph.nodes[best->node].output(0)};
            inputs.insert(inputs.end(), self.inputs.begin() + static_cast<std::ptrdiff_t>(best->inputs.size()),
                          self.inputs.end());
            node.inputs = std::move(inputs);
            changed = true;
        }
        byFirstInput[self.inputs.front()].push_back(std::move(self));
    }
    if (changed) compactGraph(graph);  // consumers follow the new inputs
}

}  // namespace interstage
