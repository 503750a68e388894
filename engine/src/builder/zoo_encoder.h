// Transformer encoder layers as PyTorch's exporter writes them, shared by
// the zoo's encoders: dense layers as MatMul + Add, attention split into
// heads by Reshape + Transpose, LayerNorm decomposed (older opsets) or as
// the opset-17 LayerNormalization op, GELU in its erf or tanh form.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "net_builder.h"

namespace interstage::zoo {

enum class FeedForwardActivation { SiLU, GeluErf, GeluTanh };

struct EncoderDims {
    int64_t tokens = 16;
    int64_t hidden = 32;
    int64_t heads = 2;
    int64_t intermediate = 128;
    FeedForwardActivation activation = FeedForwardActivation::SiLU;
    bool layerNormOp = false;  // LayerNormalization (opset 17) instead of its decomposed form
    float layerNormEpsilon = 1e-12f;
};

class EncoderBuilder {
public:
    EncoderBuilder(NetBuilder& net, const EncoderDims& dims);

    // x @ W + b: "<scope>/MatMul", "<scope>/Add".
    std::string dense(const std::string& scope, const std::string& param, const std::string& x, int64_t in,
                      int64_t out);
    std::string layerNorm(const std::string& scope, const std::string& param, const std::string& x);
    // Self-attention over [1, T, H]: the context before the output dense.
    // bias: an additive [1, 1, 1, T] mask on the scores, or empty.
    std::string selfAttention(const std::string& scope, const std::string& param, const std::string& x,
                              const std::string& bias);
    // BERT's post-LayerNorm layer: attention, Add, LayerNorm, feed-forward, Add, LayerNorm.
    std::string postNormLayer(const std::string& scope, const std::string& param, const std::string& x,
                              const std::string& bias = {});
    // ViT's pre-LayerNorm layer: x + attention(LN(x)), then + MLP(LN(.)).
    std::string preNormLayer(const std::string& scope, const std::string& param, const std::string& x);
    std::string activation(const std::string& scope, const std::string& x);

private:
    // [1, T, H] -> [1, heads, T, head] (or [1, heads, head, T] for keys).
    std::string splitHeads(const std::string& scope, const std::string& suffix, const std::string& x, bool keys);
    // A float scalar initializer, written once however often it is used.
    std::string scalar(const std::string& name, float value);

    NetBuilder& net_;
    GraphBuilder& g_;
    EncoderDims dims_;
    int64_t headSize_;
    std::map<std::string, std::string> scalars_;  // one initializer per constant
};

}  // namespace interstage::zoo
