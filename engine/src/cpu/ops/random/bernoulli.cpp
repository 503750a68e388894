// Bernoulli: each output element is 1 with the probability its input
// element gives, else 0, in the dtype attribute's type (the input's by
// default). A draw u in [0, 1) gives 1 when u < p, so p = 0 always gives 0
// and p = 1 always 1.
#include <optional>
#include <string>

#include "cpu/ops/random/random_kernels.h"
#include "cpu/ops/random/random_stream.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::random {

namespace {

class BernoulliKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs one input and one output");
        inType_ = context.inputType(0);
        if (inType_ != DataType::Float && inType_ != DataType::Double)
            return context.unsupportedHere(std::string("probabilities of ") + dataTypeName(inType_) +
                                           " are not supported");
        outType_ = context.output(0).dtype;
        if (context.output(0).shape != context.inputShape(0))
            return context.invalidHere("output shape differs from the input's");
        double probe = 0;
        if (!tensor::storeNumber(outType_, 0.0, &probe))
            return context.unsupportedHere(std::string("outputs of ") + dataTypeName(outType_) + " are not supported");
        stream_.emplace(context.node());
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        stream_->beginRun();
        const std::size_t es = dataTypeSize(outType_);
        for (int64_t i = 0; i < in.count(); ++i) {
            const double p = inType_ == DataType::Double ? in.as<const double>()[i] : in.as<const float>()[i];
            tensor::storeNumber(outType_, stream_->uniform() < p ? 1.0 : 0.0,
                                out.as<char>() + i * static_cast<int64_t>(es));
        }
        return Status::ok();
    }

private:
    DataType inType_ = DataType::Float, outType_ = DataType::Float;
    std::optional<RandomStream> stream_;
};

}  // namespace

std::unique_ptr<Kernel> makeBernoulliKernel() { return std::make_unique<BernoulliKernel>(); }

}  // namespace interstage::cpu::random
