// Runs a prepared graph on the CPU: one cpu::Kernel per node, tensors in
// the buffers a MemoryPlan places through TensorMemory (host allocator,
// every allocation and free reported to the tracker), the nodes in the
// graph's order on the calling thread (kernels use OpenMP inside).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cpu/kernel.h"
#include "memory/host_allocator.h"
#include "memory/memory_tracker.h"
#include "runtime/executor.h"
#include "runtime/host_buffer.h"
#include "runtime/subgraph_runner.h"
#include "runtime/tensor_memory.h"

namespace interstage {

class CpuExecutor : public Executor, public OuterValues {
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

    // Control-flow bodies (If, Loop, Scan) are planned in this memory mode
    // and checked against the allocator's budget (default: the Default mode).
    // Set before prepareKernels().
    void setSubgraphOptions(const SubgraphOptions& options) { subgraphOptions_ = options; }

    // ---- running as a body (runtime/subgraph_runner)
    // Memory events are reported under `node` of the run and name no
    // tensor (the body's value ids mean nothing to the run's graph) but the
    // body value: `indices` per value id (then per node's workspace) and
    // `slab` for an arena's slab index the tracker's table, `*iteration` is
    // the body's iteration when an event happens. `path` names the body
    // ("Loop_0 › body") for the bodies nested in it. Before prepareKernels().
    void runAsBody(NodeId node, std::string path, std::vector<int32_t> indices, int32_t slab,
                   const int32_t* iteration) {
        body_ = true;
        reportedNode_ = node;
        bodyPath_ = std::move(path);
        memory_.nameBodyValues(std::move(indices), slab, iteration);
    }
    // A value whose data lives outside this executor: the body's formal
    // inputs and the outer values it reads. Read in place, never copied.
    void bind(ValueId id, void* data) { bound_[static_cast<size_t>(id)] = data; }
    // One run with the values bound; stops between nodes when asked.
    Status runBody(const std::function<bool()>& stopRequested);
    // The run's per-run buffers go back (the node is done with the body).
    void endBodyRun() { memory_.releasePerRun(); }
    cpu::TensorView viewOf(ValueId id) { return view(id); }
    // The bodies of this graph's nodes read its values in place.
    cpu::TensorView outerView(ValueId id) override { return view(id); }

private:
    cpu::TensorView view(ValueId id);
    Status runNode(size_t n, cpu::RunContext& context, const std::function<bool()>& stopRequested);
    Status runSteps(RunProgress* progress, const std::function<bool()>& stopRequested);

    const Graph& graph_;
    int threads_;
    MemoryTracker& tracker_;
    TensorMemory memory_;
    std::vector<std::unique_ptr<cpu::Kernel>> kernels_;  // per node; null for nodes that only make weights
    std::vector<bool> plannedWorkspace_;                 // per node: its workspace is a planned tensor
    std::vector<HostBuffer> inputBuffers_;               // per value; only runtime inputs
    HostBuffer sharedWorkspace_;
    HostAllocator& allocator_;
    SubgraphOptions subgraphOptions_;
    std::unique_ptr<SubgraphRunner> subgraphs_;  // when a node has a body
    bool body_ = false;                          // this executor runs a body
    NodeId reportedNode_ = kNoNode;
    std::string bodyPath_;      // bodies: "Loop_0 › body"
    std::vector<void*> bound_;  // per value: data bound from outside (bodies)
};

// Nodes whose outputs are all weights with known data (Constant nodes) need
// no kernel: consumers read the weight directly.
bool producesOnlyWeights(const Graph& graph, const Node& node);

}  // namespace interstage
