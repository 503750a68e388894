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

// Every tensor alive in its own bytes at `step`, with the bytes it adds to
// the step's count: 0 for one inside bytes already counted (an in-place
// member inside its host; ties: the first listed hosts), less than its size
// where it overlaps counted bytes or covers a range whose pages have not
// moved in yet. The one counting rule: the live bytes, the peak and the
// live set all sum these.
std::vector<LiveTensor> countAlive(const std::vector<TensorPlacement>& map, int step) {
    std::map<int, std::vector<std::size_t>> byBuffer;
    for (std::size_t i = 0; i < map.size(); ++i)
        if (aliveAt(map[i], step)) byBuffer[map[i].buffer].push_back(i);
    // Ranges of a buffer whose pages have not moved in yet: not held.
    std::map<int, std::vector<std::pair<std::size_t, std::size_t>>> pending;
    for (const TensorPlacement& p : map)
        if (p.movedAt > step) pending[p.movedBuffer].emplace_back(p.movedOffset, p.movedOffset + p.bytes);
    std::vector<LiveTensor> live;
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
            if (any && end <= coveredTo) {  // inside a tensor already counted
                live.push_back({i, true, 0});
                continue;
            }
            const std::size_t begin = std::max(map[i].offset, any ? coveredTo : map[i].offset);
            std::size_t added = end - begin;
            for (const auto& [holeBegin, holeEnd] : pending[buffer]) {
                const std::size_t lo = std::max(begin, holeBegin), hi = std::min(end, holeEnd);
                if (lo < hi) added -= hi - lo;
            }
            coveredTo = std::max(coveredTo, end);
            any = true;
            live.push_back({i, false, added});
        }
    }
    return live;
}

// The alive tensors that no other alive tensor of the same buffer
// contains, and the bytes they cover.
std::pair<std::vector<std::size_t>, std::size_t> outermostAlive(const std::vector<TensorPlacement>& map, int step) {
    std::vector<std::size_t> outer;
    std::size_t bytes = 0;
    for (const LiveTensor& t : countAlive(map, step)) {
        bytes += t.countedBytes;
        if (!t.inside) outer.push_back(t.index);
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

std::vector<LiveTensor> liveTensorsAtStep(const std::vector<TensorPlacement>& planned, int step) {
    const std::vector<TensorPlacement> map = withHostsStretched(planned);
    std::vector<LiveTensor> live = countAlive(map, step);
    // A Concat input whose pages moved into its Concat's output is still
    // alive until its last reader, its bytes now the output's.
    for (std::size_t i = 0; i < map.size(); ++i)
        if (map[i].movedAt >= 0 && map[i].movedAt <= step && step <= map[i].last) live.push_back({i, true, 0});
    std::sort(live.begin(), live.end(), [](const LiveTensor& a, const LiveTensor& b) { return a.index < b.index; });
    return live;
}

}  // namespace interstage
