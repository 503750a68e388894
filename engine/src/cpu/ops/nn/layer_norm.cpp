// LayerNormalization (opset 17): each row over the axes [axis, rank) is
// standardized, then scaled and shifted by Scale and B broadcast to those
// axes; Mean and InvStdDev are optional outputs.
#include <cmath>

#include "cpu/ops/nn/nn_kernels.h"
#include "cpu/parallel.h"
#include "cpu/simd_dispatch.h"

namespace interstage::cpu::nn {

namespace {

struct RowStatistics {
    float mean = 0, invStd = 0;
};

// One row: float sums in SIMD lanes (the rows are a transformer's hidden
// size, hundreds to a few thousand values), compiled per ISA below.
__attribute__((always_inline)) inline RowStatistics normalizeRowBody(const float* src, float* dst, int64_t cols,
                                                                     const float* scale, const float* bias,
                                                                     float epsilon) {
    float sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < cols; ++j) sum += src[j];
    const float mean = cols > 0 ? sum / static_cast<float>(cols) : 0.f;
    float squares = 0;
#pragma omp simd reduction(+ : squares)
    for (int64_t j = 0; j < cols; ++j) squares += (src[j] - mean) * (src[j] - mean);
    const float invStd = 1.f / std::sqrt((cols > 0 ? squares / static_cast<float>(cols) : 0.f) + epsilon);
    if (bias) {
#pragma omp simd
        for (int64_t j = 0; j < cols; ++j) dst[j] = (src[j] - mean) * invStd * scale[j] + bias[j];
    } else {
#pragma omp simd
        for (int64_t j = 0; j < cols; ++j) dst[j] = (src[j] - mean) * invStd * scale[j];
    }
    return {mean, invStd};
}

using RowFunction = RowStatistics (*)(const float*, float*, int64_t, const float*, const float*, float);

__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))) IS_FP_CONTRACT_FAST RowStatistics
normalizeRowAvx512(const float* src, float* dst, int64_t cols, const float* scale, const float* bias, float epsilon) {
    return normalizeRowBody(src, dst, cols, scale, bias, epsilon);
}
__attribute__((target("avx2,fma"))) IS_FP_CONTRACT_FAST RowStatistics normalizeRowAvx2(const float* src, float* dst,
                                                                                       int64_t cols, const float* scale,
                                                                                       const float* bias,
                                                                                       float epsilon) {
    return normalizeRowBody(src, dst, cols, scale, bias, epsilon);
}
RowStatistics normalizeRowBaseline(const float* src, float* dst, int64_t cols, const float* scale, const float* bias,
                                   float epsilon) {
    return normalizeRowBody(src, dst, cols, scale, bias, epsilon);
}

// Maps a parameter broadcast to the normalized shape: element j of a row
// reads parameter index(j). Identity when the parameter has every element.
struct RowBroadcast {
    bool direct = true;
    Shape normalized;                       // dims [axis, rank)
    std::vector<int64_t> parameterStrides;  // 0 on broadcast axes

