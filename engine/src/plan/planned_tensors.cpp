#include "plan/planned_tensors.h"

#include <algorithm>

#include "interstage/lifetimes.h"

namespace interstage {

std::vector<PlannedTensor> plannedIntermediates(const Graph& graph, const std::set<std::string>& pinned) {
    std::vector<PlannedTensor> tensors;
    const int lastStep = static_cast<int>(graph.nodes.size()) - 1;
    for (const Lifetime& life : intermediateLifetimes(graph)) {
        const Value& v = graph.value(life.value);
        if (!v.isTensor || (v.isWeight() && v.constant)) continue;
        const bool isPinned = pinned.count(v.name) > 0;
        PlannedTensor t;
        t.value = life.value;
        t.first = life.first;
        t.last = isPinned ? std::max(life.last, lastStep) : life.last;
        t.bytes = life.bytes;
        t.keep = v.isGraphOutput || isPinned;
        t.category = v.isGraphOutput ? MemoryCategory::Output : MemoryCategory::Interstage;
        tensors.push_back(t);
    }
    return tensors;
}

}  // namespace interstage
