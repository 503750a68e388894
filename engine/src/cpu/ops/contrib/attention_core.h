// Scaled dot-product attention shared by Attention, MultiHeadAttention and
// GroupQueryAttention: per batch and head, softmax(scale * Q K^T + masks)
// V, with K and V laid out as the present cache (batch, kv heads, total
// sequence, head size) or read in place with strides (heads side by side
// in each token's row, as a dense layer writes them). Query head h reads
// kv head h / (heads / kvHeads), which is grouped-query attention and
// plain multi-head attention when the counts agree.
//
// The scores are computed a tile at a time: a block of query rows against
// every key, per batch and head, one tile per thread. The (seq x total)
// score matrix of a head never exists whole, so the scratch is
// threads x kQueryBlock x total floats whatever the sequence length.
#pragma once

#include <cstddef>
#include <cstdint>

namespace interstage::cpu::contrib {

class AttentionTileGemms;

struct AttentionProblem {
    int64_t batch = 0, heads = 0, kvHeads = 0, seq = 0, total = 0, headSize = 0, vHeadSize = 0;
    float scale = 1.f;
    // Query (b, s, h, d) at q[b * qBatch + s * qRow + h * headSize + d].
    const float* q = nullptr;
    int64_t qBatch = 0, qRow = 0;
    // Key (b, g, t, d) at k[b * kBatch + g * kHead + t * kRow + d]; value
    // likewise with the v strides. Strides left 0 mean the cache layout:
    // kRow = headSize, kHead = total * headSize, kBatch = kvHeads * kHead.
    const float* k = nullptr;
    const float* v = nullptr;
    int64_t kBatch = 0, kHead = 0, kRow = 0, vBatch = 0, vHead = 0, vRow = 0;
    // Output (b, s, h, d) at out[(b * seq + s) * heads * vHeadSize + h * vHeadSize + d].
    float* out = nullptr;

    // Masks added to the scores as maskFilter (Attention, MultiHeadAttention):
    bool causal = false;                    // key t hidden from query s when t > past + s
    float maskFilter = -10000.f;            // what a masked score gets
    const int32_t* keyEnds = nullptr;       // (batch): keys at and past the end are masked
    const int32_t* keyMask = nullptr;       // (batch, total): 0 masks
    const int32_t* queryKeyMask = nullptr;  // (batch, seq, total): 0 masks
    // Additive bias (b or 1, h or 1, seq or 1, total); strides 0 when
    // broadcast.
    const float* bias = nullptr;
    int64_t biasBatch = 0, biasHead = 0, biasRow = 0;

    // GroupQueryAttention: keys outside each batch's [0, past + s] are left
    // out of the softmax entirely; nullptr means past = total - seq for all.
    const int32_t* pastLengths = nullptr;  // (batch)
    // With pastLengths: query at position p sees only the localWindow keys
    // p - localWindow + 1 to p (a sliding window, as Mistral's; ONNX
    // Runtime counts it so); -1: no window.
    int64_t localWindow = -1;

    // The tiles' products on primitives made at prepare (attention_tiles.h;
    // nullptr: sgemm), with each thread's scratchpad gemmScratchStride
    // bytes apart from gemmScratch.
    const AttentionTileGemms* gemms = nullptr;
    void* gemmScratch = nullptr;
    std::size_t gemmScratchStride = 0;
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

// Query rows per score tile: small enough that a tile of a few hundred keys
// stays in L2 beside its Q rows, large enough for sgemm to pay off.
constexpr int64_t kQueryBlock = 32;

// How a problem's query rows split into tiles: `blocks` per batch and
// head of `rows` rows (the last may be shorter). At most kQueryBlock rows,
// the rows spread evenly over the blocks, and (within a few extra blocks)
// a tile count the threads divide, so that every thread gets the same work.
struct TileSplit {
    int64_t rows = 0, blocks = 0;
};
TileSplit splitTiles(const AttentionProblem& p, int threads);

// Tiles of at most this many query rows skip the matrix products (a
// decoding step): per-row loops beat packing the keys for one row.
constexpr int64_t kDirectRows = 4;

// The problem with the cache layout's strides filled in where left 0.
AttentionProblem withCacheStrides(AttentionProblem p);

// Scratch floats runAttention needs for `threads` threads.
std::size_t attentionScratchFloats(const AttentionProblem& p, int threads);
void runAttention(const AttentionProblem& p, float* scratch, int threads);

}  // namespace interstage::cpu::contrib