    bool build(const Shape& parameter, const Shape& normalizedShape) {
        normalized = normalizedShape;
        if (parameter.size() > normalized.size()) return false;
        const size_t lead = normalized.size() - parameter.size();
        parameterStrides.assign(normalized.size(), 0);
        int64_t stride = 1;
        direct = true;
        for (size_t i = normalized.size(); i-- > 0;) {
            const int64_t dim = i >= lead ? parameter[i - lead] : 1;
            if (dim != 1 && dim != normalized[i]) return false;
            if (dim != normalized[i]) direct = false;
            parameterStrides[i] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
        return true;
    }

    // Writes the parameter expanded to one full row.
    void expand(const float* parameter, float* row) const {
        const int64_t cols = elementCount(normalized).value_or(0);
        for (int64_t j = 0; j < cols; ++j) {
            int64_t rest = j, index = 0;
            for (size_t i = normalized.size(); i-- > 0;) {
                index += (rest % normalized[i]) * parameterStrides[i];
                rest /= normalized[i];
            }
            row[j] = parameter[index];
        }
    }
};

class LayerNormalizationKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() < 2 || !context.hasInput(0) || !context.hasInput(1))
            return context.invalidHere("needs inputs X and Scale");
        for (size_t i = 0; i < std::min<size_t>(context.inputCount(), 3); ++i)
            if (context.hasInput(i) && context.inputType(i) != DataType::Float)
                return context.unsupportedHere(std::string("input ") + std::to_string(i) + " is " +
                                               dataTypeName(context.inputType(i)) + "; only float32 is supported");
        for (size_t i = 1; i < context.outputCount(); ++i)
            if (context.hasOutput(i) && context.output(i).dtype != DataType::Float)
                return context.unsupportedHere("statistics outputs must be float32");
        const Shape& x = context.inputShape(0);
        const int64_t rank = static_cast<int64_t>(x.size());
        int64_t axis = context.node().attrInt("axis", -1);
        if (axis < -rank || axis >= rank)
            return context.invalidHere("axis " + std::to_string(axis) + " is outside rank " + std::to_string(rank));
        if (axis < 0) axis += rank;
        epsilon_ = context.node().attrFloat("epsilon", 1e-5f);
        rows_ = 1;
        cols_ = 1;
        for (int64_t i = 0; i < rank; ++i) (i < axis ? rows_ : cols_) *= x[static_cast<size_t>(i)];
        const Shape normalized(x.begin() + axis, x.end());
        if (!scale_.build(context.inputShape(1), normalized))
            return context.invalidHere("Scale " + shapeToString(context.inputShape(1)) + " does not broadcast to " +
                                       shapeToString(normalized));
        hasBias_ = context.hasInput(2);
        if (hasBias_ && !bias_.build(context.inputShape(2), normalized))
            return context.invalidHere("B " + shapeToString(context.inputShape(2)) + " does not broadcast to " +
                                       shapeToString(normalized));
        expandedBytes_ = static_cast<std::size_t>(cols_) * sizeof(float);
        return Status::ok();
    }

    std::size_t workspaceBytes() const override {
        return (scale_.direct ? 0 : expandedBytes_) + (hasBias_ && !bias_.direct ? expandedBytes_ : 0);
    }

    Status run(RunContext& context) override {
        const float* x = context.inputs[0].as<const float>();
        const float* scale = context.inputs[1].as<const float>();
        const float* bias = hasBias_ ? context.inputs[2].as<const float>() : nullptr;
        float* workspace = static_cast<float*>(context.workspace);
        if (!scale_.direct) {
            scale_.expand(scale, workspace);
            scale = workspace;
            workspace += cols_;
        }
        if (bias && !bias_.direct) {
            bias_.expand(bias, workspace);
            bias = workspace;
        }
        float* y = context.outputs[0].as<float>();
        float* meanOut = context.outputs.size() > 1 ? context.outputs[1].as<float>() : nullptr;
        float* invStdOut = context.outputs.size() > 2 ? context.outputs[2].as<float>() : nullptr;
        const int64_t cols = cols_;
        const float epsilon = epsilon_;
        static const RowFunction normalizeRow =
            pickBySimd<RowFunction>(&normalizeRowAvx512, &normalizeRowAvx2, &normalizeRowBaseline);
        // About five operations per element (two sums, the normalization).
#pragma omp parallel for schedule(static) if (rows_ * cols * 5 > kParallelWork)
        for (int64_t r = 0; r < rows_; ++r) {
            const RowStatistics stats = normalizeRow(x + r * cols, y + r * cols, cols, scale, bias, epsilon);
            if (meanOut) meanOut[r] = stats.mean;
            if (invStdOut) invStdOut[r] = stats.invStd;
        }
        return Status::ok();
    }

private:
    float epsilon_ = 1e-5f;
    int64_t rows_ = 0, cols_ = 0;
    bool hasBias_ = false;
    RowBroadcast scale_, bias_;
    std::size_t expandedBytes_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeLayerNormalizationKernel() { return std::make_unique<LayerNormalizationKernel>(); }

}  // namespace interstage::cpu::nn
