// VulkanExecutor: realizes the plan on the device and records nodes into
// one command buffer. A recorded stretch of nodes (a segment) is submitted
// and waited for only when it must be: before a plan frees a buffer (the
// GPU must be done with it: this is why reduce is slow on a GPU), before a
// CPU fallback node, at the end of the run, and, when the run can be
// stopped, every stretch of nodes that takes about kStretchMs.
#include "vulkan/vulkan_executor.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>

#include "cpu/kernel.h"
#include "runtime/cpu_executor.h"
#include "vulkan/vulkan_context.h"
#include "vulkan/vulkan_kernel.h"

namespace interstage::vulkan {

namespace {

using Clock = std::chrono::steady_clock;

VkDeviceSize alignUp(VkDeviceSize v, VkDeviceSize a) { return (v + a - 1) / a * a; }

std::string nodeLabel(const Node& node) { return "node '" + node.name + "' (" + node.opType + ")"; }

}  // namespace

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

    static constexpr VkDeviceSize kNoOffset = ~VkDeviceSize(0);

    Impl(const Graph& g, MemoryTracker& tr, int d) : graph(g), tracker(tr), deviceIndex(d) {}

    ~Impl() {
        if (!ctx) return;
        ctx->discard();
        for (auto& b : buffers) ctx->destroyBuffer(b);
        for (auto& b : inputBuffers) ctx->destroyBuffer(b);
        ctx->destroyBuffer(weights);
        ctx->destroyBuffer(staging);
    }

    // ---- Recorder -------------------------------------------------------

