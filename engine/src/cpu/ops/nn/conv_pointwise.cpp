// Pointwise Conv (1x1, stride 1, no padding, one group) as a matrix product
// per image: Y[O, S] = W[O, I] x X[I, S] over the S spatial positions, on
// oneDNN's matmul with the bias as a per-row binary post-op. Both sides stay
// NCHW, so unlike the convolution primitive nothing is reordered; on the
// PP-OCR shapes this is 1.1-1.7x faster than brgconv_1x1 plus its reorders.
#include <oneapi/dnnl/dnnl.hpp>

#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/dnnl_context.h"

namespace interstage::cpu::nn {

namespace {

using dnnl::memory;

class PointwiseConv final : public ConvPath {
public:
    explicit PointwiseConv(const ConvSpec& spec) {
        const int64_t batch = spec.x[0], in = spec.x[1], out = spec.w[0];
        int64_t positions = 1;
        for (size_t k = 2; k < spec.x.size(); ++k) positions *= spec.x[k];
        const memory::desc weights = plainDesc({1, out, in});
        const memory::desc input = plainDesc({batch, in, positions});
        const memory::desc output = plainDesc({batch, out, positions});
        const memory::desc bias = plainDesc({1, out, 1});
        const int biasArg = DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1;

        dnnl::post_ops ops;
        if (spec.hasBias) ops.append_binary(dnnl::algorithm::binary_add, bias);
        appendActivation(ops, spec.activation);
        // The weights are oneDNN's "source" here and the activations its
        // "weights": matmul computes src x weights.
        dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(weights, input, output), makeAttributes(ops), dnnlEngine());
        WorkspacePlan plan;
        step_.setPrimitive(pd, dnnl::matmul(pd));
        if (spec.constantWeights)
            packedBytes += step_.addConstant(DNNL_ARG_SRC, spec.constantWeights->data<float>(), weights, pd.src_desc());
        else
            step_.addInput(DNNL_ARG_SRC, 1, weights, pd.src_desc(), plan);
        step_.addInput(DNNL_ARG_WEIGHTS, 0, input, pd.weights_desc(), plan);
        if (spec.hasBias) {
            if (spec.constantBias)
                packedBytes += step_.addConstant(biasArg, spec.constantBias->data<float>(), bias, bias);
            else
                step_.addInput(biasArg, 2, bias, bias, plan);
        }
        step_.addOutput(DNNL_ARG_DST, 0, output, pd.dst_desc(), plan);
        step_.finish(plan);
        workspaceBytes = plan.total();
    }

    Status run(RunContext& context) override { return step_.run(context); }

private:
    DnnlStep step_;
};

}  // namespace

std::unique_ptr<ConvPath> makePointwiseConv(const ConvSpec& spec) {
    if (spec.group != 1) return nullptr;
    for (size_t k = 0; k < spec.window.rank(); ++k)
        if (spec.window.kernel[k] != 1 || spec.window.strides[k] != 1 || spec.window.padBegin[k] != 0 ||
            spec.window.padEnd[k] != 0)
            return nullptr;
    if (auto narrow = makeNarrowPointwiseConv(spec)) return narrow;
    return std::make_unique<PointwiseConv>(spec);
}

}  // namespace interstage::cpu::nn
