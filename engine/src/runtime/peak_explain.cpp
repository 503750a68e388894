// The peak explanation from a prepared session's plan: the live tensors at
// the peak with their reasons (peak_reasons below), the session's bounds,
// the buffers against the live bytes, and the costs, each from a plan of
// the model with one pin or one in-place rule less (peak_costs.cpp).
#include "interstage/peak_explain.h"

#include "interstage/live_peak.h"
#include "runtime/live_at_step.h"
#include "runtime/peak_explain_parts.h"

namespace interstage {
namespace {

void fillBounds(const Session& session, PeakExplanation& e) {
    e.lowerBoundBytes = session.lowerBoundBytes();
    e.executedLowerBoundBytes = session.executedLowerBoundBytes();
    e.aliasedLowerBoundBytes = session.aliasedLowerBoundBytes();
    const Session::ExecutionOrder order = session.executionOrder();
    e.fileOrderPeakBytes = order.fileOrderPeakBytes;
    e.bestOrderPeakBytes = order.peakBytes;
}

}  // namespace

std::size_t planPeakBytesOf(const Session& session) { return peakOfLiveTensors(session.memoryMap()).bytes; }

PeakExplanation explainPeak(const Session& session) {
    PeakExplanation e;
    e.mode = session.options().mode.name();
    const std::vector<TensorPlacement> map = session.memoryMap();
    const LivePeak peak = peakOfLiveTensors(map);
    e.peakStep = peak.step;
    e.planPeakBytes = peak.bytes;
    const Graph& graph = session.executedGraph();
    if (peak.step >= 0 && static_cast<std::size_t>(peak.step) < graph.nodes.size()) {
        e.peakNode = graph.nodes[static_cast<std::size_t>(peak.step)].name;
        e.peakOp = graph.nodes[static_cast<std::size_t>(peak.step)].opType;
    }
    if (peak.step >= 0) e.liveAtPeak = liveRowsAt(session, map, liveAtStepWithHosts(map, peak.step), peak.step);
    fillBounds(session, e);
    e.bufferPeakBytes = session.plannedBufferPeakBytes();
    // For the arena the buffers are the slab, held through the run, against
    // the live bytes at its worst step; for the other planners the buffers
    // at their worst step are what they hold for tensors whose bytes are
    // not live (kept to the end, sized for a bigger tenant): the same
    // waste, measured the same way. Never negative (page moves are counted
    // alike in both).
    e.fragmentationBytes = e.bufferPeakBytes > e.planPeakBytes ? e.bufferPeakBytes - e.planPeakBytes : 0;
    return e;
}

void addPeakCosts(PeakExplanation& e, const Model& model, const SessionOptions& options) {
    e.pinnedCost = pinCosts(model, options, e.planPeakBytes);
    e.inPlaceCost = inPlaceCosts(model, options, e.planPeakBytes);
    e.costsPlanned = true;
}

PeakExplanation explainPeak(const Session& session, const Model& model) {
    PeakExplanation e = explainPeak(session);
    addPeakCosts(e, model, session.options());
    return e;
}

Result<PeakExplanation> explainPeak(const Model& model, const SessionOptions& options) {
    IS_ASSIGN_OR_RETURN(auto session, Session::create(model, options));
    return explainPeak(*session, model);
}

}  // namespace interstage
