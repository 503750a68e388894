// NonZero: the coordinates of every non-zero element, one row per input
// dim ([rank, count], a scalar read as one element). The shape pass sized
// the output from the run's input values; the kernel counts again and
// refuses a mismatch rather than write past it.
#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/select/select_kernels.h"

namespace interstage::cpu::selection {

namespace {

template <class T>
int64_t nonZero(const void* input, const Shape& shape, int64_t* out, int64_t capacity) {
    const auto* in = static_cast<const T*>(input);
    int64_t total = 1;
    for (int64_t d : shape) total *= d;
    int64_t hits = 0;
    for (int64_t n = 0; n < total; ++n)
        if (ew::load(in[n]) != 0) ++hits;
    if (hits != capacity) return hits;
    const auto rank = static_cast<int64_t>(shape.empty() ? 1 : shape.size());
    std::vector<int64_t> coord(static_cast<size_t>(rank), 0);
    int64_t j = 0;
    for (int64_t n = 0; n < total; ++n) {
        if (ew::load(in[n]) != 0) {
            for (int64_t k = 0; k < rank; ++k) out[k * hits + j] = coord[size_t(k)];
            ++j;
        }
        // Odometer step over the coordinates, last dim fastest.
        for (int64_t k = static_cast<int64_t>(shape.size()) - 1; k >= 0; --k) {
            if (++coord[size_t(k)] < shape[size_t(k)]) break;
            coord[size_t(k)] = 0;
        }
    }
    return hits;
}

using NonZeroFn = int64_t (*)(const void*, const Shape&, int64_t*, int64_t);

class NonZeroKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        name_ = c.node().name;
        if (!c.hasInput(0) || !c.hasOutput(0)) return c.invalidHere("needs an input and an output");
        ew::dispatchType<ew::kNumeric | ew::kBool>(c.inputType(0),
                                                   [&](auto tag) { fn_ = &nonZero<typename decltype(tag)::type>; });
        if (!fn_) return c.unsupportedHere(ew::dtypeRefusal(c.inputType(0)));
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& x = c.inputs[0];
        const TensorView& y = c.outputs[0];
        const int64_t rank = x.shape.empty() ? 1 : static_cast<int64_t>(x.shape.size());
        if (y.shape.size() != 2 || y.shape[0] != rank)
            return shapeError(name_ + " (NonZero): output shape " + shapeToString(y.shape) + " is not [rank, count]");
        const int64_t hits = fn_(x.data, x.shape, y.as<int64_t>(), y.shape[1]);
        if (hits != y.shape[1])
            return shapeError(name_ + " (NonZero): " + std::to_string(hits) +
                              " non-zero elements, but the output was sized for " + std::to_string(y.shape[1]));
        return Status::ok();
    }

private:
    NonZeroFn fn_ = nullptr;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeNonZeroKernel() { return std::make_unique<NonZeroKernel>(); }

}  // namespace interstage::cpu::selection
