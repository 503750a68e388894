// The planning sweep: for each size, the passes and the CPU kernels as a
// session makes them (the kernels decide the workspace, the packed weights
// and which convs write over their input), then every preset's plan from
// the same kernels and the guard's peak of each (runtime/kernel_plan_peak).
// Nothing of a plan is allocated: no executor ever gets one.
#include "interstage/plan_sweep.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/dnnl_context.h"
#include "interstage/memory.h"
#include "interstage/op_support.h"
#include "memory/host_allocator.h"
#include "memory/memory_tracker.h"
#include "passes/pipeline.h"
#include "runtime/cpu_executor.h"
#include "runtime/kernel_plan_peak.h"

namespace interstage {
namespace {

constexpr char kVariable = 'S';

Result<int64_t> parseCount(const std::string& text, const std::string& what) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 12)
        return invalidArgument(what + " '" + text + "' must be a whole number");
    return std::stoll(text);
}

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t at = text.find(separator); at != std::string::npos; at = text.find(separator, start)) {
        parts.push_back(text.substr(start, at - start));
        start = at + 1;
    }
    parts.push_back(text.substr(start));
    return parts;
}

Status checkPattern(const std::string& pattern) {
    bool variable = false;
    for (const std::string& dim : split(pattern, 'x')) {
        if (dim == std::string(1, kVariable)) {
            variable = true;
            continue;
        }
        auto count = parseCount(dim, "dim");
        if (!count.ok() || count.value() == 0)
            return invalidArgument("sweep pattern '" + pattern + "': each dim must be a size above 0 or " +
                                   std::string(1, kVariable) + ", not '" + dim + "'");
    }
    if (!variable)
        return invalidArgument("sweep pattern '" + pattern + "' has no " + std::string(1, kVariable) +
                               " (the swept size), e.g. 1x3xSxS");
    return Status::ok();
}

// The session's passes on the CPU with its default switches.
PassOptions sessionPasses() {
    PassOptions passes;
    passes.channelBlock = cpu::nn::preferredChannelBlock();
    passes.stripeBytes = cpu::nn::convStripeBytes();
    passes.inPlace = hostInPlaceOptions(true, true);
    passes.inPlace.stripedConv = [](const Graph& g, size_t step) {
        return cpu::nn::convRunsInRowStripes(g, g.nodes[step]);
    };
    return passes;
}

// "1x3x320x320" when the input declares a static dim that the pattern
// changes at some size of the sweep; empty otherwise.
std::string staticDimsChanged(const Value& input, const SweepSpec& spec) {
    if (!input.hasDeclaredShape) return {};
    const std::vector<std::string> dims = split(spec.pattern, 'x');
    if (dims.size() != input.declaredShape.size()) return {};
    for (size_t i = 0; i < dims.size(); ++i) {
        const Dim& d = input.declaredShape[i];
        if (!d.isStatic()) continue;
        if (dims[i] == std::string(1, kVariable) ? (spec.lo != d.value || spec.hi != d.value)
                                                 : std::stoll(dims[i]) != d.value)
            return shapeToString(input.declaredShape);
    }
    return {};
}

Result<std::vector<MemoryPreset>> chosenPresets(const std::vector<std::string>& names) {
    std::vector<MemoryPreset> chosen;
    for (const MemoryPreset& preset : memoryPresets())
        if (names.empty() || std::find(names.begin(), names.end(), preset.name) != names.end())
            chosen.push_back(preset);
    for (const std::string& name : names) {
        const bool known = std::any_of(memoryPresets().begin(), memoryPresets().end(),
                                       [&](const MemoryPreset& p) { return name == p.name; });
        if (!known) {
            std::string valid;
            for (const MemoryPreset& p : memoryPresets()) valid += (valid.empty() ? "" : ", ") + std::string(p.name);
            return invalidArgument("no memory preset named '" + name + "' (presets: " + valid + ")");
        }
    }
    return chosen;
}

