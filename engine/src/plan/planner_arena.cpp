// The planned arena: one slab, every tensor at an offset chosen greedily by
// size (Pisarchyk & Lee 2020).
#include <algorithm>
#include <numeric>

#include "plan/lifetime_index.h"
#include "plan/memory_plan.h"
#include "plan/planner_util.h"

namespace interstage {

using planners::aligned;

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
    planners::LifetimeIndex placed(tensors);
    std::vector<size_t> meeting;
    std::vector<std::pair<std::size_t, std::size_t>> taken;
    std::size_t slab = 0;
    for (size_t i : order) {
        const PlannedTensor& t = tensors[i];
        const std::size_t size = aligned(t.bytes);
        // Ranges taken, during t's life, by tensors already placed.
        meeting.clear();
        placed.overlapping(i, meeting);
        taken.clear();
        for (size_t j : meeting) taken.emplace_back(plan.offsetOf[j], plan.offsetOf[j] + aligned(tensors[j].bytes));
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
        placed.add(i);
    }
    BufferSpec b;
    b.bytes = slab;
    b.category = MemoryCategory::Interstage;
    plan.buffers.push_back(b);
    return plan;
}

}  // namespace interstage
