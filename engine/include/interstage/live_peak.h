// Where a plan's live tensors peak: the step at which the tensors alive
// together (workspace included) cover the most bytes, and which tensors
// those are. Tensors written in place into another (Concat inputs) count
// once, inside their host. This is what reduce and arena hold at their
// peak, weights and inputs aside; it answers "what would I have to change
// to lower it".
#pragma once

#include <cstddef>
#include <vector>

#include "interstage/run_stats.h"

namespace interstage {

struct LivePeak {
    int step = -1;          // execution step (index into the executed graph's nodes); -1: nothing planned
    std::size_t bytes = 0;  // bytes alive then, in-place members counted once
    // Indices into the map of the tensors alive then, biggest first, without
    // those that lie inside another alive tensor's bytes.
    std::vector<std::size_t> tensors;
};

LivePeak peakOfLiveTensors(const std::vector<TensorPlacement>& map);
// The bytes alive at every step, counted the same way.
std::vector<std::size_t> liveBytesPerStep(const std::vector<TensorPlacement>& map);

// One tensor alive at a step, as liveBytesPerStep counts it.
struct LiveTensor {
    std::size_t index = 0;  // into the map
    // Its bytes lie inside another live tensor's (an in-place Concat input
    // or overwrite, or a Concat input whose pages moved into the output):
    // counted there, not here.
    bool inside = false;
    // What it adds to the step's live bytes: 0 when inside; less than its
    // size where it overlaps bytes already counted. The sum over a step
    // is liveBytesPerStep(map)[step].
    std::size_t countedBytes = 0;
};
// Every tensor alive at `step` (a Concat host from its first in-place
// input on), in map order; empty outside the plan's steps.
std::vector<LiveTensor> liveTensorsAtStep(const std::vector<TensorPlacement>& map, int step);

}  // namespace interstage
