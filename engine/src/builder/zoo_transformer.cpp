// The zoo's encoders:
// - deep_encoder: a BERT-style encoder for the graph view's size limits,
//   216 layers, ~9,950 nodes named as PyTorch's exporter names them
//   (/encoder/layer.7/attention/self/MatMul); tiny widths (hidden 32, 16
//   tokens) keep it a few MB: its point is the node count.
// - transformer: a BERT-base-like encoder at bench size (4 layers, hidden
//   256, 4 heads, GELU in its erf form, 128 tokens, an additive attention
//   mask input), LayerNorm decomposed as opset-13 exports write it: the
//   speed case for attention, LayerNorm and GELU.
// - vit: a ViT-Tiny-style image classifier (16x16 patches of 224², 197
//   tokens with the class token, hidden 192, 3 heads, 12 pre-LN layers,
//   tanh GELU, the opset-17 LayerNormalization op).

#include <string>

#include "zoo_encoder.h"
#include "zoo_models.h"

namespace interstage::zoo {

NetBuilder makeDeepEncoder() {
    EncoderDims dims;  // hidden 32, 16 tokens, SiLU, decomposed LayerNorm
    NetBuilder net("deep_encoder");
    const Feature input = net.input("embeddings", {1, dims.tokens, dims.hidden});
    EncoderBuilder encoder(net, dims);
    std::string x = encoder.layerNorm("/embeddings/LayerNorm", "embeddings.LayerNorm", input.name);
    for (int i = 0; i < 216; ++i)
        x = encoder.postNormLayer("/encoder/layer." + std::to_string(i), "encoder.layer." + std::to_string(i), x);
    x = encoder.dense("/pooler/dense", "pooler.dense", x, dims.hidden, dims.hidden);
    net.graph().output(x, DataType::Float, {1, dims.tokens, dims.hidden});
    return net;
}

NetBuilder makeTransformerEncoder() {
    EncoderDims dims;
    dims.tokens = 128;
    dims.hidden = 256;
    dims.heads = 4;
    dims.intermediate = 1024;
    dims.activation = FeedForwardActivation::GeluErf;
    NetBuilder net("transformer");
    const Feature input = net.input("embeddings", {1, dims.tokens, dims.hidden});
    // (1 - attention_mask) * -10000 as BERT exports compute it, given here
    // as the ready bias so the default input (values in [-0.5, 0.5]) runs.
    const Feature mask = net.input("attention_bias", {1, 1, 1, dims.tokens});
    EncoderBuilder encoder(net, dims);
    std::string x = encoder.layerNorm("/embeddings/LayerNorm", "embeddings.LayerNorm", input.name);
    for (int i = 0; i < 4; ++i)
        x = encoder.postNormLayer("/encoder/layer." + std::to_string(i), "encoder.layer." + std::to_string(i), x,
                                  mask.name);
    net.graph().output(x, DataType::Float, {1, dims.tokens, dims.hidden});
    return net;
}

NetBuilder makeVit() {
    EncoderDims dims;
    dims.tokens = 197;
    dims.hidden = 192;
    dims.heads = 3;
    dims.intermediate = 768;
    dims.activation = FeedForwardActivation::GeluTanh;
    dims.layerNormOp = true;
    dims.layerNormEpsilon = 1e-6f;
    NetBuilder net("vit", 17);
    GraphBuilder& g = net.graph();
    const Feature pixels = net.input("pixel_values", {1, 3, 224, 224});
    ConvSpec patch;
    patch.kernel = 16;
    patch.stride = 16;
    patch.pad = 0;
    const Feature patches = net.conv("/embeddings/patch_embeddings/projection", pixels, dims.hidden, patch);
    std::string x = g.op("Reshape", {patches.name, net.int64Constant({1, dims.hidden, -1})}, {},
                         "/embeddings/patch_embeddings/Flatten");
    x = g.op("Transpose", {x}, {intsAttr("perm", {0, 2, 1})}, "/embeddings/patch_embeddings/Transpose");
    const std::string cls = net.weight("embeddings.cls_token", {1, 1, dims.hidden}, 0.02f);
    x = g.op("Concat", {cls, x}, {intAttr("axis", 1)}, "/embeddings/Concat");
    const std::string positions = net.weight("embeddings.position_embeddings", {1, dims.tokens, dims.hidden}, 0.02f);
    x = g.op("Add", {x, positions}, {}, "/embeddings/Add");
    EncoderBuilder encoder(net, dims);
    for (int i = 0; i < 12; ++i)
        x = encoder.preNormLayer("/encoder/layer." + std::to_string(i), "encoder.layer." + std::to_string(i), x);
    x = encoder.layerNorm("/layernorm", "layernorm", x);
    const std::string first = g.initializer("class_token_index", TensorData::fromInt64({0}, {}));
    x = g.op("Gather", {x, first}, {intAttr("axis", 1)}, "/Gather");
    x = encoder.dense("/classifier", "classifier", x, dims.hidden, 1000);
    g.output(x, DataType::Float, {1, 1000});
    return net;
}

}  // namespace interstage::zoo
