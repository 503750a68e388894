// Attention (com.microsoft): BERT-style self-attention in one op. The input
// is projected by one weight matrix into Q, K and V (plus bias), K and V are
// appended to the optional past into present (2, batch, heads, total,
// head size), and each head attends over them (attention_core.h) with the
// optional mask, attention bias and the causal mask of unidirectional.
#include <cmath>

#include "cpu/ops/contrib/attention_core.h"
#include "cpu/ops/contrib/attention_masks.h"
#include "cpu/ops/contrib/batched_gemm.h"
#include "cpu/ops/contrib/contrib_kernels.h"
#include "cpu/ops/nn/dnnl_context.h"

namespace interstage::cpu::contrib {

namespace {

class AttentionKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        const Node& node = context.node();
        for (size_t i : {0, 1, 2, 4})
            if (context.hasInput(i) && context.inputType(i) != DataType::Float)
                return context.unsupportedHere("only float input, weights, bias and past are supported");
        IS_RETURN_IF_ERROR(checkMaskTypes(context, 3, 5));
        const Shape& x = context.inputShape(0);
        const Shape& w = context.inputShape(1);
        std::vector<int64_t> sizes = node.attrInts("qkv_hidden_sizes");
        if (sizes.empty()) sizes.assign(3, w[1] / 3);
        hidden_ = sizes[0];
        vHidden_ = sizes[2];
        width_ = w[1];
        inputHidden_ = x[2];
        p_.batch = x[0];
        p_.seq = x[1];
        p_.heads = p_.kvHeads = node.attrInt("num_heads", 1);
        p_.headSize = hidden_ / p_.heads;
        p_.vHeadSize = vHidden_ / p_.heads;
        past_ = context.hasInput(4) ? context.inputShape(4)[3] : 0;
        p_.total = past_ + p_.seq;
        const float scale = node.attrFloat("scale", 0.f);
        p_.scale = scale != 0.f ? scale : 1.f / std::sqrt(static_cast<float>(p_.headSize));
        p_.causal = node.attrInt("unidirectional", 0) != 0;
        p_.maskFilter = node.attrFloat("mask_filter_value", -10000.f);
        threads_ = std::max(context.threads(), 1);
        nn::WorkspacePlan plan;
        qkvOffset_ = plan.reserve(static_cast<std::size_t>(p_.batch * p_.seq * width_) * sizeof(float));
        const bool present = context.outputCount() > 1 && context.hasOutput(1);
        if (present && hidden_ != vHidden_)
            return context.unsupportedHere("present needs equal K and V hidden sizes (qkv_hidden_sizes)");
        if (!present) cacheOffset_ = plan.reserve(cacheFloats() * sizeof(float));
        scratchOffset_ = plan.reserve(attentionScratchFloats(p_, threads_) * sizeof(float));
        workspace_ = plan.total();
        return Status::ok();
    }

    std::size_t workspaceBytes() const override { return workspace_; }

    Status run(RunContext& context) override {
        const int64_t rows = p_.batch * p_.seq;
        auto* qkv = static_cast<float*>(nn::workspaceAt(context.workspace, qkvOffset_));
        sgemm(false, false, rows, width_, inputHidden_, 1.f, context.inputs[0].as<float>(),
              context.inputs[1].as<float>(), 0.f, qkv);
        // Q gets its bias here; K and V get theirs on the way into the cache.
        const float* bias = context.hasInput(2) ? context.inputs[2].as<float>() : nullptr;
        if (bias)
            for (int64_t r = 0; r < rows; ++r)
                for (int64_t j = 0; j < hidden_; ++j) qkv[r * width_ + j] += bias[j];

        const bool present = context.outputs.size() > 1 && context.outputs[1].data;
        float* cache = present ? context.outputs[1].as<float>()
                               : static_cast<float*>(nn::workspaceAt(context.workspace, cacheOffset_));
        const int64_t kFloats = p_.batch * p_.heads * p_.total * p_.headSize;
        const float* past = context.hasInput(4) ? context.inputs[4].as<float>() : nullptr;
        const int64_t pastHalf = p_.batch * p_.heads * past_ * p_.headSize;
        fillCache({p_.batch, p_.heads, p_.headSize, p_.total, past, past_, qkv + hidden_, p_.seq * width_, width_,
                   p_.seq, bias ? bias + hidden_ : nullptr},
                  cache);
        fillCache({p_.batch, p_.heads, p_.vHeadSize, p_.total, past ? past + pastHalf : nullptr, past_,
                   qkv + 2 * hidden_, p_.seq * width_, width_, p_.seq, bias ? bias + 2 * hidden_ : nullptr},
                  cache + kFloats);

        AttentionProblem p = p_;
        p.q = qkv;
        p.qBatch = p_.seq * width_;
        p.qRow = width_;
        p.k = cache;
        p.v = cache + kFloats;
        p.out = context.outputs[0].as<float>();
        bindMasks(context, 3, 5, p);
        runAttention(p, static_cast<float*>(nn::workspaceAt(context.workspace, scratchOffset_)), threads_);
        return Status::ok();
    }

private:
    std::size_t cacheFloats() const {
        return static_cast<std::size_t>(p_.batch * p_.heads * p_.total * (p_.headSize + p_.vHeadSize));
    }

    AttentionProblem p_;
    int64_t hidden_ = 0, vHidden_ = 0, width_ = 0, inputHidden_ = 0, past_ = 0;
    int threads_ = 1;
    std::size_t qkvOffset_ = 0, cacheOffset_ = 0, scratchOffset_ = 0, workspace_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeAttentionKernel() { return std::make_unique<AttentionKernel>(); }

}  // namespace interstage::cpu::contrib
