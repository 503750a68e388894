// Shape rules for ONNX Runtime's contrib ops (domain com.microsoft, see
// docs/ContribOperators.md there): the Gelu variants, the layer norms with
// skip connections, FusedMatMul, MatMulNBits and the attention family.
// Attributes that contradict the inputs (num_heads not dividing the hidden
// size, a packed weight whose bytes do not match K / N / block_size) fail
// here, before any run.
#include <string>
#include <vector>

#include "model/fold_util.h"
#include "model/shape_rules.h"

namespace interstage::shapes {

namespace {

using namespace fold;

std::string dims(const Shape& s) { return shapeToString(s); }

// The last dim of input i must equal `size` (a bias, a gamma).
Status checkLastDim(const ShapeContext& c, size_t i, int64_t size, const char* role) {
    if (!c.hasInput(i)) return Status::ok();
    const Shape& s = c.inputShape(i);
    if (s.empty() || s.back() != size)
        return c.fail(std::string(role) + " '" + c.input(i).name + "' of shape " + dims(s) +
                      " does not end in the hidden size " + std::to_string(size));
    return Status::ok();
}

// Gelu, FastGelu, BiasGelu, QuickGelu: the input's shape; the optional
// bias is 1-D over the last dim.
Status biasGeluRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 2, 1));
    const Shape& x = c.inputShape(0);
    if (x.empty()) return c.fail("input must have rank >= 1");
    if (c.node().opType == "BiasGelu" && !c.hasInput(1)) return c.fail("BiasGelu needs its bias input B");
    if (c.hasInput(1) && c.inputShape(1).size() != 1) return c.fail("bias must be 1-D");
    IS_RETURN_IF_ERROR(checkLastDim(c, 1, x.back(), "bias"));
    return setChecked(c, 0, c.inputType(0), x);
}

// The statistics outputs: the input's shape with 1 from the norm axis on.
Shape statsShape(const Shape& x, int64_t axis) {
    Shape stats = x;
    for (size_t k = static_cast<size_t>(axis); k < stats.size(); ++k) stats[k] = 1;
    return stats;
}

// SimplifiedLayerNormalization (X, scale) -> Y, inv_std_var: an RMS norm
// over the dims from axis on, which scale holds.
Status simplifiedLayerNormRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 2, 2));
    int64_t axis = c.node().attrInt("axis", -1);
    if (!normalizeAxis(axis, c.inputRank(0)))
        return c.fail("axis " + std::to_string(c.node().attrInt("axis", -1)) + " is out of range for rank " +
                      std::to_string(c.inputRank(0)));
    const Shape& x = c.inputShape(0);
    int64_t normSize = 1;
    for (size_t k = static_cast<size_t>(axis); k < x.size(); ++k) normSize *= x[k];
    if (elementCount(c.inputShape(1)).value_or(-1) != normSize)
        return c.fail("scale of shape " + dims(c.inputShape(1)) + " does not hold the " + std::to_string(normSize) +
                      " elements of the normalized dims");
    IS_RETURN_IF_ERROR(setChecked(c, 0, c.inputType(0), x));
    return setChecked(c, 1, DataType::Float, statsShape(x, axis));
}

// SkipLayerNormalization (input, skip, gamma, beta, bias) and
// SkipSimplifiedLayerNormalization (input, skip, gamma, bias) -> output,
// mean, inv_std_var, input_skip_bias_sum. skip is the input's shape or
// broadcasts over the batch ([1, S, H] or [S, H]).
Status skipLayerNormRule(ShapeContext& c) {
    const bool simplified = c.node().opType == "SkipSimplifiedLayerNormalization";
    IS_RETURN_IF_ERROR(checkArity(c, 3, simplified ? 4 : 5, 4));
    const Shape& x = c.inputShape(0);
    if (x.size() != 3) return c.fail("input must be 3-D (batch, sequence, hidden), not " + dims(x));
    const Shape& skip = c.inputShape(1);
    const bool skipFits = skip == x || (skip.size() == 3 && skip[0] == 1 && skip[1] == x[1] && skip[2] == x[2]) ||
                          (skip.size() == 2 && skip[0] == x[1] && skip[1] == x[2]);
    if (!skipFits) return c.fail("skip of shape " + dims(skip) + " does not match the input's " + dims(x));
    const int64_t hidden = x[2];
    for (size_t i = 2; i < c.inputCount(); ++i) {
        if (!c.hasInput(i)) continue;
        if (c.inputShape(i).size() != 1) return c.fail("input '" + c.input(i).name + "' must be 1-D");
        IS_RETURN_IF_ERROR(checkLastDim(c, i, hidden, "input"));
    }
    IS_RETURN_IF_ERROR(setChecked(c, 0, c.inputType(0), x));
    IS_RETURN_IF_ERROR(setChecked(c, 1, DataType::Float, {x[0], x[1], 1}));
    IS_RETURN_IF_ERROR(setChecked(c, 2, DataType::Float, {x[0], x[1], 1}));
    return setChecked(c, 3, c.inputType(0), x);
}

