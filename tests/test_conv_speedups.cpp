// The dense and depthwise nets' speed-ups change what runs, never the
// result: each fused or blocked path gives the outputs of the plain,
// unfused one (within float rounding), and near-misses stay unfused.
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "cpu/ops/nn/dnnl_context.h"
#include "interstage/session.h"
#include "test_support.h"

using namespace interstage;

namespace {

struct Outcome {
    TensorData output;
    Graph executed;
};

Outcome runWith(const GraphBuilder& b, bool fusion, bool blocked, const std::string& output = "y",
                const std::map<std::string, TensorData>& inputs = {}) {
    SessionOptions options;
    options.fusion = fusion;
    options.blockedLayout = blocked;
    options.threads = 2;
    auto session = Session::create(loadModelFromBytes(b.serialize(), ".").take(), options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    if (!session.value()->run(inputs).isOk()) qFatal("run failed");
    return {session.value()->output(output).value(), session.value()->executedGraph()};
}

std::string conv(GraphBuilder& b, const std::string& x, int64_t in, int64_t out, int64_t k, uint64_t seed) {
    WeightGenerator gen(seed);
    auto w = b.initializer("w" + std::to_string(seed),
                           TensorData::fromFloat(gen.uniform(out * in * k * k, 0.4f), {out, in, k, k}));
    auto bias = b.initializer("b" + std::to_string(seed), TensorData::fromFloat(gen.uniform(out, 0.2f), {out}));
    return b.op("Conv", {x, w, bias}, {intsAttr("pads", {k / 2, k / 2, k / 2, k / 2})}, "conv" + std::to_string(seed));
}

// DenseNet's pre-activation unit: x -> conv1 (3x3) and conv2 (3x3 on conv1)
// -> Concat (2 x width channels) -> BatchNorm -> act -> conv3 (1x1) -> y.
// act: "Relu", "Clip" (ReLU6) or "" (none).
GraphBuilder preActivationUnit(int64_t width, const std::string& act, bool bnIsOutput = false,
                               bool bnReadTwice = false) {
    GraphBuilder b("preact", 13);
    b.input("x", DataType::Float, {1, 3, 10, 12});
    const auto c1 = conv(b, "x", 3, width, 3, 1);
    const auto c2 = conv(b, c1, width, width, 3, 2);
    const auto cat = b.op("Concat", {c1, c2}, {intAttr("axis", 1)}, "cat");
    const auto bn = testsupport::batchNormalization(b, cat, 2 * width, "bn");
    std::string a = bn;
    if (act == "Relu") a = b.op("Relu", {bn}, {}, "act");
    if (act == "Clip") {
        const auto lo = b.initializer("lo", TensorData::fromFloat({0.f}, {}));
        const auto hi = b.initializer("hi", TensorData::fromFloat({0.5f}, {}));
        a = b.op("Clip", {bn, lo, hi}, {}, "act");
    }
    std::string y = conv(b, a, 2 * width, width, 1, 3);
    if (bnReadTwice)
        y = b.op("Add",
                 {y, b.op("Slice", {bn, b.initializer("s0", TensorData::fromInt64({0}, {1})),
                                    b.initializer("s1", TensorData::fromInt64({width}, {1})),
                                    b.initializer("ax", TensorData::fromInt64({1}, {1}))})},
                 {}, "y");
    else
        y = b.op("Identity", {y}, {}, "y");
    b.output(y, DataType::Float, {1, width, 10, 12});
    if (bnIsOutput) b.output(bn, DataType::Float, {1, 2 * width, 10, 12});
    return b;
}

int countOps(const Graph& g, const std::string& op) {
    int n = 0;
    for (const Node& node : g.nodes) n += node.opType == op ? 1 : 0;
    return n;
}

const Node* nodeNamed(const Graph& g, const std::string& name) {
    for (const Node& node : g.nodes)
        if (node.name == name) return &node;
    return nullptr;
}

// Depthwise KxK with bias and Relu, computed the slow, obvious way.
std::vector<float> naiveDepthwise(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& b,
                                  int64_t c, int64_t h, int64_t wd, int64_t k, int64_t stride, int64_t dilation,
                                  int64_t pad, int64_t oh, int64_t ow) {
    std::vector<float> y(static_cast<size_t>(c * oh * ow));
    for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t i = 0; i < oh; ++i)
            for (int64_t j = 0; j < ow; ++j) {
                double sum = b[size_t(ch)];
                for (int64_t u = 0; u < k; ++u)
                    for (int64_t v = 0; v < k; ++v) {
                        const int64_t r = i * stride - pad + u * dilation, q = j * stride - pad + v * dilation;
                        if (r >= 0 && r < h && q >= 0 && q < wd)
                            sum += double(w[size_t((ch * k + u) * k + v)]) * x[size_t((ch * h + r) * wd + q)];
                    }
                y[size_t((ch * oh + i) * ow + j)] = std::max(0.f, float(sum));
            }
    return y;
}

}  // namespace

