// A Session runs one model with one configuration (backend, threads,
// memory mode, input shapes) any number of times.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "interstage/memory.h"
#include "interstage/memory_budget.h"
#include "interstage/model.h"
#include "interstage/run_stats.h"
#include "interstage/session_options.h"
#include "interstage/status.h"
#include "interstage/tensor.h"

namespace interstage {

class Session {
public:
    // Resolves shapes, checks that every op is supported (an unsupported op
    // is an error naming the op and the node, before any run) and prepares
    // the kernels.
    static Result<std::unique_ptr<Session>> create(Model model, const SessionOptions& options = {});
    ~Session();

    // Runs once. Inputs not given get the deterministic default input
    // (defaultInput()). Inputs whose shapes differ from the prepared ones
    // re-prepare the session for the new shapes.
    Status run(const std::map<std::string, TensorData>& inputs, RunStats* stats = nullptr);

    // The graph outputs of the last run, in graph order.
    std::vector<std::string> outputNames() const;
    Result<TensorData> output(const std::string& name) const;
    // Any tensor after a run. One that the memory mode released or shared,
    // or that fusion removed, gives a DataRemoved status naming the tensor,
    // the reason and the way out (pin it, use the default mode, or disable
    // fusion).
    Result<TensorData> blob(const std::string& name) const;

    // The lower bound of the file's graph (as `info` reports it) and of the
    // graph the session executes (after fusion and folding).
    std::size_t lowerBoundBytes() const;
    std::size_t executedLowerBoundBytes() const;
    // The lower bound under the in-place rules this session's plan may use
    // (Concat members, overwrites; pins included): a tensor that could be
    // written inside another alive at the same step counts once. No plan
    // of this configuration holds fewer live bytes (activations) at its
    // peak; the graph-as-written bounds above can be undercut by in-place
    // writes. Equal to executedLowerBoundBytes() (plus pins) where nothing
    // is written in place (default mode, Vulkan).
    std::size_t aliasedLowerBoundBytes() const;
    // The memory-aware execution order (SessionOptions::memoryAwareOrder):
    // how many nodes run elsewhere than in the file's order (0: the file's
    // order kept), and the planned reduce-mode peak of live tensors in the
    // file's order and in the order that runs.
    struct ExecutionOrder {
        int nodesMoved = 0;
        std::size_t fileOrderPeakBytes = 0;
        std::size_t peakBytes = 0;
    };
    ExecutionOrder executionOrder() const;
    // Weight bytes the session holds: the graph's copies still referenced
    // plus kernels' packed copies.
    std::size_t weightBytes() const;
    // The plan: every planned tensor's buffer, offset and lifetime.
    std::vector<TensorPlacement> memoryMap() const;
    // The graph as executed (after fusion and folding). The weights the
    // passes made (folded Conv weights, folded constants) are released once
    // a kernel packed its own copy; executedGraphWithWeights() rebuilds the
    // same graph with all of them (for running it elsewhere, as the tests
    // do on a Vulkan executor).
    const Graph& executedGraph() const;
    Result<Graph> executedGraphWithWeights() const;
    // The peak the plan needs, as checked against the budget.
    std::size_t plannedPeakBytes() const;
    // The plan's buffers alone at their worst step (no weights, inputs or
    // shared workspace): the arena's slab, what the other planners hold.
    std::size_t plannedBufferPeakBytes() const;
    // The budget the session checks its plans against, and where it came
    // from (SessionOptions::maxMemoryBytes / automaticBudget), resolved
    // when the session is created.
    MemoryBudget memoryBudget() const;
    // Another budget from now on: runs stop with OutOfMemory at the
    // allocation that would take the tracked bytes past it (the modes that
    // allocate while running: reduce, reduce+reuse, control-flow bodies),
    // and the next preparation (other input shapes) checks its plan
    // against it. The plan prepared now is not checked again.
    void setMemoryBudget(MemoryBudget budget);
    // Vulkan backend: "name (Op)" of every node that runs on the CPU for
    // want of a shader (empty on the CPU backend), known once the session
    // is prepared; and whether device heap usage is sampled during runs.
    std::vector<std::string> cpuFallbackNodes() const;
    bool samplesDeviceHeap() const;

    // Tests: the n-th host tensor allocation from now fails (0: off).
    void failNthAllocationForTesting(int n);
    // The n-th page move from now (a Concat input handing its pages over)
    // fails, so the Concat copies instead.
    void failNthPageMoveForTesting(int n);
    // Tests (Vulkan backend; no effect on the CPU): the n-th queue submit
    // from now reports VK_ERROR_DEVICE_LOST instead of running (0: off).
    // The run ends with a DeviceLost status and the session refuses later
    // runs, as after a real device loss.
    void loseDeviceAtNthSubmitForTesting(int n);

    const Graph& graph() const;
    const SessionOptions& options() const;
    int threads() const;  // the resolved thread count

private:
    Session();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Element i is ((i * 7) % 256) / 255 - 0.5 (float types; integer types get
// (i * 7) % 256, bool i % 2): the same input on every machine and every run.
TensorData defaultInput(DataType dtype, const Shape& shape);

}  // namespace interstage
