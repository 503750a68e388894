// Reads a memory figure from a thread of its own at about 2 kHz while a run
// goes on. The default reading is the process's resident memory
// (/proc/self/statm): what the OS says the process holds, beside what the
// engine asked for. The Vulkan backend also samples the driver's heap usage
// (VK_EXT_memory_budget) through a second sampler with its own reading.
#pragma once

#include <atomic>
#include <chrono>
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
    explicit MemorySampler(Reading reading = &MemorySampler::currentRssBytes);
    ~MemorySampler();
    MemorySampler(const MemorySampler&) = delete;
    MemorySampler& operator=(const MemorySampler&) = delete;

    // Starts sampling for run `run`, times relative to origin.
    void start(int run, std::chrono::steady_clock::time_point origin);
    // Stops and takes one last sample.
    void stop();
    // Samples since the last take (thread-safe).
    std::vector<RssSample> takeSamples();
    std::size_t peakBytes() const { return peak_.load(); }

    // The process's resident memory now; 0 when /proc is not readable.
    static std::size_t currentRssBytes();

private:
    void loop();
    void sampleOnce();

    Reading reading_;
    std::thread thread_;
    std::atomic<bool> running_{false};
    std::atomic<std::size_t> peak_{0};
    std::mutex mutex_;
    std::vector<RssSample> samples_;
    int run_ = 0;
    std::chrono::steady_clock::time_point origin_;
};

}  // namespace interstage
