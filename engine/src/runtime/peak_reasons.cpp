// Why each tensor is alive at the peak, from the executed graph (who made
// it, who reads it last), the plan (kept, workspace, in another's bytes)
// and the session's pins.
#include <algorithm>
#include <set>

#include "runtime/peak_explain_parts.h"

namespace interstage {
namespace {

const std::string kWorkspacePrefix = "workspace of ";

struct Facts {
    const Graph& graph;
    std::set<std::string> pinned;
    int step = 0;
};

std::string nodeName(const Graph& graph, std::size_t node) {
    return node < graph.nodes.size() ? graph.nodes[node].name : std::string();
}

// Producer and last reader of a planned tensor, by name in the executed graph.
void fillLinks(const Facts& f, const TensorPlacement& p, LiveTensorAtPeak& row, int& lastReaderStep) {
    lastReaderStep = -1;
    if (p.name.rfind(kWorkspacePrefix, 0) == 0) return;
    const ValueId id = f.graph.find(p.name);
    if (id == kNoValue) return;
    const Value& v = f.graph.value(id);
    if (v.producer != kNoNode) row.producer = nodeName(f.graph, static_cast<std::size_t>(v.producer));
    if (!v.consumers.empty()) {
        const auto last = *std::max_element(v.consumers.begin(), v.consumers.end());
        lastReaderStep = static_cast<int>(last);
        row.lastReader = nodeName(f.graph, static_cast<std::size_t>(last));
    }
}

// In another counted tensor's bytes: a Concat member, or a tensor written
// over in place (same bytes, one dying as the other is made).
std::string hostedReason(const Facts& f, const TensorPlacement& p, const TensorPlacement& host) {
    const ValueId id = f.graph.find(host.name);
    const bool concat = id != kNoValue && f.graph.value(id).producer != kNoNode &&
                        f.graph.nodes[static_cast<std::size_t>(f.graph.value(id).producer)].opType == "Concat";
    if (concat) return "Concat member of " + host.name + " (counted there)";
    if (host.first == f.step && p.last == f.step) return "overwritten in place by " + host.name + " (counted there)";
    return "written in place into " + host.name + " (counted there)";
}

std::string ownReason(const Facts& f, const TensorPlacement& p, const LiveTensorAtPeak& row, int lastReaderStep) {
    const std::string here = nodeName(f.graph, static_cast<std::size_t>(f.step));
    if (p.name.rfind(kWorkspacePrefix, 0) == 0) return "scratch of " + p.name.substr(kWorkspacePrefix.size());
    const ValueId id = f.graph.find(p.name);
    if (id != kNoValue && f.graph.value(id).isGraphOutput) return "graph output";
    // A pin matters at the peak only where no reader needs the tensor later.
    if (f.pinned.count(p.name))
        return lastReaderStep > f.step ? "pinned (--keep); also read later by " + row.lastReader : "pinned (--keep)";
    const std::string made = p.first == f.step ? "produced here, " : "";
    if (p.first > f.step) return "holds its Concat members until " + row.producer + " runs";
    if (lastReaderStep > f.step) return made + "read later by " + row.lastReader;
    if (lastReaderStep == f.step) return "read here by " + here + ", freed after it";
    if (p.first == f.step) return "produced here";
    return "alive until step " + std::to_string(p.last);
}

}  // namespace

std::vector<LiveTensorAtPeak> liveRowsAt(const Session& session, const std::vector<TensorPlacement>& map,
                                         const std::vector<LiveAtStep>& live, int step) {
    Facts facts{session.executedGraph(), {}, step};
    facts.pinned.insert(session.options().keep.begin(), session.options().keep.end());
    std::vector<LiveTensorAtPeak> rows;
    for (const LiveAtStep& l : live) {
        const TensorPlacement& p = map[l.index];
        LiveTensorAtPeak row;
        row.name = p.name;
        row.bytes = l.counted;
        row.tensorBytes = p.bytes;
        int lastReaderStep = -1;
        fillLinks(facts, p, row, lastReaderStep);
        row.reason = l.host >= 0 ? hostedReason(facts, p, map[static_cast<std::size_t>(l.host)])
                                 : ownReason(facts, p, row, lastReaderStep);
        rows.push_back(std::move(row));
    }
    std::stable_sort(rows.begin(), rows.end(), [](const LiveTensorAtPeak& a, const LiveTensorAtPeak& b) {
        return a.bytes != b.bytes ? a.bytes > b.bytes : a.tensorBytes > b.tensorBytes;
    });
    return rows;
}

}  // namespace interstage
