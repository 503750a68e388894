// Reads a memory figure while a run goes on. The default reading is the
// process's resident memory (/proc/self/statm): what the OS says the
// process holds, beside what the engine asked for. The Vulkan backend also
// samples the driver's heap usage (VK_EXT_memory_budget) through a second
// sampler with its own reading.
//
// Two sources, about 2 kHz together: the run's own thread between nodes
// (sampleIfDue(), at most every kBoundaryInterval), and a thread of its own
// every kThreadInterval, which covers long nodes. The thread is kept slow
// on purpose: each wake of a third thread on a machine whose cores all run
// the kernels' threads pre-empts one of them, and the other then waits at
// the next barrier. At 2 kHz from the thread alone, inception_v3's steady
// run took 10.7 ms instead of 10.0, densenet121's 23.8 instead of 22.3.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "interstage/memory.h"

namespace interstage {

class MemorySampler {
public:
    using Reading = std::function<std::size_t()>;
    // `reading` is called from the sampling thread; it must be thread-safe.
    // Without a reading: the process's resident memory.
    explicit MemorySampler(Reading reading = {});
    ~MemorySampler();
    MemorySampler(const MemorySampler&) = delete;
    MemorySampler& operator=(const MemorySampler&) = delete;

    // Starts sampling for run `run`, times relative to origin.
    void start(int run, std::chrono::steady_clock::time_point origin);
    // Stops and takes one last sample.
    void stop();
    // From the run's thread between two nodes: a sample when the last one
    // is kBoundaryInterval old (a read of a kept-open file: ~2 us).
    void sampleIfDue();
    // Samples since the last take (thread-safe).
    std::vector<RssSample> takeSamples();
    std::size_t peakBytes() const { return peak_.load(); }

    // The process's resident memory now; 0 when /proc is not readable.
    static std::size_t currentRssBytes();

private:
    void loop();
    void sampleOnce();

    static constexpr std::chrono::microseconds kBoundaryInterval{500};
    static constexpr std::chrono::milliseconds kThreadInterval{4};

    Reading reading_;
    std::thread thread_;
    std::atomic<bool> running_{false};
    std::mutex wakeMutex_;  // stop() wakes the thread at once
    std::condition_variable wake_;
    // When the newest sample was read, as steady_clock ticks.
    std::atomic<std::chrono::steady_clock::rep> lastSample_{0};
    std::atomic<std::size_t> peak_{0};
    std::mutex mutex_;
    std::vector<RssSample> samples_;
    int run_ = 0;
    std::chrono::steady_clock::time_point origin_;
};

}  // namespace interstage
