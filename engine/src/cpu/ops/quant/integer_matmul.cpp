// MatMulInteger (int32 out) and QLinearMatMul (requantized int8 / uint8
// out): numpy matmul of int8 / uint8 operands with zero points per tensor,
// per row of A or per column of B. The product runs on Int8Gemm; zero
// points and scales are applied after it (quant_epilogue.h). When B has no
// batch dims of its own (the usual weight matrix), A's batches fold into
// the rows of one GEMM.
#include <cstring>
#include <vector>

#include "cpu/ops/nn/dnnl_context.h"
#include "cpu/ops/quant/int8_gemm.h"
#include "cpu/ops/quant/quant_epilogue.h"
#include "cpu/ops/quant/quant_kernels.h"
#include "cpu/ops/quant/quant_params.h"
#include "cpu/parallel.h"

namespace interstage::cpu::quant {

namespace {

using nn::workspaceAt;
using nn::WorkspacePlan;

// Flat batch index of an operand for each output batch, under broadcasting.
std::vector<int64_t> batchIndex(const Shape& operand, const Shape& out) {
    int64_t count = 1;
    for (int64_t d : out) count *= d;
    std::vector<int64_t> index(static_cast<size_t>(count), 0);
    const size_t offset = out.size() - operand.size();
    for (int64_t flat = 0; flat < count; ++flat) {
        int64_t rest = flat, at = 0, stride = 1;
        for (size_t k = out.size(); k-- > 0;) {
            const int64_t coordinate = rest % out[k];
            rest /= out[k];
            if (k >= offset) {
                const int64_t dim = operand[k - offset];
                if (dim != 1) at += coordinate * stride;
                stride *= dim;
            }
        }
        index[flat] = at;
    }
    return index;
}

class IntegerMatMulKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        qlinear_ = context.node().opType == "QLinearMatMul";
        b_ = qlinear_ ? 3 : 1;
        aZero_ = 2;
        bZero_ = qlinear_ ? 5 : 3;
        if (context.inputCount() < (qlinear_ ? 8u : 2u) || !context.hasInput(0) || !context.hasInput(b_))
            return context.invalidHere("is missing inputs");
        Shape a = context.inputShape(0), b = context.inputShape(b_);
        if (a.empty() || b.empty()) return context.invalidHere("operands must have rank >= 1");
        if (a.size() == 1) a.insert(a.begin(), 1);
        if (b.size() == 1) b.push_back(1);
        m_ = a[a.size() - 2];
        k_ = a.back();
        n_ = b.back();
        if (b[b.size() - 2] != k_) return context.invalidHere("inner dimensions differ");
        aSigned_ = context.inputType(0) == DataType::Int8;
        bSigned_ = context.inputType(b_) == DataType::Int8;
        const Shape aBatch(a.begin(), a.end() - 2), bBatch(b.begin(), b.end() - 2);
        Shape outBatch = aBatch.size() >= bBatch.size() ? aBatch : bBatch;
        for (size_t k = 0; k < outBatch.size(); ++k) {
            const size_t ka = k + aBatch.size() - outBatch.size(), kb = k + bBatch.size() - outBatch.size();
            const int64_t da = k + aBatch.size() >= outBatch.size() ? aBatch[ka] : 1;
            const int64_t db = k + bBatch.size() >= outBatch.size() ? bBatch[kb] : 1;
            outBatch[k] = da == 1 ? db : da;
        }
        aBatch_ = batchIndex(aBatch, outBatch);
        bBatch_ = batchIndex(bBatch, outBatch);
        int64_t bBatches = 1;
        for (int64_t d : bBatch) bBatches *= d;
        // A's batches become rows of one GEMM when B is one matrix and A
        // is not broadcast against it.
        int64_t aBatches = 1;
        for (int64_t d : aBatch) aBatches *= d;
        fold_ = bBatches == 1 && aBatches == static_cast<int64_t>(aBatch_.size());
        gemmRows_ = fold_ ? m_ * aBatches : m_;

