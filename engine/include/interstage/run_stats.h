// What a run reports: per-node timings, memory events and samples, the
// statistics of a whole run, the observer that receives them live, and
// where each tensor of a plan lives (the memory map).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "interstage/memory.h"

namespace interstage {

struct NodeTiming {
    std::string name;
    std::string op;
    double ms = 0;
    double startMs = 0;  // since the start of the run
    // Vulkan backend: the node had no shader (or not for this variant) and
    // ran on the CPU, its tensors moved between host and device.
    bool cpuFallback = false;
};

struct RunStats {
    int run = 0;                          // 1 for the session's first run
    double ms = 0;                        // wall time of the whole run
    std::vector<NodeTiming> nodes;        // per node, in execution order
    int allocations = 0;                  // tensor allocations the engine made during the run
    std::size_t peakTrackedBytes = 0;     // most bytes the engine held at once (weights included)
    std::size_t peakRssBytes = 0;         // most resident memory the OS reported during the run
    std::size_t peakActivationBytes = 0;  // most interstage + output bytes held at once (compare to the lower bound)
    long minorPageFaults = 0;             // page faults taken during the run (the price of reduce on a CPU)
    // Most bytes the host allocator's freed-block cache held at once in the
    // run: freed tensor blocks kept (resident, not tracked as tensors) for
    // the next tensor of the same size, at most kHostBlockCacheBytes, all
    // returned when the run ends.
    std::size_t peakBlockCacheBytes = 0;
    // Bytes of blocks freed after one step that the next step's tensors
    // took as they were (HostAllocator::holdReleases): no node ran between,
    // so the RSS during every node is what fresh pages would give, without
    // the kernel zeroing and faulting them in again.
    std::size_t handedOverBytes = 0;
    // Most bytes of the huge pages small tensors of the run share
    // (SharedHugePages): resident, in the RSS; the pages of a huge page its
    // tensors do not fill are no tensor's.
    std::size_t peakSharedPageBytes = 0;
    std::vector<MemoryEvent> events;  // every allocation and free of the run
    // The session's body values so far (MemoryEvent::bodyValue indexes it;
    // an index never changes, so the last run's table names every run's).
    std::vector<BodyValue> bodyValues;
    // Tracked bytes per MemoryCategory when the run started (weights, kept
    // buffers): the baseline the run's events add to.
    std::vector<std::size_t> bytesAtStart = std::vector<std::size_t>(kMemoryCategoryCount, 0);
    std::vector<RssSample> rss;  // resident memory sampled during the run
    // Vulkan backend: host <-> device copies the CPU-fallback nodes made
    // (one per tensor moved) and their bytes; 0 on the CPU backend.
    int fallbackTransfers = 0;
    std::size_t fallbackBytes = 0;
    // Vulkan devices with VK_EXT_memory_budget: the process's usage of the
    // device-local heaps as the driver reports it, sampled during the run
    // (empty without the extension, and on the CPU backend).
    std::vector<RssSample> deviceHeap;
    std::size_t peakDeviceHeapBytes = 0;
    // Progress batches the observer received while the run went on (0
    // without an observer): the timeline is live when this is 2 or more.
    int progressBatches = 0;
};

// Progress of runs as they happen, for live charts. Batches arrive every
// few milliseconds and at the end of each run.
class RunObserver {
public:
    virtual ~RunObserver() = default;
    virtual void runStarted(int run) {}
    virtual void progress(int run, const std::vector<NodeTiming>& nodes, const std::vector<MemoryEvent>& events,
                          const std::vector<RssSample>& rss) {}
    virtual void runFinished(const RunStats& stats) {}
    // Polled between nodes: true stops the run with a Cancelled status. On
    // Vulkan the run is then submitted in short stretches of nodes, so a
    // stop waits for at most one stretch on the device.
    virtual bool cancelRequested() { return false; }
};

// Where one tensor lives in the plan, for the memory map.
struct TensorPlacement {
    std::string name;
    int first = 0;  // producer step
    int last = 0;   // last step it is needed
    std::size_t bytes = 0;
    int buffer = 0;          // which buffer (arena: 0, the slab)
    std::size_t offset = 0;  // offset inside the buffer (arena), else 0
    bool kept = false;       // graph output or pinned
    int channelBlock = 0;    // stored with channels in blocks of this many (Value::channelBlock); 0: NCHW
    // A Concat input whose pages moved into the Concat's output before step
    // movedAt instead of being copied (reduce plans): until then it held its
    // own buffer; from then its bytes are the output's, at movedOffset of
    // buffer movedBuffer. -1: not moved.
    int movedAt = -1;
    int movedBuffer = -1;
    std::size_t movedOffset = 0;
    // Its buffer is allocated and freed on every run (reduce plans), not
    // held through the run.
    bool perRunBuffer = false;
};

}  // namespace interstage
