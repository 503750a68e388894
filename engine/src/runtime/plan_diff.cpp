#include "interstage/plan_diff.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>

#include "interstage/live_peak.h"

namespace interstage {

namespace {

// A byte range of one buffer that a map entry occupies at some time.
struct Extent {
    int buffer;
    std::size_t begin, end;
    std::size_t entry;
};

// Which entries share bytes with another entry of the same buffer. A
// tensor whose pages moved into its Concat's output also occupies its
// slice of that output. Sorted by start, an extent overlaps an earlier
// one when it starts before the furthest end so far, and a later one when
// the next extent starts before its own end.
std::vector<bool> sharedEntries(const std::vector<TensorPlacement>& map) {
    std::vector<Extent> extents;
    for (std::size_t i = 0; i < map.size(); ++i) {
        const TensorPlacement& p = map[i];
        if (p.bytes == 0) continue;
        extents.push_back({p.buffer, p.offset, p.offset + p.bytes, i});
        if (p.movedAt >= 0) extents.push_back({p.movedBuffer, p.movedOffset, p.movedOffset + p.bytes, i});
    }
    std::sort(extents.begin(), extents.end(), [](const Extent& x, const Extent& y) {
        return std::tie(x.buffer, x.begin, x.end) < std::tie(y.buffer, y.begin, y.end);
    });
    std::vector<bool> shared(map.size(), false);
    std::size_t furthest = 0;
    for (std::size_t k = 0; k < extents.size(); ++k) {
        const Extent& e = extents[k];
        const bool firstOfBuffer = k == 0 || extents[k - 1].buffer != e.buffer;
        if (firstOfBuffer) furthest = 0;
        const bool overlapsEarlier = !firstOfBuffer && e.begin < furthest;
        const bool overlapsLater =
            k + 1 < extents.size() && extents[k + 1].buffer == e.buffer && extents[k + 1].begin < e.end;
        if (overlapsEarlier || overlapsLater) shared[e.entry] = true;
        furthest = std::max(furthest, e.end);
    }
    return shared;
}

// The map's own figures: live peak, buffers, per-run allocations.
PlanSideSummary summarize(const std::vector<TensorPlacement>& map) {
    PlanSideSummary s;
    const LivePeak peak = peakOfLiveTensors(map);
    s.livePeakBytes = peak.bytes;
    s.livePeakStep = peak.step;
    std::set<int> buffers, perRun;
    for (const TensorPlacement& p : map) {
        buffers.insert(p.buffer);
        if (p.perRunBuffer) perRun.insert(p.buffer);
    }
    s.buffers = static_cast<int>(buffers.size());
    s.allocationsPerRun = static_cast<int>(perRun.size());
    s.tensors = static_cast<int>(map.size());
    return s;
}

TensorSide sideOf(const TensorPlacement& p, bool shared) {
    return {true, p.bytes, p.buffer, p.offset, p.first, p.last, shared};
}

bool sameSide(const TensorSide& x, const TensorSide& y) {
    return x.present == y.present && x.bytes == y.bytes && x.buffer == y.buffer && x.offset == y.offset &&
           x.first == y.first && x.last == y.last && x.shared == y.shared;
}

bool aliveAt(const TensorSide& s, int step) { return s.present && step >= 0 && s.first <= step && step <= s.last; }

// What a plan changes about a tensor itself (its life, its size, whether
// it exists), as against where the planner put it: a pin or a switch
// changes the former, and the offsets of everything else follow.
bool lifeDiffers(const TensorDiff& t) {
    return t.a.present != t.b.present || t.a.bytes != t.b.bytes || t.a.first != t.b.first || t.a.last != t.b.last;
}

// Peak-making differences first, then changed tensors, then moved ones,
// then the rest.
int tier(const TensorDiff& t) {
    if (!t.differs) return 3;
    if (t.atPeak) return 0;
    return lifeDiffers(t) ? 1 : 2;
}

void order(std::vector<TensorDiff>& rows) {
    std::sort(rows.begin(), rows.end(), [](const TensorDiff& x, const TensorDiff& y) {
        if (tier(x) != tier(y)) return tier(x) < tier(y);
        if (x.bytes != y.bytes) return x.bytes > y.bytes;
        return x.name < y.name;
    });
}

}  // namespace

PlanDiff diffPlans(const std::vector<TensorPlacement>& a, const std::vector<TensorPlacement>& b) {
    PlanDiff diff;
    diff.a = summarize(a);
    diff.b = summarize(b);
    std::unordered_map<std::string, std::size_t> rowOf;
    auto add = [&](const std::vector<TensorPlacement>& map, TensorSide TensorDiff::*side) {
        const std::vector<bool> shared = sharedEntries(map);
        for (std::size_t i = 0; i < map.size(); ++i) {
            auto [it, isNew] = rowOf.try_emplace(map[i].name, diff.tensors.size());
            if (isNew) {
                diff.tensors.emplace_back();
                diff.tensors.back().name = map[i].name;
            }
            TensorDiff& row = diff.tensors[it->second];
            if (!(row.*side).present) row.*side = sideOf(map[i], shared[i]);
        }
    };
    add(a, &TensorDiff::a);
    add(b, &TensorDiff::b);
    for (TensorDiff& row : diff.tensors) {
        row.bytes = std::max(row.a.bytes, row.b.bytes);
        row.differs = !sameSide(row.a, row.b);
        row.atPeak = aliveAt(row.a, diff.a.livePeakStep) || aliveAt(row.b, diff.b.livePeakStep);
        diff.differing += row.differs ? 1 : 0;
    }
    order(diff.tensors);
    return diff;
}

}  // namespace interstage
