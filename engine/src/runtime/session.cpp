// Session: the file's graph is kept as loaded; each (re)preparation copies
// it, resolves shapes, runs the passes, makes the backend's executor and
// its kernels, plans memory for the mode from what the kernels need, and
// hands the plan to the executor. Runs then go to the executor, with the
// tracker, the samplers and the observer's progress set up around them.
#include "interstage/session.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/dnnl_context.h"
#include "interstage/lifetimes.h"
#include "interstage/op_support.h"
#include "memory/host_allocator.h"
#include "memory/memory_sampler.h"
#include "memory/memory_tracker.h"
#include "passes/lower_sequences.h"
#include "passes/pipeline.h"
#include "plan/plan_memory.h"
#include "runtime/backend_choice.h"
#include "runtime/constant_release.h"
#include "runtime/cpu_executor.h"
#include "runtime/kernel_plan_peak.h"
#include "runtime/memory_budget.h"
#include "runtime/memory_map.h"
#include "runtime/run_inputs.h"
#include "runtime/tensor_access.h"
#include "vulkan/vulkan_executor.h"

namespace interstage {

struct Session::Impl {
    Model model;  // the file's graph, as loaded
    Graph exec;   // the graph that runs: resolved, fused, folded
    SessionOptions options;
    int threads = 1;
    int vulkanDevice = -1;  // -1: the CPU backend
    std::set<std::string> pinned;
    RemovedValues removed;
    bool prepared = false;
    bool shapesNeedInputValues = false;  // a shape depends on input values: resolve per run
    // The file's graph when a sequence position is an input's value: each
    // run lowers it with its inputs (passes/lower_sequences.h).
    std::unique_ptr<Graph> sequenceFile;
    bool weightsReleased = false;  // reduce-constant dropped the graph's weight copies
    InputShapes preparedShapes;
    std::size_t fileLowerBound = 0;
    std::size_t execLowerBound = 0;
    std::size_t aliasedBound = 0;  // under the in-place rules of this plan (plan/aliased_bound.h)
    ExecutionOrderReport orderReport;
    int runCount = 0;

    HostAllocator allocator;
    MemoryTracker tracker;
    MemorySampler sampler;
    std::unique_ptr<Executor> executor;
    vulkan::VulkanExecutor* device = nullptr;  // the executor, on the Vulkan backend
    std::vector<PlannedTensor> tensors;        // what the plan places (workspace entries after the values)
    MemoryPlan plan;
    std::size_t weightBytesHeld = 0;  // the graphs' weight copies, as reported to the tracker
    std::size_t ownWeightBytes = 0;   // the CPU kernels' packed copies, as reported
    std::size_t plannedPeak = 0;
    MemoryBudget budget;     // resolved at creation (resolveMemoryBudget), or set since
    bool budgetSet = false;  // setMemoryBudget: the caller's from then on
    // The driver's count of device-local heap bytes, where the device has
    // VK_EXT_memory_budget: it sees what the tracker cannot (the driver's
    // own allocations, rounding to its page sizes).
    MemorySampler deviceHeapSampler{[this] { return executor ? executor->deviceHeapUsageBytes() : 0; }};

    bool onGpu() const { return vulkanDevice >= 0; }
    // The run-time guard bounds what the host allocates during runs (the
    // device's memory is allocated once, with the plan).
    void guardRuns() { allocator.setBudget(onGpu() ? MemoryBudget{} : budget); }