// FusedMatMul: MatMul of op(A) and op(B), op a transpose of the last two
// dims when transA / transB.
Status fusedMatMulRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 2, 1));
    if (c.node().attrInt("transBatchA", 0) != 0 || c.node().attrInt("transBatchB", 0) != 0)
        return c.fail("transBatchA / transBatchB are not supported");
    Shape a = c.inputShape(0);
    Shape b = c.inputShape(1);
    if (a.size() < 2 || b.size() < 2) return c.fail("operands must have rank >= 2");
    if (c.node().attrInt("transA", 0)) std::swap(a[a.size() - 1], a[a.size() - 2]);
    if (c.node().attrInt("transB", 0)) std::swap(b[b.size() - 1], b[b.size() - 2]);
    if (a.back() != b[b.size() - 2])
        return c.fail("inner dimensions differ: " + dims(a) + " times " + dims(b) + " (after transA / transB)");
    Shape batch;
    Status s = broadcastShapes(Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2), batch);
    if (!s.isOk()) return c.fail("batch dims: " + s.message());
    batch.push_back(a[a.size() - 2]);
    batch.push_back(b.back());
    return setChecked(c, 0, c.inputType(0), batch);
}

// MatMulNBits (A, B, scales, zero_points, g_idx, bias): A [..., K] times
// the block-quantized B (N, blocks per column, block bytes) -> [..., N].
Status matMulNBitsRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 3, 6, 1));
    const auto& n = c.node();
    const int64_t bits = n.attrInt("bits", 4);
    if (bits != 4) return c.fail("bits = " + std::to_string(bits) + " is not supported (only 4-bit weights)");
    const int64_t K = n.attrInt("K", 0), N = n.attrInt("N", 0), block = n.attrInt("block_size", 0);
    if (K < 1 || N < 1) return c.fail("attributes K and N must be >= 1");
    if (block < 16 || (block & (block - 1)) != 0)
        return c.fail("block_size " + std::to_string(block) + " must be a power of 2 and >= 16");
    const Shape& a = c.inputShape(0);
    if (a.empty() || a.back() != K)
        return c.fail("input A of shape " + dims(a) + " does not end in K = " + std::to_string(K));
    const int64_t blocks = (K + block - 1) / block;
    const Shape packed{N, blocks, block * bits / 8};
    if (c.inputShape(1) != packed || c.inputType(1) != DataType::UInt8)
        return c.fail("packed weight B of shape " + dims(c.inputShape(1)) + " does not match K = " + std::to_string(K) +
                      ", N = " + std::to_string(N) + ", block_size = " + std::to_string(block) + " (expected uint8 " +
                      dims(packed) + ")");
    if (elementCount(c.inputShape(2)).value_or(-1) != N * blocks)
        return c.fail("scales of shape " + dims(c.inputShape(2)) +
                      " do not hold N * blocks = " + std::to_string(N * blocks) + " values");
    if (c.hasInput(3)) {
        const bool packedZeros = c.inputType(3) == DataType::UInt8;
        const int64_t want = packedZeros ? N * ((blocks * bits + 7) / 8) : N * blocks;
        if (elementCount(c.inputShape(3)).value_or(-1) != want)
            return c.fail("zero_points of shape " + dims(c.inputShape(3)) + " do not hold the " + std::to_string(want) +
                          " values K, N and block_size call for");
    }
    if (c.hasInput(4)) return c.fail("g_idx (act-order) is not supported");
    if (c.hasInput(5) && c.inputShape(5) != Shape{N}) return c.fail("bias must be 1-D of N elements");
    Shape out = a;
    out.back() = N;
    return setChecked(c, 0, c.inputType(0), out);
}

// num_heads must be >= 1 and divide `hidden` (what) into whole heads.
Status checkHeads(const ShapeContext& c, int64_t heads, int64_t hidden, const std::string& what) {
    if (heads < 1) return c.fail("num_heads must be >= 1");
    if (hidden % heads != 0)
        return c.fail(what + " " + std::to_string(hidden) +
                      " is not divisible by num_heads = " + std::to_string(heads));
    return Status::ok();
}

