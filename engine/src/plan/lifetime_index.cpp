#include "plan/lifetime_index.h"

#include <algorithm>

namespace interstage::planners {

LifetimeIndex::LifetimeIndex(const std::vector<PlannedTensor>& tensors) : tensors_(tensors) {
    steps_.reserve(tensors.size() * 2);
    for (const auto& t : tensors) {
        steps_.push_back(t.first);
        steps_.push_back(t.last);
    }
    std::sort(steps_.begin(), steps_.end());
    steps_.erase(std::unique(steps_.begin(), steps_.end()), steps_.end());
    segment_.resize(std::max<std::size_t>(1, steps_.size() * 4));
}

std::size_t LifetimeIndex::slot(int step) const {
    return static_cast<std::size_t>(std::lower_bound(steps_.begin(), steps_.end(), step) - steps_.begin());
}

void LifetimeIndex::add(std::size_t id) {
    const PlannedTensor& t = tensors_[id];
    byFirst_.emplace(t.first, id);
    if (!steps_.empty()) insert(1, 0, steps_.size() - 1, slot(t.first), slot(t.last), id);
}

// Iterative would save little: the depth is log2 of the number of steps.
void LifetimeIndex::insert(std::size_t node, std::size_t lo, std::size_t hi, std::size_t first, std::size_t last,
                           std::size_t id) {
    if (last < lo || hi < first) return;
    if (first <= lo && hi <= last) {
        segment_[node].push_back(id);
        return;
    }
    const std::size_t mid = lo + (hi - lo) / 2;
    insert(node * 2, lo, mid, first, last, id);
    insert(node * 2 + 1, mid + 1, hi, first, last, id);
}

void LifetimeIndex::holding(int step, std::vector<std::size_t>& out) const {
    if (steps_.empty()) return;
    const std::size_t at = slot(step);
    if (at >= steps_.size() || steps_[at] != step) return;  // no lifetime begins or ends there: none known
    std::size_t node = 1, lo = 0, hi = steps_.size() - 1;
    while (true) {
        out.insert(out.end(), segment_[node].begin(), segment_[node].end());
        if (lo == hi) return;
        const std::size_t mid = lo + (hi - lo) / 2;
        if (at <= mid) {
            node = node * 2;
            hi = mid;
        } else {
            node = node * 2 + 1;
            lo = mid + 1;
        }
    }
}

void LifetimeIndex::overlapping(std::size_t id, std::vector<std::size_t>& out) const {
    const PlannedTensor& t = tensors_[id];
    holding(t.first, out);
    for (auto it = byFirst_.upper_bound(t.first); it != byFirst_.end() && it->first <= t.last; ++it)
        out.push_back(it->second);
}

}  // namespace interstage::planners
