// The optional facts an export carries beyond the runs: the model file's
// facts (the report's cover and graph figure), each planned tensor's role
// and host, and the peak explained. Files written before them lack them;
// readers then leave the defaults ("not known").
#include <limits>
#include <set>

#include "session_file/session_json.h"

namespace interstage::session_json {
namespace {

// The roles planTensorFactsOf gives (export_facts.h); a reader refuses
// others so that the app and the report can switch on them.
const std::set<std::string>& knownRoles() {
    static const std::set<std::string> roles = {"own", "in-place", "concat-member", "kept", "workspace"};
    return roles;
}

// [name, op, inputs, outputs]
OrderedJson graphToJson(const std::vector<GraphNodeFacts>& graph) {
    OrderedJson rows = OrderedJson::array();
    for (const GraphNodeFacts& n : graph) rows.push_back({n.name, n.op, n.inputs, n.outputs});
    return rows;
}

std::vector<GraphNodeFacts> graphFromJson(const Field& field) {
    std::vector<GraphNodeFacts> graph(field.array().size());
    for (std::size_t i = 0; i < graph.size(); ++i) {
        const Field row = field.at(i);
        row.array(4);
        graph[i] = {row.at(0).string(), row.at(1).string(), stringsFromJson(row.at(2)), stringsFromJson(row.at(3))};
    }
    return graph;
}

// [name, bytes, tensor_bytes, producer, last_reader, reason]
OrderedJson liveToJson(const std::vector<LiveTensorAtPeak>& live) {
    OrderedJson rows = OrderedJson::array();
    for (const LiveTensorAtPeak& t : live)
        rows.push_back({t.name, t.bytes, t.tensorBytes, t.producer, t.lastReader, t.reason});
    return rows;
}

std::vector<LiveTensorAtPeak> liveFromJson(const Field& field) {
    std::vector<LiveTensorAtPeak> live(field.array().size());
    for (std::size_t i = 0; i < live.size(); ++i) {
        const Field row = field.at(i);
        row.array(6);
        live[i] = {row.at(0).string(), row.at(1).bytes(),  row.at(2).bytes(),
                   row.at(3).string(), row.at(4).string(), row.at(5).string()};
    }
    return live;
}

}  // namespace

OrderedJson modelFactsToJson(const ModelFacts& f) {
    OrderedJson ops = OrderedJson::object();
    for (const auto& [op, count] : f.ops) ops[op] = count;
    return {{"opset", f.opset},
            {"nodes", f.nodes},
            {"ops", std::move(ops)},
            {"weight_bytes", f.weightBytes},
            {"intermediate_count", f.intermediateCount},
            {"intermediate_bytes", f.intermediateBytes},
            {"largest_tensor", f.largestTensor},
            {"largest_tensor_bytes", f.largestTensorBytes},
            {"lower_bound_bytes", f.lowerBoundBytes},
            {"architecture", f.architecture},
            {"graph", graphToJson(f.graph)}};
}

ModelFacts modelFactsFromJson(const Field& field) {
    ModelFacts f;
    f.present = true;
    f.opset = field["opset"].integer(0, 1 << 20);
    f.nodes = field["nodes"].int32(0, 1 << 30);
    const Field ops = field["ops"];
    for (const auto& [op, count] : ops.object().items())
        f.ops[op] = Field{count, ops.path + "." + op}.int32(0, 1 << 30);
    f.weightBytes = field["weight_bytes"].bytes();
    f.intermediateCount = field["intermediate_count"].int32(0, 1 << 30);
    f.intermediateBytes = field["intermediate_bytes"].bytes();
    f.largestTensor = field["largest_tensor"].string();
    f.largestTensorBytes = field["largest_tensor_bytes"].bytes();
    f.lowerBoundBytes = field["lower_bound_bytes"].bytes();
    f.architecture = field["architecture"].string();
    f.graph = graphFromJson(field["graph"]);
    return f;
}

OrderedJson planTensorsToJson(const std::vector<PlanTensorFacts>& tensors) {
    OrderedJson rows = OrderedJson::array();
    for (const PlanTensorFacts& t : tensors) rows.push_back({t.dtype, t.role, t.host});
    return rows;
}

std::vector<PlanTensorFacts> planTensorsFromJson(const Field& field) {
    std::vector<PlanTensorFacts> tensors(field.array().size());
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const Field row = field.at(i);
        row.array(3);
        PlanTensorFacts& t = tensors[i];
        t.dtype = row.at(0).int32(0, 16);
        t.role = row.at(1).string();
        if (!knownRoles().count(t.role))
            row.at(1).fail("is \"" + t.role + "\", not one of own, in-place, concat-member, kept, workspace");
        t.host = row.at(2).string();
    }
    return tensors;
}

OrderedJson peakToJson(const PeakExplanation& p) {
    return {{"mode", p.mode},
            {"step", p.peakStep},
            {"node", p.peakNode},
            {"op", p.peakOp},
            {"plan_peak_bytes", p.planPeakBytes},
            {"buffer_peak_bytes", p.bufferPeakBytes},
            {"fragmentation_bytes", p.fragmentationBytes},
            {"lower_bound_bytes", p.lowerBoundBytes},
            {"executed_lower_bound_bytes", p.executedLowerBoundBytes},
            {"aliased_lower_bound_bytes", p.aliasedLowerBoundBytes},
            {"file_order_peak_bytes", p.fileOrderPeakBytes},
            {"best_order_peak_bytes", p.bestOrderPeakBytes},
            {"live", liveToJson(p.liveAtPeak)}};
}

PeakExplanation peakFromJson(const Field& field) {
    PeakExplanation p;
    if (field.has("mode")) p.mode = field["mode"].string();
    p.peakStep = field["step"].int32(-1, std::numeric_limits<int>::max());
    p.peakNode = field["node"].string();
    p.peakOp = field["op"].string();
    p.planPeakBytes = field["plan_peak_bytes"].bytes();
    p.bufferPeakBytes = field["buffer_peak_bytes"].bytes();
    p.fragmentationBytes = field["fragmentation_bytes"].bytes();
    p.lowerBoundBytes = field["lower_bound_bytes"].bytes();
    p.executedLowerBoundBytes = field["executed_lower_bound_bytes"].bytes();
    p.aliasedLowerBoundBytes = field["aliased_lower_bound_bytes"].bytes();
    if (field.has("file_order_peak_bytes")) p.fileOrderPeakBytes = field["file_order_peak_bytes"].bytes();
    if (field.has("best_order_peak_bytes")) p.bestOrderPeakBytes = field["best_order_peak_bytes"].bytes();
    p.liveAtPeak = liveFromJson(field["live"]);
    return p;
}

}  // namespace interstage::session_json