// The graph a session of these presets plans: initializers also listed as
// inputs are constants, not inputs, where the presets say so (as
// Session::create does).
Graph sessionGraph(const Graph& file, const std::vector<MemoryPreset>& presets) {
    Graph graph = file;
    if (presets.empty() || !presets.front().mode.ignoreInputWithInitializer) return graph;
    auto& inputs = graph.inputs;
    inputs.erase(std::remove_if(inputs.begin(), inputs.end(), [&](ValueId v) { return graph.value(v).isInitializer; }),
                 inputs.end());
    return graph;
}

// One size: passes, kernels, then each mode's plan and the guard's peak.
// An error here is the size's, not the sweep's.
Status planSize(const Graph& file, const InputShapes& shapes, const ShapeOptions& shapeOptions, int threads,
                const std::vector<MemoryPreset>& presets, std::vector<SweepPoint>& points) {
    const PassOptions passes = sessionPasses();
    RemovedValues removed;
    ExecutionOrderReport order;
    IS_ASSIGN_OR_RETURN(const Graph exec, runPasses(file, shapes, shapeOptions, nullptr, {}, passes, removed, order));
    HostAllocator allocator;
    MemoryTracker tracker;
    CpuExecutor executor(exec, threads, allocator, tracker);
    IS_RETURN_IF_ERROR(executor.prepareKernels());
    for (size_t m = 0; m < presets.size(); ++m) {
        const MemoryMode& mode = presets[m].mode;
        const PlannedMemory planned = planMemory(exec, kernelPlanRequest(mode, {}, passes.inPlace, executor));
        const PlannedPeak peak = hostPlannedPeak(exec, file, executor, planned, mode, {});
        points[m].peakBytes = peak.total();
        points[m].tensorBytes = peak.tensors;
    }
    return Status::ok();
}

// Every size, on as many workers as the machine has cores: the sizes are
// independent (each its own graph, kernels and plans), and the passes'
// memory-aware order search dominates. The kernels are made for the
// session's `threads` whatever the worker count. Sizes not reached when
// the caller stops are left out.
std::vector<std::vector<SweepPoint>> planSizes(const Graph& file, const SweepSpec& spec, const SweepOptions& options,
                                               const ShapeOptions& shapeOptions, int threads,
                                               const std::vector<MemoryPreset>& presets,
                                               const std::vector<int64_t>& sizes) {
    std::vector<std::vector<SweepPoint>> bySize(sizes.size());
    std::atomic<size_t> next{0};
    std::atomic<int> done{0};
    std::atomic<bool> stop{false};
    std::mutex progressLock;
    auto work = [&] {
        omp_set_num_threads(threads);  // as the session's thread sets it before making kernels
        for (size_t i = next++; i < sizes.size() && !stop; i = next++) {
            InputShapes shapes = options.otherInputs;
            shapes[spec.input] = spec.shapeAt(sizes[i]);
            SweepPoint point;
            point.size = sizes[i];
            std::vector<SweepPoint> points(presets.size(), point);
            const Status planned = planSize(file, shapes, shapeOptions, threads, presets, points);
            for (SweepPoint& p : points)
                if (!planned.isOk()) p.error = planned.message();
            bySize[i] = std::move(points);
            const int finished = ++done;
            std::lock_guard<std::mutex> lock(progressLock);
            if (options.progress && !options.progress(finished, static_cast<int>(sizes.size()))) stop = true;
        }
    };
    const unsigned workers = std::min<unsigned>(std::max(1u, std::thread::hardware_concurrency()),
                                                static_cast<unsigned>(std::max<size_t>(sizes.size(), 1)));
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < workers; ++w) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();
    bySize.erase(std::remove_if(bySize.begin(), bySize.end(), [](const auto& points) { return points.empty(); }),
                 bySize.end());
    return bySize;
}

}  // namespace

std::vector<int64_t> SweepSpec::sizes() const {
    std::vector<int64_t> out;
    for (int64_t s = lo; s <= hi && step > 0 && out.size() <= size_t(kMaxSweepPoints); s += step) out.push_back(s);
    return out;
}

Shape SweepSpec::shapeAt(int64_t size) const {
    Shape shape;
    for (const std::string& dim : split(pattern, 'x'))
        shape.push_back(dim == std::string(1, kVariable) ? size : std::stoll(dim));
    return shape;
}

