// The VulkanExecutor's transfers between host and device: the weights
// uploaded once, the nodes without a shader run on the CPU (their tensors
// downloaded and uploaded, and counted), and tensors read after a run.
#include "vulkan/vulkan_executor_impl.h"

namespace interstage::vulkan {

using Clock = ExecutorClock;

// Weights read by GPU kernels and the kernels' own tables go into one
// device buffer, each at the storage offset alignment, through one
// temporary staging buffer.
VulkanExecutor::Impl::WeightLayout VulkanExecutor::Impl::layoutWeights(
    const std::function<bool(ValueId)>& heldElsewhere) const {
    const VkDeviceSize align = ctx->storageAlignment();
    WeightLayout layout;
    layout.weightOffset.assign(graph.values.size(), kNoOffset);
    layout.constants.assign(graph.nodes.size(), {});
    VkDeviceSize& total = layout.total;
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        if (!gpu[n]) continue;
        const Node& node = graph.nodes[n];
        for (size_t i = 0; i < node.inputs.size(); ++i) {
            const ValueId id = node.inputs[i];
            if (id == kNoValue || !gpu[n]->readsInput(i)) continue;
            const Value& v = graph.value(id);
            if (!v.constant || heldElsewhere(id)) continue;
            if (layout.weightOffset[static_cast<size_t>(id)] != kNoOffset) continue;
            total = alignUp(total, align);
            layout.weightOffset[static_cast<size_t>(id)] = total;
            layout.pieces.push_back({total, v.constant->bytes.data(), v.constant->byteSize(), v.dtype});
            total += std::max<VkDeviceSize>(deviceBytes(v.dtype, fp16, v.constant->byteSize()), 4);
        }
        // Float tables (packed weights) follow the storage precision.
        const DataType tableType = gpu[n]->constantsAreFloat() ? DataType::Float : DataType::UInt32;
        for (auto& table : gpu[n]->constantData()) {
            total = alignUp(total, align);
            const std::size_t hostBytes = table.size() * sizeof(uint32_t);
            const VkDeviceSize bytes = deviceBytes(tableType, fp16, hostBytes);
            layout.constants[n].push_back({VK_NULL_HANDLE, total, bytes});
            layout.tables.push_back(std::move(table));
            layout.pieces.push_back({total, layout.tables.back().data(), hostBytes, tableType});
            total += std::max<VkDeviceSize>(bytes, 4);
        }
    }
    return layout;
}

std::size_t VulkanExecutor::Impl::deviceWeightBytes(const std::vector<PlannedTensor>& planTensors) const {
    std::vector<bool> elsewhere(graph.values.size(), false);
    for (const PlannedTensor& t : planTensors)
        if (t.value >= 0 && static_cast<size_t>(t.value) < elsewhere.size())
            elsewhere[static_cast<size_t>(t.value)] = true;
    for (ValueId id : graph.runtimeInputs()) elsewhere[static_cast<size_t>(id)] = true;
    return layoutWeights([&elsewhere](ValueId id) { return elsewhere[static_cast<size_t>(id)]; }).total;
}

Status VulkanExecutor::Impl::uploadWeights() {
    WeightLayout layout =
        layoutWeights([this](ValueId id) { return planned(id) || inputBuffers[static_cast<size_t>(id)].valid(); });
    weightOffset = std::move(layout.weightOffset);
    constants = std::move(layout.constants);
    const VkDeviceSize total = layout.total;
    const auto& pieces = layout.pieces;
    if (total == 0) return Status::ok();
    auto w = ctx->createBuffer(total, false, MemoryCategory::Weights, kNoValue);
    if (!w.ok()) return w.status();
    weights = w.take();
    for (auto& list : constants)
        for (Binding& b : list) b.buffer = weights.buffer;
    auto s = ctx->createBuffer(total, true, MemoryCategory::Staging, kNoValue);
    if (!s.ok()) return s.status();
    Buffer upload = s.take();
    // float32 weights become float16 here, once, with fp16 storage.
    for (const WeightPiece& piece : pieces)
        hostToDevice(piece.type, fp16, static_cast<const std::byte*>(piece.data), piece.hostBytes,
                     static_cast<std::byte*>(upload.mapped) + piece.offset);
    Status status = open();
    if (status.isOk()) status = copy({upload.buffer, 0, total}, {weights.buffer, 0, total}, total);
    if (status.isOk()) {
        barrier();
        status = flush();
    }
    ctx->destroyBuffer(upload);  // the weights now live on the device only
    return status;
}

