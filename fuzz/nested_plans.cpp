#include "nested_plans.h"

#include "model/node_bodies.h"
#include "model/subgraph_depth.h"
#include "plan/plan_memory.h"
#include "plan_invariants.h"

namespace interstage::fuzzing {
namespace {

constexpr int kMaxBodiesPerInput = 64;

// The plan subgraph_runner.cpp makes for a body, in one mode: no in-place
// writes, Concat members or page moves, so each tensor has its own bytes.
std::string checkRuntimePlan(const Graph& body, const MemoryMode& mode) {
    PlanRequest request;
    request.mode = mode;
    request.aliases = false;
    request.inPlace = InPlaceOptions{false, false, nullptr, nullptr, false};
    const PlannedMemory planned = planMemory(body, request);
    if (planned.tensors.size() > 2000) return {};
    std::string broken = checkNoOverlap(planned.tensors, planned.plan);
    if (broken.empty() && !planned.plan.moves.empty()) broken = "a body's plan without aliases moves pages";
    if (broken.empty()) broken = checkTrims(planned.tensors, planned.plan);
    return broken.empty() ? broken : broken + " (runtime plan, mode " + mode.name() + ")";
}

std::string checkBody(const Graph& body) {
    for (const char* name : {"default", "reduce", "reuse", "reduce+reuse", "arena"}) {
        auto mode = MemoryMode::parse(name);
        if (!mode.ok()) return std::string("memory mode '") + name + "' does not parse";
        if (std::string broken = checkRuntimePlan(body, mode.value()); !broken.empty()) return broken;
    }
    return checkPlans(body);
}

}  // namespace

void checkNestedPlans(const Graph& graph, const ShapeOptions& options, Finding& finding, int depth) {
    if (depth > kMaxSubgraphDepth) return;
    for (const Node& node : graph.nodes) {
        const std::optional<NodeBodies> bodies = nodeBodies(graph, node);
        if (!bodies) continue;
        for (const std::string& name : bodies->names) {
            if (!finding.broken.empty() || finding.bodiesPlanned >= kMaxBodiesPerInput) return;
            const Graph* body = node.subgraph(name);
            if (!body) continue;
            auto resolved = resolveBody(*body, bodies->inputs, graph, options);
            if (!resolved.ok() && resolved.status().code() == StatusCode::ShapeError && !bodies->firstIteration.empty())
                resolved = resolveBody(*body, bodies->firstIteration, graph, options);
            if (!resolved.ok()) continue;
            ++finding.bodiesPlanned;
            finding.broken = checkBody(resolved.value());
            if (!finding.broken.empty()) {
                finding.broken =
                    "node '" + node.name + "', " + name + " (depth " + std::to_string(depth) + "): " + finding.broken;
                return;
            }
            checkNestedPlans(resolved.value(), options, finding, depth + 1);
        }
    }
}

}  // namespace interstage::fuzzing
