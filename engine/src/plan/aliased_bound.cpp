#include "plan/aliased_bound.h"

#include <algorithm>
#include <utility>

namespace interstage {
namespace {

using Interval = std::pair<int, int>;  // [first, last] steps, inclusive

// Sorted, overlapping or touching intervals joined.
std::vector<Interval> merged(std::vector<Interval> list) {
    std::sort(list.begin(), list.end());
    std::vector<Interval> out;
    for (const Interval& i : list) {
        if (!out.empty() && i.first <= out.back().second + 1)
            out.back().second = std::max(out.back().second, i.second);
        else
            out.push_back(i);
    }
    return out;
}

// For each tensor, the steps at which some tensor it could be written
// inside (directly or through a chain of candidates) is alive. Chains
// alternate little in practice (overwrite chains are back to back and
// merge into one interval), so the lists stay short. Walked without
// recursion: a chain of 100,000 overwrites is one path.
std::vector<std::vector<Interval>> hostSteps(const std::vector<PlannedTensor>& tensors,
                                             const std::vector<AliasCandidate>& candidates) {
    const size_t n = tensors.size();
    std::vector<std::vector<size_t>> hostsOf(n);
    for (const AliasCandidate& c : candidates) hostsOf[c.member].push_back(c.host);
    enum class State : unsigned char { New, Open, Done };
    std::vector<State> state(n, State::New);
    std::vector<std::vector<Interval>> steps(n);
    std::vector<std::pair<size_t, size_t>> stack;  // tensor, next host to visit
    for (size_t start = 0; start < n; ++start) {
        if (state[start] != State::New) continue;
        stack.push_back({start, 0});
        state[start] = State::Open;
        while (!stack.empty()) {
            auto& [t, next] = stack.back();
            if (next < hostsOf[t].size()) {
                const size_t h = hostsOf[t][next++];
                if (state[h] == State::New) {  // a host met while open is a cycle: it adds its own life only
                    state[h] = State::Open;
                    stack.push_back({h, 0});
                }
                continue;
            }
            std::vector<Interval> all;
            for (size_t h : hostsOf[t]) {
                all.push_back({tensors[h].first, tensors[h].last});
                if (state[h] == State::Done) all.insert(all.end(), steps[h].begin(), steps[h].end());
            }
            steps[t] = merged(std::move(all));
            state[t] = State::Done;
            stack.pop_back();
        }
    }
    return steps;
}

}  // namespace

std::vector<std::size_t> aliasedLiveBytesPerStep(const std::vector<PlannedTensor>& tensors,
                                                 const std::vector<AliasCandidate>& candidates, int steps) {
    std::vector<long long> delta(static_cast<size_t>(std::max(steps, 0)) + 1, 0);
    auto add = [&](int first, int last, long long bytes) {
        first = std::max(first, 0);
        last = std::min(last, steps - 1);
        if (first > last) return;
        delta[static_cast<size_t>(first)] += bytes;
        delta[static_cast<size_t>(last) + 1] -= bytes;
    };
    const auto covered = hostSteps(tensors, candidates);
    for (size_t t = 0; t < tensors.size(); ++t) {
        const auto bytes = static_cast<long long>(tensors[t].bytes);
        add(tensors[t].first, tensors[t].last, bytes);
        // Inside a live host there: counted with the host.
        for (const Interval& i : covered[t])
            add(std::max(i.first, tensors[t].first), std::min(i.second, tensors[t].last), -bytes);
    }
    std::vector<std::size_t> live(static_cast<size_t>(std::max(steps, 0)), 0);
    long long running = 0;
    for (size_t s = 0; s < live.size(); ++s) live[s] = static_cast<std::size_t>(running += delta[s]);
    return live;
}

LowerBound aliasedLowerBound(const std::vector<PlannedTensor>& tensors, const std::vector<AliasCandidate>& candidates,
                             int steps) {
    LowerBound bound;
    if (tensors.empty()) return bound;
    const auto live = aliasedLiveBytesPerStep(tensors, candidates, steps);
    for (size_t s = 0; s < live.size(); ++s)
        if (bound.step < 0 || live[s] > bound.bytes) bound = {live[s], static_cast<int>(s)};
    return bound;
}

}  // namespace interstage
