// The grouping behind ONNX Unique, shared by the shape rule (which needs
// the number of unique slices to size the outputs when the input is known)
// and the CPU kernel (which writes them), so both agree.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace interstage::ops {

// The input read as [outer, length, inner]: slice i is every element with
// middle index i (the whole tensor flattened is outer = inner = 1).
struct SliceLayout {
    int64_t outer = 1, length = 0, inner = 1;
};

struct UniqueSlices {
    std::vector<int64_t> first;    // per unique slice: the index of its first occurrence
    std::vector<int64_t> inverse;  // per input slice: the unique slice it equals
    std::vector<int64_t> counts;   // per unique slice: how often it occurs
};

// a < b with NaN ordered after every number (and not before another NaN),
// so sorting stays a strict weak order whatever the input holds.
template <class K>
bool orderedLess(K a, K b) {
    if constexpr (std::is_floating_point_v<K>) {
        if (std::isnan(a)) return false;
        if (std::isnan(b)) return true;
    }
    return a < b;
}

// Unique single elements (Unique without an axis): one hash pass groups
// them in order of first occurrence, then only the unique values are
// sorted, instead of sorting every element.
template <class T, class Key>
UniqueSlices uniqueElements(const T* data, int64_t length, bool sorted, Key key) {
    using K = decltype(key(data[0]));
    UniqueSlices out;
    out.inverse.resize(static_cast<size_t>(length));
    std::unordered_map<K, int64_t> groupOf;
    for (int64_t i = 0; i < length; ++i) {
        const auto [it, added] = groupOf.try_emplace(key(data[i]), static_cast<int64_t>(out.first.size()));
        if (added) {
            out.first.push_back(i);
            out.counts.push_back(0);
        }
        out.inverse[size_t(i)] = it->second;
        ++out.counts[size_t(it->second)];
    }
    if (!sorted) return out;
    const auto groups = static_cast<int64_t>(out.first.size());
    std::vector<int64_t> byValue(static_cast<size_t>(groups));
    std::iota(byValue.begin(), byValue.end(), int64_t(0));
    // NaNs tie with each other: the earlier one first, so the order is fixed.
    std::sort(byValue.begin(), byValue.end(), [&](int64_t a, int64_t b) {
        const auto ka = key(data[out.first[size_t(a)]]), kb = key(data[out.first[size_t(b)]]);
        return orderedLess(ka, kb) || (!orderedLess(kb, ka) && a < b);
    });
    std::vector<int64_t> rank(static_cast<size_t>(groups)), first(static_cast<size_t>(groups)),
        counts(static_cast<size_t>(groups));
    for (int64_t pos = 0; pos < groups; ++pos) {
        const auto g = static_cast<size_t>(byValue[size_t(pos)]);
        rank[g] = pos;
        first[size_t(pos)] = out.first[g];
        counts[size_t(pos)] = out.counts[g];
    }
    for (auto& g : out.inverse) g = rank[size_t(g)];
    out.first = std::move(first);
    out.counts = std::move(counts);
    return out;
}

// Groups equal slices. sorted: unique slices in ascending lexicographic
// order (elements compared outer-major, as numpy.unique with an axis);
// otherwise in order of first occurrence. key(element) gives the value
// compared (float for float16 storage). NaNs sort last; with an axis they
// compare equal to each other, without one each NaN is its own value.
template <class T, class Key>
UniqueSlices uniqueSlices(const T* data, const SliceLayout& layout, bool sorted, Key key) {
    const int64_t length = layout.length, inner = layout.inner, outer = layout.outer;
    const int64_t rowStride = length * inner;
    // -1 / 0 / 1 as slice a sorts before, equal to, after slice b.
    auto compare = [&](int64_t a, int64_t b) {
        for (int64_t o = 0; o < outer; ++o) {
            const T* pa = data + o * rowStride + a * inner;
            const T* pb = data + o * rowStride + b * inner;
            for (int64_t j = 0; j < inner; ++j) {
                const auto va = key(pa[j]), vb = key(pb[j]);
                if (orderedLess(va, vb)) return -1;
                if (orderedLess(vb, va)) return 1;
            }
        }
        return 0;
    };
    if (outer == 1 && inner == 1) return uniqueElements(data, length, sorted, key);
    std::vector<int64_t> order(static_cast<size_t>(length));
    std::iota(order.begin(), order.end(), int64_t(0));
    // Stable, so within a group of equal slices the first occurrence leads.
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return compare(a, b) < 0; });

    UniqueSlices out;
    out.inverse.assign(static_cast<size_t>(length), 0);
    std::vector<int64_t> groupOf(static_cast<size_t>(length));  // sorted group of each slice
    int64_t groups = 0;
    for (size_t k = 0; k < order.size(); ++k) {
        if (k == 0 || compare(order[k - 1], order[k]) != 0) {
            out.first.push_back(order[k]);
            out.counts.push_back(0);
            ++groups;
        }
        groupOf[static_cast<size_t>(order[k])] = groups - 1;
        ++out.counts.back();
    }
    std::vector<int64_t> rank(static_cast<size_t>(groups));  // sorted group -> output position
    std::iota(rank.begin(), rank.end(), int64_t(0));
    if (!sorted) {
        std::vector<int64_t> byFirst(static_cast<size_t>(groups));
        std::iota(byFirst.begin(), byFirst.end(), int64_t(0));
        std::sort(byFirst.begin(), byFirst.end(),
                  [&](int64_t a, int64_t b) { return out.first[size_t(a)] < out.first[size_t(b)]; });
        std::vector<int64_t> first(static_cast<size_t>(groups)), counts(static_cast<size_t>(groups));
        for (int64_t pos = 0; pos < groups; ++pos) {
            const auto g = static_cast<size_t>(byFirst[size_t(pos)]);
            rank[g] = pos;
            first[size_t(pos)] = out.first[g];
            counts[size_t(pos)] = out.counts[g];
        }
        out.first = std::move(first);
        out.counts = std::move(counts);
    }
    for (int64_t i = 0; i < length; ++i) out.inverse[size_t(i)] = rank[size_t(groupOf[size_t(i)])];
    return out;
}

}  // namespace interstage::ops
