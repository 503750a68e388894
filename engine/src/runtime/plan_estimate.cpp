#include "interstage/plan_estimate.h"

#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/dnnl_context.h"
#include "passes/pipeline.h"
#include "plan/plan_memory.h"

namespace interstage {
namespace {

// Folding BatchNorm (or a Mul / Add) into a Conv changes which tensors
// exist, and the passes fold only weights they can read. Weights that were
// not loaded stand in as zeros of their declared shape, so the plan has the
// whole model's structure; beyond this size (a large language model, with
// nothing of that kind to fold) they are left out and folds are skipped.
constexpr std::size_t kMaxStandInBytes = std::size_t(1) << 30;

Graph withStandInWeights(const Graph& file) {
    Graph graph = file;
    std::size_t total = 0;
    for (const UnloadedWeight& weight : file.unloadedWeights) total += weight.bytes;
    if (total > kMaxStandInBytes) return graph;
    for (const UnloadedWeight& weight : file.unloadedWeights) {
        Value& v = graph.value(weight.value);
        v.constant = std::make_shared<const TensorData>(TensorData::zeros(v.dtype, v.shape));
    }
    graph.unloadedWeights.clear();
    return graph;
}

}  // namespace

Result<std::vector<PlanEstimate>> estimatePlans(const Graph& file, const InputShapes& shapes) {
    PassOptions passes;  // as Session's defaults on the CPU
    passes.channelBlock = cpu::nn::preferredChannelBlock();
    passes.stripeBytes = cpu::nn::convStripeBytes();
    passes.inPlace = hostInPlaceOptions(true, true);
    passes.inPlace.stripedConv = [](const Graph& g, size_t step) {
        return cpu::nn::convRunsInRowStripes(g, g.nodes[step]);
    };
    RemovedValues removed;
    ExecutionOrderReport order;
    auto exec = runPasses(file.unloadedWeights.empty() ? file : withStandInWeights(file), shapes, {}, nullptr, {},
                          passes, removed, order);
    if (!exec.ok()) return exec.status();

    std::vector<PlanEstimate> estimates;
    const int steps = static_cast<int>(exec->nodes.size());
    for (const MemoryPreset& preset : memoryPresets()) {
        PlanRequest request;
        request.mode = preset.mode;
        request.inPlace = passes.inPlace;
        const PlannedMemory planned = planMemory(exec.value(), request);
        PlanEstimate estimate;
        estimate.preset = preset.name;
        estimate.plannedPeakBytes = plannedPeakBytes(planned.plan, steps);
        estimate.buffers = static_cast<int>(planned.plan.buffers.size());
        for (const BufferSpec& buffer : planned.plan.buffers) estimate.allocationsPerRun += buffer.perRun() ? 1 : 0;
        estimates.push_back(estimate);
    }
    return estimates;
}

}  // namespace interstage