// A value as a CPU kernel reads it on the host: a constant or a run input
// in place, a device tensor downloaded into `host` (the transfer counted).
Result<cpu::TensorView> VulkanExecutor::Impl::hostView(ValueId id, std::vector<TensorData>& host,
                                                       std::size_t& hostBytes) {
    const Value& v = graph.value(id);
    cpu::TensorView view;
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
        IS_RETURN_IF_ERROR(download(source.value(), v.dtype, host.back().bytes.data(), host.back().bytes.size()));
        ++transfers;
        transferBytes += deviceBytes(v, fp16);
        hostBytes += host.back().bytes.size();
        view.data = host.back().bytes.data();
    }
    // Empty tensors have no bytes; a non-null pointer still marks them present.
    if (!view.data) view.data = &hostBytes;
    return view;
}

// A node without a shader: its device inputs come down, the CPU kernel runs
// on host copies, its outputs go up. Every tensor moved is counted. A
// control-flow node's bodies run on the CPU too, through the subgraph
// runner: the outer values they read (the node's implicit inputs) come
// down like its inputs, and the bodies' own memory is tracked under the
// node as they allocate it.
Status VulkanExecutor::Impl::runOnCpu(size_t n) {
    const Node& node = graph.nodes[n];
    IS_RETURN_IF_ERROR(flush());
    std::vector<TensorData> host;  // downloaded inputs, then the outputs
    host.reserve(node.inputs.size() + node.implicitInputs.size() + node.outputs.size());
    std::size_t hostBytes = 0;
    cpu::RunContext context;
    context.threads = 1;
    for (ValueId id : node.inputs) {
        cpu::TensorView view;
        if (id != kNoValue) {
            IS_ASSIGN_OR_RETURN(view, hostView(id, host, hostBytes));
        }
        context.inputs.push_back(view);
    }
    const std::function<bool()> stop = [this] { return progress && progress->cancelRequested(); };
    outerValues.views.clear();
    if (node.hasSubgraph && subgraphs) {
        for (ValueId id : node.implicitInputs) {
            auto input = std::find(node.inputs.begin(), node.inputs.end(), id);
            if (input != node.inputs.end()) {  // down already
                outerValues.views[id] = context.inputs[static_cast<size_t>(input - node.inputs.begin())];
                continue;
            }
            IS_ASSIGN_OR_RETURN(outerValues.views[id], hostView(id, host, hostBytes));
        }
        subgraphs->enter(static_cast<NodeId>(n), static_cast<NodeId>(n), &stop);
        context.subgraphs = subgraphs.get();
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
        status = upload(target.value(), out.dtype, out.bytes.data(), out.bytes.size());
        ++transfers;
        transferBytes += deviceBytes(out.dtype, fp16, out.bytes.size());
    }
    if (hostBytes) tracker.freed(hostBytes, MemoryDevice::Host, MemoryCategory::Staging, kNoValue);
    outerValues.views.clear();
    if (subgraphs) subgraphs->enter(kNoNode, kNoNode, nullptr);  // `stop` goes now
    return status;
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
    IS_RETURN_IF_ERROR(s.download(source.value(), v.dtype, t.bytes.data(), t.bytes.size()));
    return t;
}

}  // namespace interstage::vulkan
