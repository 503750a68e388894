// Ops that generate their output from a few numbers: Range, EyeLike and
// OneHot. Output sizes are already resolved; the runs only fill values.
#include <cstring>

#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

template <class T>
void fillRange(const TensorView& start, const TensorView& delta, const TensorView& out) {
    const T first = *start.as<const T>();
    const T step = *delta.as<const T>();
    T* o = out.as<T>();
    const int64_t n = out.count();
    // start + i * delta in T, as the spec's reference loop accumulates it.
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(first + static_cast<T>(i) * step);
}

class RangeKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() != 3 || !context.hasInput(0) || !context.hasInput(1) || !context.hasInput(2))
            return context.invalidHere("needs start, limit and delta inputs");
        dtype_ = context.inputType(0);
        for (size_t i = 0; i < 3; ++i) {
            if (context.inputType(i) != dtype_) return context.invalidHere("start, limit and delta must share a dtype");
            if (elementCount(context.inputShape(i)) != 1)
                return context.invalidHere("start, limit and delta must be scalars");
        }
        switch (dtype_) {
            case DataType::Float:
            case DataType::Double:
            case DataType::Int16:
            case DataType::Int32:
            case DataType::Int64:
                break;
            default:
                return context.unsupportedHere(std::string("Range of ") + dataTypeName(dtype_) + " is not supported");
        }
        if (context.output(0).dtype != dtype_ || context.output(0).shape.size() != 1)
            return context.invalidHere("output must be 1-D of the inputs' dtype");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& start = context.inputs[0];
        const TensorView& delta = context.inputs[2];
        const TensorView& out = context.outputs[0];
        switch (dtype_) {
            case DataType::Float:
                fillRange<float>(start, delta, out);
                break;
            case DataType::Double:
                fillRange<double>(start, delta, out);
                break;
            case DataType::Int16:
                fillRange<int16_t>(start, delta, out);
                break;
            case DataType::Int32:
                fillRange<int32_t>(start, delta, out);
                break;
            default:
                fillRange<int64_t>(start, delta, out);
                break;
        }
        return Status::ok();
    }

private:
    DataType dtype_ = DataType::Float;
};

class EyeLikeKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs one input and one output");
        if (context.inputShape(0).size() != 2 || context.output(0).shape != context.inputShape(0))
            return context.invalidHere("input and output must be 2-D of one shape");
        DataType dtype = context.output(0).dtype;
        one_.assign(dataTypeSize(dtype), std::byte{0});
        if (one_.empty() || !storeNumber(dtype, 1.0, one_.data()))
            return context.unsupportedHere(std::string("EyeLike of ") + dataTypeName(dtype) + " is not supported");
        k_ = context.node().attrInt("k", 0);
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& out = context.outputs[0];
        const int64_t rows = out.shape[0], cols = out.shape[1];
        const std::size_t es = one_.size();
        std::memset(out.data, 0, out.bytes());  // zero is all-zero bits in every numeric dtype
        for (int64_t i = 0; i < rows; ++i) {
            int64_t j = i + k_;
            if (j >= 0 && j < cols)
                std::memcpy(out.as<char>() + (i * cols + j) * static_cast<int64_t>(es), one_.data(), es);
        }
        return Status::ok();
    }

private:
    int64_t k_ = 0;
    std::vector<std::byte> one_;
};

class OneHotKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() != 3 || !context.hasInput(0) || !context.hasInput(1) || !context.hasInput(2))
            return context.invalidHere("needs indices, depth and values inputs");
        IS_RETURN_IF_ERROR(requireFixedSize(context, context.inputType(2), "values"));
        if (elementCount(context.inputShape(2)) != 2) return context.invalidHere("values must hold (off, on)");
        DataType indexType = context.inputType(0);
        if (!isIntegerType(indexType) && !isFloatingType(indexType))
            return context.unsupportedHere(std::string("indices of ") + dataTypeName(indexType) + " are not supported");
        const Shape& out = context.output(0).shape;
        axis_ = context.node().attrInt("axis", -1);
        if (!normalizeAxis(axis_, static_cast<int64_t>(out.size()))) return context.invalidHere("axis is out of range");
        Shape withoutDepth = out;
        withoutDepth.erase(withoutDepth.begin() + axis_);
        if (withoutDepth != context.inputShape(0))
            return context.invalidHere("output " + shapeToString(out) + " is not the indices' shape with a depth axis");
        if (context.output(0).dtype != context.inputType(2))
            return context.invalidHere("output dtype differs from the values'");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& out = context.outputs[0];
        const TensorView& values = context.inputs[2];
        const auto a = static_cast<size_t>(axis_);
        const int64_t depth = out.shape[a];
        const int64_t inner = product(out.shape, a + 1, out.shape.size());
        const int64_t outer = product(out.shape, 0, a);
        const std::size_t es = dataTypeSize(out.dtype);
        const auto* off = values.as<const char>();
        const char* on = off + es;
        if (!readNumbers(context.inputs[0], indices_)) return invalidArgument("OneHot: unreadable indices");
        fillElements(out.data, off, es, out.count());
        for (int64_t o = 0; o < outer; ++o)
            for (int64_t i = 0; i < inner; ++i) {
                auto index = static_cast<int64_t>(indices_[static_cast<size_t>(o * inner + i)]);
                if (index < 0) index += depth;
                if (index < 0 || index >= depth) continue;  // out of range: the row stays "off"
                std::memcpy(out.as<char>() + ((o * depth + index) * inner + i) * static_cast<int64_t>(es), on, es);
            }
        return Status::ok();
    }

private:
    int64_t axis_ = -1;
    std::vector<double> indices_;
};

}  // namespace

std::unique_ptr<Kernel> makeRangeKernel() { return std::make_unique<RangeKernel>(); }
std::unique_ptr<Kernel> makeEyeLikeKernel() { return std::make_unique<EyeLikeKernel>(); }
std::unique_ptr<Kernel> makeOneHotKernel() { return std::make_unique<OneHotKernel>(); }

}  // namespace interstage::cpu::tensor
