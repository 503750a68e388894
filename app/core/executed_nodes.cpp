#include "core/executed_nodes.h"

#include <algorithm>
#include <unordered_map>

#include "interstage/live_peak.h"

namespace appcore {
namespace {

using interstage::Graph;
using interstage::kNoNode;
using interstage::kNoValue;

// Records that `step` stands for file node `node`; a node met at several
// steps (a lowered sequence op) keeps its first.
void assign(ExecutedNodes& out, int node, int step) {
    auto& list = out.fileNodesOfStep[static_cast<size_t>(step)];
    if (std::find(list.begin(), list.end(), node) == list.end()) list.push_back(node);
    int& first = out.stepOfFileNode[static_cast<size_t>(node)];
    if (first < 0 || step < first) first = step;
}

// Steps named after a file node: the node itself (fused heads keep their
// name), or "<node>/<op>_<n>" for the nodes sequence lowering emits.
void mapByName(const Graph& file, const std::vector<std::string>& names, ExecutedNodes& out) {
    std::unordered_map<std::string, int> nodeByName;
    for (size_t n = 0; n < file.nodes.size(); ++n) nodeByName.emplace(file.nodes[n].name, static_cast<int>(n));
    for (size_t s = 0; s < names.size(); ++s) {
        auto it = nodeByName.find(names[s]);
        const size_t slash = names[s].rfind('/');
        if (it == nodeByName.end() && slash != std::string::npos) it = nodeByName.find(names[s].substr(0, slash));
        if (it != nodeByName.end()) assign(out, it->second, static_cast<int>(s));
    }
}

// A fused chain's tail: its output value is what the fused node makes, so
// the file node that made it runs at that value's producer step.
void mapByOutputs(const Graph& file, const std::vector<interstage::TensorPlacement>& map, ExecutedNodes& out) {
    for (const interstage::TensorPlacement& p : map) {
        const interstage::ValueId v = file.find(p.name);
        if (v == kNoValue || p.first < 0 || p.first >= out.steps()) continue;
        const interstage::NodeId producer = file.value(v).producer;
        if (producer == kNoNode || out.stepOfFileNode[static_cast<size_t>(producer)] >= 0) continue;
        assign(out, static_cast<int>(producer), p.first);
    }
}

// Folded away: every output has a value known before running.
bool folded(const Graph& file, const interstage::Node& node) {
    for (interstage::ValueId out : node.outputs)
        if (out != kNoValue && !file.value(out).constant) return false;
    return true;
}

// The middle of a fused chain (a BatchNorm between Conv and Relu, the Add,
// Clip and Mul of a HardSwish): neither named nor making a planned tensor,
// it runs inside the node that consumes its output. Repeated until nothing
// changes, so chains resolve from their tail whatever the node order.
void mapFusedMiddles(const Graph& file, ExecutedNodes& out) {
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t n = 0; n < file.nodes.size(); ++n) {
            const interstage::Node& node = file.nodes[n];
            if (out.stepOfFileNode[n] >= 0 || folded(file, node)) continue;
            int step = -1;
            for (interstage::ValueId v : node.outputs) {
                if (v == kNoValue) continue;
                for (interstage::NodeId consumer : file.value(v).consumers) {
                    const int s = out.stepOfFileNode[static_cast<size_t>(consumer)];
                    if (s >= 0 && (step < 0 || s < step)) step = s;
                }
            }
            if (step < 0) continue;
            assign(out, static_cast<int>(n), step);
            changed = true;
        }
    }
}

// What a step adds and frees, counted as the live bytes are (in-place
// writes and Concat members once, inside their host): the bytes alive at
// the step less those carried in from the step before (made earlier), or
// less those carried on to the next (read later). So live(s) - added(s) is
// live(s-1) - freed(s-1), and the colours add up to the live curve.
std::vector<interstage::TensorPlacement> carriedIn(const std::vector<interstage::TensorPlacement>& map) {
    std::vector<interstage::TensorPlacement> made;
    for (interstage::TensorPlacement p : map) {
        if (p.movedAt > p.first) {
            // A Concat member's pages move into its host at movedAt: there
            // they are the host's bytes, but made before (reduce plans).
            interstage::TensorPlacement pages = p;
            pages.first = pages.last = p.movedAt;
            pages.buffer = p.movedBuffer;
            pages.offset = p.movedOffset;
            pages.movedAt = -1;
            made.push_back(pages);
        }
        if (p.first >= p.last) continue;  // made and last read at one step
        ++p.first;
        made.push_back(p);
    }
    return made;
}

std::vector<interstage::TensorPlacement> carriedOut(const std::vector<interstage::TensorPlacement>& map) {
    std::vector<interstage::TensorPlacement> kept;
    for (interstage::TensorPlacement p : map) {
        if (p.kept) {
            kept.push_back(p);  // graph outputs and pinned tensors are never freed
            continue;
        }
        if (p.last <= p.first) continue;
        --p.last;
        kept.push_back(p);
    }
    return kept;
}

}  // namespace

