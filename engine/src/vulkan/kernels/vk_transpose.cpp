// Transpose on Vulkan (transpose.comp): any rank whose merged dims fit the
// push constants, 4- and 8-byte elements. The perm is read by the CPU
// kernel's readTransposePerm; axes that stay neighbours are merged first,
// so NCHW <-> NHWC is a 3-dim walk and a perm that only moves size-1 axes
// is a buffer copy.
#include "vulkan/vulkan_kernel.h"

namespace interstage::vulkan {

namespace {

class TransposeKernel : public VulkanKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs one input and one output");
        std::vector<int64_t> perm;
        IS_RETURN_IF_ERROR(cpu::tensor::readTransposePerm(context, perm));
        const cpu::tensor::StridedView view = cpu::tensor::transposeView(context.inputShape(0), perm);
        if (view.shape != context.output(0).shape)
            return context.invalidHere("the output shape does not match the permutation");
        return wordWalk(context, view, deviceElementBytes(context.inputType(0)), storageWordBytes(), walk_);
    }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        if (walk_.words == 0) return Status::ok();
        if (walk_.contiguous())
            return recorder.copy(b.inputs[0], b.outputs[0], static_cast<VkDeviceSize>(walk_.words * walk_.wordBytes));
        Push push;
        push.count = static_cast<uint32_t>(walk_.words);
        push.rank = static_cast<uint32_t>(walk_.dims.size());
        for (size_t k = 0; k < walk_.dims.size(); ++k) {
            push.dims[k] = static_cast<uint32_t>(walk_.dims[k]);
            push.strides[k] = static_cast<uint32_t>(walk_.strides[k]);
        }
        const Binding bindings[] = {b.inputs[0], b.outputs[0]};
        return recorder.dispatch("transpose", bindings, &push, sizeof(push), push.count);
    }

private:
    struct Push {
        uint32_t count = 0, rank = 0;
        uint32_t dims[WordWalk::kMaxDims] = {};
        uint32_t strides[WordWalk::kMaxDims] = {};
    };
    WordWalk walk_;
};

std::unique_ptr<VulkanKernel> make() { return std::make_unique<TransposeKernel>(); }

}  // namespace

// The kernels this file gives the op table (ops/op_table.cpp).
namespace kernels {
const VulkanKernelFactory transpose = &make;
}  // namespace kernels

}  // namespace interstage::vulkan
