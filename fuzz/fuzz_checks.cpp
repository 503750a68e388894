#include "fuzz_checks.h"

#include <cstddef>
#include <filesystem>
#include <set>

#include "interstage/model.h"
#include "interstage/model_info.h"
#include "interstage/op_support.h"
#include "nested_plans.h"
#include "passes/blocked_layout.h"
#include "passes/execution_order.h"
#include "passes/passes.h"
#include "plan_invariants.h"

namespace interstage::fuzzing {
namespace {

// Small limits keep each input fast and inside libFuzzer's RSS limit:
// the loader must refuse what is bigger with a clear Status, not crash.
LoadOptions fuzzLoadOptions() {
    LoadOptions options;
    options.maxFileBytes = 1 << 20;
    options.maxTensorBytes = 16 << 20;
    options.maxNodes = 20000;
    return options;
}

// External data is resolved against an empty folder: every reference
// either fails cleanly or (with `..`, absolute paths) is refused.
const std::string& emptyDirectory() {
    static const std::string dir = [] {
        auto path = std::filesystem::temp_directory_path() / "interstage-fuzz-empty";
        std::filesystem::create_directories(path);
        return path.string();
    }();
    return dir;
}

// The inspection path (the app, `info`): weights may be missing and shapes
// keep going. What it lists must be consistent, and a graph the strict
// resolution accepts must have nothing unresolved.
std::string checkInspection(const std::string& bytes, const ShapeOptions& strict) {
    LoadOptions loadOptions = fuzzLoadOptions();
    loadOptions.weightsOptional = true;
    auto model = loadModelFromBytes(bytes, emptyDirectory(), loadOptions);
    if (!model.ok()) return {};
    Graph graph = model->graph;
    for (const UnloadedWeight& w : graph.unloadedWeights)
        if (w.value < 0 || static_cast<size_t>(w.value) >= graph.values.size() || graph.value(w.value).constant)
            return "an unloaded weight names no value, or one that has a value";
    ShapeOptions options = strict;
    options.keepGoing = true;
    auto report = resolveShapes(graph, {}, options);
    if (!report.ok()) return {};  // only the inputs' own shapes may stop it
    for (const UnresolvedShape& u : report->unresolved)
        if (u.node < 0 || static_cast<size_t>(u.node) >= graph.nodes.size() || graph.value(u.value).shapeResolved)
            return "an unresolved shape names no node, or a value with a shape";
    (void)summarizeModel(graph);
    (void)opSupport(graph);
    Graph strictGraph = model->graph;
    if (graph.unloadedWeights.empty() && resolveShapes(strictGraph, {}, strict).ok() && !report->unresolved.empty())
        return "the strict resolution succeeds where keep-going leaves shapes unresolved";
    return {};
}

void runPasses(Graph& graph, const std::set<std::string>& pinned) {
    RemovedValues removed;
    foldConstants(graph, pinned, removed);
    fuseHardSwish(graph, pinned, removed);
    fuseLayers(graph, pinned, removed);
    foldAffineIntoConv(graph, pinned, removed);
    fuseLayers(graph, pinned, removed);
}

// Channel blocking only ever picks 4-D float intermediates with whole
// blocks of channels, never a graph input or output.
std::string checkBlockedLayouts(Graph& graph, const std::set<std::string>& pinned) {
    chooseBlockedLayouts(graph, 16, std::size_t(1) << 24, pinned);
    for (const Value& v : graph.values)
        if (v.channelBlock && (v.shape.size() != 4 || v.shape[1] % 16 != 0 || v.dtype != DataType::Float ||
                               v.isGraphInput || v.isGraphOutput || v.producer == kNoNode || v.constant))
            return "value '" + v.name + "' is channel-blocked but may not be";
    return {};
}

// The memory-aware order is a permutation of the nodes in which every
// value is produced before it is read, and never plans a higher peak.
std::string checkOrder(Graph& graph, const std::set<std::string>& pinned) {
    const size_t nodesBefore = graph.nodes.size();
    InPlaceOptions orderOptions;
    orderOptions.stripedConv = [](const Graph& g, size_t step) { return g.nodes[step].opType == "Conv"; };
    static const PageRules smallPages{64, 64};
    orderOptions.pages = &smallPages;
    orderOptions.movePages = true;
    const ExecutionOrderReport order = orderForMemory(graph, pinned, orderOptions);
    if (graph.nodes.size() != nodesBefore) return "the memory-aware order lost or added nodes";
    if (order.chosenPeak > order.fileOrderPeak) return "the memory-aware order raised the peak";
    for (size_t n = 0; n < graph.nodes.size(); ++n)
        for (ValueId id : graph.nodes[n].inputs)
            if (id != kNoValue && graph.value(id).producer != kNoNode &&
                static_cast<size_t>(graph.value(id).producer) >= n)
                return "node '" + graph.nodes[n].name + "' runs before its input is made";
    return {};
}

}  // namespace

Finding checkModelBytes(const std::string& bytes) {
    Finding finding;
    ShapeOptions shapeOptions;
    shapeOptions.defaultDim = 8;  // dynamic dims stay small
    shapeOptions.maxFoldElements = 4096;
    finding.broken = checkInspection(bytes, shapeOptions);
    if (!finding.broken.empty()) return finding;
    auto model = loadModelFromBytes(bytes, emptyDirectory(), fuzzLoadOptions());
    if (!model.ok()) return finding;

    Graph graph = model->graph;
    if (!resolveShapes(graph, {}, shapeOptions).ok()) {
        // Shapes known only at run time (a Loop's scan outputs, If
        // branches that differ): a session resolves per run, and the
        // bodies whose inputs have static shapes get them already.
        Graph partial = model->graph;
        ShapeOptions keepGoing = shapeOptions;
        keepGoing.keepGoing = true;
        if (resolveShapes(partial, {}, keepGoing).ok()) checkNestedPlans(partial, shapeOptions, finding);
        return finding;
    }
    (void)summarizeModel(graph);

    const std::set<std::string> pinned;
    runPasses(graph, pinned);
    finding.broken = checkBlockedLayouts(graph, pinned);
    if (!finding.broken.empty()) return finding;
    if (graph.nodes.size() > 2000) return finding;  // the pairwise checks are quadratic
    finding.broken = checkOrder(graph, pinned);
    if (finding.broken.empty()) finding.broken = checkPlans(graph);
    // The bodies against the graph a session runs: after the passes.
    if (finding.broken.empty()) checkNestedPlans(graph, shapeOptions, finding);
    return finding;
}

}  // namespace interstage::fuzzing
