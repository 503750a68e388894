// DynamicQuantizeLinear: float x to uint8 with a scale and zero point
// computed from x's range at run time, the range always including 0 so
// that 0 is exact: scale = (max(0, max x) - min(0, min x)) / 255 (1 / 255
// when that range is empty), zero_point = round(clip(-min / scale)).
#include <algorithm>

#include "cpu/ops/quant/quant_kernels.h"
#include "cpu/ops/quant/quant_math.h"
#include "cpu/ops/quant/quantize_span.h"
#include "cpu/parallel.h"

namespace interstage::cpu::quant {

namespace {

class DynamicQuantizeLinearKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.inputType(0) != DataType::Float)
            return context.invalidHere("needs a float input");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const float* x = context.inputs[0].as<const float>();
        const int64_t n = context.inputs[0].count();
        constexpr int64_t kChunk = 16384;
        const int64_t chunks = (n + kChunk - 1) / kChunk;
        float lo = 0.0f, hi = 0.0f;
#pragma omp parallel for schedule(static) reduction(min : lo) reduction(max : hi) if (n > kParallelWork)
        for (int64_t c = 0; c < chunks; ++c) extendRange(x + c * kChunk, std::min(kChunk, n - c * kChunk), lo, hi);
        const float scale = (hi == lo ? 1.0f : hi - lo) / 255.0f;
        const float zeroPoint = std::nearbyint(std::clamp(0.0f - lo / scale, 0.0f, 255.0f));
        uint8_t* y = context.outputs[0].as<uint8_t>();
#pragma omp parallel for schedule(static) if (n > kParallelWork)
        for (int64_t c = 0; c < chunks; ++c)
            quantizeSpan(x + c * kChunk, std::min(kChunk, n - c * kChunk), scale, zeroPoint, y + c * kChunk);
        if (context.outputs.size() > 1 && context.outputs[1].data) *context.outputs[1].as<float>() = scale;
        if (context.outputs.size() > 2 && context.outputs[2].data)
            *context.outputs[2].as<uint8_t>() = static_cast<uint8_t>(zeroPoint);
        return Status::ok();
    }
};

}  // namespace

std::unique_ptr<Kernel> makeDynamicQuantizeLinearKernel() { return std::make_unique<DynamicQuantizeLinearKernel>(); }

}  // namespace interstage::cpu::quant
