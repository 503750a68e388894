// Session: the file's graph is kept as loaded; each (re)preparation copies
// it, resolves shapes, runs the passes, plans memory for the mode and
// prepares one kernel per node. Runs then execute over the planned buffers,
// with every allocation and free reported to the tracker.
#include "interstage/session.h"

#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>
#include <thread>

#include "cpu/kernel.h"
#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/dnnl_context.h"
#include "interstage/lifetimes.h"
#include "interstage/vulkan.h"
#include "memory/host_allocator.h"
#include "memory/memory_sampler.h"
#include "memory/memory_tracker.h"
#include "passes/blocked_layout.h"
#include "passes/passes.h"
#include "plan/execution_order.h"
#include "plan/in_place.h"
#include "plan/planned_tensors.h"
#include "runtime/channel_blocks.h"
#include "runtime/host_buffer.h"
#include "runtime/tensor_memory.h"
#include "vulkan/vulkan_executor.h"

namespace interstage {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

long minorFaults() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

// Nodes whose outputs are all weights with known data (Constant nodes) need
// no kernel: consumers read the weight directly.
bool producesOnlyWeights(const Graph& graph, const Node& node) {
    for (ValueId id : node.outputs)
        if (id != kNoValue && !(graph.value(id).isWeight() && graph.value(id).constant)) return false;
    return !node.outputs.empty();
}

}  // namespace

struct Session::Impl {
    Model model;  // the file's graph, as loaded
    Graph exec;   // the graph that runs: resolved, fused, folded
    SessionOptions options;
    int threads = 1;
    std::set<std::string> pinned;
    RemovedValues removed;
    bool prepared = false;
    bool shapesNeedInputValues = false;  // a shape depends on input values: resolve per run
    bool weightsReleased = false;        // reduce-constant dropped the graph's weight copies
    InputShapes preparedShapes;
    std::size_t fileLowerBound = 0;
    std::size_t execLowerBound = 0;
    ExecutionOrderReport orderReport;
    int runCount = 0;

    HostAllocator allocator;
    MemoryTracker tracker;
    MemorySampler sampler;
    std::unique_ptr<TensorMemory> memory = std::make_unique<TensorMemory>(allocator, tracker);
    std::vector<std::unique_ptr<cpu::Kernel>> kernels;  // per exec node; null for skipped nodes
    std::vector<HostBuffer> inputBuffers;               // per value; only runtime inputs
    HostBuffer workspace;
    std::size_t weightBytesHeld = 0;
    std::size_t packedBytesHeld = 0;
    std::size_t plannedPeak = 0;

    // Vulkan: the executor runs the planned graph on the device (ops
    // without a shader fall back to the CPU kernel, transfers counted).
    int vulkanDevice = -1;  // -1: the CPU backend
    std::vector<PlannedTensor> vulkanTensors;
    MemoryPlan vulkanPlan;
    std::unique_ptr<vulkan::VulkanExecutor> gpu;
    // The driver's count of device-local heap bytes, where the device has
    // VK_EXT_memory_budget: it sees what the tracker cannot (the driver's
    // own allocations, rounding to its page sizes).
    MemorySampler deviceHeapSampler{[this] { return gpu ? gpu->deviceHeapUsageBytes() : 0; }};

    bool onGpu() const { return vulkanDevice >= 0; }
    bool samplesDeviceHeap() const { return gpu && gpu->memoryBudgetSupported(); }

    Status checkSupport(const Graph& graph) const {
        std::vector<std::pair<std::string, std::string>> missing;  // op, first node
        int nodes = 0;
        for (const Node& node : graph.nodes) {
            if (node.domain.empty() && cpu::findKernel(node.opType)) continue;
            if (producesOnlyWeights(graph, node)) continue;
            ++nodes;
            std::string op = (node.domain.empty() ? "" : node.domain + ".") + node.opType;
            if (std::none_of(missing.begin(), missing.end(), [&](const auto& m) { return m.first == op; }))
                missing.emplace_back(op, node.name);
        }
        if (missing.empty()) return Status::ok();
        std::string list;
        for (const auto& [op, node] : missing)
            list += (list.empty() ? "" : ", ") + op + " (first at node '" + node + "')";
        return unsupported("the " + options.backend + " backend does not support " + list + "; " +
                           std::to_string(nodes) + " nodes in all");
    }

