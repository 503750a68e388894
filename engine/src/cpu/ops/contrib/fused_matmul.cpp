// FusedMatMul (com.microsoft): alpha * op(A) * op(B), a MatMul with the
// transposes and the scale ONNX Runtime's optimizer folded into it. The
// batch dims broadcast as MatMul's do; transBatchA / transBatchB are
// refused by the shape rule.
#include "cpu/ops/contrib/batched_gemm.h"
#include "cpu/ops/contrib/contrib_kernels.h"

namespace interstage::cpu::contrib {

namespace {

class FusedMatMulKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputType(0) != DataType::Float || context.inputType(1) != DataType::Float)
            return context.unsupportedHere("only float operands are supported");
        const Node& node = context.node();
        transA_ = node.attrInt("transA", 0) != 0;
        transB_ = node.attrInt("transB", 0) != 0;
        alpha_ = node.attrFloat("alpha", 1.f);
        const Shape& a = context.inputShape(0);
        const Shape& b = context.inputShape(1);
        const Shape& out = context.output(0).shape;
        M_ = out[out.size() - 2];
        N_ = out.back();
        K_ = transA_ ? a[a.size() - 2] : a.back();
        plan_.build(a, b, Shape(out.begin(), out.end() - 2));
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const float* a = context.inputs[0].as<float>();
        const float* b = context.inputs[1].as<float>();
        float* y = context.outputs[0].as<float>();
        for (size_t i = 0; i < plan_.aOffsets.size(); ++i)
            sgemm(transA_, transB_, M_, N_, K_, alpha_, a + plan_.aOffsets[i], b + plan_.bOffsets[i], 0.f,
                  y + static_cast<int64_t>(i) * M_ * N_);
        return Status::ok();
    }

private:
    bool transA_ = false, transB_ = false;
    float alpha_ = 1.f;
    int64_t M_ = 0, N_ = 0, K_ = 0;
    BatchPlan plan_;
};

}  // namespace

std::unique_ptr<Kernel> makeFusedMatMulKernel() { return std::make_unique<FusedMatMulKernel>(); }

}  // namespace interstage::cpu::contrib
