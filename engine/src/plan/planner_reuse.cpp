// Reuse interstage (and reduce + reuse): tensors of the same byte size whose
// lifetimes do not overlap share a buffer.
#include <algorithm>
#include <map>
#include <numeric>

#include "plan/memory_plan.h"
#include "plan/planner_util.h"

namespace interstage {

using planners::aligned;
using planners::overlaps;

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

}  // namespace interstage