    // Copies the file's graph, resolves shapes and runs the passes. Const:
    // executedGraphWithWeights() rebuilds the same graph on the side.
    Result<Graph> passesOn(const InputShapes& shapes, const InputValues* values, RemovedValues& removedBy,
                           ExecutionOrderReport& order) const {
        if (weightsReleased)
            return invalidArgument(
                "this session released its weights (reduce-constant); create a new session to run "
                "other input shapes");
        Graph graph = model.graph;
        auto report = resolveShapes(graph, shapes, options.shapeOptions, values);
        if (!report.ok()) return report.status();
        removedBy = {};
        if (!values) foldConstants(graph, pinned, removedBy);  // folded values must not depend on inputs
        if (options.fusion) {
            fuseHardSwish(graph, pinned, removedBy);
            fuseLayers(graph, pinned, removedBy);  // BatchNorm first: the affine fold sees the folded Conv
            foldAffineIntoConv(graph, pinned, removedBy);
            fuseLayers(graph, pinned, removedBy);  // activations that follow a folded affine
        }
        if (!onGpu() && options.blockedLayout)
            chooseBlockedLayouts(graph, cpu::nn::preferredChannelBlock(), cpu::nn::convStripeBytes(), pinned);
        order = {};
        if (options.memoryAwareOrder) {
            // The kernels are not made yet: the order weighs the convs that
            // will run striped as the graph tells (the kernels decide alike).
            order = orderForMemory(graph, pinned, inPlaceOptions(graph));
        }
        return graph;
    }

    Status buildExecGraph(const InputShapes& shapes, const InputValues* values) {
        auto graph = passesOn(shapes, values, removed, orderReport);
        if (!graph.ok()) return graph.status();
        exec = graph.take();
        preparedShapes.clear();
        for (ValueId id : exec.runtimeInputs()) preparedShapes[exec.value(id).name] = exec.value(id).shape;
        return Status::ok();
    }

    std::vector<PlannedTensor> plannedTensors() const {
        std::vector<PlannedTensor> tensors = plannedIntermediates(exec, pinned);
        if (planWorkspace()) {
            // Each kernel's scratch memory lives for its node's step only.
            for (size_t n = 0; n < kernels.size(); ++n) {
                if (!kernels[n] || kernels[n]->workspaceBytes() == 0) continue;
                PlannedTensor t;
                t.value = workspaceId(n);
                t.first = t.last = static_cast<int>(n);
                t.bytes = kernels[n]->workspaceBytes();
                t.category = MemoryCategory::Workspace;
                tensors.push_back(t);
            }
        }
        return tensors;
    }

    // Each kernel's workspace is planned like a tensor that lives for its
    // node's step: reduce allocates it around the node, and the arena places
    // it in the slab over tensors that are dead by then (on u2netp the slab
    // does not grow at all). Default and reuse keep one shared buffer of the
    // largest size, allocated once.
    bool planningMode() const { return !onGpu() && !options.mode.keepsEveryTensor(); }

    // What may be written in place on this graph: Concat members, elementwise
    // overwrites, and the convs that run in row stripes over their input;
    // page moves where buffers come and go every run (reduce plans).
    InPlaceOptions inPlaceOptions(const Graph& graph) const {
        static const PageRules hostRules = hostPageRules();
        InPlaceOptions o;
        o.concat = options.inPlaceConcat && !onGpu();
        o.ops = options.inPlaceOps && !onGpu();
        if (o.ops)
            o.stripedConv = [](const Graph& g, size_t step) { return cpu::nn::convRunsInRowStripes(g, g.nodes[step]); };
        o.pages = o.concat || o.ops ? &hostRules : nullptr;
        o.movePages = o.concat;  // page moves are a Concat written without copies
        return o;
    }

    bool planWorkspace() const { return options.mode.plansWorkspace() && !onGpu(); }
    ValueId workspaceId(size_t node) const { return static_cast<ValueId>(exec.values.size() + node); }

