// ConvTranspose (1-D, 2-D, 3-D; groups, dilations, pads, output_padding,
// output_shape, auto_pad, optional bias, fused activation) on oneDNN's
// deconvolution primitive, with the same layout handling as Conv.
#include <oneapi/dnnl/dnnl.hpp>

#include "cpu/activation.h"
#include "cpu/ops/nn/dnnl_context.h"
#include "cpu/ops/nn/nn_kernels.h"
#include "cpu/ops/nn/window.h"

namespace interstage::cpu::nn {

namespace {

using dnnl::memory;

class ConvTransposeKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() < 2 || !context.hasInput(0) || !context.hasInput(1))
            return context.invalidHere("needs inputs X and W");
        for (size_t i = 0; i < std::min<size_t>(context.inputCount(), 3); ++i)
            if (context.hasInput(i) && context.inputType(i) != DataType::Float)
                return context.unsupportedHere(std::string("input ") + std::to_string(i) + " is " +
                                               dataTypeName(context.inputType(i)) + "; only float32 is supported");
        const Shape& x = context.inputShape(0);
        const Shape& w = context.inputShape(1);
        const Shape& y = context.output(0).shape;
        if (x.size() < 3 || x.size() > 5)
            return context.unsupportedHere("input rank " + std::to_string(x.size()) + " (1-D to 3-D only)");
        if (w.size() != x.size() || y.size() != x.size() || w[0] != x[1])
            return context.invalidHere("weight " + shapeToString(w) + " does not fit input " + shapeToString(x));
        const size_t spatial = x.size() - 2;
        const int64_t group = context.node().attrInt("group", 1);
        if (group < 1 || x[1] % group != 0)
            return context.invalidHere("input channels " + std::to_string(x[1]) + " are not divisible by group " +
                                       std::to_string(group));
        const int64_t inPerGroup = x[1] / group, outPerGroup = w[1], outChannels = w[1] * group;
        if (y[0] != x[0] || y[1] != outChannels)
            return context.invalidHere("output " + shapeToString(y) + " does not fit input and weight");
        const bool hasBias = context.hasInput(2);
        if (hasBias && (context.inputShape(2).size() != 1 || context.inputShape(2)[0] != outChannels))
            return context.invalidHere("bias " + shapeToString(context.inputShape(2)) + " does not match " +
                                       std::to_string(outChannels) + " output channels");

        Window window;
        IS_RETURN_IF_ERROR(readWindow(context, spatial, std::vector<int64_t>(w.begin() + 2, w.end()), window));
        std::vector<int64_t> outputPadding = context.node().attrInts("output_padding");
        if (outputPadding.empty()) outputPadding.assign(spatial, 0);
        if (outputPadding.size() != spatial)
            return context.invalidHere("attribute 'output_padding' has " + std::to_string(outputPadding.size()) +
                                       " values, " + std::to_string(spatial) + " expected");
        // The full output of the transposed window is stride * (in - 1) +
        // extent; pads crop it, output_padding / output_shape grow it at the
        // end. oneDNN takes begin padding and an end padding that may go
        // negative to grow the output.
        const bool padsFromOutput = context.node().hasAttr("output_shape") || window.samePadding();
        DnnlDims padBegin(spatial), padEnd(spatial);
        for (size_t k = 0; k < spatial; ++k) {
            const int64_t full = window.strides[k] * (x[k + 2] - 1) + window.extent(k);
            if (padsFromOutput) {
                int64_t begin, end;
                splitPadding(full + outputPadding[k] - y[k + 2], window.autoPad == "SAME_UPPER", begin, end);
                padBegin[k] = begin;
            } else {
                padBegin[k] = window.padBegin[k];
            }
            padEnd[k] = full - padBegin[k] - y[k + 2];
            if (!padsFromOutput && window.padEnd[k] - outputPadding[k] != padEnd[k])
                return context.invalidHere("output " + shapeToString(y) + " does not match the window");
        }
        if (!elementCount(x).value_or(0) || !elementCount(y).value_or(0)) {
            empty_ = true;
            return Status::ok();
        }

