// ConvInteger (int32 out) and QLinearConv (requantized int8 / uint8 out,
// int32 bias, per-channel weight scales and zero points), 1-D to 3-D.
//
// Each tile of output pixels is unfolded (im2col) into rows of uint8 /
// int8 patches, padding filled with the input's zero point so that it
// counts as 0 after the zero point comes off, and multiplied by the
// group's weights on Int8Gemm (oneDNN's int8 matmul). Zero points come
// off afterwards from the patch sums and the weights' column sums
// (quant_epilogue.h). Tiles bound the workspace to a few MB whatever the
// image size.
//
// Ungrouped 2-D convs with constant weights run on oneDNN's int8
// convolution instead (int8_conv_onednn.h): no patches at all, so several
// times faster; the int32 result per pixel and channel then takes the
// same epilogue.
#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "cpu/ops/nn/dnnl_context.h"
#include "cpu/ops/nn/window.h"
#include "cpu/ops/quant/int8_conv_onednn.h"
#include "cpu/ops/quant/int8_gemm.h"
#include "cpu/ops/quant/quant_epilogue.h"
#include "cpu/ops/quant/quant_kernels.h"
#include "cpu/ops/quant/quant_params.h"
#include "cpu/parallel.h"

namespace interstage::cpu::quant {

namespace {

using nn::workspaceAt;
using nn::WorkspacePlan;

// A tile's patches and products take about this many bytes: large tiles
// mean few parallel regions per conv (each unfold, GEMM and epilogue is
// one), small ones a small workspace.
constexpr int64_t kTileBytes = int64_t{2} << 20;
constexpr int64_t kMinTilePixels = 256;

// What becomes of a conv's exact int32 sum: stored (ConvInteger),
// requantized with the int32 bias (QLinearConv), or, for a ConvInteger
// whose Cast -> Mul(scale) [-> Add(bias)] the passes fused in
// (passes/fuse_dequantize_conv.cpp), scaled to float in the same float
// operations those nodes do, so the result is bit for bit theirs.
struct OutputStage {
    const TensorView* y = nullptr;
    bool qlinear = false, dequantize = false;
    const float* scales = nullptr;  // QLinearConv: x_scale * w_scale / y_scale per channel
    int32_t yZero = 0;
    const int32_t* bias = nullptr;
    float scale = 1.0f;                // dequantize: the Mul's scalar
    const float* floatBias = nullptr;  // dequantize: the Add's per-channel bias

