// SoftmaxCrossEntropyLoss: LogSoftmax over the class axis (1), then the
// negative log-likelihood loss of nll_loss.h. The log-probabilities go to the
// optional second output when the model asks for it, else to the workspace.
#include <algorithm>
#include <cmath>

#include "cpu/ops/nn/nll_loss.h"
#include "cpu/ops/nn/nn_kernels.h"
#include "cpu/parallel.h"

namespace interstage::cpu::nn {

namespace {

// Log-softmax of an N x C x D tensor over C, one (n, d) column at a time.
template <class T>
void logSoftmaxOverClasses(const LossSetup& s, const T* x, T* out) {
    const int64_t classes = s.classes, spatial = s.spatial, columns = s.batch * s.spatial;
#pragma omp parallel for schedule(static) if (columns * classes > kParallelWork)
    for (int64_t column = 0; column < columns; ++column) {
        const int64_t base = (column / spatial) * classes * spatial + column % spatial;
        // Shift by the max so exp() cannot overflow; sum in double for float.
        T top = x[base];
        for (int64_t c = 1; c < classes; ++c) top = std::max(top, x[base + c * spatial]);
        double sum = 0;
        for (int64_t c = 0; c < classes; ++c) sum += std::exp(static_cast<double>(x[base + c * spatial] - top));
        const double logSum = std::log(sum);
        for (int64_t c = 0; c < classes; ++c)
            out[base + c * spatial] = static_cast<T>(static_cast<double>(x[base + c * spatial] - top) - logSum);
    }
}

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
        if (setup_.dtype == DataType::Double)
            logSoftmaxOverClasses(setup_, context.inputs[0].as<const double>(), static_cast<double*>(logProb));
        else
            logSoftmaxOverClasses(setup_, context.inputs[0].as<const float>(), static_cast<float*>(logProb));
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
