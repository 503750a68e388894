// RNN (ONNX's simple recurrent layer): H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb),
// f Tanh unless the node names another. The frame (recurrent_kernel.h)
// has already merged X_t W^T + Wb + Rb into each row's input.
#include <algorithm>

#include "cpu/ops/recurrent/recurrent_kernel.h"
#include "cpu/ops/recurrent/recurrent_kernels.h"

namespace interstage::cpu::recurrent {

namespace {

class RnnKernel final : public RecurrentKernel {
public:
    RnnKernel() : RecurrentKernel(1, 1, {"Tanh"}) {}

private:
    Status prepareCell(PrepareContext& /*context*/) override { return Status::ok(); }

    void advance(const Step& s) override {
        const int64_t hidden = s.hidden;
        multiplyTransposed(s.batch, hidden, hidden, s.h, hidden, s.r, hidden, 0.f, s.gates, hidden);
        forEachActiveRow(s, hidden * 16, [&](int64_t b) {
            float* g = s.gates + b * hidden;
            const float* x = s.input[b];
            for (int64_t j = 0; j < hidden; ++j) g[j] += x[j];
            float* h = s.h + b * hidden;
            activateRow(s.activations[0], s.clip, g, h, hidden);
            if (s.output[b]) std::copy_n(h, hidden, s.output[b]);
        });
    }
};

}  // namespace

std::unique_ptr<Kernel> makeRnnKernel() { return std::make_unique<RnnKernel>(); }

}  // namespace interstage::cpu::recurrent