        Activation activation = fusedActivation(context.node());
        dnnl::primitive_attr attributes;
        if (!makeAttributes(activation, attributes))
            return context.unsupportedHere("fused activation has no oneDNN form");

        // ONNX weights are {C_in, C_out/G, k...}, i.e. {G, I/G, O/G, k...} in
        // memory; oneDNN names them {G, O/G, I/G, k...}: same bytes, strides
        // of the swapped axes.
        const int64_t kernelVolume = elementCount(window.kernel).value_or(0);
        DnnlDims weightDims{outPerGroup, inPerGroup}, weightStrides{kernelVolume, outPerGroup * kernelVolume};
        if (group > 1) {
            weightDims.insert(weightDims.begin(), group);
            weightStrides.insert(weightStrides.begin(), inPerGroup * outPerGroup * kernelVolume);
        }
        // Kernel axes are row-major inside each (o, i) block.
        for (size_t k = 0; k < spatial; ++k) {
            weightDims.push_back(window.kernel[k]);
            int64_t inner = 1;
            for (size_t j = k + 1; j < spatial; ++j) inner *= window.kernel[j];
            weightStrides.push_back(inner);
        }
        DnnlDims dilations = window.dilations;
        for (auto& d : dilations) d -= 1;
        try {
            const memory::desc userWeights = stridedDesc(weightDims, weightStrides);
            const memory::desc biasDesc = hasBias ? plainDesc({outChannels}) : memory::desc();
            dnnl::deconvolution_forward::desc desc(
                dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct, anyDesc(x),
                anyDesc(weightDims), biasDesc, anyDesc(y), window.strides, dilations, padBegin, padEnd);
            dnnl::deconvolution_forward::primitive_desc pd(desc, attributes, dnnlEngine());
            WorkspacePlan plan;
            step_.setPrimitive(pd, dnnl::deconvolution_forward(pd));
            step_.addInput(DNNL_ARG_SRC, 0, plainDesc(x), pd.src_desc(), plan);
            if (const TensorData* weights = context.inputConstant(1))
                packedBytes_ += step_.addConstant(DNNL_ARG_WEIGHTS, weights->data<float>(), userWeights,
                                                  pd.weights_desc());
            else
                step_.addInput(DNNL_ARG_WEIGHTS, 1, userWeights, pd.weights_desc(), plan);
            if (hasBias) {
                if (const TensorData* bias = context.inputConstant(2))
                    packedBytes_ += step_.addConstant(DNNL_ARG_BIAS, bias->data<float>(), biasDesc, pd.bias_desc());
                else
                    step_.addInput(DNNL_ARG_BIAS, 2, biasDesc, pd.bias_desc(), plan);
            }
            step_.addOutput(DNNL_ARG_DST, 0, plainDesc(y), pd.dst_desc(), plan);
            step_.finish(plan);
            workspaceBytes_ = plan.total();
        } catch (const std::exception& error) {
            return dnnlFailure(context, "cannot build the transposed convolution", error);
        }
        // Owned only when nothing the run reads is left in the graph's constants.
        ownsWeights_ = !context.inputConstant(0) && context.inputConstant(1) && (!hasBias || context.inputConstant(2));
        return Status::ok();
    }

    Status run(RunContext& context) override { return empty_ ? Status::ok() : step_.run(context); }

    std::size_t workspaceBytes() const override { return workspaceBytes_; }
    std::size_t packedWeightBytes() const override { return packedBytes_; }
    bool ownsWeights() const override { return ownsWeights_; }

private:
    DnnlStep step_;
    std::size_t workspaceBytes_ = 0;
    std::size_t packedBytes_ = 0;
    bool ownsWeights_ = false;
    bool empty_ = false;
};

}  // namespace

std::unique_ptr<Kernel> makeConvTransposeKernel() { return std::make_unique<ConvTransposeKernel>(); }

}  // namespace interstage::cpu::nn
