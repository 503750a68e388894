// Gemm: Y = alpha * A' * B' + beta * C (transA, transB, C broadcast from a
// scalar, a row, a column or a full matrix; fused activation) on oneDNN's
// matmul primitive. Transposes are strides, not copies.
//
// oneDNN scales (A*B + bias) by its output scale, and only a {1, N} bias
// keeps it on its fast kernel, so a row C becomes the bias beta/alpha * C;
// any other C is written into Y as beta * C first and added by a "sum"
// post-op (Y = alpha * A*B + Y).
#include <algorithm>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

#include "cpu/activation.h"
#include "cpu/half_rows.h"
#include "cpu/ops/nn/dnnl_context.h"
#include "cpu/ops/nn/nn_kernels.h"
#include "cpu/parallel.h"

namespace interstage::cpu::nn {

namespace {

using dnnl::memory;

class GemmKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() < 2 || !context.hasInput(0) || !context.hasInput(1))
            return context.invalidHere("needs inputs A and B");
        type_ = context.inputType(0);
        for (size_t i = 0; i < std::min<size_t>(context.inputCount(), 3); ++i)
            if (context.hasInput(i) &&
                (context.inputType(i) != type_ || (type_ != DataType::Float && !isHalfType(type_))))
                return context.unsupportedHere(std::string("input ") + std::to_string(i) + " is " +
                                               dataTypeName(context.inputType(i)) +
                                               "; float32, float16 and bfloat16 are supported, all inputs alike");
        const Node& node = context.node();
        const Shape& a = context.inputShape(0);
        const Shape& b = context.inputShape(1);
        const Shape& y = context.output(0).shape;
        if (a.size() != 2 || b.size() != 2) return context.invalidHere("A and B must be 2-D");
        const bool transA = node.attrInt("transA", 0) != 0, transB = node.attrInt("transB", 0) != 0;
        alpha_ = node.attrFloat("alpha", 1.f);
        beta_ = node.attrFloat("beta", 1.f);
        m_ = transA ? a[1] : a[0];
        const int64_t k = transA ? a[0] : a[1];
        n_ = transB ? b[0] : b[1];
        if ((transB ? b[1] : b[0]) != k)
            return context.invalidHere("A " + shapeToString(a) + " and B " + shapeToString(b) + " do not multiply");
        if (y != Shape{m_, n_})
            return context.invalidHere("output " + shapeToString(y) + " is not " + shapeToString({m_, n_}));

        // C broadcast to {M, N}: remember its rows and columns (1 or full).
        hasC_ = context.hasInput(2);
        if (hasC_) {
            Shape c = context.inputShape(2);
            if (c.size() > 2) return context.invalidHere("C must have rank <= 2");
            c.insert(c.begin(), 2 - c.size(), 1);
            if ((c[0] != 1 && c[0] != m_) || (c[1] != 1 && c[1] != n_))
                return context.invalidHere("C " + shapeToString(context.inputShape(2)) + " does not broadcast to " +
                                           shapeToString({m_, n_}));
            cRows_ = c[0];
            cColumns_ = c[1];
        }
        activation_ = fusedActivation(node);
        if (m_ * n_ == 0) {
            mode_ = Mode::Empty;
            return Status::ok();
        }
        if (alpha_ == 0.f || k == 0) {
            mode_ = Mode::OnlyC;  // the product contributes nothing
            if (isHalfType(type_))
                return context.unsupportedHere(std::string(dataTypeName(type_)) + " Gemm needs alpha != 0 and K > 0");
            return Status::ok();
        }
        const bool cAsBias = hasC_ && beta_ != 0.f && cRows_ == 1 && cColumns_ == n_;
        const bool cAsSum = hasC_ && beta_ != 0.f && !cAsBias;
        const TensorData* constantB = context.inputConstant(1);
        const TensorData* constantC = hasC_ ? context.inputConstant(2) : nullptr;
        // Half types: the product and a constant row C (the Linear layer);
        // C is widened once into the f32 bias.
        if (isHalfType(type_) && (cAsSum || (cAsBias && !constantC)))
            return context.unsupportedHere(std::string(dataTypeName(type_)) +
                                           " Gemm needs alpha != 0 and C absent or a constant row");

        dnnl::post_ops ops;
        if (cAsSum) ops.append_sum(1.f);
        if (!appendActivation(ops, activation_)) return context.unsupportedHere("fused activation has no oneDNN form");
        dnnl::primitive_attr attributes = makeAttributes(ops);
        if (alpha_ != 1.f) attributes.set_output_scales(0, {alpha_});
        IS_RETURN_IF_ERROR(buildPrimitive(context, k, transA, transB, cAsBias, attributes));
        prefillC_ = cAsSum;
        ownsWeights_ = constantB && !context.inputConstant(0) && (!hasC_ || beta_ == 0.f || (cAsBias && constantC));
        mode_ = Mode::Primitive;
        return Status::ok();
    }

    Status run(RunContext& context) override {
        if (mode_ == Mode::Empty) return Status::ok();
        float* y = context.outputs[0].as<float>();
        const float* c = hasC_ ? context.inputs[2].as<const float>() : nullptr;
        if (mode_ == Mode::OnlyC) {
            writeScaledC(c, y);
            applyActivation(activation_, y, m_ * n_);
            return Status::ok();
        }
        if (prefillC_) writeScaledC(c, y);
        if (scaleBiasAtRun_) {
            float* bias = static_cast<float*>(workspaceAt(context.workspace, biasOffset_));
            const float scale = beta_ / alpha_;
            for (int64_t j = 0; j < n_; ++j) bias[j] = c[j] * scale;
        }
        return step_.run(context);
    }

    std::size_t workspaceBytes() const override { return workspaceBytes_; }
    std::size_t packedWeightBytes() const override { return packedBytes_; }
    bool ownsWeights() const override { return ownsWeights_; }

