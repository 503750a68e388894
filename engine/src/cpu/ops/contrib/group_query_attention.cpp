// GroupQueryAttention (com.microsoft): causal attention of num_heads query
// heads over kv_num_heads key / value heads (each kv head serves num_heads
// / kv_num_heads query heads), as decoder LLMs run it. Batch b holds
// seqlens_k[b] + 1 tokens in all; its new tokens follow its past ones in
// present_key / present_value (batch, kv heads, present length, head size),
// and query s sees the keys up to its own position (and, with
// local_window_size w, only the w keys ending at its position). A prompt (no past, or
// sequence = total_sequence_length) starts at position 0. With do_rotary,
// query and new keys are rotated by their positions first.
#include <algorithm>
#include <cmath>

#include "cpu/ops/contrib/attention_core.h"
#include "cpu/ops/contrib/contrib_kernels.h"
#include "cpu/ops/contrib/rotary.h"
#include "cpu/ops/nn/dnnl_context.h"

namespace interstage::cpu::contrib {

namespace {

class GroupQueryAttentionKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        const Node& node = context.node();
        for (size_t i : {0, 1, 2, 3, 4, 7, 8})
            if (context.hasInput(i) && context.inputType(i) != DataType::Float)
                return context.unsupportedHere("only float query, key, value, past and caches are supported");
        if (context.inputType(5) != DataType::Int32) return context.unsupportedHere("seqlens_k must be int32");
        p_.localWindow = node.attrInt("local_window_size", -1);
        if (p_.localWindow < -1) return context.invalidHere("local_window_size must be -1 (none) or >= 0");
        const Shape& q = context.inputShape(0);
        p_.batch = q[0];
        p_.seq = q[1];
        p_.heads = node.attrInt("num_heads", 1);
        p_.kvHeads = node.attrInt("kv_num_heads", 1);
        p_.headSize = p_.vHeadSize = q[2] / p_.heads;
        past_ = context.hasInput(3) ? context.inputShape(3)[2] : 0;
        // The present length, which the shape rule took from
        // total_sequence_length's value.
        if (context.hasOutput(1))
            p_.total = context.output(1).shape[2];
        else if (const TensorData* total = context.inputConstant(6); total && total->elementCount() == 1)
            p_.total = std::max<int64_t>(
                past_, total->dtype == DataType::Int32 ? total->data<int32_t>()[0] : total->data<int64_t>()[0]);
        else
            return context.unsupportedHere("without present_key, total_sequence_length must be a constant");
        const float scale = node.attrFloat("scale", 0.f);
        p_.scale = scale != 0.f ? scale : 1.f / std::sqrt(static_cast<float>(p_.headSize));
        rotary_ = node.attrInt("do_rotary", 0) != 0;
        interleaved_ = node.attrInt("rotary_interleaved", 0) != 0;
        if (rotary_) {
            rotaryDim_ = context.inputShape(7)[1] * 2;
            maxPosition_ = context.inputShape(7)[0];
        }
        threads_ = std::max(context.threads(), 1);
        nn::WorkspacePlan plan;
        pastOffset_ = plan.reserve(static_cast<std::size_t>(p_.batch) * sizeof(int32_t));
        const int64_t cache = p_.batch * p_.kvHeads * p_.total * p_.headSize;
        if (!context.hasOutput(1)) keyOffset_ = plan.reserve(static_cast<std::size_t>(cache) * sizeof(float));
        if (context.outputCount() < 3 || !context.hasOutput(2))
            valueOffset_ = plan.reserve(static_cast<std::size_t>(cache) * sizeof(float));
        if (rotary_) {
            queryOffset_ = plan.reserve(elementCount(q).value_or(0) * sizeof(float));
            rotatedKeyOffset_ = plan.reserve(elementCount(context.inputShape(1)).value_or(0) * sizeof(float));
        }
        scratchOffset_ = plan.reserve(attentionScratchFloats(p_, threads_) * sizeof(float));
        workspace_ = plan.total();
        return Status::ok();
    }

    std::size_t workspaceBytes() const override { return workspace_; }

