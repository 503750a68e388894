// Scatter (opset 9-10), ScatterElements and ScatterND: the output is the
// data with some elements (or slices, for ScatterND) replaced by updates,
// or combined with them (reduction add / mul / max / min, opsets 16 and
// 18). Updates apply in order, so duplicate indices resolve as the ONNX
// reference does. Out-of-range indices fail the run.
#include <algorithm>
#include <cstring>

#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

enum class Reduction { None, Add, Mul, Max, Min };

template <class T>
void combine(T* dst, const T* src, int64_t n, Reduction reduction) {
    for (int64_t i = 0; i < n; ++i) {
        switch (reduction) {
            case Reduction::None:
                dst[i] = src[i];
                break;
            case Reduction::Add:
                dst[i] = static_cast<T>(dst[i] + src[i]);
                break;
            case Reduction::Mul:
                dst[i] = static_cast<T>(dst[i] * src[i]);
                break;
            case Reduction::Max:
                dst[i] = std::max(dst[i], src[i]);
                break;
            case Reduction::Min:
                dst[i] = std::min(dst[i], src[i]);
                break;
        }
    }
}

// Applies n updates at dst (element size es) with the reduction.
void apply(void* dst, const void* src, int64_t n, std::size_t es, DataType dtype, Reduction reduction) {
    if (reduction == Reduction::None) {
        std::memcpy(dst, src, static_cast<std::size_t>(n) * es);
        return;
    }
    switch (dtype) {
        case DataType::Float:
            combine(static_cast<float*>(dst), static_cast<const float*>(src), n, reduction);
            break;
        case DataType::Double:
            combine(static_cast<double*>(dst), static_cast<const double*>(src), n, reduction);
            break;
        case DataType::Int32:
            combine(static_cast<int32_t*>(dst), static_cast<const int32_t*>(src), n, reduction);
            break;
        default:
            combine(static_cast<int64_t*>(dst), static_cast<const int64_t*>(src), n, reduction);
            break;
    }
}

class ScatterKernel final : public Kernel {
public:
    explicit ScatterKernel(bool nd) : nd_(nd) {}

