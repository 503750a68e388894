// Slice: opset < 10 reads starts / ends / axes from attributes, later
// opsets from inputs (with steps, negative ones included). The slice is a
// strided view of the input: a start offset plus a stride per axis, which
// gatherStrided turns into row memcpys wherever the steps are 1.
#include <algorithm>

#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"
#include "cpu/ops/tensor/view_plans.h"

namespace interstage::cpu::tensor {

namespace {

class SliceKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs a data input and one output");
        IS_RETURN_IF_ERROR(requireFixedSize(context, context.inputType(0), "input"));
        inShape_ = context.inputShape(0);
        outShape_ = context.output(0).shape;
        SliceParams p;
        IS_RETURN_IF_ERROR(readSliceParams(context, p, constantParams_));
        if (!constantParams_) return Status::ok();  // planned at run time
        const std::string why = plan(p);
        return why.empty() ? Status::ok() : context.invalidHere(why);
    }

    Status run(RunContext& context) override {
        if (!constantParams_) {
            SliceParams p;
            readSliceInput(context.inputs[1], p.starts);
            readSliceInput(context.inputs[2], p.ends);
            if (context.hasInput(3)) readSliceInput(context.inputs[3], p.axes);
            if (context.hasInput(4)) readSliceInput(context.inputs[4], p.steps);
            const std::string why = plan(p);
            if (!why.empty()) return Status(StatusCode::InvalidModel, "Slice: " + why);
        }
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        const std::size_t es = dataTypeSize(in.dtype);
        gatherStrided(out.data, in.as<const char>() + view_.offset * static_cast<int64_t>(es), es, out.shape,
                      view_.strides);
        return Status::ok();
    }

private:
    std::string plan(const SliceParams& p) {
        std::string why = planSlice(inShape_, p, view_);
        if (why.empty() && view_.shape != outShape_)
            why = "the slice gives " + shapeToString(view_.shape) + ", not the resolved output " +
                  shapeToString(outShape_);
        return why;
    }

    Shape inShape_, outShape_;
    bool constantParams_ = false;  // planned once at prepare
    StridedView view_;
};

}  // namespace

Status readSliceParams(const PrepareContext& context, SliceParams& p, bool& known) {
    p = SliceParams{};
    known = false;
    if (context.opset() > 0 && context.opset() < 10) {
        p.starts = context.node().attrInts("starts");
        p.ends = context.node().attrInts("ends");
        p.axes = context.node().attrInts("axes");
        known = true;
        return Status::ok();
    }
    if (!context.hasInput(1) || !context.hasInput(2))
        return context.invalidHere("inputs 'starts' and 'ends' are required");
    for (size_t i = 1; i < 5; ++i)
        if (context.hasInput(i) && !isIntegerType(context.inputType(i)))
            return context.invalidHere("starts, ends, axes and steps must be integers");
    for (size_t i = 1; i < 5; ++i)
        if (context.hasInput(i) && !context.inputConstant(i)) return Status::ok();
    auto read = [](const TensorData& source, std::vector<int64_t>& out) {
        if (!readIntegers(source, out)) out.clear();
    };
    read(*context.inputConstant(1), p.starts);
    read(*context.inputConstant(2), p.ends);
    if (context.hasInput(3)) read(*context.inputConstant(3), p.axes);
    if (context.hasInput(4)) read(*context.inputConstant(4), p.steps);
    known = true;
    return Status::ok();
}

void readSliceInput(const TensorView& view, std::vector<int64_t>& out) {
    if (!readIntegers(view, out)) out.clear();
}

std::string planSlice(const Shape& in, SliceParams p, StridedView& view) {
    const auto rank = static_cast<int64_t>(in.size());
    if (p.axes.empty())
        for (size_t k = 0; k < p.starts.size(); ++k) p.axes.push_back(static_cast<int64_t>(k));
    if (p.steps.empty()) p.steps.assign(p.starts.size(), 1);
    if (p.ends.size() != p.starts.size() || p.axes.size() != p.starts.size() || p.steps.size() != p.starts.size())
        return "starts, ends, axes and steps must have the same length";
    if (!normalizeAxes(p.axes, rank)) return "axes are out of range or repeated";
    const Shape inStrides = contiguousStrides(in);
    view.shape = in;
    view.strides = inStrides;
    view.offset = 0;
    for (size_t k = 0; k < p.axes.size(); ++k) {
        auto a = static_cast<size_t>(p.axes[k]);
        int64_t dim = in[a], step = p.steps[k], begin = p.starts[k], end = p.ends[k];
        if (step == 0) return "a step is 0";
        if (begin < 0) begin += dim;
        if (end < 0) end += dim;
        // Forward steps clamp to [0, dim]; backward ones start at most
        // at dim - 1 and may end at -1 (just before the first element).
        if (step > 0) {
            begin = std::clamp<int64_t>(begin, 0, dim);
            end = std::clamp<int64_t>(end, 0, dim);
        } else {
            begin = std::clamp<int64_t>(begin, 0, std::max<int64_t>(dim - 1, 0));
            end = std::clamp<int64_t>(end, -1, dim - 1);
        }
        int64_t distance = step > 0 ? end - begin : begin - end;
        int64_t stride = step > 0 ? step : (step == INT64_MIN ? INT64_MAX : -step);
        view.shape[a] = distance <= 0 ? 0 : (distance - 1) / stride + 1;
        if (view.shape[a] > 0) view.offset += begin * inStrides[a];
        view.strides[a] = view.shape[a] > 1 ? step * inStrides[a] : 0;
    }
    return {};
}

std::unique_ptr<Kernel> makeSliceKernel() { return std::make_unique<SliceKernel>(); }

}  // namespace interstage::cpu::tensor
