// ConvTranspose (1-D, 2-D, 3-D; groups, dilations, pads, output_padding,
// output_shape, auto_pad, optional bias, fused activation): checks the node
// and resolves its padding, then runs it on the scatter path for
// upsampling (conv_transpose_scatter.cpp) or on oneDNN's deconvolution,
// with the same layout handling as Conv.
#include <oneapi/dnnl/dnnl.hpp>

#include "cpu/activation.h"
#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/dnnl_context.h"
#include "cpu/ops/nn/nn_kernels.h"
#include "cpu/ops/nn/window.h"

namespace interstage::cpu::nn {

namespace {

using dnnl::memory;

class OneDnnConvTranspose final : public ConvPath {
public:
    explicit OneDnnConvTranspose(const ConvTransposeSpec& spec) {
        const Shape &x = spec.x, &w = spec.w, &y = spec.y;
        const size_t spatial = spec.spatial();
        const int64_t inPerGroup = x[1] / spec.group, outPerGroup = w[1], outChannels = w[1] * spec.group;
        // ONNX weights are {C_in, C_out/G, k...}, i.e. {G, I/G, O/G, k...} in
        // memory; oneDNN names them {G, O/G, I/G, k...}: same bytes, strides
        // of the swapped axes.
        const int64_t kernelVolume = elementCount(spec.window.kernel).value_or(0);
        DnnlDims weightDims{outPerGroup, inPerGroup}, weightStrides{kernelVolume, outPerGroup * kernelVolume};
        if (spec.group > 1) {
            weightDims.insert(weightDims.begin(), spec.group);
            weightStrides.insert(weightStrides.begin(), inPerGroup * outPerGroup * kernelVolume);
        }
        // Kernel axes are row-major inside each (o, i) block.
        for (size_t k = 0; k < spatial; ++k) {
            weightDims.push_back(spec.window.kernel[k]);
            int64_t inner = 1;
            for (size_t j = k + 1; j < spatial; ++j) inner *= spec.window.kernel[j];
            weightStrides.push_back(inner);
        }
        DnnlDims dilations = spec.window.dilations;
        for (auto& d : dilations) d -= 1;
        dnnl::post_ops ops;
        appendActivation(ops, spec.activation);
        const memory::desc userWeights = stridedDesc(weightDims, weightStrides);
        const memory::desc biasDesc = spec.hasBias ? plainDesc({outChannels}) : memory::desc();
        dnnl::deconvolution_forward::desc desc(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct, anyDesc(x), anyDesc(weightDims),
            biasDesc, anyDesc(y), spec.window.strides, dilations, spec.padBegin, spec.padEnd);
        dnnl::deconvolution_forward::primitive_desc pd(desc, makeAttributes(ops), dnnlEngine());
        WorkspacePlan plan;
        step_.setPrimitive(pd, dnnl::deconvolution_forward(pd));
        step_.addInput(DNNL_ARG_SRC, 0, plainDesc(x), pd.src_desc(), plan);
        if (spec.constantWeights)
            packedBytes += step_.addConstant(DNNL_ARG_WEIGHTS, spec.constantWeights->data<float>(), userWeights,
                                             pd.weights_desc());
        else
            step_.addInput(DNNL_ARG_WEIGHTS, 1, userWeights, pd.weights_desc(), plan);
        if (spec.hasBias) {
            if (spec.constantBias)
                packedBytes +=
                    step_.addConstant(DNNL_ARG_BIAS, spec.constantBias->data<float>(), biasDesc, pd.bias_desc());
            else
                step_.addInput(DNNL_ARG_BIAS, 2, biasDesc, pd.bias_desc(), plan);
        }
        step_.addOutput(DNNL_ARG_DST, 0, plainDesc(y), pd.dst_desc(), plan);
        step_.finish(plan);
        workspaceBytes = plan.total();
    }

