#include "passes/passes.h"

namespace interstage {

void foldConstants(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    bool changed = false;
    for (Node& node : graph.nodes) {
        // An If whose branch is known and folds whole (shape-only branches)
        // goes like any other node whose outputs are all known.
        if (node.outputs.empty()) continue;
        bool foldable = true;
        for (ValueId id : node.outputs) {
            if (id == kNoValue) continue;
            const Value& v = graph.value(id);
            if (!v.constant || v.isGraphOutput || pinned.count(v.name)) foldable = false;
        }
        if (!foldable) continue;
        for (ValueId id : node.outputs) {
            if (id == kNoValue) continue;
            Value& v = graph.value(id);
            if (node.opType != "Constant") removed.folded.insert(v.name);
            v.fromConstantNode = true;  // a constant from now on, read like a weight
        }
        node.opType.clear();  // marks the node for removal
        changed = true;
    }
    if (changed) compactGraph(graph);
}

}  // namespace interstage