    void store(int64_t at, int32_t v, int64_t channel) const {
        if (dequantize) {
            float f = static_cast<float>(v) * scale;
            if (floatBias) f = f + floatBias[channel];
            y->as<float>()[at] = f;
        } else if (!qlinear) {
            y->as<int32_t>()[at] = v;
        } else {
            const int32_t b = bias ? bias[channel] : 0;
            if (y->dtype == DataType::Int8)
                y->as<int8_t>()[at] = requantize<int8_t>(v + b, scales[channel], yZero);
            else
                y->as<uint8_t>()[at] = requantize<uint8_t>(v + b, scales[channel], yZero);
        }
    }
};

// The window on three spatial axes (1-D and 2-D convs get leading 1s).
struct Geometry {
    std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1}, dilation{1, 1, 1},
        padBegin{0, 0, 0};
    int64_t channels = 0;  // per group
    int64_t inPixels() const { return in[0] * in[1] * in[2]; }
    int64_t outPixels() const { return out[0] * out[1] * out[2]; }
    int64_t kernelSize() const { return kernel[0] * kernel[1] * kernel[2]; }
};

class IntegerConvKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        qlinear_ = context.node().opType == "QLinearConv";
        dequantize_ = !qlinear_ && context.node().attrInt("_dequantize", 0) != 0;
        if (dequantize_ &&
            (context.inputCount() < 5 || !context.hasInput(4) || context.inputType(4) != DataType::Float ||
             context.output(0).dtype != DataType::Float ||
             (context.hasInput(5) && (context.inputType(5) != DataType::Float || context.input(5).shape.empty() ||
                                      context.inputShape(5).size() > 4))))
            return context.invalidHere("a fused dequantizing ConvInteger needs a float scale, bias and output");
        w_ = qlinear_ ? 3 : 1;
        xZero_ = 2;
        wZero_ = qlinear_ ? 5 : 3;
        if (context.inputCount() < (qlinear_ ? 8u : 2u) || !context.hasInput(0) || !context.hasInput(w_))
            return context.invalidHere("is missing inputs");
        const Shape& x = context.inputShape(0);
        const Shape& w = context.inputShape(w_);
        const Shape& y = context.output(0).shape;
        const size_t spatial = x.size() - 2;
        if (x.size() < 3 || spatial > 3 || w.size() != x.size() || y.size() != x.size())
            return context.unsupportedHere("only 1-D, 2-D and 3-D convolutions are supported");
        nn::Window window;
        IS_RETURN_IF_ERROR(nn::readWindow(context, spatial, Shape(w.begin() + 2, w.end()), window));
        nn::resolveForwardPads(window, Shape(x.begin() + 2, x.end()), Shape(y.begin() + 2, y.end()));
        const size_t lead = 3 - spatial;
        for (size_t k = 0; k < spatial; ++k) {
            geometry_.in[lead + k] = x[2 + k];
            geometry_.out[lead + k] = y[2 + k];
            geometry_.kernel[lead + k] = window.kernel[k];
            geometry_.stride[lead + k] = window.strides[k];
            geometry_.dilation[lead + k] = window.dilations[k];
            geometry_.padBegin[lead + k] = window.padBegin[k];
        }
        batch_ = x[0];
        groups_ = context.node().attrInt("group", 1);
        outChannels_ = w[0];
        if (groups_ < 1 || x[1] % groups_ != 0 || outChannels_ % groups_ != 0)
            return context.invalidHere("channels do not divide into groups");
        geometry_.channels = x[1] / groups_;
        groupChannels_ = outChannels_ / groups_;
        patch_ = geometry_.channels * geometry_.kernelSize();
        tile_ = std::min(geometry_.outPixels(),
                         std::max(kMinTilePixels, kTileBytes / std::max<int64_t>(1, patch_ + 4 * groupChannels_)));
        xSigned_ = context.inputType(0) == DataType::Int8;
        wSigned_ = context.inputType(w_) == DataType::Int8;

        const TensorData* weights = context.inputConstant(w_);
        packed_ = weights != nullptr;
        WorkspacePlan plan;
        columnZeros_ = plan.reserve(static_cast<size_t>(outChannels_) * sizeof(int32_t));
        scales_ = plan.reserve(static_cast<size_t>(outChannels_) * sizeof(float));
        onednnConv_ = packed_ && groups_ == 1 && spatial == 2 &&
                      direct_.prepare(x, y, window, xSigned_, weights->bytes.data(), wSigned_);
        if (onednnConv_) {
            packedBytes_ = direct_.packedBytes();
            directAt_ = plan.reserve(direct_.workspaceBytes());
            workspaceBytes_ = plan.total();
            return Status::ok();
        }

        // Small per-group products (depthwise) stay off oneDNN.
        const bool reference = groups_ > 1 && groupChannels_ < 16;
        gemms_.resize(static_cast<size_t>(groups_));
        packedBytes_ = 0;
        for (int64_t g = 0; g < groups_; ++g) {
            gemms_[g].prepare(tile_, groupChannels_, patch_, xSigned_, packed_, reference);
            // W^T of group g: element (k, m) is w[g * Mg + m][k].
            if (packed_)
                packedBytes_ +=
                    gemms_[g].packWeights(weights->bytes.data() + g * groupChannels_ * patch_, wSigned_, 1, patch_);
        }
        if (packed_) {
            columnSums_.assign(static_cast<size_t>(outChannels_), 0);
            sumWeights(weights->bytes.data(), columnSums_.data());
        }

