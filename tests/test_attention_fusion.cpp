// Attention fusion (passes/fuse_attention.cpp): self-attention written op
// by op runs as one MultiHeadAttention whose kernel computes the scores a
// tile of query rows at a time. The fused graph gives the unfused graph's
// outputs, loses every (batch, heads, seq, seq) tensor, and near-misses
// stay as written.
#include <QtTest>
#include <cmath>

#include "interstage/session.h"
#include "test_support.h"

using namespace interstage;

namespace {

enum class ScaleForm { Div, Mul, MulOnQuery, MulOnBoth };

// One attention block: q, k, v dense layers over x (1, tokens, heads * d),
// then the heads split, the scores, the softmax and the heads merged.
struct Form {
    int64_t tokens = 5, heads = 2, headSize = 8;
    bool mask = false;
    ScaleForm scale = ScaleForm::Div;
    bool keyTwoTransposes = false;  // K^T as (0 2 1 3) then (0 1 3 2)
    int64_t softmaxAxis = -1;
    bool scoresAlsoOutput = false;  // a second reader of the scores
    Shape maskShape;                // default (1, 1, 1, tokens)
};

// 3 Reshape, 3 Transpose, 2 MatMul, the scale (one Div or Mul; a second
// Mul when Q and K are both scaled), Softmax, Transpose, Reshape.
constexpr int kUnfusedAttentionNodes = 12;

std::string dense(GraphBuilder& b, const std::string& name, const std::string& x, int64_t hidden, uint64_t seed) {
    WeightGenerator gen(seed);
    auto w = b.initializer(name + "_w", TensorData::fromFloat(gen.uniform(hidden * hidden, 0.3f), {hidden, hidden}));
    auto bias = b.initializer(name + "_b", TensorData::fromFloat(gen.uniform(hidden, 0.1f), {hidden}));
    return b.op("Add", {b.op("MatMul", {x, w}, {}, name + "_mm"), bias}, {}, name);
}

std::string splitHeads(GraphBuilder& b, const std::string& name, const std::string& x, std::vector<int64_t> perm) {
    auto split = b.op("Reshape", {x, "split_shape"}, {}, name + "_split");
    return b.op("Transpose", {split}, {intsAttr("perm", std::move(perm))}, name + "_heads");
}

std::string scaled(GraphBuilder& b, const Form& f, const std::string& scores) {
    const float root = std::sqrt(static_cast<float>(f.headSize));
    if (f.scale == ScaleForm::Div)
        return b.op("Div", {scores, b.initializer("root_d", TensorData::fromFloat({root}, {}))}, {}, "scale");
    if (f.scale == ScaleForm::Mul)
        return b.op("Mul", {b.initializer("inv_root_d", TensorData::fromFloat({1.f / root}, {})), scores}, {}, "scale");
    return scores;  // scaled on Q (and K) already
}

GraphBuilder attentionGraph(const Form& f) {
    GraphBuilder b("attention", 13);
    const int64_t T = f.tokens, H = f.heads * f.headSize;
    b.input("x", DataType::Float, {1, T, H});
    if (f.mask) b.input("mask", DataType::Float, f.maskShape.empty() ? Shape{1, 1, 1, T} : f.maskShape);
    b.initializer("split_shape", TensorData::fromInt64({1, T, f.heads, f.headSize}, {4}));
    std::string q = splitHeads(b, "q", dense(b, "q", "x", H, 1), {0, 2, 1, 3});
    if (f.scale == ScaleForm::MulOnQuery || f.scale == ScaleForm::MulOnBoth) {
        const float inv = f.scale == ScaleForm::MulOnBoth ? std::pow(static_cast<float>(f.headSize), -0.25f)
                                                          : 1.f / std::sqrt(static_cast<float>(f.headSize));
        q = b.op("Mul", {q, b.initializer("q_factor", TensorData::fromFloat({inv}, {}))}, {}, "q_scaled");
    }
    std::string kT;
    if (f.keyTwoTransposes)
        kT = b.op("Transpose", {splitHeads(b, "k", dense(b, "k", "x", H, 2), {0, 2, 1, 3})},
                  {intsAttr("perm", {0, 1, 3, 2})}, "k_t");
    else
        kT = splitHeads(b, "k", dense(b, "k", "x", H, 2), {0, 2, 3, 1});
    if (f.scale == ScaleForm::MulOnBoth)
        kT = b.op("Mul",
                  {b.initializer("k_factor", TensorData::fromFloat({std::pow(float(f.headSize), -0.25f)}, {})), kT}, {},
                  "k_scaled");
    const std::string v = splitHeads(b, "v", dense(b, "v", "x", H, 3), {0, 2, 1, 3});
    const std::string rawScores = b.op("MatMul", {q, kT}, {}, "scores");
    std::string scores = scaled(b, f, rawScores);
    if (f.mask) scores = b.op("Add", {scores, "mask"}, {}, "masked");
    const std::string probs = b.op("Softmax", {scores}, {intAttr("axis", f.softmaxAxis)}, "probs");
    const std::string context = b.op("MatMul", {probs, v}, {}, "context");
    const std::string merged = b.op("Transpose", {context}, {intsAttr("perm", {0, 2, 1, 3})}, "merged");
    auto shape = b.initializer("merge_shape", TensorData::fromInt64({1, T, H}, {3}));
    const std::string y = b.op("Reshape", {merged, shape}, {}, "y");
    b.output(y, DataType::Float, {1, T, H});
    if (f.scoresAlsoOutput) b.output(rawScores, DataType::Float, {1, f.heads, T, T});
    return b;
}

std::map<std::string, TensorData> inputsFor(const Form& f) {
    WeightGenerator gen(11);
    const int64_t T = f.tokens, H = f.heads * f.headSize;
    std::map<std::string, TensorData> inputs{{"x", TensorData::fromFloat(gen.uniform(T * H, 1.f), {1, T, H})}};
    if (f.mask) {
        const Shape shape = f.maskShape.empty() ? Shape{1, 1, 1, T} : f.maskShape;
        std::vector<float> mask = gen.uniform(elementCount(shape).value_or(0), 2.f);
        mask[1] = -10000.f;  // one key hidden, as a padding mask hides it
        inputs["mask"] = TensorData::fromFloat(mask, shape);
    }
    return inputs;
}

struct Outcome {
    TensorData y;
    Graph executed;
    std::vector<TensorPlacement> map;
};

Outcome runWith(const Form& f, bool fusion, std::vector<std::string> keep = {}) {
    SessionOptions options;
    options.fusion = fusion;
    options.threads = 2;
    options.keep = std::move(keep);
    options.mode = MemoryMode::parse("reduce").value();
    auto session = Session::create(loadModelFromBytes(attentionGraph(f).serialize(), ".").take(), options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    const Status run = session.value()->run(inputsFor(f));
    if (!run.isOk()) qFatal("run failed: %s", run.toString().c_str());
    return {session.value()->output("y").value(), session.value()->executedGraph(), session.value()->memoryMap()};
}

int countOp(const Graph& g, const std::string& op) {
    return static_cast<int>(
        std::count_if(g.nodes.begin(), g.nodes.end(), [&](const Node& n) { return n.opType == op; }));
}

// Values the executed graph makes whose shape is (batch, heads, seq, seq).
int scoreSizedTensors(const Graph& g, const Form& f) {
    int count = 0;
    for (const Node& n : g.nodes)
        for (ValueId id : n.outputs)
            if (id != kNoValue && g.value(id).shape == Shape{1, f.heads, f.tokens, f.tokens}) ++count;
    return count;
}

void expectClose(const TensorData& a, const TensorData& b) {
    QCOMPARE(a.shape, b.shape);
    for (int64_t i = 0; i < a.elementCount(); ++i) {
        const float x = a.data<float>()[i], y = b.data<float>()[i];
        QVERIFY2(std::abs(x - y) <= 1e-5f + 1e-4f * std::abs(y),
                 qPrintable(QString("%1: %2 vs %3").arg(i).arg(x).arg(y)));
    }
}

// MultiHeadAttention as a file writes it: (batch, seq, hidden) q, k, v;
// with `cache` also a bias and past key / value (the kernel's cache
// layout), else read in place. attention_bias (1, heads, 1, total)
// broadcasts over the query rows; the key padding mask hides key 2 of
// batch 1.
struct MhaCase {
    int64_t B = 2, S = 37, P = 0, N = 2, D = 8;
    bool cache = false;
    int64_t H() const { return N * D; }
    int64_t T() const { return P + S; }
};

std::vector<float> uniformValues(int64_t count, uint64_t seed) {
    WeightGenerator gen(seed);
    return gen.uniform(count, 1.f);
}

std::map<std::string, TensorData> mhaInputs(const MhaCase& m) {
    std::map<std::string, TensorData> in;
    for (const char* name : {"q", "k", "v"})
        in[name] = TensorData::fromFloat(uniformValues(m.B * m.S * m.H(), name[0]), {m.B, m.S, m.H()});
    in["attention_bias"] = TensorData::fromFloat(uniformValues(m.N * m.T(), 5), {1, m.N, 1, m.T()});
    TensorData mask = TensorData::zeros(DataType::Int32, {m.B, m.T()});
    for (int64_t i = 0; i < m.B * m.T(); ++i) mask.data<int32_t>()[i] = i == m.T() + 2 ? 0 : 1;
    in["mask"] = mask;
    if (m.cache) {
        in["bias"] = TensorData::fromFloat(uniformValues(3 * m.H(), 6), {3 * m.H()});
        in["past_k"] = TensorData::fromFloat(uniformValues(m.B * m.N * m.P * m.D, 7), {m.B, m.N, m.P, m.D});
        in["past_v"] = TensorData::fromFloat(uniformValues(m.B * m.N * m.P * m.D, 8), {m.B, m.N, m.P, m.D});
    }
    return in;
}

// Key or value (b, h, t, d) as the op sees it: past, then the new rows
// plus their bias slice.
double cached(const MhaCase& m, const std::map<std::string, TensorData>& in, const char* which, int64_t b, int64_t h,
              int64_t t, int64_t d) {
    const bool key = which[0] == 'k';
    if (t < m.P) return in.at(key ? "past_k" : "past_v").data<float>()[((b * m.N + h) * m.P + t) * m.D + d];
    const float* fresh = in.at(which).data<float>();
    const double bias = m.cache ? in.at("bias").data<float>()[(key ? 1 : 2) * m.H() + h * m.D + d] : 0.0;
    return fresh[(b * m.S + t - m.P) * m.H() + h * m.D + d] + bias;
}

// softmax(Q K^T / sqrt(D) + attention_bias + mask) V, in double.
std::vector<float> mhaReference(const MhaCase& m, const std::map<std::string, TensorData>& in) {
    std::vector<float> out(size_t(m.B * m.S * m.H()));
    const float* q = in.at("q").data<float>();
    const float* addend = in.at("attention_bias").data<float>();
    for (int64_t b = 0; b < m.B; ++b)
        for (int64_t h = 0; h < m.N; ++h)
            for (int64_t s = 0; s < m.S; ++s) {
                std::vector<double> w(size_t(m.T()));
                double peak = -1e300, sum = 0;
                for (int64_t t = 0; t < m.T(); ++t) {
                    double dot = 0;
                    for (int64_t d = 0; d < m.D; ++d) {
                        const double qb = m.cache ? in.at("bias").data<float>()[h * m.D + d] : 0.0;
                        dot += (q[(b * m.S + s) * m.H() + h * m.D + d] + qb) * cached(m, in, "k", b, h, t, d);
                    }
                    const bool hidden = in.at("mask").data<int32_t>()[b * m.T() + t] == 0;
                    w[size_t(t)] = dot / std::sqrt(double(m.D)) + addend[h * m.T() + t] + (hidden ? -10000.0 : 0.0);
                    peak = std::max(peak, w[size_t(t)]);
                }
                for (double& x : w) sum += (x = std::exp(x - peak));
                for (int64_t d = 0; d < m.D; ++d) {
                    double acc = 0;
                    for (int64_t t = 0; t < m.T(); ++t) acc += w[size_t(t)] / sum * cached(m, in, "v", b, h, t, d);
                    out[size_t((b * m.S + s) * m.H() + h * m.D + d)] = float(acc);
                }
            }
    return out;
}

TensorData runMha(const MhaCase& m, const std::map<std::string, TensorData>& in) {
    GraphBuilder b("mha", 13);
    for (const auto& [name, t] : in) b.input(name, t.dtype, t.shape);
    const std::vector<std::string> inputs =
        m.cache ? std::vector<std::string>{"q", "k", "v", "bias", "mask", "attention_bias", "past_k", "past_v"}
                : std::vector<std::string>{"q", "k", "v", "", "mask", "attention_bias"};
    b.node("MultiHeadAttention", inputs, {intAttr("num_heads", m.N)}, 1, "mha");
    b.setDomain("mha", "com.microsoft");
    b.importDomain("com.microsoft", 1);
    b.output("mha", DataType::Float, {m.B, m.S, m.H()});
    SessionOptions options;
    options.threads = 2;
    auto session = Session::create(loadModelFromBytes(b.serialize(), ".").take(), options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    const Status run = session.value()->run(in);
    if (!run.isOk()) qFatal("run failed: %s", run.toString().c_str());
    return session.value()->output("mha").value();
}

}  // namespace

class TestAttentionFusion : public QObject {
    Q_OBJECT

private slots:
    void fusesAndMatchesUnfused_data() {
        QTest::addColumn<int>("tokens");
        QTest::addColumn<bool>("mask");
        QTest::addColumn<int>("scale");
        QTest::addColumn<bool>("keyTwoTransposes");
        QTest::newRow("T5 div mask") << 5 << true << int(ScaleForm::Div) << false;
        QTest::newRow("T5 mul") << 5 << false << int(ScaleForm::Mul) << false;
        QTest::newRow("T33 div") << 33 << false << int(ScaleForm::Div) << true;
        QTest::newRow("T197 div") << 197 << false << int(ScaleForm::Div) << false;
        QTest::newRow("T197 mul mask") << 197 << true << int(ScaleForm::Mul) << false;
        QTest::newRow("T70 q-scaled mask two transposes") << 70 << true << int(ScaleForm::MulOnQuery) << true;
        QTest::newRow("T40 q- and k-scaled") << 40 << false << int(ScaleForm::MulOnBoth) << false;
    }

    void fusesAndMatchesUnfused() {
        QFETCH(int, tokens);
        QFETCH(bool, mask);
        QFETCH(int, scale);
        QFETCH(bool, keyTwoTransposes);
        Form f;
        f.tokens = tokens;
        f.heads = 3;
        f.mask = mask;
        f.scale = static_cast<ScaleForm>(scale);
        f.keyTwoTransposes = keyTwoTransposes;
        const Outcome fused = runWith(f, true);
        const Outcome plain = runWith(f, false);
        QCOMPARE(countOp(fused.executed, "MultiHeadAttention"), 1);
        QCOMPARE(countOp(plain.executed, "MultiHeadAttention"), 0);
        QCOMPARE(countOp(fused.executed, "Softmax"), 0);
        for (const char* op : {"Reshape", "Transpose", "Div"}) QCOMPARE(countOp(fused.executed, op), 0);
        // Other fusions may remove more (bias Adds), never fewer.
        const int written = kUnfusedAttentionNodes + (mask ? 1 : 0) + (keyTwoTransposes ? 1 : 0);
        QVERIFY(int(plain.executed.nodes.size() - fused.executed.nodes.size()) >= written - 1);
        QVERIFY(scoreSizedTensors(plain.executed, f) > 0);
        QCOMPARE(scoreSizedTensors(fused.executed, f), 0);
        expectClose(fused.y, plain.y);
    }

    // The kernel's workspace is per thread: a tile of query rows x keys and
    // the head it works on (K^T and V packed for the primitives). So it
    // grows with the tokens, not with their square, and stays below the
    // (1, heads, T, T) scores tensor the fusion removes (ViT-like sizes).
    void workspaceIsTiles() {
        auto workspaceAt = [](int64_t tokens) {
            Form f;
            f.tokens = tokens;
            f.heads = 3;
            f.headSize = 64;
            for (const TensorPlacement& t : runWith(f, true).map)
                if (t.name == "workspace of scores") return t.bytes;  // the fused node keeps the head's name
            return std::size_t{0};
        };
        const std::size_t at197 = workspaceAt(197), at394 = workspaceAt(394);
        const std::size_t scores197 = std::size_t(3 * 197 * 197) * sizeof(float);
        QVERIFY(at197 > 0);
        QVERIFY2(at197 < scores197, qPrintable(QString("%1 >= %2").arg(at197).arg(scores197)));
        QVERIFY2(at394 < at197 * 5 / 2, qPrintable(QString("%1 vs %2 at half the tokens").arg(at394).arg(at197)));
    }

    // The contrib op on the tiled core: full tiles and a short last one,
    // keys read in place or from the cache layout (bias and past), the
    // bias broadcast over query rows, a padding mask.
    void multiHeadAttentionMatchesReference_data() {
        QTest::addColumn<bool>("cache");
        QTest::addColumn<int>("seq");
        QTest::newRow("in place, 37 rows") << false << 37;
        QTest::newRow("in place, 70 rows") << false << 70;
        QTest::newRow("bias and past, 37 rows") << true << 37;
    }

    void multiHeadAttentionMatchesReference() {
        QFETCH(bool, cache);
        QFETCH(int, seq);
        MhaCase m;
        m.cache = cache;
        m.S = seq;
        m.P = cache ? 3 : 0;
        const auto in = mhaInputs(m);
        const TensorData got = runMha(m, in);
        const std::vector<float> want = mhaReference(m, in);
        QCOMPARE(got.elementCount(), int64_t(want.size()));
        for (size_t i = 0; i < want.size(); ++i)
            QVERIFY2(std::abs(got.data<float>()[i] - want[i]) <= 1e-5f + 1e-4f * std::abs(want[i]),
                     qPrintable(QString("%1: %2 vs %3").arg(i).arg(got.data<float>()[i]).arg(want[i])));
    }

    void nearMissesStayUnfused_data() {
        QTest::addColumn<int>("axis");
        QTest::addColumn<bool>("scoresAlsoOutput");
        QTest::addColumn<QString>("keep");
        QTest::addColumn<bool>("maskLastAxisOne");
        QTest::newRow("softmax over queries") << 2 << false << QString() << false;
        QTest::newRow("scores read twice") << -1 << true << QString() << false;
        QTest::newRow("probs pinned") << -1 << false << QString("probs") << false;
        QTest::newRow("heads pinned") << -1 << false << QString("k_heads") << false;
        QTest::newRow("mask broadcast over keys") << -1 << false << QString() << true;
    }

    void nearMissesStayUnfused() {
        QFETCH(int, axis);
        QFETCH(bool, scoresAlsoOutput);
        QFETCH(QString, keep);
        QFETCH(bool, maskLastAxisOne);
        Form f;
        f.tokens = 6;
        f.softmaxAxis = axis;
        f.scoresAlsoOutput = scoresAlsoOutput;
        if (maskLastAxisOne) {
            f.mask = true;
            f.maskShape = {1, 1, f.tokens, 1};
        }
        std::vector<std::string> kept;
        if (!keep.isEmpty()) kept.push_back(keep.toStdString());
        const Outcome fused = runWith(f, true, kept);
        const Outcome plain = runWith(f, false, kept);
        QCOMPARE(countOp(fused.executed, "MultiHeadAttention"), 0);
        // The scores still go through their own Softmax (other fusions,
        // e.g. the dense layers', may still shrink the graph).
        QCOMPARE(countOp(fused.executed, "Softmax"), 1);
        expectClose(fused.y, plain.y);
    }
};

QTEST_GUILESS_MAIN(TestAttentionFusion)
#include "test_attention_fusion.moc"
