// Softmax, LogSoftmax and Hardmax. Before opset 13 the input is read as 2-D
// [prod(dims before axis), prod(dims from axis)] and the op runs over each
// row; from 13 it runs along the one axis. Both are [outer, R, inner]:
// inner = 1 (the last axis, the common case) is one contiguous row per
// output row; inner > 1 works on blocks of inner positions side by side so
// every access is a contiguous row. float32 exp is vectorized (vec_math.h).
#include <cmath>
#include <cstring>
#include <limits>

#include "cpu/half_rows.h"
#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"
#include "cpu/ops/elementwise/vec_math.h"

namespace interstage::cpu::ew {

namespace {

enum class SoftmaxOp { Softmax, LogSoftmax, Hardmax };

struct SoftmaxGeometry {
    int64_t outer = 1, length = 1, inner = 1;
};

// ---- exp rows: out = exp(in - shift), returning / accumulating the sums.
EW_VECTOR_CLONES float expShiftSumFloat(const float* in, float* out, int64_t n, float shift) {
    VecF sum{};
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        const VecF e = vexp(loadVec(in + i) - shift);
        storeVec(out + i, e);
        sum += e;
    }
    float total = 0;
    for (int j = 0; j < kLanes; ++j) total += sum[j];
    for (; i < n; ++i) {
        const float e = std::exp(in[i] - shift);
        out[i] = e;
        total += e;
    }
    return total;
}

EW_VECTOR_CLONES void expDiffAccumulateFloat(const float* in, const float* shift, float* out, float* sum, int64_t n) {
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        const VecF e = vexp(loadVec(in + i) - loadVec(shift + i));
        storeVec(out + i, e);
        storeVec(sum + i, loadVec(sum + i) + e);
    }
    for (; i < n; ++i) {
        out[i] = std::exp(in[i] - shift[i]);
        sum[i] += out[i];
    }
}

template <class T>
T expShiftSum(const T* in, T* out, int64_t n, T shift) {
    if constexpr (std::is_same_v<T, float>) {
        return expShiftSumFloat(in, out, n, shift);
    } else {
        T total = 0;
        for (int64_t i = 0; i < n; ++i) total += (out[i] = std::exp(in[i] - shift));
        return total;
    }
}

template <class T>
void expDiffAccumulate(const T* in, const T* shift, T* out, T* sum, int64_t n) {
    if constexpr (std::is_same_v<T, float>) {
        expDiffAccumulateFloat(in, shift, out, sum, n);
    } else {
        for (int64_t i = 0; i < n; ++i) sum[i] += (out[i] = std::exp(in[i] - shift[i]));
    }
}

EW_VECTOR_CLONES float maxOfFloat(const float* p, int64_t n) {
    VecF best = splat(p[0]);
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) best = vmax(best, loadVec(p + i));
    float m = p[0];
    for (int j = 0; j < kLanes; ++j) m = m < best[j] ? best[j] : m;
    for (; i < n; ++i) m = m < p[i] ? p[i] : m;
    return m;
}

// Largest of n > 0 elements, eight lanes wide so the loop vectorizes.
template <class T>
T maxOf(const T* p, int64_t n) {
    if constexpr (std::is_same_v<T, float>) return maxOfFloat(p, n);
    T lanes[8];
    for (T& l : lanes) l = p[0];
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; ++j) lanes[j] = lanes[j] < p[i + j] ? p[i + j] : lanes[j];
    T m = p[0];
    for (; i < n; ++i) m = m < p[i] ? p[i] : m;
    for (T l : lanes) m = m < l ? l : m;
    return m;
}

// ---- one row (inner == 1)
template <class T>
void rowSoftmax(SoftmaxOp op, const T* in, T* out, int64_t n) {
    if (op == SoftmaxOp::Hardmax) {
        int64_t best = 0;
        for (int64_t i = 1; i < n; ++i)
            if (in[i] > in[best]) best = i;
        std::fill(out, out + n, T(0));
        out[best] = T(1);
        return;
    }
    const T max = maxOf(in, n);
    const T sum = expShiftSum(in, out, n, max);
    if (op == SoftmaxOp::Softmax) {
        const T scale = T(1) / sum;
        for (int64_t i = 0; i < n; ++i) out[i] *= scale;
    } else {
        const T offset = -max - std::log(sum);
        for (int64_t i = 0; i < n; ++i) out[i] = in[i] + offset;
    }
}

