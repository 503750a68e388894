// LSTM: gate blocks i, o, f, c in W, R and B; activations f (gates, default
// Sigmoid), g (cell input, Tanh) and h (output, Tanh):
//
//   i = f(x_i + H R_i^T + P_i . C_{t-1})     c~ = g(x_c + H R_c^T)
//   f = f(x_f + H R_f^T + P_f . C_{t-1})     C_t = f . C_{t-1} + i . c~
//   o = f(x_o + H R_o^T + P_o . C_t)         H_t = o . h(C_t)
//
// x_* is the row's input from the frame (X_t W^T + Wb + Rb). input_forget
// couples the forget gate to the input gate, f = 1 - i (as ONNX Runtime
// reads the attribute). P (peepholes) is optional.
#include <algorithm>

#include "cpu/ops/recurrent/recurrent_kernel.h"
#include "cpu/ops/recurrent/recurrent_kernels.h"

namespace interstage::cpu::recurrent {

namespace {

class LstmKernel final : public RecurrentKernel {
public:
    LstmKernel() : RecurrentKernel(4, 2, {"Sigmoid", "Tanh", "Tanh"}) {}

private:
    Status prepareCell(PrepareContext& context) override {
        inputForget_ = context.node().attrInt("input_forget", 0) != 0;
        return Status::ok();
    }

    void advance(const Step& s) override {
        const int64_t hidden = s.hidden;
        multiplyTransposed(s.batch, 4 * hidden, hidden, s.h, hidden, s.r, hidden, 0.f, s.gates, 4 * hidden);
        forEachActiveRow(s, 4 * hidden * 16, [&](int64_t b) { advanceRow(s, b); });
    }

    void advanceRow(const Step& s, int64_t b) const {
        const int64_t hidden = s.hidden;
        float* gi = s.gates + b * 4 * hidden;
        float* go = gi + hidden;
        float* gf = go + hidden;
        float* gc = gf + hidden;
        float* c = s.c + b * hidden;
        float* h = s.h + b * hidden;
        const float* x = s.input[b];
        for (int64_t j = 0; j < 4 * hidden; ++j) gi[j] += x[j];
        const NamedActivation& gate = s.activations[0];
        const NamedActivation& cellInput = s.activations[1];
        const NamedActivation& output = s.activations[2];
        const float* pi = s.peephole;
        const float* po = pi ? pi + hidden : nullptr;
        const float* pf = pi ? pi + 2 * hidden : nullptr;
        if (pi)
            for (int64_t j = 0; j < hidden; ++j) {
                gi[j] += pi[j] * c[j];
                gf[j] += pf[j] * c[j];
            }
        activateRow(gate, s.clip, gi, gi, hidden);
        if (inputForget_)
            for (int64_t j = 0; j < hidden; ++j) gf[j] = 1.f - gi[j];
        else
            activateRow(gate, s.clip, gf, gf, hidden);
        activateRow(cellInput, s.clip, gc, gc, hidden);
        for (int64_t j = 0; j < hidden; ++j) c[j] = gf[j] * c[j] + gi[j] * gc[j];
        if (po)
            for (int64_t j = 0; j < hidden; ++j) go[j] += po[j] * c[j];
        activateRow(gate, s.clip, go, go, hidden);
        float* squashed = s.scratch + b * hidden;
        activateRow(output, s.clip, c, squashed, hidden);
        for (int64_t j = 0; j < hidden; ++j) h[j] = go[j] * squashed[j];
        if (s.output[b]) std::copy_n(h, hidden, s.output[b]);
    }

    bool inputForget_ = false;
};

}  // namespace

std::unique_ptr<Kernel> makeLstmKernel() { return std::make_unique<LstmKernel>(); }

}  // namespace interstage::cpu::recurrent
