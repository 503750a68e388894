// A deep BERT-style encoder for the graph view's size limits: 216 layers of
// self-attention and a feed-forward block, ~9,950 nodes, each named as
// PyTorch's exporter names them (/encoder/layer.7/attention/self/MatMul),
// LayerNorm written out in its ReduceMean/Sub/Pow/Sqrt/Div form as older
// opsets export it. Tiny widths (hidden 32, 16 tokens) keep it a few MB:
// its point is the node count, not the arithmetic.

#include <cmath>
#include <string>

#include "zoo_models.h"

namespace interstage::zoo {

namespace {

constexpr int kLayers = 216;
constexpr int64_t kTokens = 16;
constexpr int64_t kHidden = 32;
constexpr int64_t kHeads = 2;
constexpr int64_t kHeadSize = kHidden / kHeads;
constexpr int64_t kIntermediate = 4 * kHidden;

class Encoder {
public:
    explicit Encoder(NetBuilder& net) : net_(net), g_(net.graph()) {
        eps_ = g_.initializer("layer_norm_eps", TensorData::fromFloat({1e-12f}, {}));
        two_ = g_.initializer("pow_exponent", TensorData::fromFloat({2.0f}, {}));
        scale_ =
            g_.initializer("attention_scale", TensorData::fromFloat({std::sqrt(static_cast<float>(kHeadSize))}, {}));
    }

    // x @ W + b: "<scope>/MatMul", "<scope>/Add".
    std::string dense(const std::string& scope, const std::string& param, const std::string& x, int64_t in,
                      int64_t out) {
        const std::string w = net_.weight(param + ".weight", {in, out}, std::sqrt(3.0f / static_cast<float>(in)));
        const std::string b = net_.weight(param + ".bias", {out}, 0.02f);
        return g_.op("Add", {g_.op("MatMul", {x, w}, {}, scope + "/MatMul"), b}, {}, scope + "/Add");
    }

    std::string layerNorm(const std::string& scope, const std::string& param, const std::string& x) {
        const auto lastAxis = intsAttr("axes", {-1});
        const std::string mean = g_.op("ReduceMean", {x}, {lastAxis}, scope + "/ReduceMean");
        const std::string centred = g_.op("Sub", {x, mean}, {}, scope + "/Sub");
        const std::string square = g_.op("Pow", {centred, two_}, {}, scope + "/Pow");
        const std::string var = g_.op("ReduceMean", {square}, {lastAxis}, scope + "/ReduceMean_1");
        const std::string stddev = g_.op("Sqrt", {g_.op("Add", {var, eps_}, {}, scope + "/Add")}, {}, scope + "/Sqrt");
        const std::string normed = g_.op("Div", {centred, stddev}, {}, scope + "/Div");
        const std::string gamma = net_.weight(param + ".weight", {kHidden}, 0.1f, 1.0f);
        const std::string beta = net_.weight(param + ".bias", {kHidden}, 0.1f);
        return g_.op("Add", {g_.op("Mul", {normed, gamma}, {}, scope + "/Mul"), beta}, {}, scope + "/Add_1");
    }

    // [1, T, H] -> [1, heads, T, head] (or [1, heads, head, T] for keys).
    std::string splitHeads(const std::string& scope, const std::string& suffix, const std::string& x, bool keys) {
        const std::string shape = net_.int64Constant({1, kTokens, kHeads, kHeadSize});
        const std::string r = g_.op("Reshape", {x, shape}, {}, scope + "/Reshape" + suffix);
        const std::vector<int64_t> perm = keys ? std::vector<int64_t>{0, 2, 3, 1} : std::vector<int64_t>{0, 2, 1, 3};
        return g_.op("Transpose", {r}, {intsAttr("perm", perm)}, scope + "/Transpose" + suffix);
    }

    std::string attention(const std::string& s, const std::string& p, const std::string& x) {
        const std::string self = s + "/attention/self";
        const std::string q = dense(self + "/query", p + ".attention.self.query", x, kHidden, kHidden);
        const std::string k = dense(self + "/key", p + ".attention.self.key", x, kHidden, kHidden);
        const std::string v = dense(self + "/value", p + ".attention.self.value", x, kHidden, kHidden);
        const std::string qh = splitHeads(self, "", q, false);
        const std::string kh = splitHeads(self, "_1", k, true);
        const std::string vh = splitHeads(self, "_2", v, false);
        std::string scores = g_.op("MatMul", {qh, kh}, {}, self + "/MatMul");
        scores = g_.op("Div", {scores, scale_}, {}, self + "/Div");
        const std::string probs = g_.op("Softmax", {scores}, {intAttr("axis", -1)}, self + "/Softmax");
        std::string context = g_.op("MatMul", {probs, vh}, {}, self + "/MatMul_1");
        context = g_.op("Transpose", {context}, {intsAttr("perm", {0, 2, 1, 3})}, self + "/Transpose_3");
        context = g_.op("Reshape", {context, net_.int64Constant({1, kTokens, kHidden})}, {}, self + "/Reshape_3");

        const std::string out = s + "/attention/output";
        const std::string projected = dense(out + "/dense", p + ".attention.output.dense", context, kHidden, kHidden);
        const std::string residual = g_.op("Add", {projected, x}, {}, out + "/Add");
        return layerNorm(out + "/LayerNorm", p + ".attention.output.LayerNorm", residual);
    }

    std::string feedForward(const std::string& s, const std::string& p, const std::string& x) {
        std::string h = dense(s + "/intermediate/dense", p + ".intermediate.dense", x, kHidden, kIntermediate);
        // SiLU, x * sigmoid(x): an activation made of ops every backend has.
        const std::string act = s + "/intermediate/intermediate_act_fn";
        h = g_.op("Mul", {h, g_.op("Sigmoid", {h}, {}, act + "/Sigmoid")}, {}, act + "/Mul");
        const std::string projected = dense(s + "/output/dense", p + ".output.dense", h, kIntermediate, kHidden);
        const std::string residual = g_.op("Add", {projected, x}, {}, s + "/output/Add");
        return layerNorm(s + "/output/LayerNorm", p + ".output.LayerNorm", residual);
    }

private:
    NetBuilder& net_;
    GraphBuilder& g_;
    std::string eps_;
    std::string two_;
    std::string scale_;
};

}  // namespace

NetBuilder makeTransformer() {
    NetBuilder net("deep_encoder");
    const Feature input = net.input("embeddings", {1, kTokens, kHidden});
    Encoder encoder(net);
    std::string x = encoder.layerNorm("/embeddings/LayerNorm", "embeddings.LayerNorm", input.name);
    for (int i = 0; i < kLayers; ++i) {
        const std::string s = "/encoder/layer." + std::to_string(i);
        const std::string p = "encoder.layer." + std::to_string(i);
        x = encoder.feedForward(s, p, encoder.attention(s, p, x));
    }
    x = encoder.dense("/pooler/dense", "pooler.dense", x, kHidden, kHidden);
    net.graph().output(x, DataType::Float, {1, kTokens, kHidden});
    return net;
}

}  // namespace interstage::zoo
