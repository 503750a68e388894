// The Gelu family of com.microsoft: Gelu (erf form), BiasGelu (erf form of
// A + B), FastGelu (tanh approximation of X + optional bias) and QuickGelu
// (x * sigmoid(alpha * x)). The bias is 1-D over the last dim.
#include <cmath>
#include <string>

#include "cpu/ops/contrib/contrib_kernels.h"
#include "cpu/parallel.h"

namespace interstage::cpu::contrib {

namespace {

enum class GeluForm { Erf, Tanh, Quick };

class GeluKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        const Node& node = context.node();
        if (context.inputType(0) != DataType::Float) return context.unsupportedHere("only float input is supported");
        if (context.hasInput(1) && context.inputType(1) != DataType::Float)
            return context.unsupportedHere("the bias must be float");
        form_ = node.opType == "FastGelu"    ? GeluForm::Tanh
                : node.opType == "QuickGelu" ? GeluForm::Quick
                                             : GeluForm::Erf;
        alpha_ = node.attrFloat("alpha", 1.702f);
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& x = context.inputs[0];
        const float* in = x.as<float>();
        const float* bias = context.hasInput(1) ? context.inputs[1].as<float>() : nullptr;
        const int64_t width = bias ? context.inputs[1].count() : 1;
        float* out = context.outputs[0].as<float>();
        const int64_t count = x.count();
        const GeluForm form = form_;
        const float alpha = alpha_;
#pragma omp parallel for schedule(static) if (count > kParallelWork)
        for (int64_t i = 0; i < count; ++i) {
            const float v = bias ? in[i] + bias[i % width] : in[i];
            out[i] = apply(form, alpha, v);
        }
        return Status::ok();
    }

private:
    static float apply(GeluForm form, float alpha, float v) {
        switch (form) {
            case GeluForm::Erf:
                return 0.5f * v * (1.f + std::erf(v * 0.70710678118654752f));
            case GeluForm::Tanh:
                // sqrt(2 / pi) * (v + 0.044715 v^3), as ONNX Runtime's FastGelu.
                return 0.5f * v * (1.f + std::tanh(0.7978845608028654f * v * (1.f + 0.044715f * v * v)));
            case GeluForm::Quick:
                return v / (1.f + std::exp(-alpha * v));
        }
        return v;
    }

    GeluForm form_ = GeluForm::Erf;
    float alpha_ = 1.702f;
};

}  // namespace

std::unique_ptr<Kernel> makeGeluKernel() { return std::make_unique<GeluKernel>(); }

}  // namespace interstage::cpu::contrib
