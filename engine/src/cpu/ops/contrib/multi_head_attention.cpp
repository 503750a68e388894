// MultiHeadAttention (com.microsoft): attention of already projected query,
// key and value (batch, sequence, hidden), each with its slice of the
// optional bias. Key and value are appended to past_key / past_value into
// present_key / present_value (batch, heads, total, head size); masks as
// Attention's (key_padding_mask 1-D, 2-D or 3-D, attention_bias,
// unidirectional). Without bias, past or present outputs, key and value
// are read where they lie (each head a column slice of the rows), so the
// kernel's only workspace is the attention core's score tiles: this is
// the op passes/fuse_attention.cpp writes for a decomposed attention.
#include <cmath>

#include "cpu/ops/contrib/attention_core.h"
#include "cpu/ops/contrib/attention_masks.h"
#include "cpu/ops/contrib/attention_tiles.h"
#include "cpu/ops/contrib/contrib_kernels.h"
#include "cpu/ops/nn/dnnl_context.h"

namespace interstage::cpu::contrib {

namespace {

class MultiHeadAttentionKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        const Node& node = context.node();
        for (size_t i : {0, 1, 2, 3, 6, 7})
            if (context.hasInput(i) && context.inputType(i) != DataType::Float)
                return context.unsupportedHere("only float query, key, value, bias and past are supported");
        IS_RETURN_IF_ERROR(checkMaskTypes(context, 4, 5));
        const Shape& q = context.inputShape(0);
        const Shape& k = context.inputShape(1);
        const Shape& v = context.inputShape(2);
        p_.batch = q[0];
        p_.seq = q[1];
        p_.heads = p_.kvHeads = node.attrInt("num_heads", 1);
        p_.headSize = q[2] / p_.heads;
        p_.vHeadSize = v[2] / p_.heads;
        kvSeq_ = k[1];
        past_ = context.hasInput(6) ? context.inputShape(6)[2] : 0;
        p_.total = past_ + kvSeq_;
        const float scale = node.attrFloat("scale", 0.f);
        p_.scale = scale != 0.f ? scale : 1.f / std::sqrt(static_cast<float>(p_.headSize));
        p_.causal = node.attrInt("unidirectional", 0) != 0;
        p_.maskFilter = node.attrFloat("mask_filter_value", -10000.f);
        threads_ = std::max(context.threads(), 1);
        nn::WorkspacePlan plan;
        if (context.hasInput(3)) queryOffset_ = plan.reserve(elementCount(q).value_or(0) * sizeof(float));
        presentKey_ = context.outputCount() > 1 && context.hasOutput(1);
        presentValue_ = context.outputCount() > 2 && context.hasOutput(2);
        inPlace_ = !context.hasInput(3) && !context.hasInput(6) && !presentKey_ && !presentValue_;
        const int64_t heads = p_.batch * p_.heads * p_.total;
        if (!presentKey_ && !inPlace_)
            keyOffset_ = plan.reserve(static_cast<std::size_t>(heads * p_.headSize) * sizeof(float));
        if (!presentValue_ && !inPlace_)
            valueOffset_ = plan.reserve(static_cast<std::size_t>(heads * p_.vHeadSize) * sizeof(float));
        scratchOffset_ = plan.reserve(attentionScratchFloats(p_, threads_) * sizeof(float));
        setLayout();
        if (gemms_.prepare(p_, threads_)) {
            gemmScratchStride_ = (gemms_.scratchBytesPerThread() + 63) / 64 * 64;
            gemmScratchOffset_ = plan.reserve(gemmScratchStride_ * static_cast<std::size_t>(threads_));
        }
        workspace_ = plan.total();
        return Status::ok();
    }

    std::size_t workspaceBytes() const override { return workspace_; }

