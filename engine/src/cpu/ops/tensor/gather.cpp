// Gather (whole slices along an axis), GatherElements (one element per
// index, along an axis) and GatherND (slices addressed by index tuples).
// Indices are int32 or int64, negative ones count from the end, and any
// out-of-range index fails the run instead of reading outside the tensor.
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

Status checkIndicesAndData(const PrepareContext& context) {
    if (!context.hasInput(0) || !context.hasInput(1) || context.outputCount() != 1)
        return context.invalidHere("needs data and indices inputs and one output");
    IS_RETURN_IF_ERROR(requireFixedSize(context, context.inputType(0), "data"));
    DataType indexType = context.inputType(1);
    if (indexType != DataType::Int32 && indexType != DataType::Int64)
        return context.invalidHere(std::string("indices must be int32 or int64, not ") + dataTypeName(indexType));
    return Status::ok();
}

// Reads the indices and maps negative ones into [0, dim); false when one is
// out of range.
bool readIndices(const TensorView& view, int64_t dim, std::vector<int64_t>& out) {
    if (!readIntegers(view, out)) return false;
    for (int64_t& v : out) {
        if (v < -dim || v >= dim) return false;
        if (v < 0) v += dim;
    }
    return true;
}

Status indexOutOfRange(const char* op) {
    return invalidArgument(std::string(op) + ": an index is out of range for the data");
}

// Copies one element of `size` bytes; fixed sizes compile to one move.
inline void copyElement(char* dst, const char* src, std::size_t size) {
    switch (size) {
        case 1:
            *dst = *src;
            break;
        case 2:
            std::memcpy(dst, src, 2);
            break;
        case 4:
            std::memcpy(dst, src, 4);
            break;
        case 8:
            std::memcpy(dst, src, 8);
            break;
        default:
            std::memcpy(dst, src, size);
    }
}

class GatherKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        IS_RETURN_IF_ERROR(checkIndicesAndData(context));
        auto rank = static_cast<int64_t>(context.inputShape(0).size());
        axis_ = context.node().attrInt("axis", 0);
        if (!normalizeAxis(axis_, rank))
            return context.invalidHere("axis " + std::to_string(context.node().attrInt("axis", 0)) +
                                       " is out of range for rank " + std::to_string(rank));
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& data = context.inputs[0];
        const TensorView& out = context.outputs[0];
        const auto a = static_cast<size_t>(axis_);
        const int64_t dim = data.shape[a];
        if (!readIndices(context.inputs[1], dim, picks_)) return indexOutOfRange("Gather");
        const auto es = static_cast<int64_t>(dataTypeSize(data.dtype));
        const int64_t outer = product(data.shape, 0, a);
        const int64_t block = product(data.shape, a + 1, data.shape.size()) * es;
        const auto count = static_cast<int64_t>(picks_.size());
        const auto* src = data.as<const char>();
        auto* dst = out.as<char>();
        const int64_t items = outer * count;
        if (static_cast<int64_t>(out.bytes()) != items * block)
            return {StatusCode::Internal, "Gather: the output size does not match data and indices"};
        const bool parallel = items * block > kParallelBytes;
        const int64_t* picks = picks_.data();
        if (block == es) {
            // Gathering single elements: no memcpy call per element.
#pragma omp parallel for schedule(static) if (parallel)
            for (int64_t o = 0; o < outer; ++o)
                for (int64_t j = 0; j < count; ++j)
                    copyElement(dst + (o * count + j) * es, src + (o * dim + picks[j]) * es,
                                static_cast<std::size_t>(es));
            return Status::ok();
        }
#pragma omp parallel for schedule(static) if (parallel)
        for (int64_t item = 0; item < items; ++item) {
            int64_t o = item / count, j = item % count;
            std::memcpy(dst + item * block, src + (o * dim + picks[j]) * block, static_cast<std::size_t>(block));
        }
        return Status::ok();
    }

private:
    int64_t axis_ = 0;
    std::vector<int64_t> picks_;  // kept between runs so its storage is reused
};

class GatherElementsKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        IS_RETURN_IF_ERROR(checkIndicesAndData(context));
        auto rank = static_cast<int64_t>(context.inputShape(0).size());
        if (rank < 1 || context.inputShape(1).size() != context.inputShape(0).size())
            return context.invalidHere("data and indices must have the same rank >= 1");
        axis_ = context.node().attrInt("axis", 0);
        if (!normalizeAxis(axis_, rank))
            return context.invalidHere("axis " + std::to_string(context.node().attrInt("axis", 0)) +
                                       " is out of range for rank " + std::to_string(rank));
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& data = context.inputs[0];
        const TensorView& out = context.outputs[0];
        const auto a = static_cast<size_t>(axis_);
        if (!readIndices(context.inputs[1], data.shape[a], picks_)) return indexOutOfRange("GatherElements");
        const Shape& shape = out.shape;
        for (size_t k = 0; k < shape.size(); ++k)
            if (k != a && shape[k] > data.shape[k]) return indexOutOfRange("GatherElements");
        const Shape strides = contiguousStrides(data.shape);
        const auto es = dataTypeSize(data.dtype);
        const auto* src = data.as<const char>();
        auto* dst = out.as<char>();
        // Walk the output in order; `base` is the data offset of the current
        // position with the axis coordinate left out.
        Shape index(shape.size(), 0);
        int64_t base = 0;
        const auto n = static_cast<int64_t>(picks_.size());
        for (int64_t i = 0; i < n; ++i) {
            copyElement(dst + static_cast<std::size_t>(i) * es,
                        src + static_cast<std::size_t>(base + picks_[static_cast<size_t>(i)] * strides[a]) * es, es);
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

private:
    int64_t axis_ = 0;
    std::vector<int64_t> picks_;
};

class GatherNdKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        IS_RETURN_IF_ERROR(checkIndicesAndData(context));
        if (context.inputType(1) != DataType::Int64) return context.invalidHere("indices must be int64");
        const Shape& data = context.inputShape(0);
        const Shape& indices = context.inputShape(1);
        batchDims_ = context.node().attrInt("batch_dims", 0);
        auto r = static_cast<int64_t>(data.size()), q = static_cast<int64_t>(indices.size());
        if (r < 1 || q < 1 || batchDims_ < 0 || batchDims_ >= std::min(r, q))
            return context.invalidHere("batch_dims is out of range for the data and indices ranks");
        if (indices.back() < 1 || indices.back() > r - batchDims_)
            return context.invalidHere("the indices' last dim does not fit the data's rank");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& data = context.inputs[0];
        const TensorView& indices = context.inputs[1];
        const TensorView& out = context.outputs[0];
        const auto b = static_cast<size_t>(batchDims_);
        const auto tuple = static_cast<size_t>(indices.shape.back());
        const int64_t batches = product(data.shape, 0, b);
        const int64_t tuplesPerBatch = product(indices.shape, b, indices.shape.size() - 1);
        const auto es = static_cast<int64_t>(dataTypeSize(data.dtype));
        const int64_t slice = product(data.shape, b + tuple, data.shape.size()) * es;
        const int64_t batchBytes = product(data.shape, b, data.shape.size()) * es;
        const Shape strides = contiguousStrides(data.shape);
        const auto* idx = indices.as<const int64_t>();
        const auto* src = data.as<const char>();
        auto* dst = out.as<char>();
        for (int64_t t = 0; t < batches * tuplesPerBatch; ++t) {
            int64_t offset = 0;
            for (size_t j = 0; j < tuple; ++j) {
                int64_t dim = data.shape[b + j];
                int64_t v = idx[static_cast<size_t>(t) * tuple + j];
                if (v < -dim || v >= dim) return indexOutOfRange("GatherND");
                offset += (v < 0 ? v + dim : v) * strides[b + j];
            }
            std::memcpy(dst + t * slice, src + (t / tuplesPerBatch) * batchBytes + offset * es,
                        static_cast<std::size_t>(slice));
        }
        return Status::ok();
    }

private:
    int64_t batchDims_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeGatherKernel() { return std::make_unique<GatherKernel>(); }
std::unique_ptr<Kernel> makeGatherElementsKernel() { return std::make_unique<GatherElementsKernel>(); }
std::unique_ptr<Kernel> makeGatherNdKernel() { return std::make_unique<GatherNdKernel>(); }

}  // namespace interstage::cpu::tensor