    void accountWeights() {
        if (weightBytesHeld) tracker.freed(weightBytesHeld, MemoryDevice::Host, MemoryCategory::Weights, kNoValue);
        if (packedBytesHeld) tracker.freed(packedBytesHeld, MemoryDevice::Host, MemoryCategory::Weights, kNoValue);
        std::set<const TensorData*> seen;
        weightBytesHeld = 0;
        for (const Graph* g : {&model.graph, &exec})
            for (const Value& v : g->values)
                if (v.isWeight() && v.constant && seen.insert(v.constant.get()).second)
                    weightBytesHeld += v.constant->byteSize();
        packedBytesHeld = 0;
        for (const auto& k : kernels)
            if (k) packedBytesHeld += k->packedWeightBytes();
        if (weightBytesHeld) tracker.allocated(weightBytesHeld, MemoryDevice::Host, MemoryCategory::Weights, kNoValue);
        if (packedBytesHeld) tracker.allocated(packedBytesHeld, MemoryDevice::Host, MemoryCategory::Weights, kNoValue);
    }

    // The CPU backend's constants that must stay on the host: those a
    // kernel reads at run time (it did not pack its own copy) and data
    // inputs. Graph outputs that are constants always stay.
    std::set<const TensorData*> constantsKernelsRead() const {
        std::set<const TensorData*> needed;
        for (size_t n = 0; n < exec.nodes.size(); ++n) {
            const Node& node = exec.nodes[n];
            const bool owns = kernels[n] && kernels[n]->ownsWeights();
            for (ValueId id : node.inputs) {
                if (id == kNoValue) continue;
                const Value& v = exec.value(id);
                if (!v.isWeight() || !v.constant) continue;
                // A kernel owns its weight operand (input 1+); data inputs stay.
                if (!owns || id == node.inputs[0]) needed.insert(v.constant.get());
            }
        }
        return needed;
    }

    // Weights no one reads from the graph any more (the CPU kernels packed
    // their own copies; on Vulkan the device holds them) are dropped.
    // reduce-constant drops them from both graphs, so also the file's
    // weights the passes replaced (BatchNorm-folded originals). In every
    // mode, the weights the passes made (folded Conv weights and biases,
    // folded constants) are dropped from the executed graph: they are the
    // engine's own intermediates, not the model's data, and the next
    // buildExecGraph() makes them again. On U^2-Net-P that is 4.3 MiB, a
    // second copy of the file's convolution weights.
    void releaseConstants(std::set<const TensorData*> stillNeeded) {
        for (ValueId id : exec.outputs)
            if (exec.value(id).constant) stillNeeded.insert(exec.value(id).constant.get());
        const bool fileWeightsToo = options.mode.reduceConstant;
        std::set<const TensorData*> fileWeights;
        for (const Value& v : model.graph.values)
            if (v.constant) fileWeights.insert(v.constant.get());
        for (Graph* g : {&exec, &model.graph})
            for (Value& v : g->values) {
                if (!v.isWeight() || !v.constant || stillNeeded.count(v.constant.get()) || v.dtype != DataType::Float ||
                    v.constant->byteSize() <= 1024 || pinned.count(v.name))
                    continue;
                if (fileWeightsToo || !fileWeights.count(v.constant.get())) v.constant.reset();
            }
        if (fileWeightsToo) weightsReleased = true;
    }

    Status prepareGpu() {
        gpu.reset();
        kernels.clear();
        kernels.resize(exec.nodes.size());
        vulkanTensors = plannedTensors();
        vulkanPlan = planFor(options.mode, vulkanTensors);
        execLowerBound = lowerBound(exec, intermediateLifetimes(exec)).bytes;
        gpu = std::make_unique<vulkan::VulkanExecutor>(exec, vulkanTensors, vulkanPlan, tracker, vulkanDevice);
        if (RunObserver* observer = options.observer)
            gpu->setCancelCheck([observer] { return observer->cancelRequested(); });
        IS_RETURN_IF_ERROR(gpu->prepare());
        // The weights are on the device now; the host copies are what
        // reduce-constant releases (all but those CPU-fallback nodes read).
        releaseConstants(gpu->hostConstantsRead());
        accountWeights();
        prepared = true;
        return Status::ok();
    }

