// Multinomial: sample_size class indices per batch row, drawn from the
// row's unnormalized log-probabilities (softmax of the row). The row's
// cumulative distribution goes into the workspace; each draw is a binary
// search in it.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "cpu/ops/random/random_kernels.h"
#include "cpu/ops/random/random_stream.h"

namespace interstage::cpu::random {

namespace {

class MultinomialKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs one input and one output");
        inType_ = context.inputType(0);
        if (inType_ != DataType::Float && inType_ != DataType::Double)
            return context.unsupportedHere(std::string("log-probabilities of ") + dataTypeName(inType_) +
                                           " are not supported");
        const Shape& in = context.inputShape(0);
        const Shape& out = context.output(0).shape;
        outType_ = context.output(0).dtype;
        if (in.size() != 2 || out.size() != 2 || out[0] != in[0])
            return context.invalidHere("input must be [batch, classes] and the output [batch, sample_size]");
        if (outType_ != DataType::Int32 && outType_ != DataType::Int64)
            return context.invalidHere("output must be int32 or int64");
        classes_ = in[1];
        stream_.emplace(context.node());
        return Status::ok();
    }

    std::size_t workspaceBytes() const override { return static_cast<std::size_t>(classes_) * sizeof(double); }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        stream_->beginRun();
        const int64_t batch = out.shape[0], samples = out.shape[1];
        auto* cumulative = static_cast<double*>(context.workspace);
        for (int64_t b = 0; b < batch; ++b) {
            auto logit = [&](int64_t k) {
                const int64_t i = b * classes_ + k;
                return inType_ == DataType::Double ? in.as<const double>()[i]
                                                   : static_cast<double>(in.as<const float>()[i]);
            };
            // Subtracting the row's max keeps exp() finite for large logits.
            double top = -INFINITY;
            for (int64_t k = 0; k < classes_; ++k) top = std::max(top, logit(k));
            double total = 0;
            for (int64_t k = 0; k < classes_; ++k) {
                total += classes_ > 0 && std::isfinite(top) ? std::exp(logit(k) - top) : 0.0;
                cumulative[k] = total;
            }
            for (int64_t s = 0; s < samples; ++s) {
                // The first class whose cumulative mass exceeds the draw; a row
                // with no mass (all -inf, or no classes) gives the last class.
                const double draw = stream_->uniform() * total;
                int64_t k = std::upper_bound(cumulative, cumulative + classes_, draw) - cumulative;
                k = std::min(k, std::max<int64_t>(classes_ - 1, 0));
                if (outType_ == DataType::Int64)
                    out.as<int64_t>()[b * samples + s] = k;
                else
                    out.as<int32_t>()[b * samples + s] = static_cast<int32_t>(k);
            }
        }
        return Status::ok();
    }

private:
    DataType inType_ = DataType::Float, outType_ = DataType::Int32;
    int64_t classes_ = 0;
    std::optional<RandomStream> stream_;
};

}  // namespace

std::unique_ptr<Kernel> makeMultinomialKernel() { return std::make_unique<MultinomialKernel>(); }

}  // namespace interstage::cpu::random
