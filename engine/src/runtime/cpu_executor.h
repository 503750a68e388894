// Runs a prepared graph on the CPU: one cpu::Kernel per node, tensors in
// the buffers a MemoryPlan places through TensorMemory (host allocator,
// every allocation and free reported to the tracker), the nodes in the
// graph's order on the calling thread (kernels use OpenMP inside).
#pragma once

#include <memory>
#include <vector>

#include "cpu/kernel.h"
#include "memory/host_allocator.h"
#include "memory/memory_tracker.h"
#include "runtime/executor.h"
#include "runtime/host_buffer.h"
#include "runtime/tensor_memory.h"

namespace interstage {

class CpuExecutor : public Executor {
public:
    // `graph` is referenced: it must outlive the executor and not change.
    CpuExecutor(const Graph& graph, int threads, HostAllocator& allocator, MemoryTracker& tracker);
    ~CpuExecutor() override;

    Status prepareKernels() override;
    std::size_t workspaceBytes(size_t step) const override;
    bool writesOverInput(size_t step) const override;
    bool realizesAliases() const override { return true; }
    Status setPlan(const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan,
                   std::size_t sharedWorkspaceBytes) override;
    Status run(const std::map<std::string, TensorData>& inputs, RunProgress& progress) override;
    Result<TensorData> read(ValueId value) override;
    std::size_t ownWeightBytes() const override;
    std::set<const TensorData*> hostConstantsRead() const override;

    // The plan as realized (the memory map is drawn from it).
    const MemoryPlan& plan() const { return memory_.plan(); }
    const std::vector<PlannedTensor>& tensors() const { return memory_.tensors(); }

private:
    cpu::TensorView view(ValueId id);
    Status runNode(size_t n, cpu::RunContext& context);

    const Graph& graph_;
    int threads_;
    MemoryTracker& tracker_;
    TensorMemory memory_;
    std::vector<std::unique_ptr<cpu::Kernel>> kernels_;  // per node; null for nodes that only make weights
    std::vector<bool> plannedWorkspace_;                 // per node: its workspace is a planned tensor
    std::vector<HostBuffer> inputBuffers_;               // per value; only runtime inputs
    HostBuffer sharedWorkspace_;
};

// Nodes whose outputs are all weights with known data (Constant nodes) need
// no kernel: consumers read the weight directly.
bool producesOnlyWeights(const Graph& graph, const Node& node);

}  // namespace interstage
