// Reads the process's resident memory (/proc/self/statm) from a thread of
// its own at about 2 kHz while a run goes on: what the OS says the process
// holds, beside what the engine asked for.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include "interstage/memory.h"

namespace interstage {

class RssSampler {
public:
    RssSampler();
    ~RssSampler();
    RssSampler(const RssSampler&) = delete;
    RssSampler& operator=(const RssSampler&) = delete;

    // Starts sampling for run `run`, times relative to origin.
    void start(int run, std::chrono::steady_clock::time_point origin);
    // Stops and takes one last sample.
    void stop();
    // Samples since the last take (thread-safe).
    std::vector<RssSample> takeSamples();
    std::size_t peakBytes() const { return peak_.load(); }

    // One reading now; 0 when /proc is not readable.
    static std::size_t currentRssBytes();

private:
    void loop();
    void sampleOnce();

    std::thread thread_;
    std::atomic<bool> running_{false};
    std::atomic<std::size_t> peak_{0};
    std::mutex mutex_;
    std::vector<RssSample> samples_;
    int run_ = 0;
    std::chrono::steady_clock::time_point origin_;
};

}  // namespace interstage
