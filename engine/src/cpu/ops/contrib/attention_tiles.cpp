#include "cpu/ops/contrib/attention_tiles.h"

#include <algorithm>
#include <exception>
#include <unordered_map>

#include "cpu/ops/nn/dnnl_context.h"

namespace interstage::cpu::contrib {

// One matmul primitive and, per thread, the memory objects it runs on
// (their data handles set per call: no allocation while running).
struct AttentionTileGemms::Product {
    struct ThreadArgs {
        dnnl::memory src, weights, dst, scratchpad;
        std::unordered_map<int, dnnl::memory> args;
    };

    dnnl::matmul primitive;
    mutable std::vector<ThreadArgs> threads;
    std::size_t scratchBytes = 0;

    Product(const dnnl::memory::desc& src, const dnnl::memory::desc& weights, const dnnl::memory::desc& dst,
            float scale, int threadCount) {
        dnnl::primitive_attr attributes = nn::makeAttributes(dnnl::post_ops());
        if (scale != 1.f) attributes.set_output_scales(0, {scale});
        const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, weights, dst), attributes, nn::dnnlEngine());
        primitive = dnnl::matmul(pd);
        scratchBytes = pd.scratchpad_desc().get_size();
        for (int t = 0; t < threadCount; ++t) {
            ThreadArgs a;
            a.src = dnnl::memory(src, nn::dnnlEngine(), nullptr);
            a.weights = dnnl::memory(weights, nn::dnnlEngine(), nullptr);
            a.dst = dnnl::memory(dst, nn::dnnlEngine(), nullptr);
            a.args = {{DNNL_ARG_SRC, a.src}, {DNNL_ARG_WEIGHTS, a.weights}, {DNNL_ARG_DST, a.dst}};
            if (scratchBytes > 0) {
                a.scratchpad = dnnl::memory(pd.scratchpad_desc(), nn::dnnlEngine(), nullptr);
                a.args.emplace(DNNL_ARG_SCRATCHPAD, a.scratchpad);
            }
            threads.push_back(std::move(a));
        }
    }

    void run(int thread, const float* src, const float* weights, float* dst, void* scratch) const {
        ThreadArgs& a = threads[static_cast<std::size_t>(thread)];
        a.src.set_data_handle(const_cast<float*>(src));
        a.weights.set_data_handle(const_cast<float*>(weights));
        a.dst.set_data_handle(dst);
        if (scratchBytes > 0) a.scratchpad.set_data_handle(scratch);
        primitive.execute(nn::dnnlStream(), a.args);
    }
};

AttentionTileGemms::AttentionTileGemms() = default;
AttentionTileGemms::~AttentionTileGemms() = default;

namespace {

std::size_t floatBytes(int64_t count) { return (static_cast<std::size_t>(count) * sizeof(float) + 63) / 64 * 64; }

dnnl::memory::desc dense(int64_t rows, int64_t cols) { return nn::plainDesc({rows, cols}); }

}  // namespace

bool AttentionTileGemms::prepare(const AttentionProblem& problem, int threads) {
    const AttentionProblem p = withCacheStrides(problem);
    const TileSplit split = splitTiles(p, threads);
    const int64_t full = split.rows, last = p.seq - (split.blocks - 1) * split.rows;
    scores_.clear();
    context_.clear();
    rows_.clear();
    for (int64_t rows : {full, last})
        if (rows > kDirectRows && !covers(rows)) rows_.push_back(rows);
    total_ = p.total, headSize_ = p.headSize, vHeadSize_ = p.vHeadSize;
    qRow_ = p.qRow, kRow_ = p.kRow, vRow_ = p.vRow, outRow_ = p.heads * p.vHeadSize;
    std::size_t pad = 0;
    try {
        for (int64_t rows : rows_) {
            scores_.push_back(std::make_unique<Product>(dense(rows, headSize_), dense(headSize_, total_),
                                                        dense(rows, total_), p.scale, threads));
            context_.push_back(std::make_unique<Product>(dense(rows, total_), dense(total_, vHeadSize_),
                                                         dense(rows, vHeadSize_), 1.f, threads));
            pad = std::max({pad, scores_.back()->scratchBytes, context_.back()->scratchBytes});
        }
    } catch (const std::exception&) {
        scores_.clear();
        context_.clear();
        rows_.clear();
        return false;
    }
    keysAt_ = 0;
    valuesAt_ = keysAt_ + floatBytes(headSize_ * total_);
    queryAt_ = valuesAt_ + floatBytes(total_ * vHeadSize_);
    outAt_ = queryAt_ + floatBytes(full * headSize_);
    padAt_ = outAt_ + floatBytes(full * vHeadSize_);
    threadBytes_ = padAt_ + (pad + 63) / 64 * 64;
    return !rows_.empty();
}

int AttentionTileGemms::variantOf(int64_t rows) const {
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i] == rows) return static_cast<int>(i);
    return -1;
}

bool AttentionTileGemms::covers(int64_t rows) const { return variantOf(rows) >= 0; }

void AttentionTileGemms::packHead(const float* k, const float* v, void* scratch) const {
    auto* keys = static_cast<float*>(nn::workspaceAt(scratch, keysAt_));
    auto* values = static_cast<float*>(nn::workspaceAt(scratch, valuesAt_));
    for (int64_t t = 0; t < total_; ++t) {
        const float* key = k + t * kRow_;
        for (int64_t d = 0; d < headSize_; ++d) keys[d * total_ + t] = key[d];
        std::copy_n(v + t * vRow_, vHeadSize_, values + t * vHeadSize_);
    }
}

void AttentionTileGemms::scores(int thread, int64_t rows, const float* q, float* scores, void* scratch) const {
    auto* query = static_cast<float*>(nn::workspaceAt(scratch, queryAt_));
    for (int64_t r = 0; r < rows; ++r) std::copy_n(q + r * qRow_, headSize_, query + r * headSize_);
    scores_[static_cast<std::size_t>(variantOf(rows))]->run(
        thread, query, static_cast<const float*>(nn::workspaceAt(scratch, keysAt_)), scores,
        nn::workspaceAt(scratch, padAt_));
}

void AttentionTileGemms::context(int thread, int64_t rows, const float* probs, float* out, void* scratch) const {
    auto* tile = static_cast<float*>(nn::workspaceAt(scratch, outAt_));
    context_[static_cast<std::size_t>(variantOf(rows))]->run(
        thread, probs, static_cast<const float*>(nn::workspaceAt(scratch, valuesAt_)), tile,
        nn::workspaceAt(scratch, padAt_));
    for (int64_t r = 0; r < rows; ++r) std::copy_n(tile + r * vHeadSize_, vHeadSize_, out + r * outRow_);
}

}  // namespace interstage::cpu::contrib
