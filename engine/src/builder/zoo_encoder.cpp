#include "zoo_encoder.h"

#include <cmath>
#include <numbers>

namespace interstage::zoo {

EncoderBuilder::EncoderBuilder(NetBuilder& net, const EncoderDims& dims)
    : net_(net), g_(net.graph()), dims_(dims), headSize_(dims.hidden / dims.heads) {}

std::string EncoderBuilder::scalar(const std::string& name, float value) {
    auto [it, added] = scalars_.try_emplace(name);
    if (added) it->second = g_.initializer(name, TensorData::fromFloat({value}, {}));
    return it->second;
}

std::string EncoderBuilder::dense(const std::string& scope, const std::string& param, const std::string& x, int64_t in,
                                  int64_t out) {
    const std::string w = net_.weight(param + ".weight", {in, out}, std::sqrt(3.0f / static_cast<float>(in)));
    const std::string b = net_.weight(param + ".bias", {out}, 0.02f);
    return g_.op("Add", {g_.op("MatMul", {x, w}, {}, scope + "/MatMul"), b}, {}, scope + "/Add");
}

std::string EncoderBuilder::layerNorm(const std::string& scope, const std::string& param, const std::string& x) {
    const std::string gamma = net_.weight(param + ".weight", {dims_.hidden}, 0.1f, 1.0f);
    const std::string beta = net_.weight(param + ".bias", {dims_.hidden}, 0.1f);
    if (dims_.layerNormOp)
        return g_.op("LayerNormalization", {x, gamma, beta},
                     {intAttr("axis", -1), floatAttr("epsilon", dims_.layerNormEpsilon)},
                     scope + "/LayerNormalization");
    const auto lastAxis = intsAttr("axes", {-1});
    const std::string mean = g_.op("ReduceMean", {x}, {lastAxis}, scope + "/ReduceMean");
    const std::string centred = g_.op("Sub", {x, mean}, {}, scope + "/Sub");
    const std::string square = g_.op("Pow", {centred, scalar("pow_exponent", 2.0f)}, {}, scope + "/Pow");
    const std::string var = g_.op("ReduceMean", {square}, {lastAxis}, scope + "/ReduceMean_1");
    const std::string eps = scalar("layer_norm_eps", dims_.layerNormEpsilon);
    const std::string stddev = g_.op("Sqrt", {g_.op("Add", {var, eps}, {}, scope + "/Add")}, {}, scope + "/Sqrt");
    const std::string normed = g_.op("Div", {centred, stddev}, {}, scope + "/Div");
    return g_.op("Add", {g_.op("Mul", {normed, gamma}, {}, scope + "/Mul"), beta}, {}, scope + "/Add_1");
}

std::string EncoderBuilder::splitHeads(const std::string& scope, const std::string& suffix, const std::string& x,
                                       bool keys) {
    const std::string shape = net_.int64Constant({1, dims_.tokens, dims_.heads, headSize_});
    const std::string r = g_.op("Reshape", {x, shape}, {}, scope + "/Reshape" + suffix);
    const std::vector<int64_t> perm = keys ? std::vector<int64_t>{0, 2, 3, 1} : std::vector<int64_t>{0, 2, 1, 3};
    return g_.op("Transpose", {r}, {intsAttr("perm", perm)}, scope + "/Transpose" + suffix);
}

std::string EncoderBuilder::selfAttention(const std::string& s, const std::string& p, const std::string& x,
                                          const std::string& bias) {
    const int64_t h = dims_.hidden;
    const std::string q = dense(s + "/query", p + ".query", x, h, h);
    const std::string k = dense(s + "/key", p + ".key", x, h, h);
    const std::string v = dense(s + "/value", p + ".value", x, h, h);
    const std::string qh = splitHeads(s, "", q, false);
    const std::string kh = splitHeads(s, "_1", k, true);
    const std::string vh = splitHeads(s, "_2", v, false);
    std::string scores = g_.op("MatMul", {qh, kh}, {}, s + "/MatMul");
    const std::string scale = scalar("attention_scale", std::sqrt(static_cast<float>(headSize_)));
    scores = g_.op("Div", {scores, scale}, {}, s + "/Div");
    if (!bias.empty()) scores = g_.op("Add", {scores, bias}, {}, s + "/Add");
    const std::string probs = g_.op("Softmax", {scores}, {intAttr("axis", -1)}, s + "/Softmax");
    std::string context = g_.op("MatMul", {probs, vh}, {}, s + "/MatMul_1");
    context = g_.op("Transpose", {context}, {intsAttr("perm", {0, 2, 1, 3})}, s + "/Transpose_3");
    return g_.op("Reshape", {context, net_.int64Constant({1, dims_.tokens, h})}, {}, s + "/Reshape_3");
}

std::string EncoderBuilder::activation(const std::string& s, const std::string& x) {
    switch (dims_.activation) {
        case FeedForwardActivation::SiLU:  // x * sigmoid(x): ops every backend has
            return g_.op("Mul", {x, g_.op("Sigmoid", {x}, {}, s + "/Sigmoid")}, {}, s + "/Mul");
        case FeedForwardActivation::GeluErf: {  // x * 0.5 * (1 + erf(x / sqrt(2)))
            const std::string scaled =
                g_.op("Div", {x, scalar("gelu_sqrt2", std::numbers::sqrt2_v<float>)}, {}, s + "/Div");
            const std::string erf = g_.op("Erf", {scaled}, {}, s + "/Erf");
            const std::string onePlus = g_.op("Add", {erf, scalar("gelu_one", 1.0f)}, {}, s + "/Add");
            const std::string times = g_.op("Mul", {x, onePlus}, {}, s + "/Mul");
            return g_.op("Mul", {times, scalar("gelu_half", 0.5f)}, {}, s + "/Mul_1");
        }
        case FeedForwardActivation::GeluTanh: {  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
            const std::string cube = g_.op("Pow", {x, scalar("gelu_three", 3.0f)}, {}, s + "/Pow");
            const std::string small = g_.op("Mul", {cube, scalar("gelu_cubic", 0.044715f)}, {}, s + "/Mul");
            const std::string inner = g_.op("Add", {x, small}, {}, s + "/Add");
            const float root = std::sqrt(2.0f / std::numbers::pi_v<float>);
            const std::string scaled = g_.op("Mul", {inner, scalar("gelu_sqrt_2_over_pi", root)}, {}, s + "/Mul_1");
            const std::string tanh = g_.op("Tanh", {scaled}, {}, s + "/Tanh");
            const std::string onePlus = g_.op("Add", {tanh, scalar("gelu_one", 1.0f)}, {}, s + "/Add_1");
            const std::string half = g_.op("Mul", {x, scalar("gelu_half", 0.5f)}, {}, s + "/Mul_2");
            return g_.op("Mul", {half, onePlus}, {}, s + "/Mul_3");
        }
    }
    return x;
}

std::string EncoderBuilder::postNormLayer(const std::string& s, const std::string& p, const std::string& x,
                                          const std::string& bias) {
    const int64_t h = dims_.hidden;
    const std::string context = selfAttention(s + "/attention/self", p + ".attention.self", x, bias);
    const std::string out = s + "/attention/output";
    const std::string projected = dense(out + "/dense", p + ".attention.output.dense", context, h, h);
    const std::string attended = layerNorm(out + "/LayerNorm", p + ".attention.output.LayerNorm",
                                           g_.op("Add", {projected, x}, {}, out + "/Add"));
    std::string m = dense(s + "/intermediate/dense", p + ".intermediate.dense", attended, h, dims_.intermediate);
    m = activation(s + "/intermediate/intermediate_act_fn", m);
    m = dense(s + "/output/dense", p + ".output.dense", m, dims_.intermediate, h);
    return layerNorm(s + "/output/LayerNorm", p + ".output.LayerNorm",
                     g_.op("Add", {m, attended}, {}, s + "/output/Add"));
}

std::string EncoderBuilder::preNormLayer(const std::string& s, const std::string& p, const std::string& x) {
    const int64_t h = dims_.hidden;
    const std::string normed = layerNorm(s + "/layernorm_before", p + ".layernorm_before", x);
    const std::string context = selfAttention(s + "/attention/attention", p + ".attention.attention", normed, {});
    const std::string projected = dense(s + "/attention/output/dense", p + ".attention.output.dense", context, h, h);
    const std::string attended = g_.op("Add", {projected, x}, {}, s + "/Add");
    std::string m = layerNorm(s + "/layernorm_after", p + ".layernorm_after", attended);
    m = dense(s + "/intermediate/dense", p + ".intermediate.dense", m, h, dims_.intermediate);
    m = activation(s + "/intermediate/intermediate_act_fn", m);
    m = dense(s + "/output/dense", p + ".output.dense", m, dims_.intermediate, h);
    return g_.op("Add", {m, attended}, {}, s + "/Add_1");
}

}  // namespace interstage::zoo
