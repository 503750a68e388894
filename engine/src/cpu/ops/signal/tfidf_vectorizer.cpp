// TfIdfVectorizer on integer tokens: counts the n-grams of the pool
// (pool_int64s) in each row of the input, skipping up to max_skip_count
// tokens between an n-gram's items, and writes the counts (TF), presence
// weights (IDF) or weighted counts (TFIDF) at ngram_indexes. The pool
// becomes a trie at prepare; a run walks it from every start position.
// String tokens (pool_strings) are not supported: the engine's tensors do
// not carry strings through the executor.
#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "cpu/ops/signal/signal_kernels.h"

namespace interstage::cpu::signal {

namespace {

enum class Weighting { Tf, Idf, TfIdf };

class TfIdfVectorizerKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        const Node& node = context.node();
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs one input and one output");
        const DataType in = context.inputType(0);
        if (in == DataType::String || node.hasAttr("pool_strings"))
            return context.unsupportedHere(
                "string tokens (pool_strings) are not supported; only int32 / int64 tokens with pool_int64s");
        if (in != DataType::Int32 && in != DataType::Int64)
            return context.unsupportedHere(std::string("tokens of ") + dataTypeName(in) + " are not supported");
        if (context.output(0).dtype != DataType::Float) return context.invalidHere("output must be float");
        const std::string mode = node.attrString("mode", "");
        if (mode == "TF")
            weighting_ = Weighting::Tf;
        else if (mode == "IDF")
            weighting_ = Weighting::Idf;
        else if (mode == "TFIDF")
            weighting_ = Weighting::TfIdf;
        else
            return context.invalidHere("attribute 'mode' must be TF, IDF or TFIDF, not '" + mode + "'");
        minGram_ = node.attrInt("min_gram_length", 0);
        maxGram_ = node.attrInt("max_gram_length", 0);
        maxSkip_ = node.attrInt("max_skip_count", 0);
        if (minGram_ < 1 || maxGram_ < minGram_ || maxSkip_ < 0)
            return context.invalidHere("needs 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0");
        indexes_ = node.attrInts("ngram_indexes");
        weights_ = node.attrFloats("weights");
        const Shape& out = context.output(0).shape;
        if (out.empty() || indexes_.empty()) return context.invalidHere("needs ngram_indexes and a resolved output");
        width_ = out.back();
        for (int64_t index : indexes_)
            if (index < 0 || index >= width_) return context.invalidHere("ngram_indexes hold an index out of range");
        if (!weights_.empty() && static_cast<int64_t>(weights_.size()) < width_)
            return context.invalidHere("attribute 'weights' has fewer values than outputs");
        return buildTrie(context, node.attrInts("pool_int64s"), node.attrInts("ngram_counts"));
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        const int64_t rows = in.shape.size() == 2 ? in.shape[0] : 1;
        const int64_t columns = in.shape.empty() ? 1 : in.shape.back();
        float* y = out.as<float>();
        std::memset(y, 0, out.bytes());
        for (int64_t r = 0; r < rows; ++r) countRow(in, r * columns, columns, y + r * width_);
        for (int64_t r = 0; r < rows; ++r) weigh(y + r * width_);
        return Status::ok();
    }

private:
    struct TrieNode {
        int64_t id = 0;  // 1-based n-gram number; 0: only a prefix of longer n-grams
        std::unordered_map<int64_t, int32_t> children;
    };

    // ngram_counts[k] is where the (k+1)-grams start in the pool. Every
    // n-gram gets the next number, but only those of a length in
    // [min_gram_length, max_gram_length] enter the trie.
    Status buildTrie(const PrepareContext& context, const std::vector<int64_t>& pool,
                     const std::vector<int64_t>& counts) {
        trie_.assign(1, TrieNode{});
        int64_t id = 1;
        const auto total = static_cast<int64_t>(pool.size());
        for (size_t k = 0; k < counts.size(); ++k) {
            const auto size = static_cast<int64_t>(k + 1);
            const int64_t begin = counts[k];
            const int64_t end = k + 1 < counts.size() ? counts[k + 1] : total;
            if (begin < 0 || end > total || begin > end)
                return context.invalidHere("attribute 'ngram_counts' does not fit pool_int64s");
            const int64_t grams = (end - begin) / size;
            if (size < minGram_ || size > maxGram_) {
                id += grams;
                continue;
            }
            for (int64_t g = 0; g < grams; ++g) {
                int32_t at = 0;
                for (int64_t item = 0; item < size; ++item) {
                    const int64_t token = pool[static_cast<size_t>(begin + g * size + item)];
                    auto found = trie_[static_cast<size_t>(at)].children.find(token);
                    if (found == trie_[static_cast<size_t>(at)].children.end()) {
                        trie_.push_back(TrieNode{});
                        const auto child = static_cast<int32_t>(trie_.size() - 1);
                        trie_[static_cast<size_t>(at)].children.emplace(token, child);
                        at = child;
                    } else {
                        at = found->second;
                    }
                }
                trie_[static_cast<size_t>(at)].id = id++;
            }
        }
        if (id - 1 > static_cast<int64_t>(indexes_.size()))
            return context.invalidHere("the pool holds more n-grams than ngram_indexes has entries");
        return Status::ok();
    }

    static int64_t token(const TensorView& in, int64_t i) {
        return in.dtype == DataType::Int64 ? in.as<const int64_t>()[i] : in.as<const int32_t>()[i];
    }

    // Counts every n-gram of the pool starting at each position of the row,
    // for each skip distance; unigrams once, as skips do not change them.
    void countRow(const TensorView& in, int64_t first, int64_t columns, float* counts) const {
        int64_t startSize = minGram_;
        for (int64_t skip = 1; skip <= maxSkip_ + 1; ++skip) {
            for (int64_t start = 0; start < columns; ++start) {
                if (start + skip * (startSize - 1) >= columns) break;
                int32_t at = 0;
                int64_t size = 1;
                for (int64_t item = start; item < columns && size <= maxGram_; item += skip, ++size) {
                    const auto& children = trie_[static_cast<size_t>(at)].children;
                    auto found = children.find(token(in, first + item));
                    if (found == children.end()) break;
                    at = found->second;
                    const int64_t id = trie_[static_cast<size_t>(at)].id;
                    if (size >= startSize && id != 0) counts[indexes_[static_cast<size_t>(id - 1)]] += 1.0f;
                }
            }
            if (startSize == 1) {
                if (++startSize > maxGram_) break;
            }
        }
    }

    void weigh(float* row) const {
        for (int64_t k = 0; k < width_; ++k) {
            const float weight = weights_.empty() ? 1.0f : weights_[static_cast<size_t>(k)];
            if (weighting_ == Weighting::Idf)
                row[k] = row[k] > 0 ? weight : 0.0f;
            else if (weighting_ == Weighting::TfIdf)
                row[k] *= weight;
        }
    }

    Weighting weighting_ = Weighting::Tf;
    int64_t minGram_ = 1, maxGram_ = 1, maxSkip_ = 0, width_ = 0;
    std::vector<int64_t> indexes_;
    std::vector<float> weights_;
    std::vector<TrieNode> trie_;
};

}  // namespace

std::unique_ptr<Kernel> makeTfIdfVectorizerKernel() { return std::make_unique<TfIdfVectorizerKernel>(); }

}  // namespace interstage::cpu::signal