    Status dispatch(std::string_view shader, std::span<const Binding> bindings, const void* push, std::size_t pushBytes,
                    uint64_t invocations) override {
        if (invocations == 0) return Status::ok();
        if (pushBytes > kPushConstantBytes) return Status(StatusCode::Internal, "push constants too large");
        auto pipeline = ctx->pipeline(shader, static_cast<uint32_t>(bindings.size()));
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
        const auto start = Clock::now();
        Status status = flush();
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
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

    Status upload(const Binding& target, const void* data, std::size_t bytes) {
        if (bytes == 0) return Status::ok();
        IS_RETURN_IF_ERROR(flush());
        IS_RETURN_IF_ERROR(ensureStaging(bytes));
        std::memcpy(staging.mapped, data, bytes);
        IS_RETURN_IF_ERROR(open());
        IS_RETURN_IF_ERROR(copy({staging.buffer, 0, bytes}, target, bytes));
        barrier();
        return flush();
    }

    Status download(const Binding& source, void* data, std::size_t bytes) {
        if (bytes == 0) return Status::ok();
        IS_RETURN_IF_ERROR(flush());
        IS_RETURN_IF_ERROR(ensureStaging(bytes));
        IS_RETURN_IF_ERROR(open());
        IS_RETURN_IF_ERROR(copy(source, {staging.buffer, 0, bytes}, bytes));
        barrier();
        IS_RETURN_IF_ERROR(flush());
        std::memcpy(data, staging.mapped, bytes);
        return Status::ok();
    }

    // ---- where values live ------------------------------------------------

    bool planned(ValueId id) const { return id >= 0 && tensorOf[static_cast<size_t>(id)] >= 0; }

    Result<Binding> binding(ValueId id) const {
        if (id == kNoValue) return Binding{};
        const Value& v = graph.value(id);
        const auto i = static_cast<size_t>(id);
        if (weightOffset[i] != kNoOffset) return Binding{weights.buffer, weightOffset[i], v.byteSize()};
        if (inputBuffers[i].valid()) return Binding{inputBuffers[i].buffer, 0, v.byteSize()};
        if (planned(id)) {
            const auto t = static_cast<size_t>(tensorOf[i]);
            const Buffer& b = buffers[static_cast<size_t>(plan.bufferOf[t])];
            if (!b.valid())
                return Status(StatusCode::Internal, "tensor '" + v.name + "' has no device buffer at this step");
            return Binding{b.buffer, plan.offsetOf[t] * scale, v.byteSize()};
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
    Status uploadWeights();
    Status run(const std::map<std::string, TensorData>& inputs);
    Status runNodes();
    Status runNode(size_t n);
    Status runOnCpu(size_t n);
    void reportThrough(size_t end);
};

Status VulkanExecutor::Impl::prepareKernels() {
    // Device tensors (and the CPU-fallback kernels' host copies) are laid
    // out as ONNX says; channel blocking is the CPU session's alone.
    for (const Value& v : graph.values)
        if (v.channelBlock)
            return Status(StatusCode::Internal, "tensor '" + v.name +
                                                    "' is channel-blocked; the Vulkan executor "
                                                    "runs graphs with NCHW tensors only");
    auto created = Context::create(deviceIndex, tracker);
    if (!created.ok()) return created.status();
    ctx = created.take();
    const VkDeviceSize align = ctx->storageAlignment();
    scale = align > kPlanAlignment ? (align + kPlanAlignment - 1) / kPlanAlignment : 1;

    const size_t steps = graph.nodes.size();
    gpu.clear();
    gpu.resize(steps);
    cpuKernels.clear();
    cpuKernels.resize(steps);
    for (size_t n = 0; n < steps; ++n) {
        const Node& node = graph.nodes[n];
        if (producesOnlyWeights(graph, node)) continue;
        cpu::PrepareContext context(graph, node, 1);
        if (VulkanKernelFactory factory = node.domain.empty() ? findVulkanKernel(node.opType) : nullptr) {
            auto kernel = factory();
            Status status = kernel->prepare(context);
            if (status.isOk()) {
                gpu[n] = std::move(kernel);
                continue;
            }
            if (status.code() != StatusCode::Unsupported) return status;
        }
        cpu::KernelFactory factory = node.domain.empty() ? cpu::findKernel(node.opType) : nullptr;
        if (!factory) return unsupported(nodeLabel(node) + " has neither a Vulkan nor a CPU kernel");
        auto kernel = factory();
        IS_RETURN_IF_ERROR(kernel->prepare(context));
        cpuKernels[n] = std::move(kernel);
    }
    return Status::ok();
}

Status VulkanExecutor::Impl::setPlan(const std::vector<PlannedTensor>& t, const MemoryPlan& p) {
    if (!ctx) return Status(StatusCode::Internal, "the Vulkan executor takes a plan after prepareKernels()");
    if (prepared) return Status(StatusCode::Internal, "the Vulkan executor takes one plan");
    tensors = t;
    plan = p;
    const size_t values = graph.values.size();
    tensorOf.assign(values, -1);
    for (size_t i = 0; i < tensors.size(); ++i)
        if (tensors[i].value >= 0 && static_cast<size_t>(tensors[i].value) < values)
            tensorOf[static_cast<size_t>(tensors[i].value)] = static_cast<int>(i);
    if (plan.bufferOf.size() != tensors.size() || plan.offsetOf.size() != tensors.size())
        return invalidArgument("the memory plan does not match the planned tensors");
    buffers.assign(plan.buffers.size(), Buffer{});
    const size_t steps = graph.nodes.size();
    allocAt.assign(steps, {});
    freeAt.assign(steps, {});
    for (size_t b = 0; b < plan.buffers.size(); ++b) {
        const BufferSpec& spec = plan.buffers[b];
        if (!spec.perRun()) continue;
        if (static_cast<size_t>(spec.allocStep) >= steps)
            return invalidArgument("a buffer is allocated after the last step");
        allocAt[static_cast<size_t>(spec.allocStep)].push_back(b);
        if (spec.freeStep != kPersistent) {
            if (static_cast<size_t>(spec.freeStep) >= steps)
                return invalidArgument("a buffer is freed after the last step");
            freeAt[static_cast<size_t>(spec.freeStep)].push_back(b);
        }
    }
    inputBuffers.assign(values, Buffer{});
    for (ValueId id : graph.runtimeInputs()) {
        auto b = ctx->createBuffer(graph.value(id).byteSize(), false, MemoryCategory::Input, id);
        if (!b.ok()) return b.status();
        inputBuffers[static_cast<size_t>(id)] = b.take();
    }
    IS_RETURN_IF_ERROR(uploadWeights());
    auto pool = ctx->timestampPool(static_cast<uint32_t>(2 * std::max<size_t>(steps, 1)));
    if (!pool.ok()) return pool.status();
    queries = pool.value();
    prepared = true;
    return Status::ok();
}

// Weights read by GPU kernels and the kernels' own tables go into one
// device buffer, each at the storage offset alignment, through one
// temporary staging buffer.
Status VulkanExecutor::Impl::uploadWeights() {
    const VkDeviceSize align = ctx->storageAlignment();
    weightOffset.assign(graph.values.size(), kNoOffset);
    constants.assign(graph.nodes.size(), {});
    VkDeviceSize total = 0;
    std::vector<std::pair<VkDeviceSize, const void*>> pieces;  // offset, data (sizes alongside)
    std::vector<VkDeviceSize> pieceBytes;
    std::deque<std::vector<uint32_t>> tables;  // stable addresses while pieces point into them
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        if (!gpu[n]) continue;
        const Node& node = graph.nodes[n];
        for (size_t i = 0; i < node.inputs.size(); ++i) {
            const ValueId id = node.inputs[i];
            if (id == kNoValue || !gpu[n]->readsInput(i)) continue;
            const Value& v = graph.value(id);
            if (!v.constant || planned(id) || inputBuffers[static_cast<size_t>(id)].valid()) continue;
            if (weightOffset[static_cast<size_t>(id)] != kNoOffset) continue;
            total = alignUp(total, align);
            weightOffset[static_cast<size_t>(id)] = total;
            pieces.emplace_back(total, v.constant->bytes.data());
            pieceBytes.push_back(v.constant->byteSize());
            total += std::max<VkDeviceSize>(v.constant->byteSize(), 4);
        }
        for (auto& table : gpu[n]->constantData()) {
            total = alignUp(total, align);
            const VkDeviceSize bytes = table.size() * sizeof(uint32_t);
            constants[n].push_back({VK_NULL_HANDLE, total, bytes});
            tables.push_back(std::move(table));
            pieces.emplace_back(total, tables.back().data());
            pieceBytes.push_back(bytes);
            total += std::max<VkDeviceSize>(bytes, 4);
        }
    }
    if (total == 0) return Status::ok();
    auto w = ctx->createBuffer(total, false, MemoryCategory::Weights, kNoValue);
    if (!w.ok()) return w.status();
    weights = w.take();
    for (auto& list : constants)
        for (Binding& b : list) b.buffer = weights.buffer;
    auto s = ctx->createBuffer(total, true, MemoryCategory::Staging, kNoValue);
    if (!s.ok()) return s.status();
    Buffer upload = s.take();
    for (size_t p = 0; p < pieces.size(); ++p)
        if (pieceBytes[p])
            std::memcpy(static_cast<std::byte*>(upload.mapped) + pieces[p].first, pieces[p].second, pieceBytes[p]);
    Status status = open();
    if (status.isOk()) status = copy({upload.buffer, 0, total}, {weights.buffer, 0, total}, total);
    if (status.isOk()) {
        barrier();
        status = flush();
    }
    ctx->destroyBuffer(upload);  // the weights now live on the device only
    return status;
}

Status VulkanExecutor::Impl::run(const std::map<std::string, TensorData>& inputs) {
    if (!prepared) return Status(StatusCode::Internal, "the Vulkan executor runs only after setPlan()");
    if (ctx->lost()) return ctx->lostStatus();
    timings.clear();
    reportedNodes = 0;
    deviceClockMs = 0;
    transfers = 0;
    transferBytes = 0;
    hostInputs.clear();
    IS_RETURN_IF_ERROR(ctx->resetDescriptors());
    tracker.setNode(kNoNode);
    // Run start: per-run buffers kept from the last run (outputs) go, the
    // persistent ones come the first time.
    for (size_t b = 0; b < buffers.size(); ++b) {
        if (plan.buffers[b].perRun())
            release(b);
        else if (!buffers[b].valid())
            IS_RETURN_IF_ERROR(allocate(b));
    }
    for (ValueId id : graph.runtimeInputs()) {
        const Value& v = graph.value(id);
        auto it = inputs.find(v.name);
        if (it == inputs.end()) return invalidArgument("input '" + v.name + "' is missing");
        if (it->second.dtype != v.dtype || it->second.shape != v.shape)
            return invalidArgument("input '" + v.name + "' must be " + dataTypeName(v.dtype) + " " +
                                   shapeToString(v.shape) + " as prepared");
        IS_RETURN_IF_ERROR(upload({inputBuffers[static_cast<size_t>(id)].buffer, 0, v.byteSize()},
                                  it->second.bytes.data(), it->second.bytes.size()));
        hostInputs[id] = it->second;
    }
    timed.assign(graph.nodes.size(), false);
    cpuMs.assign(graph.nodes.size(), -1.0);
    Status status = runNodes();
    if (status.isOk())
        status = flush();
    else
        ctx->discard();
    tracker.setNode(kNoNode);
    if (status.isOk()) reportThrough(graph.nodes.size());
    return status;
}

// Records and submits every node. After each submit the nodes done so far
// are reported, so a live run shows its nodes stretch by stretch.
Status VulkanExecutor::Impl::runNodes() {
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        tracker.setNode(static_cast<NodeId>(n));
        for (size_t b : allocAt[n]) IS_RETURN_IF_ERROR(allocate(b));
        Status status = Status::ok();
        if (cpuKernels[n]) {
            // The device finishes the nodes recorded so far first, outside
            // the timer: that wait is their time, not this node's.
            IS_RETURN_IF_ERROR(flush());
            reportThrough(n);
            const auto start = Clock::now();
            status = runOnCpu(n);
            cpuMs[n] = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        } else if (gpu[n]) {
            status = runNode(n);
        }
        if (!status.isOk()) return Status(status.code(), nodeLabel(graph.nodes[n]) + ": " + status.message());
        bool submitted = cpuKernels[n] != nullptr;
        if (!freeAt[n].empty()) {
            IS_RETURN_IF_ERROR(flush());  // the GPU must be done with a buffer before it goes
            for (size_t b : freeAt[n]) release(b);
            submitted = true;
        }
        if (progress->live()) {
            // Recording is quick and the device does the work at the submit:
            // without stretches the observer would see nothing until the
            // end, and a stop would wait for the whole run.
            if (nodesInStretch >= stretchNodes) {
                IS_RETURN_IF_ERROR(flushStretch());
                submitted = true;
            }
            if (submitted) reportThrough(n + 1);
            if (progress->cancelRequested()) return Status(StatusCode::Cancelled, "the run was stopped");
        }
    }
    return Status::ok();
}

Status VulkanExecutor::Impl::runNode(size_t n) {
    const Node& node = graph.nodes[n];
    KernelBindings b;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
        // Inputs the kernel does not read (shape tensors, Resize scales) may live on the host only.
        auto binding = this->binding(node.inputs[i]);
        if (!binding.ok() && gpu[n]->readsInput(i)) return binding.status();
        b.inputs.push_back(binding.ok() ? binding.value() : Binding{});
    }
    for (ValueId id : node.outputs) {
        auto binding = this->binding(id);
        if (!binding.ok()) return binding.status();
        b.outputs.push_back(binding.value());
    }
    b.constants = constants[n];
    IS_RETURN_IF_ERROR(open());
    const auto q = static_cast<uint32_t>(2 * n);
    if (queries) {
        vkCmdResetQueryPool(cmd, queries, q, 2);
        vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries, q);
    }
    IS_RETURN_IF_ERROR(gpu[n]->record(*this, b));
    if (queries) {
        vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries, q + 1);
        timed[n] = true;
    }
    barrier();
    ++nodesInStretch;
    return Status::ok();
}

