// One step of a run set's execution order, as the step-through shows it:
// the node running, every tensor alive (the engine's live set, counted by
// the same rule as the live bytes), and when the step started in a run.
// Plain values, no widgets: the tests read them as the widgets do.
#pragma once

#include <QString>
#include <cstddef>
#include <vector>

#include "core/run_types.h"

namespace appcore {

struct LiveRow {
    QString name;
    std::size_t bytes = 0;
    // What it adds to the step's live bytes (0: inside another live
    // tensor's bytes); the rows' sum is the step's live bytes.
    std::size_t countedBytes = 0;
    QString producer;         // the node at its first step
    QString lastReader;       // the node at its last step
    bool kept = false;        // pinned or a graph output: never freed during the run
    bool inPlace = false;     // written inside another live tensor's bytes
    bool freedAfter = false;  // its last step is this one and it is not kept
    // Alive outside its own life: a Concat output whose inputs are written
    // into its bytes before it runs, or read after it died, hold them.
    bool heldForInputs = false;
};

struct StepState {
    int step = -1;  // -1: no step (nothing planned)
    int steps = 0;
    QString node;  // the executed node running at the step
    QString op;
    std::vector<LiveRow> live;  // biggest first
    std::size_t liveBytes = 0;  // liveBytesPerStep(set.memoryMap)[step]
    // When the step started in the run shown (a planned-but-not-run set
    // has no times).
    bool timed = false;
    double startMs = 0;
    double ms = 0;

    // "step 37 / 212 · stage2_conv (Conv)"
    QString label() const;
};

// The steps of a set's execution order (its executed nodes; for a set
// without names, the plan's last step + 1).
int stepCount(const RunSetResult& set);
// The set at `step` (clamped into range). `run`: which run's times, 1-based;
// 0 or out of range: the last run.
StepState stepState(const RunSetResult& set, int step, int run = 0);

}  // namespace appcore
