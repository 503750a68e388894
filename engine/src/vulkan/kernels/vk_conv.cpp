// Conv on Vulkan: NCHW 2-D convolutions with bias and the activation the
// fusion pass folds in. Ungrouped convolutions with constant weights (all
// the zoo's and the OCR models') run on packed weights
// (shaders/conv_packed_params.glsl): conv1x1_packed for pointwise ones,
// conv3x3_packed for 3-wide stride-1 rows, conv_packed for the rest.
// Depthwise convolutions take conv_depthwise_rows or conv_depthwise, one
// channel x 8 or 4 pixels per invocation. Other grouped convolutions and
// weights computed at run time take the direct shader, conv2d.comp, one
// output value per invocation.
#include <algorithm>
#include <array>
#include <span>

#include "vulkan/kernels/conv_packed.h"
#include "vulkan/kernels/conv_window_push.h"
#include "vulkan/kernels/window2d.h"
#include "vulkan/vulkan_kernel.h"

namespace interstage::vulkan {

namespace {

uint32_t u32(int64_t v) { return static_cast<uint32_t>(v); }

class ConvKernel : public PackedWeightsKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        if (!context.hasInput(0) || !context.hasInput(1)) return context.invalidHere("needs X and W");
        IS_RETURN_IF_ERROR(requireFloat(context, {0, 1, 2}));
        const Shape& x = context.inputShape(0);
        const Shape& w = context.inputShape(1);
        const Shape& y = context.output(0).shape;
        if (w.size() != 4) return context.unsupportedHere("the Vulkan kernel handles 2D convolutions only");
        cpu::nn::Window window;
        IS_RETURN_IF_ERROR(readWindow2d(context, {w[2], w[3]}, window));
        const int64_t group = context.node().attrInt("group", 1);
        if (group < 1 || x[1] % group || w[0] % group || w[1] * group != x[1] || y[1] != w[0])
            return context.invalidHere("channels do not fit the groups");
        direct_.count = u32(y[0] * y[1] * y[2] * y[3]);
        direct_.C = u32(x[1]), direct_.H = u32(x[2]), direct_.W = u32(x[3]);
        direct_.K = u32(y[1]), direct_.OH = u32(y[2]), direct_.OW = u32(y[3]);
        direct_.kh = u32(window.kernel[0]), direct_.kw = u32(window.kernel[1]);
        direct_.strideH = u32(window.strides[0]), direct_.strideW = u32(window.strides[1]);
        direct_.dilH = u32(window.dilations[0]), direct_.dilW = u32(window.dilations[1]);
        direct_.padT = static_cast<int32_t>(window.padBegin[0]);
        direct_.padL = static_cast<int32_t>(window.padBegin[1]);
        direct_.group = u32(group);
        direct_.hasBias = context.hasInput(2) ? 1 : 0;
        direct_.setActivation(context.node());
        packed_.clear();
        depthwise_ = nullptr;
        if (group == 1) {
            if (const TensorData* weights = context.inputConstant(1)) choosePackedShader(*weights, y[0]);
        } else if (group == x[1] && y[1] % x[1] == 0) {
            chooseDepthwiseShader(y[0]);
        }
        return Status::ok();
    }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        if (depthwise_) {
            const Binding bias = depthwisePush_.hasBias ? b.inputs[2] : b.inputs[1];
            const Binding bindings[] = {b.inputs[0], b.inputs[1], bias, b.outputs[0], b.inputs[0]};
            // conv_depthwise has four bindings; the rows shader reads X as vec4 too.
            const size_t count = depthwiseRows_ ? 5 : 4;
            return recorder.dispatchSpecialized(depthwise_, convConstants(depthwisePush_.act),
                                                std::span(bindings, count), &depthwisePush_, sizeof(depthwisePush_),
                                                depthwisePush_.count);
        }
        if (packed_.empty()) return recordConvWindow(recorder, "conv2d", b, direct_);
        const Binding& x = b.inputs[0];
        const Binding& weights = b.constants[0];
        const Binding bias = push_.hasBias ? b.inputs[2] : weights;
        const Binding bindings[] = {x, weights, bias, b.outputs[0], x};
        return recorder.dispatchSpecialized(shader_, specialization_, bindings, &push_, sizeof(push_), push_.count);
    }

