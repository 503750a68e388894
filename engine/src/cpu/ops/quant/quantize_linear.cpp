// QuantizeLinear: y = saturate(round_half_even(x / scale) + zero_point) to
// int8 or uint8, with one scale per tensor, per index of `axis`, or per
// block of block_size indices along it (opset 21). Division, not a
// multiply by 1 / scale, so values on a rounding tie land where ONNX says.
#include "core/half_float.h"
#include "cpu/ops/quant/quant_kernels.h"
#include "cpu/ops/quant/quant_math.h"
#include "cpu/ops/quant/quant_params.h"
#include "cpu/ops/quant/quantize_span.h"
#include "cpu/parallel.h"

namespace interstage::cpu::quant {

namespace {

template <class Q>
void quantizeRows(const TensorView& x, const TensorView& scale, const TensorView& zeroPoint, const ParamLayout& l,
                  Q* y) {
    const int64_t rows = l.outer * l.axis;
    const bool floatInput = x.dtype == DataType::Float;
    const bool perElementParams = l.block > 0;
#pragma omp parallel for schedule(static) if (rows * l.inner > kParallelWork)
    for (int64_t row = 0; row < rows; ++row) {
        const int64_t o = row / l.axis, a = row % l.axis;
        const int64_t base = row * l.inner;
        int64_t param = 0;
        if (perElementParams)
            param = (o * l.blocks() + a / l.block) * l.inner;
        else if (!l.perTensor)
            param = a;
        float s = floatAt(scale, param);
        float z = static_cast<float>(intAt(zeroPoint, param));
        if (floatInput && !perElementParams) {
            quantizeSpan(x.as<const float>() + base, l.inner, s, z, y + base);
            continue;
        }
        for (int64_t i = 0; i < l.inner; ++i) {
            if (perElementParams) {
                s = floatAt(scale, param + i);
                z = static_cast<float>(intAt(zeroPoint, param + i));
            }
            float v;
            if (floatInput)
                v = x.as<const float>()[base + i];
            else if (x.dtype == DataType::Int32)
                v = static_cast<float>(x.as<const int32_t>()[base + i]);
            else
                v = floatAt(x, base + i);
            y[base + i] = saturateRound<Q>(std::nearbyint(v / s) + z);
        }
    }
}

class QuantizeLinearKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() < 2 || !context.hasInput(1) || context.outputCount() != 1)
            return context.invalidHere("needs x, y_scale and one output");
        const DataType out = context.output(0).dtype;
        if (out != DataType::Int8 && out != DataType::UInt8)
            return context.unsupportedHere(std::string("quantizing to ") + dataTypeName(out) + " is not supported");
        layout_ = paramLayout(context.inputShape(0), context.inputShape(1), context.node().attrInt("axis", 1),
                              context.node().attrInt("block_size", 0));
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView none;
        const TensorView& zeroPoint = context.hasInput(2) ? context.inputs[2] : none;
        const TensorView& y = context.outputs[0];
        if (y.dtype == DataType::Int8)
            quantizeRows(context.inputs[0], context.inputs[1], zeroPoint, layout_, y.as<int8_t>());
        else
            quantizeRows(context.inputs[0], context.inputs[1], zeroPoint, layout_, y.as<uint8_t>());
        return Status::ok();
    }

private:
    ParamLayout layout_;
};

}  // namespace

std::unique_ptr<Kernel> makeQuantizeLinearKernel() { return std::make_unique<QuantizeLinearKernel>(); }

}  // namespace interstage::cpu::quant
