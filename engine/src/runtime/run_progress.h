// Delivers a run's progress to the session's observer in batches while the
// run goes on, the same way on every backend: each node as the executor
// learns its time (after its kernel on the CPU, after its stretch of
// submits on Vulkan), with the memory events and resident-memory samples
// since the last batch. A batch goes out at most every kBatchInterval, and
// once more when the run ends.
#pragma once

#include <chrono>

#include "interstage/session.h"
#include "memory/memory_sampler.h"
#include "memory/memory_tracker.h"

namespace interstage {

class RunProgress {
public:
    static constexpr std::chrono::milliseconds kBatchInterval{5};

    // Appends to stats.nodes, stats.rss and stats.progressBatches.
    // observer may be null: then nothing is delivered and no stop comes.
    RunProgress(RunObserver* observer, RunStats& stats, MemoryTracker& tracker, MemorySampler& sampler);

    // The run begins (after tracker.beginRun): the bytes held per category,
    // the resident-memory sampler and the page-fault count start, the
    // observer hears of it.
    void start();
    // The executor is done: the last batch goes out, the sampler stops, and
    // the run's totals come from the tracker and the sampler; then the
    // observer's runFinished. Backend figures are filled in before.
    void finish();
    // A node finished (in execution order). startMs counts from the
    // tracker's run start.
    void nodeDone(NodeTiming timing);
    // Delivers what is pending now, if anything changed.
    void deliver();
    // Whether the observer asked to stop.
    bool cancelRequested() const { return observer_ && observer_->cancelRequested(); }
    // Whether batches are wanted at all (executors may run faster without).
    bool live() const { return observer_ != nullptr; }

private:
    RunObserver* observer_;
    RunStats& stats_;
    MemoryTracker& tracker_;
    MemorySampler& sampler_;
    std::size_t deliveredNodes_ = 0;
    std::chrono::steady_clock::time_point lastBatch_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point started_;
    long faultsAtStart_ = 0;
};

// A progress that delivers nothing: for running an executor alone (tests).
class DiscardedProgress {
public:
    DiscardedProgress() : progress_(nullptr, stats_, tracker_, sampler_) {}
    RunProgress& get() { return progress_; }

private:
    RunStats stats_;
    MemoryTracker tracker_;
    MemorySampler sampler_;
    RunProgress progress_;
};

}  // namespace interstage
