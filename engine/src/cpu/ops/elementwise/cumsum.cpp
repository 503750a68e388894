// CumSum along one axis (a scalar input, possibly known only at run time),
// with the exclusive and reverse attributes. Read as [outer, R, inner]: a
// running row of `inner` sums moves along R, so the inner loop is a
// contiguous, vectorizable row add.
#include <cstring>

#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"

namespace interstage::cpu::ew {

namespace {

struct CumSumGeometry {
    int64_t outer = 1, length = 1, inner = 1;
};

template <class T>
void cumSum(const CumSumGeometry& g, bool exclusive, bool reverse, const void* input, void* output) {
    const auto* in = static_cast<const T*>(input);
    auto* out = static_cast<T*>(output);
    const int64_t length = g.length, inner = g.inner;
    parallelBlocks(g.outer, g.outer * length * inner, [&](int64_t begin, int64_t end) {
        for (int64_t o = begin; o < end; ++o) {
            const T* src = in + o * length * inner;
            T* dst = out + o * length * inner;
            const T* previousIn = nullptr;  // the row before this one along the scan
            T* previousOut = nullptr;
            for (int64_t step = 0; step < length; ++step) {
                const int64_t r = reverse ? length - 1 - step : step;
                const T* rowIn = src + r * inner;
                T* rowOut = dst + r * inner;
                if (!previousOut) {
                    if (exclusive)
                        std::fill(rowOut, rowOut + inner, T(0));
                    else
                        std::memcpy(rowOut, rowIn, sizeof(T) * static_cast<size_t>(inner));
                } else if (exclusive) {
                    // out[r] = out[r-1] + in[r-1]
                    for (int64_t j = 0; j < inner; ++j) rowOut[j] = static_cast<T>(previousOut[j] + previousIn[j]);
                } else {
                    for (int64_t j = 0; j < inner; ++j) rowOut[j] = static_cast<T>(previousOut[j] + rowIn[j]);
                }
                previousIn = rowIn;
                previousOut = rowOut;
            }
        }
    });
}

using CumSumFn = void (*)(const CumSumGeometry&, bool, bool, const void*, void*);

class CumSumKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        const Node& node = c.node();
        if (c.inputCount() != 2 || !c.hasInput(0) || !c.hasInput(1) || !c.hasOutput(0))
            return c.invalidHere("needs x, axis and one output");
        const DataType type = c.inputType(0);
        if (c.output(0).dtype != type) return c.invalidHere("output type differs from the input's");
        dispatchType<kFloats | kInts>(type, [&](auto tag) {
            using T = typename decltype(tag)::type;
            if constexpr (!kHalfStorage<T>) fn_ = &cumSum<T>;
        });
        if (!fn_) return c.unsupportedHere(dtypeRefusal(type));
        if (c.inputType(1) != DataType::Int32 && c.inputType(1) != DataType::Int64)
            return c.invalidHere("axis must be int32 or int64");
        exclusive_ = node.attrInt("exclusive", 0) != 0;
        reverse_ = node.attrInt("reverse", 0) != 0;
        name_ = node.name;
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& in = c.inputs[0];
        const TensorView& out = c.outputs[0];
        std::vector<int64_t> axisValue;
        if (!readIntValues(c.inputs[1], axisValue) || axisValue.size() != 1)
            return invalidModel(name_ + ": axis must be one int32 or int64");
        const auto rank = static_cast<int64_t>(in.shape.size());
        if (out.count() != in.count()) return shapeError(name_ + ": output size differs from the input");
        CumSumGeometry g;
        if (rank > 0) {
            int64_t axis;
            if (!normalizeAxis(axisValue[0], rank, axis)) return invalidModel(name_ + ": axis is out of range");
            const auto a = static_cast<size_t>(axis);
            g.outer = dimProduct(in.shape, 0, a);
            g.length = in.shape[a];
            g.inner = dimProduct(in.shape, a + 1, in.shape.size());
        }
        fn_(g, exclusive_, reverse_, in.data, out.data);
        return Status::ok();
    }

private:
    CumSumFn fn_ = nullptr;
    bool exclusive_ = false;
    bool reverse_ = false;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeCumSumKernel() { return std::make_unique<CumSumKernel>(); }

}  // namespace interstage::cpu::ew
