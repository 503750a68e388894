// MatMul (N-D with batch broadcasting, 1-D operands, fused bias, residual
// and activation from passes/fuse_matmul_epilogue) on
// oneDNN's matmul primitive, which reads and writes plain row-major data
// directly. Constant B is packed once at prepare; a run-time B is read in
// place. Float16 / bfloat16 compute in their type where oneDNN can here
// (matmulIn), otherwise in f32 through reorders of A and Y.
#include <algorithm>
#include <oneapi/dnnl/dnnl.hpp>

#include "cpu/activation.h"
#include "cpu/half_rows.h"
#include "cpu/ops/nn/dnnl_context.h"
#include "cpu/ops/nn/nn_kernels.h"

namespace interstage::cpu::nn {

namespace {

using dnnl::memory;

class MatMulKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() < 2 || context.inputCount() > 4 || !context.hasInput(0) || !context.hasInput(1))
            return context.invalidHere("needs inputs A and B (and a fused bias and residual)");
        type_ = context.inputType(0);
        for (size_t i = 0; i < 2; ++i)
            if (context.inputType(i) != type_ || (type_ != DataType::Float && !isHalfType(type_)))
                return context.unsupportedHere(std::string("input ") + std::to_string(i) + " is " +
                                               dataTypeName(context.inputType(i)) +
                                               "; float32, float16 and bfloat16 are supported, both inputs alike");
        if (context.output(0).dtype != type_)
            return context.invalidHere(std::string("output is ") + dataTypeName(context.output(0).dtype) + ", inputs " +
                                       dataTypeName(type_));
        Shape a, b, out;
        IS_RETURN_IF_ERROR(operandShapes(context, a, b, out));
        IS_RETURN_IF_ERROR(checkBias(context, out));
        IS_RETURN_IF_ERROR(checkResidual(context, out));
        const int64_t outCount = elementCount(out).value_or(0);
        if (outCount == 0) {
            mode_ = Mode::Empty;
            return Status::ok();
        }
        activation_ = fusedActivation(context.node());
        IS_RETURN_IF_ERROR(outputView(context, out));
        if (a.back() == 0) {
            if (hasResidual_ || !outStrides_.empty())
                return context.unsupportedHere("a fused residual or output view needs K > 0");
            mode_ = Mode::Zeros;  // an empty sum: every element is 0 (plus the bias, then the activation)
            return Status::ok();
        }
        IS_RETURN_IF_ERROR(buildPrimitive(context, a, b, out));
        mode_ = Mode::Primitive;
        return Status::ok();
    }

    Status run(RunContext& context) override {
        switch (mode_) {
            case Mode::Empty:
                return Status::ok();
            case Mode::Zeros: {
                const TensorView& y = context.outputs[0];
                const float value = activate(activation_, 0.f);
                if (hasBias_) {  // float32 only (checkBias)
                    const float* bias = context.inputs[2].as<const float>();
                    for (int64_t i = 0; i < y.count(); ++i)
                        y.as<float>()[i] = activate(activation_, bias[i % columns_]);
                } else if (isHalfType(type_))
                    for (int64_t i = 0; i < y.count(); ++i) narrowRow(type_, &value, y.as<uint16_t>() + i, 1);
                else
                    std::fill_n(y.as<float>(), y.count(), value);
                return Status::ok();
            }
            case Mode::Primitive:
                break;
        }
        return step_.run(context);
    }

    std::size_t workspaceBytes() const override { return workspaceBytes_; }
    std::size_t packedWeightBytes() const override { return packedBytes_; }
    bool ownsWeights() const override { return ownsWeights_; }