private:
    // The matmul (in the half type where oneDNN computes it here), its
    // packed B and bias, and the workspace its reorders need.
    Status buildPrimitive(const PrepareContext& context, int64_t k, bool transA, bool transB, bool cAsBias,
                          const dnnl::primitive_attr& attributes) {
        const TensorData* constantB = context.inputConstant(1);
        const TensorData* constantC = hasC_ ? context.inputConstant(2) : nullptr;
        try {
            const memory::data_type stored = dnnlDataType(type_);
            const memory::desc userA = stridedDesc({m_, k}, transA ? DnnlDims{1, m_} : DnnlDims{k, 1}, stored);
            const memory::desc userB = stridedDesc({k, n_}, transB ? DnnlDims{1, k} : DnnlDims{n_, 1}, stored);
            const memory::desc biasDesc = cAsBias ? plainDesc({1, n_}) : memory::desc();
            // Half types in their own type where oneDNN computes it here,
            // else in f32 with the step's reorders widening A and Y.
            auto describe = [&](memory::data_type t) {
                const memory::desc a = stridedDesc({m_, k}, transA ? DnnlDims{1, m_} : DnnlDims{k, 1}, t);
                const memory::desc b = stridedDesc({k, n_}, transB ? DnnlDims{1, k} : DnnlDims{n_, 1}, t);
                return dnnl::matmul::desc(a, constantB ? anyDesc({k, n_}, t) : b, biasDesc, plainDesc({m_, n_}, t));
            };
            const dnnl::matmul::primitive_desc pd = matmulIn(stored, describe, attributes, native_);
            WorkspacePlan plan;
            step_.setPrimitive(pd, dnnl::matmul(pd));
            step_.addInput(DNNL_ARG_SRC, 0, userA, pd.src_desc(), plan);
            if (constantB)
                packedBytes_ += step_.addConstant(DNNL_ARG_WEIGHTS, constantB->bytes.data(), userB, pd.weights_desc());
            else
                step_.addInput(DNNL_ARG_WEIGHTS, 1, userB, pd.weights_desc(), plan);
            if (cAsBias) {
                // oneDNN adds the bias before the output scale: pass beta/alpha * C.
                const float scale = beta_ / alpha_;
                if (constantC) {
                    std::vector<float> bias(static_cast<size_t>(n_));
                    if (isHalfType(type_))
                        widenRow(type_, constantC->bytes.data(), bias.data(), n_);
                    else
                        bias.assign(constantC->data<float>(), constantC->data<float>() + n_);
                    for (float& v : bias) v *= scale;
                    packedBytes_ += step_.addConstant(DNNL_ARG_BIAS, bias.data(), biasDesc, pd.bias_desc());
                } else if (scale == 1.f) {
                    step_.addInput(DNNL_ARG_BIAS, 2, biasDesc, pd.bias_desc(), plan);
                } else {
                    biasOffset_ = plan.reserve(static_cast<std::size_t>(n_) * sizeof(float));
                    scaleBiasAtRun_ = true;
                    step_.addWorkspaceArgument(DNNL_ARG_BIAS, biasDesc, biasOffset_);
                }
            }
            step_.addOutput(DNNL_ARG_DST, 0, plainDesc({m_, n_}, stored), pd.dst_desc(), plan);
            step_.finish(plan);
            workspaceBytes_ = plan.total();
        } catch (const std::exception& error) {
            return dnnlFailure(context, "cannot build the matmul", error);
        }
        return Status::ok();
    }

    // Y = beta * C broadcast to {M, N} (zeros without C).
    void writeScaledC(const float* c, float* y) const {
        const int64_t work = m_ * n_;
#pragma omp parallel for schedule(static) if (work > kParallelWork)
        for (int64_t i = 0; i < m_; ++i) {
            float* row = y + i * n_;
            if (!c || beta_ == 0.f) {
                std::fill_n(row, n_, 0.f);
                continue;
            }
            const float* cRow = c + (cRows_ == 1 ? 0 : i * cColumns_);
            if (cColumns_ == 1)
                std::fill_n(row, n_, beta_ * cRow[0]);
            else
                for (int64_t j = 0; j < n_; ++j) row[j] = beta_ * cRow[j];
        }
    }

    enum class Mode { Empty, OnlyC, Primitive };
    Mode mode_ = Mode::Empty;
    DataType type_ = DataType::Float;
    bool native_ = false;  // a half type computed as it is (no widening)
    Activation activation_;
    float alpha_ = 1.f, beta_ = 1.f;
    int64_t m_ = 0, n_ = 0, cRows_ = 1, cColumns_ = 1;
    bool hasC_ = false, prefillC_ = false, scaleBiasAtRun_ = false;
    std::size_t biasOffset_ = 0;
    DnnlStep step_;
    std::size_t workspaceBytes_ = 0;
    std::size_t packedBytes_ = 0;
    bool ownsWeights_ = false;
};

}  // namespace

std::unique_ptr<Kernel> makeGemmKernel() { return std::make_unique<GemmKernel>(); }

}  // namespace interstage::cpu::nn
