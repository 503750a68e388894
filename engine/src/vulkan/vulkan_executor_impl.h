// The VulkanExecutor's state and its helpers, shared by its two source
// files: vulkan_executor.cpp (prepare, plan, run, timings) and
// vulkan_executor_transfers.cpp (weights up, CPU-fallback nodes, reads).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "cpu/kernel.h"
#include "runtime/cpu_executor.h"
#include "runtime/subgraph_runner.h"
#include "vulkan/vulkan_context.h"
#include "vulkan/vulkan_executor.h"
#include "vulkan/vulkan_kernel.h"

namespace interstage::vulkan {

using ExecutorClock = std::chrono::steady_clock;

inline VkDeviceSize alignUp(VkDeviceSize v, VkDeviceSize a) { return (v + a - 1) / a * a; }

inline std::string nodeLabel(const Node& node) { return "node '" + node.name + "' (" + node.opType + ")"; }

// What a CPU-fallback control-flow node's bodies read from the graph: host
// views of the node's implicit inputs, set before its kernel runs.
struct FallbackOuterValues : OuterValues {
    std::map<ValueId, cpu::TensorView> views;
    // Every outer value a body reads is an implicit input of its node
    // (graph_convert lists them, nested bodies' reads included).
    cpu::TensorView outerView(ValueId id) override {
        auto it = views.find(id);
        return it == views.end() ? cpu::TensorView{} : it->second;
    }
};

struct VulkanExecutor::Impl : Recorder {
    const Graph& graph;
    std::vector<PlannedTensor> tensors;
    MemoryPlan plan;
    MemoryTracker& tracker;
    int deviceIndex;

    std::unique_ptr<Context> ctx;
    std::vector<std::unique_ptr<VulkanKernel>> gpu;        // per node; null: CPU or skipped
    std::vector<std::unique_ptr<cpu::Kernel>> cpuKernels;  // per node; the fallbacks
    std::vector<int> tensorOf;                             // per value: index into tensors, -1
    std::vector<Buffer> buffers;                           // per plan buffer
    std::vector<std::vector<size_t>> allocAt, freeAt;      // per step
    std::vector<Buffer> inputBuffers;                      // per value: runtime inputs
    std::map<ValueId, TensorData> hostInputs;              // the last run's inputs
    Buffer weights;
    std::vector<VkDeviceSize> weightOffset;       // per value; kNoOffset if not uploaded
    std::vector<std::vector<Binding>> constants;  // per node: its kernel tables
    Buffer staging;
    VkDeviceSize scale = 1;
    bool fp16 = false;  // fp16 storage: float32 tensors are float16 on the device
    bool prepared = false;
    RunProgress* progress = nullptr;  // during run()
    int nodesInStretch = 0;           // nodes recorded since the last submit
    int stretchNodes = 1;             // nodes per stretch, adapted to kStretchMs
    size_t reportedNodes = 0;         // nodes whose timings went to progress this run
    double deviceClockMs = 0;         // the reported nodes' time so far (their startMs)
    std::vector<double> cpuMs;        // per node: wall time of a CPU-fallback node, -1 otherwise

    VkCommandBuffer cmd = VK_NULL_HANDLE;
    VkQueryPool queries = VK_NULL_HANDLE;
    std::vector<NodeTiming> timings;
    std::vector<bool> timed;  // per node: has timestamps this run
    int transfers = 0;
    std::size_t transferBytes = 0;

    // Control-flow bodies (of CPU-fallback nodes) run on the CPU.
    HostAllocator ownAllocator;
    HostAllocator* allocator = &ownAllocator;
    SubgraphOptions subgraphOptions;
    FallbackOuterValues outerValues;
    std::unique_ptr<SubgraphRunner> subgraphs;  // when a fallback node has a body

    static constexpr VkDeviceSize kNoOffset = ~VkDeviceSize(0);

    Impl(const Graph& g, MemoryTracker& tr, int d) : graph(g), tracker(tr), deviceIndex(d) {}

    ~Impl() {
        subgraphs.reset();  // bodies' memory first, while the tracker counts it
        if (!ctx) return;
        ctx->discard();
        for (auto& b : buffers) ctx->destroyBuffer(b);
        for (auto& b : inputBuffers) ctx->destroyBuffer(b);
        ctx->destroyBuffer(weights);
        ctx->destroyBuffer(staging);
    }

    // ---- Recorder -------------------------------------------------------

