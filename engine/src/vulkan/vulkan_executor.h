// Runs a resolved, fused graph on a Vulkan device over a MemoryPlan made by
// the same planners as the CPU session: one VkDeviceMemory per BufferSpec
// (the arena: one allocation, tensors bound at offsets), allocated and
// freed at the plan's steps exactly as runtime/tensor_memory.cpp does on
// the host, so reduce mode calls vkAllocateMemory / vkFreeMemory around
// each lifetime on every run. Every allocation goes to the MemoryTracker.
//
// Nodes whose op has no shader (or whose variant the shader does not
// handle) run the CPU kernel: their inputs are downloaded, their outputs
// uploaded, and those transfers are counted.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "interstage/graph.h"
#include "interstage/session.h"
#include "interstage/status.h"
#include "interstage/tensor.h"
#include "memory/memory_tracker.h"
#include "plan/memory_plan.h"
#include "runtime/executor.h"

namespace interstage {
class HostAllocator;
struct SubgraphOptions;
}  // namespace interstage

namespace interstage::vulkan {

class VulkanExecutor : public Executor {
public:
    // `exec` is referenced, not copied: it must outlive the executor and
    // not change (re-create the executor when the session re-prepares).
    // Nothing happens until prepareKernels().
    VulkanExecutor(const Graph& exec, MemoryTracker& tracker, int deviceIndex = 0);
    // For running a graph alone (tests): prepare() then makes the kernels
    // and takes this plan (PlannedTensor i placed by plan.bufferOf[i] /
    // offsetOf[i]).
    VulkanExecutor(const Graph& exec, const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan,
                   MemoryTracker& tracker, int deviceIndex = 0);
    ~VulkanExecutor() override;
    VulkanExecutor(const VulkanExecutor&) = delete;
    VulkanExecutor& operator=(const VulkanExecutor&) = delete;

    // Control-flow nodes run on the CPU, as fallbacks: their bodies are
    // planned with these options and allocate through `allocator` (the
    // session's), counted by the tracker under the node. Set before
    // prepareKernels(); without it, the Default mode and an allocator of
    // the executor's own.
    void setSubgraphOptions(HostAllocator& allocator, const SubgraphOptions& options);
    // fp16 storage (SessionOptions::gpuFp16; vulkan/fp16_storage.h). Set
    // before prepareKernels(), which refuses it (Unsupported, with the
    // reason) on a device without 16-bit storage buffers.
    void setFp16Storage(bool on);
    bool fp16Storage() const;
    std::size_t tensorBytes(const Value& value) const override;
    // Creates the device and prepares a Vulkan kernel per node (or the CPU
    // kernel where there is none).
    Status prepareKernels() override;
    std::size_t workspaceBytes(size_t) const override { return 0; }
    bool writesOverInput(size_t) const override { return false; }
    bool realizesAliases() const override { return false; }
    // Realizes the plan's buffer steps, allocates input buffers and uploads
    // the weights once through a staging buffer. No shared workspace: the
    // device kernels need none (CPU-fallback nodes get theirs per run).
    Status setPlan(const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan,
                   std::size_t sharedWorkspaceBytes) override;
    // prepareKernels() and setPlan() with the constructor's plan.
    Status prepare();

    // One run. `inputs` must hold every runtime input of `exec` by name,
    // with the prepared shape and dtype. Does not call tracker.beginRun():
    // the caller starts the run on the tracker first. While progress is
    // live (an observer is set), the run is submitted in stretches of
    // nodes sized to take about kStretchMs each on the device (at least
    // one node): each stretch's node times go to the observer as soon as
    // it is done, and a stop waits for about that long. Without one the
    // run is one submit, as fast as it gets.
    Status run(const std::map<std::string, TensorData>& inputs, RunProgress& progress) override;
    Status run(const std::map<std::string, TensorData>& inputs);
    static constexpr double kStretchMs = 20;
    // True once the device reported VK_ERROR_DEVICE_LOST (or a test
    // injected it): every later run or read returns DeviceLost.
    bool deviceLost() const override;
    // Tests: see Context::loseDeviceAtNthSubmitForTesting.
    void loseDeviceAtNthSubmitForTesting(int n) override;
    // Downloads a tensor after a run: weights, inputs, and planned tensors
    // whose buffer is still allocated (DataRemoved when the plan freed it).
    Result<TensorData> read(ValueId value) override;

    // Per node of the last run, in execution order (GPU timestamps; CPU
    // fallback nodes by wall clock). startMs is the sum of the nodes before.
    const std::vector<NodeTiming>& nodeTimings() const;
    // Host <-> device transfers the CPU fallback nodes caused in the last
    // run (one per tensor moved) and their bytes (the device's bytes).
    int fallbackTransfers() const;
    std::size_t fallbackBytes() const;
    // "name (Op)" of each node that runs on the CPU.
    std::vector<std::string> fallbackNodes() const override;
    void fillBackendStats(RunStats& stats) const override;

    // Constants the CPU-fallback nodes read from the host at run time (the
    // rest live on the device after setPlan(), so their host copies may go).
    std::set<const TensorData*> hostConstantsRead() const override;

    std::string deviceName() const;
    // Whether VK_LAYER_KHRONOS_validation is on (INTERSTAGE_VULKAN_VALIDATION=1
    // and the layer installed), and the errors it reported so far.
    bool validationEnabled() const;
    int validationErrors() const;
    std::string lastValidationError() const;
    // Planned offsets are multiplied by this (1 unless the device needs a
    // storage-buffer offset alignment above the planner's 64 bytes).
    std::size_t offsetScale() const;
    // VK_EXT_memory_budget: see Context::deviceHeapUsageBytes (thread-safe).
    bool memoryBudgetSupported() const;
    bool samplesDeviceHeap() const override { return memoryBudgetSupported(); }
    std::size_t deviceHeapUsageBytes() const override;
    // Device bytes of the uploaded weights and kernel tables.
    std::size_t weightBytes() const;
    // The memory guard, before setPlan allocates anything (after
    // prepareKernels): the device's automatic budget (Context::deviceBudget)
    // and the device bytes the weights and tables will take with a plan of
    // these tensors.
    MemoryBudget deviceBudget() const;
    std::size_t plannedWeightBytes(const std::vector<PlannedTensor>& tensors) const;
    std::size_t ownWeightBytes() const override { return weightBytes(); }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace interstage::vulkan
