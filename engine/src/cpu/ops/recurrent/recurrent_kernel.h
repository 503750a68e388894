// The frame LSTM, GRU and RNN share. ONNX gives them the same inputs
// (X, W, R, B, sequence_lens, initial_h; LSTM adds initial_c and P), the
// same outputs (Y, Y_h; LSTM adds Y_c), directions and layouts; only the
// cell differs. The frame, for each direction in turn:
//
//   1. projects every time step's input at once, X * W^T plus the biases
//      the cell lets it merge, with one GEMM into the workspace;
//   2. steps through time, handing the cell the rows of the batch still
//      inside their sequence (reverse walks each row's own length back),
//      the state, and where Y_t goes;
//   3. writes the final state to Y_h (and Y_c).
//
// Rows whose sequence has ended keep their state and read zeros in Y.
// Everything the steps need lives in the workspace, which the engine
// plans and accounts: the projection (seq * batch * gates * hidden
// floats) is the bulk of it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cpu/kernel.h"
#include "cpu/ops/recurrent/recurrent_activation.h"
#include "cpu/parallel.h"

namespace interstage::cpu::recurrent {

// One step of one direction, as a cell sees it.
struct Step {
    int64_t batch = 0;
    int64_t hidden = 0;
    // Per batch row: that row's X_t * W^T plus merged biases (gates * hidden
    // floats), or nullptr when the row's sequence has ended: the cell must
    // then leave the row's state alone.
    const float* const* input = nullptr;
    // Per batch row: where the row's new hidden state goes in Y, or nullptr
    // (Y omitted, or the row has ended).
    float* const* output = nullptr;
    float* h = nullptr;        // {batch, hidden}: the hidden state, updated in place
    float* c = nullptr;        // {batch, hidden}: LSTM's cell state, updated in place
    float* gates = nullptr;    // {batch, gates * hidden}: scratch for H_{t-1} * R^T
    float* scratch = nullptr;  // {batch, hidden}: scratch
    const float* r = nullptr;  // {gates * hidden, hidden}: this direction's R
    // This direction's Rb (gates * hidden floats); nullptr without B.
    const float* recurrenceBias = nullptr;
    // LSTM's peepholes of this direction (i, o, f; 3 * hidden); nullptr without P.
    const float* peephole = nullptr;
    const NamedActivation* activations = nullptr;  // this direction's f, g, h...
    float clip = 0;
};

// Calls fn(b) for every row b of the batch still inside its sequence, on
// OpenMP threads when the step's work (workPerRow per row) is worth them.
template <class Fn>
void forEachActiveRow(const Step& step, int64_t workPerRow, Fn&& fn) {
#pragma omp parallel for schedule(static) if (step.batch * workPerRow > kParallelWork)
    for (int64_t b = 0; b < step.batch; ++b)
        if (step.input[b]) fn(b);
}

class RecurrentKernel : public Kernel {
public:
    Status prepare(PrepareContext& context) final;
    Status run(RunContext& context) final;
    std::size_t workspaceBytes() const final;

protected:
    // gates: weight blocks stacked in W and R; states: 1 (h) or 2 (h, c);
    // defaultActivations: one direction's functions when the node names none.
    RecurrentKernel(int64_t gates, int64_t states, std::vector<std::string> defaultActivations)
        : gates_(gates), states_(states), defaultActivations_(std::move(defaultActivations)) {}

    // The cell's own attributes; called after the frame's checks.
    virtual Status prepareCell(PrepareContext& context) = 0;
    // Whether gate block `gate` of Rb may be added to the projection (GRU's
    // linear_before_reset adds Rb_h inside the reset product instead).
    virtual bool mergesRecurrentBias(int64_t /*gate*/) const { return true; }
    // One time step: every active row's new state from H_{t-1} * R^T (the
    // cell multiplies with multiplyTransposed) and the row's input.
    virtual void advance(const Step& step) = 0;

    // C (rows x columns, leading dimension ldc) = A * B^T with A row-major
    // (rows x depth, lda) and B row-major (columns x depth, ldb), through
    // oneDNN's sgemm. beta 0 overwrites C; 1 adds to it.
    static void multiplyTransposed(int64_t rows, int64_t columns, int64_t depth, const float* a, int64_t lda,
                                   const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

    int64_t hidden() const { return hidden_; }

private:
    Status checkShapes(PrepareContext& context);
    Status readSequenceLengths(const RunContext& context, std::vector<int64_t>& lengths) const;
    void runDirection(RunContext& context, int64_t direction, const std::vector<int64_t>& lengths);
    void project(const RunContext& context, int64_t direction, float* projected, float* bias) const;
    void loadState(const RunContext& context, int64_t direction, float* h, float* c) const;
    void storeState(RunContext& context, int64_t direction, const float* h, const float* c) const;
    // Offsets in floats of Y's row (t, direction, b) and of a state's row.
    int64_t yOffset(int64_t t, int64_t direction, int64_t b) const;
    int64_t stateOffset(int64_t direction, int64_t b) const;

    const int64_t gates_;
    const int64_t states_;
    const std::vector<std::string> defaultActivations_;
    std::vector<NamedActivation> activations_;  // directions_ * defaultActivations_.size()
    std::string direction_;
    float clip_ = 0;
    bool batchFirst_ = false;  // layout 1: X {batch, seq, input}, Y {batch, seq, directions, hidden}
    int64_t directions_ = 1, seq_ = 0, batch_ = 0, inputSize_ = 0, hidden_ = 0;
    // Per-row pointers handed to the cell, sized once at prepare.
    std::vector<const float*> inputRows_;
    std::vector<float*> outputRows_;
};

}  // namespace interstage::cpu::recurrent