// The attention mask and bias inputs of Attention / MultiHeadAttention.
Status checkMasks(const ShapeContext& c, size_t maskIndex, size_t biasIndex, int64_t batch, int64_t heads,
                  int64_t sequence, int64_t total) {
    if (c.hasInput(maskIndex)) {
        const Shape& m = c.inputShape(maskIndex);
        const bool ok = m == Shape{batch} || m == Shape{batch, total} || m == Shape{batch, sequence, total};
        if (!ok)
            return c.fail("mask of shape " + dims(m) + " is none of (batch) " + dims({batch}) +
                          ", (batch, total sequence) " + dims({batch, total}) + " or (batch, sequence, total) " +
                          dims({batch, sequence, total}));
    }
    if (c.hasInput(biasIndex)) {
        const Shape& b = c.inputShape(biasIndex);
        const bool ok = b.size() == 4 && (b[0] == 1 || b[0] == batch) && (b[1] == 1 || b[1] == heads) &&
                        (b[2] == 1 || b[2] == sequence) && b[3] == total;
        if (!ok)
            return c.fail("attention_bias of shape " + dims(b) + " is not (batch or 1, heads or 1, " +
                          std::to_string(sequence) + " or 1, " + std::to_string(total) + ")");
    }
    return Status::ok();
}

// Attention (input, weights, bias, mask_index, past, attention_bias,
// past_sequence_length) -> output, present: the QKV projection and
// multi-head attention in one op.
Status attentionRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 7, 2));
    const auto& n = c.node();
    const Shape& x = c.inputShape(0);
    const Shape& w = c.inputShape(1);
    if (x.size() != 3) return c.fail("input must be 3-D (batch, sequence, input hidden), not " + dims(x));
    if (w.size() != 2 || w[0] != x[2])
        return c.fail("weights of shape " + dims(w) + " are not (input hidden " + std::to_string(x[2]) +
                      ", 3 * hidden)");
    if (n.attrInt("do_rotary", 0) != 0) return c.fail("do_rotary is not supported");
    if (n.attrInt("past_present_share_buffer", 0) != 0) return c.fail("past_present_share_buffer is not supported");
    if (c.hasInput(6)) return c.fail("past_sequence_length is not supported");
    std::vector<int64_t> sizes = n.attrInts("qkv_hidden_sizes");
    if (sizes.empty()) {
        if (w[1] % 3 != 0) return c.fail("weights' width " + std::to_string(w[1]) + " is not 3 * hidden");
        sizes.assign(3, w[1] / 3);
    }
    if (sizes.size() != 3 || sizes[0] != sizes[1] || sizes[0] + sizes[1] + sizes[2] != w[1])
        return c.fail("qkv_hidden_sizes must be 3 sizes, Q's equal to K's, summing to the weights' width " +
                      std::to_string(w[1]));
    const int64_t heads = n.attrInt("num_heads", 0);
    IS_RETURN_IF_ERROR(checkHeads(c, heads, sizes[0], "the Q/K hidden size"));
    IS_RETURN_IF_ERROR(checkHeads(c, heads, sizes[2], "the V hidden size"));
    if (c.hasInput(2) && c.inputShape(2) != Shape{w[1]})
        return c.fail("bias must be 1-D of the weights' width " + std::to_string(w[1]));
    const int64_t batch = x[0], seq = x[1];
    int64_t past = 0;
    if (c.hasInput(4)) {
        const Shape& p = c.inputShape(4);
        if (sizes[0] != sizes[2]) return c.fail("past needs equal Q, K and V hidden sizes");
        if (p.size() != 5 || p[0] != 2 || p[1] != batch || p[2] != heads || p[4] != sizes[0] / heads)
            return c.fail("past of shape " + dims(p) + " is not (2, batch, num_heads, past sequence, head size)");
        past = p[3];
    }
    IS_RETURN_IF_ERROR(checkMasks(c, 3, 5, batch, heads, seq, past + seq));
    IS_RETURN_IF_ERROR(setChecked(c, 0, c.inputType(0), {batch, seq, sizes[2]}));
    return setChecked(c, 1, c.inputType(0), {2, batch, heads, past + seq, sizes[0] / heads});
}

