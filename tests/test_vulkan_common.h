// Shared by the Vulkan suites: run a model through the CPU Session (the
// oracle) and through VulkanExecutor on the session's executed graph and
// plan, and compare the outputs.
#pragma once

#include <QTest>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "interstage/lifetimes.h"
#include "interstage/session.h"
#include "interstage/vulkan.h"
#include "memory/memory_tracker.h"
#include "plan/memory_plan.h"
#include "plan/planned_tensors.h"
#include "vulkan/fp16_storage.h"
#include "vulkan/vulkan_executor.h"

namespace vktest {

using namespace interstage;

// Validation on by default in the suites (INTERSTAGE_VULKAN_VALIDATION=0 turns it off).
inline void enableValidation() {
    if (!std::getenv("INTERSTAGE_VULKAN_VALIDATION")) setenv("INTERSTAGE_VULKAN_VALIDATION", "1", 0);
}

inline bool haveVulkan(std::string& why) {
    auto devices = listVulkanDevices();
    if (!devices.ok()) why = "no Vulkan device on this machine: " + devices.status().message();
    return devices.ok();
}

struct Comparison {
    double maxAbs = 0;
    int64_t bad = 0;
    int64_t count = 0;
    std::string first;  // the first mismatch, described
};

inline Comparison compare(const TensorData& expected, const TensorData& actual, double rtol = 1e-3,
                          double atol = 1e-5) {
    Comparison c;
    c.count = expected.elementCount();
    if (expected.shape != actual.shape || expected.dtype != actual.dtype) {
        c.bad = 1;
        c.first = "shape/dtype differ: " + shapeToString(expected.shape) + " vs " + shapeToString(actual.shape);
        return c;
    }
    for (int64_t i = 0; i < c.count; ++i) {
        const double e = expected.doubleAt(i), a = actual.doubleAt(i);
        if ((std::isnan(e) && std::isnan(a)) || e == a) continue;  // NaN where both give NaN; equal infinities
        const double diff = std::fabs(e - a);
        c.maxAbs = std::max(c.maxAbs, diff);
        if (!(diff <= atol + rtol * std::fabs(e))) {
            if (c.bad++ == 0)
                c.first = "element " + std::to_string(i) + ": cpu " + std::to_string(e) + " gpu " + std::to_string(a);
        }
    }
    return c;
}

inline double largestMagnitude(const TensorData& t) {
    double largest = 0;
    if (t.dtype != DataType::Float) return largest;
    for (int64_t i = 0; i < t.elementCount(); ++i)
        if (std::isfinite(t.doubleAt(i))) largest = std::max(largest, std::fabs(t.doubleAt(i)));
    return largest;
}

// For fp16 storage: inputs, weights and every tensor are rounded to
// float16 (relative step 2^-11) while sums stay float32, so an element is
// off by a few steps of the largest magnitude in play: the output's, or
// the inputs' (`inputMagnitude`) where a sum cancels them.
inline Comparison compareHalf(const TensorData& expected, const TensorData& actual, double inputMagnitude = 0) {
    const double scale = std::max(largestMagnitude(expected), inputMagnitude);
    return compare(expected, actual, 1e-2, 4e-3 * scale + 1e-5);
}

struct GpuRun {
    std::map<std::string, TensorData> outputs;
    int fallbackTransfers = 0;
    std::string fallbackNodes;  // the nodes that ran on the CPU, comma-separated
    int validationErrors = 0;
    bool validationEnabled = false;
    std::string validationMessage;
    int runAllocations = 0;
    std::size_t gpuPeak = 0;
    std::vector<NodeTiming> timings;
    std::set<std::string> gpuOps;  // op types of the nodes that ran on the device
    double inputMagnitude = 0;     // the largest |x| of the float inputs run
};

// Runs the session's executed graph on Vulkan device 0 with `mode`'s plan,
// `runs` times, with the given inputs (by name) or else the default ones;
// fp16: with fp16 storage (the plan at its device bytes).
inline Result<GpuRun> runOnVulkan(const Session& session, const MemoryMode& mode, int runs = 1,
                                  const std::map<std::string, TensorData>& given = {}, bool fp16 = false) {
    // The CPU session may store tensors channel-blocked; the device keeps
    // every tensor as ONNX lays it out.
    auto rebuilt = session.executedGraphWithWeights();  // with the folded weights the session released
    if (!rebuilt.ok()) return rebuilt.status();
    Graph exec = rebuilt.take();
    for (Value& v : exec.values) v.channelBlock = 0;
    auto tensors = plannedIntermediates(exec);
    for (PlannedTensor& t : tensors) t.bytes = vulkan::deviceBytes(exec.value(t.value), fp16);
    MemoryPlan plan = planFor(mode, tensors);
    MemoryTracker tracker;
    vulkan::VulkanExecutor executor(exec, tensors, plan, tracker, 0);
    executor.setFp16Storage(fp16);
    IS_RETURN_IF_ERROR(executor.prepare());
    std::map<std::string, TensorData> inputs;
    for (ValueId id : exec.runtimeInputs()) {
        const Value& v = exec.value(id);
        auto it = given.find(v.name);
        inputs[v.name] = it != given.end() ? it->second : defaultInput(v.dtype, v.shape);
    }
    GpuRun result;
    for (const auto& [name, input] : inputs)
        result.inputMagnitude = std::max(result.inputMagnitude, largestMagnitude(input));
    for (int r = 1; r <= runs; ++r) {
        tracker.beginRun(r);
        IS_RETURN_IF_ERROR(executor.run(inputs));
        result.runAllocations = tracker.runAllocations();
        result.gpuPeak = tracker.runPeakActivationBytes();
    }
    for (ValueId id : exec.outputs) {
        auto t = executor.read(id);
        if (!t.ok()) return t.status();
        result.outputs[exec.value(id).name] = t.take();
    }
    result.fallbackTransfers = executor.fallbackTransfers();
    for (const std::string& node : executor.fallbackNodes())
        result.fallbackNodes += (result.fallbackNodes.empty() ? "" : ", ") + node;
    result.validationErrors = executor.validationErrors();
    result.validationEnabled = executor.validationEnabled();
    result.validationMessage = executor.lastValidationError();
    result.timings = executor.nodeTimings();
    for (const NodeTiming& t : result.timings)
        if (!t.cpuFallback) result.gpuOps.insert(t.op);
    return result;
}

// CPU session (default mode) on the serialized model, run once on `inputs`
// (by name; the default ones for the rest). inputShape, when given,
// replaces the declared shape of the first input (the zoo models declare
// static 320x320 / 224x224 inputs).
inline Result<std::unique_ptr<Session>> cpuSession(const std::string& bytes, const Shape& inputShape = {},
                                                   const std::map<std::string, TensorData>& inputs = {}) {
    auto model = loadModelFromBytes(bytes, "");
    if (!model.ok()) return model.status();
    if (!inputShape.empty()) {
        Value& input = model.value().graph.value(model.value().graph.runtimeInputs().at(0));
        input.declaredShape.clear();
        for (int64_t d : inputShape) input.declaredShape.push_back(Dim{d, ""});
    }
    // Its graph runs on Vulkan too: only the fusions a Vulkan session makes.
    SessionOptions options;
    options.cpuKernelFusions = false;
    auto session = Session::create(model.take(), options);
    if (!session.ok()) return session.status();
    IS_RETURN_IF_ERROR(session.value()->run(inputs));
    return session;
}

}  // namespace vktest
