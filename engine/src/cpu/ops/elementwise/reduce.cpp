// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1,
// ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceSumSquare.
//
// The input's dims are merged into alternating groups of kept and reduced
// dims (size-1 dims dropped). The innermost group decides the loop:
//  - innermost reduced (ReduceMean over H,W; over the last axis): every
//    output element reduces contiguous runs, with eight partial results so
//    the loop vectorizes;
//  - innermost kept (ReduceSum over channels of NCHW): pieces of each output
//    row are accumulated from the matching pieces of whole input rows, a
//    vectorized row += row.
// The axes come from the attribute, or from input 1 (ReduceSum from opset
// 13, the others from 18), which may be known only at run time.
#include <cmath>
#include <cstring>
#include <limits>

#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"
#include "cpu/ops/elementwise/reduce_plan.h"

namespace interstage::cpu::ew {

namespace {

// ---- what each reduction does: map each element, combine, finish with the count.
template <class T>
T absValue(T x) {
    if constexpr (std::is_unsigned_v<T>)
        return x;
    else
        return x < T(0) ? static_cast<T>(-x) : x;
}

struct SumKind {
    template <class T>
    static T init() {
        return T(0);
    }
    template <class T>
    static T map(T x) {
        return x;
    }
    template <class T>
    static T combine(T a, T b) {
        return static_cast<T>(a + b);
    }
    template <class T>
    static T finish(T a, int64_t) {
        return a;
    }
};
struct MeanKind : SumKind {
    template <class T>
    static T finish(T a, int64_t count) {
        if constexpr (std::is_integral_v<T>)
            return count ? static_cast<T>(a / static_cast<T>(count)) : T(0);
        else
            return a / static_cast<T>(count);
    }
};
struct MaxKind {
    template <class T>
    static T init() {
        if constexpr (std::numeric_limits<T>::has_infinity)
            return -std::numeric_limits<T>::infinity();
        else
            return std::numeric_limits<T>::lowest();
    }
    template <class T>
    static T map(T x) {
        return x;
    }
    template <class T>
    static T combine(T a, T b) {
        return a < b ? b : a;
    }
    template <class T>
    static T finish(T a, int64_t) {
        return a;
    }
};
struct MinKind {
    template <class T>
    static T init() {
        if constexpr (std::numeric_limits<T>::has_infinity)
            return std::numeric_limits<T>::infinity();
        else
            return std::numeric_limits<T>::max();
    }
    template <class T>
    static T map(T x) {
        return x;
    }
    template <class T>
    static T combine(T a, T b) {
        return b < a ? b : a;
    }
    template <class T>
    static T finish(T a, int64_t) {
        return a;
    }
};
struct ProdKind {
    template <class T>
    static T init() {
        return T(1);
    }
    template <class T>
    static T map(T x) {
        return x;
    }
    template <class T>
    static T combine(T a, T b) {
        return static_cast<T>(a * b);
    }
    template <class T>
    static T finish(T a, int64_t) {
        return a;
    }
};
struct L1Kind : SumKind {
    template <class T>
    static T map(T x) {
        return absValue(x);
    }
};
struct SumSquareKind : SumKind {
    template <class T>
    static T map(T x) {
        return static_cast<T>(x * x);
    }
};
struct L2Kind : SumSquareKind {
    template <class T>
    static T finish(T a, int64_t) {
        return std::sqrt(a);
    }
};
struct LogSumKind : SumKind {
    template <class T>
    static T finish(T a, int64_t) {
        return std::log(a);
    }
};
// log(sum(exp(x))) as the ONNX reference computes it (no max shift).
struct LogSumExpKind : SumKind {
    template <class T>
    static T map(T x) {
        return std::exp(x);
    }
    template <class T>
    static T finish(T a, int64_t) {
        return std::log(a);
    }
};

using Group = ReduceGroup;

// An odometer over groups, yielding the input offset of each combination.
class Odometer {
public:
    explicit Odometer(const std::vector<Group>& groups) : groups_(groups), index_(groups.size(), 0) {}
    void seek(int64_t position) {
        offset_ = 0;
        for (size_t g = groups_.size(); g-- > 0;) {
            index_[g] = position % groups_[g].size;
            position /= groups_[g].size;
            offset_ += index_[g] * groups_[g].stride;
        }
    }
    void next() {
        for (size_t g = groups_.size(); g-- > 0;) {
            offset_ += groups_[g].stride;
            if (++index_[g] < groups_[g].size) return;
            offset_ -= groups_[g].size * groups_[g].stride;
            index_[g] = 0;
        }
    }
    int64_t offset() const { return offset_; }
    int64_t count() const {
        int64_t n = 1;
        for (const Group& g : groups_) n *= g.size;
        return n;
    }

private:
    const std::vector<Group>& groups_;
    std::vector<int64_t> index_;
    int64_t offset_ = 0;
};

// float32 inputs accumulate in double: a sum over thousands of elements in
// float loses digits the 1e-3 tolerance notices when the sum nearly cancels.
// float16 / bfloat16 likewise (widened element by element, nothing stored).
template <class T>
using AccOf = std::conditional_t<std::is_same_v<T, float> || kHalfStorage<T>, double, T>;

template <class A, class T>
A toAcc(T v) {
    return static_cast<A>(load(v));
}
template <class T, class A>
T fromAcc(A v) {
    return store<T>(static_cast<Compute<T>>(v));
}

// combine(map(x)) over n contiguous elements, eight partial results wide so
// the loop vectorizes.
template <class K, class T>
AccOf<T> reduceRun(const T* p, int64_t n) {
    using A = AccOf<T>;
    A lanes[8];
    for (A& l : lanes) l = K::template init<A>();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; ++j) lanes[j] = K::combine(lanes[j], K::map(toAcc<A>(p[i + j])));
    A acc = K::template init<A>();
    for (; i < n; ++i) acc = K::combine(acc, K::map(toAcc<A>(p[i])));
    for (A l : lanes) acc = K::combine(acc, l);
    return acc;
}

template <class K, class T>
void reduceInnerReduced(const ReducePlan& plan, const T* in, T* out) {
    using A = AccOf<T>;
    const int64_t work = plan.outputCount * plan.reduceCount;
    parallelBlocks(plan.outputCount, work, [&](int64_t begin, int64_t end) {
        Odometer keptPosition(plan.kept);
        Odometer reducedPosition(plan.reduced);
        const int64_t combinations = reducedPosition.count();
        keptPosition.seek(begin);
        for (int64_t o = begin; o < end; ++o, keptPosition.next()) {
            A acc = K::template init<A>();
            reducedPosition.seek(0);
            for (int64_t r = 0; r < combinations; ++r, reducedPosition.next())
                acc = K::combine(acc, reduceRun<K>(in + keptPosition.offset() + reducedPosition.offset(), plan.inner));
            out[o] = fromAcc<T>(K::finish(acc, plan.reduceCount));
        }
    });
}

template <class K, class T>
void reduceInnerKept(const ReducePlan& plan, const T* in, T* out) {
    using A = AccOf<T>;
    // Each task accumulates a piece of one output row in a local buffer.
    constexpr int64_t kPiece = 512;
    const int64_t inner = plan.inner;
    const int64_t rows = plan.outputCount / inner;
    const int64_t pieces = (inner + kPiece - 1) / kPiece;
    const int64_t work = plan.outputCount * plan.reduceCount;
    parallelBlocks(rows * pieces, work, [&](int64_t begin, int64_t end) {
        Odometer keptPosition(plan.kept);
        Odometer reducedPosition(plan.reduced);
        const int64_t combinations = reducedPosition.count();
        A acc[kPiece];
        for (int64_t task = begin; task < end; ++task) {
            const int64_t row = task / pieces;
            const int64_t start = (task % pieces) * kPiece;
            const int64_t n = std::min(kPiece, inner - start);
            keptPosition.seek(row);
            for (int64_t j = 0; j < n; ++j) acc[j] = K::template init<A>();
            reducedPosition.seek(0);
            for (int64_t r = 0; r < combinations; ++r, reducedPosition.next()) {
                const T* src = in + keptPosition.offset() + reducedPosition.offset() + start;
                for (int64_t j = 0; j < n; ++j) acc[j] = K::combine(acc[j], K::map(toAcc<A>(src[j])));
            }
            T* o = out + row * inner + start;
            for (int64_t j = 0; j < n; ++j) o[j] = fromAcc<T>(K::finish(acc[j], plan.reduceCount));
        }
    });
}

template <class K, class T>
void reduceAll(const ReducePlan& plan, const void* input, void* output) {
    const auto* in = static_cast<const T*>(input);
    auto* out = static_cast<T*>(output);
    if (plan.outputCount == 0) return;
    if (plan.reduceCount == 0) {
        for (int64_t i = 0; i < plan.outputCount; ++i) out[i] = fromAcc<T>(K::finish(K::template init<AccOf<T>>(), 0));
        return;
    }
    if (plan.innerReduced)
        reduceInnerReduced<K, T>(plan, in, out);
    else
        reduceInnerKept<K, T>(plan, in, out);
}

using ReduceFn = void (*)(const ReducePlan&, const void*, void*);

template <class K, unsigned Set>
ReduceFn pickReduce(DataType type) {
    ReduceFn fn = nullptr;
    dispatchType<Set>(type, [&](auto tag) {
        using T = typename decltype(tag)::type;
        fn = &reduceAll<K, T>;
    });
    return fn;
}

constexpr unsigned kReduceTypes = kFloats | kSignedInts | kUnsignedInts;

ReduceFn pickReduceFor(const std::string& op, DataType type) {
    if (op == "ReduceSum") return pickReduce<SumKind, kReduceTypes>(type);
    if (op == "ReduceMean") return pickReduce<MeanKind, kReduceTypes>(type);
    if (op == "ReduceMax") return pickReduce<MaxKind, kReduceTypes>(type);
    if (op == "ReduceMin") return pickReduce<MinKind, kReduceTypes>(type);
    if (op == "ReduceProd") return pickReduce<ProdKind, kReduceTypes>(type);
    if (op == "ReduceL1") return pickReduce<L1Kind, kReduceTypes>(type);
    if (op == "ReduceSumSquare") return pickReduce<SumSquareKind, kReduceTypes>(type);
    if (op == "ReduceL2") return pickReduce<L2Kind, kFloats>(type);
    if (op == "ReduceLogSum") return pickReduce<LogSumKind, kFloats>(type);
    if (op == "ReduceLogSumExp") return pickReduce<LogSumExpKind, kFloats>(type);
    return nullptr;
}

class ReduceKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        const Node& node = c.node();
        if (!c.hasInput(0) || !c.hasOutput(0)) return c.invalidHere("needs an input and an output");
        const DataType type = c.inputType(0);
        if (c.output(0).dtype != type) return c.invalidHere("output type differs from the input's");
        fn_ = pickReduceFor(node.opType, type);
        if (!fn_) return c.unsupportedHere(dtypeRefusal(type));

