#include "cpu/ops/elementwise/broadcast.h"

#include <algorithm>

namespace interstage::cpu::ew {

bool broadcastShapes(const std::vector<Shape>& shapes, Shape& out) {
    size_t rank = 0;
    for (const Shape& s : shapes) rank = std::max(rank, s.size());
    out.assign(rank, 1);
    for (const Shape& s : shapes) {
        const size_t pad = rank - s.size();
        for (size_t i = 0; i < s.size(); ++i) {
            int64_t& o = out[pad + i];
            const int64_t d = s[i];
            if (d == o || d == 1) continue;
            if (o != 1) return false;
            o = d;
        }
    }
    return true;
}

bool makeBroadcastPlan(const Shape& out, const std::vector<Shape>& inputs, BroadcastPlan& plan) {
    plan = BroadcastPlan{};
    if (inputs.empty() || inputs.size() > size_t(kMaxBroadcastInputs)) return false;
    const int inputCount = static_cast<int>(inputs.size());
    const size_t rank = out.size();

    // Contiguous strides of each input padded to the output rank, 0 where the
    // input repeats along the dim.
    std::vector<std::vector<int64_t>> strides(inputs.size(), std::vector<int64_t>(rank, 0));
    for (size_t k = 0; k < inputs.size(); ++k) {
        const Shape& s = inputs[k];
        if (s.size() > rank) return false;
        const size_t pad = rank - s.size();
        int64_t stride = 1;
        for (size_t i = s.size(); i-- > 0;) {
            if (s[i] == out[pad + i]) {
                strides[k][pad + i] = s[i] == 1 ? 0 : stride;
            } else if (s[i] != 1) {
                return false;
            }
            stride *= s[i];
        }
    }

    // Drop size-1 output dims, then merge a dim into the one before it when
    // every input walks both as one.
    std::vector<int64_t> dims;
    std::vector<std::vector<int64_t>> merged(inputs.size());
    int64_t total = 1;
    for (size_t d = 0; d < rank; ++d) {
        total *= out[d];
        if (out[d] == 1) continue;
        bool canMerge = !dims.empty();
        for (size_t k = 0; canMerge && k < inputs.size(); ++k) canMerge = merged[k].back() == strides[k][d] * out[d];
        if (canMerge) {
            dims.back() *= out[d];
            for (size_t k = 0; k < inputs.size(); ++k) merged[k].back() = strides[k][d];
        } else {
            dims.push_back(out[d]);
            for (size_t k = 0; k < inputs.size(); ++k) merged[k].push_back(strides[k][d]);
        }
    }
    if (dims.empty()) {
        dims.push_back(1);
        for (auto& m : merged) m.push_back(0);
    }
    if (dims.size() > size_t(kMaxBroadcastRank)) return false;

    plan.inputCount = inputCount;
    plan.rank = static_cast<int>(dims.size());
    plan.total = total;
    for (size_t d = 0; d < dims.size(); ++d) {
        plan.dims[d] = dims[d];
        for (int k = 0; k < inputCount; ++k) plan.strides[k][d] = merged[k][d];
    }
    return true;
}

}  // namespace interstage::cpu::ew
