// Realizes a MemoryPlan on the host: allocates and frees the plan's buffers
// at the planned steps through the HostAllocator, reports every allocation
// and free to the tracker, and maps each tensor to its current address.
#pragma once

#include <cstddef>
#include <vector>

#include "interstage/graph.h"
#include "memory/host_allocator.h"
#include "memory/memory_tracker.h"
#include "plan/memory_plan.h"

namespace interstage {

class TensorMemory {
public:
    TensorMemory(HostAllocator& allocator, MemoryTracker& tracker) : allocator_(allocator), tracker_(tracker) {}
    ~TensorMemory();
    TensorMemory(const TensorMemory&) = delete;
    TensorMemory& operator=(const TensorMemory&) = delete;

    // Takes the plan for these tensors; frees whatever an earlier plan held.
    void setPlan(const std::vector<PlannedTensor>& tensors, MemoryPlan plan, std::size_t valueCount);

    // Run boundaries: frees buffers kept from the previous run (outputs of
    // per-run modes) and allocates the persistent ones the first time.
    Status beginRun();
    Status beforeStep(int step);
    void afterStep(int step);
    // A run that stops between steps gives back the blocks afterStep() held
    // for the next step.
    void endSteps();
    // Frees everything (session end, re-plan).
    void releaseAll();
    // Frees the buffers the plan allocates per run (a body whose node is
    // done with it for this run); persistent ones stay.
    void releasePerRun();
    // A body's memory: events name no tensor (its value ids are not the
    // run's graph's) but the body value, by its index in the tracker's
    // table (`indices`, per value id; `slab` for the arena's slab), and the
    // iteration (`*iteration` when the buffer was allocated).
    void nameBodyValues(std::vector<int32_t> indices, int32_t slab, const int32_t* iteration) {
        nameTensors_ = false;
        bodyValues_ = std::move(indices);
        bodySlab_ = slab;
        iteration_ = iteration;
    }

    // The tensor's address now; nullptr when its buffer is not allocated.
    void* address(ValueId value) const { return address_[static_cast<size_t>(value)]; }
    bool holds(ValueId value) const { return address(value) != nullptr; }

    const MemoryPlan& plan() const { return plan_; }
    const std::vector<PlannedTensor>& tensors() const { return tensors_; }

private:
    BlockPages pagesOf(size_t buffer) const;
    Status allocate(size_t buffer);
    void release(size_t buffer);
    // A PageMove of the plan (before its step's kernel runs); where the
    // allocator cannot move the pages the Concat copies them instead.
    void movePages(const PageMove& move);

    HostAllocator& allocator_;
    MemoryTracker& tracker_;
    std::vector<PlannedTensor> tensors_;
    MemoryPlan plan_;
    std::vector<void*> bufferData_;                                     // per buffer
    std::vector<std::vector<size_t>> tenants_;                          // per buffer: indices into tensors_
    std::vector<std::vector<size_t>> allocAt_;                          // per step: per-run buffers allocated before it
    std::vector<std::vector<size_t>> freeAt_;                           // per step: per-run buffers freed after it
    std::vector<std::vector<size_t>> movesAt_;                          // per step: indices into plan_.moves
    std::vector<std::vector<std::pair<size_t, std::size_t>>> trimsAt_;  // per step: (buffer, bytes kept) after it
    std::vector<std::size_t> mappedBytes_;  // per buffer: its length for the allocator (after trims)
    std::vector<std::size_t> heldBytes_;    // per buffer: the bytes reported to the tracker as held
    std::vector<bool> ownMapping_;          // per buffer: pages move out of or into it
    std::vector<std::size_t> phase_;        // per buffer: where a page move's source starts in a huge page
    std::vector<std::size_t> arriving_;     // per buffer: bytes that arrive by page moves
    std::vector<void*> address_;            // per value
    bool nameTensors_ = true;
    std::vector<int32_t> bodyValues_;  // per value id: its body value index (bodies only)
    int32_t bodySlab_ = -1;
    const int32_t* iteration_ = nullptr;
    ValueId tenant(const BufferSpec& spec) const { return nameTensors_ ? spec.firstTenant : kNoValue; }
    std::vector<int32_t> allocatedIn_;  // per buffer: the iteration that allocated it (bodies only)
    // A body buffer's events name the iteration that allocated it: a Loop
    // body's outputs are freed as the next iteration starts, yet are the
    // previous iteration's tensors.
    BodySlot slot(size_t buffer) const {
        if (!iteration_) return {};
        const ValueId tenant = plan_.buffers[buffer].firstTenant;
        const auto v = static_cast<size_t>(tenant);
        return {tenant == kNoValue ? bodySlab_ : (v < bodyValues_.size() ? bodyValues_[v] : -1), allocatedIn_[buffer]};
    }
};

}  // namespace interstage
