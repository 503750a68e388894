// Conv on oneDNN's convolution primitive (see conv_paths.h for when).
//
// Given NCHW source and destination, oneDNN 2.6 falls back to im2col +
// sgemm ("gemm:jit"), 3-10x slower than its direct kernels, so the
// primitive gets channel-blocked (nChw16c) or any-layout activations and
// DnnlStep reorders in and out through the workspace. For 3x3 / stride 1
// convolutions with 64+ output channels Winograd (F(2x2, 3x3)) is ~1.7x
// faster than direct on AVX-512; with fewer outputs it is slower.
#include <oneapi/dnnl/dnnl.hpp>

#include <string>

#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/dnnl_context.h"

namespace interstage::cpu::nn {

namespace {

using dnnl::memory;

class OneDnnConv final : public ConvPath {
public:
    // Throws dnnl::error when oneDNN cannot build it.
    explicit OneDnnConv(const ConvSpec& spec) {
        const Shape& x = spec.x;
        const Shape& w = spec.w;
        const Shape& y = spec.y;
        const size_t spatial = spec.spatial();
        // oneDNN's grouped weights are {G, O/G, I/G, k...}: the same bytes as
        // ONNX's {O, I/G, k...}.
        DnnlDims weightDims = w;
        if (spec.group > 1) {
            weightDims[0] = w[0] / spec.group;
            weightDims.insert(weightDims.begin(), spec.group);
        }
        const DnnlDims strides = spec.window.strides;
        DnnlDims dilations = spec.window.dilations;
        for (auto& d : dilations) d -= 1;  // oneDNN counts the gaps
        const memory::desc biasDesc = spec.hasBias ? plainDesc({w[0]}) : memory::desc();
        dnnl::post_ops ops;
        appendActivation(ops, spec.activation);
        const dnnl::primitive_attr attributes = makeAttributes(ops);

        auto build = [&](dnnl::algorithm algorithm, const memory::desc& src, const memory::desc& dst,
                         dnnl::convolution_forward::primitive_desc& out) {
            try {
                dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, src,
                                                     anyDesc(weightDims), biasDesc, dst, strides, dilations,
                                                     spec.window.padBegin, spec.window.padEnd);
                out = dnnl::convolution_forward::primitive_desc(desc, attributes, dnnlEngine());
                // A reference implementation means the layouts asked for
                // have no fast kernel: try the next candidate.
                return std::string(out.impl_info_str()).rfind("ref", 0) != 0;
            } catch (const dnnl::error&) {
                return false;
            }
        };
        const memory::format_tag blockedTag = spatial == 1   ? memory::format_tag::nCw16c
                                              : spatial == 2 ? memory::format_tag::nChw16c
                                                             : memory::format_tag::nCdhw16c;
        // Blocked reorders from NCHW are cheaper than channels-last ones, and
        // oneDNN's blocked direct kernels are as fast as its channels-last ones.
        auto preferred = [&](const Shape& dims, int64_t channels) {
            return channels % 16 == 0 ? memory::desc(dims, memory::data_type::f32, blockedTag) : anyDesc(dims);
        };
        const bool winogradShape = spatial == 2 && spec.group == 1 && w[2] == 3 && w[3] == 3 &&
                                   strides == DnnlDims{1, 1} && dilations == DnnlDims{0, 0};
        dnnl::convolution_forward::primitive_desc pd;
        bool built = winogradShape && x[1] >= 16 && w[0] >= 64 &&
                     build(dnnl::algorithm::convolution_winograd, anyDesc(x), anyDesc(y), pd);
        if (!built) built = build(dnnl::algorithm::convolution_direct, preferred(x, x[1]), preferred(y, w[0]), pd);
        if (!built) {
            dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                                 dnnl::algorithm::convolution_direct, anyDesc(x), anyDesc(weightDims),
                                                 biasDesc, anyDesc(y), strides, dilations, spec.window.padBegin,
                                                 spec.window.padEnd);
            pd = dnnl::convolution_forward::primitive_desc(desc, attributes, dnnlEngine());
        }

        WorkspacePlan plan;
        step_.setPrimitive(pd, dnnl::convolution_forward(pd));
        step_.addInput(DNNL_ARG_SRC, 0, plainDesc(x), pd.src_desc(), plan);
        if (spec.constantWeights)
            packedBytes += step_.addConstant(DNNL_ARG_WEIGHTS, spec.constantWeights->data<float>(),
                                             plainDesc(weightDims), pd.weights_desc());
        else
            step_.addInput(DNNL_ARG_WEIGHTS, 1, plainDesc(weightDims), pd.weights_desc(), plan);
        if (spec.hasBias) {
            if (spec.constantBias)
                packedBytes += step_.addConstant(DNNL_ARG_BIAS, spec.constantBias->data<float>(), biasDesc,
                                                 pd.bias_desc());
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

}  // namespace

std::unique_ptr<ConvPath> makeOneDnnConv(const ConvSpec& spec) { return std::make_unique<OneDnnConv>(spec); }

}  // namespace interstage::cpu::nn
