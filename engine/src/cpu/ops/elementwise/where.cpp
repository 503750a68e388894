// Where(condition, X, Y) with three-way numpy broadcasting. It only moves
// elements, so it runs on unsigned integers of the element's size and
// serves every fixed-size dtype.
#include "cpu/ops/elementwise/broadcast.h"
#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"

namespace interstage::cpu::ew {

namespace {

template <class T>
void whereRun(const uint8_t* cond, int64_t sc, const T* x, int64_t sx, const T* y, int64_t sy, T* out, int64_t n) {
    if (sc && sx && sy) {
        for (int64_t i = 0; i < n; ++i) out[i] = cond[i] ? x[i] : y[i];
    } else if (sc && !sx && !sy) {
        const T xv = *x, yv = *y;
        for (int64_t i = 0; i < n; ++i) out[i] = cond[i] ? xv : yv;
    } else if (!sc) {
        // One condition for the whole run: a copy or a fill.
        const T* src = *cond ? x : y;
        const int64_t stride = *cond ? sx : sy;
        if (stride) {
            for (int64_t i = 0; i < n; ++i) out[i] = src[i];
        } else {
            const T v = *src;
            for (int64_t i = 0; i < n; ++i) out[i] = v;
        }
    } else {
        for (int64_t i = 0; i < n; ++i) out[i] = cond[i] ? x[i * sx] : y[i * sy];
    }
}

template <class T>
void whereAll(const BroadcastPlan& plan, const void* cond, const void* x, const void* y, void* out) {
    const auto* pc = static_cast<const uint8_t*>(cond);
    const auto* px = static_cast<const T*>(x);
    const auto* py = static_cast<const T*>(y);
    auto* po = static_cast<T*>(out);
    const int64_t sc = plan.innerStride(0), sx = plan.innerStride(1), sy = plan.innerStride(2);
    forEachRun(plan, kParallelGrain, [&](int64_t o, const int64_t* in, int64_t n) {
        whereRun(pc + in[0], sc, px + in[1], sx, py + in[2], sy, po + o, n);
    });
}

using WhereFn = void (*)(const BroadcastPlan&, const void*, const void*, const void*, void*);

class WhereKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        if (c.inputCount() != 3 || !c.hasInput(0) || !c.hasInput(1) || !c.hasInput(2) || !c.hasOutput(0))
            return c.invalidHere("needs three inputs and one output");
        if (c.inputType(0) != DataType::Bool) return c.invalidHere("condition must be bool");
        const DataType type = c.inputType(1);
        if (c.inputType(2) != type || c.output(0).dtype != type)
            return c.invalidHere("X, Y and the output must have one type");
        switch (type == DataType::String ? 0 : dataTypeSize(type)) {
            case 1:
                fn_ = &whereAll<uint8_t>;
                break;
            case 2:
                fn_ = &whereAll<uint16_t>;
                break;
            case 4:
                fn_ = &whereAll<uint32_t>;
                break;
            case 8:
                fn_ = &whereAll<uint64_t>;
                break;
            default:
                return c.unsupportedHere(dtypeRefusal(type));
        }
        name_ = c.node().name;
        if (!preparePlan({c.inputShape(0), c.inputShape(1), c.inputShape(2)}, c.output(0).shape))
            return c.invalidHere("input shapes do not broadcast to the output " + shapeToString(c.output(0).shape));
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& out = c.outputs[0];
        const bool same = out.shape == outShape_ && c.inputs[0].shape == shapes_[0] &&
                          c.inputs[1].shape == shapes_[1] && c.inputs[2].shape == shapes_[2];
        if (!same && !preparePlan({c.inputs[0].shape, c.inputs[1].shape, c.inputs[2].shape}, out.shape))
            return shapeError(name_ + ": input shapes do not broadcast to the output");
        fn_(plan_, c.inputs[0].data, c.inputs[1].data, c.inputs[2].data, out.data);
        return Status::ok();
    }

private:
    bool preparePlan(const std::vector<Shape>& shapes, const Shape& out) {
        shapes_ = shapes;
        outShape_ = out;
        return makeBroadcastPlan(out, shapes, plan_);
    }

    WhereFn fn_ = nullptr;
    BroadcastPlan plan_;
    std::vector<Shape> shapes_;
    Shape outShape_;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeWhereKernel() { return std::make_unique<WhereKernel>(); }

}  // namespace interstage::cpu::ew
