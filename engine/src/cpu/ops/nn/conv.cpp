// Conv (1-D, 2-D, 3-D; groups, depthwise, dilations, pads, auto_pad, optional
// bias, fused activation): checks the node, then runs it on whichever of the
// paths in conv_paths.h suits its shape.
#include <algorithm>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>

#include "cpu/activation.h"
#include "cpu/half_rows.h"
#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/dnnl_context.h"
#include "cpu/ops/nn/nn_kernels.h"

namespace interstage::cpu::nn {

namespace {

class ConvKernel final : public ConvPathKernel {
public:
    Status prepare(PrepareContext& context) override {
        DataType dtype = DataType::Float;
        IS_RETURN_IF_ERROR(checkConvInputs(context, &dtype));
        ConvSpec spec;
        spec.x = context.inputShape(0);
        spec.w = context.inputShape(1);
        spec.y = context.output(0).shape;
        const Shape &x = spec.x, &w = spec.w, &y = spec.y;
        if (x.size() < 3 || x.size() > 5)
            return context.unsupportedHere("input rank " + std::to_string(x.size()) +
                                           " (1-D to 3-D convolutions only)");
        if (w.size() != x.size() || y.size() != x.size())
            return context.invalidHere("weight " + shapeToString(w) + " does not fit input " + shapeToString(x));
        const size_t spatial = spec.spatial();
        spec.group = context.node().attrInt("group", 1);
        if (spec.group < 1 || w[0] % spec.group != 0 || w[1] * spec.group != x[1])
            return context.invalidHere("weight " + shapeToString(w) + " with group " + std::to_string(spec.group) +
                                       " does not fit input " + shapeToString(x));
        spec.hasBias = context.hasInput(2);
        if (spec.hasBias && (context.inputShape(2).size() != 1 || context.inputShape(2)[0] != w[0]))
            return context.invalidHere("bias " + shapeToString(context.inputShape(2)) + " does not match " +
                                       std::to_string(w[0]) + " output channels");

        IS_RETURN_IF_ERROR(readWindow(context, spatial, std::vector<int64_t>(w.begin() + 2, w.end()), spec.window));
        const Shape inSpatial(x.begin() + 2, x.end()), outSpatial(y.begin() + 2, y.end());
        resolveForwardPads(spec.window, inSpatial, outSpatial);
        if (y[0] != x[0] || y[1] != w[0])
            return context.invalidHere("output " + shapeToString(y) + " does not fit input and weight");
        for (size_t k = 0; k < spatial; ++k) {
            int64_t span = inSpatial[k] + spec.window.padBegin[k] + spec.window.padEnd[k] - spec.window.extent(k);
            if (span < 0 || span / spec.window.strides[k] + 1 != outSpatial[k])
                return context.invalidHere("output " + shapeToString(y) + " does not match the window");
        }
        if (!elementCount(x).value_or(0) || !elementCount(y).value_or(0)) return Status::ok();  // nothing to compute

        spec.activation = fusedActivation(context.node());
        dnnl::post_ops probe;
        if (!appendActivation(probe, spec.activation))
            return context.unsupportedHere("fused activation has no oneDNN form");
        spec.constantWeights = context.inputConstant(1);
        spec.constantBias = spec.hasBias ? context.inputConstant(2) : nullptr;
        spec.inBlock = context.input(0).channelBlock;
        spec.outBlock = context.output(0).channelBlock;
        if (context.inputCount() > 3 && context.hasInput(3)) {
            if (dtype != DataType::Float) return context.unsupportedHere("a fused residual needs float32 tensors");
            IS_RETURN_IF_ERROR(readResidual(context, spec));
            path_ = makeNarrowPointwiseConv(spec);
            if (!path_)
                return context.unsupportedHere(
                    "a fused residual needs a float32 1x1 convolution (stride 1, no padding, one group) on NCHW "
                    "tensors with no activation, Relu or Clip");
            ownsWeights_ = !context.inputConstant(0) && spec.constantWeights && (!spec.hasBias || spec.constantBias);
            return Status::ok();
        }
        try {
            // Decided by the graph alone, so that every memory mode computes
            // the same bits (the planner may then write over the input).
            if (dtype != DataType::Float) {
                path_ = makeHalfBandConv(spec, dtype, convRunsInRowStripes(context.graph(), context.node()));
                if (!path_)
                    return context.unsupportedHere(std::string(dataTypeName(dtype)) +
                                                   " needs constant weights and bias on NCHW tensors");
            }
            if (!path_ && convRunsInRowStripes(context.graph(), context.node())) path_ = makeRowStripedConv(spec);
            // The pointwise and direct paths work on NCHW only.
            if (!path_ && !spec.inBlock && !spec.outBlock) {
                path_ = makePointwiseConv(spec);
                if (!path_) path_ = makeDirectConv(spec);
                if (!path_) path_ = makeNarrowRowsConv(spec);
            }
            if (!path_) path_ = makeOneDnnConv(spec);
        } catch (const std::exception& error) {
            return dnnlFailure(context, "cannot build the convolution", error);
        }
        // Owned only when nothing the run reads is left in the graph's constants.
        ownsWeights_ = !context.inputConstant(0) && spec.constantWeights && (!spec.hasBias || spec.constantBias);
        return Status::ok();
    }