private:
    // An operand as the MatMul reads it: the input itself, or where
    // passes/fuse_matmul_transpose folded a [Reshape ->] Transpose into the
    // MatMul, a strided view of the input (`_view_shape_N`: the shape the
    // Reshape gave, `_view_perm_N`: the Transpose's perm). Strides stay
    // empty for a plain operand.
    static Status operandView(const PrepareContext& context, size_t i, Shape& dims, Shape& strides) {
        const Node& node = context.node();
        const std::string suffix = std::to_string(i);
        const std::vector<int64_t> perm = node.attrInts("_view_perm_" + suffix);
        dims = context.inputShape(i);
        strides.clear();
        if (perm.empty()) return Status::ok();
        const Shape view = node.hasAttr("_view_shape_" + suffix) ? node.attrInts("_view_shape_" + suffix) : dims;
        if (elementCount(view) != elementCount(dims) || perm.size() != view.size())
            return context.invalidHere("the folded view of input " + suffix + " does not fit " + shapeToString(dims));
        Shape contiguous(view.size(), 1);
        for (size_t k = view.size(); k-- > 1;) contiguous[k - 1] = contiguous[k] * view[k];
        std::vector<bool> seen(view.size(), false);
        dims.assign(view.size(), 0);
        strides.assign(view.size(), 0);
        for (size_t j = 0; j < perm.size(); ++j) {
            const int64_t axis = perm[j];
            if (axis < 0 || axis >= static_cast<int64_t>(view.size()) || seen[size_t(axis)])
                return context.invalidHere("the folded perm of input " + suffix + " is no permutation");
            seen[size_t(axis)] = true;
            dims[j] = view[size_t(axis)];
            strides[j] = contiguous[size_t(axis)];
        }
        return Status::ok();
    }

    // Widens a strided operand's strides as its dims were (front 1s).
    static void alignStrides(Shape& strides, const Shape& dims) {
        if (strides.empty()) return;
        strides.insert(strides.begin(), dims.size() - strides.size(), dims.back() * strides.back());
    }

    // A and B as oneDNN takes them (1-D operands widened, batch dims
    // aligned) and the product's shape, checked against the output.
    Status operandShapes(const PrepareContext& context, Shape& a, Shape& b, Shape& out) {
        IS_RETURN_IF_ERROR(operandView(context, 0, a, aStrides_));
        IS_RETURN_IF_ERROR(operandView(context, 1, b, bStrides_));
        const Shape& y = context.output(0).shape;
        if (a.empty() || b.empty()) return context.invalidHere("operands must have rank >= 1");
        if ((!aStrides_.empty() && a.size() < 2) || (!bStrides_.empty() && b.size() < 2))
            return context.invalidHere("a folded view needs rank >= 2");
        // 1-D operands become a row (A) or a column (B); the result's shape
        // drops that axis again, which the resolved output already does.
        if (a.size() == 1) a.insert(a.begin(), 1);
        if (b.size() == 1) b.push_back(1);
        const size_t rank = std::max(a.size(), b.size());
        a.insert(a.begin(), rank - a.size(), 1);
        b.insert(b.begin(), rank - b.size(), 1);
        alignStrides(aStrides_, a);
        alignStrides(bStrides_, b);
        if (rank > DNNL_MAX_NDIMS) return context.unsupportedHere("rank above " + std::to_string(DNNL_MAX_NDIMS));
        if (b[rank - 2] != a[rank - 1])
            return context.invalidHere("A " + shapeToString(a) + " and B " + shapeToString(b) + " do not multiply");
        out.assign(rank, 0);
        for (size_t i = 0; i + 2 < rank; ++i) {
            if (a[i] != b[i] && a[i] != 1 && b[i] != 1)
                return context.invalidHere("batch dims of " + shapeToString(a) + " and " + shapeToString(b) +
                                           " do not broadcast");
            out[i] = a[i] == 1 ? b[i] : a[i];
        }
        out[rank - 2] = a[rank - 2];
        out[rank - 1] = b[rank - 1];
        if (elementCount(out) != elementCount(y))
            return context.invalidHere("output " + shapeToString(y) + " does not match " + shapeToString(out));
        return Status::ok();
    }

    // Where a Transpose [-> Reshape] after the MatMul was folded into it
    // (`_view_perm_out`): the product is written through strides straight
    // into the transposed layout.
    Status outputView(const PrepareContext& context, const Shape& out) {
        const std::vector<int64_t> perm = context.node().attrInts("_view_perm_out");
        outStrides_.clear();
        if (perm.empty()) return Status::ok();
        if (perm.size() != out.size() || hasResidual_)
            return context.invalidHere("the folded output view does not fit the product " + shapeToString(out));
        Shape transposed(out.size());
        std::vector<bool> seen(out.size(), false);
        for (size_t j = 0; j < perm.size(); ++j) {
            if (perm[j] < 0 || perm[j] >= static_cast<int64_t>(out.size()) || seen[size_t(perm[j])])
                return context.invalidHere("the folded output perm is no permutation");
            seen[size_t(perm[j])] = true;
            transposed[j] = out[size_t(perm[j])];
        }
        outStrides_.assign(out.size(), 0);
        int64_t stride = 1;
        for (size_t j = perm.size(); j-- > 0;) {
            outStrides_[size_t(perm[j])] = stride;
            stride *= transposed[j];
        }
        return Status::ok();
    }

    static memory::desc operandDesc(const Shape& dims, const Shape& strides, memory::data_type type) {
        return strides.empty() ? plainDesc(dims, type) : stridedDesc(dims, strides, type);
    }

    // The bias the transformer fusions add (passes/fuse_matmul_epilogue):
    // float32, one value per output column.
    Status checkBias(const PrepareContext& context, const Shape& out) {
        hasBias_ = context.hasInput(2);
        if (!hasBias_) return Status::ok();
        if (type_ != DataType::Float || context.inputType(2) != DataType::Float)
            return context.unsupportedHere("a fused bias needs float32 operands");
        if (context.inputShape(2) != Shape{out.back()})
            return context.invalidHere("fused bias " + shapeToString(context.inputShape(2)) + " is not [" +
                                       std::to_string(out.back()) + "]");
        columns_ = out.back();
        return Status::ok();
    }

    // The residual the transformer fusions add (input 3): a float32 tensor
    // of the output's shape, added before the activation.
    Status checkResidual(const PrepareContext& context, const Shape& out) {
        hasResidual_ = context.hasInput(3);
        if (!hasResidual_) return Status::ok();
        if (type_ != DataType::Float || context.inputType(3) != DataType::Float)
            return context.unsupportedHere("a fused residual needs float32 operands");
        if (elementCount(context.inputShape(3)) != elementCount(out))
            return context.invalidHere("fused residual " + shapeToString(context.inputShape(3)) +
                                       " is not the output's " + shapeToString(out));
        return Status::ok();
    }

    Status buildPrimitive(PrepareContext& context, const Shape& a, const Shape& b, const Shape& out) {
        dnnl::post_ops ops;
        // oneDNN applies post-ops in order: (A B + bias) + residual, then the activation.
        if (hasResidual_) ops.append_binary(dnnl::algorithm::binary_add, plainDesc(out));
        if (!appendActivation(ops, activation_)) return context.unsupportedHere("fused activation has no oneDNN form");
        const dnnl::primitive_attr attributes = makeAttributes(ops);
        const TensorData* constantB = context.inputConstant(1);
        const TensorData* constantBias = hasBias_ ? context.inputConstant(2) : nullptr;
        // The bias broadcasts over every row: [1, .., 1, N].
        Shape biasShape(out.size(), 1);
        biasShape.back() = out.back();
        try {
            // A constant B gets the primitive's packed layout; a run-time B
            // is read as it is rather than reordered on every run.
            // Half types: in their own type where oneDNN computes it here,
            // else in f32 with the step's reorders widening A and Y.
            const memory::data_type stored = dnnlDataType(type_);
            const memory::desc biasDesc = hasBias_ ? plainDesc(biasShape, stored) : memory::desc();
            // Folded views are read in place where oneDNN has a fast kernel
            // for their strides; else copied plain through the workspace.
            bool strided = !aStrides_.empty() || !bStrides_.empty() || !outStrides_.empty();
            auto describe = [&](memory::data_type t) {
                const Shape none;
                const memory::desc weights = constantB ? anyDesc(b, t) : operandDesc(b, strided ? bStrides_ : none, t);
                return dnnl::matmul::desc(operandDesc(a, strided ? aStrides_ : none, t), weights, biasDesc,
                                          operandDesc(out, strided ? outStrides_ : none, t));
            };
            dnnl::matmul::primitive_desc pd = matmulIn(stored, describe, attributes, native_);
            if (strided && std::string(pd.impl_info_str()).find("ref") != std::string::npos) {
                strided = false;
                pd = matmulIn(stored, describe, attributes, native_);
            }
            WorkspacePlan plan;
            step_.setPrimitive(pd, dnnl::matmul(pd));
            step_.addInput(DNNL_ARG_SRC, 0, operandDesc(a, aStrides_, stored), pd.src_desc(), plan);
            if (constantB)
                packedBytes_ = step_.addConstant(DNNL_ARG_WEIGHTS, constantB->bytes.data(),
                                                 operandDesc(b, bStrides_, stored), pd.weights_desc());
            else
                step_.addInput(DNNL_ARG_WEIGHTS, 1, operandDesc(b, bStrides_, stored), pd.weights_desc(), plan);
            if (constantBias)
                packedBytes_ += step_.addConstant(DNNL_ARG_BIAS, constantBias->bytes.data(), biasDesc, pd.bias_desc());
            else if (hasBias_)
                step_.addInput(DNNL_ARG_BIAS, 2, biasDesc, pd.bias_desc(), plan);
            if (hasResidual_) {
                const memory::desc residual = plainDesc(out);
                step_.addInput(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, 3, residual, residual, plan);
            }
            step_.addOutput(DNNL_ARG_DST, 0, operandDesc(out, outStrides_, stored), pd.dst_desc(), plan);
            step_.finish(plan);
            workspaceBytes_ = plan.total();
        } catch (const std::exception& error) {
            return dnnlFailure(context, "cannot build the matmul", error);
        }
        // A constant residual is read from the weights at run time: they stay.
        ownsWeights_ = constantB && !context.inputConstant(0) && (!hasBias_ || constantBias) &&
                       !(hasResidual_ && context.inputConstant(3));
        return Status::ok();
    }

    enum class Mode { Empty, Zeros, Primitive };
    Mode mode_ = Mode::Empty;
    DataType type_ = DataType::Float;
    bool native_ = false;  // a half type computed as it is (no widening)
    Activation activation_;
    bool hasBias_ = false, hasResidual_ = false;
    Shape aStrides_, bStrides_, outStrides_;  // of folded views (empty: plain)
    int64_t columns_ = 0;
    DnnlStep step_;
    std::size_t workspaceBytes_ = 0;
    std::size_t packedBytes_ = 0;
    bool ownsWeights_ = false;
};

}  // namespace

std::unique_ptr<Kernel> makeMatMulKernel() { return std::make_unique<MatMulKernel>(); }

}  // namespace interstage::cpu::nn