    Result<Graph> passesOn(const InputShapes& shapes, const InputValues* values, RemovedValues& removedBy,
                           ExecutionOrderReport& order) const;
    Status buildExecGraph(const InputShapes& shapes, const InputValues* values);
    InPlaceOptions inPlaceOptions() const;
    void accountWeights();
    PlanRequest planRequest(const MemoryMode& mode) const;
    PlannedPeak peakOf(const PlannedMemory& planned, const MemoryMode& mode) const;
    std::vector<FittingPreset> fittingPresets() const;
    Status prepare();
    // The mode as it acts on the file's weights: reduce-constant keeps
    // them where shapes depend on input values, since the graph is then
    // rebuilt, from those weights, on every run (an If whose branches
    // differ, a Reshape read from an input).
    MemoryMode releasing(MemoryMode mode) const {
        if (shapesNeedInputValues) mode.reduceConstant = false;
        return mode;
    }
    Status prepareFor(const std::map<std::string, TensorData>& inputs);
    Status execute(const std::map<std::string, TensorData>& inputs, RunStats& stats);
};

// The passes' options for this session (executedGraphWithWeights()
// rebuilds the same graph on the side).
Result<Graph> Session::Impl::passesOn(const InputShapes& shapes, const InputValues* values, RemovedValues& removedBy,
                                      ExecutionOrderReport& order) const {
    if (weightsReleased)
        return invalidArgument(
            "this session released its weights (reduce-constant); create a new session to run other input shapes");
    PassOptions passes;
    passes.fusion = options.fusion;
    passes.fuseAttention = options.cpuKernelFusions && !onGpu();
    passes.cpuFusions = options.cpuKernelFusions && !onGpu();
    passes.channelBlock = !onGpu() && options.blockedLayout ? cpu::nn::preferredChannelBlock() : 0;
    passes.stripeBytes = cpu::nn::convStripeBytes();
    passes.memoryAwareOrder = options.memoryAwareOrder;
    // The kernels are not made yet: the order weighs the convs that will
    // run striped as the graph tells (the kernels decide alike).
    passes.inPlace = inPlaceOptions();
    return runPasses(model.graph, shapes, options.shapeOptions, values, pinned, passes, removedBy, order);
}

Status Session::Impl::buildExecGraph(const InputShapes& shapes, const InputValues* values) {
    auto graph = passesOn(shapes, values, removed, orderReport);
    if (!graph.ok()) return graph.status();
    executor.reset();  // it refers to the graph about to be replaced
    exec = graph.take();
    preparedShapes.clear();
    for (ValueId id : exec.runtimeInputs()) preparedShapes[exec.value(id).name] = exec.value(id).shape;
    return Status::ok();
}

// What may be written in place: Concat members, elementwise overwrites,
// and the convs that run in row stripes over their input; page moves
// where buffers come and go every run (reduce plans). The CPU backend
// realizes these; the Vulkan executor plans every tensor apart.
InPlaceOptions Session::Impl::inPlaceOptions() const {
    InPlaceOptions o = hostInPlaceOptions(options.inPlaceConcat && !onGpu(), options.inPlaceOps && !onGpu());
    if (o.ops)
        o.stripedConv = [](const Graph& g, size_t step) { return cpu::nn::convRunsInRowStripes(g, g.nodes[step]); };
    return o;
}

// The weights held, as the tracker sees them: the graphs' copies, and on
// the CPU the kernels' packed copies (the Vulkan context reports its
// device buffers itself).
void Session::Impl::accountWeights() {
    if (weightBytesHeld) tracker.freed(weightBytesHeld, MemoryDevice::Host, MemoryCategory::Weights, kNoValue);
    if (ownWeightBytes) tracker.freed(ownWeightBytes, MemoryDevice::Host, MemoryCategory::Weights, kNoValue);
    weightBytesHeld = heldConstantBytes(model.graph, exec);
    ownWeightBytes = onGpu() || !executor ? 0 : executor->ownWeightBytes();
    if (weightBytesHeld) tracker.allocated(weightBytesHeld, MemoryDevice::Host, MemoryCategory::Weights, kNoValue);
    if (ownWeightBytes) tracker.allocated(ownWeightBytes, MemoryDevice::Host, MemoryCategory::Weights, kNoValue);
}

// The plan request for a mode, with what the kernels say.
PlanRequest Session::Impl::planRequest(const MemoryMode& mode) const {
    return kernelPlanRequest(mode, pinned, inPlaceOptions(), *executor);
}

// What a plan holds at its peak, counted before anything of it is
// allocated: the weights as they will be once the copies nobody reads are
// released, the plan's buffers, the shared workspace, the inputs.
PlannedPeak Session::Impl::peakOf(const PlannedMemory& planned, const MemoryMode& mode) const {
    if (!device) return hostPlannedPeak(exec, model.graph, *executor, planned, releasing(mode), pinned);
    // What the device will hold: its weights and tables, the plan's
    // buffers (offsets scaled up on devices that align storage above the
    // planner's 64 bytes: an upper bound there), the inputs. The kernels
    // need no shared workspace.
    PlannedPeak peak;
    for (ValueId id : exec.runtimeInputs()) peak.inputs += device->tensorBytes(exec.value(id));
    peak.weights = device->plannedWeightBytes(planned.tensors);
    peak.tensors =
        interstage::plannedPeakBytes(planned.plan, static_cast<int>(exec.nodes.size())) * device->offsetScale();
    return peak;
}

// The other presets whose plan of the same graph and kernels fits the
// budget: planning is cheap (no allocation), so a refusal can name them.
std::vector<FittingPreset> Session::Impl::fittingPresets() const {
    std::vector<FittingPreset> fitting;
    for (const MemoryPreset& preset : memoryPresets()) {
        if (preset.mode.planner == options.mode.planner) continue;
        const PlannedPeak peak = peakOf(planMemory(exec, planRequest(preset.mode)), preset.mode);
        if (fitsBudget(peak, budget)) fitting.push_back({preset.name, peak.total()});
    }
    return fitting;
}

// model -> passes (done) -> kernels -> plan -> budget -> executor.
Status Session::Impl::prepare() {
    prepared = false;
    device = nullptr;
    executor.reset();
    if (onGpu()) {
        auto vulkanExecutor = std::make_unique<vulkan::VulkanExecutor>(exec, tracker, vulkanDevice);
        device = vulkanExecutor.get();
        // Bodies run on the host as fallbacks; the budget is the device's
        // there, so it does not bound them (as it bounds no fallback: the
        // allocator has no budget, guardRuns).
        vulkanExecutor->setSubgraphOptions(allocator, {options.mode, options.shapeOptions});
        vulkanExecutor->setFp16Storage(options.gpuFp16);
        executor = std::move(vulkanExecutor);
    } else {
        auto cpuExecutor = std::make_unique<CpuExecutor>(exec, threads, allocator, tracker);
        cpuExecutor->setSubgraphOptions({options.mode, options.shapeOptions});
        executor = std::move(cpuExecutor);
    }
    // The kernels pack their weights here; no tensor memory is allocated
    // before the executor takes its plan.
    IS_RETURN_IF_ERROR(executor->prepareKernels());
    // On Vulkan the automatic budget is the device's, known once the
    // device is open; a budget the caller set bounds the device's bytes.
    if (device && !options.maxMemoryBytes && options.automaticBudget && !budgetSet) budget = device->deviceBudget();
    PlannedMemory planned = planMemory(exec, planRequest(options.mode));
    // At the bytes the executor stores tensors in, as the plan is (fp16 storage).
    std::vector<Lifetime> lifetimes = intermediateLifetimes(exec);
    for (Lifetime& life : lifetimes) life.bytes = executor->tensorBytes(exec.value(life.value));
    execLowerBound = lowerBound(exec, lifetimes).bytes;
    aliasedBound = aliasedLowerBound(exec, planRequest(options.mode)).bytes;
    const PlannedPeak peak = peakOf(planned, options.mode);
    plannedPeak = peak.total();
    // Refused before the executor allocates anything of the plan (input
    // buffers, the shared workspace, the arena, the kept buffers; on
    // Vulkan the device's tensors and weights).
    // The refused plan stays readable (memoryMap: what it would need); the
    // executor, which holds no plan, goes.
    tensors = std::move(planned.tensors);
    plan = std::move(planned.plan);
    if (!fitsBudget(peak, budget)) {
        const MemoryPreset* preset = presetOf(options.mode);
        Status refusal = budgetRefusal(peak, budget, preset ? preset->name : options.mode.name(), fittingPresets());
        executor.reset();
        device = nullptr;
        return refusal;
    }
    IS_RETURN_IF_ERROR(executor->setPlan(tensors, plan, planned.sharedWorkspaceBytes));
    // The kernels packed their weights (or the device holds them): the
    // host copies nobody reads go.
    const bool releaseFileWeights = releasing(options.mode).reduceConstant;
    releaseUnreadConstants(exec, model.graph, executor->hostConstantsRead(), releaseFileWeights, pinned);
    if (releaseFileWeights) weightsReleased = true;
    accountWeights();
    allocator.dropBlockCache();  // what an earlier plan freed
    prepared = true;
    return Status::ok();
}

// Re-prepares when the inputs' shapes differ from the prepared ones, or on
// every run when shapes depend on input values.
Status Session::Impl::prepareFor(const std::map<std::string, TensorData>& inputs) {
    InputShapes shapes;
    for (const auto& [name, value] : inputs) shapes[name] = value.shape;
    if (shapesNeedInputValues) {
        IS_RETURN_IF_ERROR(buildExecGraph(shapes, &inputs));
        return prepare();
    }
    if (shapes != preparedShapes || !prepared) {
        IS_RETURN_IF_ERROR(buildExecGraph(shapes, nullptr));
        return prepare();
    }
    return Status::ok();
}

// One run on the executor, with the tracker, the samplers and the
// observer's progress around it.
Status Session::Impl::execute(const std::map<std::string, TensorData>& inputs, RunStats& stats) {
    stats.run = ++runCount;
    tracker.beginRun(stats.run);
    RunProgress progress(options.observer, stats, tracker, sampler);
    const bool sampleHeap = executor->samplesDeviceHeap();
    if (sampleHeap) deviceHeapSampler.start(stats.run, tracker.runStart());
    progress.start();
    Status status = executor->run(inputs, progress);
    if (sampleHeap) {
        deviceHeapSampler.stop();
        stats.deviceHeap = deviceHeapSampler.takeSamples();
        stats.peakDeviceHeapBytes = deviceHeapSampler.peakBytes();
    }
    executor->fillBackendStats(stats);
    // The freed blocks kept for reuse go back with the run: between runs
    // the process holds what the plan keeps, no more.
    stats.peakBlockCacheBytes = allocator.takeBlockCachePeak();
    stats.handedOverBytes = allocator.takeHandedOverBytes();
    stats.peakSharedPageBytes = allocator.takeSharedPagePeak();
    allocator.dropBlockCache();
    progress.finish();
    return status;
}

Session::Session() : impl_(std::make_unique<Impl>()) {}
Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::create(Model model, const SessionOptions& options) {
    IS_RETURN_IF_ERROR(checkWeightsLoaded(model.graph));
    std::unique_ptr<Session> session(new Session());
    Impl& s = *session->impl_;
    s.model = std::move(model);
    s.options = options;
    s.budget = resolveMemoryBudget(options.maxMemoryBytes, options.automaticBudget);
    // Sequences become their tensors for the lengths the input shapes give,
    // once: from here on the session's graph holds tensors only. Where a
    // position is an input's value, every run lowers the file's graph anew.
    if (hasSequenceValues(s.model.graph)) {
        Graph lowered = s.model.graph;
        Status status = lowerSequences(lowered, options.inputShapes, options.shapeOptions);
        if (status.code() == StatusCode::ShapeError) {
            s.sequenceFile = std::make_unique<Graph>(s.model.graph);
        } else {
            IS_RETURN_IF_ERROR(status);
            s.model.graph = std::move(lowered);
        }
    }
    IS_ASSIGN_OR_RETURN(s.vulkanDevice, vulkanDeviceIndex(options.backend));
    if (options.gpuFp16 && !s.onGpu())
        return invalidArgument("half-precision storage (fp16) is for a Vulkan backend; backend '" + options.backend +
                               "' computes in float32");
    s.guardRuns();
    if (options.threads < 0) return invalidArgument("threads must be 0 (all cores) or more");
    s.threads =
        options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    omp_set_num_threads(s.threads);
    for (const auto& name : options.keep) {
        if (s.model.graph.find(name) == kNoValue)
            return Status(StatusCode::NotFound, "there is no tensor named '" + name + "' to keep");
        s.pinned.insert(name);
    }
    if (options.mode.ignoreInputWithInitializer) {
        // Initializers also listed as inputs are constants, not inputs.
        auto& inputs = s.model.graph.inputs;
        inputs.erase(std::remove_if(inputs.begin(), inputs.end(),
                                    [&](ValueId id) { return s.model.graph.value(id).isInitializer; }),
                     inputs.end());
        if (s.sequenceFile) s.sequenceFile->inputs = inputs;
    }
    {
        Graph fileGraph = s.model.graph;
        if (resolveShapes(fileGraph, options.inputShapes, options.shapeOptions).ok())
            s.fileLowerBound = lowerBound(fileGraph, intermediateLifetimes(fileGraph)).bytes;
    }
    if (s.sequenceFile) {
        // Nothing to prepare before a run brings the positions.
        IS_RETURN_IF_ERROR(checkOpsSupported(s.model.graph, options.backend));
        s.shapesNeedInputValues = true;
        return session;
    }
    Status built = s.buildExecGraph(options.inputShapes, nullptr);
    if (built.isOk()) {
        IS_RETURN_IF_ERROR(checkOpsSupported(s.exec, options.backend));
        IS_RETURN_IF_ERROR(s.prepare());
    } else if (built.code() == StatusCode::ShapeError) {
        // A shape that depends on input values (a Reshape fed by a graph
        // input) resolves only when a run brings them: every run then
        // resolves and prepares for its own inputs.
        IS_RETURN_IF_ERROR(checkOpsSupported(s.model.graph, options.backend));
        s.shapesNeedInputValues = true;
        Graph probe = s.model.graph;
        (void)resolveShapes(probe, options.inputShapes, options.shapeOptions);
        for (ValueId id : probe.runtimeInputs())
            if (probe.value(id).shapeResolved) s.preparedShapes[probe.value(id).name] = probe.value(id).shape;
    } else {
        IS_RETURN_IF_ERROR(checkOpsSupported(s.model.graph, options.backend));
        return built;
    }
    return session;
}

Status Session::run(const std::map<std::string, TensorData>& given, RunStats* statsOut) {
    Impl& s = *impl_;
    // After a device loss the session does not quietly make a new device:
    // a loss usually means a driver reset or a hang, possibly caused by
    // this very workload, and every buffer of the plan is gone. The caller
    // decides: a new session (the app makes one per run set) or the CPU.
    if (s.executor && s.executor->deviceLost())
        return Status(StatusCode::DeviceLost,
                      "this session's Vulkan device was lost in an earlier run (VK_ERROR_DEVICE_LOST) and is not "
                      "used again: create a new session, or run on the CPU backend");
    omp_set_num_threads(s.threads);
    if (s.sequenceFile) {
        InputShapes shapes;
        for (const auto& [name, value] : given) shapes[name] = value.shape;
        Graph lowered = *s.sequenceFile;
        IS_RETURN_IF_ERROR(lowerSequences(lowered, shapes, s.options.shapeOptions, &given));
        s.model.graph = std::move(lowered);
        s.shapesNeedInputValues = true;
    }
    IS_ASSIGN_OR_RETURN(const auto inputs, runInputs(s.model.graph, given, s.preparedShapes));
    IS_RETURN_IF_ERROR(s.prepareFor(inputs));
    RunStats stats;
    Status status = s.execute(inputs, stats);
    if (statsOut) *statsOut = std::move(stats);
    return status;
}

std::vector<std::string> Session::outputNames() const {
    std::vector<std::string> names;
    for (ValueId id : impl_->model.graph.outputs) names.push_back(impl_->model.graph.value(id).name);
    return names;
}

Result<TensorData> Session::output(const std::string& name) const {
    ValueId id = impl_->model.graph.find(name);
    if (id == kNoValue || !impl_->model.graph.value(id).isGraphOutput)
        return Status(StatusCode::NotFound, "the model has no output named '" + name + "'");
    return blob(name);
}

Result<TensorData> Session::blob(const std::string& name) const {
    const Impl& s = *impl_;
    const TensorAccess access{s.exec, s.model.graph, s.removed, s.options.mode, s.pinned, s.runCount};
    IS_ASSIGN_OR_RETURN(const Readable readable, findReadable(name, access));
    if (readable.constant) return *readable.constant;
    if (!s.executor) return Status(StatusCode::NotFound, "tensor '" + name + "' has no data: nothing has run");
    return s.executor->read(readable.id);
}

std::size_t Session::lowerBoundBytes() const { return impl_->fileLowerBound; }
std::size_t Session::executedLowerBoundBytes() const { return impl_->execLowerBound; }
std::size_t Session::aliasedLowerBoundBytes() const { return impl_->aliasedBound; }
Session::ExecutionOrder Session::executionOrder() const {
    const ExecutionOrderReport& r = impl_->orderReport;
    return {r.nodesMoved, r.fileOrderPeak, r.chosenPeak};
}
std::size_t Session::weightBytes() const {
    if (impl_->onGpu()) return impl_->executor ? impl_->executor->ownWeightBytes() : 0;
    return impl_->weightBytesHeld + impl_->ownWeightBytes;
}
std::vector<TensorPlacement> Session::memoryMap() const {
    return placementsOf(impl_->exec, impl_->tensors, impl_->plan);
}
const Graph& Session::graph() const { return impl_->model.graph; }
const Graph& Session::executedGraph() const { return impl_->exec; }
Result<Graph> Session::executedGraphWithWeights() const {
    const Impl& s = *impl_;
    if (s.shapesNeedInputValues)
        return invalidArgument("this model's shapes depend on input values; its executed graph changes with every run");
    RemovedValues removedBy;
    ExecutionOrderReport order;
    return s.passesOn(s.preparedShapes, nullptr, removedBy, order);
}
std::size_t Session::plannedPeakBytes() const { return impl_->plannedPeak; }
std::size_t Session::plannedBufferPeakBytes() const {
    return interstage::plannedPeakBytes(impl_->plan, static_cast<int>(impl_->exec.nodes.size()));
}
MemoryBudget Session::memoryBudget() const { return impl_->budget; }
void Session::setMemoryBudget(MemoryBudget budget) {
    impl_->budget = std::move(budget);
    impl_->budgetSet = true;
    impl_->guardRuns();
}
std::vector<std::string> Session::cpuFallbackNodes() const {
    return impl_->executor ? impl_->executor->fallbackNodes() : std::vector<std::string>{};
}
bool Session::samplesDeviceHeap() const { return impl_->executor && impl_->executor->samplesDeviceHeap(); }
void Session::failNthAllocationForTesting(int n) { impl_->allocator.failNthAllocation(n); }
void Session::failNthPageMoveForTesting(int n) { impl_->allocator.failNthPageMove(n); }
void Session::loseDeviceAtNthSubmitForTesting(int n) {
    if (impl_->executor) impl_->executor->loseDeviceAtNthSubmitForTesting(n);
}
const SessionOptions& Session::options() const { return impl_->options; }
int Session::threads() const { return impl_->threads; }

}  // namespace interstage