class ConvSpeedupsTest : public QObject {
    Q_OBJECT
private slots:
    // BatchNorm -> Relu / Clip (not foldable into the Conv after it) becomes
    // one BatchNorm applying the activation, blocked with the Concat and
    // the Conv where the channels are whole blocks; every combination of
    // fusion and layout gives the unfused plain result.
    void batchNormActivationFusesAndKeepsResults_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<QString>("act");
        QTest::newRow("relu, 2 x 16 channels") << 16 << "Relu";
        QTest::newRow("relu, 2 x 24 channels") << 24 << "Relu";
        QTest::newRow("relu6-like clip, 2 x 16") << 16 << "Clip";
        QTest::newRow("relu, 2 x 6 channels (not whole blocks)") << 6 << "Relu";
        QTest::newRow("no activation, 2 x 16") << 16 << "";
    }
    void batchNormActivationFusesAndKeepsResults() {
        QFETCH(int, width);
        QFETCH(QString, act);
        const GraphBuilder b = preActivationUnit(width, act.toStdString());
        const Outcome reference = runWith(b, false, false);
        QCOMPARE(countOps(reference.executed, "BatchNormalization"), 1);
        if (!act.isEmpty()) QCOMPARE(countOps(reference.executed, act.toStdString()), 1);  // --no-fusion keeps it
        for (bool blocked : {false, true}) {
            const Outcome fused = runWith(b, true, blocked);
            QString why;
            QVERIFY2(testsupport::closeFloats(fused.output, reference.output, why), qPrintable(why));
            const Graph& g = fused.executed;
            QCOMPARE(countOps(g, "BatchNormalization"), 1);
            QCOMPARE(countOps(g, "Relu") + countOps(g, "Clip"), 0);
            const Node* bn = nodeNamed(g, "bn");
            QVERIFY(bn);
            QCOMPARE(QString::fromStdString(bn->attrString("_fused_activation", "")), act);
            const int block = cpu::nn::preferredChannelBlock();
            // Blocked where every Concat part is whole blocks (2 x 24 is, 24 is not).
            const int expected = blocked && block && width % block == 0 ? block : 0;
            QCOMPARE(g.value(bn->input(0)).channelBlock, expected);
            QCOMPARE(g.value(bn->output(0)).channelBlock, expected);
        }
    }

    // Near-misses: a BatchNorm whose output is also read elsewhere, or is a
    // graph output, keeps its Relu as a node; the results still match.
    void batchNormNearMissesStayUnfused_data() {
        QTest::addColumn<bool>("bnIsOutput");
        QTest::addColumn<bool>("bnReadTwice");
        QTest::newRow("batch norm is a graph output") << true << false;
        QTest::newRow("batch norm read by two nodes") << false << true;
    }
    void batchNormNearMissesStayUnfused() {
        QFETCH(bool, bnIsOutput);
        QFETCH(bool, bnReadTwice);
        const GraphBuilder b = preActivationUnit(16, "Relu", bnIsOutput, bnReadTwice);
        const Outcome reference = runWith(b, false, false);
        for (bool blocked : {false, true}) {
            const Outcome fused = runWith(b, true, blocked);
            QCOMPARE(countOps(fused.executed, "Relu"), 1);
            const Node* bn = nodeNamed(fused.executed, "bn");
            QVERIFY(bn);
            QVERIFY(!bn->hasAttr("_fused_activation"));
            QString why;
            QVERIFY2(testsupport::closeFloats(fused.output, reference.output, why), qPrintable(why));
        }
    }

    // A BatchNorm right after a Conv still folds into the Conv's weights
    // (the Relu then fuses into the Conv, not into a BatchNorm).
    void batchNormAfterConvStillFoldsIntoIt() {
        GraphBuilder b("post", 13);
        b.input("x", DataType::Float, {1, 3, 8, 8});
        const auto c = conv(b, "x", 3, 16, 3, 1);
        const auto r = b.op("Relu", {testsupport::batchNormalization(b, c, 16, "bn")}, {}, "act");
        b.output(conv(b, r, 16, 16, 1, 2), DataType::Float, {1, 16, 8, 8});
        const Outcome reference = runWith(b, false, false, "conv2");
        const Outcome fused = runWith(b, true, true, "conv2");
        QCOMPARE(countOps(fused.executed, "BatchNormalization"), 0);
        QCOMPARE(countOps(fused.executed, "Relu"), 0);
        QString why;
        QVERIFY2(testsupport::closeFloats(fused.output, reference.output, why), qPrintable(why));
    }

    // Depthwise 5x5 on NCHW (conv_depthwise5x5.cpp: stride 1 and 2, pads
    // of 2 or TF-style 2 / 1) and its near-misses (pads of 1, dilation 2,
    // 3x3), with a fused Relu, against the obvious loops.
    void depthwise5x5MatchesReference_data() {
        QTest::addColumn<int>("kernel");
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("padEnd");
        QTest::addColumn<int>("dilation");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        QTest::newRow("5x5 s1 13x17") << 5 << 1 << 2 << 1 << 13 << 17;
        QTest::newRow("5x5 s1 40x70 (wide rows)") << 5 << 1 << 2 << 1 << 40 << 70;
        QTest::newRow("5x5 s2 pads 2/2 16x16") << 5 << 2 << 2 << 1 << 16 << 16;
        QTest::newRow("5x5 s2 pads 2/1 16x18") << 5 << 2 << 1 << 1 << 16 << 18;
        QTest::newRow("5x5 s2 pads 2/2 odd 15x21") << 5 << 2 << 2 << 1 << 15 << 21;
        QTest::newRow("5x5 s1 2x3 (smaller than the kernel)") << 5 << 1 << 2 << 1 << 2 << 3;
        QTest::newRow("near miss: 5x5 dilation 2") << 5 << 1 << 2 << 2 << 12 << 12;
        QTest::newRow("near miss: 3x3 s2") << 3 << 2 << 1 << 1 << 16 << 16;
    }
    void depthwise5x5MatchesReference() {
        QFETCH(int, kernel);
        QFETCH(int, stride);
        QFETCH(int, padEnd);
        QFETCH(int, dilation);
        QFETCH(int, height);
        QFETCH(int, width);
        const int64_t c = 24, k = kernel, pad = k / 2;
        const int64_t extent = dilation * (k - 1) + 1;
        const int64_t oh = (height + pad + padEnd - extent) / stride + 1;
        const int64_t ow = (width + pad + padEnd - extent) / stride + 1;
        WeightGenerator gen(17);
        const std::vector<float> x = gen.uniform(c * height * width, 1.f);
        const std::vector<float> w = gen.uniform(c * k * k, 0.3f), bias = gen.uniform(c, 0.2f);
        GraphBuilder b("dw", 13);
        b.input("x", DataType::Float, {1, c, height, width});
        const auto wv = b.initializer("w", TensorData::fromFloat(w, {c, 1, k, k}));
        const auto bv = b.initializer("b", TensorData::fromFloat(bias, {c}));
        const auto conv =
            b.op("Conv", {"x", wv, bv},
                 {intAttr("group", c), intsAttr("strides", {stride, stride}),
                  intsAttr("dilations", {dilation, dilation}), intsAttr("pads", {pad, pad, padEnd, padEnd})},
                 "dw");
        b.output(b.op("Relu", {conv}, {}, "y"), DataType::Float, {1, c, oh, ow});
        const Outcome got = runWith(b, true, true, "y", {{"x", TensorData::fromFloat(x, {1, c, height, width})}});
        QCOMPARE(got.output.shape, (Shape{1, c, oh, ow}));
        QCOMPARE(countOps(got.executed, "Relu"), 0);  // fused into the Conv
        const std::vector<float> expected =
            naiveDepthwise(x, w, bias, c, height, width, k, stride, dilation, pad, oh, ow);
        for (size_t i = 0; i < expected.size(); ++i)
            QVERIFY2(std::abs(got.output.data<float>()[i] - expected[i]) <= 1e-4f + 1e-4f * std::abs(expected[i]),
                     qPrintable(QString("%1: %2 vs %3").arg(i).arg(got.output.data<float>()[i]).arg(expected[i])));
    }
    // Every activation fusion folds into a convolution computed outside
    // oneDNN is applied by the vectorized activateRow (cpu/activation.h)
    // after each output plane: the fused result is the unfused graph's,
    // on planes whose length leaves a vector tail (3 x 23) and ones that
    // do not (2 x 96, PP-LCNet's last stage).
    void depthwiseFusedActivationsMatchUnfused_data() {
        QTest::addColumn<QString>("act");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        for (const char* act : {"Relu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "LeakyRelu"}) {
            QTest::newRow(qPrintable(QString("%1 3x23").arg(act))) << QString(act) << 3 << 23;
            QTest::newRow(qPrintable(QString("%1 2x96").arg(act))) << QString(act) << 2 << 96;
        }
    }
    void depthwiseFusedActivationsMatchUnfused() {
        QFETCH(QString, act);
        QFETCH(int, height);
        QFETCH(int, width);
        const int64_t c = 20;
        WeightGenerator gen(29);
        GraphBuilder b("dwact", 13);
        b.input("x", DataType::Float, {1, c, height, width});
        const auto wv = b.initializer("w", TensorData::fromFloat(gen.uniform(c * 25, 0.5f), {c, 1, 5, 5}));
        const auto bv = b.initializer("b", TensorData::fromFloat(gen.uniform(c, 0.5f), {c}));
        const auto conv = b.op("Conv", {"x", wv, bv}, {intAttr("group", c), intsAttr("pads", {2, 2, 2, 2})}, "dw");
        std::vector<std::string> inputs{conv};
        std::vector<Attribute> attributes;
        if (act == "Clip") {
            inputs.push_back(b.initializer("lo", TensorData::fromFloat({-0.25f}, {})));
            inputs.push_back(b.initializer("hi", TensorData::fromFloat({0.75f}, {})));
        }
        if (act == "HardSigmoid") attributes = {floatAttr("alpha", 0.3f), floatAttr("beta", 0.4f)};
        if (act == "LeakyRelu") attributes = {floatAttr("alpha", 0.1f)};
        b.output(b.op(act.toStdString(), inputs, attributes, "y"), DataType::Float, {1, c, height, width});
        // Inputs spread over [-4, 4], across HardSwish's and HardSigmoid's bends.
        const std::map<std::string, TensorData> in{
            {"x", TensorData::fromFloat(gen.uniform(c * height * width, 4.f), {1, c, height, width})}};
        const Outcome reference = runWith(b, false, false, "y", in);
        const Outcome fused = runWith(b, true, false, "y", in);
        QCOMPARE(countOps(reference.executed, act.toStdString()), 1);
        QCOMPARE(countOps(fused.executed, act.toStdString()), 0);
        QString why;
        QVERIFY2(testsupport::closeFloats(fused.output, reference.output, why), qPrintable(why));
    }

    // The residual Add (+ fused Relu) of same-shape float32 operands runs
    // as one vector pass (add_same_shape.cpp): exact sums, Relu as
    // std::max (NaN kept), lengths with and without a vector tail, and an
    // Add that broadcasts still takes the general loop.
    void sameShapeAddMatchesTheSum_data() {
        QTest::addColumn<int>("length");
        QTest::addColumn<bool>("relu");
        QTest::addColumn<bool>("broadcast");
        QTest::newRow("1000003 floats, relu") << 1000003 << true << false;
        QTest::newRow("37 floats, relu") << 37 << true << false;
        QTest::newRow("4096 floats, no activation") << 4096 << false << false;
        QTest::newRow("near miss: broadcast row, relu") << 4096 << true << true;
    }
    void sameShapeAddMatchesTheSum() {
        QFETCH(int, length);
        QFETCH(bool, relu);
        QFETCH(bool, broadcast);
        const int64_t n = length;
        WeightGenerator gen(5);
        std::vector<float> a = gen.uniform(n, 1.f);
        const std::vector<float> b = gen.uniform(broadcast ? 1 : n, 1.f);
        a[size_t(n / 2)] = std::nanf("");
        GraphBuilder g("add", 13);
        g.input("a", DataType::Float, {1, n});
        g.input("b", DataType::Float, {1, broadcast ? 1 : n});
        const auto sum = g.op("Add", {"a", "b"}, {}, "sum");
        g.output(relu ? g.op("Relu", {sum}, {}, "y") : g.op("Identity", {sum}, {}, "y"), DataType::Float, {1, n});
        const Outcome got =
            runWith(g, true, true, "y",
                    {{"a", TensorData::fromFloat(a, {1, n})}, {"b", TensorData::fromFloat(b, {1, broadcast ? 1 : n})}});
        QCOMPARE(countOps(got.executed, "Relu"), 0);
        const float* y = got.output.data<float>();
        for (int64_t i = 0; i < n; ++i) {
            const float e = a[size_t(i)] + b[broadcast ? 0 : size_t(i)];
            const float expected = relu ? std::max(e, 0.f) : e;
            if (std::isnan(expected)) {
                QVERIFY2(std::isnan(y[i]), qPrintable(QString("%1: NaN lost").arg(i)));
                continue;
            }
            QVERIFY2(y[i] == expected, qPrintable(QString("%1: %2 vs %3").arg(i).arg(y[i]).arg(expected)));
        }
    }
    // Constant Pad along one axis (padOneAxis in pad.cpp: fill, block
    // copy, fill) and its near-misses (two axes, a crop), against the
    // obvious loops over a 1x5x3x4 input.
    void padAlongOneAxisMatchesReference_data() {
        QTest::addColumn<QVector<int>>("pads");  // begins then ends, NCHW
        QTest::newRow("channels 0 + 3 (BlazeFace's shortcut)") << QVector<int>{0, 0, 0, 0, 0, 3, 0, 0};
        QTest::newRow("channels 2 + 1") << QVector<int>{0, 2, 0, 0, 0, 1, 0, 0};
        QTest::newRow("last axis 1 + 2") << QVector<int>{0, 0, 0, 1, 0, 0, 0, 2};
        QTest::newRow("batch 1 + 0") << QVector<int>{1, 0, 0, 0, 0, 0, 0, 0};
        QTest::newRow("near miss: two axes") << QVector<int>{0, 1, 1, 0, 0, 0, 0, 0};
        QTest::newRow("near miss: a crop") << QVector<int>{0, 1, 0, 0, 0, -2, 0, 0};
    }
    void padAlongOneAxisMatchesReference() {
        QFETCH(QVector<int>, pads);
        const Shape in{1, 5, 3, 4};
        Shape out = in;
        for (size_t a = 0; a < 4; ++a) out[a] += pads[int(a)] + pads[int(a) + 4];
        WeightGenerator gen(9);
        const std::vector<float> x = gen.uniform(60, 1.f);
        GraphBuilder g("pad", 13);
        g.input("x", DataType::Float, in);
        const std::vector<int64_t> padValues(pads.begin(), pads.end());
        const auto p = g.initializer("pads", TensorData::fromInt64(padValues, {8}));
        const auto value = g.initializer("value", TensorData::fromFloat({0.25f}, {}));
        g.output(g.op("Pad", {"x", p, value}, {}, "y"), DataType::Float, out);
        const Outcome got = runWith(g, true, true, "y", {{"x", TensorData::fromFloat(x, in)}});
        QCOMPARE(got.output.shape, out);
        const float* y = got.output.data<float>();
        int64_t i = 0;
        for (int64_t n = 0; n < out[0]; ++n)
            for (int64_t c = 0; c < out[1]; ++c)
                for (int64_t h = 0; h < out[2]; ++h)
                    for (int64_t w = 0; w < out[3]; ++w, ++i) {
                        const int64_t src[4] = {n - pads[0], c - pads[1], h - pads[2], w - pads[3]};
                        bool inside = true;
                        for (size_t a = 0; a < 4; ++a) inside = inside && src[a] >= 0 && src[a] < in[a];
                        const float e = inside ? x[size_t(((src[0] * 5 + src[1]) * 3 + src[2]) * 4 + src[3])] : 0.25f;
                        QVERIFY2(y[i] == e, qPrintable(QString("%1: %2 vs %3").arg(i).arg(y[i]).arg(e)));
                    }
    }
};

QTEST_GUILESS_MAIN(ConvSpeedupsTest)
#include "test_conv_speedups.moc"
