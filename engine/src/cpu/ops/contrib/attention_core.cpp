#include "cpu/ops/contrib/attention_core.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "cpu/ops/contrib/attention_tiles.h"
#include "cpu/ops/contrib/batched_gemm.h"
#include "cpu/ops/elementwise/vec_math.h"

namespace interstage::cpu::contrib {

// row[t] = exp(row[t] - peak) for t < n; returns their sum. Sixteen lanes
// at a time with the elementwise kernels' exp: libm's would stay scalar,
// and the exponentials are most of a softmax over a few hundred keys.
// (target_clones needs external linkage, so this is outside the anonymous
// namespace.)
EW_VECTOR_CLONES float expShiftedSum(float* row, int64_t n, float peak) {
    using namespace ew;
    VecF sum = splat(0.f);
    int64_t t = 0;
    for (; t + kLanes <= n; t += kLanes) {
        const VecF e = vexp(loadVec(row + t) - peak);
        storeVec(row + t, e);
        sum += e;
    }
    float total = 0.f;
    for (int64_t lane = 0; lane < kLanes; ++lane) total += sum[lane];
    for (; t < n; ++t) {
        row[t] = std::exp(row[t] - peak);
        total += row[t];
    }
    return total;
}

// Decoding (a query row or a few): scores[t] = scale * q . k_t straight
// from the key rows (kRow floats apart). sgemm would pack the whole key
// cache per call for a single row; this reads each key once.
EW_VECTOR_CLONES void scoreRow(const float* q, const float* k, int64_t kRow, int64_t T, int64_t D, float scale,
                               float* scores) {
    using namespace ew;
    for (int64_t t = 0; t < T; ++t, k += kRow) {
        VecF acc = splat(0.f);
        int64_t d = 0;
        for (; d + kLanes <= D; d += kLanes) acc += loadVec(q + d) * loadVec(k + d);
        float dot = 0.f;
        for (int64_t lane = 0; lane < kLanes; ++lane) dot += acc[lane];
        for (; d < D; ++d) dot += q[d] * k[d];
        scores[t] = scale * dot;
    }
}

// out[d] = sum_t weights[t] * v_t[d] over the value rows (vRow floats
// apart; keys with weight 0, outside the softmax, are skipped).
EW_VECTOR_CLONES void weightedRow(const float* weights, const float* v, int64_t vRow, int64_t T, int64_t D,
                                  float* out) {
    for (int64_t d = 0; d < D; ++d) out[d] = 0.f;
    for (int64_t t = 0; t < T; ++t, v += vRow) {
        const float w = weights[t];
        if (w == 0.f) continue;
        for (int64_t d = 0; d < D; ++d) out[d] += w * v[d];
    }
}

namespace {

// The keys [first, end) of a query row that take part in its softmax.
struct KeyRange {
    int64_t first = 0, end = 0;
};

// Adds the masks to one query row of scores and returns the keys that take
// part in its softmax (GroupQueryAttention leaves the rest out: those past
// the query's position, and those before a local window).
KeyRange maskRow(const AttentionProblem& p, int64_t b, int64_t h, int64_t s, float* row) {
    const int64_t T = p.total;
    if (p.pastLengths) {
        const int64_t end = std::clamp<int64_t>(int64_t{p.pastLengths[b]} + s + 1, 0, T);
        const int64_t first = p.localWindow >= 0 ? std::max<int64_t>(end - p.localWindow, 0) : 0;
        return {first, end};
    }
    if (p.bias) {
        const float* bias = p.bias + b * p.biasBatch + h * p.biasHead + s * p.biasRow;
        for (int64_t t = 0; t < T; ++t) row[t] += bias[t];
    }
    if (p.keyEnds)
        for (int64_t t = std::max<int64_t>(p.keyEnds[b], 0); t < T; ++t) row[t] += p.maskFilter;
    if (p.keyMask)
        for (int64_t t = 0; t < T; ++t)
            if (p.keyMask[b * T + t] == 0) row[t] += p.maskFilter;
    if (p.queryKeyMask)
        for (int64_t t = 0; t < T; ++t)
            if (p.queryKeyMask[(b * p.seq + s) * T + t] == 0) row[t] += p.maskFilter;
    if (p.causal)
        for (int64_t t = T - p.seq + s + 1; t < T; ++t) row[t] += p.maskFilter;
    return {0, T};
}

// Softmax over the keys in range; the others get weight 0.
void softmax(float* row, KeyRange keys, int64_t total) {
    float peak = -std::numeric_limits<float>::infinity();
    for (int64_t t = keys.first; t < keys.end; ++t) peak = std::max(peak, row[t]);
    const float sum = expShiftedSum(row + keys.first, keys.end - keys.first, peak);
    const float inv = sum > 0.f ? 1.f / sum : 0.f;
    for (int64_t t = keys.first; t < keys.end; ++t) row[t] *= inv;
    std::fill(row, row + keys.first, 0.f);
    std::fill(row + keys.end, row + total, 0.f);
}

}  // namespace

void fillCache(const CacheFill& f, float* cache, const int32_t* pastKept) {
    const int64_t H = f.headSize;
#pragma omp parallel for schedule(static) if (f.batch * f.heads * f.cacheLength * H > 65536)
    for (int64_t bh = 0; bh < f.batch * f.heads; ++bh) {
        const int64_t b = bh / f.heads, h = bh % f.heads;
        float* head = cache + bh * f.cacheLength * H;
        const int64_t kept = std::clamp<int64_t>(pastKept ? int64_t{pastKept[b]} : f.pastLength, 0, f.pastLength);
        const int64_t rows = std::min(f.rows, f.cacheLength - kept);
        if (f.past && kept > 0) std::copy_n(f.past + bh * f.pastLength * H, kept * H, head);
        for (int64_t r = 0; r < rows; ++r) {
            const float* src = f.fresh + b * f.freshBatch + r * f.freshRow + h * H;
            float* dst = head + (kept + r) * H;
            for (int64_t d = 0; d < H; ++d) dst[d] = src[d] + (f.bias ? f.bias[h * H + d] : 0.f);
        }
        std::fill(head + (kept + rows) * H, head + f.cacheLength * H, 0.f);
    }
}

TileSplit splitTiles(const AttentionProblem& p, int threads) {
    if (p.seq <= 0) return {};
    const int64_t fewest = (p.seq + kQueryBlock - 1) / kQueryBlock, pairs = p.batch * p.heads;
    int64_t blocks = fewest;
    for (int64_t more = fewest; more < fewest + threads && more <= p.seq; ++more)
        if ((pairs * more) % std::max(threads, 1) == 0) {
            blocks = more;
            break;
        }
    const int64_t rows = (p.seq + blocks - 1) / blocks;
    return {rows, (p.seq + rows - 1) / rows};
}

std::size_t attentionScratchFloats(const AttentionProblem& p, int threads) {
    const int64_t rows = splitTiles(p, threads).rows;
    return static_cast<std::size_t>(std::max(threads, 1)) * static_cast<std::size_t>(rows * p.total);
}

AttentionProblem withCacheStrides(AttentionProblem p) {
    if (p.kRow == 0) {
        p.kRow = p.headSize;
        p.kHead = p.total * p.headSize;
        p.kBatch = p.kvHeads * p.kHead;
    }
    if (p.vRow == 0) {
        p.vRow = p.vHeadSize;
        p.vHead = p.total * p.vHeadSize;
        p.vBatch = p.kvHeads * p.vHead;
    }
    return p;
}

namespace {

// The thread's part of the tile products' scratch.
void* threadScratch(const AttentionProblem& p, int thread) {
    return static_cast<char*>(p.gemmScratch) + static_cast<std::size_t>(thread) * p.gemmScratchStride;
}

// The tile's two products: on the prepared primitives (over the head the
// thread packed) where they cover it, else on sgemm.
void tileScores(const AttentionProblem& p, int thread, int64_t rows, const float* q, const float* k, float* scores) {
    if (p.gemms && p.gemms->covers(rows))
        p.gemms->scores(thread, rows, q, scores, threadScratch(p, thread));
    else
        sgemm(false, true, rows, p.total, p.headSize, p.scale, q, p.qRow, k, p.kRow, 0.f, scores, p.total);
}

void tileContext(const AttentionProblem& p, int thread, int64_t rows, const float* probs, const float* v, float* out) {
    if (p.gemms && p.gemms->covers(rows))
        p.gemms->context(thread, rows, probs, out, threadScratch(p, thread));
    else
        sgemm(false, false, rows, p.vHeadSize, p.total, 1.f, probs, p.total, v, p.vRow, 0.f, out,
              p.heads * p.vHeadSize);
}

// One tile: query rows [s0, s0 + rows) of batch b and head h against every
// key, their output rows written straight into the (b, s, h, d) output.
void attendTile(const AttentionProblem& p, int thread, int64_t b, int64_t h, int64_t s0, int64_t rows, float* scores) {
    const int64_t g = h / (p.heads / p.kvHeads);
    const int64_t outRow = p.heads * p.vHeadSize;
    const int64_t T = p.total;
    const float* q = p.q + b * p.qBatch + s0 * p.qRow + h * p.headSize;
    const float* k = p.k + b * p.kBatch + g * p.kHead;
    const float* v = p.v + b * p.vBatch + g * p.vHead;
    float* out = p.out + (b * p.seq + s0) * outRow + h * p.vHeadSize;
    const bool direct = rows <= kDirectRows;
    if (direct)
        for (int64_t r = 0; r < rows; ++r) scoreRow(q + r * p.qRow, k, p.kRow, T, p.headSize, p.scale, scores + r * T);
    else
        tileScores(p, thread, rows, q, k, scores);
    for (int64_t r = 0; r < rows; ++r) {
        float* row = scores + r * T;
        softmax(row, maskRow(p, b, h, s0 + r, row), T);
    }
    if (direct)
        for (int64_t r = 0; r < rows; ++r) weightedRow(scores + r * T, v, p.vRow, T, p.vHeadSize, out + r * outRow);
    else
        tileContext(p, thread, rows, scores, v, out);
}

}  // namespace

void runAttention(const AttentionProblem& problem, float* scratch, int threads) {
    const AttentionProblem p = withCacheStrides(problem);
    threads = std::max(threads, 1);
    const TileSplit split = splitTiles(p, threads);
    const int64_t blockRows = split.rows, blocks = split.blocks;
    if (blockRows <= 0) return;
    const int64_t tiles = p.batch * p.heads * blocks;
    const int64_t group = p.heads / p.kvHeads;
    // Contiguous runs of tiles per thread (all tiles cost the same): a
    // thread's tiles share a head but where its run crosses into the next,
    // so the packed path packs about heads / threads + 1 heads per thread.
#pragma omp parallel num_threads(threads) if (tiles > 1)
    {
        const int thread = omp_get_thread_num();
        float* scores = scratch + static_cast<int64_t>(thread) * blockRows * p.total;
        int64_t packed = -1;
#pragma omp for schedule(static)
        for (int64_t tile = 0; tile < tiles; ++tile) {
            const int64_t pair = tile / blocks, s0 = (tile % blocks) * blockRows;
            const int64_t b = pair / p.heads, h = pair % p.heads;
            if (p.gemms && pair != packed) {
                p.gemms->packHead(p.k + b * p.kBatch + (h / group) * p.kHead,
                                  p.v + b * p.vBatch + (h / group) * p.vHead, threadScratch(p, thread));
                packed = pair;
            }
            attendTile(p, thread, b, h, s0, std::min(blockRows, p.seq - s0), scores);
        }
    }
}

}  // namespace interstage::cpu::contrib