// A node without a shader: its device inputs come down, the CPU kernel runs
// on host copies, its outputs go up. Every tensor moved is counted.
Status VulkanExecutor::Impl::runOnCpu(size_t n) {
    const Node& node = graph.nodes[n];
    IS_RETURN_IF_ERROR(flush());
    std::vector<TensorData> host;  // downloaded inputs, then the outputs
    host.reserve(node.inputs.size() + node.outputs.size());
    std::size_t hostBytes = 0;
    cpu::RunContext context;
    context.threads = 1;
    for (ValueId id : node.inputs) {
        cpu::TensorView view;
        if (id != kNoValue) {
            const Value& v = graph.value(id);
            view.dtype = v.dtype;
            view.shape = v.shape;
            auto input = hostInputs.find(id);
            if (v.constant && !planned(id) && input == hostInputs.end()) {
                view.data = const_cast<std::byte*>(v.constant->bytes.data());
            } else if (input != hostInputs.end()) {
                view.data = input->second.bytes.data();
            } else {
                auto source = binding(id);
                if (!source.ok()) return source.status();
                host.push_back(TensorData::zeros(v.dtype, v.shape));
                IS_RETURN_IF_ERROR(download(source.value(), host.back().bytes.data(), host.back().bytes.size()));
                ++transfers;
                transferBytes += host.back().bytes.size();
                hostBytes += host.back().bytes.size();
                view.data = host.back().bytes.data();
            }
            // Empty tensors have no bytes; a non-null pointer still marks them present.
            if (!view.data) view.data = &context;
        }
        context.inputs.push_back(view);
    }
    const size_t firstOutput = host.size();
    for (ValueId id : node.outputs) {
        cpu::TensorView view;
        if (id != kNoValue) {
            const Value& v = graph.value(id);
            host.push_back(TensorData::zeros(v.dtype, v.shape));
            hostBytes += host.back().bytes.size();
            view.dtype = v.dtype;
            view.shape = v.shape;
            view.data = host.back().bytes.empty() ? static_cast<void*>(&context) : host.back().bytes.data();
        }
        context.outputs.push_back(view);
    }
    std::vector<std::byte> workspace(cpuKernels[n]->workspaceBytes());
    context.workspace = workspace.empty() ? nullptr : workspace.data();
    // The host copies are real memory the fallback costs: account them.
    hostBytes += workspace.size();
    if (hostBytes) tracker.allocated(hostBytes, MemoryDevice::Host, MemoryCategory::Staging, kNoValue);
    Status status = cpuKernels[n]->run(context);
    size_t h = firstOutput;
    for (size_t o = 0; o < node.outputs.size() && status.isOk(); ++o) {
        const ValueId id = node.outputs[o];
        if (id == kNoValue) continue;
        const TensorData& out = host[h++];
        auto target = binding(id);
        if (!target.ok()) {
            status = target.status();
            break;
        }
        status = upload(target.value(), out.bytes.data(), out.bytes.size());
        ++transfers;
        transferBytes += out.bytes.size();
    }
    if (hostBytes) tracker.freed(hostBytes, MemoryDevice::Host, MemoryCategory::Staging, kNoValue);
    return status;
}

