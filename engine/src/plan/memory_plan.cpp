// The planner of each kind (planner_*.cpp) behind one call, and the bytes
// a plan holds step by step.
#include "plan/memory_plan.h"

#include <algorithm>

namespace interstage {

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