        patches_ = plan.reserve(static_cast<size_t>(tile_ * patch_));
        rowSums_ = plan.reserve(static_cast<size_t>(tile_) * sizeof(int32_t));
        product_ = plan.reserve(static_cast<size_t>(tile_ * groupChannels_) * sizeof(int32_t));
        if (!packed_) {
            shiftedWeights_ = plan.reserve(static_cast<size_t>(patch_ * groupChannels_));
            columnSumsAt_ = plan.reserve(static_cast<size_t>(outChannels_) * sizeof(int32_t));
        }
        std::size_t scratch = 0;
        for (const Int8Gemm& gemm : gemms_) scratch = std::max(scratch, gemm.workspaceBytes());
        scratch_ = plan.reserve(scratch);
        workspaceBytes_ = plan.total();
        return Status::ok();
    }

    std::size_t workspaceBytes() const override { return workspaceBytes_; }
    std::size_t packedWeightBytes() const override { return packedBytes_; }

    Status run(RunContext& context) override {
        void* ws = context.workspace;
        const TensorView none;
        const TensorView& xZeroView = context.hasInput(xZero_) ? context.inputs[xZero_] : none;
        const TensorView& wZero = context.hasInput(wZero_) ? context.inputs[wZero_] : none;
        const int32_t xZero = intAt(xZeroView, 0);
        auto* columnZeros = static_cast<int32_t*>(workspaceAt(ws, columnZeros_));
        const bool perChannelZero = wZero.data && wZero.count() > 1;
        for (int64_t m = 0; m < outChannels_; ++m)
            columnZeros[m] = intAt(wZero, perChannelZero ? m : 0) - (wSigned_ ? 0 : 128);
        auto* scales = static_cast<float*>(workspaceAt(ws, scales_));
        int32_t yZero = 0;
        if (qlinear_) {
            // x_scale * w_scale / y_scale in float, as ONNX's reference.
            const TensorView& wScale = context.inputs[4];
            const float xScale = floatAt(context.inputs[1], 0), yScale = floatAt(context.inputs[6], 0);
            for (int64_t m = 0; m < outChannels_; ++m)
                scales[m] = xScale * floatAt(wScale, wScale.count() > 1 ? m : 0) / yScale;
            yZero = intAt(context.inputs[7], 0);
        }
        const int32_t* bias = qlinear_ && context.hasInput(8) ? context.inputs[8].as<const int32_t>() : nullptr;
        OutputStage stage;
        stage.y = &context.outputs[0];
        stage.qlinear = qlinear_;
        stage.scales = scales;
        stage.yZero = yZero;
        stage.bias = bias;
        if (dequantize_) {
            stage.dequantize = true;
            stage.scale = floatAt(context.inputs[4], 0);
            stage.floatBias = context.hasInput(5) ? context.inputs[5].as<const float>() : nullptr;
        }
        if (onednnConv_) return runOnednn(context, xZero, columnZeros, stage);

        const int32_t* columnSums = columnSums_.data();
        if (!packed_) {
            auto* sums = static_cast<int32_t*>(workspaceAt(ws, columnSumsAt_));
            sumWeights(context.inputs[w_].data, sums);
            columnSums = sums;
        }
        auto* patches = static_cast<uint8_t*>(workspaceAt(ws, patches_));
        auto* rowSums = static_cast<int32_t*>(workspaceAt(ws, rowSums_));
        auto* product = static_cast<int32_t*>(workspaceAt(ws, product_));
        const auto* x = context.inputs[0].as<const uint8_t>();
        const int64_t pixels = geometry_.outPixels();
        for (int64_t n = 0; n < batch_; ++n)
            for (int64_t g = 0; g < groups_; ++g) {
                const int8_t* weights = nullptr;
                if (!packed_) {
                    auto* shifted = static_cast<int8_t*>(workspaceAt(ws, shiftedWeights_));
                    transposeWeights(context.inputs[w_].data, g, shifted);
                    weights = shifted;
                }
                const uint8_t* image = x + (n * groups_ + g) * geometry_.channels * geometry_.inPixels();
                for (int64_t first = 0; first < pixels; first += tile_) {
                    const int64_t count = std::min(tile_, pixels - first);
                    unfold(image, first, count, static_cast<uint8_t>(xZero), patches, rowSums);
                    IS_RETURN_IF_ERROR(gemms_[g].run(patches, weights, product, workspaceAt(ws, scratch_)));
                    const int64_t channel0 = g * groupChannels_;
                    const int64_t outBase = (n * outChannels_ + channel0) * pixels + first;
                    const int64_t mg = groupChannels_, k = patch_;
#pragma omp parallel for schedule(static) if (count * mg > kParallelWork)
                    for (int64_t m = 0; m < mg; ++m) {
                        const int64_t channel = channel0 + m;
                        const int32_t wz = columnZeros[channel], sum = columnSums[channel];
                        for (int64_t p = 0; p < count; ++p) {
                            int32_t v = removeZeroPoints(product[p * mg + m], xZero, wz, rowSums[p], sum, k);
                            stage.store(outBase + m * pixels + p, v, channel);
                        }
                    }
                }
            }
        return Status::ok();
    }

