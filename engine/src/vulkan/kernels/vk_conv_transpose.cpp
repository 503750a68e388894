// ConvTranspose on Vulkan (conv_transpose.comp): 1-D and 2-D NCHW, groups,
// strides, dilations, pads, output_padding / output_shape / auto_pad, bias
// and the activation the fusion pass folds in. The node is read by the CPU
// kernel's readConvTransposeSpec, so both backends crop and grow the
// output the same way. The 2x upsampling form (2x2 kernel, stride 2) runs
// on packed weights (conv_transpose2x2_packed.comp), the rest on
// conv_transpose.comp, one output value per invocation.
#include <algorithm>

#include "cpu/ops/nn/conv_paths.h"
#include "vulkan/kernels/conv_packed.h"
#include "vulkan/kernels/conv_window_push.h"
#include "vulkan/vulkan_kernel.h"

namespace interstage::vulkan {

namespace {

uint32_t u32(int64_t v) { return static_cast<uint32_t>(v); }

class ConvTransposeKernel : public PackedWeightsKernel {
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
        packed_.clear();
        const TensorData* weights = context.inputConstant(1);
        if (!oneD && weights && isUpsampling2x2(spec)) packUpsampling2x2(spec, *weights);
        return Status::ok();
    }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        if (packed_.empty()) return recordConvWindow(recorder, "conv_transpose", b, push_);
        const Binding& weights = b.constants[0];
        const Binding bias = packedPush_.hasBias ? b.inputs[2] : weights;
        const Binding bindings[] = {b.inputs[0], weights, bias, b.outputs[0], b.inputs[0]};
        return recorder.dispatchSpecialized("conv_transpose2x2_packed", convConstants(packedPush_.act), bindings,
                                            &packedPush_, sizeof(packedPush_), packedPush_.count);
    }

private:
    // The 2x upsampling the packed shader takes: 2x2 kernel, stride 2, no
    // dilation, pads or groups, the output exactly twice the input, input
    // rows of whole vec4.
    static bool isUpsampling2x2(const cpu::nn::ConvTransposeSpec& spec) {
        const auto& win = spec.window;
        const auto allAre = [](const std::vector<int64_t>& v, int64_t value) {
            return std::all_of(v.begin(), v.end(), [&](int64_t e) { return e == value; });
        };
        return spec.group == 1 && allAre(win.kernel, 2) && allAre(win.strides, 2) && allAre(win.dilations, 1) &&
               allAre(spec.padBegin, 0) && spec.y[2] == 2 * spec.x[2] && spec.y[3] == 2 * spec.x[3] &&
               spec.x[3] % 4 == 0;
    }

    void packUpsampling2x2(const cpu::nn::ConvTransposeSpec& spec, const TensorData& weights) {
        const Shape &x = spec.x, &y = spec.y;
        packedPush_ = ConvPackedPush{};
        packedPush_.N = u32(x[0]), packedPush_.C = u32(x[1]), packedPush_.H = u32(x[2]), packedPush_.W = u32(x[3]);
        packedPush_.K = u32(y[1]), packedPush_.OH = u32(y[2]), packedPush_.OW = u32(y[3]);
        packedPush_.kh = packedPush_.kw = 2, packedPush_.strideH = packedPush_.strideW = 2;
        packedPush_.hasBias = push_.hasBias, packedPush_.act = push_.act;
        packedPush_.alpha = push_.alpha, packedPush_.beta = push_.beta;
        packedPush_.count = packedInvocations(x[0], y[2] * ((y[3] + 7) / 8), y[1]);
        // W is C x K x 2 x 2: weight (k, e = c * 4 + tap) at (c * K + k) * 4 + tap.
        const int64_t K = y[1];
        const auto* source = weights.data<uint32_t>();  // float32 bits
        packed_ = packOutputChannelBlocks(K, x[1] * 4,
                                          [&](int64_t k, int64_t e) { return source[((e / 4) * K + k) * 4 + e % 4]; });
    }

    ConvWindowPush push_;
    ConvPackedPush packedPush_;
};

std::unique_ptr<VulkanKernel> make() { return std::make_unique<ConvTransposeKernel>(); }

}  // namespace

// The kernels this file gives the op table (ops/op_table.cpp).
namespace kernels {
const VulkanKernelFactory convTranspose = &make;
}  // namespace kernels

}  // namespace interstage::vulkan
