// ONNX Runtime's contrib ops (domain com.microsoft) against references
// written in this file from docs/ContribOperators.md, in double: the Gelu
// variants, the layer norms with skip, FusedMatMul, MatMulNBits (both the
// few-rows and the many-rows path, with and without zero points, K not a
// multiple of the block), Attention, MultiHeadAttention and
// GroupQueryAttention (masks, causal, past / present, kv heads < heads)
// and RotaryEmbedding (both layouts, both rotations). Then the errors:
// a domain the model does not import, an unknown contrib op, num_heads
// not dividing the hidden size, MatMulNBits with bits = 8 or a packed
// weight of the wrong shape.
//
// Set INTERSTAGE_CONTRIB_DUMP=DIR to write each case's model, inputs and
// our outputs there; bench/contrib_check.mjs runs them through ONNX
// Runtime and compares.
#include <QtTest>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>

#include "interstage/builder.h"
#include "interstage/op_support.h"
#include "interstage/session.h"
#include "interstage/tensor_io.h"
#include "test_support.h"

using namespace interstage;

namespace {

using Tensors = std::map<std::string, TensorData>;

constexpr const char* kMs = "com.microsoft";

TensorData floats(const Shape& shape, uint64_t seed, float scale = 1.f) {
    WeightGenerator g(seed);
    return TensorData::fromFloat(g.uniform(elementCount(shape).value_or(0), scale), shape);
}

template <class T>
TensorData typed(DataType dtype, const std::vector<T>& values, const Shape& shape) {
    TensorData t = TensorData::zeros(dtype, shape);
    std::memcpy(t.bytes.data(), values.data(), values.size() * sizeof(T));
    return t;
}

const float* f(const Tensors& t, const std::string& name) { return t.at(name).data<float>(); }

// A model importing com.microsoft with one contrib node named "op" whose
// inputs are graph inputs fed from `inputs` (initializers for the names
// in `weights`); "" in the list omits an optional input.
struct Case {
    Case(std::string name_, std::string op_, std::vector<std::string> inputNames_, Tensors inputs_ = {},
         std::vector<std::string> weights_ = {}, std::vector<Attribute> attributes_ = {}, int outputs_ = 1)
        : name(std::move(name_)),
          op(std::move(op_)),
          inputNames(std::move(inputNames_)),
          inputs(std::move(inputs_)),
          weights(std::move(weights_)),
          attributes(std::move(attributes_)),
          outputs(outputs_) {}

    std::string name;
    std::string op;
    std::vector<std::string> inputNames;
    Tensors inputs;
    std::vector<std::string> weights;
    std::vector<Attribute> attributes;
    int outputs = 1;
    std::string domain = kMs;
    bool importDomain = true;
    int64_t opset = 17;
};

GraphBuilder buildCase(const Case& c) {
    GraphBuilder b(c.name, c.opset);
    if (c.importDomain && !c.domain.empty()) b.importDomain(c.domain, 1);
    for (const std::string& name : c.inputNames) {
        if (name.empty()) continue;
        const TensorData& t = c.inputs.at(name);
        if (std::find(c.weights.begin(), c.weights.end(), name) != c.weights.end())
            b.initializer(name, t);
        else
            b.input(name, t.dtype, t.shape);
    }
    auto outs = b.node(c.op, c.inputNames, c.attributes, c.outputs, "op");
    if (!c.domain.empty()) b.setDomain("op", c.domain);
    for (const auto& o : outs) b.output(o);
    return b;
}

Tensors feeds(const Case& c) {
    Tensors fed;
    for (const std::string& name : c.inputNames)
        if (!name.empty() && std::find(c.weights.begin(), c.weights.end(), name) == c.weights.end())
            fed[name] = c.inputs.at(name);
    return fed;
}

std::string outputName(const Case& c, int i) { return c.outputs == 1 ? "op" : "op_out" + std::to_string(i); }

void dump(const Case& c, Session& session) {
    const char* dir = std::getenv("INTERSTAGE_CONTRIB_DUMP");
    if (!dir) return;
    const std::filesystem::path root = std::filesystem::path(dir) / c.name;
    std::filesystem::create_directories(root);
    (void)buildCase(c).save((root / "model.onnx").string());
    int i = 0;
    for (const auto& [name, t] : feeds(c))
        (void)writeTensorFile((root / ("input_" + std::to_string(i++) + ".pb")).string(), name, t);
    for (int k = 0; k < c.outputs; ++k)
        if (auto out = session.output(outputName(c, k)); out.ok())
            (void)writeTensorFile((root / ("output_" + std::to_string(k) + ".pb")).string(), outputName(c, k),
                                  out.value());
}

// Runs the case; expected[i] (when not empty) is compared with output i.
void check(const Case& c, const std::vector<std::vector<double>>& expected) {
    auto session = Session::create(testsupport::builtModel(buildCase(c)));
    QVERIFY2(session.ok(), session.status().toString().c_str());
    const Status ran = session.value()->run(feeds(c));
    QVERIFY2(ran.isOk(), ran.toString().c_str());
    dump(c, *session.value());
    for (size_t k = 0; k < expected.size(); ++k) {
        if (expected[k].empty()) continue;
        auto got = session.value()->output(outputName(c, static_cast<int>(k)));
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->elementCount(), static_cast<int64_t>(expected[k].size()));
        for (size_t i = 0; i < expected[k].size(); ++i) {
            const double g = got->data<float>()[i], e = expected[k][i];
            if (!(std::abs(g - e) <= 1e-5 + 1e-3 * std::abs(e)))
                QFAIL(qPrintable(QString("%1 output %2 [%3]: got %4, expected %5")
                                     .arg(QString::fromStdString(c.name))
                                     .arg(k)
                                     .arg(i)
                                     .arg(g)
                                     .arg(e)));
        }
    }
}

