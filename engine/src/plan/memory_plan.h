// Memory planners: given each tensor's lifetime and size, decide which
// buffer (and offset) holds it and when buffers are allocated and freed.
// One function per mode; each is pure and testable alone.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "interstage/graph.h"
#include "interstage/lifetimes.h"
#include "interstage/memory.h"

namespace interstage {

// A tensor the plan places: its Lifetime (interstage/lifetimes.h; graph
// outputs and pinned tensors live to the last step) and what it is.
struct PlannedTensor : Lifetime {
    bool keep = false;  // graph output or pinned: readable after the run, never shared
    MemoryCategory category = MemoryCategory::Interstage;
};

constexpr int kPersistent = -1;  // a buffer allocated on the first run and kept

struct BufferSpec {
    std::size_t bytes = 0;
    // kPersistent, or the step before which the buffer is allocated on every run.
    int allocStep = kPersistent;
    // The step after which it is freed on every run; kPersistent with a
    // per-run allocStep means "kept until the next run starts" (outputs).
    int freeStep = kPersistent;
    MemoryCategory category = MemoryCategory::Interstage;
    ValueId firstTenant = kNoValue;  // for accounting: the tensor named in its events
    // Per-run buffers: after each (step, bytes), in step order, only the
    // first `bytes` are held (the tail goes back to the OS): a striped conv
    // wrote its smaller output over the start of its input there.
    std::vector<std::pair<int, std::size_t>> trims;
    bool perRun() const { return allocStep != kPersistent; }
};

// Pages handed from one per-run buffer to another before a step's kernel
// runs: a Concat input whose Concat output adopts its pages instead of
// copying them (plan/concat_pages.h). The source buffer ends there. The
// destination does not hold [offset, offset + source bytes) before that
// step: those bytes arrive with the pages.
struct PageMove {
    int step = 0;
    int from = -1;           // buffer whose pages move (it is gone after)
    int into = -1;           // buffer that receives them
    std::size_t offset = 0;  // where, in `into`
};

struct MemoryPlan {
    std::vector<BufferSpec> buffers;
    // Per PlannedTensor (same order as the planner's input): buffer and offset.
    std::vector<int> bufferOf;
    std::vector<std::size_t> offsetOf;
    std::vector<PageMove> moves;
};

constexpr std::size_t kPlanAlignment = 64;

MemoryPlan planDefault(const std::vector<PlannedTensor>& tensors);
MemoryPlan planReduce(const std::vector<PlannedTensor>& tensors);
// alsoReduce: buffers that end up with a single tenant are allocated and
// freed around it on every run (the SDK's reduce + reuse).
MemoryPlan planReuse(const std::vector<PlannedTensor>& tensors, bool alsoReduce);
// Greedy by size: biggest tensors first, each at the lowest-waste offset
// that no tensor alive at the same time occupies (Pisarchyk & Lee 2020).
MemoryPlan planArena(const std::vector<PlannedTensor>& tensors);

MemoryPlan planFor(const MemoryMode& mode, const std::vector<PlannedTensor>& tensors);

// The largest sum of bytes of the plan's buffers alive at one step (what
// the tracker will see as the interstage peak, weights and workspace aside);
// a page move ends its source at its step and completes its destination
// there.
std::size_t plannedPeakBytes(const MemoryPlan& plan, int steps);
// The same bytes at every step (persistent buffers included).
std::vector<std::size_t> plannedBytesPerStep(const MemoryPlan& plan, int steps);
// Per buffer, the last step at which it holds its own bytes: its free
// step, the step before its pages move, or steps - 1 when it outlives the
// run.
std::vector<int> lastHeldSteps(const MemoryPlan& plan, int steps);

}  // namespace interstage