private:
    // Picks the packed shader for the geometry, fills its push constants
    // and packs the weights.
    void choosePackedShader(const TensorData& weights, int64_t batch) {
        const ConvWindowPush& d = direct_;
        push_ = ConvPackedPush{};
        push_.N = u32(batch), push_.C = d.C, push_.H = d.H, push_.W = d.W, push_.K = d.K, push_.OH = d.OH;
        push_.OW = d.OW, push_.kh = d.kh, push_.kw = d.kw, push_.strideH = d.strideH, push_.strideW = d.strideW;
        push_.dilH = d.dilH, push_.dilW = d.dilW, push_.padT = d.padT, push_.padL = d.padL;
        push_.hasBias = d.hasBias, push_.act = d.act, push_.alpha = d.alpha, push_.beta = d.beta;
        const bool pointwise = d.kh == 1 && d.kw == 1 && d.strideH == 1 && d.strideW == 1 && d.padT == 0 &&
                               d.padL == 0 && d.OH == d.H && d.OW == d.W;
        const int64_t pixels = int64_t{d.H} * d.W;
        // conv3x3_packed reads each row as aligned vec4 and needs every tap
        // within the 16 values around its 8 pixels.
        const bool rowOfThree = d.kw == 3 && d.strideW == 1 && d.W % 4 == 0 && d.padL >= 0 && d.padL <= 4 &&
                                2 * static_cast<int32_t>(d.dilW) - d.padL <= 4;
        int64_t positions = 0;  // the pixel groups of one image (8 or 4 pixels each)
        specialization_ = convConstants(d.act);
        if (pointwise && pixels % 4 == 0) {
            shader_ = "conv1x1_packed";
            // One row per image: the pointwise shader walks all pixels.
            push_.H = push_.OH = 1;
            push_.W = push_.OW = u32(pixels);
            positions = (pixels + 7) / 8;
        } else if (rowOfThree) {
            shader_ = "conv3x3_packed";
            positions = int64_t{d.OH} * ((d.OW + 7) / 8);
            // Each tap's place in the loaded vec4 becomes a literal.
            specialization_ = convConstants(d.act, d.padL, d.dilW);
        } else {
            shader_ = "conv_packed";
            positions = int64_t{d.OH} * ((d.OW + 3) / 4);
        }
        push_.count = packedInvocations(batch, positions, d.K);
        // W is K x C x kh x kw: weight (k, e) at k * perChannel + e.
        const int64_t perChannel = int64_t{d.C} * d.kh * d.kw;
        const auto* source = weights.data<uint32_t>();  // float32 bits, copied as they are
        packed_ =
            packOutputChannelBlocks(d.K, perChannel, [&](int64_t k, int64_t e) { return source[k * perChannel + e]; });
    }

    // Depthwise: conv_depthwise_rows (8 pixels a row, the input as vec4)
    // where stride-1 rows of whole vec4 hold every tap, else conv_depthwise.
    void chooseDepthwiseShader(int64_t batch) {
        const ConvWindowPush& d = direct_;
        depthwisePush_ = d;
        const int32_t reach = static_cast<int32_t>((d.kw - 1) * d.dilW) - d.padL;
        const bool rows = d.strideW == 1 && d.W % 4 == 0 && d.padL >= 0 && d.padL <= 4 && reach <= 4;
        depthwiseRows_ = rows;
        depthwise_ = rows ? "conv_depthwise_rows" : "conv_depthwise";
        const int64_t pixelsPerInvocation = rows ? 8 : 4;
        depthwisePush_.count = u32(batch * d.K * d.OH * ((d.OW + pixelsPerInvocation - 1) / pixelsPerInvocation));
    }

    ConvWindowPush direct_;
    ConvWindowPush depthwisePush_;
    const char* depthwise_ = nullptr;  // the depthwise shader, if the node is one
    bool depthwiseRows_ = false;       // it is conv_depthwise_rows
    ConvPackedPush push_;
    const char* shader_ = "conv_packed";
    std::array<int32_t, 3> specialization_{};  // convConstants()
};

std::unique_ptr<VulkanKernel> make() { return std::make_unique<ConvKernel>(); }

}  // namespace

// The kernels this file gives the op table (ops/op_table.cpp).
namespace kernels {
const VulkanKernelFactory conv = &make;
}  // namespace kernels

}  // namespace interstage::vulkan
