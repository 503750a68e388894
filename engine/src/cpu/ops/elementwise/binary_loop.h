// The loop every two-operand elementwise op shares: a broadcast plan walked
// run by run, with the innermost run specialized on whether each operand
// advances (stride 1) or repeats one element (stride 0), so that same-shape,
// scalar and per-channel cases are each a tight contiguous loop the compiler
// vectorizes. Ops are stateless functors on compute values (float for
// float16 storage).
#pragma once

#include "cpu/activation.h"
#include "cpu/ops/elementwise/broadcast.h"
#include "cpu/ops/elementwise/elementwise_common.h"

namespace interstage::cpu::ew {

// out = op(a, b) over one run of n elements.
template <class TA, class TB, class TO, class Op>
inline void binaryRun(TO* out, const TA* a, int64_t strideA, const TB* b, int64_t strideB, int64_t n, Op op) {
    if (strideA && strideB) {
        for (int64_t i = 0; i < n; ++i) out[i] = store<TO>(op(load(a[i]), load(b[i])));
    } else if (strideA) {
        const auto bv = load(*b);
        for (int64_t i = 0; i < n; ++i) out[i] = store<TO>(op(load(a[i]), bv));
    } else if (strideB) {
        const auto av = load(*a);
        for (int64_t i = 0; i < n; ++i) out[i] = store<TO>(op(av, load(b[i])));
    } else {
        const TO v = store<TO>(op(load(*a), load(*b)));
        for (int64_t i = 0; i < n; ++i) out[i] = v;
    }
}

// A whole broadcast binary op; the activation is applied to each run while
// it is still in cache (float32 outputs only, checked in prepare).
template <class TA, class TB, class TO, class Op>
void broadcastBinary(const BroadcastPlan& plan, const void* a, const void* b, void* out, const Activation& act) {
    const auto* pa = static_cast<const TA*>(a);
    const auto* pb = static_cast<const TB*>(b);
    auto* po = static_cast<TO*>(out);
    const int64_t sa = plan.innerStride(0), sb = plan.innerStride(1);
    // Short runs would pay a call per few elements: activate afterwards.
    const bool activateRuns = act.active() && plan.inner() >= 256;
    forEachRun(plan, kParallelGrain, [&](int64_t o, const int64_t* in, int64_t n) {
        binaryRun(po + o, pa + in[0], sa, pb + in[1], sb, n, Op{});
        if constexpr (std::is_same_v<TO, float>)
            if (activateRuns) activateRow(act, po + o, n);
    });
    if constexpr (std::is_same_v<TO, float>) {
        if (act.active() && !activateRuns)
            parallelBlocks(plan.total, plan.total,
                           [&](int64_t begin, int64_t end) { activateRow(act, po + begin, end - begin); });
    }
}

using BinaryFn = void (*)(const BroadcastPlan&, const void*, const void*, void*, const Activation&);

// The plan for out = op(a, b), rebuilt when the shapes a run sees differ
// from the ones it was made for.
class BinaryPlanCache {
public:
    bool prepare(const Shape& a, const Shape& b, const Shape& out) {
        a_ = a;
        b_ = b;
        out_ = out;
        return makeBroadcastPlan(out, {a, b}, plan_);
    }
    // False when the run's shapes do not broadcast to its output.
    bool update(const Shape& a, const Shape& b, const Shape& out) {
        if (a == a_ && b == b_ && out == out_) return true;
        return prepare(a, b, out);
    }
    const BroadcastPlan& plan() const { return plan_; }

private:
    Shape a_, b_, out_;
    BroadcastPlan plan_;
};

// Picks broadcastBinary<T, T, T, Op> for an operand type in Set; nullptr
// when the type is not in it.
template <class Op, unsigned Set>
BinaryFn pickSameType(DataType type) {
    BinaryFn fn = nullptr;
    dispatchType<Set>(type, [&](auto tag) {
        using T = typename decltype(tag)::type;
        fn = &broadcastBinary<T, T, T, Op>;
    });
    return fn;
}

// Opset < 7 broadcasting: with broadcast=1 and an `axis`, B's dims line up
// with A's starting at axis (B = 3x4 on A = 2x3x4x5 at axis 1 reads as
// 3x4x1x1); without axis they line up at the end, as numpy does. PRelu
// before opset 7 reads a 1-D slope per channel (axis 1).
struct LegacyBroadcast {
    bool active = false;
    bool perChannel = false;  // PRelu: only a 1-D slope matching dim 1
    int64_t axis = 0;

    static LegacyBroadcast of(const Node& node, int64_t opset) {
        LegacyBroadcast l;
        l.active = opset < 7 && node.attrInt("broadcast", 0) != 0 && node.hasAttr("axis");
        l.axis = node.attrInt("axis", 0);
        if (opset < 7 && node.opType == "PRelu") {
            l.active = l.perChannel = true;
            l.axis = 1;
        }
        return l;
    }
    // B's shape as numpy broadcasting should read it.
    Shape apply(const Shape& a, const Shape& b) const {
        if (!active) return b;
        if (perChannel && !(b.size() == 1 && a.size() >= 2 && b[0] == a[1])) return b;
        const int64_t rank = static_cast<int64_t>(a.size());
        const int64_t start = axis < 0 ? axis + rank : axis;
        Shape padded = b;
        while (start >= 0 && static_cast<int64_t>(padded.size()) < rank - start) padded.push_back(1);
        return padded;
    }
};

}  // namespace interstage::cpu::ew