// MultiHeadAttention (query, key, value, bias, key_padding_mask,
// attention_bias, past_key, past_value) -> output, present_key,
// present_value; query, key and value 3-D (batch, sequence, hidden).
Status multiHeadAttentionRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 3, 8, 3));
    const auto& n = c.node();
    const Shape& q = c.inputShape(0);
    const Shape& k = c.inputShape(1);
    const Shape& v = c.inputShape(2);
    if (q.size() != 3) return c.fail("query must be 3-D (batch, sequence, hidden), not " + dims(q));
    if (k.size() != 3 || v.size() != 3 || k[0] != q[0] || v[0] != q[0] || k[1] != v[1] || k[2] != q[2])
        return c.fail("key " + dims(k) + " and value " + dims(v) +
                      " must be 3-D (batch, kv sequence, hidden), key's hidden size the query's " + dims(q) +
                      " (packed and BNSH key / value are not supported)");
    const int64_t heads = n.attrInt("num_heads", 0);
    IS_RETURN_IF_ERROR(checkHeads(c, heads, q[2], "the hidden size"));
    IS_RETURN_IF_ERROR(checkHeads(c, heads, v[2], "the value hidden size"));
    if (c.hasInput(3) && c.inputShape(3) != Shape{2 * q[2] + v[2]})
        return c.fail("bias must be 1-D of Q + K + V hidden sizes = " + std::to_string(2 * q[2] + v[2]));
    const int64_t batch = q[0], seq = q[1], head = q[2] / heads, vhead = v[2] / heads;
    int64_t past = 0;
    if (c.hasInput(6) != c.hasInput(7)) return c.fail("past_key and past_value go together");
    if (c.hasInput(6)) {
        const Shape& pk = c.inputShape(6);
        const Shape& pv = c.inputShape(7);
        if (pk.size() != 4 || pk[0] != batch || pk[1] != heads || pk[3] != head || pv.size() != 4 || pv[0] != batch ||
            pv[1] != heads || pv[2] != pk[2] || pv[3] != vhead)
            return c.fail("past_key " + dims(pk) + " / past_value " + dims(pv) +
                          " are not (batch, num_heads, past sequence, head size)");
        past = pk[2];
    }
    const int64_t total = past + k[1];
    IS_RETURN_IF_ERROR(checkMasks(c, 4, 5, batch, heads, seq, total));
    IS_RETURN_IF_ERROR(setChecked(c, 0, c.inputType(0), {batch, seq, v[2]}));
    IS_RETURN_IF_ERROR(setChecked(c, 1, c.inputType(0), {batch, heads, total, head}));
    return setChecked(c, 2, c.inputType(0), {batch, heads, total, vhead});
}

// GroupQueryAttention (query, key, value, past_key, past_value, seqlens_k,
// total_sequence_length, cos_cache, sin_cache) -> output, present_key,
// present_value. The present length is total_sequence_length's value
// (at least the past's), so it must be known before the run.
Status groupQueryAttentionRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 9, 3));
    if (c.inputCount() < 7 || !c.hasInput(5) || !c.hasInput(6))
        return c.fail("seqlens_k and total_sequence_length (inputs 5 and 6) are required");
    const auto& n = c.node();
    const int64_t heads = n.attrInt("num_heads", 0), kvHeads = n.attrInt("kv_num_heads", 0);
    if (heads < 1 || kvHeads < 1 || heads % kvHeads != 0)
        return c.fail("num_heads " + std::to_string(heads) + " must be a multiple of kv_num_heads " +
                      std::to_string(kvHeads) + " (both >= 1)");
    if (!c.hasInput(1) || !c.hasInput(2)) return c.fail("packed QKV (no key / value inputs) is not supported");
    if (n.attrFloat("softcap", 0.f) != 0.f || n.attrInt("smooth_softmax", 0) != 0)
        return c.fail("softcap / smooth_softmax are not supported");
    const Shape& q = c.inputShape(0);
    const Shape& k = c.inputShape(1);
    const Shape& v = c.inputShape(2);
    if (q.size() != 3) return c.fail("query must be 3-D (batch, sequence, hidden), not " + dims(q));
    IS_RETURN_IF_ERROR(checkHeads(c, heads, q[2], "the query hidden size"));
    const int64_t batch = q[0], seq = q[1], head = q[2] / heads;
    const Shape kv{batch, seq, kvHeads * head};
    if (k != kv || v != kv)
        return c.fail("key " + dims(k) + " and value " + dims(v) +
                      " must be (batch, sequence, kv_num_heads * head size) " + dims(kv));
    int64_t past = 0;
    if (c.hasInput(3) != c.hasInput(4)) return c.fail("past_key and past_value go together");
    if (c.hasInput(3)) {
        const Shape& pk = c.inputShape(3);
        if (pk.size() != 4 || pk[0] != batch || pk[1] != kvHeads || pk[3] != head || c.inputShape(4) != pk)
            return c.fail("past_key " + dims(pk) + " / past_value " + dims(c.inputShape(4)) +
                          " are not (batch, kv_num_heads, past sequence, head size)");
        past = pk[2];
    }
    if (c.inputShape(5) != Shape{batch}) return c.fail("seqlens_k must be 1-D of batch size");
    std::vector<int64_t> total;
    IS_RETURN_IF_ERROR(readInts(c, 6, "total_sequence_length", total));
    if (total.size() != 1 || total[0] < seq) return c.fail("total_sequence_length must be one value >= the sequence");
    if (n.attrInt("do_rotary", 0) != 0) {
        if (!c.hasInput(7) || !c.hasInput(8)) return c.fail("do_rotary needs cos_cache and sin_cache");
        const Shape& cos = c.inputShape(7);
        if (cos.size() != 2 || c.inputShape(8) != cos || cos[1] * 2 > head || cos[0] < total[0])
            return c.fail("cos_cache / sin_cache of shape " + dims(cos) +
                          " are not (max positions >= total sequence, rotary dim / 2 <= head size / 2)");
    }
    const int64_t present = std::max(past, total[0]);
    IS_RETURN_IF_ERROR(setChecked(c, 0, c.inputType(0), q));
    IS_RETURN_IF_ERROR(setChecked(c, 1, c.inputType(0), {batch, kvHeads, present, head}));
    return setChecked(c, 2, c.inputType(0), {batch, kvHeads, present, head});
}