// The error a case gives when loaded and prepared (empty when none).
std::string failure(const Case& c) {
    auto model = loadModelFromBytes(buildCase(c).serialize(), ".");
    if (!model.ok()) return model.status().toString();
    auto session = Session::create(model.take());
    if (!session.ok()) return session.status().toString();
    const Status ran = session.value()->run(feeds(c));
    return ran.isOk() ? std::string() : ran.toString();
}

// ---------------------------------------------------------------- references

double gelu(double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }
double geluTanh(double x) { return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x))); }

// Rows of `cols` normalized: (x - mean) / sqrt(var + eps) * scale + shift
// (rms: x / sqrt(mean(x^2) + eps) * scale).
std::vector<double> layerNorm(const std::vector<double>& x, int64_t cols, const float* scale, const float* shift,
                              double eps, bool rms) {
    std::vector<double> y(x.size());
    for (size_t r = 0; r < x.size() / size_t(cols); ++r) {
        const double* row = x.data() + r * size_t(cols);
        double mean = 0, var = 0;
        if (!rms) {
            for (int64_t j = 0; j < cols; ++j) mean += row[j];
            mean /= double(cols);
        }
        for (int64_t j = 0; j < cols; ++j) var += (row[j] - mean) * (row[j] - mean);
        const double inv = 1 / std::sqrt(var / double(cols) + eps);
        for (int64_t j = 0; j < cols; ++j)
            y[r * size_t(cols) + size_t(j)] = (row[j] - mean) * inv * scale[j] + (shift ? shift[j] : 0);
    }
    return y;
}

// Attention of query head h over kv head h / (N / kvN): score(b, h, s, t)
// = scale * q . k + addend(b, h, s, t); addend nullopt leaves key t out.
using Addend = std::function<std::optional<double>(int64_t b, int64_t h, int64_t s, int64_t t)>;
using At = std::function<double(int64_t b, int64_t h, int64_t s, int64_t d)>;
std::vector<double> attention(int64_t B, int64_t N, int64_t kvN, int64_t S, int64_t T, int64_t D, double scale,
                              const At& q, const At& k, const At& v, const Addend& addend) {
    std::vector<double> out(size_t(B * S * N * D));
    for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < N; ++h)
            for (int64_t s = 0; s < S; ++s) {
                const int64_t g = h / (N / kvN);
                std::vector<double> w(size_t(T), 0);
                std::vector<bool> in(size_t(T), false);
                double peak = -1e300, sum = 0;
                for (int64_t t = 0; t < T; ++t) {
                    auto add = addend(b, h, s, t);
                    if (!add) continue;
                    double dot = 0;
                    for (int64_t d = 0; d < D; ++d) dot += q(b, h, s, d) * k(b, g, t, d);
                    w[size_t(t)] = scale * dot + *add;
                    in[size_t(t)] = true;
                    peak = std::max(peak, w[size_t(t)]);
                }
                for (int64_t t = 0; t < T; ++t) {
                    w[size_t(t)] = in[size_t(t)] ? std::exp(w[size_t(t)] - peak) : 0;
                    sum += w[size_t(t)];
                }
                for (int64_t d = 0; d < D; ++d) {
                    double acc = 0;
                    for (int64_t t = 0; t < T; ++t) acc += w[size_t(t)] / sum * v(b, g, t, d);
                    out[size_t(((b * S + s) * N + h) * D + d)] = acc;
                }
            }
    return out;
}

// Element (b, h, s, d) of a (batch, sequence, heads * head size) tensor.
At bshd(const float* x, int64_t S, int64_t heads, int64_t D, const float* bias = nullptr) {
    return [=](int64_t b, int64_t h, int64_t s, int64_t d) {
        return double(x[((b * S + s) * heads + h) * D + d]) + (bias ? bias[h * D + d] : 0.0);
    };
}

// Packs 4-bit values (N columns of K, blocks of `block`) as MatMulNBits
// stores them.
std::vector<uint8_t> packNibbles(const std::vector<int>& q, int64_t N, int64_t K, int64_t block) {
    const int64_t blocks = (K + block - 1) / block;
    std::vector<uint8_t> packed(size_t(N * blocks * block / 2), 0);
    for (int64_t n = 0; n < N; ++n)
        for (int64_t k = 0; k < K; ++k) {
            const int64_t b = k / block, j = k % block;
            uint8_t& byte = packed[size_t((n * blocks + b) * block / 2 + j / 2)];
            byte |= uint8_t((q[size_t(n * K + k)] & 15) << ((j & 1) ? 4 : 0));
        }
    return packed;
}

