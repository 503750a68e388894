// One tracker sees every allocation and free the engine makes: it keeps the
// current and peak bytes, counts allocations per run, and records the
// events the timeline is drawn from.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "interstage/memory.h"

namespace interstage {

// A body tensor's place in the events: MemoryEvent::bodyValue and
// iteration (-1: not a body's).
struct BodySlot {
    int32_t value = -1;
    int32_t iteration = -1;
};

class MemoryTracker {
public:
    using Clock = std::chrono::steady_clock;

    // Starts run `run` (1..N): times count from now, per-run counters reset,
    // the peak starts at what is held now.
    void beginRun(int run);
    void setNode(NodeId node) { node_ = node; }

    // countsAsAllocation false: bytes a buffer already mapped starts to hold
    // (a Concat copying into the range a page move would have filled).
    void allocated(std::size_t bytes, MemoryDevice device, MemoryCategory category, ValueId tensor,
                   bool countsAsAllocation = true, BodySlot body = {});
    void freed(std::size_t bytes, MemoryDevice device, MemoryCategory category, ValueId tensor, BodySlot body = {});
    // Bytes that change hands without an allocation (pages moved from one
    // tensor's buffer into another's): a free of `from` and a gain of `to`
    // at the same moment, not counted as an allocation.
    void handedOver(std::size_t bytes, MemoryDevice device, MemoryCategory fromCategory, ValueId from,
                    MemoryCategory toCategory, ValueId to, BodySlot fromBody = {}, BodySlot toBody = {});

    // The index of a body value in bodyValues(), numbered the first time it
    // is asked for: a body prepared again (new shapes, every iteration of a
    // value-dependent one) keeps its indices, so the table stays as large
    // as the bodies' values however long the session runs.
    int32_t bodyValueIndex(NodeId node, const std::string& body, const std::string& name);
    const std::vector<BodyValue>& bodyValues() const { return bodyValues_; }

    std::size_t currentBytes() const { return current_; }
    std::size_t currentBytes(MemoryCategory category) const { return byCategory_[static_cast<size_t>(category)]; }
    std::size_t runPeakBytes() const { return runPeak_; }
    // Peak of interstage + output bytes: the tensors the planners place.
    std::size_t runPeakActivationBytes() const { return runPeakActivations_; }
    int runAllocations() const { return runAllocations_; }
    int64_t nowNs() const;
    Clock::time_point runStart() const { return runStart_; }

    // Events since the last take (the observer's batches).
    std::vector<MemoryEvent> takePending();
    // Every event of the current run.
    const std::vector<MemoryEvent>& runEvents() const { return runEvents_; }

private:
    std::size_t activations() const {
        return byCategory_[static_cast<size_t>(MemoryCategory::Interstage)] +
               byCategory_[static_cast<size_t>(MemoryCategory::Output)];
    }
    void record(int64_t bytes, MemoryDevice device, MemoryCategory category, ValueId tensor, BodySlot body);

    Clock::time_point runStart_ = Clock::now();
    int run_ = 0;
    NodeId node_ = kNoNode;
    std::size_t current_ = 0;
    std::array<std::size_t, kMemoryCategoryCount> byCategory_{};
    std::size_t runPeak_ = 0;
    std::size_t runPeakActivations_ = 0;
    int runAllocations_ = 0;
    std::vector<MemoryEvent> runEvents_;
    std::vector<MemoryEvent> pending_;
    std::vector<BodyValue> bodyValues_;
    std::map<std::tuple<NodeId, std::string, std::string>, int32_t> bodyValueIds_;
};

}  // namespace interstage