ExecutedNodes mapExecutedNodes(const interstage::Graph& file, const std::vector<std::string>& executedNodeNames,
                               const std::vector<interstage::TensorPlacement>& map) {
    ExecutedNodes out;
    out.fileNodesOfStep.resize(executedNodeNames.size());
    out.stepOfFileNode.assign(file.nodes.size(), -1);
    for (const interstage::Node& node : file.nodes) out.nodeNames.push_back(QString::fromStdString(node.name));
    for (const interstage::Value& value : file.values) out.valueNames.push_back(QString::fromStdString(value.name));
    mapByName(file, executedNodeNames, out);
    mapByOutputs(file, map, out);
    mapFusedMiddles(file, out);
    return out;
}

GraphStep graphStepAt(const ExecutedNodes& nodes, const interstage::Graph& file,
                      const std::vector<interstage::TensorPlacement>& map, int step) {
    GraphStep result;
    if (step < 0 || step >= nodes.steps()) return result;
    for (int node : nodes.fileNodesOfStep[static_cast<size_t>(step)])
        result.runningNodes.insert(nodes.nodeNames[static_cast<size_t>(node)]);
    std::vector<bool> planned(file.values.size(), false);
    for (const interstage::TensorPlacement& p : map) {
        const interstage::ValueId v = file.find(p.name);
        if (v == kNoValue) continue;
        planned[static_cast<size_t>(v)] = true;
        if (p.first > step) continue;
        result.madeValues.insert(nodes.valueNames[static_cast<size_t>(v)]);
        if (step <= p.last) result.liveValues.insert(nodes.valueNames[static_cast<size_t>(v)]);
    }
    // Graph inputs the plan leaves out (the caller's buffers): there from
    // the start, alive until their last reader has run.
    for (interstage::ValueId v : file.runtimeInputs()) {
        if (planned[static_cast<size_t>(v)]) continue;
        int last = -1;
        for (interstage::NodeId consumer : file.value(v).consumers)
            last = std::max(last, nodes.stepOfFileNode[static_cast<size_t>(consumer)]);
        result.madeValues.insert(nodes.valueNames[static_cast<size_t>(v)]);
        if (step <= last) result.liveValues.insert(nodes.valueNames[static_cast<size_t>(v)]);
    }
    // Tensors inside a fused node have no buffer: made when it runs.
    for (size_t n = 0; n < file.nodes.size(); ++n) {
        const int s = nodes.stepOfFileNode[n];
        if (s < 0 || s > step) continue;
        for (interstage::ValueId v : file.nodes[n].outputs)
            if (v != kNoValue && !planned[static_cast<size_t>(v)])
                result.madeValues.insert(nodes.valueNames[static_cast<size_t>(v)]);
    }
    return result;
}

NodeMemory nodeMemoryOf(const ExecutedNodes& nodes, const std::vector<interstage::TensorPlacement>& map,
                        const QString& source) {
    NodeMemory memory;
    memory.source = source;
    const size_t count = nodes.stepOfFileNode.size();
    const std::vector<std::size_t> live = interstage::liveBytesPerStep(map);
    const std::vector<std::size_t> in = liveBytesPerStep(carriedIn(map));
    const std::vector<std::size_t> out = liveBytesPerStep(carriedOut(map));
    std::vector<std::size_t> added(live.size(), 0);
    std::vector<std::size_t> freed(live.size(), 0);
    for (size_t s = 0; s < live.size(); ++s) {
        added[s] = live[s] - std::min(live[s], s < in.size() ? in[s] : 0);
        freed[s] = live[s] - std::min(live[s], s < out.size() ? out[s] : 0);
    }
    memory.ran.assign(count, false);
    memory.step = nodes.stepOfFileNode;
    memory.liveBytes.assign(count, 0);
    memory.addedBytes.assign(count, 0);
    memory.freedBytes.assign(count, 0);
    for (size_t n = 0; n < count; ++n) {
        const int s = nodes.stepOfFileNode[n];
        if (s < 0 || static_cast<size_t>(s) >= live.size()) {
            memory.step[n] = -1;
            continue;
        }
        memory.ran[n] = true;
        memory.liveBytes[n] = live[static_cast<size_t>(s)];
        memory.addedBytes[n] = added[static_cast<size_t>(s)];
        memory.freedBytes[n] = freed[static_cast<size_t>(s)];
    }
    const interstage::LivePeak peak = interstage::peakOfLiveTensors(map);
    memory.peakStep = peak.step;
    memory.peakBytes = peak.bytes;
    if (peak.step >= 0 && peak.step < nodes.steps())
        memory.peakNodes = nodes.fileNodesOfStep[static_cast<size_t>(peak.step)];
    return memory;
}

}  // namespace appcore
