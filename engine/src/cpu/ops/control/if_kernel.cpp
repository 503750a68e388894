// If: runs the branch its condition picks and copies the branch's outputs
// into the node's.
#include "cpu/ops/control/body_io.h"
#include "cpu/ops/control/control_kernels.h"

namespace interstage::cpu::control {
namespace {

class IfKernel : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        thenBranch_ = context.node().subgraph("then_branch");
        elseBranch_ = context.node().subgraph("else_branch");
        if (!thenBranch_ || !elseBranch_) return context.invalidHere("needs then_branch and else_branch graphs");
        return refuseStringOutputs(context);
    }

    Status run(RunContext& context) override {
        if (!context.subgraphs) return noSubgraphHost();
        const bool condition = scalarOf(context.inputs[0]) != 0;
        const char* taken = condition ? "then_branch" : "else_branch";
        auto body = context.subgraphs->prepare(condition ? *thenBranch_ : *elseBranch_, {});
        if (!body.ok()) return Status(body.status().code(), std::string(taken) + ": " + body.status().message());
        std::vector<TensorView> outputs;
        Subgraph* branch = body.value();
        Status ran = branch->run({}, outputs);
        if (ran.isOk() && outputs.size() != context.outputs.size())
            ran = invalidModel(std::string(taken) + " gives " + std::to_string(outputs.size()) +
                               " outputs, the node has " + std::to_string(context.outputs.size()));
        for (size_t i = 0; ran.isOk() && i < outputs.size(); ++i)
            if (context.outputs[i].data)
                ran = checkPlanned(outputs[i], context.outputs[i], std::string(taken) + " output " + std::to_string(i));
        if (ran.isOk()) copyOutputs(outputs, context.outputs);
        branch->finish();
        return ran;
    }

private:
    const Graph* thenBranch_ = nullptr;
    const Graph* elseBranch_ = nullptr;
};

}  // namespace

std::unique_ptr<Kernel> makeIfKernel() { return std::make_unique<IfKernel>(); }

}  // namespace interstage::cpu::control
