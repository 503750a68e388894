// Max, Min, Sum, Mean over one or more inputs with numpy broadcasting. The
// first two inputs are combined into the output, then each further input
// into the output in place (the output has the full broadcast shape, so it
// reads and writes the same element); Mean divides at the end.
#include <cstring>

#include "cpu/ops/elementwise/binary_loop.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"

namespace interstage::cpu::ew {

namespace {

struct MaxOp {
    template <class C>
    C operator()(C a, C b) const {
        return a < b ? b : a;
    }
};
struct MinOp {
    template <class C>
    C operator()(C a, C b) const {
        return b < a ? b : a;
    }
};
struct SumOp {
    template <class C>
    C operator()(C a, C b) const {
        return static_cast<C>(a + b);
    }
};

// out /= count over the whole output (Mean).
template <class T>
void divideAll(void* data, int64_t n, int64_t count) {
    auto* p = static_cast<T*>(data);
    const auto divisor = static_cast<Compute<T>>(count);
    parallelBlocks(n, n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) p[i] = store<T>(load(p[i]) / divisor);
    });
}

class VariadicKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        const Node& node = c.node();
        const size_t count = c.inputCount();
        if (count == 0 || !c.hasOutput(0)) return c.invalidHere("needs at least one input and one output");
        const DataType type = c.inputType(0);
        for (size_t i = 0; i < count; ++i) {
            if (!c.hasInput(i)) return c.invalidHere("an input is omitted");
            if (c.inputType(i) != type) return c.invalidHere("the inputs differ in type");
        }
        if (c.output(0).dtype != type) return c.invalidHere("output type differs from the inputs'");

        const std::string& op = node.opType;
        mean_ = op == "Mean";
        if (op == "Max")
            fn_ = pickSameType<MaxOp, kNumeric>(type);
        else if (op == "Min")
            fn_ = pickSameType<MinOp, kNumeric>(type);
        else if (op == "Sum" || op == "Mean")
            fn_ = pickSameType<SumOp, kNumeric>(type);
        else
            return c.unsupportedHere("not an op of the variadic kernel");
        if (!fn_) return c.unsupportedHere(dtypeRefusal(type));
        if (mean_) {
            dispatchType<kFloats>(type, [&](auto tag) { divide_ = &divideAll<typename decltype(tag)::type>; });
            if (!divide_) return c.unsupportedHere("Mean of " + std::string(dataTypeName(type)) + " inputs");
        }
        name_ = node.name;
        std::vector<Shape> shapes;
        for (size_t i = 0; i < count; ++i) shapes.push_back(c.inputShape(i));
        if (!makePlans(shapes, c.output(0).shape))
            return c.invalidHere("input shapes do not broadcast to the output " + shapeToString(c.output(0).shape));
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& out = c.outputs[0];
        const size_t count = c.inputs.size();
        bool same = count == shapes_.size() && out.shape == outShape_;
        for (size_t i = 0; same && i < count; ++i) same = c.inputs[i].shape == shapes_[i];
        if (!same) {
            std::vector<Shape> shapes;
            for (const TensorView& in : c.inputs) shapes.push_back(in.shape);
            if (!makePlans(shapes, out.shape))
                return shapeError(name_ + ": input shapes do not broadcast to the output");
        }

        if (count == 1) {
            if (c.inputs[0].bytes() != out.bytes()) return shapeError(name_ + ": input and output sizes differ");
            std::memcpy(out.data, c.inputs[0].data, out.bytes());
        } else {
            fn_(plans_[0], c.inputs[0].data, c.inputs[1].data, out.data, Activation{});
            for (size_t i = 2; i < count; ++i) fn_(plans_[i - 1], out.data, c.inputs[i].data, out.data, Activation{});
        }
        if (mean_) divide_(out.data, out.count(), static_cast<int64_t>(count));
        return Status::ok();
    }

private:
    bool makePlans(const std::vector<Shape>& shapes, const Shape& out) {
        shapes_ = shapes;
        outShape_ = out;
        plans_.assign(shapes.size() > 1 ? shapes.size() - 1 : 0, BroadcastPlan{});
        if (shapes.size() == 1) return shapes[0] == out;
        if (!makeBroadcastPlan(out, {shapes[0], shapes[1]}, plans_[0])) return false;
        for (size_t i = 2; i < shapes.size(); ++i)
            if (!makeBroadcastPlan(out, {out, shapes[i]}, plans_[i - 1])) return false;
        return true;
    }

    BinaryFn fn_ = nullptr;
    void (*divide_)(void*, int64_t, int64_t) = nullptr;
    bool mean_ = false;
    std::vector<Shape> shapes_;
    Shape outShape_;
    std::vector<BroadcastPlan> plans_;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeVariadicKernel() { return std::make_unique<VariadicKernel>(); }

}  // namespace interstage::cpu::ew