    // Input 3, the residual passes/fuse_conv_residual.cpp fused: float32,
    // the output's shape but for fewer (zero-padded) channels.
    static Status readResidual(const PrepareContext& context, ConvSpec& spec) {
        const Shape& r = context.inputShape(3);
        if (context.inputType(3) != DataType::Float)
            return context.unsupportedHere("a fused residual needs float32 tensors");
        if (r.size() != spec.y.size() || r[0] != spec.y[0] || r[1] < 1 || r[1] > spec.y[1] ||
            !std::equal(r.begin() + 2, r.end(), spec.y.begin() + 2))
            return context.invalidHere("fused residual " + shapeToString(r) + " does not fit output " +
                                       shapeToString(spec.y));
        if (context.input(3).channelBlock) return context.unsupportedHere("a fused residual must be NCHW");
        spec.residualChannels = r[1];
        const std::string after = context.node().attrString("_fused_residual_activation", "");
        if (after == "Relu")
            spec.residualActivation.kind = Activation::Kind::Relu;
        else if (!after.empty())
            return context.unsupportedHere("residual activation " + after + " (only Relu)");
        return Status::ok();
    }
};

}  // namespace

Status checkConvInputs(const PrepareContext& context, DataType* halfType) {
    if (context.inputCount() < 2 || !context.hasInput(0) || !context.hasInput(1))
        return context.invalidHere("needs inputs X and W");
    const DataType x = context.inputType(0);
    if (halfType && isHalfType(x)) {
        for (size_t i = 1; i < std::min<size_t>(context.inputCount(), 3); ++i)
            if (context.hasInput(i) && context.inputType(i) != x)
                return context.invalidHere(std::string("input ") + std::to_string(i) + " is " +
                                           dataTypeName(context.inputType(i)) + ", input 0 " + dataTypeName(x));
        if (context.hasOutput(0) && context.output(0).dtype != x)
            return context.invalidHere(std::string("output is ") + dataTypeName(context.output(0).dtype) +
                                       ", input 0 " + dataTypeName(x));
        *halfType = x;
        return Status::ok();
    }
    for (size_t i = 0; i < std::min<size_t>(context.inputCount(), 3); ++i)
        if (context.hasInput(i) && context.inputType(i) != DataType::Float)
            return context.unsupportedHere(std::string("input ") + std::to_string(i) + " is " +
                                           dataTypeName(context.inputType(i)) + "; only float32" +
                                           (halfType ? ", float16 and bfloat16 are supported" : " is supported"));
    return Status::ok();
}

std::unique_ptr<Kernel> makeConvKernel() { return std::make_unique<ConvKernel>(); }

}  // namespace interstage::cpu::nn