    Status run(RunContext& context) override {
        if (inPlace_) return runInPlace(context);
        void* ws = context.workspace;
        const float* bias = context.hasInput(3) ? context.inputs[3].as<float>() : nullptr;
        const int64_t hidden = p_.heads * p_.headSize, vHidden = p_.heads * p_.vHeadSize;
        const float* query = context.inputs[0].as<float>();
        if (bias) {
            auto* biased = static_cast<float*>(nn::workspaceAt(ws, queryOffset_));
            const int64_t rows = p_.batch * p_.seq;
            for (int64_t r = 0; r < rows; ++r)
                for (int64_t j = 0; j < hidden; ++j) biased[r * hidden + j] = query[r * hidden + j] + bias[j];
            query = biased;
        }
        float* key =
            presentKey_ ? context.outputs[1].as<float>() : static_cast<float*>(nn::workspaceAt(ws, keyOffset_));
        float* value =
            presentValue_ ? context.outputs[2].as<float>() : static_cast<float*>(nn::workspaceAt(ws, valueOffset_));
        const float* pastKey = context.hasInput(6) ? context.inputs[6].as<float>() : nullptr;
        const float* pastValue = context.hasInput(7) ? context.inputs[7].as<float>() : nullptr;
        fillCache({p_.batch, p_.heads, p_.headSize, p_.total, pastKey, past_, context.inputs[1].as<float>(),
                   kvSeq_ * hidden, hidden, kvSeq_, bias ? bias + hidden : nullptr},
                  key);
        fillCache({p_.batch, p_.heads, p_.vHeadSize, p_.total, pastValue, past_, context.inputs[2].as<float>(),
                   kvSeq_ * vHidden, vHidden, kvSeq_, bias ? bias + 2 * hidden : nullptr},
                  value);

        AttentionProblem p = problemIn(ws);
        p.q = query;
        p.k = key;
        p.v = value;
        p.out = context.outputs[0].as<float>();
        bindMasks(context, 4, 5, p);
        runAttention(p, static_cast<float*>(nn::workspaceAt(ws, scratchOffset_)), threads_);
        return Status::ok();
    }

private:
    // Query, key and value read as they lie: (batch, sequence, heads x head
    // size) rows, head h a column slice.
    Status runInPlace(RunContext& context) {
        AttentionProblem p = problemIn(context.workspace);
        p.q = context.inputs[0].as<float>();
        p.k = context.inputs[1].as<float>();
        p.v = context.inputs[2].as<float>();
        p.out = context.outputs[0].as<float>();
        bindMasks(context, 4, 5, p);
        runAttention(p, static_cast<float*>(nn::workspaceAt(context.workspace, scratchOffset_)), threads_);
        return Status::ok();
    }

    // The strides the tiles read with (fixed at prepare: the primitives are
    // made for them): query rows of hidden floats; key and value as the
    // inputs lie, or in the cache layout.
    void setLayout() {
        const int64_t hidden = p_.heads * p_.headSize, vHidden = p_.heads * p_.vHeadSize;
        p_.qBatch = p_.seq * hidden;
        p_.qRow = hidden;
        if (!inPlace_) return;  // withCacheStrides fills the cache layout in
        p_.kBatch = kvSeq_ * hidden;
        p_.kHead = p_.headSize;
        p_.kRow = hidden;
        p_.vBatch = kvSeq_ * vHidden;
        p_.vHead = p_.vHeadSize;
        p_.vRow = vHidden;
    }

    AttentionProblem problemIn(void* ws) const {
        AttentionProblem p = p_;
        if (gemms_.covers(splitTiles(p_, threads_).rows)) {  // prepared
            p.gemms = &gemms_;
            p.gemmScratch = nn::workspaceAt(ws, gemmScratchOffset_);
            p.gemmScratchStride = gemmScratchStride_;
        }
        return p;
    }

    AttentionProblem p_;
    AttentionTileGemms gemms_;
    std::size_t gemmScratchOffset_ = 0, gemmScratchStride_ = 0;
    int64_t kvSeq_ = 0, past_ = 0;
    bool presentKey_ = false, presentValue_ = false, inPlace_ = false;
    int threads_ = 1;
    std::size_t queryOffset_ = 0, keyOffset_ = 0, valueOffset_ = 0, scratchOffset_ = 0, workspace_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeMultiHeadAttentionKernel() { return std::make_unique<MultiHeadAttentionKernel>(); }

}  // namespace interstage::cpu::contrib