    Status prepare() {
        if (onGpu()) return prepareGpu();
        memory->releaseAll();
        kernels.clear();
        kernels.resize(exec.nodes.size());
        std::size_t workspaceBytes = 0;
        for (size_t n = 0; n < exec.nodes.size(); ++n) {
            const Node& node = exec.nodes[n];
            if (producesOnlyWeights(exec, node)) continue;
            auto kernel = cpu::findKernel(node.opType)();
            cpu::PrepareContext context(exec, node, threads);
            IS_RETURN_IF_ERROR(kernel->prepare(context));
            workspaceBytes = std::max(workspaceBytes, kernel->workspaceBytes());
            kernels[n] = std::move(kernel);
        }
        releaseConstants(constantsKernelsRead());
        accountWeights();

        auto tensors = plannedTensors();
        InPlaceOptions inPlace = inPlaceOptions(exec);
        // What the kernels really do decides (they agree with the graph's
        // say unless oneDNN refused a layout).
        if (inPlace.stripedConv)
            inPlace.stripedConv = [this](const Graph&, size_t step) {
                return step < kernels.size() && kernels[step] && kernels[step]->writesOverInput();
            };
        if (!options.mode.allocatesPerRun()) inPlace.pages = nullptr;
        MemoryPlan plan = planningMode() && (inPlace.concat || inPlace.ops)
                              ? planInPlace(options.mode, exec, tensors, inPlace)
                              : planFor(options.mode, tensors);
        memory->setPlan(tensors, std::move(plan), exec.values.size() + exec.nodes.size());
        if (planWorkspace()) workspaceBytes = 0;
        execLowerBound = lowerBound(exec, intermediateLifetimes(exec)).bytes;

        if (workspace.valid())
            tracker.freed(workspace.bytes(), MemoryDevice::Host, MemoryCategory::Workspace, kNoValue);
        workspace = HostBuffer(workspaceBytes);
        if (workspaceBytes) tracker.allocated(workspaceBytes, MemoryDevice::Host, MemoryCategory::Workspace, kNoValue);
        for (auto& b : inputBuffers)
            if (b.valid()) tracker.freed(b.bytes(), MemoryDevice::Host, MemoryCategory::Input, kNoValue);
        inputBuffers.clear();
        inputBuffers.resize(exec.values.size());
        for (ValueId id : exec.runtimeInputs()) {
            const Value& v = exec.value(id);
            inputBuffers[static_cast<size_t>(id)] = HostBuffer(v.byteSize());
            if (!inputBuffers[static_cast<size_t>(id)].valid())
                return Status(StatusCode::OutOfMemory, "cannot allocate input '" + v.name + "'");
            tracker.allocated(v.byteSize(), MemoryDevice::Host, MemoryCategory::Input, id);
        }
        IS_RETURN_IF_ERROR(checkBudget(workspaceBytes));
        prepared = true;
        return Status::ok();
    }

    // The budget check: everything the plan will hold at its peak.
    Status checkBudget(std::size_t sharedWorkspace) {
        std::size_t inputs = 0;
        for (ValueId id : exec.runtimeInputs()) inputs += exec.value(id).byteSize();
        const std::size_t tensors = interstage::plannedPeakBytes(memory->plan(), static_cast<int>(exec.nodes.size()));
        const std::size_t weights = weightBytesHeld + packedBytesHeld;
        plannedPeak = weights + tensors + sharedWorkspace + inputs;
        if (options.maxMemoryBytes == 0 || plannedPeak <= options.maxMemoryBytes) return Status::ok();
        auto text = [](std::size_t b) {
            char buffer[48];
            if (b < (1u << 20))
                std::snprintf(buffer, sizeof buffer, "%.1f KiB (%zu bytes)", double(b) / 1024.0, b);
            else
                std::snprintf(buffer, sizeof buffer, "%.1f MiB", double(b) / (1024.0 * 1024.0));
            return std::string(buffer);
        };
        return Status(StatusCode::OutOfMemory, "the " + options.mode.name() + " plan needs " + text(plannedPeak) +
                                                   " (weights " + text(weights) + ", tensors " + text(tensors) +
                                                   ", workspace " + text(sharedWorkspace) + ", inputs " + text(inputs) +
                                                   "), more than the budget of " + text(options.maxMemoryBytes) +
                                                   "; try the arena or reduce mode");
    }

