// Scan (opset 9 on): runs its body once per position along each scan
// input's axis, in each input's direction; state values live in the node's
// outputs between iterations, scan outputs gather one slice per iteration.
// A slice along axis 0 is read in place; slices along other axes are
// gathered into the workspace first.
#include <cstring>

#include "cpu/ops/control/body_io.h"
#include "cpu/ops/control/control_kernels.h"

namespace interstage::cpu::control {
namespace {

// One entry per input or output scanned: axis (normalized) and direction.
struct ScanAxis {
    int64_t axis = 0;
    bool reverse = false;
    std::size_t workspaceOffset = 0;  // inputs not along axis 0: where their slice is gathered
};

// Axes count against the scanned tensor's own rank (a scan output's
// includes the axis it gathers along).
Status readAxes(PrepareContext& context, const char* axesName, const char* directionsName, size_t count,
                size_t firstValue, bool inputs, std::vector<ScanAxis>& out) {
    const std::vector<int64_t> axes = context.node().attrInts(axesName);
    const std::vector<int64_t> directions = context.node().attrInts(directionsName);
    if ((!axes.empty() && axes.size() != count) || (!directions.empty() && directions.size() != count))
        return context.invalidHere(std::string(axesName) + " / " + directionsName + " need " + std::to_string(count) +
                                   " entries");
    out.assign(count, {});
    for (size_t i = 0; i < count; ++i) {
        const Value& v = inputs ? context.input(firstValue + i) : context.output(firstValue + i);
        const auto rank = static_cast<int64_t>(v.shape.size());
        int64_t axis = axes.empty() ? 0 : axes[i];
        if (axis < -rank || axis >= rank) return context.invalidHere(std::string(axesName) + " is out of range");
        out[i].axis = axis < 0 ? axis + rank : axis;
        out[i].reverse = !directions.empty() && directions[i] != 0;
    }
    return Status::ok();
}

class ScanKernel : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.opset() > 0 && context.opset() < 9) {
            batched_ = makeScanBatchedKernel();
            return batched_->prepare(context);
        }
        body_ = context.node().subgraph("body");
        if (!body_) return context.invalidHere("needs a body graph");
        const int64_t scanned = context.node().attrInt("num_scan_inputs", 0);
        if (scanned < 1 || static_cast<size_t>(scanned) > context.inputCount())
            return context.invalidHere("num_scan_inputs is out of range");
        states_ = context.inputCount() - static_cast<size_t>(scanned);
        for (size_t i = 0; i < context.outputCount(); ++i) {
            if (i < states_ && !context.hasOutput(i))
                return context.unsupportedHere("an omitted state output is not supported");
            if (context.hasOutput(i) && context.output(i).dtype == DataType::String)
                return context.unsupportedHere("string outputs are not supported");
        }
        for (size_t i = 0; i < context.outputCount(); ++i)
            if (i >= states_ && !context.hasOutput(i))
                return context.unsupportedHere("an omitted scan output is not supported");
        IS_RETURN_IF_ERROR(readAxes(context, "scan_input_axes", "scan_input_directions", static_cast<size_t>(scanned),
                                    states_, true, inputs_));
        IS_RETURN_IF_ERROR(readAxes(context, "scan_output_axes", "scan_output_directions",
                                    context.outputCount() - states_, states_, false, outputs_));
        for (size_t j = 0; j < inputs_.size(); ++j) {
            const Shape& shape = context.inputShape(states_ + j);
            length_ = shape[static_cast<size_t>(inputs_[j].axis)];
            if (inputs_[j].axis == 0) continue;
            inputs_[j].workspaceOffset = workspace_;
            const std::size_t bytes = context.input(states_ + j).byteSize();
            const std::size_t slice = length_ ? bytes / static_cast<std::size_t>(length_) : 0;
            workspace_ += (slice + 63) & ~std::size_t(63);
        }
        return Status::ok();
    }

    std::size_t workspaceBytes() const override { return workspace_; }

    Status run(RunContext& context) override {
        if (batched_) return batched_->run(context);
        if (!context.subgraphs) return noSubgraphHost();
        std::vector<TensorView> inputs(context.outputs.begin(), context.outputs.begin() + states_);
        for (size_t i = 0; i < states_; ++i)
            if (inputs[i].bytes()) std::memcpy(inputs[i].data, context.inputs[i].data, inputs[i].bytes());
        for (size_t j = 0; j < inputs_.size(); ++j) {
            TensorView slice = context.inputs[states_ + j];
            slice.shape.erase(slice.shape.begin() + inputs_[j].axis);
            inputs.push_back(slice);
        }
        Subgraph* body = nullptr;
        Status status = Status::ok();
        for (int64_t t = 0; t < length_ && status.isOk(); ++t) {
            status = context.subgraphs->checkStop();
            if (status.isOk()) status = iterate(context, inputs, t, body);
        }
        if (body) body->finish();
        return status;
    }

private:
    Status iterate(RunContext& context, std::vector<TensorView>& inputs, int64_t t, Subgraph*& body) const {
        for (size_t j = 0; j < inputs_.size(); ++j) {
            const TensorView& whole = context.inputs[states_ + j];
            const int64_t position = inputs_[j].reverse ? length_ - 1 - t : t;
            TensorView& slice = inputs[states_ + j];
            if (inputs_[j].axis == 0) {
                slice.data = static_cast<std::byte*>(whole.data) + static_cast<std::size_t>(position) * slice.bytes();
            } else {
                slice.data = static_cast<std::byte*>(context.workspace) + inputs_[j].workspaceOffset;
                readSlice(whole, axisLayout(whole, inputs_[j].axis), position, slice.data);
            }
        }
        IS_ASSIGN_OR_RETURN(body, context.subgraphs->prepare(*body_, inputs));
        std::vector<TensorView> outputs;
        IS_RETURN_IF_ERROR(body->run(inputs, outputs));
        if (outputs.size() != context.outputs.size())
            return invalidModel("the body gives " + std::to_string(outputs.size()) + " outputs, the Scan needs " +
                                std::to_string(context.outputs.size()));
        for (size_t k = 0; k < outputs_.size(); ++k) {
            const TensorView& scan = context.outputs[states_ + k];
            const TensorView& slice = outputs[states_ + k];
            TensorView planned{scan.dtype, scan.shape, nullptr};
            planned.shape.erase(planned.shape.begin() + outputs_[k].axis);
            IS_RETURN_IF_ERROR(checkPlanned(slice, planned, "scan output " + std::to_string(k)));
            const int64_t position = outputs_[k].reverse ? length_ - 1 - t : t;
            writeSlice(slice.data, axisLayout(scan, outputs_[k].axis), position, scan);
        }
        const std::vector<TensorView> stateOut(outputs.begin(), outputs.begin() + states_);
        const std::vector<TensorView> state(inputs.begin(), inputs.begin() + states_);
        for (size_t i = 0; i < states_; ++i)
            IS_RETURN_IF_ERROR(checkPlanned(stateOut[i], state[i], "state value " + std::to_string(i)));
        copyOutputs(stateOut, state);
        return Status::ok();
    }

    const Graph* body_ = nullptr;
    size_t states_ = 0;
    int64_t length_ = 0;
    std::vector<ScanAxis> inputs_, outputs_;
    std::size_t workspace_ = 0;
    std::unique_ptr<Kernel> batched_;  // Scan before opset 9
};

}  // namespace

std::unique_ptr<Kernel> makeScanKernel() { return std::make_unique<ScanKernel>(); }

}  // namespace interstage::cpu::control