        ReduceAxes read;
        IS_RETURN_IF_ERROR(readReduceAxes(c, read));
        axes_ = read.axes;
        noopWhenEmpty_ = read.noopWhenEmpty;
        axesAtRun_ = !read.axesKnown;
        name_ = node.name;
        if (!axesAtRun_) {
            if (!makeReducePlan(c.inputShape(0), axes_, noopWhenEmpty_, plan_))
                return c.invalidHere("an axis is out of range for the input's rank");
            if (!checkCounts(c.inputShape(0), c.output(0).shape))
                return c.invalidHere("output shape " + shapeToString(c.output(0).shape) +
                                     " does not fit the reduction");
        }
        shape_ = c.inputShape(0);
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& in = c.inputs[0];
        const TensorView& out = c.outputs[0];
        if (axesAtRun_ || in.shape != shape_) {
            if (axesAtRun_ && c.hasInput(1) && !readIntValues(c.inputs[1], axes_))
                return invalidModel(name_ + ": axes must be int64");
            if (!makeReducePlan(in.shape, axes_, noopWhenEmpty_, plan_))
                return invalidModel(name_ + ": an axis is out of range for the input's rank");
            shape_ = in.shape;
        }
        if (!checkCounts(in.shape, out.shape)) return shapeError(name_ + ": output shape does not fit the reduction");
        if (plan_.copy) {
            if (in.bytes() > 0) std::memcpy(out.data, in.data, in.bytes());
            return Status::ok();
        }
        fn_(plan_, in.data, out.data);
        return Status::ok();
    }

