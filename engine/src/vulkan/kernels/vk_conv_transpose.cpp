// ConvTranspose on Vulkan (conv_transpose.comp): 1-D and 2-D NCHW, groups,
// strides, dilations, pads, output_padding / output_shape / auto_pad, bias
// and the activation the fusion pass folds in. The node is read by the CPU
// kernel's readConvTransposeSpec, so both backends crop and grow the
// output the same way.
#include "cpu/ops/nn/conv_paths.h"
#include "vulkan/kernels/conv_window_push.h"
#include "vulkan/vulkan_kernel.h"

namespace interstage::vulkan {

namespace {

uint32_t u32(int64_t v) { return static_cast<uint32_t>(v); }

class ConvTransposeKernel : public VulkanKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        cpu::nn::ConvTransposeSpec spec;
        IS_RETURN_IF_ERROR(cpu::nn::readConvTransposeSpec(context, spec));
        if (spec.spatial() > 2) return context.unsupportedHere("the Vulkan ConvTranspose handles 1-D and 2-D only");
        // A 1-D transposed convolution is a 2-D one with a height of 1.
        const bool oneD = spec.spatial() == 1;
        const auto at = [&](const std::vector<int64_t>& v, int64_t flat) { return oneD ? flat : v[0]; };
        const Shape &x = spec.x, &w = spec.w, &y = spec.y;
        push_.count = u32(y[0] * y[1] * (oneD ? 1 : y[2]) * y.back());
        push_.C = u32(x[1]), push_.H = u32(oneD ? 1 : x[2]), push_.W = u32(x.back());
        push_.K = u32(y[1]), push_.OH = u32(oneD ? 1 : y[2]), push_.OW = u32(y.back());
        push_.kh = u32(oneD ? 1 : w[2]), push_.kw = u32(w.back());
        push_.strideH = u32(at(spec.window.strides, 1)), push_.strideW = u32(spec.window.strides.back());
        push_.dilH = u32(at(spec.window.dilations, 1)), push_.dilW = u32(spec.window.dilations.back());
        push_.padT = static_cast<int32_t>(at(spec.padBegin, 0));
        push_.padL = static_cast<int32_t>(spec.padBegin.back());
        push_.group = u32(spec.group);
        push_.hasBias = spec.hasBias ? 1 : 0;
        push_.setActivation(context.node());
        return Status::ok();
    }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        return recordConvWindow(recorder, "conv_transpose", b, push_);
    }

private:
    ConvWindowPush push_;
};

std::unique_ptr<VulkanKernel> make() { return std::make_unique<ConvTransposeKernel>(); }

}  // namespace

// The kernels this file gives the op table (ops/op_table.cpp).
namespace kernels {
const VulkanKernelFactory convTranspose = &make;
}  // namespace kernels

}  // namespace interstage::vulkan
