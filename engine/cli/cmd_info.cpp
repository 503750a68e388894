// `interstage-cli info MODEL`: what is in a model and what its memory needs
// are at least, for the graph as stored (before fusion or folding).
#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "interstage/model_info.h"
#include "interstage/op_support.h"
#include "interstage/plan_estimate.h"

namespace interstage::cli {
namespace {

nlohmann::json shapesJson(const std::vector<NamedShape>& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : list)
        out.push_back({{"name", s.name},
                       {"dtype", dataTypeName(s.dtype)},
                       {"shape", s.shapeKnown ? nlohmann::json(s.shape) : nlohmann::json(nullptr)}});
    return out;
}

nlohmann::json gapsJson(const Graph& graph, const std::vector<OpGap>& gaps) {
    nlohmann::json out = nlohmann::json::array();
    for (const OpGap& gap : gaps)
        out.push_back({{"op", gap.op},
                       {"count", gap.nodes},
                       {"first_node", graph.nodes[static_cast<size_t>(gap.firstNode)].name}});
    return out;
}

nlohmann::json unresolvedJson(const Graph& graph, const std::vector<UnresolvedShape>& unresolved) {
    nlohmann::json out = nlohmann::json::array();
    for (const UnresolvedShape& u : unresolved)
        out.push_back({{"value", graph.value(u.value).name},
                       {"node", graph.nodes[static_cast<size_t>(u.node)].name},
                       {"reason", u.reason},
                       {"root_cause", u.rootCause}});
    return out;
}

// What stands between this model and a run, said before anything runs.
void printObstacles(const Graph& graph, const ModelSummary& s, const ShapeReport& shapes, const OpSupport& support) {
    if (s.unloadedWeights > 0)
        std::cout << "weights        not loaded: " << s.unloadedWeights
                  << (s.unloadedWeights == 1 ? " initializer, " : " initializers, ")
                  << formatBytes(double(s.unloadedWeightBytes)) << " (" << s.unloadedWeightBytes
                  << " bytes) declared in external data; " << graph.unloadedWeights.front().reason << "\n";
    if (!shapes.unresolved.empty()) {
        std::cout << "unresolved     " << shapes.unresolved.size() << " values without a shape (shown as ?)\n";
        std::vector<std::string> reasons;  // root causes, each once (a node's outputs share one)
        for (const UnresolvedShape& u : shapes.unresolved)
            if (u.rootCause && std::find(reasons.begin(), reasons.end(), u.reason) == reasons.end())
                reasons.push_back(u.reason);
        for (size_t i = 0; i < reasons.size() && i < 5; ++i) std::cout << "  because      " << reasons[i] << "\n";
        if (reasons.size() > 5) std::cout << "  and          " << reasons.size() - 5 << " more (--json lists all)\n";
    }
    if (!support.noCpuKernel.empty())
        std::cout << "unsupported    " << describeGaps(graph, support.noCpuKernel) << " (on every backend)\n";
    if (!support.noShader.empty()) std::cout << "cpu on vulkan  " << describeGaps(graph, support.noShader) << "\n";
    for (size_t i = 0; i < shapes.notes.size() && i < 5; ++i) std::cout << "note           " << shapes.notes[i] << "\n";
    if (s.unloadedWeights > 0 || !support.noCpuKernel.empty())
        std::cout << "run            not possible as it stands (see above); everything shown is from the "
                     "graph alone\n";
    else if (!shapes.unresolved.empty())
        // Shapes may be known once a run gives the inputs' values (an If on
        // an input), or the defaults may not suit the model.
        std::cout << "run            may fail with these input shapes (see above); set them with --input "
                     "NAME=DIMS\n";
}

// The shapes resolved for the graph inputs: plans are made for the same.
InputShapes inputShapesOf(const Graph& graph) {
    InputShapes shapes;
    for (ValueId id : graph.runtimeInputs())
        if (graph.value(id).shapeResolved) shapes[graph.value(id).name] = graph.value(id).shape;
    return shapes;
}

void printEstimates(const Result<std::vector<PlanEstimate>>& estimates) {
    if (!estimates.ok()) {
        std::cout << "planned peaks  not estimated: " << estimates.status().message() << "\n";
        return;
    }
    std::cout << "planned peaks ";
    for (const PlanEstimate& e : estimates.value())
        std::cout << " " << e.preset << " " << formatBytes(double(e.plannedPeakBytes)) << ";";
    std::cout << " (intermediates, from the graph alone)\n";
}

nlohmann::json estimatesJson(const Result<std::vector<PlanEstimate>>& estimates) {
    nlohmann::json out = nlohmann::json::object();
    if (!estimates.ok()) return out;
    for (const PlanEstimate& e : estimates.value())
        out[e.preset] = {{"planned_peak_bytes", e.plannedPeakBytes},
                         {"buffers", e.buffers},
                         {"allocations_per_run", e.allocationsPerRun}};
    return out;
}

// Control-flow bodies: each one's own lower bound, and the graph's bound
// with each body added at its node's step.
nlohmann::json subgraphsJson(const Graph& graph, const std::vector<SubgraphBound>& bodies) {
    nlohmann::json list = nlohmann::json::array();
    for (const SubgraphBound& body : bodies)
        list.push_back({{"node", graph.nodes[static_cast<size_t>(body.node)].name},
                        {"body", body.body},
                        {"bytes", body.bytes},
                        {"taken", body.taken},
                        {"only_one_fits", body.onlyOneFits}});
    return list;
}

void printSubgraphs(const Graph& graph, const ModelSummary& s) {
    if (s.subgraphs.empty()) return;
    for (const SubgraphBound& body : s.subgraphs) {
        const Node& node = graph.nodes[static_cast<size_t>(body.node)];
        std::cout << "  subgraph     '" << node.name << "' (" << node.opType << ") " << body.body << ": "
                  << formatBytes(body.bytes)
                  << (node.opType != "If" ? ""
                      : body.taken        ? " (the branch taken)"
                      : body.onlyOneFits  ? " (the only branch that fits these shapes)"
                                          : " (the larger branch)")
                  << "\n";
    }
    const LowerBound& with = s.lowerBoundWithSubgraphs;
    std::cout << "with bodies    " << formatBytes(with.bytes) << " (" << with.bytes << " bytes)";
    if (with.step >= 0)
        std::cout << " at step " << with.step << ", node '" << graph.nodes[static_cast<size_t>(with.step)].name << "'";
    std::cout << "\n";
}

void printText(const LoadedModel& loaded, const ModelSummary& s) {
    const Graph& graph = loaded.model.graph;
    std::cout << "model          " << loaded.model.path << "\n";
    std::cout << "opset          " << s.opset << " (ir " << loaded.model.irVersion;
    if (!loaded.model.producerName.empty()) std::cout << ", from " << loaded.model.producerName;
    std::cout << ")\n";
    for (const auto& in : s.inputs)
        std::cout << "input          " << in.name << "  " << dataTypeName(in.dtype) << "  " << shapeToString(in.shape)
                  << "\n";
    for (const auto& note : loaded.shapes.defaultedInputs)
        std::cout << "  default      " << note << " (--input NAME=DIMS)\n";
    for (const auto& out : s.outputs)
        std::cout << "output         " << out.name << "  " << dataTypeName(out.dtype) << "  "
                  << (out.shapeKnown ? shapeToString(out.shape) : "?") << "\n";
    std::cout << "nodes          " << s.nodes << "\n";
    std::vector<std::pair<std::string, int>> ops(s.ops.begin(), s.ops.end());
    std::stable_sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::cout << "ops           ";
    for (size_t i = 0; i < ops.size(); ++i)
        std::cout << (i % 6 == 0 && i ? "\n               " : " ") << ops[i].first << " " << ops[i].second;
    std::cout << "\n";
    if (s.unloadedWeights == 0 || s.weightBytes > 0)
        std::cout << "weights        " << formatBytes(s.weightBytes) << " (" << s.weightBytes << " bytes, "
                  << s.weightElements << " elements)" << (s.unloadedWeights ? " loaded" : "") << "\n";
    std::cout << "intermediates  " << s.intermediateCount << " tensors, " << formatBytes(s.intermediateBytes) << " ("
              << s.intermediateBytes << " bytes)\n";
    std::cout << "largest        " << s.largestTensor << ", " << formatBytes(s.largestTensorBytes) << "\n";
    std::cout << "lower bound    " << formatBytes(s.lowerBound.bytes) << " (" << s.lowerBound.bytes << " bytes)";
    if (s.lowerBound.step >= 0)
        std::cout << " at step " << s.lowerBound.step << ", node '"
                  << graph.nodes[static_cast<size_t>(s.lowerBound.step)].name << "'";
    std::cout << "\n";
    printSubgraphs(graph, s);
}

}  // namespace

