// GRU: gate blocks z (update), r (reset), h (hidden) in W, R and B;
// activations f (z and r, default Sigmoid) and g (h, Tanh):
//
//   z = f(x_z + H R_z^T)        r = f(x_r + H R_r^T)
//   h~ = g(x_h + (r . H) R_h^T)              linear_before_reset = 0
//   h~ = g(x_h + r . (H R_h^T + Rb_h))       linear_before_reset != 0
//   H_t = (1 - z) . h~ + z . H
//
// x_* is the row's input from the frame (X_t W^T + Wb + Rb, without Rb_h
// when linear_before_reset keeps it inside the reset product).
#include <algorithm>

#include "cpu/ops/recurrent/recurrent_kernel.h"
#include "cpu/ops/recurrent/recurrent_kernels.h"

namespace interstage::cpu::recurrent {

namespace {

class GruKernel final : public RecurrentKernel {
public:
    GruKernel() : RecurrentKernel(3, 1, {"Sigmoid", "Tanh"}) {}

private:
    Status prepareCell(PrepareContext& context) override {
        linearBeforeReset_ = context.node().attrInt("linear_before_reset", 0) != 0;
        return Status::ok();
    }

    bool mergesRecurrentBias(int64_t gate) const override { return gate != 2 || !linearBeforeReset_; }

    void advance(const Step& s) override {
        if (linearBeforeReset_)
            advanceLinearBeforeReset(s);
        else
            advanceResetFirst(s);
    }

    // The reset gate scales H before R_h: a second product per step.
    void advanceResetFirst(const Step& s) const {
        const int64_t hidden = s.hidden, row = 3 * hidden;
        multiplyTransposed(s.batch, 2 * hidden, hidden, s.h, hidden, s.r, hidden, 0.f, s.gates, row);
        // Every row of the reset product is read by the GEMM: ended rows get zeros.
#pragma omp parallel for schedule(static) if (s.batch * row * 16 > kParallelWork)
        for (int64_t b = 0; b < s.batch; ++b) {
            float* reset = s.scratch + b * hidden;
            if (!s.input[b]) {
                std::fill_n(reset, hidden, 0.f);
                continue;
            }
            float* g = s.gates + b * row;
            const float* x = s.input[b];
            for (int64_t j = 0; j < 2 * hidden; ++j) g[j] += x[j];
            activateRow(s.activations[0], s.clip, g, g, 2 * hidden);
            const float* h = s.h + b * hidden;
            for (int64_t j = 0; j < hidden; ++j) reset[j] = g[hidden + j] * h[j];
        }
        multiplyTransposed(s.batch, hidden, hidden, s.scratch, hidden, s.r + 2 * hidden * hidden, hidden, 0.f,
                           s.gates + 2 * hidden, row);
        forEachActiveRow(s, hidden * 16, [&](int64_t b) {
            float* g = s.gates + b * row;
            const float* x = s.input[b];
            for (int64_t j = 2 * hidden; j < row; ++j) g[j] += x[j];
            update(s, b);
        });
    }

    // The reset gate scales H R_h^T + Rb_h: one product per step.
    void advanceLinearBeforeReset(const Step& s) const {
        const int64_t hidden = s.hidden, row = 3 * hidden;
        multiplyTransposed(s.batch, row, hidden, s.h, hidden, s.r, hidden, 0.f, s.gates, row);
        const float* rbh = s.recurrenceBias ? s.recurrenceBias + 2 * hidden : nullptr;
        forEachActiveRow(s, row * 16, [&](int64_t b) {
            float* g = s.gates + b * row;
            const float* x = s.input[b];
            for (int64_t j = 0; j < 2 * hidden; ++j) g[j] += x[j];
            activateRow(s.activations[0], s.clip, g, g, 2 * hidden);
            const float* reset = g + hidden;
            float* candidate = g + 2 * hidden;
            for (int64_t j = 0; j < hidden; ++j)
                candidate[j] = x[2 * hidden + j] + reset[j] * (candidate[j] + (rbh ? rbh[j] : 0.f));
            update(s, b);
        });
    }

    // h~ = g(candidate); H = (1 - z) . h~ + z . H.
    static void update(const Step& s, int64_t b) {
        const int64_t hidden = s.hidden;
        float* z = s.gates + b * 3 * hidden;
        float* candidate = z + 2 * hidden;
        activateRow(s.activations[1], s.clip, candidate, candidate, hidden);
        float* h = s.h + b * hidden;
        for (int64_t j = 0; j < hidden; ++j) h[j] = (1.f - z[j]) * candidate[j] + z[j] * h[j];
        if (s.output[b]) std::copy_n(h, hidden, s.output[b]);
    }

    bool linearBeforeReset_ = false;
};

}  // namespace

std::unique_ptr<Kernel> makeGruKernel() { return std::make_unique<GruKernel>(); }

}  // namespace interstage::cpu::recurrent
