#include "interstage/export_facts.h"

#include <algorithm>

#include "interstage/model_info.h"
#include "interstage/peak_explain.h"

namespace interstage {
namespace {

const std::string kWorkspacePrefix = "workspace of ";

// The zoo's U^2-Net-P at the seed's size (its table was measured at
// 1x3x320x320 float): another size or type is the same architecture but
// not the seed's numbers.
bool isSeedU2netp(const std::string& producerName, const Graph& resolved) {
    if (producerName != "interstage" || resolved.name != "u2netp") return false;
    for (ValueId id : resolved.inputs) {
        const Value& v = resolved.value(id);
        if (!v.isInitializer) return v.dtype == DataType::Float && v.shapeResolved && v.shape == Shape{1, 3, 320, 320};
    }
    return false;
}

std::vector<GraphNodeFacts> graphFactsOf(const Graph& graph) {
    std::vector<GraphNodeFacts> nodes;
    nodes.reserve(graph.nodes.size());
    for (const Node& node : graph.nodes) {
        GraphNodeFacts n{node.name, node.opType, {}, {}};
        for (ValueId id : node.inputs) n.inputs.push_back(id == kNoValue ? std::string() : graph.value(id).name);
        for (ValueId id : node.outputs) n.outputs.push_back(id == kNoValue ? std::string() : graph.value(id).name);
        nodes.push_back(std::move(n));
    }
    return nodes;
}

bool aliveTogether(const TensorPlacement& a, const TensorPlacement& b) {
    return a.first <= b.last && b.first <= a.last;
}

// `member` shares `host`'s bytes: same buffer, inside its range, alive at
// the same time (a buffer reused after its tenant died is no sharing).
// Equal ranges: the later-made one holds the bytes (an input overwritten
// in place lives on in its output).
bool liesIn(const TensorPlacement& member, const TensorPlacement& host) {
    if (&member == &host || member.buffer != host.buffer || !aliveTogether(member, host)) return false;
    if (member.offset < host.offset || member.offset + member.bytes > host.offset + host.bytes) return false;
    if (member.bytes < host.bytes) return true;
    return member.offset == host.offset && member.first < host.first;
}

// The tensor whose bytes `p` lives in: after a page move the one holding
// the moved range at that step, else the largest one it lies in.
long hostIndexOf(const std::vector<TensorPlacement>& map, const TensorPlacement& p) {
    long best = -1;
    for (std::size_t i = 0; i < map.size(); ++i) {
        const TensorPlacement& h = map[i];
        if (p.movedAt >= 0) {
            const bool holds = h.buffer == p.movedBuffer && h.offset <= p.movedOffset &&
                               p.movedOffset + p.bytes <= h.offset + h.bytes && h.first <= p.movedAt &&
                               p.movedAt <= h.last && &h != &p;
            if (holds && (best < 0 || h.bytes > map[static_cast<std::size_t>(best)].bytes)) best = static_cast<long>(i);
        } else if (liesIn(p, h) && (best < 0 || h.bytes > map[static_cast<std::size_t>(best)].bytes)) {
            best = static_cast<long>(i);
        }
    }
    return best;
}

bool madeByConcat(const Graph& graph, const std::string& name) {
    const ValueId id = graph.find(name);
    if (id == kNoValue || graph.value(id).producer == kNoNode) return false;
    return graph.nodes[static_cast<std::size_t>(graph.value(id).producer)].opType == "Concat";
}

PlanTensorFacts factsOfOne(const std::vector<TensorPlacement>& map, const Graph& graph, const TensorPlacement& p) {
    PlanTensorFacts f;
    const ValueId id = graph.find(p.name);
    if (id != kNoValue) f.dtype = static_cast<int>(graph.value(id).dtype);
    if (p.name.rfind(kWorkspacePrefix, 0) == 0) {
        f.role = "workspace";
        return f;
    }
    const long host = hostIndexOf(map, p);
    if (host >= 0) {
        f.host = map[static_cast<std::size_t>(host)].name;
        f.role = p.movedAt >= 0 || madeByConcat(graph, f.host) ? "concat-member" : "in-place";
        return f;
    }
    f.role = p.kept ? "kept" : "own";
    return f;
}

}  // namespace

ModelFacts modelFactsOf(const Model& model, const InputShapes& shapes, const ShapeOptions& options) {
    // Resolved on a copy for the run's shapes (a loaded model has only its
    // inputs' and weights' shapes), keeping going past values without one:
    // facts are best effort, such values count 0 bytes.
    Graph graph = model.graph;
    ShapeOptions keepGoing = options;
    keepGoing.keepGoing = true;
    const bool resolved = resolveShapes(graph, shapes, keepGoing).ok();
    const Graph& summarized = resolved ? graph : model.graph;
    return modelFactsFrom(summarizeModel(summarized), summarized, model.producerName);
}

ModelFacts modelFactsFrom(const ModelSummary& summary, const Graph& resolved, const std::string& producerName) {
    ModelFacts f;
    f.present = true;
    f.opset = summary.opset;
    f.nodes = summary.nodes;
    f.ops = summary.ops;
    f.weightBytes = summary.weightBytes;
    f.intermediateCount = summary.intermediateCount;
    f.intermediateBytes = summary.intermediateBytes;
    f.largestTensor = summary.largestTensor;
    f.largestTensorBytes = summary.largestTensorBytes;
    f.lowerBoundBytes = summary.lowerBound.bytes;
    f.architecture = isSeedU2netp(producerName, resolved) ? "u2netp" : "";
    f.graph = graphFactsOf(resolved);
    return f;
}

std::vector<PlanTensorFacts> planTensorFactsOf(const std::vector<TensorPlacement>& map, const Graph& graph) {
    std::vector<PlanTensorFacts> facts;
    facts.reserve(map.size());
    for (const TensorPlacement& p : map) facts.push_back(factsOfOne(map, graph, p));
    return facts;
}

std::vector<PlanTensorFacts> planTensorFactsOf(const Session& session) {
    return planTensorFactsOf(session.memoryMap(), session.executedGraph());
}

void addExportFacts(SavedRunSet& set, const Session& session) {
    set.executedNodeOps.clear();
    for (const Node& node : session.executedGraph().nodes) set.executedNodeOps.push_back(node.opType);
    set.executedValueNames.clear();
    for (const Value& value : session.executedGraph().values) set.executedValueNames.push_back(value.name);
    set.planTensors = planTensorFactsOf(session);
    set.peak = explainPeak(session);
}

}  // namespace interstage