    cpu::TensorView view(ValueId id) {
        cpu::TensorView v;
        if (id == kNoValue) return v;
        const Value& value = exec.value(id);
        v.dtype = value.dtype;
        v.shape = value.shape;
        if (value.isWeight() && value.constant)
            v.data = const_cast<std::byte*>(value.constant->bytes.data());
        else if (inputBuffers[static_cast<size_t>(id)].valid())
            v.data = inputBuffers[static_cast<size_t>(id)].data();
        else
            v.data = memory->address(id);
        // Empty weights have no bytes; a non-null pointer still marks them present.
        if (!v.data && value.isWeight()) v.data = workspace.data();
        return v;
    }

    Status execute(RunStats& stats) {
        RunObserver* observer = options.observer;
        cpu::RunContext context;
        context.threads = threads;
        context.workspace = workspace.data();
        auto lastReport = Clock::now();
        size_t reportedNodes = 0;
        auto report = [&] {
            std::vector<NodeTiming> nodes(stats.nodes.begin() + static_cast<long>(reportedNodes), stats.nodes.end());
            reportedNodes = stats.nodes.size();
            auto samples = sampler.takeSamples();
            stats.rss.insert(stats.rss.end(), samples.begin(), samples.end());
            observer->progress(stats.run, nodes, tracker.takePending(), samples);
            lastReport = Clock::now();
        };
        for (size_t n = 0; n < exec.nodes.size(); ++n) {
            const Node& node = exec.nodes[n];
            const int step = static_cast<int>(n);
            tracker.setNode(step);
            IS_RETURN_IF_ERROR(memory->beforeStep(step));
            if (kernels[n]) {
                context.inputs.clear();
                context.outputs.clear();
                for (ValueId id : node.inputs) context.inputs.push_back(view(id));
                for (ValueId id : node.outputs) context.outputs.push_back(view(id));
                context.workspace = planWorkspace() && kernels[n]->workspaceBytes() ? memory->address(workspaceId(n))
                                                                                    : workspace.data();
                const auto nodeStart = Clock::now();
                Status status = kernels[n]->run(context);
                if (!status.isOk())
                    return Status(status.code(), "node '" + node.name + "' (" + node.opType + "): " + status.message());
                stats.nodes.push_back(
                    {node.name, node.opType, msSince(nodeStart),
                     std::chrono::duration<double, std::milli>(nodeStart - tracker.runStart()).count()});
            }
            memory->afterStep(step);
            if (observer) {
                if (observer->cancelRequested()) return Status(StatusCode::Cancelled, "the run was stopped");
                if (Clock::now() - lastReport > std::chrono::milliseconds(5)) report();
            }
        }
        tracker.setNode(kNoNode);
        if (observer) report();
        return Status::ok();
    }
};

