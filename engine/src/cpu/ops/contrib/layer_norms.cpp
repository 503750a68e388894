// ONNX Runtime's layer norms, one kernel for three ops:
//   SimplifiedLayerNormalization (X, scale)    RMS norm: x / rms(x) * scale
//                                              (ORT's default-domain op)
//   SkipLayerNormalization (input, skip, gamma, beta, bias)
//   SkipSimplifiedLayerNormalization (input, skip, gamma, bias)
// The Skip forms first add skip (broadcast over the batch) and bias to the
// input, optionally keep that sum (output 3), and normalize over the last
// dim. The variance is a second pass over the row (not E[x^2] - mean^2),
// which stays accurate for rows with a large mean.
#include <cmath>
#include <string>

#include "cpu/ops/contrib/contrib_kernels.h"
#include "cpu/parallel.h"

namespace interstage::cpu::contrib {

namespace {

class LayerNormKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        const std::string& op = context.node().opType;
        skip_ = op.rfind("Skip", 0) == 0;
        simplified_ = op.find("Simplified") != std::string::npos;
        for (size_t i = 0; i < context.inputCount(); ++i)
            if (context.hasInput(i) && context.inputType(i) != DataType::Float)
                return context.unsupportedHere("only float inputs are supported");
        const Shape& x = context.inputShape(0);
        int64_t axis = skip_ ? -1 : context.node().attrInt("axis", -1);
        if (axis < 0) axis += static_cast<int64_t>(x.size());
        cols_ = 1;
        for (size_t k = static_cast<size_t>(axis); k < x.size(); ++k) cols_ *= x[k];
        rows_ = cols_ > 0 ? elementCount(x).value_or(0) / cols_ : 0;
        epsilon_ = context.node().attrFloat("epsilon", skip_ ? 1e-12f : 1e-5f);
        if (skip_) {
            skipRows_ = elementCount(context.inputShape(1)).value_or(0) / std::max<int64_t>(cols_, 1);
            shiftInput_ = simplified_ ? -1 : 3;
            biasInput_ = simplified_ ? 3 : 4;
        }
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const float* x = context.inputs[0].as<float>();
        const float* skip = skip_ ? context.inputs[1].as<float>() : nullptr;
        const float* scale = context.inputs[skip_ ? 2 : 1].as<float>();
        const float* shift = optional(context, shiftInput_);
        const float* bias = optional(context, biasInput_);
        float* y = context.outputs[0].as<float>();
        // Mean and inverse std are outputs 1 and 2 of the Skip forms;
        // SimplifiedLayerNormalization's inv_std_var is output 1.
        const bool rmsOnly = simplified_ && !skip_;
        float* mean = rmsOnly ? nullptr : output(context, 1);
        float* invStd = output(context, rmsOnly ? 1 : 2);
        float* sum = skip_ ? output(context, 3) : nullptr;
        const int64_t cols = cols_, skipRows = skipRows_;
        const bool simplified = simplified_;
        const float epsilon = epsilon_;
#pragma omp parallel for schedule(static) if (rows_ * cols_ > kParallelWork)
        for (int64_t r = 0; r < rows_; ++r) {
            const float* in = x + r * cols;
            float* out = y + r * cols;
            if (skip) {
                // out holds input + skip + bias first: normalized in place.
                const float* s = skip + (r % skipRows) * cols;
                for (int64_t j = 0; j < cols; ++j) out[j] = in[j] + s[j] + (bias ? bias[j] : 0.f);
                if (sum)
                    for (int64_t j = 0; j < cols; ++j) sum[r * cols + j] = out[j];
                in = out;
            }
            float mu = 0.f;
            if (!simplified) {
                for (int64_t j = 0; j < cols; ++j) mu += in[j];
                mu /= static_cast<float>(cols);
            }
            float squares = 0.f;
            for (int64_t j = 0; j < cols; ++j) squares += (in[j] - mu) * (in[j] - mu);
            const float inv = 1.f / std::sqrt(squares / static_cast<float>(cols) + epsilon);
            for (int64_t j = 0; j < cols; ++j) out[j] = (in[j] - mu) * inv * scale[j] + (shift ? shift[j] : 0.f);
            if (mean) mean[r] = mu;
            if (invStd) invStd[r] = inv;
        }
        return Status::ok();
    }

private:
    static const float* optional(const RunContext& context, int index) {
        return index >= 0 && context.hasInput(static_cast<size_t>(index))
                   ? context.inputs[static_cast<size_t>(index)].as<float>()
                   : nullptr;
    }
    static float* output(const RunContext& context, size_t index) {
        return index < context.outputs.size() ? context.outputs[index].as<float>() : nullptr;
    }

    bool skip_ = false, simplified_ = false;
    int64_t rows_ = 0, cols_ = 0, skipRows_ = 1;
    int shiftInput_ = -1, biasInput_ = -1;
    float epsilon_ = 1e-5f;
};

}  // namespace

std::unique_ptr<Kernel> makeLayerNormKernel() { return std::make_unique<LayerNormKernel>(); }

}  // namespace interstage::cpu::contrib
