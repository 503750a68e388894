// Loop: runs its body while the iteration count is below M and the
// condition holds. Carried values live in the node's own outputs between
// iterations (the body reads them there and its results are copied back),
// scan outputs are filled one slice per iteration. The run's stop request
// is checked before every iteration, so a loop that never ends can still
// be stopped.
#include <cstring>
#include <limits>

#include "cpu/ops/control/body_io.h"
#include "cpu/ops/control/control_kernels.h"

namespace interstage::cpu::control {
namespace {

class LoopKernel : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        body_ = context.node().subgraph("body");
        if (!body_) return context.invalidHere("needs a body graph");
        carried_ = context.inputCount() - 2;
        for (size_t i = 0; i < carried_; ++i)
            if (!context.hasOutput(i))
                return context.unsupportedHere("an omitted carried output (" + std::to_string(i) +
                                               ") is not supported");
        return refuseStringOutputs(context);
    }

    Status run(RunContext& context) override {
        if (!context.subgraphs) return noSubgraphHost();
        const int64_t limit = context.hasInput(0) ? scalarOf(context.inputs[0]) : std::numeric_limits<int64_t>::max();
        bool condition = !context.hasInput(1) || scalarOf(context.inputs[1]) != 0;
        std::vector<TensorView> state(context.outputs.begin(), context.outputs.begin() + carried_);
        for (size_t i = 0; i < carried_; ++i)
            if (state[i].bytes()) std::memcpy(state[i].data, context.inputs[2 + i].data, state[i].bytes());
        const std::vector<TensorView> scans(context.outputs.begin() + carried_, context.outputs.end());

        int64_t iteration = 0;
        uint8_t conditionIn = 1;
        std::vector<TensorView> inputs{{DataType::Int64, {}, &iteration}, {DataType::Bool, {}, &conditionIn}};
        inputs.insert(inputs.end(), state.begin(), state.end());
        Subgraph* body = nullptr;
        Status status = Status::ok();
        for (; iteration < limit && condition; ++iteration) {
            status = context.subgraphs->checkStop();
            if (!status.isOk()) break;
            conditionIn = condition ? 1 : 0;
            status = iterate(context, inputs, scans, iteration, body, condition);
            if (!status.isOk()) break;
        }
        if (body) body->finish();
        IS_RETURN_IF_ERROR(status);
        for (const TensorView& scan : scans)
            if (scan.data && scan.shape[0] != iteration)
                return invalidArgument("the loop ran " + std::to_string(iteration) +
                                       " iterations, but its scan outputs were planned for " +
                                       std::to_string(scan.shape[0]));
        return Status::ok();
    }

private:
    Status iterate(RunContext& context, const std::vector<TensorView>& inputs, const std::vector<TensorView>& scans,
                   int64_t iteration, Subgraph*& body, bool& condition) const {
        IS_ASSIGN_OR_RETURN(body, context.subgraphs->prepare(*body_, inputs));
        std::vector<TensorView> outputs;
        IS_RETURN_IF_ERROR(body->run(inputs, outputs));
        if (outputs.size() != 1 + carried_ + scans.size())
            return invalidModel("the body gives " + std::to_string(outputs.size()) + " outputs, the Loop needs " +
                                std::to_string(1 + carried_ + scans.size()));
        condition = scalarOf(outputs[0]) != 0;
        const std::vector<TensorView> carriedOut(outputs.begin() + 1, outputs.begin() + 1 + carried_);
        const std::vector<TensorView> state(inputs.begin() + 2, inputs.end());
        for (size_t i = 0; i < carried_; ++i)
            IS_RETURN_IF_ERROR(checkPlanned(carriedOut[i], state[i], "carried value " + std::to_string(i)));
        for (size_t k = 0; k < scans.size(); ++k) {
            const TensorView& slice = outputs[1 + carried_ + k];
            const TensorView& scan = scans[k];
            if (!scan.data) continue;
            if (iteration >= scan.shape[0])
                return invalidArgument("the loop runs past the " + std::to_string(scan.shape[0]) +
                                       " iterations its scan outputs were planned for");
            TensorView planned{scan.dtype, Shape(scan.shape.begin() + 1, scan.shape.end()), nullptr};
            IS_RETURN_IF_ERROR(checkPlanned(slice, planned, "scan output " + std::to_string(k)));
            if (slice.bytes())
                std::memcpy(static_cast<std::byte*>(scan.data) + static_cast<std::size_t>(iteration) * slice.bytes(),
                            slice.data, slice.bytes());
        }
        copyOutputs(carriedOut, state);
        return Status::ok();
    }

    const Graph* body_ = nullptr;
    size_t carried_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeLoopKernel() { return std::make_unique<LoopKernel>(); }

}  // namespace interstage::cpu::control
