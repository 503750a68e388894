// Slice on Vulkan (slice.comp): any rank, negative steps and axes, 4- and
// 8-byte elements (and float16 ones with fp16 storage). The CPU kernel's readSliceParams / planSlice turn the
// node into a strided view of the input, so both backends clamp the same
// way; a slice that keeps one contiguous run becomes a buffer copy.
#include <cstdint>

#include "vulkan/vulkan_kernel.h"

namespace interstage::vulkan {

namespace {

class SliceKernel : public VulkanKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs a data input and one output");
        cpu::tensor::SliceParams params;
        bool known = false;
        IS_RETURN_IF_ERROR(cpu::tensor::readSliceParams(context, params, known));
        if (!known) return context.unsupportedHere("starts / ends / axes / steps known only at run time");
        // The shader's offsets and strides are signed 32-bit word counts.
        if (deviceBytes(context.input(0), fp16Storage()) / storageWordBytes() > std::size_t(INT32_MAX))
            return context.unsupportedHere("an input beyond 2^31 words");
        cpu::tensor::StridedView view;
        const std::string why = cpu::tensor::planSlice(context.inputShape(0), params, view);
        if (!why.empty()) return context.invalidHere(why);
        if (view.shape != context.output(0).shape)
            return context.invalidHere("the slice gives " + shapeToString(view.shape) + ", not the resolved output " +
                                       shapeToString(context.output(0).shape));
        return wordWalk(context, view, deviceElementBytes(context.inputType(0)), storageWordBytes(), walk_);
    }

    bool readsInput(size_t i) const override { return i == 0; }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        if (walk_.words == 0) return Status::ok();
        if (walk_.contiguous()) {
            Binding source = b.inputs[0];
            source.offset += static_cast<VkDeviceSize>(walk_.offset * walk_.wordBytes);
            return recorder.copy(source, b.outputs[0], static_cast<VkDeviceSize>(walk_.words * walk_.wordBytes));
        }
        Push push;
        push.count = static_cast<uint32_t>(walk_.words);
        push.offset = static_cast<int32_t>(walk_.offset);
        push.rank = static_cast<uint32_t>(walk_.dims.size());
        for (size_t k = 0; k < walk_.dims.size(); ++k) {
            push.dims[k] = static_cast<uint32_t>(walk_.dims[k]);
            push.strides[k] = static_cast<int32_t>(walk_.strides[k]);
        }
        const Binding bindings[] = {b.inputs[0], b.outputs[0]};
        return recorder.dispatch("slice", bindings, &push, sizeof(push), push.count);
    }

private:
    struct Push {
        uint32_t count = 0;
        int32_t offset = 0;
        uint32_t rank = 0, unused = 0;
        uint32_t dims[WordWalk::kMaxDims] = {};
        int32_t strides[WordWalk::kMaxDims] = {};
    };
    WordWalk walk_;
};

std::unique_ptr<VulkanKernel> make() { return std::make_unique<SliceKernel>(); }

}  // namespace

// The kernels this file gives the op table (ops/op_table.cpp).
namespace kernels {
const VulkanKernelFactory slice = &make;
}  // namespace kernels

}  // namespace interstage::vulkan