    Status run(RunContext& context) override { return step_.run(context); }

private:
    DnnlStep step_;
};

class ConvTransposeKernel final : public ConvPathKernel {
public:
    Status prepare(PrepareContext& context) override {
        ConvTransposeSpec spec;
        IS_RETURN_IF_ERROR(readConvTransposeSpec(context, spec));
        const Shape &x = spec.x, &y = spec.y;
        if (!elementCount(x).value_or(0) || !elementCount(y).value_or(0)) return Status::ok();

        spec.activation = fusedActivation(context.node());
        dnnl::post_ops probe;
        if (!appendActivation(probe, spec.activation))
            return context.unsupportedHere("fused activation has no oneDNN form");
        spec.constantWeights = context.inputConstant(1);
        spec.constantBias = spec.hasBias ? context.inputConstant(2) : nullptr;
        try {
            path_ = makeScatterConvTranspose(spec);
            if (!path_) path_ = makeOneDnnConvTranspose(spec);
        } catch (const std::exception& error) {
            return dnnlFailure(context, "cannot build the transposed convolution", error);
        }
        // Owned only when nothing the run reads is left in the graph's constants.
        ownsWeights_ = !context.inputConstant(0) && spec.constantWeights && (!spec.hasBias || spec.constantBias);
        return Status::ok();
    }
};

}  // namespace

Status readConvTransposeSpec(const PrepareContext& context, ConvTransposeSpec& spec) {
    IS_RETURN_IF_ERROR(checkConvInputs(context));
    spec = ConvTransposeSpec{};
    spec.x = context.inputShape(0);
    spec.w = context.inputShape(1);
    spec.y = context.output(0).shape;
    const Shape &x = spec.x, &w = spec.w, &y = spec.y;
    if (x.size() < 3 || x.size() > 5)
        return context.unsupportedHere("input rank " + std::to_string(x.size()) + " (1-D to 3-D only)");
    if (w.size() != x.size() || y.size() != x.size() || w[0] != x[1])
        return context.invalidHere("weight " + shapeToString(w) + " does not fit input " + shapeToString(x));
    const size_t spatial = spec.spatial();
    spec.group = context.node().attrInt("group", 1);
    if (spec.group < 1 || x[1] % spec.group != 0)
        return context.invalidHere("input channels " + std::to_string(x[1]) + " are not divisible by group " +
                                   std::to_string(spec.group));
    const int64_t outChannels = w[1] * spec.group;
    if (y[0] != x[0] || y[1] != outChannels)
        return context.invalidHere("output " + shapeToString(y) + " does not fit input and weight");
    spec.hasBias = context.hasInput(2);
    if (spec.hasBias && (context.inputShape(2).size() != 1 || context.inputShape(2)[0] != outChannels))
        return context.invalidHere("bias " + shapeToString(context.inputShape(2)) + " does not match " +
                                   std::to_string(outChannels) + " output channels");

    Window& window = spec.window;
    IS_RETURN_IF_ERROR(readWindow(context, spatial, std::vector<int64_t>(w.begin() + 2, w.end()), window));
    std::vector<int64_t> outputPadding = context.node().attrInts("output_padding");
    if (outputPadding.empty()) outputPadding.assign(spatial, 0);
    if (outputPadding.size() != spatial)
        return context.invalidHere("attribute 'output_padding' has " + std::to_string(outputPadding.size()) +
                                   " values, " + std::to_string(spatial) + " expected");
    // The full output of the transposed window is stride * (in - 1) +
    // extent; pads crop it, output_padding / output_shape grow it at the
    // end (a negative end padding).
    const bool padsFromOutput = context.node().hasAttr("output_shape") || window.samePadding();
    spec.padBegin.resize(spatial);
    spec.padEnd.resize(spatial);
    for (size_t k = 0; k < spatial; ++k) {
        const int64_t full = window.strides[k] * (x[k + 2] - 1) + window.extent(k);
        if (padsFromOutput) {
            int64_t begin, end;
            splitPadding(full + outputPadding[k] - y[k + 2], window.autoPad == "SAME_UPPER", begin, end);
            spec.padBegin[k] = begin;
        } else {
            spec.padBegin[k] = window.padBegin[k];
        }
        spec.padEnd[k] = full - spec.padBegin[k] - y[k + 2];
        if (!padsFromOutput && window.padEnd[k] - outputPadding[k] != spec.padEnd[k])
            return context.invalidHere("output " + shapeToString(y) + " does not match the window");
    }
    return Status::ok();
}

std::unique_ptr<ConvPath> makeOneDnnConvTranspose(const ConvTransposeSpec& spec) {
    return std::make_unique<OneDnnConvTranspose>(spec);
}

std::unique_ptr<Kernel> makeConvTransposeKernel() { return std::make_unique<ConvTransposeKernel>(); }

}  // namespace interstage::cpu::nn
