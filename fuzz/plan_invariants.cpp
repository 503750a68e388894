#include "plan_invariants.h"

#include <algorithm>
#include <cstddef>
#include <utility>

#include "interstage/memory.h"
#include "plan/aliased_bound.h"

namespace interstage::fuzzing {
namespace {

// Whether `inner` may share bytes with `outer` while both live: it lies
// inside `outer` through Concat memberships only (a member is part of its
// Concat's output), or through a chain with an overwrite whose start
// `outer` no longer lives past (written over as it died).
bool mayShareBytes(const std::vector<TensorAlias>& aliases, const std::vector<PlannedTensor>& tensors, size_t inner,
                   size_t outer) {
    bool overwritten = false;
    for (size_t at = inner; !aliases.empty() && aliases[at].host >= 0; at = static_cast<size_t>(aliases[at].host)) {
        overwritten = overwritten || aliases[at].kind == TensorAlias::Kind::Overwrite;
        if (static_cast<size_t>(aliases[at].host) == outer)
            return !overwritten || tensors[outer].last <= tensors[inner].first;
    }
    return false;
}

std::string tensorName(const Graph& graph, const PlannedTensor& t) {
    return t.value >= 0 && static_cast<size_t>(t.value) < graph.values.size() ? graph.value(t.value).name
                                                                              : "#" + std::to_string(t.value);
}

// One page move against the plan (see checkMoves).
std::string checkMove(const Graph& graph, const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan,
                      const PageRules& rules, const PageMove& m) {
    if (m.from < 0 || m.into < 0 || m.from == m.into || static_cast<size_t>(m.from) >= plan.buffers.size() ||
        static_cast<size_t>(m.into) >= plan.buffers.size() || m.step < 0 ||
        static_cast<size_t>(m.step) >= graph.nodes.size())
        return "a page move names no buffer or step";
    const BufferSpec& from = plan.buffers[static_cast<size_t>(m.from)];
    const BufferSpec& into = plan.buffers[static_cast<size_t>(m.into)];
    if (!from.perRun() || !into.perRun() || from.freeStep != m.step || into.allocStep > m.step || !from.trims.empty())
        return "a page move between buffers not alive for it";
    if (m.offset % rules.pageBytes || from.bytes % rules.pageBytes || m.offset + from.bytes > into.bytes ||
        from.bytes < rules.mappedFromBytes)
        return "a page move not at whole pages inside its destination";
    // A buffer pages moved into is several mappings; it never moves on.
    for (const PageMove& other : plan.moves)
        if (other.into == m.from) return "pages move out of a buffer pages moved into";
    const Node& concat = graph.nodes[static_cast<size_t>(m.step)];
    int tenants = 0;
    for (size_t i = 0; i < tensors.size(); ++i) {
        if (plan.bufferOf[i] == m.from && tensors[i].last >= m.step) {
            ++tenants;
            if (concat.opType != "Concat" ||
                std::find(concat.inputs.begin(), concat.inputs.end(), tensors[i].value) == concat.inputs.end())
                return "moved pages hold '" + tensorName(graph, tensors[i]) + "', which no Concat reads there";
        }
        const bool inMovedBytes = plan.bufferOf[i] == m.into && plan.offsetOf[i] < m.offset + from.bytes &&
                                  m.offset < plan.offsetOf[i] + tensors[i].bytes && tensors[i].bytes > 0;
        if (inMovedBytes && tensors[i].first < m.step && tensors[i].value != concat.outputs[0])
            return "pages move over '" + tensorName(graph, tensors[i]) + "'";
    }
    if (tenants != 1) return "moved pages hold " + std::to_string(tenants) + " tensors, not one";
    return {};
}

}  // namespace

std::string checkNoOverlap(const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan,
                           const std::vector<TensorAlias>& aliases) {
    if (plan.bufferOf.size() != tensors.size() || plan.offsetOf.size() != tensors.size())
        return "the plan places " + std::to_string(plan.bufferOf.size()) + " tensors of " +
               std::to_string(tensors.size());
    for (size_t i = 0; i < tensors.size(); ++i) {
        const int bi = plan.bufferOf[i];
        if (bi < 0 || static_cast<size_t>(bi) >= plan.buffers.size())
            return "tensor " + std::to_string(i) + " has no buffer";
        if (plan.offsetOf[i] + tensors[i].bytes > plan.buffers[static_cast<size_t>(bi)].bytes)
            return "tensor " + std::to_string(i) + " ends past its buffer";
        for (size_t j = i + 1; j < tensors.size(); ++j) {
            if (plan.bufferOf[j] != bi) continue;
            const bool livesOverlap = tensors[i].first <= tensors[j].last && tensors[j].first <= tensors[i].last;
            const bool bytesOverlap = plan.offsetOf[i] < plan.offsetOf[j] + tensors[j].bytes &&
                                      plan.offsetOf[j] < plan.offsetOf[i] + tensors[i].bytes;
            const bool nested = mayShareBytes(aliases, tensors, i, j) || mayShareBytes(aliases, tensors, j, i);
            if (livesOverlap && bytesOverlap && tensors[i].bytes && tensors[j].bytes && !nested)
                return "tensors " + std::to_string(i) + " and " + std::to_string(j) + " live at once in the same bytes";
        }
    }
    return {};
}

std::string checkMoves(const Graph& graph, const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan,
                       const PageRules& rules) {
    std::vector<std::pair<int, std::pair<std::size_t, std::size_t>>> filled;  // buffer, [begin, end)
    for (const PageMove& m : plan.moves) {
        if (std::string broken = checkMove(graph, tensors, plan, rules, m); !broken.empty()) return broken;
        const std::size_t end = m.offset + plan.buffers[static_cast<size_t>(m.from)].bytes;
        for (const auto& [buffer, range] : filled)
            if (buffer == m.into && range.first < end && m.offset < range.second) return "two page moves overlap";
        filled.push_back({m.into, {m.offset, end}});
    }
    return {};
}

std::string checkTrims(const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan) {
    for (size_t b = 0; b < plan.buffers.size(); ++b)
        for (const auto& [step, keep] : plan.buffers[b].trims)
            for (size_t i = 0; i < tensors.size(); ++i)
                if (plan.bufferOf[i] == static_cast<int>(b) && plan.offsetOf[i] + tensors[i].bytes > keep &&
                    tensors[i].last > step)
                    return "tensor " + std::to_string(i) + " lives past the cut of buffer " + std::to_string(b);
    return {};
}

std::string checkAboveBound(const MemoryPlan& plan, const std::vector<std::size_t>& bound) {
    const auto held = plannedBytesPerStep(plan, static_cast<int>(bound.size()));
    for (size_t s = 0; s < bound.size(); ++s)
        if (held[s] < bound[s])
            return "step " + std::to_string(s) + " holds " + std::to_string(held[s]) +
                   " bytes, below the aliased lower bound " + std::to_string(bound[s]);
    return {};
}

std::string checkPlans(const Graph& graph) {
    const auto tensors = plannedIntermediates(graph);
    if (tensors.size() > 2000) return {};
    const int steps = static_cast<int>(graph.nodes.size());
    // Page rules shrunk to 64 bytes so that the fuzzer's small tensors
    // move; every Conv taken for one that may write over its input.
    static const PageRules smallPages{64, 64};
    for (const char* name : {"default", "reduce", "reuse", "reduce+reuse", "arena"}) {
        auto mode = MemoryMode::parse(name);
        if (!mode.ok()) return std::string("memory mode '") + name + "' does not parse";
        const std::string in = std::string(" (mode ") + name + ")";
        const MemoryPlan plan = planFor(mode.value(), tensors);
        if (std::string broken = checkNoOverlap(tensors, plan); !broken.empty()) return broken + in;
        InPlaceOptions options;
        options.stripedConv = [](const Graph& g, size_t step) { return g.nodes[step].opType == "Conv"; };
        if (mode.value().allocatesPerRun()) options.pages = &smallPages;
        options.movePages = true;
        const auto aliases = inPlaceAliases(graph, tensors, options);
        const MemoryPlan inPlace = planWithAliases(mode.value(), tensors, aliases);
        if (std::string broken = checkNoOverlap(tensors, inPlace, aliases); !broken.empty())
            return broken + " with aliases" + in;
        // The session never takes an in-place plan with a higher peak.
        const MemoryPlan session = planInPlace(mode.value(), graph, tensors, options);
        if (plannedPeakBytes(session, steps) > plannedPeakBytes(plan, steps))
            return "the in-place plan's peak is above the plain plan's" + in;
        // No plan holds fewer bytes at a step than the bound under the
        // rules it was planned with (plan/aliased_bound.h).
        const auto bound = aliasedLiveBytesPerStep(tensors, inPlaceCandidates(graph, tensors, options), steps);
        if (std::string below = checkAboveBound(plan, bound); !below.empty()) return below + in;
        if (std::string below = checkAboveBound(inPlace, bound); !below.empty()) return below + " with aliases" + in;
        if (std::string below = checkAboveBound(session, bound); !below.empty()) return below + " (in place)" + in;
        std::string broken = checkMoves(graph, tensors, session, smallPages);
        if (broken.empty()) broken = checkTrims(tensors, session);
        if (broken.empty()) broken = checkTrims(tensors, inPlace);
        if (!broken.empty()) return broken + in;
    }
    return {};
}

}  // namespace interstage::fuzzing
