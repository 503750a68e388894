#include "runtime/live_at_step.h"

#include <algorithm>
#include <map>
#include <utility>

namespace interstage {
namespace {

// The same rules as plan/live_peak.cpp (its test, test_explain, checks
// that both count the same bytes at the peak).
bool aliveAt(const TensorPlacement& p, int step) {
    return p.first <= step && step <= (p.movedAt >= 0 ? p.movedAt - 1 : p.last);
}

bool inside(const TensorPlacement& member, const TensorPlacement& host) {
    return member.buffer == host.buffer && host.offset <= member.offset &&
           member.offset + member.bytes <= host.offset + host.bytes && member.bytes < host.bytes;
}

// A Concat host is held from its first in-place member's producer on.
std::vector<TensorPlacement> withHostsStretched(std::vector<TensorPlacement> map) {
    std::vector<std::size_t> bySize(map.size());
    for (std::size_t i = 0; i < map.size(); ++i) bySize[i] = i;
    std::sort(bySize.begin(), bySize.end(), [&](std::size_t a, std::size_t b) { return map[a].bytes < map[b].bytes; });
    for (std::size_t h : bySize)
        for (const TensorPlacement& m : map)
            if (inside(m, map[h]) && m.first <= map[h].last && map[h].first <= m.last && m.first < map[h].first) {
                map[h].first = std::min(map[h].first, m.first);
                map[h].last = std::max(map[h].last, m.last);
            }
    return map;
}

// Bytes of [begin, end) that belong to pages not moved in yet.
std::size_t pendingIn(const std::vector<std::pair<std::size_t, std::size_t>>& pending, std::size_t begin,
                      std::size_t end) {
    std::size_t bytes = 0;
    for (const auto& [holeBegin, holeEnd] : pending) {
        const std::size_t lo = std::max(begin, holeBegin), hi = std::min(end, holeEnd);
        if (lo < hi) bytes += hi - lo;
    }
    return bytes;
}

// The counted tensor of `counted` (same buffer) whose bytes hold [offset, end).
long hostOf(const std::vector<TensorPlacement>& map, const std::vector<LiveAtStep>& counted, std::size_t offset,
            std::size_t end) {
    long widest = -1;
    for (const LiveAtStep& c : counted) {
        const TensorPlacement& h = map[c.index];
        if (c.host < 0 && h.offset <= offset && end <= h.offset + h.bytes) return static_cast<long>(c.index);
        if (c.host < 0 && h.offset <= offset) widest = static_cast<long>(c.index);
    }
    return widest;
}

}  // namespace

std::vector<LiveAtStep> liveAtStepWithHosts(const std::vector<TensorPlacement>& planned, int step) {
    const std::vector<TensorPlacement> map = withHostsStretched(planned);
    std::map<int, std::vector<std::size_t>> byBuffer;
    for (std::size_t i = 0; i < map.size(); ++i)
        if (aliveAt(map[i], step)) byBuffer[map[i].buffer].push_back(i);
    std::map<int, std::vector<std::pair<std::size_t, std::size_t>>> pending;
    for (const TensorPlacement& p : map)
        if (p.movedAt > step) pending[p.movedBuffer].emplace_back(p.movedOffset, p.movedOffset + p.bytes);
    std::vector<LiveAtStep> live;
    for (auto& [buffer, alive] : byBuffer) {
        std::sort(alive.begin(), alive.end(), [&](std::size_t a, std::size_t b) {
            if (map[a].offset != map[b].offset) return map[a].offset < map[b].offset;
            return map[a].bytes > map[b].bytes;
        });
        std::vector<LiveAtStep> inBuffer;
        std::size_t coveredTo = 0;
        bool any = false;
        for (std::size_t i : alive) {
            const std::size_t end = map[i].offset + map[i].bytes;
            if (any && end <= coveredTo) {
                inBuffer.push_back({i, 0, hostOf(map, inBuffer, map[i].offset, end)});
                continue;
            }
            const std::size_t begin = std::max(map[i].offset, any ? coveredTo : map[i].offset);
            inBuffer.push_back({i, end - begin - pendingIn(pending[buffer], begin, end), -1});
            coveredTo = std::max(coveredTo, end);
            any = true;
        }
        live.insert(live.end(), inBuffer.begin(), inBuffer.end());
    }
    return live;
}

}  // namespace interstage
