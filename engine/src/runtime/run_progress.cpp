#include "runtime/run_progress.h"

#include <sys/resource.h>

namespace interstage {

namespace {

long minorFaults() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

}  // namespace

RunProgress::RunProgress(RunObserver* observer, RunStats& stats, MemoryTracker& tracker, MemorySampler& sampler)
    : observer_(observer), stats_(stats), tracker_(tracker), sampler_(sampler) {}

void RunProgress::start() {
    for (int c = 0; c < kMemoryCategoryCount; ++c)
        stats_.bytesAtStart[static_cast<size_t>(c)] = tracker_.currentBytes(static_cast<MemoryCategory>(c));
    sampler_.start(stats_.run, tracker_.runStart());
    if (observer_) observer_->runStarted(stats_.run);
    faultsAtStart_ = minorFaults();
    started_ = std::chrono::steady_clock::now();
}

void RunProgress::finish() {
    deliver();
    stats_.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
    sampler_.stop();
    stats_.minorPageFaults = minorFaults() - faultsAtStart_;
    stats_.allocations = tracker_.runAllocations();
    stats_.peakTrackedBytes = tracker_.runPeakBytes();
    stats_.peakRssBytes = sampler_.peakBytes();
    stats_.peakActivationBytes = tracker_.runPeakActivationBytes();
    stats_.events = tracker_.runEvents();
    stats_.bodyValues = tracker_.bodyValues();
    auto lastSamples = sampler_.takeSamples();  // the rest went out with the batches
    stats_.rss.insert(stats_.rss.end(), lastSamples.begin(), lastSamples.end());
    if (observer_) observer_->runFinished(stats_);
}

void RunProgress::nodeDone(NodeTiming timing) {
    stats_.nodes.push_back(std::move(timing));
    sampler_.sampleIfDue();
    if (observer_ && std::chrono::steady_clock::now() - lastBatch_ > kBatchInterval) deliver();
}

void RunProgress::deliver() {
    if (!observer_) return;
    std::vector<NodeTiming> nodes(stats_.nodes.begin() + static_cast<long>(deliveredNodes_), stats_.nodes.end());
    deliveredNodes_ = stats_.nodes.size();
    std::vector<MemoryEvent> events = tracker_.takePending();
    std::vector<RssSample> samples = sampler_.takeSamples();
    stats_.rss.insert(stats_.rss.end(), samples.begin(), samples.end());
    lastBatch_ = std::chrono::steady_clock::now();
    if (nodes.empty() && events.empty() && samples.empty()) return;
    observer_->progress(stats_.run, nodes, events, samples);
    ++stats_.progressBatches;
}

}  // namespace interstage
