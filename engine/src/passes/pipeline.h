// The graph a session executes, from the file's graph: shapes resolved for
// the given inputs, then the passes in their order (constant folding,
// layer fusion, channel-blocked layout, the memory-aware execution order).
// The first stage of the pipeline that ARCHITECTURE.md draws; the plan
// (plan/plan_memory.h) takes its result.
#pragma once

#include <cstddef>
#include <set>
#include <string>

#include "interstage/model.h"
#include "passes/execution_order.h"
#include "passes/passes.h"
#include "plan/in_place.h"

namespace interstage {

struct PassOptions {
    bool fusion = true;
    // Decomposed attention into one MultiHeadAttention (with fusion; off on
    // Vulkan, which has no attention shader and would run it on the CPU).
    bool fuseAttention = true;
    // Fusions whose kernels only the CPU has (LayerNorm, GELU, MatMul bias
    // and activation: passes.h); off for GPU sessions.
    bool cpuFusions = true;
    // Channel block for the CPU's blocked layout (16 with AVX-512, 8 with
    // AVX2); 0 keeps every tensor NCHW (--no-blocked-layout, Vulkan).
    int channelBlock = 0;
    // Convolutions whose input is at least this many bytes run in row
    // stripes (cpu::nn::convStripeBytes()).
    std::size_t stripeBytes = 0;
    bool memoryAwareOrder = true;
    // What the order may count on being written in place.
    InPlaceOptions inPlace;
};

// Resolves shapes on a copy of `file` (with input values, when given, for
// shapes that depend on them: then nothing is folded) and runs the passes.
Result<Graph> runPasses(const Graph& file, const InputShapes& shapes, const ShapeOptions& shapeOptions,
                        const InputValues* values, const std::set<std::string>& pinned, const PassOptions& options,
                        RemovedValues& removed, ExecutionOrderReport& order);

}  // namespace interstage
