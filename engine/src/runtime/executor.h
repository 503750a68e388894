// The executor interface: what runs a prepared graph on one backend. The
// Session orchestrates (model -> passes -> kernels -> plan -> executor ->
// stats); an executor owns the kernels and the tensor memory of its
// backend and never decides a plan. Two implementations: CpuExecutor
// (runtime/cpu_executor.h) and vulkan::VulkanExecutor.
//
// The order of calls: prepareKernels() once, then setPlan() (again after
// a re-plan is not supported: make a new executor), then any number of
// run() and read().
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "interstage/session.h"
#include "interstage/status.h"
#include "interstage/tensor.h"
#include "plan/memory_plan.h"
#include "runtime/run_progress.h"

namespace interstage {

class Executor {
public:
    virtual ~Executor() = default;

    // Makes one kernel per node of the graph (the graph the executor was
    // made for): checks attributes, packs weights, creates the device.
    virtual Status prepareKernels() = 0;

    // What the kernels tell the planner. Scratch memory of the node at
    // this step (0: none); whether its kernel stays correct with its
    // output placed over the start of input 0 (row-striped convs); and
    // whether the backend realizes aliased plans at all (in-place writes,
    // Concat members, page moves).
    virtual std::size_t workspaceBytes(size_t step) const = 0;
    virtual bool writesOverInput(size_t step) const = 0;
    virtual bool realizesAliases() const = 0;
    // The bytes a value's tensor takes where this executor stores it (the
    // planner's size of it): Value::byteSize() unless the backend stores
    // it otherwise (Vulkan's fp16 storage halves float32 tensors).
    virtual std::size_t tensorBytes(const Value& value) const { return value.byteSize(); }

    // Takes the plan of the graph's tensors (PlannedTensor i is placed by
    // plan.bufferOf[i] / offsetOf[i]; workspace entries have value ids
    // past the graph's values, node n's at values.size() + n) and sets up
    // what lives across runs: input buffers, weights on the device.
    // sharedWorkspaceBytes: one buffer for every kernel's scratch when the
    // plan does not place workspace itself.
    virtual Status setPlan(const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan,
                           std::size_t sharedWorkspaceBytes) = 0;

    // One run over `inputs` (every runtime input by name, prepared shape
    // and dtype). The caller has begun the run on the tracker; the
    // executor reports each node to `progress` as soon as its time is
    // known, and polls it for a stop between nodes.
    virtual Status run(const std::map<std::string, TensorData>& inputs, RunProgress& progress) = 0;

    // A tensor's bytes after a run, as ONNX lays it out. Whether the
    // memory mode keeps it is the Session's question, asked before.
    virtual Result<TensorData> read(ValueId value) = 0;

    // Weights the executor holds in its own form (packed CPU copies,
    // device buffers), and the graph's constants it still reads from the
    // host at run time (the others may be released).
    virtual std::size_t ownWeightBytes() const = 0;
    virtual std::set<const TensorData*> hostConstantsRead() const = 0;

    // Backend specifics, with neutral answers by default.
    virtual std::vector<std::string> fallbackNodes() const { return {}; }
    virtual bool deviceLost() const { return false; }
    virtual bool samplesDeviceHeap() const { return false; }
    virtual std::size_t deviceHeapUsageBytes() const { return 0; }
    virtual void fillBackendStats(RunStats& stats) const {}
    virtual void loseDeviceAtNthSubmitForTesting(int n) {}
};

}  // namespace interstage
