#include "runtime/run_progress.h"

namespace interstage {

RunProgress::RunProgress(RunObserver* observer, RunStats& stats, MemoryTracker& tracker, MemorySampler& sampler)
    : observer_(observer), stats_(stats), tracker_(tracker), sampler_(sampler) {}

void RunProgress::nodeDone(NodeTiming timing) {
    stats_.nodes.push_back(std::move(timing));
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