    Status run(RunContext& context) override {
        void* ws = context.workspace;
        const int32_t* seqlens = context.inputs[5].as<int32_t>();
        auto* pastLengths = static_cast<int32_t*>(nn::workspaceAt(ws, pastOffset_));
        const bool prompt = past_ == 0 || p_.seq == p_.total;
        for (int64_t b = 0; b < p_.batch; ++b) {
            const int64_t tokens = int64_t{seqlens[b]} + 1;
            if (tokens < 1 || tokens > p_.total || (!prompt && tokens < p_.seq))
                return invalidArgument("GroupQueryAttention: seqlens_k[" + std::to_string(b) + "] = " +
                                       std::to_string(seqlens[b]) + " does not fit the " + std::to_string(p_.seq) +
                                       " new and " + std::to_string(p_.total) + " total tokens");
            pastLengths[b] = prompt ? 0 : static_cast<int32_t>(tokens - p_.seq);
            if (rotary_ && pastLengths[b] + p_.seq > maxPosition_)
                return invalidArgument("GroupQueryAttention: positions up to " +
                                       std::to_string(pastLengths[b] + p_.seq) + " exceed the cos / sin caches' " +
                                       std::to_string(maxPosition_) + " rows");
        }
        const int64_t hidden = p_.heads * p_.headSize, kvHidden = p_.kvHeads * p_.headSize;
        const float* query = context.inputs[0].as<float>();
        const float* newKeys = context.inputs[1].as<float>();
        if (rotary_) {
            auto* q = static_cast<float*>(nn::workspaceAt(ws, queryOffset_));
            auto* k = static_cast<float*>(nn::workspaceAt(ws, rotatedKeyOffset_));
            rotateAll(context, query, q, p_.heads, pastLengths);
            rotateAll(context, newKeys, k, p_.kvHeads, pastLengths);
            query = q;
            newKeys = k;
        }
        const bool presentKey = context.outputs.size() > 1 && context.outputs[1].data;
        const bool presentValue = context.outputs.size() > 2 && context.outputs[2].data;
        float* key = presentKey ? context.outputs[1].as<float>() : static_cast<float*>(nn::workspaceAt(ws, keyOffset_));
        float* value =
            presentValue ? context.outputs[2].as<float>() : static_cast<float*>(nn::workspaceAt(ws, valueOffset_));
        const float* pastKey = context.hasInput(3) ? context.inputs[3].as<float>() : nullptr;
        const float* pastValue = context.hasInput(4) ? context.inputs[4].as<float>() : nullptr;
        fillCache({p_.batch, p_.kvHeads, p_.headSize, p_.total, pastKey, past_, newKeys, p_.seq * kvHidden, kvHidden,
                   p_.seq, nullptr},
                  key, pastLengths);
        fillCache({p_.batch, p_.kvHeads, p_.headSize, p_.total, pastValue, past_, context.inputs[2].as<float>(),
                   p_.seq * kvHidden, kvHidden, p_.seq, nullptr},
                  value, pastLengths);

        AttentionProblem p = p_;
        p.q = query;
        p.qBatch = p_.seq * hidden;
        p.qRow = hidden;
        p.k = key;
        p.v = value;
        p.out = context.outputs[0].as<float>();
        p.pastLengths = pastLengths;
        runAttention(p, static_cast<float*>(nn::workspaceAt(ws, scratchOffset_)), threads_);
        return Status::ok();
    }

private:
    // Rotates every head of (batch, sequence, heads * head size) by the
    // token's position: its batch's past length plus s.
    void rotateAll(const RunContext& context, const float* in, float* out, int64_t heads,
                   const int32_t* pastLengths) const {
        const float* cosCache = context.inputs[7].as<float>();
        const float* sinCache = context.inputs[8].as<float>();
        const int64_t half = rotaryDim_ / 2;
        for (int64_t b = 0; b < p_.batch; ++b)
            for (int64_t s = 0; s < p_.seq; ++s) {
                const int64_t pos = pastLengths[b] + s;
                for (int64_t h = 0; h < heads; ++h) {
                    const int64_t offset = ((b * p_.seq + s) * heads + h) * p_.headSize;
                    rotate(in + offset, out + offset, p_.headSize, rotaryDim_, cosCache + pos * half,
                           sinCache + pos * half, interleaved_);
                }
            }
    }

    AttentionProblem p_;
    int64_t past_ = 0, rotaryDim_ = 0, maxPosition_ = 0;
    bool rotary_ = false, interleaved_ = false;
    int threads_ = 1;
    std::size_t pastOffset_ = 0, keyOffset_ = 0, valueOffset_ = 0, queryOffset_ = 0, rotatedKeyOffset_ = 0,
                scratchOffset_ = 0, workspace_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeGroupQueryAttentionKernel() { return std::make_unique<GroupQueryAttentionKernel>(); }

}  // namespace interstage::cpu::contrib
