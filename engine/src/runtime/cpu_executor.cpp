#include "runtime/cpu_executor.h"

#include <chrono>
#include <cstring>
#include <exception>
#include <new>
#include <vector>

#include "runtime/channel_blocks.h"

namespace interstage {

namespace {

using Clock = std::chrono::steady_clock;

double msBetween(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace

bool producesOnlyWeights(const Graph& graph, const Node& node) {
    for (ValueId id : node.outputs)
        if (id != kNoValue && !(graph.value(id).isWeight() && graph.value(id).constant)) return false;
    return !node.outputs.empty();
}

CpuExecutor::CpuExecutor(const Graph& graph, int threads, HostAllocator& allocator, MemoryTracker& tracker)
    : graph_(graph),
      threads_(threads),
      tracker_(tracker),
      memory_(allocator, tracker),
      allocator_(allocator),
      bound_(graph.values.size(), nullptr) {}

CpuExecutor::~CpuExecutor() {
    subgraphs_.reset();  // bodies' memory first, while the tracker counts it
    memory_.releaseAll();
    if (sharedWorkspace_.valid())
        tracker_.freed(sharedWorkspace_.bytes(), MemoryDevice::Host, MemoryCategory::Workspace, kNoValue);
    for (size_t id = 0; id < inputBuffers_.size(); ++id)
        if (inputBuffers_[id].valid())
            tracker_.freed(inputBuffers_[id].bytes(), MemoryDevice::Host, MemoryCategory::Input,
                           static_cast<ValueId>(id));
}

// Making the kernels (oneDNN's JIT code, weight packing and transforms) is
// most of a session's set-up, and each kernel depends on its node and the
// graph alone: they are made on the session's OpenMP team, a node at a
// time (their own OpenMP loops then run on one thread; oneDNN still
// configures them for the team, so workspaces and plans do not change).
// Interleaved first results, 8 fresh processes each: inception set-up
// 79 -> 61 ms, densenet121 46 -> 40, mobilenetv2 38 -> 20. A worker
// std::thread per session thread instead was slower (each brings its own
// OpenMP team). Nodes with subgraphs are made afterwards, in order, on
// this thread; the first failure in node order is the one reported.
Status CpuExecutor::prepareKernels() {
    kernels_.clear();
    kernels_.resize(graph_.nodes.size());
    std::vector<cpu::KernelFactory> factories(graph_.nodes.size());
    std::vector<size_t> flat;  // the nodes made on the team
    for (size_t n = 0; n < graph_.nodes.size(); ++n) {
        const Node& node = graph_.nodes[n];
        if (producesOnlyWeights(graph_, node)) continue;
        factories[n] = cpu::findKernel(node);
        if (!factories[n])
            return unsupported("node '" + node.name + "' (" + (node.domain.empty() ? "" : node.domain + ".") +
                               node.opType + ") has no CPU kernel");
        if (!node.hasSubgraph) flat.push_back(n);
    }
    std::vector<Status> prepared(graph_.nodes.size(), Status::ok());
    // Nothing may leave an OpenMP loop by an exception: a failed allocation
    // (packing a huge model's weights) becomes this node's error.
    auto make = [&](size_t n) {
        const Node& node = graph_.nodes[n];
        try {
            auto kernel = factories[n]();
            cpu::PrepareContext context(graph_, node, threads_);
            prepared[n] = kernel->prepare(context);
            if (prepared[n].isOk()) kernels_[n] = std::move(kernel);
        } catch (const std::bad_alloc&) {
            prepared[n] = Status(StatusCode::OutOfMemory, "node '" + node.name + "' (" + node.opType +
                                                              "): out of memory while making its kernel");
        } catch (const std::exception& error) {
            prepared[n] = Status(StatusCode::Internal, "node '" + node.name + "' (" + node.opType +
                                                           "): making its kernel failed: " + error.what());
        }
    };
    const int64_t count = static_cast<int64_t>(flat.size());
#pragma omp parallel for schedule(dynamic, 1) if (count > 8)
    for (int64_t i = 0; i < count; ++i) make(flat[static_cast<size_t>(i)]);
    for (size_t n = 0; n < graph_.nodes.size(); ++n) {
        if (!prepared[n].isOk()) return prepared[n];
        if (!factories[n] || !graph_.nodes[n].hasSubgraph) continue;
        make(n);
        if (!prepared[n].isOk()) return prepared[n];
        if (!subgraphs_)
            subgraphs_ = std::make_unique<SubgraphRunner>(graph_, *this, allocator_, tracker_, threads_,
                                                          subgraphOptions_, bodyPath_);
    }
    return Status::ok();
}

std::size_t CpuExecutor::workspaceBytes(size_t step) const {
    return step < kernels_.size() && kernels_[step] ? kernels_[step]->workspaceBytes() : 0;
}

bool CpuExecutor::writesOverInput(size_t step) const {
    return step < kernels_.size() && kernels_[step] && kernels_[step]->writesOverInput();
}

Status CpuExecutor::setPlan(const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan,
                            std::size_t sharedWorkspaceBytes) {
    const size_t values = graph_.values.size();
    plannedWorkspace_.assign(graph_.nodes.size(), false);
    for (const PlannedTensor& t : tensors)
        if (static_cast<size_t>(t.value) >= values) plannedWorkspace_[static_cast<size_t>(t.value) - values] = true;
    memory_.setPlan(tensors, plan, values + graph_.nodes.size());
    sharedWorkspace_ = HostBuffer(sharedWorkspaceBytes);
    if (sharedWorkspaceBytes)
        tracker_.allocated(sharedWorkspaceBytes, MemoryDevice::Host, MemoryCategory::Workspace, kNoValue);
    inputBuffers_.clear();
    inputBuffers_.resize(values);
    if (body_) return Status::ok();  // a body's inputs are bound, not copied
    for (ValueId id : graph_.runtimeInputs()) {
        const Value& v = graph_.value(id);
        HostBuffer buffer(v.byteSize());
        if (!buffer.valid()) return Status(StatusCode::OutOfMemory, "cannot allocate input '" + v.name + "'");
        inputBuffers_[static_cast<size_t>(id)] = std::move(buffer);
        tracker_.allocated(v.byteSize(), MemoryDevice::Host, MemoryCategory::Input, id);
    }
    return Status::ok();
}

cpu::TensorView CpuExecutor::view(ValueId id) {
    cpu::TensorView v;
    if (id == kNoValue) return v;
    const Value& value = graph_.value(id);
    v.dtype = value.dtype;
    v.shape = value.shape;
    if (value.isWeight() && value.constant)
        v.data = const_cast<std::byte*>(value.constant->bytes.data());
    else if (bound_[static_cast<size_t>(id)])
        v.data = bound_[static_cast<size_t>(id)];
    else if (inputBuffers_[static_cast<size_t>(id)].valid())
        v.data = inputBuffers_[static_cast<size_t>(id)].data();
    else
        v.data = memory_.address(id);
    // Empty weights have no bytes; a non-null pointer still marks them present.
    if (!v.data && value.isWeight()) v.data = sharedWorkspace_.data();
    return v;
}

Status CpuExecutor::runNode(size_t n, cpu::RunContext& context, const std::function<bool()>& stopRequested) {
    const Node& node = graph_.nodes[n];
    context.inputs.clear();
    context.outputs.clear();
    for (ValueId id : node.inputs) context.inputs.push_back(view(id));
    for (ValueId id : node.outputs) context.outputs.push_back(view(id));
    context.workspace = plannedWorkspace_[n] ? memory_.address(static_cast<ValueId>(graph_.values.size() + n))
                                             : sharedWorkspace_.data();
    context.subgraphs = nullptr;
    if (node.hasSubgraph && subgraphs_) {
        subgraphs_->enter(body_ ? reportedNode_ : static_cast<NodeId>(n), static_cast<NodeId>(n), &stopRequested);
        context.subgraphs = subgraphs_.get();
    }
    Status status = kernels_[n]->run(context);
    if (!status.isOk())
        return Status(status.code(), "node '" + node.name + "' (" + node.opType + "): " + status.message());
    return Status::ok();
}

Status CpuExecutor::run(const std::map<std::string, TensorData>& inputs, RunProgress& progress) {
    IS_RETURN_IF_ERROR(memory_.beginRun());
    for (ValueId id : graph_.runtimeInputs()) {
        auto it = inputs.find(graph_.value(id).name);
        if (it == inputs.end()) return invalidArgument("input '" + graph_.value(id).name + "' is missing");
        if (!it->second.bytes.empty())
            std::memcpy(inputBuffers_[static_cast<size_t>(id)].data(), it->second.bytes.data(),
                        it->second.bytes.size());
    }
    const std::function<bool()> stop = [&progress] { return progress.cancelRequested(); };
    IS_RETURN_IF_ERROR(runSteps(&progress, stop));
    tracker_.setNode(kNoNode);
    return Status::ok();
}

Status CpuExecutor::runBody(const std::function<bool()>& stopRequested) {
    IS_RETURN_IF_ERROR(memory_.beginRun());
    Status status = runSteps(nullptr, stopRequested);
    tracker_.setNode(reportedNode_);
    return status;
}

// The nodes in order; a body's nodes report no timings of their own (the
// control-flow node's time includes them).
Status CpuExecutor::runSteps(RunProgress* progress, const std::function<bool()>& stopRequested) {
    cpu::RunContext context;
    context.threads = threads_;
    for (size_t n = 0; n < graph_.nodes.size(); ++n) {
        const int step = static_cast<int>(n);
        tracker_.setNode(body_ ? reportedNode_ : step);
        if (Status allocated = memory_.beforeStep(step); !allocated.isOk())
            return Status(allocated.code(), "before node '" + graph_.nodes[n].name + "': " + allocated.message());
        if (kernels_[n]) {
            const auto start = Clock::now();
            IS_RETURN_IF_ERROR(runNode(n, context, stopRequested));
            const auto end = Clock::now();
            const Node& node = graph_.nodes[n];
            if (progress)
                progress->nodeDone(
                    {node.name, node.opType, msBetween(start, end), msBetween(tracker_.runStart(), start)});
        }
        memory_.afterStep(step);
        if (stopRequested()) {
            memory_.endSteps();
            return Status(StatusCode::Cancelled, "the run was stopped");
        }
    }
    return Status::ok();
}

Result<TensorData> CpuExecutor::read(ValueId id) {
    const Value& v = graph_.value(id);
    const void* data = v.isGraphInput ? inputBuffers_[static_cast<size_t>(id)].data() : memory_.address(id);
    if (!data)
        return Status(StatusCode::NotFound, "tensor '" + v.name + "' has no data (the last run did not reach it)");
    TensorData t = TensorData::zeros(v.dtype, v.shape);
    if (v.channelBlock)
        unblockChannels(static_cast<const float*>(data), v.shape, v.channelBlock, t.data<float>());
    else if (!t.bytes.empty())
        std::memcpy(t.bytes.data(), data, t.bytes.size());
    return t;
}

std::size_t CpuExecutor::ownWeightBytes() const {
    std::size_t bytes = 0;
    for (const auto& k : kernels_)
        if (k) bytes += k->packedWeightBytes();
    return bytes;
}

// The constants that must stay on the host: those a kernel reads at run
// time (it did not pack its own copy) and data inputs.
std::set<const TensorData*> CpuExecutor::hostConstantsRead() const {
    std::set<const TensorData*> needed;
    for (size_t n = 0; n < graph_.nodes.size(); ++n) {
        const Node& node = graph_.nodes[n];
        const bool owns = kernels_[n] && kernels_[n]->ownsWeights();
        for (ValueId id : node.inputs) {
            if (id == kNoValue) continue;
            const Value& v = graph_.value(id);
            if (!v.isWeight() || !v.constant) continue;
            // A kernel owns its weight operand (input 1+); data inputs stay.
            if (!owns || id == node.inputs[0]) needed.insert(v.constant.get());
        }
        // Bodies read outer constants by name at every run.
        for (ValueId id : node.implicitInputs)
            if (graph_.value(id).constant) needed.insert(graph_.value(id).constant.get());
    }
    return needed;
}

}  // namespace interstage
