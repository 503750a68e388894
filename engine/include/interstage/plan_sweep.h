// "Will it fit?": a model planned at a range of sizes of one input dim, for
// every memory preset, without running anything; and for a budget, the
// largest size each preset's plan fits in.
//
// The peak of each point is the one the memory guard checks before a run
// (Session::plannedPeakBytes(), runtime/memory_budget.h): the weights held,
// the plan's tensors at their peak step, the shared workspace and the
// inputs, for the CPU backend with the session's defaults. So "the largest
// size that fits" is the largest size a run with that budget (--max-memory)
// is not refused at.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "interstage/model.h"
#include "interstage/status.h"

namespace interstage {

// What to sweep: an input, its dims with one variable ("1x3xSxS": image
// side, "1xS": sequence length, "Sx3x224x224": batch), and the sizes the
// variable takes (lo, lo + step, ... up to hi).
struct SweepSpec {
    std::string input;
    std::string pattern;  // dims joined by 'x'; every 'S' is the swept size
    int64_t lo = 0;
    int64_t hi = 0;
    int64_t step = 1;

    std::vector<int64_t> sizes() const;
    Shape shapeAt(int64_t size) const;  // the pattern with S = size
};

// "NAME=1x3xSxS" and "64:1024:32" ("lo:hi", step 1, also) into a spec;
// InvalidArgument naming what is wrong (no S, a bad dim, lo > hi, a step
// of 0, more than kMaxSweepPoints sizes).
constexpr int kMaxSweepPoints = 1024;
Result<SweepSpec> parseSweep(const std::string& inputPattern, const std::string& range);

struct SweepPoint {
    int64_t size = 0;
    // The guard's peak: weights + tensors + workspace + inputs.
    std::size_t peakBytes = 0;
    std::size_t tensorBytes = 0;  // the plan's buffers at their peak step
    // Not empty: this size did not plan (a shape the graph cannot resolve,
    // an op that refuses it); peakBytes is 0 then.
    std::string error;
    bool planned() const { return error.empty(); }
};

struct PresetSweep {
    std::string mode;  // a name of memoryPresets()
    std::vector<SweepPoint> points;
    // The largest planned size whose peak is within the budget; none when
    // no size fits or there is no budget.
    std::optional<int64_t> largestFitting;
};

struct PlanSweep {
    std::size_t budgetBytes = 0;  // 0: none
    // The swept input's dims as the model declares them, when some of them
    // are static and the sweep changes one ("1x3x320x320"): a run at such a
    // size needs ShapeOptions::allowOtherDims (--allow-other-dims).
    std::string declaredShape;
    std::vector<PresetSweep> presets;
};

struct SweepOptions {
    std::vector<std::string> presets;  // names as MemoryMode::name(); empty: memoryPresets()
    std::size_t budgetBytes = 0;       // 0: no budget, no largest size
    InputShapes otherInputs;           // the shapes of the inputs not swept (default: as a session)
    ShapeOptions shapeOptions;         // allowOtherDims is implied for the swept input
    int threads = 0;                   // as the session that would run it (0: every core)
    // Called after each size with (sizes done, sizes in all), from the
    // sweep's worker threads, one call at a time; false stops the sweep
    // (the sizes planned so far are returned).
    std::function<bool(int, int)> progress;
};

// Plans every size; a size that does not plan is a point with its error,
// not a failure of the sweep. Errors: an unknown input or preset, a
// pattern whose rank is not the input's, weights not loaded.
Result<PlanSweep> sweepPlans(const Model& model, const SweepSpec& spec, const SweepOptions& options = {});

// The largest planned size whose peak fits `budgetBytes` (none for 0).
std::optional<int64_t> largestFitting(const std::vector<SweepPoint>& points, std::size_t budgetBytes);

}  // namespace interstage