private:
    // The oneDNN conv's [N, P, M] result, less w_zero_point times the
    // window sums, through the output stage, to NCHW.
    Status runOnednn(RunContext& context, int32_t xZero, const int32_t* columnZeros, const OutputStage& stage) {
        void* base = workspaceAt(context.workspace, directAt_);
        const void* x = context.inputs[0].data;
        IS_RETURN_IF_ERROR(direct_.run(x, xZero, base));
        const int32_t* product = direct_.product(base);
        bool weightZeros = false;
        for (int64_t m = 0; m < outChannels_; ++m) weightZeros |= columnZeros[m] != 0;
        const int32_t* sums = weightZeros ? direct_.windowSums(x, xZero, base) : nullptr;
        const int64_t pixels = geometry_.outPixels(), channels = outChannels_;
        // Blocks of pixels, so that the block's [pixel, channel] results
        // stay in cache while they are written out channel by channel.
        constexpr int64_t kBlock = 64;
        const int64_t blocks = (pixels + kBlock - 1) / kBlock, tasks = batch_ * blocks;
#pragma omp parallel for schedule(static) if (tasks * kBlock * channels > kParallelWork)
        for (int64_t task = 0; task < tasks; ++task) {
            const int64_t n = task / blocks, first = (task % blocks) * kBlock;
            const int64_t last = std::min(pixels, first + kBlock);
            const int32_t* windowSums = sums ? sums + n * pixels : nullptr;
            for (int64_t m = 0; m < channels; ++m) {
                const int32_t* in = product + n * pixels * channels + m;
                const int64_t wz = columnZeros[m];
                const int64_t rowBase = (n * channels + m) * pixels;
                for (int64_t p = first; p < last; ++p) {
                    int64_t v = in[p * channels];
                    if (windowSums) v -= wz * windowSums[p];
                    stage.store(rowBase + p, static_cast<int32_t>(static_cast<uint32_t>(v)), m);
                }
            }
        }
        return Status::ok();
    }

    int32_t weightAt(const void* w, int64_t i) const {
        return wSigned_ ? static_cast<const int8_t*>(w)[i] : static_cast<const uint8_t*>(w)[i] - 128;
    }

    // Sum over each output channel's patch of the int8 (shifted) weights.
    void sumWeights(const void* w, int32_t* sums) const {
        for (int64_t m = 0; m < outChannels_; ++m) {
            int32_t sum = 0;
            for (int64_t k = 0; k < patch_; ++k) sum += weightAt(w, m * patch_ + k);
            sums[m] = sum;
        }
    }

    // W^T of group g as row-major int8 [patch, Mg], for run-time weights.
    void transposeWeights(const void* w, int64_t g, int8_t* out) const {
        for (int64_t m = 0; m < groupChannels_; ++m)
            for (int64_t k = 0; k < patch_; ++k)
                out[k * groupChannels_ + m] = static_cast<int8_t>(weightAt(w, (g * groupChannels_ + m) * patch_ + k));
    }

    // Patches of output pixels [first, first + count): row p holds, per
    // input channel and kernel offset, the input byte under it or the zero
    // point where the window hangs over the edge; rowSums[p] is the row's
    // sum as integers of the input's signedness.
    void unfold(const uint8_t* image, int64_t first, int64_t count, uint8_t pad, uint8_t* patches,
                int32_t* rowSums) const {
        const Geometry& gm = geometry_;
        const int64_t patch = patch_;
        const bool xSigned = xSigned_;
#pragma omp parallel for schedule(static) if (count * patch > kParallelWork)
        for (int64_t p = 0; p < count; ++p) {
            int64_t pixel = first + p;
            const int64_t ow = pixel % gm.out[2], oh = (pixel / gm.out[2]) % gm.out[1],
                          od = pixel / (gm.out[2] * gm.out[1]);
            const int64_t d0 = od * gm.stride[0] - gm.padBegin[0], h0 = oh * gm.stride[1] - gm.padBegin[1],
                          w0 = ow * gm.stride[2] - gm.padBegin[2];
            uint8_t* row = patches + p * patch;
            int64_t at = 0;
            // Most windows lie inside the image: copy them without a bounds
            // check per byte.
            const bool inside = d0 >= 0 && d0 + (gm.kernel[0] - 1) * gm.dilation[0] < gm.in[0] && h0 >= 0 &&
                                h0 + (gm.kernel[1] - 1) * gm.dilation[1] < gm.in[1] && w0 >= 0 &&
                                w0 + (gm.kernel[2] - 1) * gm.dilation[2] < gm.in[2];
            for (int64_t c = 0; c < gm.channels; ++c) {
                const uint8_t* plane = image + c * gm.inPixels();
                for (int64_t kd = 0; kd < gm.kernel[0]; ++kd) {
                    const int64_t id = d0 + kd * gm.dilation[0];
                    for (int64_t kh = 0; kh < gm.kernel[1]; ++kh) {
                        const int64_t ih = h0 + kh * gm.dilation[1];
                        if (inside) {
                            const uint8_t* src = plane + (id * gm.in[1] + ih) * gm.in[2] + w0;
                            for (int64_t kw = 0; kw < gm.kernel[2]; ++kw) row[at++] = src[kw * gm.dilation[2]];
                            continue;
                        }
                        const bool rowInside = id >= 0 && id < gm.in[0] && ih >= 0 && ih < gm.in[1];
                        for (int64_t kw = 0; kw < gm.kernel[2]; ++kw) {
                            const int64_t iw = w0 + kw * gm.dilation[2];
                            row[at++] = rowInside && iw >= 0 && iw < gm.in[2]
                                            ? plane[(id * gm.in[1] + ih) * gm.in[2] + iw]
                                            : pad;
                        }
                    }
                }
            }
            int32_t sum = 0;
            if (xSigned)
                for (int64_t k = 0; k < patch; ++k) sum += static_cast<int8_t>(row[k]);
            else
                for (int64_t k = 0; k < patch; ++k) sum += row[k];
            rowSums[p] = sum;
        }
        // A short last tile: the GEMM still reads tile_ rows.
        if (count < tile_) std::memset(patches + count * patch, pad, static_cast<size_t>((tile_ - count) * patch));
    }

    bool qlinear_ = false;
    size_t w_ = 1, xZero_ = 2, wZero_ = 3;
    Geometry geometry_;
    int64_t batch_ = 1, groups_ = 1, outChannels_ = 0, groupChannels_ = 0, patch_ = 0, tile_ = 0;
    bool xSigned_ = false, wSigned_ = false, packed_ = false;
    std::vector<Int8Gemm> gemms_;
    bool onednnConv_ = false;
    bool dequantize_ = false;
    Int8ConvOnednn direct_;
    std::size_t directAt_ = 0;
    std::vector<int32_t> columnSums_;
    std::size_t patches_ = 0, rowSums_ = 0, product_ = 0, columnZeros_ = 0, scales_ = 0, shiftedWeights_ = 0,
                columnSumsAt_ = 0, scratch_ = 0;
    std::size_t workspaceBytes_ = 0, packedBytes_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeIntegerConvKernel() { return std::make_unique<IntegerConvKernel>(); }

}  // namespace interstage::cpu::quant
