#include "memory/memory_tracker.h"

#include <algorithm>

namespace interstage {

void MemoryTracker::beginRun(int run) {
    run_ = run;
    runStart_ = Clock::now();
    runPeak_ = current_;
    runPeakActivations_ = activations();
    runAllocations_ = 0;
    runEvents_.clear();
    node_ = kNoNode;
}

int64_t MemoryTracker::nowNs() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - runStart_).count();
}

void MemoryTracker::allocated(std::size_t bytes, MemoryDevice device, MemoryCategory category, ValueId tensor,
                              bool countsAsAllocation, BodySlot body) {
    current_ += bytes;
    byCategory_[static_cast<size_t>(category)] += bytes;
    runPeak_ = std::max(runPeak_, current_);
    runPeakActivations_ = std::max(runPeakActivations_, activations());
    if (countsAsAllocation) ++runAllocations_;
    record(static_cast<int64_t>(bytes), device, category, tensor, body);
}

void MemoryTracker::freed(std::size_t bytes, MemoryDevice device, MemoryCategory category, ValueId tensor,
                          BodySlot body) {
    current_ -= std::min(current_, bytes);
    auto& c = byCategory_[static_cast<size_t>(category)];
    c -= std::min(c, bytes);
    record(-static_cast<int64_t>(bytes), device, category, tensor, body);
}

void MemoryTracker::handedOver(std::size_t bytes, MemoryDevice device, MemoryCategory fromCategory, ValueId from,
                               MemoryCategory toCategory, ValueId to, BodySlot fromBody, BodySlot toBody) {
    freed(bytes, device, fromCategory, from, fromBody);
    allocated(bytes, device, toCategory, to, false, toBody);
}

int32_t MemoryTracker::bodyValueIndex(NodeId node, const std::string& body, const std::string& name) {
    auto [it, added] = bodyValueIds_.try_emplace({node, body, name}, static_cast<int32_t>(bodyValues_.size()));
    if (added) bodyValues_.push_back({node, body, name});
    return it->second;
}

void MemoryTracker::record(int64_t bytes, MemoryDevice device, MemoryCategory category, ValueId tensor, BodySlot body) {
    MemoryEvent e;
    e.timeNs = nowNs();
    e.bytes = bytes;
    e.device = device;
    e.category = category;
    e.tensor = tensor;
    e.node = node_;
    e.run = run_;
    e.bodyValue = body.value;
    e.iteration = body.iteration;
    runEvents_.push_back(e);
    pending_.push_back(e);
}

std::vector<MemoryEvent> MemoryTracker::takePending() {
    std::vector<MemoryEvent> out;
    out.swap(pending_);
    return out;
}

}  // namespace interstage
