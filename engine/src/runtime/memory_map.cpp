#include "runtime/memory_map.h"

namespace interstage {

std::vector<TensorPlacement> placementsOf(const Graph& graph, const std::vector<PlannedTensor>& tensors,
                                          const MemoryPlan& plan) {
    std::vector<TensorPlacement> map;
    const auto valueCount = static_cast<ValueId>(graph.values.size());
    for (size_t i = 0; i < tensors.size(); ++i) {
        TensorPlacement p;
        const bool isValue = tensors[i].value < valueCount;
        p.name = isValue ? graph.value(tensors[i].value).name
                         : "workspace of " + graph.nodes[static_cast<size_t>(tensors[i].value - valueCount)].name;
        p.channelBlock = isValue ? graph.value(tensors[i].value).channelBlock : 0;
        p.first = tensors[i].first;
        p.last = tensors[i].last;
        p.bytes = tensors[i].bytes;
        p.buffer = plan.bufferOf[i];
        p.offset = plan.offsetOf[i];
        p.kept = tensors[i].keep;
        p.perRunBuffer = plan.buffers[static_cast<size_t>(p.buffer)].perRun();
        // The moved input, not the tensors it was written over before.
        for (const PageMove& m : plan.moves)
            if (m.from == p.buffer && p.last == m.step) {
                p.movedAt = m.step;
                p.movedBuffer = m.into;
                p.movedOffset = m.offset;
            }
        map.push_back(p);
    }
    return map;
}

}  // namespace interstage
