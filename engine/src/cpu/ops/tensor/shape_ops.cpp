// Ops whose output needs only shapes or attributes: Shape (with opset 15
// start / end), Size, Constant and ConstantOfShape. The engine usually
// folds them before running, but every kernel must still work when run.
#include <algorithm>
#include <cstring>

#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

class ShapeKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs one input and one output");
        if (context.output(0).dtype != DataType::Int64) return context.invalidHere("output must be int64");
        auto rank = static_cast<int64_t>(context.inputShape(0).size());
        start_ = context.node().attrInt("start", 0);
        end_ = context.node().attrInt("end", rank);
        // Negative bounds count from the back; both then clamp to [0, rank].
        if (start_ < 0) start_ += rank;
        if (end_ < 0) end_ += rank;
        start_ = std::clamp<int64_t>(start_, 0, rank);
        end_ = std::clamp<int64_t>(end_, start_, rank);
        if (context.output(0).shape != Shape{end_ - start_})
            return context.invalidHere("the output shape does not match start / end");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const Shape& in = context.inputs[0].shape;
        auto* out = context.outputs[0].as<int64_t>();
        for (int64_t k = start_; k < end_; ++k) out[k - start_] = in[static_cast<size_t>(k)];
        return Status::ok();
    }

private:
    int64_t start_ = 0, end_ = 0;
};

class SizeKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs one input and one output");
        if (context.output(0).dtype != DataType::Int64 || elementCount(context.output(0).shape) != 1)
            return context.invalidHere("output must be one int64");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        *context.outputs[0].as<int64_t>() = context.inputs[0].count();
        return Status::ok();
    }
};

// Checks that a value fits the resolved output: same dtype, same bytes.
Status checkValueFits(const PrepareContext& context, const TensorData& value) {
    if (value.dtype == DataType::String) return context.unsupportedHere("string constants are not supported");
    const Value& out = context.output(0);
    if (value.dtype != out.dtype || value.byteSize() != out.byteSize() ||
        value.byteSize() != static_cast<std::size_t>(value.elementCount()) * dataTypeSize(value.dtype))
        return context.invalidHere("the value does not match the resolved output " + shapeToString(out.shape) + " " +
                                   dataTypeName(out.dtype));
    return Status::ok();
}

class ConstantKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.outputCount() != 1) return context.invalidHere("needs one output");
        const Node& node = context.node();
        if (const Attribute* value = node.attr("value");
            value && value->kind == Attribute::Kind::Tensor && value->tensor) {
            value_ = value->tensor;  // shared, not copied: big constants stay one buffer
        } else if (const Attribute* valueFloat = node.attr("value_float");
                   valueFloat && valueFloat->kind == Attribute::Kind::Float) {
            value_ = std::make_shared<TensorData>(TensorData::fromFloat({valueFloat->f}, {}));
        } else if (const Attribute* valueFloats = node.attr("value_floats");
                   valueFloats && valueFloats->kind == Attribute::Kind::Floats) {
            value_ = std::make_shared<TensorData>(
                TensorData::fromFloat(valueFloats->floats, {static_cast<int64_t>(valueFloats->floats.size())}));
        } else if (const Attribute* valueInt = node.attr("value_int");
                   valueInt && valueInt->kind == Attribute::Kind::Int) {
            value_ = std::make_shared<TensorData>(TensorData::fromInt64({valueInt->i}, {}));
        } else if (const Attribute* valueInts = node.attr("value_ints");
                   valueInts && valueInts->kind == Attribute::Kind::Ints) {
            value_ = std::make_shared<TensorData>(
                TensorData::fromInt64(valueInts->ints, {static_cast<int64_t>(valueInts->ints.size())}));
        } else if (node.hasAttr("value_string") || node.hasAttr("value_strings")) {
            return context.unsupportedHere("string constants are not supported");
        } else if (node.hasAttr("sparse_value")) {
            return context.unsupportedHere("sparse constants are not supported");
        } else {
            return context.invalidHere("has no value attribute");
        }
        return checkValueFits(context, *value_);
    }

    Status run(RunContext& context) override {
        parallelCopy(context.outputs[0].data, value_->bytes.data(), value_->byteSize());
        return Status::ok();
    }

private:
    std::shared_ptr<const TensorData> value_;
};

class ConstantOfShapeKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.outputCount() != 1) return context.invalidHere("needs one output");
        TensorData fill = TensorData::fromFloat({0.0f}, {1});  // the spec's default
        if (const Attribute* a = context.node().attr("value")) {
            if (a->kind != Attribute::Kind::Tensor || !a->tensor || a->tensor->elementCount() != 1)
                return context.invalidHere("attribute 'value' must be a one-element tensor");
            fill = *a->tensor;
        }
        if (dataTypeSize(fill.dtype) == 0 || fill.byteSize() != dataTypeSize(fill.dtype))
            return context.unsupportedHere(std::string("filling with ") + dataTypeName(fill.dtype) +
                                           " is not supported");
        if (fill.dtype != context.output(0).dtype) return context.invalidHere("output dtype differs from the value's");
        fill_ = fill.bytes;
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& out = context.outputs[0];
        fillElements(out.data, fill_.data(), fill_.size(), out.count());
        return Status::ok();
    }

private:
    std::vector<std::byte> fill_;  // one element of the output dtype
};

}  // namespace

std::unique_ptr<Kernel> makeShapeKernel() { return std::make_unique<ShapeKernel>(); }
std::unique_ptr<Kernel> makeSizeKernel() { return std::make_unique<SizeKernel>(); }
std::unique_ptr<Kernel> makeConstantKernel() { return std::make_unique<ConstantKernel>(); }
std::unique_ptr<Kernel> makeConstantOfShapeKernel() { return std::make_unique<ConstantOfShapeKernel>(); }

}  // namespace interstage::cpu::tensor