private:
    bool checkCounts(const Shape& in, const Shape& out) const {
        const int64_t outCount = dimProduct(out, 0, out.size());
        return plan_.copy ? outCount == dimProduct(in, 0, in.size()) : outCount == plan_.outputCount;
    }

    ReduceFn fn_ = nullptr;
    bool axesAtRun_ = false;
    bool noopWhenEmpty_ = false;
    std::vector<int64_t> axes_;
    Shape shape_;
    ReducePlan plan_;
    std::string name_;
};

}  // namespace

Status readReduceAxes(const PrepareContext& c, ReduceAxes& result) {
    const Node& node = c.node();
    result = ReduceAxes{};
    const int64_t inputAxesFrom = node.opType == "ReduceSum" ? 13 : 18;
    const bool axesFromInput = c.opset() >= inputAxesFrom;
    result.noopWhenEmpty = axesFromInput && node.attrInt("noop_with_empty_axes", 0) != 0;
    if (!axesFromInput) {
        if (c.inputCount() > 1) return c.invalidHere("takes one input before opset " + std::to_string(inputAxesFrom));
        result.axes = node.attrInts("axes");
    } else if (c.hasInput(1)) {
        if (c.inputType(1) != DataType::Int64) return c.invalidHere("axes must be int64");
        if (const TensorData* known = c.inputConstant(1))
            readIntValues(*known, result.axes);
        else
            result.axesKnown = false;
    }
    return Status::ok();
}

