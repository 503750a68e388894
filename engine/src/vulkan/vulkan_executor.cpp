// VulkanExecutor: realizes the plan on the device and records nodes into
// one command buffer. A recorded stretch of nodes (a segment) is submitted
// and waited for only when it must be: before a plan frees a buffer (the
// GPU must be done with it: this is why reduce is slow on a GPU), before a
// CPU fallback node, at the end of the run, and, when the run can be
// stopped, every stretch of nodes that takes about kStretchMs.
#include "vulkan/vulkan_executor.h"

#include <algorithm>

#include "vulkan/vulkan_executor_impl.h"

namespace interstage::vulkan {

namespace {

bool touchesHalfTensors(const Graph& graph, const Node& node) {
    auto half = [&](ValueId id) {
        if (id == kNoValue) return false;
        const DataType t = graph.value(id).dtype;
        return t == DataType::Float16 || t == DataType::BFloat16;
    };
    return std::any_of(node.inputs.begin(), node.inputs.end(), half) ||
           std::any_of(node.outputs.begin(), node.outputs.end(), half);
}

}  // namespace

using Clock = ExecutorClock;

Status VulkanExecutor::Impl::prepareKernels() {
    // Device tensors (and the CPU-fallback kernels' host copies) are laid
    // out as ONNX says; channel blocking is the CPU session's alone.
    for (const Value& v : graph.values)
        if (v.channelBlock)
            return Status(StatusCode::Internal, "tensor '" + v.name +
                                                    "' is channel-blocked; the Vulkan executor "
                                                    "runs graphs with NCHW tensors only");
    auto created = Context::create(deviceIndex, tracker, fp16);
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
        // The shaders compute float32: a node touching float16 / bfloat16
        // tensors runs on the CPU kernel, which takes them.
        const bool halfTensors = touchesHalfTensors(graph, node);
        if (VulkanKernelFactory factory =
                node.domain.empty() && !halfTensors ? findVulkanKernel(node.opType) : nullptr) {
            auto kernel = factory();
            kernel->setFp16Storage(fp16);
            Status status = kernel->prepare(context);
            if (status.isOk()) {
                gpu[n] = std::move(kernel);
                continue;
            }
            if (status.code() != StatusCode::Unsupported) return status;
        }
        cpu::KernelFactory factory = cpu::findKernel(node);
        if (!factory) return unsupported(nodeLabel(node) + " has neither a Vulkan nor a CPU kernel");
        auto kernel = factory();
        IS_RETURN_IF_ERROR(kernel->prepare(context));
        cpuKernels[n] = std::move(kernel);
        // Fallback kernels run with one thread; their bodies alike.
        if (node.hasSubgraph && !subgraphs)
            subgraphs =
                std::make_unique<SubgraphRunner>(graph, outerValues, *allocator, tracker, 1, subgraphOptions, "");
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
        auto b = ctx->createBuffer(deviceBytes(graph.value(id), fp16), false, MemoryCategory::Input, id);
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
        IS_RETURN_IF_ERROR(upload({inputBuffers[static_cast<size_t>(id)].buffer, 0, deviceBytes(v, fp16)}, v.dtype,
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

void VulkanExecutor::setSubgraphOptions(HostAllocator& allocator, const SubgraphOptions& options) {
    impl_->allocator = &allocator;
    impl_->subgraphOptions = options;
}

void VulkanExecutor::setFp16Storage(bool on) { impl_->fp16 = on; }
bool VulkanExecutor::fp16Storage() const { return impl_->fp16; }
std::size_t VulkanExecutor::tensorBytes(const Value& value) const { return deviceBytes(value, impl_->fp16); }

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
        const Node& node = impl_->graph.nodes[n];
        for (ValueId id : node.inputs)
            if (id != kNoValue && impl_->graph.value(id).constant) read.insert(impl_->graph.value(id).constant.get());
        // Bodies read outer constants by name at every run.
        for (ValueId id : node.implicitInputs)
            if (impl_->graph.value(id).constant) read.insert(impl_->graph.value(id).constant.get());
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
MemoryBudget VulkanExecutor::deviceBudget() const { return impl_->ctx ? impl_->ctx->deviceBudget() : MemoryBudget{}; }
std::size_t VulkanExecutor::plannedWeightBytes(const std::vector<PlannedTensor>& tensors) const {
    return impl_->ctx ? impl_->deviceWeightBytes(tensors) : 0;
}

}  // namespace interstage::vulkan
