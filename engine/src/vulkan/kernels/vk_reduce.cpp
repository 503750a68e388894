// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1,
// ReduceL2, ReduceSumSquare, ReduceLogSum and ReduceLogSumExp on Vulkan
// (reduce.comp), float32. Axes, keepdims and noop_with_empty_axes are read
// by the CPU kernel's readReduceAxes / makeReducePlan, whose merged
// kept / reduced groups become the shader's two walks.
#include "cpu/ops/elementwise/reduce_plan.h"
#include "vulkan/shaders/op_codes.h"
#include "vulkan/vulkan_kernel.h"

namespace interstage::vulkan {

namespace {

// reduce.comp's op code of each op (shaders/op_codes.h).
constexpr std::pair<const char*, uint32_t> kOps[] = {
    {"ReduceSum", REDUCE_SUM},        {"ReduceMean", REDUCE_MEAN},
    {"ReduceMax", REDUCE_MAX},        {"ReduceMin", REDUCE_MIN},
    {"ReduceProd", REDUCE_PROD},      {"ReduceL1", REDUCE_L1},
    {"ReduceL2", REDUCE_L2},          {"ReduceSumSquare", REDUCE_SUM_SQUARE},
    {"ReduceLogSum", REDUCE_LOG_SUM}, {"ReduceLogSumExp", REDUCE_LOG_SUM_EXP}};
constexpr size_t kMaxGroups = 6;

class ReduceKernel : public VulkanKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        if (!context.hasInput(0) || !context.hasOutput(0)) return context.invalidHere("needs an input and an output");
        IS_RETURN_IF_ERROR(requireFloat(context, {0}));
        const std::string& op = context.node().opType;
        for (const auto& [name, code] : kOps)
            if (op == name) push_.op = code;
        cpu::ew::ReduceAxes axes;
        IS_RETURN_IF_ERROR(cpu::ew::readReduceAxes(context, axes));
        if (!axes.axesKnown) return context.unsupportedHere("axes known only at run time");
        const Shape& x = context.inputShape(0);
        cpu::ew::ReducePlan plan;
        if (!cpu::ew::makeReducePlan(x, axes.axes, axes.noopWhenEmpty, plan))
            return context.invalidHere("an axis is out of range for the input's rank");
        const int64_t outCount = elementCount(context.output(0).shape).value_or(-1);
        copy_ = plan.copy;
        if (copy_) {
            if (outCount != elementCount(x).value_or(-2))
                return context.invalidHere("output shape does not fit the input");
            bytes_ = context.output(0).byteSize();
            return Status::ok();
        }
        if (outCount != plan.outputCount)
            return context.invalidHere("output shape " + shapeToString(context.output(0).shape) +
                                       " does not fit the reduction");
        // An empty reduction's result (0, NaN, -inf) is left to the CPU.
        if (plan.reduceCount == 0 && plan.outputCount > 0) return context.unsupportedHere("an empty reduction");
        if (plan.outputCount > int64_t(UINT32_MAX) || elementCount(x).value_or(0) > int64_t(UINT32_MAX))
            return context.unsupportedHere("more than 2^32 elements");
        std::vector<cpu::ew::ReduceGroup> kept = plan.kept, reduced = plan.reduced;
        (plan.innerReduced ? reduced : kept).push_back({plan.inner, 1});
        if (reduced.empty()) reduced.push_back({1, 1});  // only size-1 axes reduced: one element each
        if (kept.size() > kMaxGroups || reduced.size() > kMaxGroups)
            return context.unsupportedHere("more than 6 kept or reduced axis groups");
        push_.count = static_cast<uint32_t>(plan.outputCount);
        push_.reduceCount = static_cast<uint32_t>(plan.reduceCount);
        push_.keptRank = static_cast<uint32_t>(kept.size());
        push_.reducedRank = static_cast<uint32_t>(reduced.size());
        for (size_t g = 0; g < kept.size(); ++g) {
            push_.keptDims[g] = static_cast<uint32_t>(kept[g].size);
            push_.keptStrides[g] = static_cast<uint32_t>(kept[g].stride);
        }
        for (size_t g = 0; g < reduced.size(); ++g) {
            push_.reducedDims[g] = static_cast<uint32_t>(reduced[g].size);
            push_.reducedStrides[g] = static_cast<uint32_t>(reduced[g].stride);
        }
        return Status::ok();
    }

    bool readsInput(size_t i) const override { return i == 0; }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        // A copy moves the output binding's bytes: what the tensor takes on the device.
        if (copy_) return bytes_ ? recorder.copy(b.inputs[0], b.outputs[0], b.outputs[0].bytes) : Status::ok();
        const Binding bindings[] = {b.inputs[0], b.outputs[0]};
        // Outputs of many elements: a workgroup each (reduce_wide).
        if (push_.reduceCount >= kWideOutputValues)
            return recorder.dispatch("reduce_wide", bindings, &push_, sizeof(push_), uint64_t{push_.count} * 64);
        return recorder.dispatch("reduce", bindings, &push_, sizeof(push_), push_.count);
    }

private:
    bool copy_ = false;
    std::size_t bytes_ = 0;
    struct {
        uint32_t count = 0, reduceCount = 0, op = 0, keptRank = 0, reducedRank = 0;
        uint32_t keptDims[kMaxGroups] = {}, keptStrides[kMaxGroups] = {};
        uint32_t reducedDims[kMaxGroups] = {}, reducedStrides[kMaxGroups] = {};
    } push_;
};

std::unique_ptr<VulkanKernel> make() { return std::make_unique<ReduceKernel>(); }

}  // namespace

// The kernels this file gives the op table (ops/op_table.cpp).
namespace kernels {
const VulkanKernelFactory reduce = &make;
}  // namespace kernels

}  // namespace interstage::vulkan