int runInfo(Args& args) {
    std::string path, jsonPath;
    std::vector<std::string> inputs;
    while (!args.done()) {
        Status error;
        std::string value;
        if (args.option("--input", value, error)) {
            if (!error.isOk()) return reportError(error);
            inputs.push_back(value);
        } else if (args.option("--json", jsonPath, error)) {
            if (!error.isOk()) return reportError(error);
        } else if (args.peek().rfind('-', 0) == 0) {
            return usageError("info: unknown option '" + args.peek() + "'");
        } else if (path.empty()) {
            path = args.next();
        } else {
            return usageError("info: unexpected argument '" + args.peek() + "'");
        }
    }
    if (path.empty()) return usageError("info: name a model file");
    auto loaded = loadWithShapes(path, inputs);
    if (!loaded.ok()) return reportError(loaded.status());
    const Graph& graph = loaded->model.graph;
    const ModelSummary s = summarizeModel(graph);
    const OpSupport support = opSupport(graph);
    printText(loaded.value(), s);
    // Plans need every shape; a model that cannot be planned still shows
    // everything above.
    const InputShapes shapes = inputShapesOf(graph);
    const Result<std::vector<PlanEstimate>> estimates =
        loaded->shapes.unresolved.empty()
            ? estimatePlans(graph, shapes)
            : Result<std::vector<PlanEstimate>>(shapeError("some values have no shape (see unresolved)"));
    printEstimates(estimates);
    printObstacles(graph, s, loaded->shapes, support);

    if (!jsonPath.empty()) {
        nlohmann::json doc = {
            {"model", loaded->model.path},
            {"opset", s.opset},
            {"nodes", s.nodes},
            {"ops", s.ops},
            {"weight_bytes", s.weightBytes},
            {"weight_elements", s.weightElements},
            {"intermediate_count", s.intermediateCount},
            {"intermediate_bytes", s.intermediateBytes},
            {"lower_bound_bytes", s.lowerBound.bytes},
            {"lower_bound_step", s.lowerBound.step},
            {"lower_bound_with_subgraphs_bytes", s.lowerBoundWithSubgraphs.bytes},
            {"subgraphs", subgraphsJson(graph, s.subgraphs)},
            {"largest_tensor", {{"name", s.largestTensor}, {"bytes", s.largestTensorBytes}}},
            {"inputs", shapesJson(s.inputs)},
            {"outputs", shapesJson(s.outputs)},
            {"defaulted_inputs", loaded->shapes.defaultedInputs},
            {"weights_loaded", s.unloadedWeights == 0},
            {"planned_peaks", estimatesJson(estimates)},
            {"unloaded_weight_bytes", s.unloadedWeightBytes},
            {"unresolved", unresolvedJson(graph, loaded->shapes.unresolved)},
            {"notes", loaded->shapes.notes},
            // Vulkan runs ops without a shader on the CPU (control-flow
            // nodes with their bodies); an op with no CPU kernel runs nowhere.
            {"unsupported",
             {{"cpu", gapsJson(graph, support.noCpuKernel)},
              {"vulkan", gapsJson(graph, support.notOnVulkan)},
              {"vulkan_cpu_fallback", gapsJson(graph, support.noShader)}}},
        };
        std::ofstream out(jsonPath);
        out << std::setw(2) << doc << "\n";
        if (!out) return reportError(Status(StatusCode::IoError, "cannot write '" + jsonPath + "'"));
    }
    return 0;
}

}  // namespace interstage::cli
