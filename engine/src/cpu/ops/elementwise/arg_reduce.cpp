// ArgMax and ArgMin along one axis (keepdims, select_last_index), int64
// indices out. The input is read as [outer, R, inner]; with inner > 1 the
// best values of a block of inner positions are kept side by side so every
// read is a contiguous row.
#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"

namespace interstage::cpu::ew {

namespace {

struct ArgGeometry {
    int64_t outer = 1, length = 1, inner = 1;
};

// True when candidate replaces best: strictly better, or equal and the last
// index is wanted.
template <bool Max, bool Last, class C>
inline bool better(C candidate, C best) {
    if constexpr (Max)
        return Last ? !(candidate < best) : candidate > best;
    else
        return Last ? !(candidate > best) : candidate < best;
}

template <class T, bool Max, bool Last>
void argReduce(const ArgGeometry& g, const void* input, int64_t* out) {
    using C = Compute<T>;
    const auto* in = static_cast<const T*>(input);
    const int64_t length = g.length, inner = g.inner;
    if (inner == 1) {  // the usual case (class scores on the last axis): one contiguous scan per row
        parallelBlocks(g.outer, g.outer * length, [&](int64_t begin, int64_t end) {
            for (int64_t o = begin; o < end; ++o) {
                const T* row = in + o * length;
                C best = load(row[0]);
                int64_t index = 0;
                for (int64_t r = 1; r < length; ++r) {
                    const C v = load(row[r]);
                    if (better<Max, Last>(v, best)) {
                        best = v;
                        index = r;
                    }
                }
                out[o] = index;
            }
        });
        return;
    }
    constexpr int64_t kBlock = 64;
    const int64_t blocks = (inner + kBlock - 1) / kBlock;
    parallelBlocks(g.outer * blocks, g.outer * length * inner, [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
            const int64_t o = task / blocks;
            const int64_t start = (task % blocks) * kBlock;
            const int64_t n = std::min(kBlock, inner - start);
            const T* base = in + o * length * inner + start;
            C best[kBlock];
            int64_t index[kBlock];
            for (int64_t j = 0; j < n; ++j) {
                best[j] = load(base[j]);
                index[j] = 0;
            }
            for (int64_t r = 1; r < length; ++r) {
                const T* row = base + r * inner;
                for (int64_t j = 0; j < n; ++j) {
                    const C v = load(row[j]);
                    if (better<Max, Last>(v, best[j])) {
                        best[j] = v;
                        index[j] = r;
                    }
                }
            }
            int64_t* dst = out + o * inner + start;
            for (int64_t j = 0; j < n; ++j) dst[j] = index[j];
        }
    });
}

using ArgFn = void (*)(const ArgGeometry&, const void*, int64_t*);

template <bool Max, bool Last>
ArgFn pickArg(DataType type) {
    ArgFn fn = nullptr;
    dispatchType<kNumeric>(type, [&](auto tag) { fn = &argReduce<typename decltype(tag)::type, Max, Last>; });
    return fn;
}

class ArgReduceKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        const Node& node = c.node();
        if (!c.hasInput(0) || !c.hasOutput(0)) return c.invalidHere("needs an input and an output");
        if (c.output(0).dtype != DataType::Int64) return c.invalidHere("output must be int64");
        const bool max = node.opType == "ArgMax";
        const bool last = node.attrInt("select_last_index", 0) != 0;
        const DataType type = c.inputType(0);
        fn_ = max ? (last ? pickArg<true, true>(type) : pickArg<true, false>(type))
                  : (last ? pickArg<false, true>(type) : pickArg<false, false>(type));
        if (!fn_) return c.unsupportedHere(dtypeRefusal(type));
        axis_ = node.attrInt("axis", 0);
        name_ = node.name;
        if (!geometry(c.inputShape(0), geometry_)) return c.invalidHere("axis is out of range");
        if (geometry_.length == 0) return c.invalidHere("cannot take the arg of an empty axis");
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& in = c.inputs[0];
        const TensorView& out = c.outputs[0];
        ArgGeometry g;
        if (!geometry(in.shape, g) || g.length == 0) return invalidModel(name_ + ": axis is out of range");
        if (out.count() != g.outer * g.inner) return shapeError(name_ + ": output size does not fit the input");
        fn_(g, in.data, out.as<int64_t>());
        return Status::ok();
    }

private:
    bool geometry(const Shape& shape, ArgGeometry& g) const {
        const auto rank = static_cast<int64_t>(shape.size());
        if (rank == 0) {
            g = ArgGeometry{};
            return true;
        }
        int64_t axis;
        if (!normalizeAxis(axis_, rank, axis)) return false;
        const auto a = static_cast<size_t>(axis);
        g.outer = dimProduct(shape, 0, a);
        g.length = shape[a];
        g.inner = dimProduct(shape, a + 1, shape.size());
        return true;
    }

    ArgFn fn_ = nullptr;
    int64_t axis_ = 0;
    ArgGeometry geometry_;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeArgReduceKernel() { return std::make_unique<ArgReduceKernel>(); }

}  // namespace interstage::cpu::ew