// ---- a block of `width` inner positions over the whole axis (inner > 1)
template <class T>
void blockSoftmax(SoftmaxOp op, const T* in, T* out, int64_t length, int64_t inner, int64_t width) {
    constexpr int64_t kBlock = 256;
    T max[kBlock], sum[kBlock];
    int64_t best[kBlock];
    for (int64_t j = 0; j < width; ++j) {
        max[j] = in[j];
        sum[j] = 0;
        best[j] = 0;
    }
    if (op == SoftmaxOp::Hardmax) {
        for (int64_t r = 1; r < length; ++r) {
            const T* row = in + r * inner;
            for (int64_t j = 0; j < width; ++j)
                if (row[j] > max[j]) {
                    max[j] = row[j];
                    best[j] = r;
                }
        }
        for (int64_t r = 0; r < length; ++r) {
            T* row = out + r * inner;
            for (int64_t j = 0; j < width; ++j) row[j] = best[j] == r ? T(1) : T(0);
        }
        return;
    }
    for (int64_t r = 1; r < length; ++r) {
        const T* row = in + r * inner;
        for (int64_t j = 0; j < width; ++j) max[j] = max[j] < row[j] ? row[j] : max[j];
    }
    for (int64_t r = 0; r < length; ++r) expDiffAccumulate(in + r * inner, max, out + r * inner, sum, width);
    if (op == SoftmaxOp::Softmax) {
        for (int64_t j = 0; j < width; ++j) sum[j] = T(1) / sum[j];
        for (int64_t r = 0; r < length; ++r) {
            T* row = out + r * inner;
            for (int64_t j = 0; j < width; ++j) row[j] *= sum[j];
        }
    } else {
        for (int64_t j = 0; j < width; ++j) sum[j] = -max[j] - std::log(sum[j]);
        for (int64_t r = 0; r < length; ++r) {
            const T* src = in + r * inner;
            T* row = out + r * inner;
            for (int64_t j = 0; j < width; ++j) row[j] = src[j] + sum[j];
        }
    }
}

template <class T>
void softmaxAll(SoftmaxOp op, const SoftmaxGeometry& g, const void* input, void* output) {
    const auto* in = static_cast<const T*>(input);
    auto* out = static_cast<T*>(output);
    const int64_t length = g.length, inner = g.inner;
    if (length == 0) return;
    const int64_t work = g.outer * length * inner * (op == SoftmaxOp::Hardmax ? 1 : 8);
    if (inner == 1) {
        parallelBlocks(g.outer, work, [&](int64_t begin, int64_t end) {
            for (int64_t o = begin; o < end; ++o) rowSoftmax(op, in + o * length, out + o * length, length);
        });
        return;
    }
    constexpr int64_t kBlock = 256;
    const int64_t blocks = (inner + kBlock - 1) / kBlock;
    parallelBlocks(g.outer * blocks, work, [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
            const int64_t o = task / blocks;
            const int64_t start = (task % blocks) * kBlock;
            const int64_t offset = o * length * inner + start;
            blockSoftmax(op, in + offset, out + offset, length, inner, std::min(kBlock, inner - start));
        }
    });
}

// float16 / bfloat16 over the last axis: each row widened into the
// thread's slot of the workspace (`length` floats), computed as float32
// rows are, narrowed back.
void softmaxHalfRows(DataType type, SoftmaxOp op, const SoftmaxGeometry& g, const void* input, void* output,
                     float* workspace, int slots) {
    const auto* in = static_cast<const uint16_t*>(input);
    auto* out = static_cast<uint16_t*>(output);
    const int64_t length = g.length;
    if (length == 0) return;
#pragma omp parallel for schedule(static) num_threads(slots) if (g.outer * length * 8 > kParallelGrain)
    for (int64_t o = 0; o < g.outer; ++o) {
        float* row = workspace + static_cast<int64_t>(omp_get_thread_num()) * length;
        widenRow(type, in + o * length, row, length);
        rowSoftmax(op, row, row, length);
        narrowRow(type, row, out + o * length, length);
    }
}

