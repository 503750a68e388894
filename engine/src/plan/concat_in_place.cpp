#include "plan/concat_in_place.h"

#include <algorithm>
#include <map>


namespace interstage {

namespace {

bool outerDimsAreOne(const Shape& shape, int64_t axis) {
    for (int64_t d = 0; d < axis; ++d)
        if (shape[static_cast<size_t>(d)] != 1) return false;
    return true;
}

// Each tensor's outermost host and its offset there.
void resolveRoots(const std::vector<TensorAlias>& aliases, std::vector<int>& root, std::vector<std::size_t>& offset) {
    const size_t n = aliases.size();
    root.assign(n, 0);
    offset.assign(n, 0);
    for (size_t i = 0; i < n; ++i) {
        int at = static_cast<int>(i);
        std::size_t bytes = 0;
        while (aliases[static_cast<size_t>(at)].host >= 0) {
            bytes += aliases[static_cast<size_t>(at)].offset;
            at = aliases[static_cast<size_t>(at)].host;
        }
        root[i] = at;
        offset[i] = bytes;
    }
}

// A Concat input that could hand its pages to the Concat's output instead
// of being written in place (plan/concat_pages.h), as far as the tensors
// alone tell: the buffers the planner makes decide in the end.
struct MoveCandidate {
    size_t tensor = 0;
    size_t host = 0;          // the Concat's output
    std::size_t offset = 0;   // inside the host
};

// The most bytes alive at one step when every group is one tensor that
// lives from its first member's producer to its last reader. A move
// candidate left out of every group ends at its Concat, where its bytes
// join the host's group; until then the group does not hold them.
std::size_t peakLiveBytes(const std::vector<PlannedTensor>& tensors, const std::vector<TensorAlias>& aliases,
                          const std::vector<MoveCandidate>& moves, const PageRules* rules) {
    std::vector<int> root;
    std::vector<std::size_t> offset;
    resolveRoots(aliases, root, offset);
    std::vector<int> first(tensors.size()), last(tensors.size());
    int steps = 0;
    for (size_t i = 0; i < tensors.size(); ++i) {
        first[i] = tensors[i].first;
        last[i] = tensors[i].last;
        steps = std::max(steps, tensors[i].last + 1);
    }
    for (size_t i = 0; i < tensors.size(); ++i) {
        const auto r = static_cast<size_t>(root[i]);
        first[r] = std::min(first[r], tensors[i].first);
        last[r] = std::max(last[r], tensors[i].last);
    }
    std::vector<long long> delta(static_cast<size_t>(steps) + 1, 0);
    for (size_t i = 0; i < tensors.size(); ++i) {
        if (root[i] != static_cast<int>(i)) continue;
        delta[static_cast<size_t>(first[i])] += static_cast<long long>(tensors[i].bytes);
        delta[static_cast<size_t>(last[i]) + 1] -= static_cast<long long>(tensors[i].bytes);
    }
    if (rules) {
        std::vector<bool> hostsOthers(tensors.size(), false);
        for (const TensorAlias& a : aliases)
            if (a.host >= 0) hostsOthers[static_cast<size_t>(a.host)] = true;
        for (const MoveCandidate& m : moves) {
            if (aliases[m.tensor].host >= 0 || hostsOthers[m.tensor]) continue;
            const auto r = static_cast<size_t>(root[m.host]);
            if ((offset[m.host] + m.offset) % rules->pageBytes != 0) continue;
            const int step = tensors[m.host].first;  // the Concat's
            const auto bytes = static_cast<long long>(tensors[m.tensor].bytes);
            delta[static_cast<size_t>(step)] -= bytes;  // the input ends as its pages move
            delta[static_cast<size_t>(last[m.tensor]) + 1] += bytes;
            delta[static_cast<size_t>(first[r])] -= bytes;  // the host holds them only from then
            delta[static_cast<size_t>(step)] += bytes;
        }
    }
    long long live = 0, peak = 0;
    for (long long d : delta) peak = std::max(peak, live += d);
    return static_cast<std::size_t>(peak);
}

// Writing an input in place stretches its Concat's buffer back to that
// input's producer, which can raise the peak (U^2-Net-P's first stage
// output would pull the 50 MiB decoder concat to the start of the net).
// So: repeatedly take the candidate that lowers the peak most, then every
// remaining candidate that does not raise it (each saves a copy). With
// page moves (rules given), an input left out may hand its pages over
// instead, and the peaks compared count that.
std::vector<TensorAlias> chooseAliases(const std::vector<PlannedTensor>& tensors,
                                       const std::vector<TensorAlias>& candidates,
                                       const std::vector<MoveCandidate>& moves, const PageRules* rules) {
    std::vector<TensorAlias> chosen(tensors.size());
    std::vector<size_t> open;
    for (size_t i = 0; i < candidates.size(); ++i)
        if (candidates[i].host >= 0) open.push_back(i);
    auto peakWith = [&](const std::vector<TensorAlias>& aliases) { return peakLiveBytes(tensors, aliases, moves, rules); };
    std::size_t peak = peakWith(chosen);
    // Each trial costs O(tensors); keep big graphs to the greedy pass.
    const bool search = open.size() * tensors.size() < (std::size_t(1) << 22);
    while (search && !open.empty()) {
        std::size_t bestPeak = peak;
        size_t best = open.size();
        for (size_t k = 0; k < open.size(); ++k) {
            chosen[open[k]] = candidates[open[k]];
            const std::size_t trial = peakWith(chosen);
            chosen[open[k]] = {};
            if (trial < bestPeak) bestPeak = trial, best = k;
        }
        if (best == open.size()) break;
        chosen[open[best]] = candidates[open[best]];
        open.erase(open.begin() + static_cast<std::ptrdiff_t>(best));
        peak = bestPeak;
    }
    for (size_t i : open) {
        chosen[i] = candidates[i];
        const std::size_t trial = peakWith(chosen);
        if (trial > peak) chosen[i] = {};
        else peak = trial;
    }
    return chosen;
}

}  // namespace

std::vector<TensorAlias> concatAliases(const Graph& graph, const std::vector<PlannedTensor>& tensors,
                                       const PageRules* pageMoves) {
    std::vector<TensorAlias> aliases(tensors.size());
    std::vector<MoveCandidate> moves;
    std::map<ValueId, int> indexOf;
    for (size_t i = 0; i < tensors.size(); ++i) indexOf[tensors[i].value] = static_cast<int>(i);

    for (const Node& node : graph.nodes) {
        if (node.opType != "Concat" || !node.domain.empty() || node.outputs.size() != 1) continue;
        auto host = indexOf.find(node.outputs[0]);
        if (host == indexOf.end()) continue;
        const Value& out = graph.value(node.outputs[0]);
        const auto rank = static_cast<int64_t>(out.shape.size());
        int64_t axis = node.attrInt("axis", graph.opset() > 0 && graph.opset() < 4 ? 1 : 0);
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank || !outerDimsAreOne(out.shape, axis)) continue;

        std::map<ValueId, int> uses;
        for (ValueId id : node.inputs) ++uses[id];
        std::size_t offset = 0;
        for (ValueId id : node.inputs) {
            if (id == kNoValue) break;  // malformed; the kernel refuses it
            const Value& in = graph.value(id);
            const std::size_t bytes = in.byteSize();
            auto member = indexOf.find(id);
            const bool eligible = member != indexOf.end() && uses[id] == 1 && in.dtype == out.dtype && bytes > 0 &&
                                  !tensors[static_cast<size_t>(member->second)].keep &&
                                  aliases[static_cast<size_t>(member->second)].host < 0 &&
                                  tensors[static_cast<size_t>(member->second)].bytes == bytes;
            if (eligible) aliases[static_cast<size_t>(member->second)] = {host->second, offset};
            const size_t step = static_cast<size_t>(tensors[static_cast<size_t>(host->second)].first);
            if (eligible && pageMoves && tensors[static_cast<size_t>(member->second)].last == static_cast<int>(step) &&
                tensors[static_cast<size_t>(member->second)].category == MemoryCategory::Interstage &&
                bytes >= pageMoves->mappedFromBytes && bytes % pageMoves->pageBytes == 0 &&
                tensors[static_cast<size_t>(host->second)].bytes >= pageMoves->mappedFromBytes)
                moves.push_back({static_cast<size_t>(member->second), static_cast<size_t>(host->second), offset});
            offset += bytes;
        }
        if (offset != tensors[static_cast<size_t>(host->second)].bytes) {
            // Sizes that do not add up: leave this Concat to its kernel's checks.
            for (ValueId id : node.inputs) {
                auto member = indexOf.find(id);
                if (member != indexOf.end() && aliases[static_cast<size_t>(member->second)].host == host->second)
                    aliases[static_cast<size_t>(member->second)] = {};
            }
        }
    }
    return chooseAliases(tensors, aliases, moves, pageMoves);
}