// RotaryEmbedding (input, position_ids, cos_cache, sin_cache) -> the
// input's shape; input (batch, sequence, hidden) or (batch, heads,
// sequence, head size).
Status rotaryEmbeddingRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 4, 4, 1));
    const auto& n = c.node();
    const Shape& x = c.inputShape(0);
    const Shape& cos = c.inputShape(2);
    if (x.size() != 3 && x.size() != 4) return c.fail("input must be 3-D or 4-D, not " + dims(x));
    if (cos.size() != 2 || c.inputShape(3) != cos)
        return c.fail("cos_cache " + dims(cos) + " and sin_cache " + dims(c.inputShape(3)) +
                      " must be 2-D (max positions, rotary dim / 2) and alike");
    if (n.attrInt("is_packed_batching", 0) != 0) return c.fail("is_packed_batching is not supported");
    const int64_t seq = x.size() == 3 ? x[1] : x[2];
    int64_t head = x.size() == 4 ? x[3] : 0;
    const int64_t heads = n.attrInt("num_heads", 0);
    if (x.size() == 3) {
        if (heads > 0) {
            IS_RETURN_IF_ERROR(checkHeads(c, heads, x[2], "the hidden size"));
            head = x[2] / heads;
        } else {
            head = cos[1] * 2;  // no num_heads: the rotary dim is the head size
            if (head < 1 || x[2] % head != 0)
                return c.fail("hidden size " + std::to_string(x[2]) + " is not a multiple of the rotary dim " +
                              std::to_string(head) + " (set num_heads)");
        }
    }
    const int64_t rotary = n.attrInt("rotary_embedding_dim", 0);
    const int64_t rotaryDim = rotary > 0 ? rotary : head;
    if (rotaryDim % 2 != 0 || rotaryDim > head || cos[1] * 2 != rotaryDim)
        return c.fail("rotary dim " + std::to_string(rotaryDim) + " must be even, at most the head size " +
                      std::to_string(head) + " and twice cos_cache's width " + std::to_string(cos[1]));
    const Shape& pos = c.inputShape(1);
    if (!(pos == Shape{x[0], seq} || elementCount(pos).value_or(0) == 1))
        return c.fail("position_ids of shape " + dims(pos) + " are neither (batch, sequence) nor one offset");
    return setChecked(c, 0, c.inputType(0), x);
}

}  // namespace

namespace rules {
const ShapeRule biasGelu = &biasGeluRule;
const ShapeRule simplifiedLayerNorm = &simplifiedLayerNormRule;
const ShapeRule skipLayerNorm = &skipLayerNormRule;
const ShapeRule fusedMatMul = &fusedMatMulRule;
const ShapeRule matMulNBits = &matMulNBitsRule;
const ShapeRule attention = &attentionRule;
const ShapeRule multiHeadAttention = &multiHeadAttentionRule;
const ShapeRule groupQueryAttention = &groupQueryAttentionRule;
const ShapeRule rotaryEmbedding = &rotaryEmbeddingRule;
}  // namespace rules

}  // namespace interstage::shapes
