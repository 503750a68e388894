// Conv (1-D, 2-D, 3-D; groups, depthwise, dilations, pads, auto_pad, optional
// bias, fused activation) on oneDNN's convolution primitive.
//
// Our tensors are plain NCHW. Given NCHW source and destination, oneDNN
// 2.6 falls back to im2col + sgemm ("gemm:jit"), 3-10x slower than its
// direct kernels on channel-blocked / channels-last data, so the primitive
// is built with format_tag::any and the step reorders the activation in and
// out through the workspace: the reorders cost a fraction of what the gemm
// path loses (see DnnlStep).
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdlib>

#include "cpu/activation.h"
#include "cpu/ops/nn/dnnl_context.h"
#include "cpu/ops/nn/nn_kernels.h"
#include "cpu/ops/nn/window.h"

namespace interstage::cpu::nn {

namespace {

using dnnl::memory;

class ConvKernel final : public Kernel {
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
            return context.unsupportedHere("input rank " + std::to_string(x.size()) + " (1-D to 3-D convolutions only)");
        if (w.size() != x.size() || y.size() != x.size())
            return context.invalidHere("weight " + shapeToString(w) + " does not fit input " + shapeToString(x));
        const size_t spatial = x.size() - 2;
        const int64_t group = context.node().attrInt("group", 1);
        if (group < 1 || w[0] % group != 0 || w[1] * group != x[1])
            return context.invalidHere("weight " + shapeToString(w) + " with group " + std::to_string(group) +
                                       " does not fit input " + shapeToString(x));
        const bool hasBias = context.hasInput(2);
        if (hasBias && (context.inputShape(2).size() != 1 || context.inputShape(2)[0] != w[0]))
            return context.invalidHere("bias " + shapeToString(context.inputShape(2)) + " does not match " +
                                       std::to_string(w[0]) + " output channels");

        Window window;
        IS_RETURN_IF_ERROR(readWindow(context, spatial, std::vector<int64_t>(w.begin() + 2, w.end()), window));
        const Shape inSpatial(x.begin() + 2, x.end()), outSpatial(y.begin() + 2, y.end());
        resolveForwardPads(window, inSpatial, outSpatial);
        if (y[0] != x[0] || y[1] != w[0])
            return context.invalidHere("output " + shapeToString(y) + " does not fit input and weight");
        for (size_t k = 0; k < spatial; ++k) {
            int64_t span = inSpatial[k] + window.padBegin[k] + window.padEnd[k] - window.extent(k);
            if (span < 0 || span / window.strides[k] + 1 != outSpatial[k])
                return context.invalidHere("output " + shapeToString(y) + " does not match the window");
        }
        if (!elementCount(x).value_or(0) || !elementCount(y).value_or(0)) {
            empty_ = true;  // nothing to compute (an empty batch)
            return Status::ok();
        }

        Activation activation = fusedActivation(context.node());
        dnnl::primitive_attr attributes;
        if (!makeAttributes(activation, attributes))
            return context.unsupportedHere("fused activation has no oneDNN form");

        // oneDNN's grouped weights are {G, O/G, I/G, k...}: the same bytes as
        // ONNX's {O, I/G, k...}.
        DnnlDims weightDims = w;
        if (group > 1) {
            weightDims[0] = w[0] / group;
            weightDims.insert(weightDims.begin(), group);
        }
        DnnlDims strides = window.strides, dilations = window.dilations;
        for (auto& d : dilations) d -= 1;  // oneDNN counts the gaps
        try {
            const memory::desc biasDesc = hasBias ? plainDesc({w[0]}) : memory::desc();
            const bool winogradShape = spatial == 2 && group == 1 && w[2] == 3 && w[3] == 3 && strides == DnnlDims{1, 1} &&
                                       dilations == DnnlDims{0, 0};
            const char* experiment = getenv("INTERSTAGE_CONV_EXPERIMENT");
            std::string mode = experiment ? experiment : "wino16c";
            auto tryBuild = [&](dnnl::algorithm algorithm, const memory::desc& src, const memory::desc& dst,
                                dnnl::convolution_forward::primitive_desc& out) {
                try {
                    dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, src,
                                                         anyDesc(weightDims), biasDesc, dst, strides, dilations,
                                                         window.padBegin, window.padEnd);
                    out = dnnl::convolution_forward::primitive_desc(desc, attributes, dnnlEngine());
                    return std::string(out.impl_info_str()).rfind("ref", 0) != 0;
                } catch (const std::exception&) {
                    return false;
                }
            };
            const memory::format_tag blocked = spatial == 1   ? memory::format_tag::nCw16c
                                               : spatial == 2 ? memory::format_tag::nChw16c
                                                              : memory::format_tag::nCdhw16c;
            auto blockedDesc = [&](const Shape& dims, int64_t channels) {
                return channels % 16 == 0 ? memory::desc(dims, memory::data_type::f32, blocked) : anyDesc(dims);
            };
            dnnl::convolution_forward::primitive_desc pd;
            bool built = false;
            if (mode == "wino16c" && winogradShape && x[1] >= 16 && w[0] >= 64)
                built = tryBuild(dnnl::algorithm::convolution_winograd, anyDesc(x), anyDesc(y), pd);
            if (!built && mode != "any")
                built = tryBuild(dnnl::algorithm::convolution_direct, blockedDesc(x, x[1]), blockedDesc(y, w[0]), pd);
            if (!built) {
                dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                                     dnnl::algorithm::convolution_direct, anyDesc(x),
                                                     anyDesc(weightDims), biasDesc, anyDesc(y), strides, dilations,
                                                     window.padBegin, window.padEnd);
                pd = dnnl::convolution_forward::primitive_desc(desc, attributes, dnnlEngine());
            }
            WorkspacePlan plan;
            step_.setPrimitive(pd, dnnl::convolution_forward(pd));
            step_.addInput(DNNL_ARG_SRC, 0, plainDesc(x), pd.src_desc(), plan);
            if (const TensorData* weights = context.inputConstant(1)) {
                packedBytes_ += step_.addConstant(DNNL_ARG_WEIGHTS, weights->data<float>(), plainDesc(weightDims),
                                                  pd.weights_desc());
            } else {
                step_.addInput(DNNL_ARG_WEIGHTS, 1, plainDesc(weightDims), pd.weights_desc(), plan);
            }
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
            return dnnlFailure(context, "cannot build the convolution", error);
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

std::unique_ptr<Kernel> makeConvKernel() { return std::make_unique<ConvKernel>(); }

}  // namespace interstage::cpu::nn