Case matMulNBitsCase(const std::string& name, int64_t M, int64_t K, int64_t N, int64_t block, bool zeros,
                     std::vector<double>& expected) {
    const int64_t blocks = (K + block - 1) / block;
    std::vector<int> q(size_t(N * K));
    for (size_t i = 0; i < q.size(); ++i) q[i] = int((i * 7 + i / 5) % 16);
    std::vector<uint8_t> zp(size_t(N * ((blocks + 1) / 2)), 0);
    std::vector<int> zeroOf(size_t(N * blocks), 8);
    if (zeros)
        for (int64_t n = 0; n < N; ++n)
            for (int64_t b = 0; b < blocks; ++b) {
                const int z = int((n * 3 + b * 5) % 16);
                zeroOf[size_t(n * blocks + b)] = z;
                zp[size_t(n * ((blocks + 1) / 2) + b / 2)] |= uint8_t(z << ((b & 1) ? 4 : 0));
            }
    Case c{name, "MatMulNBits", {"A", "B", "scales", zeros ? "zp" : "", "", "bias"}};
    c.inputs["A"] = floats({M, K}, 11);
    c.inputs["B"] = typed(DataType::UInt8, packNibbles(q, N, K, block), {N, blocks, block / 2});
    c.inputs["scales"] = floats({N * blocks}, 12, 0.1f);
    c.inputs["bias"] = floats({N}, 13);
    if (zeros) c.inputs["zp"] = typed(DataType::UInt8, zp, {int64_t(zp.size())});
    c.weights = {"B", "scales", "zp", "bias"};
    c.attributes = {intAttr("K", K), intAttr("N", N), intAttr("bits", 4), intAttr("block_size", block)};
    const float* a = f(c.inputs, "A");
    const float* s = f(c.inputs, "scales");
    const float* bias = f(c.inputs, "bias");
    expected.assign(size_t(M * N), 0);
    for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n) {
            double acc = bias[n];
            for (int64_t k = 0; k < K; ++k) {
                const int64_t b = k / block;
                acc += a[m * K + k] * (q[size_t(n * K + k)] - zeroOf[size_t(n * blocks + b)]) * s[n * blocks + b];
            }
            expected[size_t(m * N + n)] = acc;
        }
    return c;
}

}  // namespace

class TestContribOps : public QObject {
    Q_OBJECT

private slots:
    void geluFamily() {
        const Shape shape{2, 3, 8};
        Tensors in{{"x", floats(shape, 1, 3.f)}, {"bias", floats({8}, 2)}};
        const float* x = f(in, "x");
        const float* bias = f(in, "bias");
        std::vector<double> erf, tanhBias, erfBias, quick;
        for (int64_t i = 0; i < 48; ++i) {
            erf.push_back(gelu(x[i]));
            tanhBias.push_back(geluTanh(double(x[i]) + bias[i % 8]));
            erfBias.push_back(gelu(double(x[i]) + bias[i % 8]));
            quick.push_back(x[i] / (1 + std::exp(-1.5 * x[i])));
        }
        check({"gelu", "Gelu", {"x"}, in}, {erf});
        check({"fast_gelu", "FastGelu", {"x", "bias"}, in}, {tanhBias});
        check({"bias_gelu", "BiasGelu", {"x", "bias"}, in}, {erfBias});
        check({"quick_gelu", "QuickGelu", {"x"}, in, {}, {floatAttr("alpha", 1.5f)}}, {quick});
    }

    void skipLayerNorms() {
        const int64_t B = 2, S = 3, H = 16;
        Tensors in{{"x", floats({B, S, H}, 3, 2.f)},
                   {"skip", floats({S, H}, 4)},
                   {"gamma", floats({H}, 5)},
                   {"beta", floats({H}, 6)},
                   {"bias", floats({H}, 7)}};
        std::vector<double> sum(size_t(B * S * H));
        for (int64_t i = 0; i < B * S * H; ++i)
            sum[size_t(i)] = double(f(in, "x")[i]) + f(in, "skip")[i % (S * H)] + f(in, "bias")[i % H];
        const double eps = 1e-5;
        Case skip{"skip_layer_norm",
                  "SkipLayerNormalization",
                  {"x", "skip", "gamma", "beta", "bias"},
                  in,
                  {},
                  {floatAttr("epsilon", float(eps))},
                  4};
        check(skip, {layerNorm(sum, H, f(in, "gamma"), f(in, "beta"), eps, false), {}, {}, sum});
        Case simple{"skip_simplified_layer_norm",
                    "SkipSimplifiedLayerNormalization",
                    {"x", "skip", "gamma", "bias"},
                    in,
                    {},
                    {floatAttr("epsilon", float(eps))},
                    4};
        check(simple, {layerNorm(sum, H, f(in, "gamma"), nullptr, eps, true), {}, {}, sum});
    }

