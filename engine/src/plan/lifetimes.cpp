// Lifetimes over the execution order and the lower bound on memory: at each
// step the bytes of every intermediate alive then; the maximum is what any
// planner needs at least for this order.
#include "interstage/lifetimes.h"

#include <algorithm>

namespace interstage {

std::vector<Lifetime> intermediateLifetimes(const Graph& graph) {
    std::vector<Lifetime> lifetimes;
    const int lastStep = static_cast<int>(graph.nodes.size()) - 1;
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        const Node& node = graph.nodes[n];
        if (node.opType == "Constant" && node.domain.empty()) continue;
        for (ValueId id : node.outputs) {
            if (id == kNoValue) continue;
            const Value& v = graph.value(id);
            Lifetime life;
            life.value = id;
            life.first = static_cast<int>(n);
            life.last = life.first;
            for (NodeId consumer : v.consumers) life.last = std::max(life.last, static_cast<int>(consumer));
            if (v.isGraphOutput) life.last = lastStep;
            life.bytes = v.byteSize();
            lifetimes.push_back(life);
        }
    }
    return lifetimes;
}

std::vector<std::size_t> liveBytesPerStep(const Graph& graph, const std::vector<Lifetime>& lifetimes) {
    // Difference array: +bytes at first, -bytes after last.
    std::vector<long long> delta(graph.nodes.size() + 1, 0);
    for (const Lifetime& life : lifetimes) {
        delta[static_cast<size_t>(life.first)] += static_cast<long long>(life.bytes);
        delta[static_cast<size_t>(life.last) + 1] -= static_cast<long long>(life.bytes);
    }
    std::vector<std::size_t> live(graph.nodes.size(), 0);
    long long running = 0;
    for (size_t i = 0; i < live.size(); ++i) {
        running += delta[i];
        live[i] = static_cast<std::size_t>(running);
    }
    return live;
}

LowerBound lowerBound(const Graph& graph, const std::vector<Lifetime>& lifetimes) {
    LowerBound bound;
    if (lifetimes.empty()) return bound;
    auto live = liveBytesPerStep(graph, lifetimes);
    for (size_t i = 0; i < live.size(); ++i) {
        if (bound.step < 0 || live[i] > bound.bytes) {
            bound.bytes = live[i];
            bound.step = static_cast<int>(i);
        }
    }
    return bound;
}

}  // namespace interstage
