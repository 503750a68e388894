// Slice: opset < 10 reads starts / ends / axes from attributes, later
// opsets from inputs (with steps, negative ones included). The slice is a
// strided view of the input: a start offset plus a stride per axis, which
// gatherStrided turns into row memcpys wherever the steps are 1.
#include <algorithm>

#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

struct SliceParams {
    std::vector<int64_t> starts, ends, axes, steps;
};

class SliceKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1) return context.invalidHere("needs a data input and one output");
        IS_RETURN_IF_ERROR(requireFixedSize(context, context.inputType(0), "input"));
        inShape_ = context.inputShape(0);
        outShape_ = context.output(0).shape;
        const bool fromAttributes = context.opset() > 0 && context.opset() < 10;
        if (fromAttributes) {
            SliceParams p;
            p.starts = context.node().attrInts("starts");
            p.ends = context.node().attrInts("ends");
            p.axes = context.node().attrInts("axes");
            constantParams_ = true;
            return plan(p, &context);
        }
        if (!context.hasInput(1) || !context.hasInput(2)) return context.invalidHere("inputs 'starts' and 'ends' are required");
        for (size_t i = 1; i < 5; ++i)
            if (context.hasInput(i) && !isIntegerType(context.inputType(i)))
                return context.invalidHere("starts, ends, axes and steps must be integers");
        SliceParams p;
        for (size_t i = 1; i < 5; ++i)
            if (context.hasInput(i) && !context.inputConstant(i)) return Status::ok();  // planned at run time
        readInts(*context.inputConstant(1), p.starts);
        readInts(*context.inputConstant(2), p.ends);
        if (context.hasInput(3)) readInts(*context.inputConstant(3), p.axes);
        if (context.hasInput(4)) readInts(*context.inputConstant(4), p.steps);
        constantParams_ = true;
        return plan(p, &context);
    }

    Status run(RunContext& context) override {
        if (!constantParams_) {
            SliceParams p;
            readInts(context.inputs[1], p.starts);
            readInts(context.inputs[2], p.ends);
            if (context.hasInput(3)) readInts(context.inputs[3], p.axes);
            if (context.hasInput(4)) readInts(context.inputs[4], p.steps);
            IS_RETURN_IF_ERROR(plan(p, nullptr));
        }
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        const std::size_t es = dataTypeSize(in.dtype);
        gatherStrided(out.data, in.as<const char>() + offset_ * static_cast<int64_t>(es), es, out.shape, strides_);
        return Status::ok();
    }

private:
    template <class Source>
    static void readInts(const Source& source, std::vector<int64_t>& out) {
        if (!readIntegers(source, out)) out.clear();
    }

    // Works out the start offset and per-axis strides; fails (naming the
    // node when a context is given) on inconsistent parameters.
    Status plan(SliceParams& p, const PrepareContext* context) {
        auto fail = [&](const std::string& why) {
            return context ? context->invalidHere(why) : Status(StatusCode::InvalidModel, "Slice: " + why);
        };
        const auto rank = static_cast<int64_t>(inShape_.size());
        if (p.axes.empty())
            for (size_t k = 0; k < p.starts.size(); ++k) p.axes.push_back(static_cast<int64_t>(k));
        if (p.steps.empty()) p.steps.assign(p.starts.size(), 1);
        if (p.ends.size() != p.starts.size() || p.axes.size() != p.starts.size() || p.steps.size() != p.starts.size())
            return fail("starts, ends, axes and steps must have the same length");
        if (!normalizeAxes(p.axes, rank)) return fail("axes are out of range or repeated");
        const Shape inStrides = contiguousStrides(inShape_);
        Shape shape = inShape_;
        strides_ = inStrides;
        offset_ = 0;
        for (size_t k = 0; k < p.axes.size(); ++k) {
            auto a = static_cast<size_t>(p.axes[k]);
            int64_t dim = inShape_[a], step = p.steps[k], begin = p.starts[k], end = p.ends[k];
            if (step == 0) return fail("a step is 0");
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
            shape[a] = distance <= 0 ? 0 : (distance - 1) / stride + 1;
            if (shape[a] > 0) offset_ += begin * inStrides[a];
            strides_[a] = shape[a] > 1 ? step * inStrides[a] : 0;
        }
        if (shape != outShape_)
            return fail("the slice gives " + shapeToString(shape) + ", not the resolved output " + shapeToString(outShape_));
        return Status::ok();
    }

    Shape inShape_, outShape_;
    bool constantParams_ = false;  // planned once at prepare
    int64_t offset_ = 0;
    Shape strides_;
};

}  // namespace

std::unique_ptr<Kernel> makeSliceKernel() { return std::make_unique<SliceKernel>(); }

}  // namespace interstage::cpu::tensor
