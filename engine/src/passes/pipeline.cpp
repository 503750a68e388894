#include "passes/pipeline.h"

#include "passes/blocked_layout.h"

namespace interstage {

Result<Graph> runPasses(const Graph& file, const InputShapes& shapes, const ShapeOptions& shapeOptions,
                        const InputValues* values, const std::set<std::string>& pinned, const PassOptions& options,
                        RemovedValues& removed, ExecutionOrderReport& order) {
    Graph graph = file;
    auto report = resolveShapes(graph, shapes, shapeOptions, values);
    if (!report.ok()) return report.status();
    removed = {};
    if (!values) foldConstants(graph, pinned, removed);  // folded values must not depend on inputs
    if (options.fusion) {
        if (options.fuseAttention) fuseAttention(graph, pinned, removed);  // first: later passes fold its parts
        fuseHardSwish(graph, pinned, removed);
        fuseQdqConv(graph, pinned, removed);
        fuseDequantizeIntoConvInteger(graph, pinned, removed);
        if (options.cpuFusions) {
            fuseLayerNorm(graph, pinned, removed);
            fuseGelu(graph, pinned, removed);
            fuseMatMulEpilogue(graph, pinned, removed);  // after fuseGelu: GELU becomes the MatMul's activation
            foldTransposeIntoMatMul(graph, pinned, removed);
        }
        fuseLayers(graph, pinned, removed);  // BatchNorm first: the affine fold sees the folded Conv
        foldAffineIntoConv(graph, pinned, removed);
        foldInputAffineIntoConv(graph, pinned, removed);
        fuseLayers(graph, pinned, removed);                                // activations that follow a folded affine
        if (options.cpuFusions) fuseConvResidual(graph, pinned, removed);  // after the activations it keeps
        nestPrefixConcats(graph);
    }
    if (options.channelBlock > 0) chooseBlockedLayouts(graph, options.channelBlock, options.stripeBytes, pinned);
    order = {};
    if (options.memoryAwareOrder) order = orderForMemory(graph, pinned, options.inPlace);
    return graph;
}

}  // namespace interstage