    Status dispatchSpecialized(std::string_view shader, std::span<const int32_t> specialization,
                               std::span<const Binding> bindings, const void* push, std::size_t pushBytes,
                               uint64_t invocations) override {
        if (invocations == 0) return Status::ok();
        if (pushBytes > kPushConstantBytes) return Status(StatusCode::Internal, "push constants too large");
        auto pipeline = ctx->pipeline(fp16 ? std::string(shader) + "_fp16" : std::string(shader),
                                      static_cast<uint32_t>(bindings.size()), specialization);
        if (!pipeline.ok()) return pipeline.status();
        auto set = ctx->allocateDescriptorSet(*pipeline.value());
        if (!set.ok()) return set.status();
        std::vector<VkDescriptorBufferInfo> infos(bindings.size());
        std::vector<VkWriteDescriptorSet> writes(bindings.size());
        for (size_t i = 0; i < bindings.size(); ++i) {
            if (!bindings[i].buffer) return Status(StatusCode::Internal, "a shader binding has no buffer");
            infos[i] = {bindings[i].buffer, bindings[i].offset, std::max<VkDeviceSize>(bindings[i].bytes, 4)};
            writes[i] = VkWriteDescriptorSet{};
            writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
            writes[i].dstSet = set.value();
            writes[i].dstBinding = static_cast<uint32_t>(i);
            writes[i].descriptorCount = 1;
            writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
            writes[i].pBufferInfo = &infos[i];
        }
        vkUpdateDescriptorSets(ctx->device(), static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);
        const Pipeline& p = *pipeline.value();
        vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p.pipeline);
        vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p.layout, 0, 1, &set.value(), 0, nullptr);
        uint8_t block[kPushConstantBytes] = {};
        std::memcpy(block, push, pushBytes);
        vkCmdPushConstants(cmd, p.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, kPushConstantBytes, block);
        // Big grids go over y: maxComputeWorkGroupCount[0] may be 65535.
        const uint64_t groups = (invocations + 63) / 64;
        const uint64_t maxX = std::min<uint64_t>(ctx->properties().limits.maxComputeWorkGroupCount[0], 65535);
        const uint64_t x = std::min(groups, maxX);
        const uint64_t y = (groups + x - 1) / x;
        if (y > ctx->properties().limits.maxComputeWorkGroupCount[1])
            return unsupported("a dispatch of " + std::to_string(invocations) + " invocations is too large");
        vkCmdDispatch(cmd, static_cast<uint32_t>(x), static_cast<uint32_t>(y), 1);
        return Status::ok();
    }

    Status copy(const Binding& source, const Binding& target, VkDeviceSize bytes) override {
        VkBufferCopy region{source.offset, target.offset, bytes};
        vkCmdCopyBuffer(cmd, source.buffer, target.buffer, 1, &region);
        return Status::ok();
    }

    // ---- segments and transfers -----------------------------------------

    Status open() {
        auto c = ctx->begin();
        if (!c.ok()) return c.status();
        cmd = c.value();
        return Status::ok();
    }

    Status flush() {
        nodesInStretch = 0;
        Status status = ctx->submitAndWait();
        cmd = VK_NULL_HANDLE;
        return status;
    }

    // Submits a stretch and sizes the next one: halve it when this one
    // took more than twice kStretchMs, double it when under half. Node
    // costs differ by orders of magnitude between devices and models.
    Status flushStretch() {
        const auto start = ExecutorClock::now();
        Status status = flush();
        const double ms = std::chrono::duration<double, std::milli>(ExecutorClock::now() - start).count();
        if (ms > 2 * kStretchMs)
            stretchNodes = std::max(1, stretchNodes / 2);
        else if (ms < kStretchMs / 2)
            stretchNodes = std::min(1024, stretchNodes * 2);
        return status;
    }

    // Makes the writes before it visible to every later read (shaders,
    // copies, the host).
    void barrier() {
        VkMemoryBarrier b{};
        b.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
        b.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
        b.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                          VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT;
        vkCmdPipelineBarrier(
            cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
            VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
            &b, 0, nullptr, 0, nullptr);
    }

    Status ensureStaging(std::size_t bytes) {
        if (staging.valid() && staging.bytes >= bytes) return Status::ok();
        ctx->destroyBuffer(staging);
        auto b = ctx->createBuffer(bytes, true, MemoryCategory::Staging, kNoValue);
        if (!b.ok()) return b.status();
        staging = b.take();
        return Status::ok();
    }

    // A `type` tensor's host bytes up to the device, converted there with
    // fp16 storage.
    Status upload(const Binding& target, DataType type, const void* data, std::size_t hostBytes) {
        if (hostBytes == 0) return Status::ok();
        const std::size_t bytes = deviceBytes(type, fp16, hostBytes);
        IS_RETURN_IF_ERROR(flush());
        IS_RETURN_IF_ERROR(ensureStaging(bytes));
        hostToDevice(type, fp16, static_cast<const std::byte*>(data), hostBytes,
                     static_cast<std::byte*>(staging.mapped));
        IS_RETURN_IF_ERROR(open());
        IS_RETURN_IF_ERROR(copy({staging.buffer, 0, bytes}, target, bytes));
        barrier();
        return flush();
    }

    // The way back: the device's bytes of a `type` tensor into `hostBytes`.
    Status download(const Binding& source, DataType type, void* data, std::size_t hostBytes) {
        if (hostBytes == 0) return Status::ok();
        const std::size_t bytes = deviceBytes(type, fp16, hostBytes);
        IS_RETURN_IF_ERROR(flush());
        IS_RETURN_IF_ERROR(ensureStaging(bytes));
        IS_RETURN_IF_ERROR(open());
        IS_RETURN_IF_ERROR(copy(source, {staging.buffer, 0, bytes}, bytes));
        barrier();
        IS_RETURN_IF_ERROR(flush());
        deviceToHost(type, fp16, static_cast<const std::byte*>(staging.mapped), static_cast<std::byte*>(data),
                     hostBytes);
        return Status::ok();
    }

    // ---- where values live ------------------------------------------------

    bool planned(ValueId id) const { return id >= 0 && tensorOf[static_cast<size_t>(id)] >= 0; }

    Result<Binding> binding(ValueId id) const {
        if (id == kNoValue) return Binding{};
        const Value& v = graph.value(id);
        const auto i = static_cast<size_t>(id);
        const VkDeviceSize bytes = deviceBytes(v, fp16);
        if (weightOffset[i] != kNoOffset) return Binding{weights.buffer, weightOffset[i], bytes};
        if (inputBuffers[i].valid()) return Binding{inputBuffers[i].buffer, 0, bytes};
        if (planned(id)) {
            const auto t = static_cast<size_t>(tensorOf[i]);
            const Buffer& b = buffers[static_cast<size_t>(plan.bufferOf[t])];
            if (!b.valid())
                return Status(StatusCode::Internal, "tensor '" + v.name + "' has no device buffer at this step");
            return Binding{b.buffer, plan.offsetOf[t] * scale, bytes};
        }
        return Status(StatusCode::Internal, "tensor '" + v.name + "' is not on the device");
    }

    Status allocate(size_t b) {
        const BufferSpec& spec = plan.buffers[b];
        const bool shared = std::count(plan.bufferOf.begin(), plan.bufferOf.end(), static_cast<int>(b)) > 1;
        auto buffer = ctx->createBuffer(spec.bytes * (shared ? scale : 1), false, spec.category, spec.firstTenant);
        if (!buffer.ok()) return buffer.status();
        buffers[b] = buffer.take();
        return Status::ok();
    }

    void release(size_t b) { ctx->destroyBuffer(buffers[b]); }

    // ---- prepare ----------------------------------------------------------

    Status prepareKernels();
    Status setPlan(const std::vector<PlannedTensor>& t, const MemoryPlan& p);
    // Where the weights read by GPU kernels and the kernels' tables go in
    // the one device buffer (constants `heldElsewhere` skips: planned
    // tensors, run inputs). Computed, not allocated: the budget check asks
    // for the total before setPlan.
    struct WeightPiece {
        VkDeviceSize offset = 0;
        const void* data = nullptr;
        std::size_t hostBytes = 0;
        DataType type = DataType::UInt32;  // kernel tables: words, or Float (constantsAreFloat)
    };
    struct WeightLayout {
        VkDeviceSize total = 0;
        std::vector<WeightPiece> pieces;
        std::deque<std::vector<uint32_t>> tables;  // stable addresses while pieces point into them
        std::vector<VkDeviceSize> weightOffset;    // per value
        std::vector<std::vector<Binding>> constants;
    };
    WeightLayout layoutWeights(const std::function<bool(ValueId)>& heldElsewhere) const;
    std::size_t deviceWeightBytes(const std::vector<PlannedTensor>& planTensors) const;
    Status uploadWeights();
    Status run(const std::map<std::string, TensorData>& inputs);
    Status runNodes();
    Status runNode(size_t n);
    Status runOnCpu(size_t n);
    Result<cpu::TensorView> hostView(ValueId id, std::vector<TensorData>& host, std::size_t& hostBytes);
    void reportThrough(size_t end);
};

}  // namespace interstage::vulkan
