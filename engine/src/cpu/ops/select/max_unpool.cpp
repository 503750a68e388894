// MaxUnpool: scatters each value of X to the flat position its index (as
// MaxPool's Indices output gives it, over the whole unpooled tensor) names;
// every other output element is zero. Indices address the shape that
// kernel_shape / strides / pads give; an output_shape input only pads that
// shape with zeros at the end of each dim, so indices are remapped then.
#include <cstring>

#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/select/select_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::selection {

namespace {

// Flat index in `from` -> flat index of the same coordinates in `to`
// (`to` is at least as large in every dim).
int64_t remap(int64_t at, const Shape& from, const Shape& to) {
    int64_t result = 0, scale = 1;
    for (size_t d = from.size(); d-- > 0;) {
        result += (at % from[d]) * scale;
        at /= from[d];
        scale *= to[d];
    }
    return result;
}

template <class T>
bool unpool(const void* x, const int64_t* indices, int64_t count, const Shape& unpooled, const TensorView& y) {
    const auto* in = static_cast<const T*>(x);
    auto* out = y.as<T>();
    const int64_t outCount = y.count();
    int64_t unpooledCount = 1;
    for (int64_t d : unpooled) unpooledCount *= d;
    const bool direct = unpooled == y.shape;
    std::memset(y.data, 0, static_cast<size_t>(outCount) * sizeof(T));
    for (int64_t i = 0; i < count; ++i) {
        const int64_t at = indices[i];
        if (at < 0 || at >= unpooledCount) return false;
        out[direct ? at : remap(at, unpooled, y.shape)] = in[i];
    }
    return true;
}

using UnpoolFn = bool (*)(const void*, const int64_t*, int64_t, const Shape&, const TensorView&);

class MaxUnpoolKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        name_ = c.node().name;
        if (!c.hasInput(0) || !c.hasInput(1) || !c.hasOutput(0)) return c.invalidHere("needs X, I and an output");
        if (c.inputType(1) != DataType::Int64) return c.invalidHere("indices must be int64");
        ew::dispatchType<ew::kNumeric>(c.inputType(0), [&](auto tag) { fn_ = &unpool<typename decltype(tag)::type>; });
        if (!fn_) return c.unsupportedHere(ew::dtypeRefusal(c.inputType(0)));
        kernel_ = c.node().attrInts("kernel_shape");
        strides_ = c.node().attrInts("strides");
        pads_ = c.node().attrInts("pads");
        const size_t spatial = c.inputShape(0).size() < 2 ? 0 : c.inputShape(0).size() - 2;
        if (strides_.empty()) strides_.assign(spatial, 1);
        if (pads_.empty()) pads_.assign(2 * spatial, 0);
        if (spatial == 0 || kernel_.size() != spatial || strides_.size() != spatial || pads_.size() != 2 * spatial)
            return c.invalidHere("kernel_shape, strides and pads must match X's " + std::to_string(spatial) +
                                 " spatial dims");
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& x = c.inputs[0];
        const TensorView& i = c.inputs[1];
        const TensorView& y = c.outputs[0];
        if (i.count() != x.count()) return invalidModel(name_ + " (MaxUnpool): X and I differ in size");
        Shape unpooled = x.shape;
        const size_t spatial = kernel_.size();
        for (size_t d = 0; d < spatial; ++d)
            unpooled[d + 2] = (x.shape[d + 2] - 1) * strides_[d] - (pads_[d] + pads_[d + spatial]) + kernel_[d];
        if (y.shape.size() != unpooled.size()) return shapeError(name_ + " (MaxUnpool): output rank differs from X's");
        for (size_t d = 0; d < unpooled.size(); ++d)
            if (unpooled[d] < 0 || y.shape[d] < unpooled[d])
                return invalidModel(name_ + " (MaxUnpool): output shape " + shapeToString(y.shape) +
                                    " is smaller than the unpooled shape " + shapeToString(unpooled));
        if (!fn_(x.data, i.as<const int64_t>(), x.count(), unpooled, y))
            return invalidModel(name_ + " (MaxUnpool): an index is outside the unpooled shape " +
                                shapeToString(unpooled));
        return Status::ok();
    }

private:
    UnpoolFn fn_ = nullptr;
    std::vector<int64_t> kernel_, strides_, pads_;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeMaxUnpoolKernel() { return std::make_unique<MaxUnpoolKernel>(); }

}  // namespace interstage::cpu::selection
