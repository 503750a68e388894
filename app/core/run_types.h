// Plain values that travel from the run worker to the widgets through
// queued signals: a configuration, live batches and finished results.
#pragma once

#include <QMetaType>
#include <QString>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/body_memory.h"
#include "interstage/peak_explain.h"
#include "interstage/run_summary.h"
#include "interstage/session.h"
#include "interstage/session_file.h"

namespace appcore {

// One configuration of a run set, copied before the worker starts.
struct RunConfig {
    // The engine's own options for the set's session, as the CLI fills
    // them from its flags (the controller sets the observer).
    interstage::SessionOptions session;
    int runs = 3;  // 0: plan only (the set has the plan and no runs)
    // Values the user typed for small inputs (the run panel's value
    // fields), in the shapes `session.inputShapes` gives them; the other
    // inputs get the engine's generated default input.
    std::map<std::string, interstage::TensorData> inputs;
    // Tests: faults injected into the set's session once it exists (0: off).
    // failNthAllocation: the n-th host tensor allocation fails;
    // loseDeviceAtSubmit: the n-th Vulkan submit reports a lost device.
    int failNthAllocationForTesting = 0;
    int loseDeviceAtSubmitForTesting = 0;

    // "reduce · 2 threads · cpu" — names a set in legends and tables.
    QString label() const;
    QString backend() const { return QString::fromStdString(session.backend); }
    bool planOnly() const { return runs == 0; }
};

// Part of a run as it happens (sent every few milliseconds).
struct RunProgress {
    int setId = 0;
    int run = 0;
    std::vector<interstage::NodeTiming> nodes;
    std::vector<interstage::MemoryEvent> events;
    std::vector<interstage::RssSample> rss;
};

// A finished run (the engine's RunStats, shared to avoid copies).
struct RunDone {
    int setId = 0;
    std::shared_ptr<const interstage::RunStats> stats;
};

// A finished run set: every run plus what the session knew.
struct RunSetResult {
    int setId = 0;
    RunConfig config;
    std::vector<std::shared_ptr<const interstage::RunStats>> runs;
    std::size_t lowerBoundBytes = 0;          // the file's graph
    std::size_t executedLowerBoundBytes = 0;  // after fusion and folding
    std::size_t aliasedLowerBoundBytes = 0;   // under the set's in-place rules: no plan goes below it
    std::size_t weightBytes = 0;
    std::size_t plannedPeakBytes = 0;  // what the plan needs, as checked against the budget
    interstage::MemoryBudget budget;   // the budget the set ran under, and where it came from
    std::vector<interstage::TensorPlacement> memoryMap;
    std::vector<BodyBlock> bodyMemory;           // the last run's control-flow bodies, per iteration (memory map)
    std::vector<std::string> executedNodeNames;  // node names by step (for timeline ticks)
    std::vector<std::string>
        executedNodeOps;  // their op types (step-through labels; empty when restored from an old file)
    std::vector<std::string> executedValueNames;  // the executed graph's value names by id (events' tensors)
    // Each memory map row's dtype, role (in-place, Concat member...) and
    // host, for the exports (interstage/export_facts.h); empty when unknown.
    std::vector<interstage::PlanTensorFacts> planTensors;
    // Why the plan peaks where it does (the Peak tab), from the session;
    // null for a set restored from a session file written before the
    // explanation was saved (then without its costs).
    std::shared_ptr<const interstage::PeakExplanation> peak;
    QString error;  // empty when every run finished
    bool cancelled = false;

    interstage::RunSetSummary summary() const;  // the engine's one summary of a run set
    double firstMs() const;
    double steadyMedianMs() const;  // median of runs 2..N (run 1 when alone)
    std::size_t peakTrackedBytes() const;
    std::size_t peakRssBytes() const;
};

}  // namespace appcore

Q_DECLARE_METATYPE(appcore::RunProgress)
Q_DECLARE_METATYPE(appcore::RunDone)
Q_DECLARE_METATYPE(appcore::RunSetResult)
