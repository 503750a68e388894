// The pieces of the peak explanation (interstage/peak_explain.h): the rows
// with their reasons, and the costs planned from the model again.
#pragma once

#include <vector>

#include "interstage/peak_explain.h"
#include "runtime/live_at_step.h"

namespace interstage {

// One row per tensor alive at `step`, largest counted bytes first.
std::vector<LiveTensorAtPeak> liveRowsAt(const Session& session, const std::vector<TensorPlacement>& map,
                                         const std::vector<LiveAtStep>& live, int step);

// Each pin's cost: `peakBytes` minus the live peak of the same options
// without that pin. Each in-place rule on: the live peak with it off
// minus `peakBytes`.
std::vector<PeakCost> pinCosts(const Model& model, const SessionOptions& options, std::size_t peakBytes);
std::vector<PeakCost> inPlaceCosts(const Model& model, const SessionOptions& options, std::size_t peakBytes);

}  // namespace interstage