// The nodes before `end` whose work is done (submitted and waited for, or
// run on the CPU) and not reported yet go to the progress, with their GPU
// timestamps (CPU-fallback nodes: wall clock). Skipped nodes (Constant)
// have no timing.
void VulkanExecutor::Impl::reportThrough(size_t end) {
    const double periodNs = ctx->timestampPeriodNs();
    for (; reportedNodes < end; ++reportedNodes) {
        const size_t n = reportedNodes;
        const Node& node = graph.nodes[n];
        double ms = -1;
        if (timed[n]) {
            uint64_t stamps[2] = {0, 0};
            VkResult r =
                vkGetQueryPoolResults(ctx->device(), queries, static_cast<uint32_t>(2 * n), 2, sizeof(stamps), stamps,
                                      sizeof(uint64_t), VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
            ms = r == VK_SUCCESS && stamps[1] >= stamps[0] ? double(stamps[1] - stamps[0]) * periodNs / 1e6 : 0.0;
        } else if (cpuMs[n] >= 0) {
            ms = cpuMs[n];
        } else if (!gpu[n]) {
            continue;  // a skipped node (Constant)
        } else {
            ms = 0;  // no timestamps on this queue
        }
        NodeTiming timing{node.name, node.opType, ms, deviceClockMs, cpuKernels[n] != nullptr};
        timings.push_back(timing);
        if (progress) progress->nodeDone(timing);
        deviceClockMs += ms;
    }
}

VulkanExecutor::VulkanExecutor(const Graph& exec, MemoryTracker& tracker, int deviceIndex)
    : impl_(std::make_unique<Impl>(exec, tracker, deviceIndex)) {}

VulkanExecutor::VulkanExecutor(const Graph& exec, const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan,
                               MemoryTracker& tracker, int deviceIndex)
    : impl_(std::make_unique<Impl>(exec, tracker, deviceIndex)) {
    impl_->tensors = tensors;
    impl_->plan = plan;
}

VulkanExecutor::~VulkanExecutor() = default;

Status VulkanExecutor::prepareKernels() {
    if (impl_->ctx) return Status(StatusCode::Internal, "the Vulkan executor is prepared once");
    return impl_->prepareKernels();
}

Status VulkanExecutor::setPlan(const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan, std::size_t) {
    return impl_->setPlan(tensors, plan);
}

Status VulkanExecutor::prepare() {
    IS_RETURN_IF_ERROR(prepareKernels());
    const std::vector<PlannedTensor> tensors = impl_->tensors;
    const MemoryPlan plan = impl_->plan;
    return impl_->setPlan(tensors, plan);
}

Status VulkanExecutor::run(const std::map<std::string, TensorData>& inputs, RunProgress& progress) {
    impl_->progress = &progress;
    Status status = impl_->run(inputs);
    impl_->progress = nullptr;
    return status;
}

Status VulkanExecutor::run(const std::map<std::string, TensorData>& inputs) {
    DiscardedProgress none;
    return run(inputs, none.get());
}

bool VulkanExecutor::deviceLost() const { return impl_->ctx && impl_->ctx->lost(); }
void VulkanExecutor::loseDeviceAtNthSubmitForTesting(int n) {
    if (impl_->ctx) impl_->ctx->loseDeviceAtNthSubmitForTesting(n);
}

void VulkanExecutor::fillBackendStats(RunStats& stats) const {
    stats.fallbackTransfers = impl_->transfers;
    stats.fallbackBytes = impl_->transferBytes;
}

Result<TensorData> VulkanExecutor::read(ValueId id) {
    Impl& s = *impl_;
    if (id < 0 || static_cast<size_t>(id) >= s.graph.values.size())
        return Status(StatusCode::NotFound, "no tensor with id " + std::to_string(id));
    const Value& v = s.graph.value(id);
    if (auto input = s.hostInputs.find(id); input != s.hostInputs.end()) return input->second;
    if (v.constant && !s.planned(id)) return *v.constant;
    if (s.ctx && s.ctx->lost()) return s.ctx->lostStatus();
    if (!s.prepared) return Status(StatusCode::NotFound, "tensor '" + v.name + "' has no data: nothing has run");
    if (!s.planned(id)) return Status(StatusCode::NotFound, "tensor '" + v.name + "' is not on the device");
    auto source = s.binding(id);
    if (!source.ok())
        return Status(StatusCode::DataRemoved, "tensor '" + v.name +
                                                   "' was freed on the device by the memory mode; pin the tensor or "
                                                   "use the default mode to read it")
            .offering({Remedy::PinTensor, Remedy::DefaultMode});
    TensorData t = TensorData::zeros(v.dtype, v.shape);
    IS_RETURN_IF_ERROR(s.download(source.value(), t.bytes.data(), t.bytes.size()));
    return t;
}

const std::vector<NodeTiming>& VulkanExecutor::nodeTimings() const { return impl_->timings; }
int VulkanExecutor::fallbackTransfers() const { return impl_->transfers; }
std::size_t VulkanExecutor::fallbackBytes() const { return impl_->transferBytes; }

std::vector<std::string> VulkanExecutor::fallbackNodes() const {
    std::vector<std::string> names;
    for (size_t n = 0; n < impl_->cpuKernels.size(); ++n)
        if (impl_->cpuKernels[n])
            names.push_back(impl_->graph.nodes[n].name + " (" + impl_->graph.nodes[n].opType + ")");
    return names;
}

std::set<const TensorData*> VulkanExecutor::hostConstantsRead() const {
    std::set<const TensorData*> read;
    for (size_t n = 0; n < impl_->cpuKernels.size(); ++n) {
        if (!impl_->cpuKernels[n]) continue;
        for (ValueId id : impl_->graph.nodes[n].inputs)
            if (id != kNoValue && impl_->graph.value(id).constant) read.insert(impl_->graph.value(id).constant.get());
    }
    return read;
}

std::string VulkanExecutor::deviceName() const { return impl_->ctx ? impl_->ctx->properties().deviceName : ""; }
bool VulkanExecutor::validationEnabled() const { return impl_->ctx && impl_->ctx->validationEnabled(); }
int VulkanExecutor::validationErrors() const { return impl_->ctx ? impl_->ctx->validationErrors() : 0; }
std::string VulkanExecutor::lastValidationError() const { return impl_->ctx ? impl_->ctx->lastValidationError() : ""; }
std::size_t VulkanExecutor::offsetScale() const { return impl_->scale; }
bool VulkanExecutor::memoryBudgetSupported() const { return impl_->ctx && impl_->ctx->memoryBudgetSupported(); }
std::size_t VulkanExecutor::deviceHeapUsageBytes() const { return impl_->ctx ? impl_->ctx->deviceHeapUsageBytes() : 0; }
std::size_t VulkanExecutor::weightBytes() const { return impl_->weights.bytes; }

}  // namespace interstage::vulkan
