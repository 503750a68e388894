#include "cpu/ops/recurrent/recurrent_kernel.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <limits>

namespace interstage::cpu::recurrent {

namespace {

// Inputs and outputs by their ONNX position.
enum Input : size_t { kX = 0, kW, kR, kB, kSequenceLens, kInitialH, kInitialC, kPeephole };
enum Output : size_t { kY = 0, kYh, kYc };

// Workspace regions, in floats, each rounded to 64 bytes.
int64_t aligned(int64_t floats) { return (floats + 15) / 16 * 16; }

float* outputData(const RunContext& context, size_t i) {
    return i < context.outputs.size() ? context.outputs[i].as<float>() : nullptr;
}

const float* inputData(const RunContext& context, size_t i) {
    return context.hasInput(i) ? context.inputs[i].as<const float>() : nullptr;
}

}  // namespace

void RecurrentKernel::multiplyTransposed(int64_t rows, int64_t columns, int64_t depth, const float* a, int64_t lda,
                                         const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
    if (rows == 0 || columns == 0) return;
    if (depth == 0) {
        // Nothing to add; beta 0 still means C = 0.
        if (beta == 0.f)
            for (int64_t i = 0; i < rows; ++i) std::fill_n(c + i * ldc, columns, 0.f);
        return;
    }
    // Arguments are checked at prepare, so sgemm cannot refuse them.
    dnnl_sgemm('N', 'T', rows, columns, depth, 1.f, a, lda, b, ldb, beta, c, ldc);
}

Status RecurrentKernel::prepare(PrepareContext& context) {
    IS_RETURN_IF_ERROR(checkShapes(context));
    const Node& node = context.node();
    std::string error;
    if (!readActivations(node, defaultActivations_, directions_, activations_, error))
        return context.invalidHere(error);
    clip_ = node.hasAttr("clip") ? node.attrFloat("clip", 0.f) : std::numeric_limits<float>::infinity();
    if (!(clip_ > 0.f)) return context.invalidHere("attribute 'clip' must be positive");
    inputRows_.assign(static_cast<size_t>(batch_), nullptr);
    outputRows_.assign(static_cast<size_t>(batch_), nullptr);
    return prepareCell(context);
}

Status RecurrentKernel::checkShapes(PrepareContext& context) {
    const size_t maxInputs = states_ == 2 ? 8 : 6;
    if (context.inputCount() < 3 || context.inputCount() > maxInputs)
        return context.invalidHere("takes 3 to " + std::to_string(maxInputs) + " inputs, not " +
                                   std::to_string(context.inputCount()));
    for (size_t i = 0; i < context.inputCount(); ++i) {
        if (i < 3 && !context.hasInput(i)) return context.invalidHere("inputs X, W and R are required");
        if (!context.hasInput(i) || i == kSequenceLens) continue;
        if (context.inputType(i) != DataType::Float)
            return context.unsupportedHere("input " + std::to_string(i) + " is " + dataTypeName(context.inputType(i)) +
                                           "; only float32 is supported");
    }
    if (context.hasInput(kSequenceLens) && context.inputType(kSequenceLens) != DataType::Int32)
        return context.invalidHere(std::string("sequence_lens is ") + dataTypeName(context.inputType(kSequenceLens)) +
                                   ", not int32");
    const Node& node = context.node();
    direction_ = node.attrString("direction", "forward");
    if (direction_ != "forward" && direction_ != "reverse" && direction_ != "bidirectional")
        return context.invalidHere("direction '" + direction_ + "' is not forward, reverse or bidirectional");
    directions_ = direction_ == "bidirectional" ? 2 : 1;
    const int64_t layout = node.attrInt("layout", 0);
    if (layout != 0 && layout != 1) return context.invalidHere("layout " + std::to_string(layout) + " is not 0 or 1");
    batchFirst_ = layout == 1;
    if (node.attrInt("input_forget", 0) != 0 && states_ != 2) return context.invalidHere("input_forget is LSTM's");
    const Shape& x = context.inputShape(kX);
    const Shape& r = context.inputShape(kR);
    if (x.size() != 3 || r.size() != 3)
        return context.invalidHere("X " + shapeToString(x) + " and R " + shapeToString(r) + " must be 3-D");
    seq_ = batchFirst_ ? x[1] : x[0];
    batch_ = batchFirst_ ? x[0] : x[1];
    inputSize_ = x[2];
    hidden_ = node.attrInt("hidden_size", r[2]);
    if (hidden_ < 1) return context.invalidHere("hidden_size must be positive");
    const Shape state = batchFirst_ ? Shape{batch_, directions_, hidden_} : Shape{directions_, batch_, hidden_};
    const std::pair<size_t, Shape> expected[] = {
        {kW, {directions_, gates_ * hidden_, inputSize_}},
        {kR, {directions_, gates_ * hidden_, hidden_}},
        {kB, {directions_, 2 * gates_ * hidden_}},
        {kSequenceLens, {batch_}},
        {kInitialH, state},
        {kInitialC, state},
        {kPeephole, {directions_, 3 * hidden_}},
    };
    static const char* const names[] = {"X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"};
    for (const auto& [i, shape] : expected)
        if (context.hasInput(i) && context.inputShape(i) != shape)
            return context.invalidHere(std::string("input ") + names[i] + " is " +
                                       shapeToString(context.inputShape(i)) + ", expected " + shapeToString(shape));
    const Shape y = batchFirst_ ? Shape{batch_, seq_, directions_, hidden_} : Shape{seq_, directions_, batch_, hidden_};
    for (size_t i = 0; i < context.outputCount(); ++i) {
        if (!context.hasOutput(i)) continue;
        if (i > kYc || (i == kYc && states_ != 2)) return context.invalidHere("has too many outputs");
        if (context.output(i).shape != (i == kY ? y : state))
            return context.invalidHere("output " + std::to_string(i) + " is " + shapeToString(context.output(i).shape) +
                                       ", expected " + shapeToString(i == kY ? y : state));
    }
    return Status::ok();
}

std::size_t RecurrentKernel::workspaceBytes() const {
    const int64_t row = gates_ * hidden_;
    const int64_t floats =
        aligned(seq_ * batch_ * row) + aligned(row) + aligned(batch_ * row) + aligned(batch_ * hidden_) * (states_ + 1);
    return static_cast<std::size_t>(floats) * sizeof(float);
}

Status RecurrentKernel::readSequenceLengths(const RunContext& context, std::vector<int64_t>& lengths) const {
    lengths.assign(static_cast<size_t>(batch_), seq_);
    if (!context.hasInput(kSequenceLens)) return Status::ok();
    const int32_t* given = context.inputs[kSequenceLens].as<const int32_t>();
    for (int64_t b = 0; b < batch_; ++b) {
        if (given[b] < 0 || given[b] > seq_)
            return invalidArgument("sequence_lens[" + std::to_string(b) + "] is " + std::to_string(given[b]) +
                                   ", outside the sequence's 0 to " + std::to_string(seq_) + " steps");
        lengths[static_cast<size_t>(b)] = given[b];
    }
    return Status::ok();
}

Status RecurrentKernel::run(RunContext& context) {
    if (batch_ == 0) return Status::ok();
    std::vector<int64_t> lengths;
    IS_RETURN_IF_ERROR(readSequenceLengths(context, lengths));
    // Ended rows read zeros in Y; without sequence_lens every row is written.
    if (float* y = outputData(context, kY); y && context.hasInput(kSequenceLens))
        std::fill_n(y, context.outputs[kY].count(), 0.f);
    for (int64_t d = 0; d < directions_; ++d) runDirection(context, d, lengths);
    return Status::ok();
}

void RecurrentKernel::runDirection(RunContext& context, int64_t direction, const std::vector<int64_t>& lengths) {
    const int64_t row = gates_ * hidden_;
    float* projected = static_cast<float*>(context.workspace);
    float* bias = projected + aligned(seq_ * batch_ * row);
    float* gates = bias + aligned(row);
    float* h = gates + aligned(batch_ * row);
    float* scratch = h + aligned(batch_ * hidden_);
    float* c = states_ == 2 ? scratch + aligned(batch_ * hidden_) : nullptr;
    project(context, direction, projected, bias);
    loadState(context, direction, h, c);

    Step step;
    step.batch = batch_;
    step.hidden = hidden_;
    step.input = inputRows_.data();
    step.output = outputRows_.data();
    step.h = h;
    step.c = c;
    step.gates = gates;
    step.scratch = scratch;
    step.r = inputData(context, kR) + direction * row * hidden_;
    const float* b = inputData(context, kB);
    step.recurrenceBias = b ? b + direction * 2 * row + row : nullptr;
    const float* p = states_ == 2 ? inputData(context, kPeephole) : nullptr;
    step.peephole = p ? p + direction * 3 * hidden_ : nullptr;
    step.activations = activations_.data() + direction * static_cast<int64_t>(defaultActivations_.size());
    step.clip = clip_;

    const bool reverse = direction == 1 || direction_ == "reverse";
    float* y = outputData(context, kY);
    for (int64_t s = 0; s < seq_; ++s) {
        bool any = false;
        for (int64_t bi = 0; bi < batch_; ++bi) {
            const int64_t length = lengths[static_cast<size_t>(bi)];
            const bool active = s < length;
            const int64_t t = reverse ? length - 1 - s : s;
            const int64_t xRow = batchFirst_ ? bi * seq_ + t : t * batch_ + bi;
            inputRows_[static_cast<size_t>(bi)] = active ? projected + xRow * row : nullptr;
            outputRows_[static_cast<size_t>(bi)] = active && y ? y + yOffset(t, direction, bi) : nullptr;
            any = any || active;
        }
        if (!any) break;  // lengths only run out
        advance(step);
    }
    storeState(context, direction, h, c);
}

// projected = X * W^T + bias for every (t, b) row, in X's own row order.
void RecurrentKernel::project(const RunContext& context, int64_t direction, float* projected, float* bias) const {
    const int64_t row = gates_ * hidden_;
    const int64_t rows = seq_ * batch_;
    const float* b = inputData(context, kB);
    if (b) {
        const float* wb = b + direction * 2 * row;
        const float* rb = wb + row;
        for (int64_t g = 0; g < gates_; ++g)
            for (int64_t j = g * hidden_; j < (g + 1) * hidden_; ++j)
                bias[j] = wb[j] + (mergesRecurrentBias(g) ? rb[j] : 0.f);
        for (int64_t i = 0; i < rows; ++i) std::copy_n(bias, row, projected + i * row);
    }
    const float* w = inputData(context, kW) + direction * row * inputSize_;
    multiplyTransposed(rows, row, inputSize_, inputData(context, kX), inputSize_, w, inputSize_, b ? 1.f : 0.f,
                       projected, row);
}

void RecurrentKernel::loadState(const RunContext& context, int64_t direction, float* h, float* c) const {
    const float* initial[] = {inputData(context, kInitialH), states_ == 2 ? inputData(context, kInitialC) : nullptr};
    float* state[] = {h, c};
    for (int64_t k = 0; k < states_; ++k)
        for (int64_t b = 0; b < batch_; ++b) {
            float* dst = state[k] + b * hidden_;
            if (initial[k])
                std::copy_n(initial[k] + stateOffset(direction, b), hidden_, dst);
            else
                std::fill_n(dst, hidden_, 0.f);
        }
}

void RecurrentKernel::storeState(RunContext& context, int64_t direction, const float* h, const float* c) const {
    const float* state[] = {h, c};
    for (int64_t k = 0; k < states_; ++k) {
        float* out = outputData(context, kYh + static_cast<size_t>(k));
        if (!out) continue;
        for (int64_t b = 0; b < batch_; ++b)
            std::copy_n(state[k] + b * hidden_, hidden_, out + stateOffset(direction, b));
    }
}

int64_t RecurrentKernel::yOffset(int64_t t, int64_t direction, int64_t b) const {
    return (batchFirst_ ? (b * seq_ + t) * directions_ + direction : (t * directions_ + direction) * batch_ + b) *
           hidden_;
}

int64_t RecurrentKernel::stateOffset(int64_t direction, int64_t b) const {
    return (batchFirst_ ? b * directions_ + direction : direction * batch_ + b) * hidden_;
}

}  // namespace interstage::cpu::recurrent