        WorkspacePlan plan;
        const TensorData* constantB = context.inputConstant(b_);
        packed_ = constantB && bBatches == 1;
        gemm_.prepare(gemmRows_, n_, k_, aSigned_, packed_);
        if (packed_) {
            // Column sums of the shifted weights, once.
            columnSums_.assign(static_cast<size_t>(n_), 0);
            for (int64_t r = 0; r < k_; ++r)
                for (int64_t col = 0; col < n_; ++col)
                    columnSums_[col] += weightAt(constantB->bytes.data(), r * n_ + col);
            packedBytes_ = gemm_.packWeights(constantB->bytes.data(), bSigned_, n_, 1);
        } else {
            shiftedB_ = plan.reserve(static_cast<size_t>(k_ * n_));
            columnSumsAt_ = plan.reserve(static_cast<size_t>(n_) * sizeof(int32_t));
        }
        rowSums_ = plan.reserve(static_cast<size_t>(gemmRows_) * sizeof(int32_t));
        columnZeros_ = plan.reserve(static_cast<size_t>(n_) * sizeof(int32_t));
        if (qlinear_) {
            product_ = plan.reserve(static_cast<size_t>(gemmRows_ * n_) * sizeof(int32_t));
            rowScales_ = plan.reserve(static_cast<size_t>(m_) * sizeof(float));
            columnScales_ = plan.reserve(static_cast<size_t>(n_) * sizeof(float));
        }
        scratch_ = plan.reserve(gemm_.workspaceBytes());
        workspaceBytes_ = plan.total();
        return Status::ok();
    }

    std::size_t workspaceBytes() const override { return workspaceBytes_; }
    std::size_t packedWeightBytes() const override { return packedBytes_; }

    Status run(RunContext& context) override {
        void* ws = context.workspace;
        const TensorView none;
        const TensorView& aZero = context.hasInput(aZero_) ? context.inputs[aZero_] : none;
        const TensorView& bZero = context.hasInput(bZero_) ? context.inputs[bZero_] : none;
        auto* columnZeros = static_cast<int32_t*>(workspaceAt(ws, columnZeros_));
        const bool perColumn = bZero.data && bZero.count() > 1;
        for (int64_t col = 0; col < n_; ++col)
            columnZeros[col] = intAt(bZero, perColumn ? col : 0) - (bSigned_ ? 0 : 128);
        const bool perRow = aZero.data && aZero.count() > 1;
        auto* rowScales = static_cast<float*>(workspaceAt(ws, rowScales_));
        auto* columnScales = static_cast<float*>(workspaceAt(ws, columnScales_));
        const float yScale = qlinear_ ? floatAt(context.inputs[6], 0) : 1.0f;
        if (qlinear_) {
            const TensorView &aScale = context.inputs[1], &bScale = context.inputs[4];
            for (int64_t row = 0; row < m_; ++row) rowScales[row] = floatAt(aScale, aScale.count() > 1 ? row : 0);
            for (int64_t col = 0; col < n_; ++col) columnScales[col] = floatAt(bScale, bScale.count() > 1 ? col : 0);
        }

        const TensorView& a = context.inputs[0];
        const TensorView& b = context.inputs[b_];
        const TensorView& y = context.outputs[0];
        const size_t aElement = 1;
        const int64_t matrices = fold_ ? 1 : static_cast<int64_t>(aBatch_.size());
        auto* rowSums = static_cast<int32_t*>(workspaceAt(ws, rowSums_));
        for (int64_t batch = 0; batch < matrices; ++batch) {
            const auto* aBytes = a.as<const uint8_t>() + (fold_ ? 0 : aBatch_[batch] * m_ * k_) * aElement;
            const int32_t* columnSums = columnSums_.data();
            const int8_t* bShifted = nullptr;
            if (!packed_) {
                auto* shifted = static_cast<int8_t*>(workspaceAt(ws, shiftedB_));
                auto* sums = static_cast<int32_t*>(workspaceAt(ws, columnSumsAt_));
                shiftB(b.as<const uint8_t>() + (fold_ ? 0 : bBatch_[batch]) * k_ * n_, shifted, sums);
                bShifted = shifted;
                columnSums = sums;
            }
            sumRows(aBytes, rowSums);
            int32_t* product = qlinear_ ? static_cast<int32_t*>(workspaceAt(ws, product_))
                                        : y.as<int32_t>() + (fold_ ? 0 : batch * m_ * n_);
            IS_RETURN_IF_ERROR(gemm_.run(aBytes, bShifted, product, workspaceAt(ws, scratch_)));
            const int64_t outBase = fold_ ? 0 : batch * m_ * n_;
            const int64_t rows = gemmRows_, n = n_, m = m_, k = k_;
            const int32_t yZero = qlinear_ ? intAt(context.inputs[7], 0) : 0;
            const bool signedOut = y.dtype == DataType::Int8;
#pragma omp parallel for schedule(static) if (rows * n > kParallelWork)
            for (int64_t row = 0; row < rows; ++row) {
                const int32_t rowZero = intAt(aZero, perRow ? row % m : 0);
                for (int64_t col = 0; col < n; ++col) {
                    const int32_t v = removeZeroPoints(product[row * n + col], rowZero, columnZeros[col], rowSums[row],
                                                       columnSums[col], k);
                    if (!qlinear_) {
                        product[row * n + col] = v;
                    } else {
                        // a_scale * b_scale / y_scale in float, as ONNX's reference.
                        const float multiplier = rowScales[row % m] * columnScales[col] / yScale;
                        const int64_t at = outBase + row * n + col;
                        if (signedOut)
                            y.as<int8_t>()[at] = requantize<int8_t>(v, multiplier, yZero);
                        else
                            y.as<uint8_t>()[at] = requantize<uint8_t>(v, multiplier, yZero);
                    }
                }
            }
        }
        return Status::ok();
    }

private:
    int32_t weightAt(const void* b, int64_t i) const {
        return bSigned_ ? static_cast<const int8_t*>(b)[i] : static_cast<const uint8_t*>(b)[i] - 128;
    }

