// The ways Conv and ConvTranspose run, chosen per node at prepare. Conv
// (conv.cpp) has three:
//
//   pointwise  1x1, stride 1, no padding, one group: a matrix product
//              W[O, I] x X[I, H*W] per image on oneDNN's matmul, which reads
//              and writes NCHW as it is (no reorders at all).
//   direct     depthwise convolutions and dense ones with very few output
//              channels, in plain C++ over NCHW rows (oneDNN's kernels want
//              channel-blocked data and waste 15 of 16 lanes on one output
//              channel; reordering in and out costs more than the work).
//   onednn     everything else: oneDNN's convolution on its preferred
//              (blocked) layout, reordering through the workspace.
//
// ConvTranspose (conv_transpose.cpp) has a scatter path for upsampling and
// oneDNN's deconvolution for the rest.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "cpu/activation.h"
#include "cpu/kernel.h"
#include "cpu/ops/nn/window.h"

namespace interstage::cpu::nn {

// Conv and ConvTranspose: X and W present, X, W and bias float32. With
// halfType, X, W, bias and Y may also all be float16 or all bfloat16; the
// type found is written there.
Status checkConvInputs(const PrepareContext& context, DataType* halfType = nullptr);

struct ConvSpec {
    Shape x, w, y;  // input, weight {O, I/group, k...}, output
    int64_t group = 1;
    Window window;  // auto_pad already resolved into pads
    bool hasBias = false;
    Activation activation;
    // Value::channelBlock of the input and output (0: NCHW). A blocked
    // side takes the oneDNN path, which then reads / writes it directly.
    int inBlock = 0, outBlock = 0;
    const TensorData* constantWeights = nullptr;  // when known at prepare
    const TensorData* constantBias = nullptr;
    // A residual fused by passes/fuse_conv_residual.cpp (input 3): added to
    // the first residualChannels output channels after the activation, then
    // residualActivation (none or Relu). 0: none; only the narrow pointwise
    // path takes one.
    int64_t residualChannels = 0;
    Activation residualActivation;

    size_t spatial() const { return x.size() - 2; }
};

class ConvPath {
public:
    virtual ~ConvPath() = default;
    virtual Status run(RunContext& context) = 0;
    std::size_t workspaceBytes = 0;
    std::size_t packedBytes = 0;   // weights and bias copied at prepare
    bool writesOverInput = false;  // safe with the output over the start of the input

protected:
    // Copies float weights and bias known at prepare, so the graph's copies
    // can go, and counts them in packedBytes; empty vectors when not known.
    void copyConstants(const ConvSpec& spec, std::vector<float>& weights, std::vector<float>& bias) {
        if (spec.constantWeights) {
            const float* w = spec.constantWeights->data<float>();
            weights.assign(w, w + spec.constantWeights->elementCount());
        }
        if (spec.constantBias) {
            const float* b = spec.constantBias->data<float>();
            bias.assign(b, b + spec.constantBias->elementCount());
        }
        packedBytes = (weights.size() + bias.size()) * sizeof(float);
    }
};

// A kernel that prepares one ConvPath and runs it (Conv, ConvTranspose).
class ConvPathKernel : public Kernel {
public:
    Status run(RunContext& context) override { return path_ ? path_->run(context) : Status::ok(); }
    std::size_t workspaceBytes() const override { return path_ ? path_->workspaceBytes : 0; }
    std::size_t packedWeightBytes() const override { return path_ ? path_->packedBytes : 0; }
    bool ownsWeights() const override { return ownsWeights_; }
    bool writesOverInput() const override { return path_ && path_->writesOverInput; }

protected:
    std::unique_ptr<ConvPath> path_;  // null for an empty output
    bool ownsWeights_ = false;
};

// Each returns nullptr when it does not apply to the spec; the oneDNN-based
// ones may throw dnnl::error, which the caller turns into a Status.
std::unique_ptr<ConvPath> makePointwiseConv(const ConvSpec& spec);
// Pointwise on few channels, NCHW, AVX-512 (conv_narrow_pointwise.cpp);
// makePointwiseConv tries it first. With a residual it is the only path
// (and runs on any CPU).
std::unique_ptr<ConvPath> makeNarrowPointwiseConv(const ConvSpec& spec);
// A dense 2-D conv of few input channels (channels x taps <= 256, stride 1
// or 2), NCHW, AVX-512: one output row at a time, its windows gathered
// into columns for the narrow kernel (conv_narrow_rows.cpp).
std::unique_ptr<ConvPath> makeNarrowRowsConv(const ConvSpec& spec);
std::unique_ptr<ConvPath> makeDirectConv(const ConvSpec& spec);
// Depthwise 5x5, stride 1 or 2, pads of 2, on NCHW (conv_depthwise5x5.cpp);
// makeDirectConv tries it first.
std::unique_ptr<ConvPath> makeDepthwise5x5(const ConvSpec& spec);
std::unique_ptr<ConvPath> makeOneDnnConv(const ConvSpec& spec);
// The workspace bound beyond which NCHW convolutions run in stripes.
std::size_t convStripeBytes();

// row stripes  a big 2-D convolution (input of at least convStripeBytes()
//              bytes, read by nothing else) between channel-blocked tensors
//              (float32; float16 / bfloat16 between NCHW ones: half bands),
//              stride 1, same-size output no bigger than the input: one
//              band of output rows at a time, each band's input rows copied
//              out first and its output written back one band later, so the
//              output may lie over the start of the input (plan/in_place.h
//              puts it there in reduce plans; its input dies at the conv).
//              The choice depends on the graph only, never on the memory
//              mode, so every mode computes the same bits.
bool convRunsInRowStripes(const Graph& graph, const Node& node);
std::unique_ptr<ConvPath> makeRowStripedConv(const ConvSpec& spec);

// half bands  Conv on float16 / bfloat16 (constant weights, NCHW): each band
//             of output rows widened to float, computed by the float32 path
//             for that band's shape, narrowed back (conv_half.cpp). With
//             overInput (convRunsInRowStripes) the output may lie over the
//             start of the input, as with row stripes.
std::unique_ptr<ConvPath> makeHalfBandConv(const ConvSpec& spec, DataType dtype, bool overInput);

// ConvTranspose: w is {C_in, O/group, k...}; padBegin crops the start of the
// full transposed output, padEnd its end (negative: the output grows, from
// output_padding / output_shape).
struct ConvTransposeSpec {
    Shape x, w, y;
    int64_t group = 1;
    Window window;  // kernel, strides, dilations (its pads are not used)
    std::vector<int64_t> padBegin, padEnd;
    bool hasBias = false;
    Activation activation;
    const TensorData* constantWeights = nullptr;
    const TensorData* constantBias = nullptr;

    size_t spatial() const { return x.size() - 2; }
};

// Checks a ConvTranspose node (float32, 1-D to 3-D, channels, groups,
// bias) and fills x, w, y, group, window, padBegin / padEnd and hasBias,
// resolving auto_pad, output_padding and output_shape. Shared with the
// Vulkan kernel, so both backends pad the same way.
Status readConvTransposeSpec(const PrepareContext& context, ConvTransposeSpec& spec);

// Upsampling ConvTranspose (stride == kernel, no dilation, one group): a
// matmul to columns, then each column value lands on exactly one output.
std::unique_ptr<ConvPath> makeScatterConvTranspose(const ConvTransposeSpec& spec);
std::unique_ptr<ConvPath> makeOneDnnConvTranspose(const ConvTransposeSpec& spec);

}  // namespace interstage::cpu::nn
