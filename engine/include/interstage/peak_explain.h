// Why a plan peaks where it does: the step and node of the plan's live
// peak, every tensor alive there with the reason it is still alive, the
// bounds no plan of this graph can go below, what the planner wastes
// (fragmentation), and what each pin and each in-place rule costs at the
// peak. Planning only: nothing runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "interstage/model.h"
#include "interstage/session.h"
#include "interstage/session_options.h"
#include "interstage/status.h"

namespace interstage {

struct LiveTensorAtPeak {
    std::string name;
    // The bytes it adds to the peak: its own bytes, less what lies inside
    // a tensor already counted (0 for a Concat member or a tensor written
    // in place into another: those count once, in their host).
    std::size_t bytes = 0;
    std::size_t tensorBytes = 0;  // its own size
    std::string producer;         // node name; "" for a workspace
    std::string lastReader;       // the last node that reads it; "" when none does
    std::string reason;           // why it is alive at the peak
};

// What something costs at the peak: the plan peak with it minus without it
// (negative when it lowers the peak). `error` set: the other plan failed.
struct PeakCost {
    std::string name;
    std::int64_t bytes = 0;
    std::string error;
};

struct PeakExplanation {
    std::string mode;
    int peakStep = -1;     // -1: nothing planned
    std::string peakNode;  // the executed graph's node at that step
    std::string peakOp;
    std::size_t planPeakBytes = 0;             // live bytes at the peak (in-place members once)
    std::vector<LiveTensorAtPeak> liveAtPeak;  // largest first; `bytes` sum to planPeakBytes
    std::size_t lowerBoundBytes = 0;           // the file's graph as written: every tensor its own bytes
    std::size_t executedLowerBoundBytes = 0;   // the executed graph (fused, folded) as written
    std::size_t aliasedLowerBoundBytes = 0;    // under the in-place rules in effect
    std::size_t fileOrderPeakBytes = 0;        // lower bound of the file's order (reduce planning)
    std::size_t bestOrderPeakBytes = 0;        // ... and of the best order found
    std::size_t bufferPeakBytes = 0;           // the buffers held at their worst step (arena: the slab)
    std::size_t fragmentationBytes = 0;        // bufferPeakBytes - planPeakBytes
    bool costsPlanned = false;                 // addPeakCosts ran
    std::vector<PeakCost> pinnedCost;          // per SessionOptions::keep entry
    std::vector<PeakCost> inPlaceCost;         // per in-place rule in effect, if it were off
};

// From a prepared session, without the costs (cheap: its plan and graph).
PeakExplanation explainPeak(const Session& session);
// The costs: the model (as the session was created from it) planned again
// with one pin or one rule less, a Session per variant, created and
// dropped, never run (seconds on a real model: kernels are prepared).
void addPeakCosts(PeakExplanation& explanation, const Model& model, const SessionOptions& options);
// Both.
PeakExplanation explainPeak(const Session& session, const Model& model);
// The same, creating the session from the model and options.
Result<PeakExplanation> explainPeak(const Model& model, const SessionOptions& options);

// The live peak a session plans (live_peak.h's count of its memory map).
std::size_t planPeakBytesOf(const Session& session);

}  // namespace interstage
