// SoftmaxCrossEntropyLoss: LogSoftmax over the class axis (1), by the
// LogSoftmax kernel's own loops, then the negative log-likelihood loss of
// nll_loss.h. The log-probabilities go to the optional second output when
// the model asks for it, else to the workspace.
#include "cpu/ops/elementwise/elementwise_kernels.h"
#include "cpu/ops/nn/nll_loss.h"
#include "cpu/ops/nn/nn_kernels.h"

namespace interstage::cpu::nn {

namespace {

class SoftmaxCrossEntropyLossKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        IS_RETURN_IF_ERROR(prepareLoss(context, setup_));
        keepsLogProb_ = context.outputCount() > 1 && context.hasOutput(1);
        return Status::ok();
    }

    std::size_t workspaceBytes() const override {
        if (keepsLogProb_) return 0;
        return static_cast<std::size_t>(setup_.batch * setup_.classes * setup_.spatial) * dataTypeSize(setup_.dtype);
    }

    Status run(RunContext& context) override {
        void* logProb = keepsLogProb_ ? context.outputs[1].data : context.workspace;
        ew::logSoftmaxAlongAxis(setup_.dtype, setup_.batch, setup_.classes, setup_.spatial, context.inputs[0].data,
                                logProb);
        const void* weight = context.hasInput(2) ? context.inputs[2].data : nullptr;
        return computeNllLoss(setup_, logProb, context.inputs[1], weight, context.outputs[0].data);
    }

private:
    LossSetup setup_;
    bool keepsLogProb_ = false;
};

}  // namespace

std::unique_ptr<Kernel> makeSoftmaxCrossEntropyLossKernel() {
    return std::make_unique<SoftmaxCrossEntropyLossKernel>();
}

}  // namespace interstage::cpu::nn