    void layerNorms() {
        Tensors in{{"x", floats({4, 2, 6}, 8, 3.f)}, {"scale", floats({2, 6}, 9)}, {"b", floats({2, 6}, 10)}};
        std::vector<double> x(f(in, "x"), f(in, "x") + 48);
        // ONNX Runtime's contrib LayerNormalization is the default domain's
        // op before opset 17, where ONNX has none.
        Case ln{"layer_norm_opset13", "LayerNormalization", {"x", "scale", "b"}, in, {}, {intAttr("axis", 1)}};
        ln.domain = "";
        ln.opset = 13;
        check(ln, {layerNorm(x, 12, f(in, "scale"), f(in, "b"), 1e-5, false)});
        // ONNX Runtime registers SimplifiedLayerNormalization in the default domain.
        Case rms{"simplified_layer_norm",
                 "SimplifiedLayerNormalization",
                 {"x", "scale"},
                 in,
                 {},
                 {intAttr("axis", 1), floatAttr("epsilon", 1e-6f)}};
        rms.domain = "";
        check(rms, {layerNorm(x, 12, f(in, "scale"), nullptr, 1e-6, true)});
    }

    void fusedMatMul() {
        // A (2, 3, 5) times B^T with B (1, 4, 5), broadcast over the batch.
        Tensors in{{"a", floats({2, 3, 5}, 14)}, {"b", floats({1, 4, 5}, 15)}};
        std::vector<double> y;
        for (int64_t n = 0; n < 2; ++n)
            for (int64_t i = 0; i < 3; ++i)
                for (int64_t j = 0; j < 4; ++j) {
                    double acc = 0;
                    for (int64_t k = 0; k < 5; ++k) acc += f(in, "a")[(n * 3 + i) * 5 + k] * f(in, "b")[j * 5 + k];
                    y.push_back(0.5 * acc);
                }
        check({"fused_matmul", "FusedMatMul", {"a", "b"}, in, {}, {intAttr("transB", 1), floatAttr("alpha", 0.5f)}},
              {y});
    }

    void matMulNBits_data() {
        QTest::addColumn<int64_t>("M");
        QTest::addColumn<int64_t>("K");
        QTest::addColumn<bool>("zeros");
        QTest::addColumn<int64_t>("N");
        QTest::newRow("one row, default zero point") << int64_t(1) << int64_t(64) << false << int64_t(24);
        QTest::newRow("three rows, zero points, K not whole blocks")
            << int64_t(3) << int64_t(80) << true << int64_t(24);
        QTest::newRow("many rows (widened weight)") << int64_t(9) << int64_t(80) << true << int64_t(24);
        // More columns than one widened panel holds (128).
        QTest::newRow("many rows, three panels") << int64_t(6) << int64_t(64) << false << int64_t(300);
    }

    void matMulNBits() {
        QFETCH(int64_t, M);
        QFETCH(int64_t, K);
        QFETCH(bool, zeros);
        QFETCH(int64_t, N);
        std::vector<double> expected;
        const Case c = matMulNBitsCase("matmul_nbits_" + std::to_string(M) + "x" + std::to_string(N), M, K, N, 32,
                                       zeros, expected);
        check(c, {expected});
    }