    Status prepare(PrepareContext& context) override {
        if (context.inputCount() != 3 || !context.hasInput(0) || !context.hasInput(1) || !context.hasInput(2))
            return context.invalidHere("needs data, indices and updates inputs");
        dtype_ = context.inputType(0);
        IS_RETURN_IF_ERROR(requireFixedSize(context, dtype_, "data"));
        if (context.inputType(2) != dtype_) return context.invalidHere("updates and data have different dtypes");
        DataType indexType = context.inputType(1);
        if (indexType != DataType::Int64 && (nd_ || indexType != DataType::Int32))
            return context.invalidHere(std::string("indices of ") + dataTypeName(indexType) + " are not allowed");
        std::string reduction = context.node().attrString("reduction", "none");
        if (reduction == "none")
            reduction_ = Reduction::None;
        else if (reduction == "add")
            reduction_ = Reduction::Add;
        else if (reduction == "mul")
            reduction_ = Reduction::Mul;
        else if (reduction == "max")
            reduction_ = Reduction::Max;
        else if (reduction == "min")
            reduction_ = Reduction::Min;
        else
            return context.invalidHere("unknown reduction '" + reduction + "'");
        if (reduction_ != Reduction::None && dtype_ != DataType::Float && dtype_ != DataType::Double &&
            dtype_ != DataType::Int32 && dtype_ != DataType::Int64)
            return context.unsupportedHere("reduction '" + reduction + "' on " + dataTypeName(dtype_));
        const Shape& data = context.inputShape(0);
        const Shape& indices = context.inputShape(1);
        const Shape& updates = context.inputShape(2);
        if (nd_) {
            if (indices.empty() || indices.back() > static_cast<int64_t>(data.size()))
                return context.invalidHere("indices' last dim must be at most the data's rank");
            Shape expected(indices.begin(), indices.end() - 1);
            expected.insert(expected.end(), data.begin() + indices.back(), data.end());
            if (updates != expected) return context.invalidHere("updates must have shape " + shapeToString(expected));
            return Status::ok();
        }
        if (data.empty() || indices.size() != data.size() || updates != indices)
            return context.invalidHere("data, indices and updates must share one rank and indices / updates one shape");
        for (size_t k = 0; k < data.size(); ++k)
            if (indices[k] > data[k]) return context.invalidHere("indices are larger than the data");
        axis_ = context.node().attrInt("axis", 0);
        if (!normalizeAxis(axis_, static_cast<int64_t>(data.size())))
            return context.invalidHere("axis is out of range");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& data = context.inputs[0];
        const TensorView& out = context.outputs[0];
        parallelCopy(out.data, data.data, out.bytes());
        if (!readIntegers(context.inputs[1], indices_)) return invalidArgument("Scatter: unreadable indices");
        return nd_ ? scatterSlices(context) : scatterElements(context);
    }

private:
    Status scatterElements(RunContext& context) {
        const TensorView& out = context.outputs[0];
        const TensorView& updates = context.inputs[2];
        const auto a = static_cast<size_t>(axis_);
        const Shape& shape = updates.shape;
        const Shape strides = contiguousStrides(out.shape);
        const std::size_t es = dataTypeSize(dtype_);
        const int64_t dim = out.shape[a];
        const auto* src = updates.as<const char>();
        auto* dst = out.as<char>();
        // Walk the updates in order; `base` is the output offset of the
        // current position with the axis coordinate left out.
        Shape index(shape.size(), 0);
        int64_t base = 0;
        for (size_t i = 0; i < indices_.size(); ++i) {
            int64_t v = indices_[i];
            if (v < -dim || v >= dim) return invalidArgument("ScatterElements: an index is out of range");
            if (v < 0) v += dim;
            apply(dst + static_cast<std::size_t>(base + v * strides[a]) * es, src + i * es, 1, es, dtype_, reduction_);
            for (size_t k = shape.size(); k-- > 0;) {
                int64_t step = k == a ? 0 : strides[k];
                base += step;
                if (++index[k] < shape[k]) break;
                base -= step * shape[k];
                index[k] = 0;
            }
        }
        return Status::ok();
    }

    Status scatterSlices(RunContext& context) {
        const TensorView& out = context.outputs[0];
        const TensorView& indices = context.inputs[1];
        const auto tuple = static_cast<size_t>(indices.shape.back());
        const std::size_t es = dataTypeSize(dtype_);
        const int64_t slice = product(out.shape, tuple, out.shape.size());
        const Shape strides = contiguousStrides(out.shape);
        const size_t count = tuple == 0 ? 0 : indices_.size() / tuple;
        const auto* src = context.inputs[2].as<const char>();
        auto* dst = out.as<char>();
        for (size_t t = 0; t < count; ++t) {
            int64_t offset = 0;
            for (size_t j = 0; j < tuple; ++j) {
                int64_t dim = out.shape[j], v = indices_[t * tuple + j];
                if (v < -dim || v >= dim) return invalidArgument("ScatterND: an index is out of range");
                offset += (v < 0 ? v + dim : v) * strides[j];
            }
            apply(dst + static_cast<std::size_t>(offset) * es, src + t * static_cast<std::size_t>(slice) * es, slice,
                  es, dtype_, reduction_);
        }
        return Status::ok();
    }

    bool nd_;
    DataType dtype_ = DataType::Float;
    Reduction reduction_ = Reduction::None;
    int64_t axis_ = 0;
    std::vector<int64_t> indices_;
};

}  // namespace

std::unique_ptr<Kernel> makeScatterElementsKernel() { return std::make_unique<ScatterKernel>(false); }
std::unique_ptr<Kernel> makeScatterNdKernel() { return std::make_unique<ScatterKernel>(true); }

}  // namespace interstage::cpu::tensor
