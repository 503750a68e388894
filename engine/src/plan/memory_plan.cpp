#include "plan/memory_plan.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace interstage {
namespace {

std::size_t aligned(std::size_t bytes) { return (bytes + kPlanAlignment - 1) / kPlanAlignment * kPlanAlignment; }

bool overlaps(const PlannedTensor& a, const PlannedTensor& b) { return a.first <= b.last && b.first <= a.last; }

MemoryPlan ownBuffers(const std::vector<PlannedTensor>& tensors, bool perRun) {
    MemoryPlan plan;
    for (const auto& t : tensors) {
        BufferSpec b;
        b.bytes = t.bytes;
        b.category = t.category;
        b.firstTenant = t.value;
        if (perRun) {
            b.allocStep = t.first;
            b.freeStep = t.keep ? kPersistent : t.last;
        }
        plan.bufferOf.push_back(static_cast<int>(plan.buffers.size()));
        plan.offsetOf.push_back(0);
        plan.buffers.push_back(b);
    }
    return plan;
}

}  // namespace

MemoryPlan planDefault(const std::vector<PlannedTensor>& tensors) { return ownBuffers(tensors, false); }

MemoryPlan planReduce(const std::vector<PlannedTensor>& tensors) { return ownBuffers(tensors, true); }

MemoryPlan planReuse(const std::vector<PlannedTensor>& tensors, bool alsoReduce) {
    MemoryPlan plan;
    plan.bufferOf.assign(tensors.size(), -1);
    plan.offsetOf.assign(tensors.size(), 0);
    std::vector<size_t> order(tensors.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return tensors[a].first < tensors[b].first; });

    // Per byte size: shareable buffers and the step after which each is free.
    std::map<std::size_t, std::vector<std::pair<int, int>>> freeAfter;  // bytes -> (buffer, last step)
    std::vector<int> tenants;
    for (size_t i : order) {
        const PlannedTensor& t = tensors[i];
        int chosen = -1;
        // Workspace is scratch for one node: never shared, so that with
        // reduce it is freed right after its node.
        const bool shareable = !t.keep && t.category != MemoryCategory::Workspace;
        if (shareable) {
            for (auto& [buffer, last] : freeAfter[t.bytes]) {
                if (last < t.first) {
                    chosen = buffer;
                    last = t.last;
                    break;
                }
            }
        }
        if (chosen < 0) {
            chosen = static_cast<int>(plan.buffers.size());
            BufferSpec b;
            b.bytes = t.bytes;
            b.category = t.category;
            b.firstTenant = t.value;
            plan.buffers.push_back(b);
            tenants.push_back(0);
            if (shareable) freeAfter[t.bytes].emplace_back(chosen, t.last);
        }
        ++tenants[static_cast<size_t>(chosen)];
        plan.bufferOf[i] = chosen;
    }
    if (alsoReduce) {
        // A buffer nobody shares is freed after its only tenant, every run.
        for (size_t i = 0; i < tensors.size(); ++i) {
            BufferSpec& b = plan.buffers[static_cast<size_t>(plan.bufferOf[i])];
            if (tenants[static_cast<size_t>(plan.bufferOf[i])] != 1) continue;
            b.allocStep = tensors[i].first;
            b.freeStep = tensors[i].keep ? kPersistent : tensors[i].last;
        }
    }
    return plan;
}

