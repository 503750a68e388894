#include "interstage/live_peak.h"

#include <algorithm>
#include <map>
#include <utility>

namespace interstage {

namespace {

// In its own bytes: a tensor whose pages moved into its Concat's output is
// counted there from the move on.
bool aliveAt(const TensorPlacement& p, int step) {
    return p.first <= step && step <= (p.movedAt >= 0 ? p.movedAt - 1 : p.last);
}

bool inside(const TensorPlacement& member, const TensorPlacement& host) {
    return member.buffer == host.buffer && host.offset <= member.offset &&
           member.offset + member.bytes <= host.offset + host.bytes && member.bytes < host.bytes;
}

bool overlapInTime(const TensorPlacement& a, const TensorPlacement& b) {
    return a.first <= b.last && b.first <= a.last;
}

// A Concat host's bytes are held from its first in-place member's producer
// on: stretch every host over the members it contains (tensors made before
// it inside its bytes whose lifetimes touch its own; in an arena, disjoint
// lifetimes in the same bytes are reuse, not membership; a smaller tensor
// made later in its bytes wrote over it). Nested hosts: widest last, so an
// inner host is stretched before its own host reads its lifetime.
std::vector<TensorPlacement> withHostsStretched(std::vector<TensorPlacement> map) {
    std::vector<std::size_t> bySize(map.size());
    for (std::size_t i = 0; i < map.size(); ++i) bySize[i] = i;
    std::sort(bySize.begin(), bySize.end(), [&](std::size_t a, std::size_t b) { return map[a].bytes < map[b].bytes; });
    for (std::size_t h : bySize)
        for (const TensorPlacement& m : map)
            if (inside(m, map[h]) && overlapInTime(m, map[h]) && m.first < map[h].first) {
                map[h].first = std::min(map[h].first, m.first);
                map[h].last = std::max(map[h].last, m.last);
            }
    return map;
}

// The alive tensors that no other alive tensor of the same buffer
// contains (ties: the first listed hosts), and the bytes they cover.
std::pair<std::vector<std::size_t>, std::size_t> outermostAlive(const std::vector<TensorPlacement>& map, int step) {
    std::map<int, std::vector<std::size_t>> byBuffer;
    for (std::size_t i = 0; i < map.size(); ++i)
        if (aliveAt(map[i], step)) byBuffer[map[i].buffer].push_back(i);
    // Ranges of a buffer whose pages have not moved in yet: not held.
    std::map<int, std::vector<std::pair<std::size_t, std::size_t>>> pending;
    for (const TensorPlacement& p : map)
        if (p.movedAt > step) pending[p.movedBuffer].emplace_back(p.movedOffset, p.movedOffset + p.bytes);
    std::vector<std::size_t> outer;
    std::size_t bytes = 0;
    for (auto& [buffer, alive] : byBuffer) {
        // Widest first at each offset, so a host comes before its members.
        std::sort(alive.begin(), alive.end(), [&](std::size_t a, std::size_t b) {
            if (map[a].offset != map[b].offset) return map[a].offset < map[b].offset;
            return map[a].bytes > map[b].bytes;
        });
        std::size_t coveredTo = 0;
        bool any = false;
        for (std::size_t i : alive) {
            const std::size_t end = map[i].offset + map[i].bytes;
            if (any && end <= coveredTo) continue;  // inside a tensor already counted
            const std::size_t begin = std::max(map[i].offset, any ? coveredTo : map[i].offset);
            bytes += end - begin;
            for (const auto& [holeBegin, holeEnd] : pending[buffer]) {
                const std::size_t lo = std::max(begin, holeBegin), hi = std::min(end, holeEnd);
                if (lo < hi) bytes -= hi - lo;
            }
            coveredTo = std::max(coveredTo, end);
            any = true;
            outer.push_back(i);
        }
    }
    return {outer, bytes};
}

}  // namespace

std::vector<std::size_t> liveBytesPerStep(const std::vector<TensorPlacement>& planned) {
    const std::vector<TensorPlacement> map = withHostsStretched(planned);
    int steps = 0;
    for (const TensorPlacement& p : map) steps = std::max(steps, p.last + 1);
    std::vector<std::size_t> bytes(static_cast<std::size_t>(steps), 0);
    for (int step = 0; step < steps; ++step) bytes[static_cast<std::size_t>(step)] = outermostAlive(map, step).second;
    return bytes;
}

LivePeak peakOfLiveTensors(const std::vector<TensorPlacement>& planned) {
    const std::vector<TensorPlacement> map = withHostsStretched(planned);
    LivePeak peak;
    int steps = 0;
    for (const TensorPlacement& p : map) steps = std::max(steps, p.last + 1);
    for (int step = 0; step < steps; ++step) {
        auto [tensors, bytes] = outermostAlive(map, step);
        if (peak.step < 0 || bytes > peak.bytes) {
            peak.step = step;
            peak.bytes = bytes;
            peak.tensors = std::move(tensors);
        }
    }
    std::sort(peak.tensors.begin(), peak.tensors.end(),
              [&](std::size_t a, std::size_t b) { return map[a].bytes > map[b].bytes; });
    return peak;
}

}  // namespace interstage