bool makeReducePlan(const Shape& shape, const std::vector<int64_t>& axes, bool noopWhenEmpty, ReducePlan& plan) {
    plan = ReducePlan{};
    const auto rank = static_cast<int64_t>(shape.size());
    if (axes.empty() && noopWhenEmpty) {
        plan.copy = true;
        return true;
    }
    std::vector<bool> reduce(shape.size(), axes.empty());
    for (int64_t a : axes) {
        int64_t axis;
        if (!normalizeAxis(a, rank, axis)) return false;
        reduce[static_cast<size_t>(axis)] = true;
    }
    // Groups from the innermost dim out, merging neighbours with one flag.
    std::vector<Group> groups;
    std::vector<bool> groupReduced;
    int64_t stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
        const int64_t size = shape[static_cast<size_t>(d)];
        const bool r = reduce[static_cast<size_t>(d)];
        if (r)
            plan.reduceCount *= size;
        else
            plan.outputCount *= size;
        if (size != 1) {
            if (!groups.empty() && groupReduced.back() == r)
                groups.back().size *= size;
            else {
                groups.push_back({size, stride});
                groupReduced.push_back(r);
            }
        }
        stride *= size;
    }
    if (groups.empty()) return true;  // one element: inner = 1, nothing to walk
    plan.innerReduced = groupReduced.front();
    plan.inner = groups.front().size;
    // Outer groups, outermost first.
    for (size_t g = groups.size(); g-- > 1;) (groupReduced[g] ? plan.reduced : plan.kept).push_back(groups[g]);
    return true;
}

std::unique_ptr<Kernel> makeReduceKernel() { return std::make_unique<ReduceKernel>(); }

}  // namespace interstage::cpu::ew