Result<SweepSpec> parseSweep(const std::string& inputPattern, const std::string& range) {
    const size_t eq = inputPattern.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == inputPattern.size())
        return invalidArgument("sweep '" + inputPattern + "' must look like NAME=1x3xSxS");
    SweepSpec spec;
    spec.input = inputPattern.substr(0, eq);
    spec.pattern = inputPattern.substr(eq + 1);
    IS_RETURN_IF_ERROR(checkPattern(spec.pattern));
    const std::vector<std::string> parts = split(range, ':');
    if (parts.size() < 2 || parts.size() > 3)
        return invalidArgument("range '" + range + "' must look like LO:HI or LO:HI:STEP, e.g. 64:1024:32");
    IS_ASSIGN_OR_RETURN(spec.lo, parseCount(parts[0], "range start"));
    IS_ASSIGN_OR_RETURN(spec.hi, parseCount(parts[1], "range end"));
    if (parts.size() == 3) {
        IS_ASSIGN_OR_RETURN(spec.step, parseCount(parts[2], "range step"));
    }
    if (spec.lo < 1 || spec.hi < spec.lo || spec.step < 1)
        return invalidArgument("range '" + range + "' must go up from a size of at least 1 in steps of at least 1");
    if ((spec.hi - spec.lo) / spec.step + 1 > kMaxSweepPoints)
        return invalidArgument("range '" + range + "' has more than " + std::to_string(kMaxSweepPoints) +
                               " sizes; take a larger step");
    return spec;
}

std::optional<int64_t> largestFitting(const std::vector<SweepPoint>& points, std::size_t budgetBytes) {
    if (!budgetBytes) return std::nullopt;
    std::optional<int64_t> largest;
    for (const SweepPoint& p : points)
        if (p.planned() && p.peakBytes <= budgetBytes) largest = std::max(largest.value_or(p.size), p.size);
    return largest;
}

Result<PlanSweep> sweepPlans(const Model& model, const SweepSpec& spec, const SweepOptions& options) {
    IS_RETURN_IF_ERROR(checkWeightsLoaded(model.graph));
    IS_RETURN_IF_ERROR(checkPattern(spec.pattern));
    const ValueId id = model.graph.find(spec.input);
    if (id == kNoValue || !model.graph.value(id).isGraphInput || model.graph.value(id).isInitializer)
        return invalidArgument("the model has no input named '" + spec.input + "' to sweep");
    const Value& input = model.graph.value(id);
    if (input.hasDeclaredShape && input.declaredShape.size() != spec.shapeAt(1).size())
        return invalidArgument("input '" + spec.input + "' is declared " + shapeToString(input.declaredShape) +
                               " (rank " + std::to_string(input.declaredShape.size()) + "); the pattern '" +
                               spec.pattern + "' has rank " + std::to_string(spec.shapeAt(1).size()));
    IS_ASSIGN_OR_RETURN(const std::vector<MemoryPreset> presets, chosenPresets(options.presets));
    const Graph file = sessionGraph(model.graph, presets);

    PlanSweep sweep;
    sweep.budgetBytes = options.budgetBytes;
    sweep.declaredShape = staticDimsChanged(input, spec);
    for (const MemoryPreset& preset : presets) sweep.presets.push_back({preset.name, {}, std::nullopt});
    ShapeOptions shapeOptions = options.shapeOptions;
    shapeOptions.allowOtherDims = true;  // planned, not run: the point is to see other sizes
    const int threads =
        options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const std::vector<int64_t> sizes = spec.sizes();
    const std::vector<std::vector<SweepPoint>> bySize =
        planSizes(file, spec, options, shapeOptions, threads, presets, sizes);
    for (const std::vector<SweepPoint>& points : bySize)
        for (size_t m = 0; m < points.size(); ++m) sweep.presets[m].points.push_back(points[m]);
    for (PresetSweep& preset : sweep.presets) preset.largestFitting = largestFitting(preset.points, sweep.budgetBytes);
    return sweep;
}

}  // namespace interstage