using SoftmaxFn = void (*)(SoftmaxOp, const SoftmaxGeometry&, const void*, void*);

class SoftmaxKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        const Node& node = c.node();
        if (!c.hasInput(0) || !c.hasOutput(0)) return c.invalidHere("needs an input and an output");
        const DataType type = c.inputType(0);
        if (c.output(0).dtype != type) return c.invalidHere("output type differs from the input's");
        if (node.opType == "Softmax")
            op_ = SoftmaxOp::Softmax;
        else if (node.opType == "LogSoftmax")
            op_ = SoftmaxOp::LogSoftmax;
        else if (node.opType == "Hardmax")
            op_ = SoftmaxOp::Hardmax;
        else
            return c.unsupportedHere("not an op of the softmax kernel");
        if (type == DataType::Float)
            fn_ = &softmaxAll<float>;
        else if (type == DataType::Double)
            fn_ = &softmaxAll<double>;
        else if (!isHalfType(type))
            return c.unsupportedHere(dtypeRefusal(type));
        halfType_ = isHalfType(type) ? type : DataType::Undefined;
        coerce2d_ = c.opset() < 13;
        axis_ = node.attrInt("axis", coerce2d_ ? 1 : -1);
        name_ = node.name;
        SoftmaxGeometry g;
        if (!geometry(c.inputShape(0), g)) return c.invalidHere("axis is out of range");
        if (halfType_ != DataType::Undefined) {
            if (g.inner != 1)
                return c.unsupportedHere(std::string(dataTypeName(type)) + " softmax over other than the last axis");
            slots_ = std::max({1, c.threads(), omp_get_max_threads()});
            halfBytes_ = static_cast<std::size_t>(slots_) * static_cast<std::size_t>(g.length) * sizeof(float);
        }
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& in = c.inputs[0];
        const TensorView& out = c.outputs[0];
        SoftmaxGeometry g;
        if (!geometry(in.shape, g)) return invalidModel(name_ + ": axis is out of range");
        if (out.count() != in.count()) return shapeError(name_ + ": output size differs from the input");
        if (halfType_ != DataType::Undefined) {
            if (g.inner != 1)
                return unsupported(name_ + ": " + dataTypeName(halfType_) + " softmax over other than the last axis");
            softmaxHalfRows(halfType_, op_, g, in.data, out.data, static_cast<float*>(c.workspace), slots_);
            return Status::ok();
        }
        fn_(op_, g, in.data, out.data);
        return Status::ok();
    }

    std::size_t workspaceBytes() const override { return halfBytes_; }

private:
    bool geometry(const Shape& shape, SoftmaxGeometry& g) const {
        const auto rank = static_cast<int64_t>(shape.size());
        if (rank == 0) {
            g = SoftmaxGeometry{};
            return true;
        }
        int64_t axis;
        if (!normalizeAxis(axis_, rank, axis)) return false;
        const auto a = static_cast<size_t>(axis);
        g.outer = dimProduct(shape, 0, a);
        if (coerce2d_) {
            g.length = dimProduct(shape, a, shape.size());
            g.inner = 1;
        } else {
            g.length = shape[a];
            g.inner = dimProduct(shape, a + 1, shape.size());
        }
        return true;
    }

    SoftmaxOp op_ = SoftmaxOp::Softmax;
    SoftmaxFn fn_ = nullptr;
    DataType halfType_ = DataType::Undefined;  // float16 / bfloat16: rows widened in the workspace
    int slots_ = 1;                            // workspace rows, one per thread
    std::size_t halfBytes_ = 0;
    bool coerce2d_ = false;
    int64_t axis_ = -1;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeSoftmaxKernel() { return std::make_unique<SoftmaxKernel>(); }

void logSoftmaxAlongAxis(DataType dtype, int64_t outer, int64_t length, int64_t inner, const void* in, void* out) {
    const SoftmaxGeometry g{outer, length, inner};
    if (dtype == DataType::Double)
        softmaxAll<double>(SoftmaxOp::LogSoftmax, g, in, out);
    else
        softmaxAll<float>(SoftmaxOp::LogSoftmax, g, in, out);
}

}  // namespace interstage::cpu::ew
