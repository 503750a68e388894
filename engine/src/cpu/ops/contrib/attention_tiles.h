// The two matrix products of an attention tile (S = scale * Q K^T, then
// O = P V) as oneDNN matmul primitives made at prepare, for one problem's
// tile shapes. oneDNN's sgemm (the fallback), and its matmul on strided
// operands, generate their kernels on the first call of the process
// (about 30 ms here), which lands in the first run. Its brgemm matmul,
// made with the session as every MatMul's is, wants dense operands: so
// each thread packs the head it works on (K transposed to (d, keys), V
// to (keys, dv)) once, and copies a tile's Q rows in and its output rows
// out. Tiles go to threads in contiguous runs, so a thread packs about
// heads / threads + 1 heads. Each thread has its own buffers, memory
// objects and primitive scratchpad, so tiles run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "cpu/ops/contrib/attention_core.h"

namespace interstage::cpu::contrib {

class AttentionTileGemms {
public:
    AttentionTileGemms();
    ~AttentionTileGemms();
    AttentionTileGemms(const AttentionTileGemms&) = delete;
    AttentionTileGemms& operator=(const AttentionTileGemms&) = delete;

    // Makes the primitives for p's tiles (its strides fixed from now on) on
    // up to `threads` threads; false (and nothing made) when oneDNN cannot,
    // and then the core falls back to sgemm.
    bool prepare(const AttentionProblem& p, int threads);
    // Bytes every thread needs (packed head, tile buffers, scratchpad), a
    // multiple of 64; the caller's workspace.
    std::size_t scratchBytesPerThread() const { return threadBytes_; }
    // True when tiles of `rows` query rows have primitives.
    bool covers(int64_t rows) const;

    // Packs one head's keys (kRow floats apart) and values (vRow apart)
    // into the thread's scratch.
    void packHead(const float* k, const float* v, void* scratch) const;
    // scores (rows x total, dense) = scale * q (rows x headSize, qRow
    // apart) times the packed keys transposed.
    void scores(int thread, int64_t rows, const float* q, float* scores, void* scratch) const;
    // out (rows x vHeadSize, outRow apart) = probs times the packed values.
    void context(int thread, int64_t rows, const float* probs, float* out, void* scratch) const;

private:
    struct Product;
    // Index of the products for a tile of `rows` rows: 0 full tiles, 1 the last.
    int variantOf(int64_t rows) const;

    std::vector<std::unique_ptr<Product>> scores_, context_;  // per variant
    std::vector<int64_t> rows_;                               // per variant
    int64_t total_ = 0, headSize_ = 0, vHeadSize_ = 0, qRow_ = 0, kRow_ = 0, vRow_ = 0, outRow_ = 0;
    // Offsets in a thread's scratch: K^T (d x total), V (total x dv), a
    // tile's Q and output rows, the primitives' scratchpad.
    std::size_t keysAt_ = 0, valuesAt_ = 0, queryAt_ = 0, outAt_ = 0, padAt_ = 0, threadBytes_ = 0;
};

}  // namespace interstage::cpu::contrib