    void attentionWithMaskAndPresent() {
        const int64_t B = 2, S = 5, Hin = 12, N = 2, H = 8, D = H / N;
        Tensors in{{"x", floats({B, S, Hin}, 16)},
                   {"w", floats({Hin, 3 * H}, 17, 0.5f)},
                   {"bias", floats({3 * H}, 18)},
                   {"mask", typed<int32_t>(DataType::Int32, {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, {B, S})}};
        // The projection, then attention with the key padding mask.
        std::vector<float> qkv(size_t(B * S * 3 * H));
        for (int64_t r = 0; r < B * S; ++r)
            for (int64_t j = 0; j < 3 * H; ++j) {
                double acc = f(in, "bias")[j];
                for (int64_t k = 0; k < Hin; ++k) acc += f(in, "x")[r * Hin + k] * f(in, "w")[k * 3 * H + j];
                qkv[size_t(r * 3 * H + j)] = float(acc);
            }
        auto part = [&](int64_t offset) {
            return [&, offset](int64_t b, int64_t h, int64_t s, int64_t d) {
                return double(qkv[size_t((b * S + s) * 3 * H + offset + h * D + d)]);
            };
        };
        const int32_t* mask = in["mask"].data<int32_t>();
        auto addend = [&](bool causal) {
            return [=](int64_t b, int64_t, int64_t s, int64_t t) -> std::optional<double> {
                return (mask[b * S + t] ? 0.0 : -10000.0) + (causal && t > s ? -10000.0 : 0.0);
            };
        };
        std::vector<double> present;
        for (int64_t kv : {H, 2 * H})
            for (int64_t b = 0; b < B; ++b)
                for (int64_t h = 0; h < N; ++h)
                    for (int64_t s = 0; s < S; ++s)
                        for (int64_t d = 0; d < D; ++d) present.push_back(part(kv)(b, h, s, d));
        Case c{"attention", "Attention", {"x", "w", "bias", "mask"}, in, {"w", "bias"}, {intAttr("num_heads", N)}, 2};
        check(c, {attention(B, N, N, S, S, D, 1 / std::sqrt(double(D)), part(0), part(H), part(2 * H), addend(false)),
                  present});
        c.name = "attention_causal";
        c.attributes.push_back(intAttr("unidirectional", 1));
        check(c, {attention(B, N, N, S, S, D, 1 / std::sqrt(double(D)), part(0), part(H), part(2 * H), addend(true))});
    }

    // Decoding with Attention: a past of 3 tokens, 2 new ones, causal;
    // present holds past then the new keys / values.
    void attentionWithPast() {
        const int64_t B = 2, S = 2, P = 3, T = P + S, Hin = 8, N = 2, H = 8, D = H / N;
        Tensors in{{"x", floats({B, S, Hin}, 50)},
                   {"w", floats({Hin, 3 * H}, 51, 0.5f)},
                   {"bias", floats({3 * H}, 52)},
                   {"past", floats({2, B, N, P, D}, 53)}};
        std::vector<float> qkv(size_t(B * S * 3 * H));
        for (int64_t r = 0; r < B * S; ++r)
            for (int64_t j = 0; j < 3 * H; ++j) {
                double acc = f(in, "bias")[j];
                for (int64_t k = 0; k < Hin; ++k) acc += f(in, "x")[r * Hin + k] * f(in, "w")[k * 3 * H + j];
                qkv[size_t(r * 3 * H + j)] = float(acc);
            }
        const float* past = f(in, "past");
        std::vector<double> present;
        for (int64_t kv = 0; kv < 2; ++kv)
            for (int64_t b = 0; b < B; ++b)
                for (int64_t h = 0; h < N; ++h)
                    for (int64_t t = 0; t < T; ++t)
                        for (int64_t d = 0; d < D; ++d)
                            present.push_back(t < P ? past[(((kv * B + b) * N + h) * P + t) * D + d]
                                                    : qkv[size_t((b * S + t - P) * 3 * H + (kv + 1) * H + h * D + d)]);
        auto cacheAt = [&](int64_t kv) {
            return [&, kv](int64_t b, int64_t h, int64_t t, int64_t d) {
                return present[size_t((((kv * B + b) * N + h) * T + t) * D + d)];
            };
        };
        auto query = [&](int64_t b, int64_t h, int64_t s, int64_t d) {
            return double(qkv[size_t((b * S + s) * 3 * H + h * D + d)]);
        };
        auto causal = [&](int64_t, int64_t, int64_t s, int64_t t) -> std::optional<double> {
            return t > P + s ? -10000.0 : 0.0;
        };
        Case c{"attention_past",
               "Attention",
               {"x", "w", "bias", "", "past"},
               in,
               {"w", "bias"},
               {intAttr("num_heads", N), intAttr("unidirectional", 1)},
               2};
        check(c,
              {attention(B, N, N, S, T, D, 1 / std::sqrt(double(D)), query, cacheAt(0), cacheAt(1), causal), present});
    }

    void attentionMaskForms_data() {
        QTest::addColumn<QString>("form");
        QTest::newRow("1-D key ends") << "ends";
        QTest::newRow("3-D query-key mask") << "3d";
        QTest::newRow("attention_bias broadcast over the batch") << "bias";
    }

    // Attention with each other mask form on its own. (The bias stays:
    // ONNX Runtime 1.x's CPU kernel crashes without it.)
    void attentionMaskForms() {
        QFETCH(QString, form);
        const int64_t B = 2, S = 4, Hin = 8, N = 2, H = 8, D = H / N;
        Tensors in{
            {"x", floats({B, S, Hin}, 40)}, {"w", floats({Hin, 3 * H}, 41, 0.5f)}, {"bias", floats({3 * H}, 43)}};
        std::vector<std::string> names{"x", "w", "bias", ""};
        Addend addend;
        if (form == "ends") {
            in["mask"] = typed<int32_t>(DataType::Int32, {3, 2}, {B});
            names[3] = "mask";
            addend = [](int64_t b, int64_t, int64_t, int64_t t) -> std::optional<double> {
                return t >= (b == 0 ? 3 : 2) ? -10000.0 : 0.0;
            };
        } else if (form == "3d") {
            std::vector<int32_t> m(size_t(B * S * S));
            for (size_t i = 0; i < m.size(); ++i) m[i] = int32_t((i * 5 + i / 7) % 3 != 0);
            in["mask"] = typed<int32_t>(DataType::Int32, m, {B, S, S});
            names[3] = "mask";
            addend = [m](int64_t b, int64_t, int64_t s, int64_t t) -> std::optional<double> {
                return m[size_t((b * S + s) * S + t)] ? 0.0 : -10000.0;
            };
        } else {
            in["attn_bias"] = floats({1, N, S, S}, 42, 2.f);
            names.insert(names.end(), {"", "attn_bias"});
            const float* bias = in["attn_bias"].data<float>();
            addend = [bias](int64_t, int64_t h, int64_t s, int64_t t) -> std::optional<double> {
                return double(bias[(h * S + s) * S + t]);
            };
        }
        std::vector<float> qkv(size_t(B * S * 3 * H));
        for (int64_t r = 0; r < B * S; ++r)
            for (int64_t j = 0; j < 3 * H; ++j) {
                double acc = f(in, "bias")[j];
                for (int64_t k = 0; k < Hin; ++k) acc += f(in, "x")[r * Hin + k] * f(in, "w")[k * 3 * H + j];
                qkv[size_t(r * 3 * H + j)] = float(acc);
            }
        auto part = [&](int64_t offset) {
            return [&, offset](int64_t b, int64_t h, int64_t s, int64_t d) {
                return double(qkv[size_t((b * S + s) * 3 * H + offset + h * D + d)]);
            };
        };
        Case c{
            "attention_mask_" + form.toStdString(), "Attention", names, in, {"w", "bias"}, {intAttr("num_heads", N)}};
        check(c, {attention(B, N, N, S, S, D, 1 / std::sqrt(double(D)), part(0), part(H), part(2 * H), addend)});
    }

    void multiHeadAttentionWithPast() {
        const int64_t B = 2, S = 3, L = 3, P = 2, N = 2, D = 4, H = N * D, T = P + L;
        Tensors in{{"q", floats({B, S, H}, 19)},
                   {"k", floats({B, L, H}, 20)},
                   {"v", floats({B, L, H}, 21)},
                   {"bias", floats({3 * H}, 22)},
                   {"mask", typed<int32_t>(DataType::Int32, {1, 1, 1, 1, 1, 1, 1, 0, 1, 1}, {B, T})},
                   {"past_k", floats({B, N, P, D}, 23)},
                   {"past_v", floats({B, N, P, D}, 24)}};
        const float* bias = f(in, "bias");
        auto cacheOf = [&](const float* past, const float* fresh, const float* b) {
            std::vector<double> cache;
            for (int64_t bb = 0; bb < B; ++bb)
                for (int64_t h = 0; h < N; ++h)
                    for (int64_t t = 0; t < T; ++t)
                        for (int64_t d = 0; d < D; ++d)
                            cache.push_back(t < P ? past[((bb * N + h) * P + t) * D + d]
                                                  : fresh[((bb * L + t - P) * N + h) * D + d] + b[h * D + d]);
            return cache;
        };
        const std::vector<double> keys = cacheOf(f(in, "past_k"), f(in, "k"), bias + H);
        const std::vector<double> values = cacheOf(f(in, "past_v"), f(in, "v"), bias + 2 * H);
        auto cacheAt = [&](const std::vector<double>& cache) {
            return [&](int64_t b, int64_t h, int64_t t, int64_t d) {
                return cache[size_t(((b * N + h) * T + t) * D + d)];
            };
        };
        const int32_t* mask = in["mask"].data<int32_t>();
        auto addend = [&](int64_t b, int64_t, int64_t s, int64_t t) -> std::optional<double> {
            return (mask[b * T + t] ? 0.0 : -10000.0) + (t > P + s ? -10000.0 : 0.0);
        };
        Case c{"multi_head_attention",
               "MultiHeadAttention",
               {"q", "k", "v", "bias", "mask", "", "past_k", "past_v"},
               in,
               {},
               {intAttr("num_heads", N), intAttr("unidirectional", 1), floatAttr("scale", 0.3f)},
               3};
        check(c, {attention(B, N, N, S, T, D, 0.3, bshd(f(in, "q"), S, N, D, bias), cacheAt(keys), cacheAt(values),
                            addend),
                  keys, values});
    }

    void groupQueryAttention_data() {
        QTest::addColumn<bool>("rotary");
        QTest::addColumn<bool>("prompt");
        QTest::addColumn<int64_t>("window");
        QTest::newRow("decode") << false << false << int64_t(-1);
        QTest::newRow("decode, do_rotary") << true << false << int64_t(-1);
        QTest::newRow("prompt, do_rotary") << true << true << int64_t(-1);
        QTest::newRow("decode, local window 2") << false << false << int64_t(2);
        QTest::newRow("prompt, local window 1") << false << true << int64_t(1);
    }

    // 4 query heads over 2 kv heads. Decode: one token after a past of 4
    // (batch 0) and of 2 (batch 1, shorter: its cache holds padding past
    // its tokens). Prompt: 3 tokens, no past, causal.
    void groupQueryAttention() {
        QFETCH(bool, rotary);
        QFETCH(bool, prompt);
        QFETCH(int64_t, window);
        const int64_t B = prompt ? 1 : 2, S = prompt ? 3 : 1, N = 4, kvN = 2, D = 16, P = prompt ? 0 : 4, T = P + S;
        const std::vector<int32_t> past = prompt ? std::vector<int32_t>{0} : std::vector<int32_t>{4, 2};
        const std::vector<int32_t> seqlens = prompt ? std::vector<int32_t>{2} : std::vector<int32_t>{4, 2};
        Tensors in{{"q", floats({B, S, N * D}, 25)},
                   {"k", floats({B, S, kvN * D}, 26)},
                   {"v", floats({B, S, kvN * D}, 27)},
                   {"seqlens_k", typed<int32_t>(DataType::Int32, seqlens, {B})},
                   {"total", typed<int32_t>(DataType::Int32, {int32_t(T)}, {})},
                   {"cos", floats({8, D / 2}, 30)},
                   {"sin", floats({8, D / 2}, 31)}};
        if (!prompt) {
            in["past_k"] = floats({B, kvN, P, D}, 28);
            in["past_v"] = floats({B, kvN, P, D}, 29);
        }
        // Rotating by position p: pairs (i, i + D / 2) by cos / sin row p.
        auto rotated = [&](const float* x, int64_t heads) {
            std::vector<float> out(x, x + B * S * heads * D);
            if (!rotary) return out;
            for (int64_t b = 0; b < B; ++b)
                for (int64_t s = 0; s < S; ++s)
                    for (int64_t h = 0; h < heads; ++h) {
                        float* v = out.data() + ((b * S + s) * heads + h) * D;
                        for (int64_t i = 0; i < D / 2; ++i) {
                            const float c = f(in, "cos")[(past[size_t(b)] + s) * D / 2 + i];
                            const float sn = f(in, "sin")[(past[size_t(b)] + s) * D / 2 + i];
                            const float x0 = v[i], x1 = v[i + D / 2];
                            v[i] = x0 * c - x1 * sn;
                            v[i + D / 2] = x1 * c + x0 * sn;
                        }
                    }
            return out;
        };
        const std::vector<float> q = rotated(f(in, "q"), N), k = rotated(f(in, "k"), kvN);
        auto cacheOf = [&](const std::string& pastName, const float* fresh) {
            std::vector<double> cache(size_t(B * kvN * T * D), 0);
            for (int64_t b = 0; b < B; ++b)
                for (int64_t g = 0; g < kvN; ++g)
                    for (int64_t t = 0; t < past[size_t(b)] + S; ++t)
                        for (int64_t d = 0; d < D; ++d)
                            cache[size_t(((b * kvN + g) * T + t) * D + d)] =
                                t < past[size_t(b)] ? f(in, pastName)[((b * kvN + g) * P + t) * D + d]
                                                    : fresh[((b * S + t - past[size_t(b)]) * kvN + g) * D + d];
            return cache;
        };
        const std::vector<double> keys = cacheOf("past_k", k.data()), values = cacheOf("past_v", f(in, "v"));
        auto cacheAt = [&](const std::vector<double>& cache) {
            return [&](int64_t b, int64_t g, int64_t t, int64_t d) {
                return cache[size_t(((b * kvN + g) * T + t) * D + d)];
            };
        };
        auto addend = [&](int64_t b, int64_t, int64_t s, int64_t t) -> std::optional<double> {
            if (t > past[size_t(b)] + s) return std::nullopt;
            // A window of w keys: the query's own and the w - 1 before it.
            if (window >= 0 && t <= past[size_t(b)] + s - window) return std::nullopt;
            return 0.0;
        };
        Case c{std::string("group_query_attention") + (prompt ? "_prompt" : "") + (rotary ? "_rotary" : "") +
                   (window >= 0 ? "_window" + std::to_string(window) : ""),
               "GroupQueryAttention",
               {"q", "k", "v", prompt ? "" : "past_k", prompt ? "" : "past_v", "seqlens_k", "total",
                rotary ? "cos" : "", rotary ? "sin" : ""},
               in,
               {"total"},
               {intAttr("num_heads", N), intAttr("kv_num_heads", kvN), intAttr("do_rotary", rotary ? 1 : 0),
                intAttr("local_window_size", window)},
               3};
        check(c, {attention(B, N, kvN, S, T, D, 1 / std::sqrt(double(D)), bshd(q.data(), S, N, D), cacheAt(keys),
                            cacheAt(values), addend),
                  keys, values});
    }

    void rotaryEmbedding_data() {
        QTest::addColumn<bool>("interleaved");
        QTest::addColumn<bool>("fourD");
        QTest::addColumn<bool>("offset");
        QTest::newRow("halves, (batch, sequence, hidden)") << false << false << false;
        QTest::newRow("interleaved, (batch, sequence, hidden)") << true << false << false;
        QTest::newRow("halves, (batch, heads, sequence, head)") << false << true << false;
        QTest::newRow("interleaved, one position offset") << true << false << true;
    }

    void rotaryEmbedding() {
        QFETCH(bool, interleaved);
        QFETCH(bool, fourD);
        QFETCH(bool, offset);
        const int64_t B = 2, S = 3, N = 2, D = 8, R = 4;  // rotary dim 4 of head size 8
        const Shape shape = fourD ? Shape{B, N, S, D} : Shape{B, S, N * D};
        // One position_ids value p0 means positions p0 + s in every batch.
        Tensors in{
            {"x", floats(shape, 32)},
            {"pos", offset ? TensorData::fromInt64({2}, {1}) : TensorData::fromInt64({0, 1, 2, 5, 3, 4}, {B, S})},
            {"cos", floats({6, R / 2}, 33)},
            {"sin", floats({6, R / 2}, 34)}};
        const float* x = f(in, "x");
        std::vector<double> y(x, x + B * S * N * D);
        for (int64_t b = 0; b < B; ++b)
            for (int64_t s = 0; s < S; ++s)
                for (int64_t h = 0; h < N; ++h) {
                    const int64_t base = fourD ? ((b * N + h) * S + s) * D : ((b * S + s) * N + h) * D;
                    const int64_t p = offset ? 2 + s : in["pos"].data<int64_t>()[b * S + s];
                    for (int64_t i = 0; i < R / 2; ++i) {
                        const int64_t i0 = interleaved ? 2 * i : i, i1 = interleaved ? 2 * i + 1 : i + R / 2;
                        const double c = f(in, "cos")[p * R / 2 + i], sn = f(in, "sin")[p * R / 2 + i];
                        y[size_t(base + i0)] = x[base + i0] * c - x[base + i1] * sn;
                        y[size_t(base + i1)] = x[base + i1] * c + x[base + i0] * sn;
                    }
                }
        Case c{std::string("rotary_embedding") + (interleaved ? "_interleaved" : "") + (fourD ? "_4d" : "") +
                   (offset ? "_offset" : ""),
               "RotaryEmbedding",
               {"x", "pos", "cos", "sin"},
               in,
               {},
               {intAttr("interleaved", interleaved ? 1 : 0), intAttr("rotary_embedding_dim", R)}};
        c.attributes.push_back(intAttr("num_heads", N));
        check(c, {y});
    }

    // ------------------------------------------------------------- errors

    void refusesDomainNotImported() {
        Case c{"not_imported", "Gelu", {"x"}, {{"x", floats({2, 4}, 1)}}};
        c.importDomain = false;
        const std::string why = failure(c);
        QVERIFY2(why.find("com.microsoft") != std::string::npos && why.find("Gelu") != std::string::npos &&
                     why.find("'op'") != std::string::npos && why.find("opset imports") != std::string::npos,
                 why.c_str());
    }

    void refusesUnknownContribOp() {
        Case c{"unknown", "NotAnOp", {"x"}, {{"x", floats({2, 4}, 1)}}};
        const std::string why = failure(c);
        QVERIFY2(why.find("NotAnOp") != std::string::npos && why.find("com.microsoft") != std::string::npos &&
                     why.find("'op'") != std::string::npos,
                 why.c_str());
        // The op support lists it with its domain, as `info` shows it.
        auto model = loadModelFromBytes(buildCase(c).serialize(), ".");
        QVERIFY(model.ok());
        QCOMPARE(QString::fromStdString(opSupport(model->graph).noCpuKernel.at(0).op),
                 QString("com.microsoft.NotAnOp"));
    }

    void contribOpsAreSupported() {
        std::vector<double> expected;
        const Case c = matMulNBitsCase("supported", 1, 32, 4, 32, false, expected);
        auto model = loadModelFromBytes(buildCase(c).serialize(), ".");
        QVERIFY(model.ok());
        QVERIFY(opSupport(model->graph).runnable());
    }

    void refusesHeadsNotDividingHidden() {
        Tensors in{{"x", floats({1, 2, 12}, 1)}, {"w", floats({12, 36}, 2)}};
        const std::string why = failure({"bad_heads", "Attention", {"x", "w"}, in, {"w"}, {intAttr("num_heads", 5)}});
        QVERIFY2(
            why.find("not divisible by num_heads = 5") != std::string::npos && why.find("'op'") != std::string::npos,
            why.c_str());
    }

    void refusesMatMulNBitsOtherThan4Bits() {
        std::vector<double> expected;
        Case c = matMulNBitsCase("bits8", 1, 32, 4, 32, false, expected);
        c.attributes[2] = intAttr("bits", 8);
        const std::string why = failure(c);
        QVERIFY2(why.find("bits = 8") != std::string::npos && why.find("MatMulNBits") != std::string::npos,
                 why.c_str());
    }

    void refusesPackedWeightOfWrongShape() {
        std::vector<double> expected;
        Case c = matMulNBitsCase("bad_k", 1, 64, 4, 32, false, expected);
        c.attributes[0] = intAttr("K", 96);  // 3 blocks, but B holds 2
        c.inputs["A"] = floats({1, 96}, 3);
        const std::string why = failure(c);
        QVERIFY2(why.find("packed weight B") != std::string::npos && why.find("K = 96") != std::string::npos,
                 why.c_str());
    }

    void refusesRotaryDimPastHead() {
        Tensors in{{"x", floats({1, 2, 8}, 1)},
                   {"pos", TensorData::fromInt64({0, 1}, {1, 2})},
                   {"cos", floats({4, 4}, 2)},
                   {"sin", floats({4, 4}, 3)}};
        const std::string why = failure({"bad_rotary",
                                         "RotaryEmbedding",
                                         {"x", "pos", "cos", "sin"},
                                         in,
                                         {},
                                         {intAttr("num_heads", 2), intAttr("rotary_embedding_dim", 8)}});
        QVERIFY2(why.find("rotary dim 8") != std::string::npos, why.c_str());
    }
};

QTEST_GUILESS_MAIN(TestContribOps)
#include "test_contrib_ops.moc"
