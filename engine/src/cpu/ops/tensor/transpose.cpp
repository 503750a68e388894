// Transpose: output axis k walks input axis perm[k]. gatherStrided merges
// the axes that stay together, so the permutations real models use reduce
// to row memcpys (0,2,1,3) or cache-tiled 2-D transposes (0,2,3,1 and
// 0,3,1,2, the NCHW <-> NHWC pair).
#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

class TransposeKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1) return context.invalidHere("needs one input and one output");
        IS_RETURN_IF_ERROR(requireFixedSize(context, context.inputType(0), "input"));
        const auto rank = context.inputShape(0).size();
        perm_ = context.node().attrInts("perm");
        if (!context.node().hasAttr("perm"))
            for (size_t k = rank; k-- > 0;) perm_.push_back(static_cast<int64_t>(k));
        if (perm_.size() != rank) return context.invalidHere("perm does not have one entry per input axis");
        std::vector<bool> seen(rank, false);
        for (int64_t p : perm_) {
            if (p < 0 || p >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(p)])
                return context.invalidHere("perm " + shapeToString(perm_) + " is not a permutation");
            seen[static_cast<size_t>(p)] = true;
        }
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        const Shape inStrides = contiguousStrides(in.shape);
        Shape strides(perm_.size());
        for (size_t k = 0; k < perm_.size(); ++k) {
            strides[k] = inStrides[static_cast<size_t>(perm_[k])];
            if (out.shape[k] != in.shape[static_cast<size_t>(perm_[k])])
                return {StatusCode::Internal, "Transpose: the output shape does not match the permutation"};
        }
        gatherStrided(out.data, in.data, dataTypeSize(in.dtype), out.shape, strides);
        return Status::ok();
    }

private:
    std::vector<int64_t> perm_;
};

}  // namespace

std::unique_ptr<Kernel> makeTransposeKernel() { return std::make_unique<TransposeKernel>(); }

}  // namespace interstage::cpu::tensor