MemoryPlan planArena(const std::vector<PlannedTensor>& tensors) {
    MemoryPlan plan;
    plan.bufferOf.assign(tensors.size(), 0);
    plan.offsetOf.assign(tensors.size(), 0);
    std::vector<size_t> order(tensors.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (tensors[a].bytes != tensors[b].bytes) return tensors[a].bytes > tensors[b].bytes;
        return tensors[a].first < tensors[b].first;
    });
    std::vector<size_t> placed;
    std::size_t slab = 0;
    for (size_t i : order) {
        const PlannedTensor& t = tensors[i];
        const std::size_t size = aligned(t.bytes);
        // Ranges taken, during t's life, by tensors already placed.
        std::vector<std::pair<std::size_t, std::size_t>> taken;
        for (size_t j : placed)
            if (overlaps(t, tensors[j]))
                taken.emplace_back(plan.offsetOf[j], plan.offsetOf[j] + aligned(tensors[j].bytes));
        std::sort(taken.begin(), taken.end());
        // Best fit: the smallest gap that holds t; else above everything.
        std::size_t best = SIZE_MAX, bestGap = SIZE_MAX, cursor = 0;
        for (const auto& [begin, end] : taken) {
            if (begin > cursor && begin - cursor >= size && begin - cursor < bestGap) {
                best = cursor;
                bestGap = begin - cursor;
            }
            cursor = std::max(cursor, end);
        }
        if (best == SIZE_MAX) best = cursor;
        plan.offsetOf[i] = best;
        slab = std::max(slab, best + size);
        placed.push_back(i);
    }
    BufferSpec b;
    b.bytes = slab;
    b.category = MemoryCategory::Interstage;
    plan.buffers.push_back(b);
    return plan;
}

MemoryPlan planFor(const MemoryMode& mode, const std::vector<PlannedTensor>& tensors) {
    switch (mode.planner) {
        case PlannerKind::Default:
            return planDefault(tensors);
        case PlannerKind::Reduce:
            return planReduce(tensors);
        case PlannerKind::Reuse:
            return planReuse(tensors, false);
        case PlannerKind::ReduceReuse:
            return planReuse(tensors, true);
        case PlannerKind::Arena:
            return planArena(tensors);
    }
    return planDefault(tensors);
}

std::vector<int> lastHeldSteps(const MemoryPlan& plan, int steps) {
    std::vector<int> last(plan.buffers.size());
    for (size_t i = 0; i < plan.buffers.size(); ++i) {
        const BufferSpec& b = plan.buffers[i];
        last[i] = !b.perRun() || b.freeStep == kPersistent ? steps - 1 : b.freeStep;
    }
    for (const PageMove& m : plan.moves) last[static_cast<size_t>(m.from)] = m.step - 1;
    return last;
}

std::vector<std::size_t> plannedBytesPerStep(const MemoryPlan& plan, int steps) {
    std::size_t persistent = 0;
    std::vector<long long> delta(static_cast<size_t>(std::max(steps, 1)) + 1, 0);
    const std::vector<int> last = lastHeldSteps(plan, steps);
    for (size_t i = 0; i < plan.buffers.size(); ++i) {
        const BufferSpec& b = plan.buffers[i];
        if (!b.perRun()) {
            persistent += b.bytes;
            continue;
        }
        // A moved buffer's bytes leave it as they join the destination.
        delta[static_cast<size_t>(b.allocStep)] += static_cast<long long>(b.bytes);
        std::size_t held = b.bytes;
        for (const auto& [step, keep] : b.trims) {
            if (step >= last[i] || keep >= held) continue;
            delta[static_cast<size_t>(step) + 1] -= static_cast<long long>(held - keep);
            held = keep;
        }
        delta[static_cast<size_t>(last[i]) + 1] -= static_cast<long long>(held);
    }
    for (const PageMove& m : plan.moves) {
        const auto bytes = static_cast<long long>(plan.buffers[static_cast<size_t>(m.from)].bytes);
        delta[static_cast<size_t>(plan.buffers[static_cast<size_t>(m.into)].allocStep)] -= bytes;
        delta[static_cast<size_t>(m.step)] += bytes;
    }
    std::vector<std::size_t> bytes(static_cast<size_t>(std::max(steps, 1)), persistent);
    long long running = 0;
    for (size_t s = 0; s < bytes.size(); ++s) bytes[s] += static_cast<std::size_t>(running += delta[s]);
    return bytes;
}

std::size_t plannedPeakBytes(const MemoryPlan& plan, int steps) {
    const std::vector<std::size_t> bytes = plannedBytesPerStep(plan, steps);
    return *std::max_element(bytes.begin(), bytes.end());
}

}  // namespace interstage