    void shiftB(const uint8_t* b, int8_t* shifted, int32_t* sums) const {
        std::memset(sums, 0, static_cast<size_t>(n_) * sizeof(int32_t));
        for (int64_t r = 0; r < k_; ++r)
            for (int64_t col = 0; col < n_; ++col) {
                const int32_t v = weightAt(b, r * n_ + col);
                shifted[r * n_ + col] = static_cast<int8_t>(v);
                sums[col] += v;
            }
    }

    void sumRows(const uint8_t* a, int32_t* sums) const {
        const int64_t rows = gemmRows_, k = k_;
        const bool aSigned = aSigned_;
#pragma omp parallel for schedule(static) if (rows * k > kParallelWork)
        for (int64_t row = 0; row < rows; ++row) {
            int32_t sum = 0;
            if (aSigned)
                for (int64_t i = 0; i < k; ++i) sum += reinterpret_cast<const int8_t*>(a)[row * k + i];
            else
                for (int64_t i = 0; i < k; ++i) sum += a[row * k + i];
            sums[row] = sum;
        }
    }

    bool qlinear_ = false;
    size_t b_ = 1, aZero_ = 2, bZero_ = 3;
    int64_t m_ = 0, k_ = 0, n_ = 0, gemmRows_ = 0;
    bool aSigned_ = false, bSigned_ = false, fold_ = false, packed_ = false;
    std::vector<int64_t> aBatch_, bBatch_;
    std::vector<int32_t> columnSums_;
    Int8Gemm gemm_;
    std::size_t shiftedB_ = 0, columnSumsAt_ = 0, rowSums_ = 0, columnZeros_ = 0, product_ = 0, rowScales_ = 0,
                columnScales_ = 0, scratch_ = 0;
    std::size_t workspaceBytes_ = 0, packedBytes_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeIntegerMatMulKernel() { return std::make_unique<IntegerMatMulKernel>(); }

}  // namespace interstage::cpu::quant
