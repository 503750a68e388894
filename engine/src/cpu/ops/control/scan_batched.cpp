// Scan before opset 9: input 0 is sequence_lens (refused by the shape rule
// when given), every state has a leading batch axis and every scan input
// and output is [batch, sequence, ...]. Each batch entry runs the body
// along its sequence on its own; its slices are contiguous, read and
// written in place.
#include <cstring>

#include "cpu/ops/control/body_io.h"
#include "cpu/ops/control/control_kernels.h"

namespace interstage::cpu::control {
namespace {

TensorView entry(const TensorView& whole, int64_t index, size_t leadingAxes) {
    TensorView part{whole.dtype,
                    Shape(whole.shape.begin() + static_cast<std::ptrdiff_t>(leadingAxes), whole.shape.end()), nullptr};
    part.data = static_cast<std::byte*>(whole.data) + static_cast<std::size_t>(index) * part.bytes();
    return part;
}

class ScanBatchedKernel : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        body_ = context.node().subgraph("body");
        if (!body_) return context.invalidHere("needs a body graph");
        const int64_t scanned = context.node().attrInt("num_scan_inputs", 0);
        if (scanned < 1 || static_cast<size_t>(scanned) + 1 > context.inputCount())
            return context.invalidHere("num_scan_inputs is out of range");
        if (context.hasInput(0)) return context.unsupportedHere("sequence_lens is not supported");
        states_ = context.inputCount() - 1 - static_cast<size_t>(scanned);
        for (size_t i = 0; i < context.outputCount(); ++i)
            if (!context.hasOutput(i) || context.output(i).dtype == DataType::String)
                return context.unsupportedHere("omitted or string outputs are not supported");
        reverse_ = context.node().attrInts("directions");
        reverse_.resize(static_cast<size_t>(scanned), 0);
        const Shape& first = context.inputShape(1);
        batch_ = first[0];
        length_ = context.inputShape(1 + states_)[1];
        return Status::ok();
    }

    Status run(RunContext& context) override {
        if (!context.subgraphs) return noSubgraphHost();
        Subgraph* body = nullptr;
        Status status = Status::ok();
        for (int64_t b = 0; b < batch_ && status.isOk(); ++b) {
            std::vector<TensorView> state;
            for (size_t i = 0; i < states_; ++i) {
                state.push_back(entry(context.outputs[i], b, 1));
                const TensorView initial = entry(context.inputs[1 + i], b, 1);
                if (initial.bytes()) std::memcpy(state.back().data, initial.data, initial.bytes());
            }
            for (int64_t t = 0; t < length_ && status.isOk(); ++t) {
                status = context.subgraphs->checkStop();
                if (status.isOk()) status = iterate(context, state, b, t, body);
            }
        }
        if (body) body->finish();
        return status;
    }

private:
    Status iterate(RunContext& context, const std::vector<TensorView>& state, int64_t b, int64_t t,
                   Subgraph*& body) const {
        std::vector<TensorView> inputs = state;
        for (size_t j = 0; j < reverse_.size(); ++j) {
            const int64_t position = reverse_[j] ? length_ - 1 - t : t;
            inputs.push_back(entry(context.inputs[1 + states_ + j], b * length_ + position, 2));
        }
        IS_ASSIGN_OR_RETURN(body, context.subgraphs->prepare(*body_, inputs));
        std::vector<TensorView> outputs;
        IS_RETURN_IF_ERROR(body->run(inputs, outputs));
        if (outputs.size() != context.outputs.size())
            return invalidModel("the body gives " + std::to_string(outputs.size()) + " outputs, the Scan needs " +
                                std::to_string(context.outputs.size()));
        for (size_t k = states_; k < outputs.size(); ++k) {
            const TensorView target = entry(context.outputs[k], b * length_ + t, 2);
            IS_RETURN_IF_ERROR(checkPlanned(outputs[k], target, "scan output " + std::to_string(k - states_)));
            if (target.bytes()) std::memcpy(target.data, outputs[k].data, target.bytes());
        }
        const std::vector<TensorView> stateOut(outputs.begin(), outputs.begin() + static_cast<std::ptrdiff_t>(states_));
        for (size_t i = 0; i < states_; ++i)
            IS_RETURN_IF_ERROR(checkPlanned(stateOut[i], state[i], "state value " + std::to_string(i)));
        copyOutputs(stateOut, state);
        return Status::ok();
    }

    const Graph* body_ = nullptr;
    size_t states_ = 0;
    int64_t batch_ = 0, length_ = 0;
    std::vector<int64_t> reverse_;
};

}  // namespace

std::unique_ptr<Kernel> makeScanBatchedKernel() { return std::make_unique<ScanBatchedKernel>(); }

}  // namespace interstage::cpu::control
