// Scaled dot-product attention shared by Attention, MultiHeadAttention and
// GroupQueryAttention: per batch and head, softmax(scale * Q K^T + masks)
// V, with K and V already laid out as the present cache (batch, kv heads,
// total sequence, head size). Query head h reads kv head h / (heads /
// kvHeads), which is grouped-query attention and plain multi-head
// attention when the counts agree.
#pragma once

#include <cstddef>
#include <cstdint>

namespace interstage::cpu::contrib {

struct AttentionProblem {
    int64_t batch = 0, heads = 0, kvHeads = 0, seq = 0, total = 0, headSize = 0, vHeadSize = 0;
    float scale = 1.f;
    // Query (b, s, h, d) at q[b * qBatch + s * qRow + h * headSize + d].
    const float* q = nullptr;
    int64_t qBatch = 0, qRow = 0;
    // Key (b, g, t, d) at k[((b * kvHeads + g) * total + t) * headSize + d];
    // value likewise with vHeadSize.
    const float* k = nullptr;
    const float* v = nullptr;
    // Output (b, s, h, d) at out[(b * seq + s) * heads * vHeadSize + h * vHeadSize + d].
    float* out = nullptr;

    // Masks added to the scores as maskFilter (Attention, MultiHeadAttention):
    bool causal = false;                    // key t hidden from query s when t > past + s
    float maskFilter = -10000.f;            // what a masked score gets
    const int32_t* keyEnds = nullptr;       // (batch): keys at and past the end are masked
    const int32_t* keyMask = nullptr;       // (batch, total): 0 masks
    const int32_t* queryKeyMask = nullptr;  // (batch, seq, total): 0 masks
    // Additive bias (b or 1, h or 1, seq, total); strides 0 when broadcast.
    const float* bias = nullptr;
    int64_t biasBatch = 0, biasHead = 0;

    // GroupQueryAttention: keys outside each batch's [0, past + s] are left
    // out of the softmax entirely; nullptr means past = total - seq for all.
    const int32_t* pastLengths = nullptr;  // (batch)
    // With pastLengths: query at position p sees only the localWindow keys
    // p - localWindow + 1 to p (a sliding window, as Mistral's; ONNX
    // Runtime counts it so); -1: no window.
    int64_t localWindow = -1;
};

// Fills a cache (batch, heads, cacheLength, headSize): positions [0, past)
// of each head from `past` (batch, heads, pastLength, headSize; nullptr:
// nothing), then `rows` new tokens from `fresh`, token (b, r) head h at
// fresh[b * freshBatch + r * freshRow + h * headSize], plus bias[h *
// headSize + d] when bias is given. Positions after those are zeroed.
struct CacheFill {
    int64_t batch = 0, heads = 0, headSize = 0, cacheLength = 0;
    const float* past = nullptr;
    int64_t pastLength = 0;
    const float* fresh = nullptr;
    int64_t freshBatch = 0, freshRow = 0, rows = 0;
    const float* bias = nullptr;
};
// pastKept[b]: how many past positions batch b keeps (nullptr: all); the
// new tokens go right after them.
void fillCache(const CacheFill& f, float* cache, const int32_t* pastKept = nullptr);

// Scratch floats runAttention needs for `threads` threads.
std::size_t attentionScratchFloats(const AttentionProblem& p, int threads);
void runAttention(const AttentionProblem& p, float* scratch, int threads);

}  // namespace interstage::cpu::contrib
