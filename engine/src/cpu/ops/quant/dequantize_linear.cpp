// DequantizeLinear: y = (x - zero_point) * scale from int8, uint8 or int32,
// with one scale per tensor, per index of `axis` or per block along it;
// y has the scale's dtype (float, float16 or bfloat16).
#include "core/half_float.h"
#include "cpu/ops/quant/quant_kernels.h"
#include "cpu/ops/quant/quant_math.h"
#include "cpu/ops/quant/quant_params.h"
#include "cpu/parallel.h"

namespace interstage::cpu::quant {

namespace {

template <class X>
void dequantizeRows(const X* x, const TensorView& scale, const TensorView& zeroPoint, const ParamLayout& l,
                    const TensorView& y) {
    const int64_t rows = l.outer * l.axis;
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
        int32_t z = intAt(zeroPoint, param);
        for (int64_t i = 0; i < l.inner; ++i) {
            if (perElementParams) {
                s = floatAt(scale, param + i);
                z = intAt(zeroPoint, param + i);
            }
            // int32 inputs may overflow int32 when subtracting: widen first.
            const float v = static_cast<float>(static_cast<int64_t>(x[base + i]) - z) * s;
            switch (y.dtype) {
                case DataType::Float16:
                    y.as<uint16_t>()[base + i] = floatToHalf(v);
                    break;
                case DataType::BFloat16:
                    y.as<uint16_t>()[base + i] = floatToBfloat(v);
                    break;
                default:
                    y.as<float>()[base + i] = v;
            }
        }
    }
}

class DequantizeLinearKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() < 2 || !context.hasInput(1) || context.outputCount() != 1)
            return context.invalidHere("needs x, x_scale and one output");
        const DataType in = context.inputType(0);
        if (in != DataType::Int8 && in != DataType::UInt8 && in != DataType::Int32)
            return context.unsupportedHere(std::string("dequantizing ") + dataTypeName(in) + " is not supported");
        layout_ = paramLayout(context.inputShape(0), context.inputShape(1), context.node().attrInt("axis", 1),
                              context.node().attrInt("block_size", 0));
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView none;
        const TensorView& x = context.inputs[0];
        const TensorView& zeroPoint = context.hasInput(2) ? context.inputs[2] : none;
        switch (x.dtype) {
            case DataType::Int8:
                dequantizeRows(x.as<const int8_t>(), context.inputs[1], zeroPoint, layout_, context.outputs[0]);
                break;
            case DataType::UInt8:
                dequantizeRows(x.as<const uint8_t>(), context.inputs[1], zeroPoint, layout_, context.outputs[0]);
                break;
            default:
                dequantizeRows(x.as<const int32_t>(), context.inputs[1], zeroPoint, layout_, context.outputs[0]);
        }
        return Status::ok();
    }

private:
    ParamLayout layout_;
};

}  // namespace

std::unique_ptr<Kernel> makeDequantizeLinearKernel() { return std::make_unique<DequantizeLinearKernel>(); }

}  // namespace interstage::cpu::quant
