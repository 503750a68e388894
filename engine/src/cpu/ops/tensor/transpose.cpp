// Transpose: output axis k walks input axis perm[k]. gatherStrided merges
// the axes that stay together, so the permutations real models use reduce
// to row memcpys (0,2,1,3) or cache-tiled 2-D transposes (0,2,3,1 and
// 0,3,1,2, the NCHW <-> NHWC pair).
#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"
#include "cpu/ops/tensor/view_plans.h"

namespace interstage::cpu::tensor {

namespace {

class TransposeKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs one input and one output");
        IS_RETURN_IF_ERROR(requireFixedSize(context, context.inputType(0), "input"));
        return readTransposePerm(context, perm_);
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        const StridedView view = transposeView(in.shape, perm_);
        if (view.shape != out.shape)
            return {StatusCode::Internal, "Transpose: the output shape does not match the permutation"};
        gatherStrided(out.data, in.data, dataTypeSize(in.dtype), out.shape, view.strides);
        return Status::ok();
    }

private:
    std::vector<int64_t> perm_;
};

}  // namespace

Status readTransposePerm(const PrepareContext& context, std::vector<int64_t>& perm) {
    const auto rank = context.inputShape(0).size();
    perm = context.node().attrInts("perm");
    if (!context.node().hasAttr("perm"))
        for (size_t k = rank; k-- > 0;) perm.push_back(static_cast<int64_t>(k));
    if (perm.size() != rank) return context.invalidHere("perm does not have one entry per input axis");
    std::vector<bool> seen(rank, false);
    for (int64_t p : perm) {
        if (p < 0 || p >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(p)])
            return context.invalidHere("perm " + shapeToString(perm) + " is not a permutation");
        seen[static_cast<size_t>(p)] = true;
    }
    return Status::ok();
}

StridedView transposeView(const Shape& in, const std::vector<int64_t>& perm) {
    const Shape inStrides = contiguousStrides(in);
    StridedView view;
    for (int64_t p : perm) {
        view.shape.push_back(in[static_cast<size_t>(p)]);
        view.strides.push_back(inStrides[static_cast<size_t>(p)]);
    }
    return view;
}

std::unique_ptr<Kernel> makeTransposeKernel() { return std::make_unique<TransposeKernel>(); }

}  // namespace interstage::cpu::tensor
