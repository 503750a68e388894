#include "memory/memory_sampler.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace interstage {

std::size_t processResidentBytes() { return MemorySampler::currentRssBytes(); }

MemorySampler::MemorySampler(Reading reading) : reading_(std::move(reading)) {}

MemorySampler::~MemorySampler() { stop(); }

std::size_t MemorySampler::currentRssBytes() {
    // statm: size resident shared text lib data dt, in pages.
    static const long pageSize = sysconf(_SC_PAGESIZE);
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buffer[128];
    ssize_t n = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    if (n <= 0) return 0;
    buffer[n] = '\0';
    char* rest = nullptr;
    std::strtoull(buffer, &rest, 10);
    unsigned long long resident = std::strtoull(rest, nullptr, 10);
    return static_cast<std::size_t>(resident) * static_cast<std::size_t>(pageSize);
}

void MemorySampler::start(int run, std::chrono::steady_clock::time_point origin) {
    stop();
    run_ = run;
    origin_ = origin;
    peak_ = 0;
    running_ = true;
    sampleOnce();
    thread_ = std::thread([this] { loop(); });
}

void MemorySampler::stop() {
    if (!running_.exchange(false)) return;
    if (thread_.joinable()) thread_.join();
    sampleOnce();
}

void MemorySampler::loop() {
    while (running_.load(std::memory_order_relaxed)) {
        sampleOnce();
        // 500 us keeps the rate above 1 kHz even with the sleep's slack.
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
}

void MemorySampler::sampleOnce() {
    RssSample s;
    s.bytes = reading_();
    s.run = run_;
    s.timeNs = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - origin_).count();
    std::size_t peak = peak_.load();
    while (s.bytes > peak && !peak_.compare_exchange_weak(peak, s.bytes)) {
    }
    std::lock_guard<std::mutex> lock(mutex_);
    samples_.push_back(s);
}

std::vector<RssSample> MemorySampler::takeSamples() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<RssSample> out;
    out.swap(samples_);
    return out;
}

}  // namespace interstage
