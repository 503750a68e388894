#include "runtime/tensor_memory.h"

#include <algorithm>

#include "runtime/memory_budget.h"

namespace interstage {

TensorMemory::~TensorMemory() { releaseAll(); }

void TensorMemory::setPlan(const std::vector<PlannedTensor>& tensors, MemoryPlan plan, std::size_t valueCount) {
    releaseAll();
    tensors_ = tensors;
    plan_ = std::move(plan);
    bufferData_.assign(plan_.buffers.size(), nullptr);
    tenants_.assign(plan_.buffers.size(), {});
    address_.assign(valueCount, nullptr);
    int steps = 0;
    for (const auto& t : tensors_) steps = std::max(steps, t.last + 1);
    allocAt_.assign(static_cast<size_t>(steps), {});
    freeAt_.assign(static_cast<size_t>(steps), {});
    movesAt_.assign(static_cast<size_t>(steps), {});
    trimsAt_.assign(static_cast<size_t>(steps), {});
    mappedBytes_.assign(plan_.buffers.size(), 0);
    for (size_t b = 0; b < plan_.buffers.size(); ++b)
        for (const auto& [step, keep] : plan_.buffers[b].trims)
            if (step >= 0 && static_cast<size_t>(step) < trimsAt_.size())
                trimsAt_[static_cast<size_t>(step)].push_back({b, keep});
    heldBytes_.assign(plan_.buffers.size(), 0);
    allocatedIn_.assign(plan_.buffers.size(), -1);
    arriving_.assign(plan_.buffers.size(), 0);
    phase_.assign(plan_.buffers.size(), 0);
    ownMapping_.assign(plan_.buffers.size(), false);
    for (size_t m = 0; m < plan_.moves.size(); ++m) {
        const PageMove& move = plan_.moves[m];
        phase_[static_cast<size_t>(move.from)] = move.offset % kHostHugePageBytes;
        ownMapping_[static_cast<size_t>(move.from)] = ownMapping_[static_cast<size_t>(move.into)] = true;
        movesAt_[static_cast<size_t>(move.step)].push_back(m);
        arriving_[static_cast<size_t>(move.into)] += plan_.buffers[static_cast<size_t>(move.from)].bytes;
    }
    for (size_t i = 0; i < tensors_.size(); ++i) tenants_[static_cast<size_t>(plan_.bufferOf[i])].push_back(i);
    for (size_t b = 0; b < plan_.buffers.size(); ++b) {
        const BufferSpec& spec = plan_.buffers[b];
        if (!spec.perRun()) continue;
        allocAt_[static_cast<size_t>(spec.allocStep)].push_back(b);
        if (spec.freeStep != kPersistent) freeAt_[static_cast<size_t>(spec.freeStep)].push_back(b);
    }
}

// Buffers that come and go within a run (reduce modes, bodies) are
// re-mapped every run: huge pages, whole or shared, keep that cheap. A
// buffer pages move out of or into, or one cut short, is a mapping of its
// own (the OS moves and cuts mappings). The others are mapped once, to the
// page.
BlockPages TensorMemory::pagesOf(size_t buffer) const {
    const BufferSpec& spec = plan_.buffers[buffer];
    if (!spec.perRun()) return BlockPages::Exact;
    return ownMapping_[buffer] || !spec.trims.empty() ? BlockPages::WholeHuge : BlockPages::Shared;
}

Status TensorMemory::allocate(size_t buffer) {
    const BufferSpec& spec = plan_.buffers[buffer];
    // The run-time guard: the plan was checked against the budget before
    // the run, but what other executors hold (bodies, a budget lowered
    // since) is known only now. Refused before the allocator is asked.
    // Bytes that arrive by page moves come from a buffer already held:
    // they are counted once, as the plan's peak counts them.
    const MemoryBudget& budget = allocator_.budget();
    const std::size_t held = tracker_.currentBytes();
    const std::size_t adding = spec.bytes - arriving_[buffer];
    if (budget.bytes && held + adding > budget.bytes)
        return Status(StatusCode::OutOfMemory,
                      "allocating " + budgetBytesText(adding) + " for " +
                          (spec.firstTenant == kNoValue ? std::string("the arena") : std::string("a tensor buffer")) +
                          " would bring the memory held to " + budgetBytesText(held + adding) + ", more than " +
                          budgetText(budget) + "; the run stopped there");
    void* data = allocator_.allocate(spec.bytes, pagesOf(buffer), {phase_[buffer], arriving_[buffer] > 0});
    if (!data) {
        std::string name = spec.firstTenant == kNoValue ? "the arena" : "a tensor buffer";
        return Status(StatusCode::OutOfMemory, "cannot allocate " + std::to_string(spec.bytes) + " bytes for " + name);
    }
    bufferData_[buffer] = data;
    mappedBytes_[buffer] = spec.bytes;
    // Bytes that arrive by page moves are not held yet (their pages are
    // mapped but untouched until the move replaces them).
    heldBytes_[buffer] = spec.bytes - arriving_[buffer];
    if (iteration_) allocatedIn_[buffer] = *iteration_;
    tracker_.allocated(heldBytes_[buffer], MemoryDevice::Host, spec.category, tenant(spec), true, slot(buffer));
    for (size_t t : tenants_[buffer])
        address_[static_cast<size_t>(tensors_[t].value)] = static_cast<std::byte*>(data) + plan_.offsetOf[t];
    return Status::ok();
}

void TensorMemory::release(size_t buffer) {
    // Tenants of a buffer whose pages moved point into the destination
    // until now.
    for (size_t t : tenants_[buffer]) address_[static_cast<size_t>(tensors_[t].value)] = nullptr;
    if (!bufferData_[buffer]) return;
    const BufferSpec& spec = plan_.buffers[buffer];
    allocator_.release(bufferData_[buffer], mappedBytes_[buffer]);
    bufferData_[buffer] = nullptr;
    tracker_.freed(heldBytes_[buffer], MemoryDevice::Host, spec.category, tenant(spec), slot(buffer));
    heldBytes_[buffer] = 0;
}

void TensorMemory::movePages(const PageMove& move) {
    const auto from = static_cast<size_t>(move.from), into = static_cast<size_t>(move.into);
    if (!bufferData_[from] || !bufferData_[into]) return;  // a run that stopped early
    const BufferSpec& source = plan_.buffers[from];
    const BufferSpec& target = plan_.buffers[into];
    std::byte* to = static_cast<std::byte*>(bufferData_[into]) + move.offset;
    heldBytes_[into] += source.bytes;
    if (allocator_.movePages(bufferData_[from], mappedBytes_[from], bufferData_[into], mappedBytes_[into],
                             move.offset)) {
        bufferData_[from] = nullptr;
        tracker_.handedOver(heldBytes_[from], MemoryDevice::Host, source.category, tenant(source), target.category,
                            tenant(target), slot(from), slot(into));
        heldBytes_[from] = 0;
        for (size_t t : tenants_[from]) address_[static_cast<size_t>(tensors_[t].value)] = to;
        return;
    }
    // Not moved: the Concat copies the bytes into the destination, which
    // holds them from now on (its pages there are touched now), and the
    // source goes after the step as usual.
    tracker_.allocated(source.bytes, MemoryDevice::Host, target.category, tenant(target), false, slot(into));
}

Status TensorMemory::beginRun() {
    allocator_.endHold();
    // The lasting buffers not mapped yet (the first run's) come from one
    // region on huge pages (HostAllocator::reserve).
    std::size_t lasting = 0;
    for (size_t b = 0; b < plan_.buffers.size(); ++b)
        if (!plan_.buffers[b].perRun() && !bufferData_[b]) lasting += allocator_.reservedLength(plan_.buffers[b].bytes);
    allocator_.reserve(lasting);
    Status status = Status::ok();
    for (size_t b = 0; b < plan_.buffers.size() && status.isOk(); ++b) {
        if (plan_.buffers[b].perRun())
            release(b);  // kept outputs of the previous run
        else if (!bufferData_[b])
            status = allocate(b);
    }
    allocator_.endReserve();
    return status;
}

Status TensorMemory::beforeStep(int step) {
    if (step < 0 || static_cast<size_t>(step) >= allocAt_.size()) return Status::ok();
    for (size_t b : allocAt_[static_cast<size_t>(step)]) {
        if (Status status = allocate(b); !status.isOk()) {
            allocator_.endHold();
            return status;
        }
    }
    for (size_t m : movesAt_[static_cast<size_t>(step)]) movePages(plan_.moves[m]);
    allocator_.endHold();  // what the step's allocations did not take
    return Status::ok();
}

void TensorMemory::afterStep(int step) {
    if (step < 0 || static_cast<size_t>(step) >= freeAt_.size()) return;
    for (const auto& [b, keep] : trimsAt_[static_cast<size_t>(step)]) {
        // A striped conv wrote its output over the start of this buffer; the
        // rest held its (now dead) input. Where the OS cannot cut the block
        // it stays whole, and so does the count.
        if (!bufferData_[b] || keep >= mappedBytes_[b] || !allocator_.trim(bufferData_[b], mappedBytes_[b], keep))
            continue;
        const BufferSpec& spec = plan_.buffers[b];
        const std::size_t cut = std::min(heldBytes_[b], mappedBytes_[b] - keep);
        tracker_.freed(cut, MemoryDevice::Host, spec.category, tenant(spec), slot(b));
        heldBytes_[b] -= cut;
        mappedBytes_[b] = keep;
    }
    // The blocks freed here and those the next step allocates can be the
    // same pages (HostAllocator::holdReleases); the next beforeStep() ends
    // the hold, the last step has none.
    if (static_cast<size_t>(step) + 1 < freeAt_.size()) allocator_.holdReleases();
    for (size_t b : freeAt_[static_cast<size_t>(step)]) release(b);
}

void TensorMemory::endSteps() { allocator_.endHold(); }

void TensorMemory::releasePerRun() {
    allocator_.endHold();
    for (size_t b = 0; b < bufferData_.size(); ++b)
        if (plan_.buffers[b].perRun()) release(b);
}

void TensorMemory::releaseAll() {
    allocator_.endHold();
    for (size_t b = 0; b < bufferData_.size(); ++b) release(b);
}

}  // namespace interstage