MemoryPlan planWithAliases(const MemoryMode& mode, const std::vector<PlannedTensor>& tensors,
                           const std::vector<TensorAlias>& aliases) {
    const size_t n = tensors.size();
    std::vector<int> root;
    std::vector<std::size_t> offsetInRoot;
    resolveRoots(aliases, root, offsetInRoot);

    // Each group planned as one tensor spanning all its members' lives.
    std::vector<int> groupOf(n, -1);
    std::vector<PlannedTensor> groups;
    for (size_t i = 0; i < n; ++i) {
        if (root[i] != static_cast<int>(i)) continue;
        groupOf[i] = static_cast<int>(groups.size());
        groups.push_back(tensors[i]);
    }
    for (size_t i = 0; i < n; ++i) {
        PlannedTensor& g = groups[static_cast<size_t>(groupOf[static_cast<size_t>(root[i])])];
        g.first = std::min(g.first, tensors[i].first);
        g.last = std::max(g.last, tensors[i].last);
    }

    MemoryPlan grouped = planFor(mode, groups);
    MemoryPlan plan;
    plan.buffers = std::move(grouped.buffers);
    plan.bufferOf.resize(n);
    plan.offsetOf.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const auto g = static_cast<size_t>(groupOf[static_cast<size_t>(root[i])]);
        plan.bufferOf[i] = grouped.bufferOf[g];
        plan.offsetOf[i] = grouped.offsetOf[g] + offsetInRoot[i];
    }
    return plan;
}

MemoryPlan planConcatInPlace(const MemoryMode& mode, const Graph& graph, const std::vector<PlannedTensor>& tensors,
                             const PageRules& rules) {
    const int steps = static_cast<int>(graph.nodes.size());
    MemoryPlan plain = planFor(mode, tensors);
    // Page moves happen between per-run buffers: reduce plans (reuse alone
    // and the arena keep their buffers).
    const bool perRunBuffers = mode.reduceInterstage && !mode.arena;
    MemoryPlan inPlace = planWithAliases(mode, tensors, concatAliases(graph, tensors, perRunBuffers ? &rules : nullptr));
    planPageMoves(graph, tensors, plain, rules);
    planPageMoves(graph, tensors, inPlace, rules);
    return plannedPeakBytes(inPlace, steps) <= plannedPeakBytes(plain, steps) ? inPlace : plain;
}

}  // namespace interstage
