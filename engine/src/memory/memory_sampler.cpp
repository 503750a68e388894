#include "memory/memory_sampler.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

namespace interstage {

std::size_t processResidentBytes() { return MemorySampler::currentRssBytes(); }

namespace {

// statm: size resident shared text lib data dt, in pages.
std::size_t residentFromStatm(char* text, ssize_t length) {
    static const long pageSize = sysconf(_SC_PAGESIZE);
    text[length] = '\0';
    char* rest = nullptr;
    std::strtoull(text, &rest, 10);
    const unsigned long long resident = std::strtoull(rest, nullptr, 10);
    return static_cast<std::size_t>(resident) * static_cast<std::size_t>(pageSize);
}

// /proc/self/statm kept open: a pread() of it is ~2 us where open, read and
// close took ~6 (measured here).
class ResidentReader {
public:
    ResidentReader() : fd_(open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) {}
    ~ResidentReader() {
        if (fd_ >= 0) close(fd_);
    }
    ResidentReader(const ResidentReader&) = delete;
    ResidentReader& operator=(const ResidentReader&) = delete;
    std::size_t read() const {
        if (fd_ < 0) return MemorySampler::currentRssBytes();
        char buffer[128];
        const ssize_t n = pread(fd_, buffer, sizeof buffer - 1, 0);
        return n > 0 ? residentFromStatm(buffer, n) : 0;
    }

private:
    int fd_;
};

}  // namespace

MemorySampler::MemorySampler(Reading reading) : reading_(std::move(reading)) {
    if (!reading_) {
        auto reader = std::make_shared<const ResidentReader>();
        reading_ = [reader] { return reader->read(); };
    }
}

MemorySampler::~MemorySampler() { stop(); }

std::size_t MemorySampler::currentRssBytes() {
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buffer[128];
    const ssize_t n = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    return n > 0 ? residentFromStatm(buffer, n) : 0;
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
    {
        std::lock_guard<std::mutex> lock(wakeMutex_);
        if (!running_.exchange(false)) return;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    sampleOnce();
}

// Sleeps until the newest sample is kThreadInterval old: while the run's
// thread samples between nodes, this one only wakes to look.
void MemorySampler::loop() {
    using Clock = std::chrono::steady_clock;
    std::unique_lock<std::mutex> lock(wakeMutex_);
    while (running_.load(std::memory_order_relaxed)) {
        const Clock::time_point due = Clock::time_point(Clock::duration(lastSample_.load())) + kThreadInterval;
        if (Clock::now() < due) {
            wake_.wait_until(lock, due, [this] { return !running_.load(std::memory_order_relaxed); });
            continue;
        }
        lock.unlock();
        sampleOnce();
        lock.lock();
    }
}

void MemorySampler::sampleIfDue() {
    using Clock = std::chrono::steady_clock;
    if (!running_.load(std::memory_order_relaxed)) return;
    if (Clock::now() - Clock::time_point(Clock::duration(lastSample_.load())) >= kBoundaryInterval) sampleOnce();
}

// Read and stored under the lock, so that the two sources' samples stay in
// time order.
void MemorySampler::sampleOnce() {
    std::lock_guard<std::mutex> lock(mutex_);
    RssSample s;
    s.bytes = reading_();
    s.run = run_;
    const auto now = std::chrono::steady_clock::now();
    s.timeNs = std::chrono::duration_cast<std::chrono::nanoseconds>(now - origin_).count();
    lastSample_.store(now.time_since_epoch().count());
    std::size_t peak = peak_.load();
    while (s.bytes > peak && !peak_.compare_exchange_weak(peak, s.bytes)) {
    }
    samples_.push_back(s);
}

std::vector<RssSample> MemorySampler::takeSamples() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<RssSample> out;
    out.swap(samples_);
    return out;
}

}  // namespace interstage
