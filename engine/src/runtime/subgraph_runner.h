// Runs control-flow bodies on the CPU (cpu::SubgraphHost): each
// body is resolved for the shapes its node hands it, gets its own kernels
// and a memory plan from the same planner as the run's memory mode, and
// runs on a nested CpuExecutor whose allocations go through the run's
// allocator and tracker (so they count in the run's peak, under the
// control-flow node, each event naming the body value and the iteration).
// A prepared body is kept while its input shapes stay the same: a Loop
// plans its body once, not once per iteration.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "cpu/subgraph.h"
#include "interstage/memory.h"
#include "interstage/model.h"
#include "memory/host_allocator.h"
#include "memory/memory_tracker.h"

namespace interstage {

// The values of the graph that owns the bodies, where a body reads them:
// the executor running that graph knows where they live (the CPU
// executor's buffers; the host copies the Vulkan executor downloads for a
// CPU-fallback node).
class OuterValues {
public:
    // The outer value `id` as it is now, read in place.
    virtual cpu::TensorView outerView(ValueId id) = 0;

protected:
    ~OuterValues() = default;
};

// How bodies are planned: the session's memory mode and shape options.
// The budget is the allocator's (HostAllocator::budget()): the one the
// session's runs obey, none where the host is not what is bounded.
struct SubgraphOptions {
    MemoryMode mode;
    ShapeOptions shapes;
};

class SubgraphRunner : public cpu::SubgraphHost {
public:
    // `owner` runs `outer`, the graph whose nodes own the bodies; `path`
    // names `outer` when it is itself a body ("Loop_0 › body"), else "".
    SubgraphRunner(const Graph& outer, OuterValues& owner, HostAllocator& allocator, MemoryTracker& tracker,
                   int threads, SubgraphOptions options, std::string path);
    ~SubgraphRunner() override;

    // The node about to run (`node` of the outer graph): the node of the
    // run's graph memory events are reported under, and the run's stop
    // request. Its bodies' iterations count from 0 again.
    void enter(NodeId reportedNode, NodeId node, const std::function<bool()>* stopRequested);

    Result<cpu::Subgraph*> prepare(const Graph& body, const std::vector<cpu::TensorView>& inputs) override;
    Status checkStop() override;

    // For prepared bodies: an outer value's data now, and whether to stop.
    cpu::TensorView outerView(ValueId id) const;
    bool stopRequested() const { return stop_ && (*stop_)(); }

private:
    class PreparedBody;
    Result<std::unique_ptr<PreparedBody>> build(const Graph& body, const std::vector<cpu::TensorView>& inputs);
    // "NODE › ATTRIBUTE" of a body of the node entered, after path_.
    std::string pathOf(const Graph& body) const;

    const Graph& outer_;
    OuterValues& owner_;
    HostAllocator& allocator_;
    MemoryTracker& tracker_;
    int threads_;
    SubgraphOptions options_;
    std::string path_;
    NodeId reportedNode_ = kNoNode;
    NodeId node_ = kNoNode;
    const std::function<bool()>* stop_ = nullptr;
    std::map<const Graph*, std::unique_ptr<PreparedBody>> prepared_;
    // Per body: its runs in the current node's step, less one (the
    // iteration running). A map's elements stay put: executors point here.
    std::map<const Graph*, int32_t> iterations_;
};

}  // namespace interstage