Session::Session() : impl_(std::make_unique<Impl>()) {}
Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::create(Model model, const SessionOptions& options) {
    std::unique_ptr<Session> session(new Session());
    Impl& s = *session->impl_;
    s.model = std::move(model);
    s.options = options;
    if (options.backend.rfind("vulkan", 0) == 0) {
        // "vulkan" or "vulkan:N"; the device must exist.
        const std::string index =
            options.backend.size() > 7 && options.backend[6] == ':' ? options.backend.substr(7) : "0";
        if (options.backend != "vulkan" && options.backend.substr(0, 7) != "vulkan:")
            return invalidArgument("backend '" + options.backend + "' must be cpu, vulkan or vulkan:INDEX");
        char* stop = nullptr;
        const long device = std::strtol(index.c_str(), &stop, 10);
        if (index.empty() || *stop != '\0' || device < 0)
            return invalidArgument("backend '" + options.backend + "': the device index must be a number");
        auto devices = listVulkanDevices();
        if (!devices.ok())
            return Status(devices.status().code(),
                          "backend '" + options.backend +
                              "' needs a Vulkan device (the cpu backend does not): " + devices.status().message());
        if (device >= static_cast<long>(devices->size()))
            return Status(StatusCode::NotFound, "there is no Vulkan device " + index + " (" +
                                                    std::to_string(devices->size()) +
                                                    " found; see interstage-cli devices)");
        s.vulkanDevice = static_cast<int>(device);
    } else if (options.backend != "cpu") {
        return invalidArgument("unknown backend '" + options.backend + "' (cpu, vulkan or vulkan:INDEX)");
    }
    if (options.threads < 0) return invalidArgument("threads must be 0 (all cores) or more");
    s.threads =
        options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    omp_set_num_threads(s.threads);
    for (const auto& name : options.keep) {
        ValueId id = s.model.graph.find(name);
        if (id == kNoValue) return Status(StatusCode::NotFound, "there is no tensor named '" + name + "' to keep");
        s.pinned.insert(name);
    }
    if (options.mode.ignoreInputWithInitializer) {
        // Initializers also listed as inputs are constants, not inputs.
        auto& inputs = s.model.graph.inputs;
        inputs.erase(std::remove_if(inputs.begin(), inputs.end(),
                                    [&](ValueId id) { return s.model.graph.value(id).isInitializer; }),
                     inputs.end());
    }
    {
        Graph fileGraph = s.model.graph;
        if (resolveShapes(fileGraph, options.inputShapes, options.shapeOptions).ok())
            s.fileLowerBound = lowerBound(fileGraph, intermediateLifetimes(fileGraph)).bytes;
    }
    // Unsupported ops are reported before anything runs, for the graph as
    // executed (fusion removes BatchNormalization and activations).
    Status built = s.buildExecGraph(options.inputShapes, nullptr);
    if (built.isOk()) {
        IS_RETURN_IF_ERROR(s.checkSupport(s.exec));
        IS_RETURN_IF_ERROR(s.prepare());
    } else if (built.code() == StatusCode::ShapeError) {
        // A shape that depends on input values (a Reshape fed by a graph
        // input) resolves only when a run brings them: every run then
        // resolves and prepares for its own inputs.
        IS_RETURN_IF_ERROR(s.checkSupport(s.model.graph));
        s.shapesNeedInputValues = true;
        s.prepared = false;
        Graph probe = s.model.graph;
        (void)resolveShapes(probe, options.inputShapes, options.shapeOptions);
        for (ValueId id : probe.runtimeInputs())
            if (probe.value(id).shapeResolved) s.preparedShapes[probe.value(id).name] = probe.value(id).shape;
    } else {
        IS_RETURN_IF_ERROR(s.checkSupport(s.model.graph));
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
    if (s.gpu && s.gpu->deviceLost())
        return Status(StatusCode::DeviceLost,
                      "this session's Vulkan device was lost in an earlier run "
                      "(VK_ERROR_DEVICE_LOST) and is not used again: create a new session, "
                      "or run on the CPU backend");
    omp_set_num_threads(s.threads);
    const Graph& fileGraph = s.model.graph;

    InputValues inputs;
    for (const auto& [name, value] : given) {
        ValueId id = fileGraph.find(name);
        if (id == kNoValue || !fileGraph.value(id).isGraphInput || fileGraph.value(id).isInitializer)
            return invalidArgument("the model has no input named '" + name + "'");
        if (fileGraph.value(id).dtype != value.dtype)
            return invalidArgument("input '" + name + "' must be " + dataTypeName(fileGraph.value(id).dtype) +
                                   ", not " + dataTypeName(value.dtype));
        inputs[name] = value;
    }
    InputShapes shapes;
    for (ValueId id : fileGraph.runtimeInputs()) {
        const Value& v = fileGraph.value(id);
        auto it = inputs.find(v.name);
        if (it == inputs.end()) it = inputs.emplace(v.name, defaultInput(v.dtype, s.preparedShapes[v.name])).first;
        shapes[v.name] = it->second.shape;
    }
    if (s.shapesNeedInputValues) {
        IS_RETURN_IF_ERROR(s.buildExecGraph(shapes, &inputs));
        IS_RETURN_IF_ERROR(s.prepare());
    } else if (shapes != s.preparedShapes || !s.prepared) {
        IS_RETURN_IF_ERROR(s.buildExecGraph(shapes, nullptr));
        IS_RETURN_IF_ERROR(s.prepare());
    }

    RunStats stats;
    stats.run = ++s.runCount;
    s.tracker.beginRun(stats.run);
    for (int c = 0; c < kMemoryCategoryCount; ++c)
        stats.bytesAtStart[static_cast<size_t>(c)] = s.tracker.currentBytes(static_cast<MemoryCategory>(c));
    s.sampler.start(stats.run, s.tracker.runStart());
    if (s.options.observer) s.options.observer->runStarted(stats.run);
    const long faultsBefore = minorFaults();
    const auto runStart = Clock::now();
    Status status;
    if (s.onGpu()) {
        if (s.samplesDeviceHeap()) s.deviceHeapSampler.start(stats.run, s.tracker.runStart());
        status = s.gpu->run(inputs);
        s.deviceHeapSampler.stop();
        stats.deviceHeap = s.deviceHeapSampler.takeSamples();
        stats.peakDeviceHeapBytes = s.deviceHeapSampler.peakBytes();
        stats.fallbackTransfers = s.gpu->fallbackTransfers();
        stats.fallbackBytes = s.gpu->fallbackBytes();
        stats.nodes = s.gpu->nodeTimings();
        if (s.options.observer) {
            auto samples = s.sampler.takeSamples();
            stats.rss.insert(stats.rss.end(), samples.begin(), samples.end());
            s.options.observer->progress(stats.run, stats.nodes, s.tracker.takePending(), samples);
        }
    } else if (status = s.memory->beginRun(); status.isOk()) {
        for (ValueId id : s.exec.runtimeInputs()) {
            const TensorData& value = inputs[s.exec.value(id).name];
            if (!value.bytes.empty())
                std::memcpy(s.inputBuffers[static_cast<size_t>(id)].data(), value.bytes.data(), value.bytes.size());
        }
        status = s.execute(stats);
    }
    stats.ms = msSince(runStart);
    s.sampler.stop();
    stats.minorPageFaults = minorFaults() - faultsBefore;
    stats.allocations = s.tracker.runAllocations();
    stats.peakTrackedBytes = s.tracker.runPeakBytes();
    stats.peakRssBytes = s.sampler.peakBytes();
    stats.peakActivationBytes = s.tracker.runPeakActivationBytes();
    stats.events = s.tracker.runEvents();
    auto lastSamples = s.sampler.takeSamples();  // the rest were handed out with progress batches
    stats.rss.insert(stats.rss.end(), lastSamples.begin(), lastSamples.end());
    if (s.options.observer) s.options.observer->runFinished(stats);
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
    const Graph& g = s.exec;
    auto fused = s.removed.fusedInto.find(name);
    if (fused != s.removed.fusedInto.end())
        return Status(StatusCode::DataRemoved, "tensor '" + name + "' was removed by layer fusion (fused into node '" +
                                                   fused->second +
                                                   "'); pin the tensor or turn layer fusion off to "
                                                   "read it")
            .offering({Remedy::PinTensor, Remedy::DisableFusion});
    ValueId id = g.find(name);
    if (id == kNoValue) return Status(StatusCode::NotFound, "there is no tensor named '" + name + "'");
    const Value& v = g.value(id);
    if (v.constant && v.isWeight()) return *v.constant;
    const ValueId fileId = s.model.graph.find(name);
    if (v.isWeight() && (fileId == kNoValue || !s.model.graph.value(fileId).isWeight()))
        return Status(StatusCode::DataRemoved, "weight '" + name +
                                                   "' was made by the engine's passes (layer fusion or constant "
                                                   "folding), not read from the model file, and released once its "
                                                   "kernel packed its own copy; turn layer fusion off to see the "
                                                   "file's weights")
            .offering({Remedy::DisableFusion});
    if (v.isWeight())
        return Status(StatusCode::DataRemoved, "weight '" + name +
                                                   "' was released by reduce-constant once its kernel packed its own "
                                                   "copy; run without reduce-constant to read it")
            .offering({Remedy::KeepFileWeights});
    if (s.runCount == 0) return Status(StatusCode::NotFound, "tensor '" + name + "' has no data yet: nothing has run");
    const bool kept = v.isGraphOutput || s.pinned.count(name) || v.isGraphInput;
    const MemoryMode& mode = s.options.mode;
    if (!kept && !mode.keepsEveryTensor())
        return Status(StatusCode::DataRemoved, "tensor '" + name + "' " + mode.whyReleased() + " (memory mode " +
                                                   mode.name() + "); pin the tensor or use the default mode to read it")
            .offering({Remedy::PinTensor, Remedy::DefaultMode});
    if (s.onGpu()) return s.gpu->read(id);
    const void* data = v.isGraphInput ? s.inputBuffers[static_cast<size_t>(id)].data() : s.memory->address(id);
    if (!data) return Status(StatusCode::NotFound, "tensor '" + name + "' has no data (the last run did not reach it)");
    TensorData t = TensorData::zeros(v.dtype, v.shape);
    if (v.channelBlock)
        unblockChannels(static_cast<const float*>(data), v.shape, v.channelBlock, t.data<float>());
    else if (!t.bytes.empty())
        std::memcpy(t.bytes.data(), data, t.bytes.size());
    return t;
}

std::size_t Session::lowerBoundBytes() const { return impl_->fileLowerBound; }
std::size_t Session::executedLowerBoundBytes() const { return impl_->execLowerBound; }
Session::ExecutionOrder Session::executionOrder() const {
    const ExecutionOrderReport& r = impl_->orderReport;
    return {r.nodesMoved, r.fileOrderPeak, r.chosenPeak};
}
std::size_t Session::weightBytes() const {
    if (impl_->onGpu()) return impl_->gpu ? impl_->gpu->weightBytes() : 0;
    return impl_->weightBytesHeld + impl_->packedBytesHeld;
}

std::vector<TensorPlacement> Session::memoryMap() const {
    std::vector<TensorPlacement> map;
    const auto& tensors = impl_->onGpu() ? impl_->vulkanTensors : impl_->memory->tensors();
    const auto& plan = impl_->onGpu() ? impl_->vulkanPlan : impl_->memory->plan();
    for (size_t i = 0; i < tensors.size(); ++i) {
        TensorPlacement p;
        const auto valueCount = static_cast<ValueId>(impl_->exec.values.size());
        const bool isValue = tensors[i].value < valueCount;
        p.name = isValue ? impl_->exec.value(tensors[i].value).name
                         : "workspace of " + impl_->exec.nodes[static_cast<size_t>(tensors[i].value - valueCount)].name;
        p.channelBlock = isValue ? impl_->exec.value(tensors[i].value).channelBlock : 0;
        p.first = tensors[i].first;
        p.last = tensors[i].last;
        p.bytes = tensors[i].bytes;
        p.buffer = plan.bufferOf[i];
        p.offset = plan.offsetOf[i];
        p.kept = tensors[i].keep;
        p.perRunBuffer = plan.buffers[static_cast<size_t>(p.buffer)].perRun();
        // The moved input, not the tensors it was written over before.
        for (const PageMove& m : plan.moves)
            if (m.from == p.buffer && p.last == m.step) {
                p.movedAt = m.step;
                p.movedBuffer = m.into;
                p.movedOffset = m.offset;
            }
        map.push_back(p);
    }
    return map;
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
std::vector<std::string> Session::cpuFallbackNodes() const {
    return impl_->gpu ? impl_->gpu->fallbackNodes() : std::vector<std::string>{};
}
bool Session::samplesDeviceHeap() const { return impl_->samplesDeviceHeap(); }
void Session::failNthAllocationForTesting(int n) { impl_->allocator.failNthAllocation(n); }
void Session::failNthPageMoveForTesting(int n) { impl_->allocator.failNthPageMove(n); }
void Session::loseDeviceAtNthSubmitForTesting(int n) {
    if (impl_->gpu) impl_->gpu->loseDeviceAtNthSubmitForTesting(n);
}
const SessionOptions& Session::options() const { return impl_->options; }
int Session::threads() const { return impl_->threads; }

}  // namespace interstage
