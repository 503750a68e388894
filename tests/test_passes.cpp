// Graph passes change what runs, never the result: each fused graph gives
// the unfused outputs (within float rounding) with fewer nodes and tensors.
#include <QtTest>
#include <cmath>

#include "cpu/ops/nn/dnnl_context.h"
#include "interstage/session.h"
#include "passes/blocked_layout.h"
#include "passes/pipeline.h"
#include "test_support.h"

using namespace interstage;

namespace {

struct Outcome {
    TensorData output;
    size_t nodes = 0;
};

Outcome runWith(const GraphBuilder& b, bool fusion, const std::string& output) {
    SessionOptions options;
    options.fusion = fusion;
    options.threads = 1;
    auto session = Session::create(loadModelFromBytes(b.serialize(), ".").take(), options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    if (!session.value()->run({}).isOk()) qFatal("run failed");
    return {session.value()->output(output).value(), session.value()->executedGraph().nodes.size()};
}

void expectClose(const TensorData& a, const TensorData& b) {
    QCOMPARE(a.shape, b.shape);
    for (int64_t i = 0; i < a.elementCount(); ++i) {
        const float x = a.data<float>()[i], y = b.data<float>()[i];
        QVERIFY2(std::abs(x - y) <= 1e-5f + 1e-4f * std::abs(y),
                 qPrintable(QString("%1: %2 vs %3").arg(i).arg(x).arg(y)));
    }
}

std::string scalar(GraphBuilder& b, const std::string& name, float v) {
    return b.initializer(name, TensorData::fromFloat({v}, {}));
}

std::string conv(GraphBuilder& b, const std::string& x, int in, int out, uint64_t seed) {
    WeightGenerator gen(seed);
    auto w = b.initializer("w" + std::to_string(seed),
                           TensorData::fromFloat(gen.uniform(out * in * 9, 0.4f), {out, in, 3, 3}));
    auto bias = b.initializer("b" + std::to_string(seed), TensorData::fromFloat(gen.uniform(out, 0.2f), {out}));
    return b.op("Conv", {x, w, bias}, {intsAttr("pads", {1, 1, 1, 1})}, "conv" + std::to_string(seed));
}

std::string conv1x1(GraphBuilder& b, const std::string& x, int in, int out, uint64_t seed, int group = 1) {
    WeightGenerator gen(seed);
    const int k = group == 1 ? 1 : 3;
    auto w =
        b.initializer("w" + std::to_string(seed),
                      TensorData::fromFloat(gen.uniform(out * (in / group) * k * k, 0.4f), {out, in / group, k, k}));
    std::vector<Attribute> attrs{intAttr("group", group)};
    if (k == 3) attrs.push_back(intsAttr("pads", {1, 1, 1, 1}));
    return b.op("Conv", {x, w}, attrs, "conv" + std::to_string(seed));
}

// x -> c1 (3x3, 16) -> r1 (Relu) -> c2 (3x3) -> a = Add(c2, r1) -> d
// (depthwise) -> e (1x1 to 8 channels) -> GlobalAveragePool -> y. c2 is
// 3x3 so that the Add stays (a 1x1 would take it as a fused residual and
// run NCHW: passes/fuse_conv_residual.cpp).
GraphBuilder convChain() {
    GraphBuilder b("chain", 13);
    b.input("x", DataType::Float, {1, 3, 12, 12});
    auto c1 = conv(b, "x", 3, 16, 1);
    auto r1 = b.op("Relu", {c1}, {}, "r1");
    auto c2 = conv(b, r1, 16, 16, 2);
    auto a = b.op("Add", {c2, r1}, {}, "a");
    auto d = conv1x1(b, a, 16, 16, 3, 16);
    auto e = conv1x1(b, d, 16, 8, 4);
    auto y = b.op("GlobalAveragePool", {e}, {}, "y");
    b.output(y, DataType::Float, {1, 8, 1, 1});
    return b;
}

// x -> conv1 (16) -> conv2 (16) -> MaxPool 3x3 s1 (max); Concat(conv1,
// max) (32) -> conv3 (1x1, 16) -> AveragePool 2x2 s2 with pads counted
// (avg) -> Resize linear (up) -> Resize nearest (near) -> GlobalAveragePool -> y.
GraphBuilder concatPoolChain() {
    GraphBuilder b("concatpool", 13);
    b.input("x", DataType::Float, {1, 3, 10, 10});
    auto a = conv(b, "x", 3, 16, 1);
    auto c = conv(b, a, 16, 16, 2);
    auto m = b.op("MaxPool", {c}, {intsAttr("kernel_shape", {3, 3}), intsAttr("pads", {1, 1, 1, 1})}, "max");
    auto cat = b.op("Concat", {a, m}, {intAttr("axis", 1)}, "cat");
    auto d = conv1x1(b, cat, 32, 16, 3);
    auto avg = b.op("AveragePool", {d},
                    {intsAttr("kernel_shape", {3, 3}), intsAttr("strides", {2, 2}), intsAttr("pads", {1, 1, 1, 1}),
                     intAttr("count_include_pad", 1), intAttr("ceil_mode", 1)},
                    "avg");
    auto scales = b.initializer("scales", TensorData::fromFloat({1.f, 1.f, 2.f, 1.5f}, {4}));
    auto up = b.op("Resize", {avg, "", scales}, {stringAttr("mode", "linear")}, "up");
    auto near = b.op("Resize", {up, "", scales}, {stringAttr("mode", "nearest")}, "near");
    auto y = b.op("GlobalAveragePool", {near}, {}, "y");
    b.output(y, DataType::Float, {1, 16, 1, 1});
    return b;
}

std::set<std::string> blockedNames(const Graph& g) {
    std::set<std::string> names;
    for (const Value& v : g.values)
        if (v.channelBlock) names.insert(v.name);
    return names;
}

}  // namespace

class PassesTest : public QObject {
    Q_OBJECT
private slots:
    // Tensors that pass only between convolutions (through the Relu and the
    // residual Add) are blocked; 8 channels, the GlobalAveragePool's input
    // and the graph's ends stay NCHW; a pinned tensor keeps its group NCHW;
    // a bound on the plain side of mixed convolutions unblocks step by step.
    void blockedLayoutBetweenConvolutions() {
        auto model = loadModelFromBytes(convChain().serialize(), ".");
        QVERIFY(model.ok());
        Graph g = model->graph;
        QVERIFY(resolveShapes(g, {}).ok());
        const std::size_t unbounded = std::size_t(1) << 40;
        QCOMPARE(chooseBlockedLayouts(g, 16, unbounded, {}), 5);
        QCOMPARE(blockedNames(g), (std::set<std::string>{"conv1", "r1", "conv2", "a", "conv3"}));
        QCOMPARE(g.value(g.find("a")).channelBlock, 16);
        QCOMPARE(chooseBlockedLayouts(g, 16, unbounded, {"r1"}), 1);
        QCOMPARE(blockedNames(g), (std::set<std::string>{"conv3"}));
        // conv4 (16 -> 8 channels) writes a plain tensor of 8 x 12 x 12
        // floats: with a smaller bound conv3 stays plain, which makes conv3
        // mixed, and so on back to the input.
        QCOMPARE(chooseBlockedLayouts(g, 16, 8 * 12 * 12 * 4 - 1, {}), 0);
        QCOMPARE(chooseBlockedLayouts(g, 0, unbounded, {}), 0);  // no blocked kernels on this CPU

        // A channel Concat, pools and Resizes join their inputs' layout;
        // global pooling reads blocked.
        auto second = loadModelFromBytes(concatPoolChain().serialize(), ".");
        QVERIFY(second.ok());
        Graph h = second->graph;
        QVERIFY(resolveShapes(h, {}).ok());
        QCOMPARE(chooseBlockedLayouts(h, 16, unbounded, {}), 8);
        QCOMPARE(blockedNames(h),
                 (std::set<std::string>{"conv1", "conv2", "max", "cat", "conv3", "avg", "up", "near"}));
    }

    // A constant scalar operand (PP-LCNet's learnable scale) keeps a tensor
    // between convolutions blockable; a per-channel one does not.
    void blockedLayoutThroughScalarConstants() {
        for (bool perChannel : {false, true}) {
            GraphBuilder b("affine", 13);
            b.input("x", DataType::Float, {1, 3, 8, 8});
            auto c1 = conv(b, "x", 3, 16, 1);
            auto scale =
                b.initializer("scale", perChannel ? TensorData::fromFloat(std::vector<float>(16, 0.5f), {1, 16, 1, 1})
                                                  : TensorData::fromFloat({0.5f}, {1}));
            auto scaled = b.op("Mul", {c1, scale}, {}, "scaled");
            auto shifted = b.op("Add", {scaled, scalar(b, "shift", 0.25f)}, {}, "shifted");
            auto y = conv(b, shifted, 16, 16, 2);
            b.output(y, DataType::Float, {1, 16, 8, 8});
            auto model = loadModelFromBytes(b.serialize(), ".");
            QVERIFY(model.ok());
            Graph g = model->graph;
            QVERIFY(resolveShapes(g, {}).ok());
            chooseBlockedLayouts(g, 16, std::size_t(1) << 40, {});
            const std::set<std::string> expected =
                perChannel ? std::set<std::string>{} : std::set<std::string>{"conv1", "scaled", "shifted"};
            QCOMPARE(blockedNames(g), expected);
        }
    }

    // Blocking changes where bytes sit, not the results; a blocked tensor
    // reads back (blob) as NCHW.
    void blockedLayoutKeepsResults_data() {
        QTest::addColumn<int>("graph");
        QTest::addColumn<QString>("intermediate");
        QTest::newRow("residual chain") << 0 << "a";
        QTest::newRow("concat and pools: concat") << 1 << "cat";
        QTest::newRow("concat and pools: max") << 1 << "max";
        QTest::newRow("concat and pools: average") << 1 << "avg";
        QTest::newRow("resize linear") << 1 << "up";
        QTest::newRow("resize nearest") << 1 << "near";
    }
    void blockedLayoutKeepsResults() {
        QFETCH(int, graph);
        QFETCH(QString, intermediate);
        const std::string bytes = (graph == 0 ? convChain() : concatPoolChain()).serialize();
        Outcome results[2];
        TensorData intermediates[2];
        for (int blocked = 0; blocked < 2; ++blocked) {
            SessionOptions options;
            options.blockedLayout = blocked == 1;
            options.threads = 1;
            auto session = Session::create(loadModelFromBytes(bytes, ".").take(), options);
            QVERIFY2(session.ok(), session.status().toString().c_str());
            QVERIFY(session.value()->run({}).isOk());
            results[blocked].output = session.value()->output("y").value();
            intermediates[blocked] = session.value()->blob(intermediate.toStdString()).value();
            const Graph& g = session.value()->executedGraph();
            const int expected = blocked ? cpu::nn::preferredChannelBlock() : 0;
            QCOMPARE(g.value(g.find(intermediate.toStdString())).channelBlock, expected);
            QCOMPARE(g.value(g.find("y")).channelBlock, 0);
        }
        expectClose(results[1].output, results[0].output);
        expectClose(intermediates[1], intermediates[0]);
    }

    // Paddle's HardSwish: x * Clip(x + 3, 0, 6) / 6, after a Conv.
    void hardSwishPatternFusesIntoConv() {
        GraphBuilder b("hswish", 13);
        b.input("x", DataType::Float, {1, 3, 9, 11});
        auto c = conv(b, "x", 3, 4, 1);
        auto add = b.op("Add", {c, scalar(b, "three", 3.f)}, {}, "add3");
        auto clip = b.op("Clip", {add, scalar(b, "zero", 0.f), scalar(b, "six", 6.f)}, {}, "clip");
        auto mul = b.op("Mul", {c, clip}, {}, "mul");
        auto div = b.op("Div", {mul, scalar(b, "sixd", 6.f)}, {}, "y");
        b.output(div, DataType::Float, {1, 4, 9, 11});
        Outcome fused = runWith(b, true, div), plain = runWith(b, false, div);
        expectClose(fused.output, plain.output);
        QCOMPARE(plain.nodes, size_t(5));
        QCOMPARE(fused.nodes, size_t(1));  // Conv with a fused HardSwish
    }

    // PP-LCNetV3's learnable affine: Conv -> Mul(scale) -> Add(shift) -> Relu.
    void affineFoldsIntoConv() {
        GraphBuilder b("affine", 13);
        b.input("x", DataType::Float, {1, 3, 8, 8});
        auto c = conv(b, "x", 3, 5, 2);
        auto scaled = b.op("Mul", {scalar(b, "scale", 1.7f), c}, {}, "scale_mul");
        auto shifted = b.op("Add", {scaled, scalar(b, "shift", -0.3f)}, {}, "shift_add");
        auto relu = b.op("Relu", {shifted}, {}, "y");
        b.output(relu, DataType::Float, {1, 5, 8, 8});
        Outcome fused = runWith(b, true, relu), plain = runWith(b, false, relu);
        expectClose(fused.output, plain.output);
        QCOMPARE(fused.nodes, size_t(1));
    }

    // PP-LCNetV3's learnable affine after an activation: Conv -> Relu ->
    // Mul(scale) -> Add(shift) -> 1x1 Conv, here with per-channel
    // constants, a grouped 1x1 Conv and a second unpadded reader (a 3x3
    // with no pads): the affine folds into both readers' weights and bias.
    void inputAffineFoldsIntoUnpaddedConvs() {
        GraphBuilder b("input_affine", 13);
        b.input("x", DataType::Float, {1, 3, 8, 8});
        auto c = conv(b, "x", 3, 4, 5);
        auto r = b.op("Relu", {c}, {}, "r");
        auto scale = b.initializer("scale4", TensorData::fromFloat({1.7f, -0.5f, 0.25f, 2.f}, {1, 4, 1, 1}));
        auto scaled = b.op("Mul", {scale, r}, {}, "lab_mul");
        auto shift = b.op("Add", {scaled, scalar(b, "shift", -0.3f)}, {}, "lab_add");
        auto grouped = conv1x1(b, shift, 4, 6, 6);  // 1x1, one group
        WeightGenerator gen(7);
        auto w = b.initializer("w7", TensorData::fromFloat(gen.uniform(4 * 2 * 9, 0.4f), {4, 2, 3, 3}));
        auto valid = b.op("Conv", {shift, w}, {intAttr("group", 2)}, "valid3x3");  // grouped, no pads
        auto pooled = b.op("GlobalAveragePool", {grouped}, {}, "gp");
        auto pooled2 = b.op("GlobalAveragePool", {valid}, {}, "gp2");
        auto y = b.op("Concat", {pooled, pooled2}, {intAttr("axis", 1)}, "y");
        b.output(y, DataType::Float, {1, 10, 1, 1});
        Outcome fused = runWith(b, true, y), plain = runWith(b, false, y);
        expectClose(fused.output, plain.output);
        QCOMPARE(plain.nodes, size_t(9));
        QCOMPARE(fused.nodes, size_t(6));  // Conv+Relu, the two Convs, two pools, Concat
    }

    // A padded reader sees zeros at the border where x * a + b would be b:
    // no folding, for any reader, when one reader pads.
    void inputAffineBeforePaddedConvStays() {
        GraphBuilder b("padded_reader", 13);
        b.input("x", DataType::Float, {1, 3, 6, 6});
        auto r = b.op("Relu", {"x"}, {}, "r");
        auto scaled = b.op("Mul", {r, scalar(b, "scale", 1.5f)}, {}, "lab_mul");
        auto shift = b.op("Add", {scaled, scalar(b, "shift", 0.7f)}, {}, "lab_add");
        auto padded = conv(b, shift, 3, 4, 8);
        auto pointwise = conv1x1(b, shift, 3, 4, 9);
        auto y = b.op("Concat", {padded, pointwise}, {intAttr("axis", 1)}, "y");
        b.output(y, DataType::Float, {1, 8, 6, 6});
        Outcome fused = runWith(b, true, y), plain = runWith(b, false, y);
        expectClose(fused.output, plain.output);
        QCOMPARE(fused.nodes, plain.nodes);
    }

    // A [C] constant broadcasts along W, not along channels: no folding.
    void perWidthConstantIsNotFolded() {
        GraphBuilder b("width", 13);
        b.input("x", DataType::Float, {1, 3, 4, 5});
        auto c = conv(b, "x", 3, 5, 3);
        auto w = b.initializer("perw", TensorData::fromFloat({1, 2, 3, 4, 5}, {5}));
        auto mul = b.op("Mul", {c, w}, {}, "y");
        b.output(mul, DataType::Float, {1, 5, 4, 5});
        Outcome fused = runWith(b, true, mul), plain = runWith(b, false, mul);
        expectClose(fused.output, plain.output);
        QCOMPARE(fused.nodes, size_t(2));
    }

    // BatchNorm folds into Conv weights.
    void batchNormFolds() {
        GraphBuilder b("bn", 13);
        b.input("x", DataType::Float, {1, 2, 6, 6});
        auto c = conv(b, "x", 2, 3, 4);
        auto s = b.initializer("s", TensorData::fromFloat({1.5f, 0.5f, 2.f}, {3}));
        auto bb = b.initializer("bb", TensorData::fromFloat({0.1f, -0.2f, 0.3f}, {3}));
        auto m = b.initializer("m", TensorData::fromFloat({0.05f, 0.1f, -0.1f}, {3}));
        auto v = b.initializer("v", TensorData::fromFloat({0.9f, 1.1f, 0.7f}, {3}));
        auto bn = b.op("BatchNormalization", {c, s, bb, m, v}, {}, "y");
        b.output(bn, DataType::Float, {1, 3, 6, 6});
        Outcome fused = runWith(b, true, bn), plain = runWith(b, false, bn);
        expectClose(fused.output, plain.output);
        QCOMPARE(fused.nodes, size_t(1));
    }

    // The folded weights are each output channel's weights times
    // scale / sqrt(var + eps) (float weights are scaled in a copy of their
    // bytes): against a double-precision loop; the file's weights stay.
    void batchNormFoldScalesEachOutputChannel() {
        const std::vector<float> scale{1.5f, 0.5f, 2.f}, var{0.9f, 1.1f, 0.7f};
        GraphBuilder b("bn", 13);
        b.input("x", DataType::Float, {1, 2, 6, 6});
        auto c = conv(b, "x", 2, 3, 4);
        auto s = b.initializer("s", TensorData::fromFloat(scale, {3}));
        auto bb = b.initializer("bb", TensorData::fromFloat({0.1f, -0.2f, 0.3f}, {3}));
        auto m = b.initializer("m", TensorData::fromFloat({0.05f, 0.1f, -0.1f}, {3}));
        auto v = b.initializer("v", TensorData::fromFloat(var, {3}));
        auto bn = b.op("BatchNormalization", {c, s, bb, m, v}, {}, "y");
        b.output(bn, DataType::Float, {1, 3, 6, 6});
        Model model = testsupport::builtModel(b);
        PassOptions passes;
        RemovedValues removed;
        ExecutionOrderReport order;
        auto graph = runPasses(model.graph, {}, {}, nullptr, {}, passes, removed, order);
        QVERIFY(graph.ok());
        QCOMPARE(graph.value().nodes.size(), size_t(1));
        const Value& folded = graph.value().value(graph.value().nodes[0].input(1));
        QVERIFY(folded.constant);
        QCOMPARE(folded.constant->shape, (Shape{3, 2, 3, 3}));
        const std::vector<float> w = WeightGenerator(4).uniform(3 * 2 * 9, 0.4f);
        for (size_t i = 0; i < w.size(); ++i) {
            const size_t channel = i / (2 * 9);
            const double expected = double(w[i]) * scale[channel] / std::sqrt(double(var[channel]) + 1e-5);
            const float got = folded.constant->data<float>()[i];
            QVERIFY2(std::abs(got - expected) <= 1e-6 * std::abs(expected) + 1e-7,
                     qPrintable(QString("%1: %2 vs %3").arg(i).arg(got).arg(expected)));
        }
        const Value& file = model.graph.value(model.graph.find("w4"));
        QCOMPARE(file.constant->data<float>()[0], w[0]);
    }
};

QTEST_GUILESS_MAIN(PassesTest)
#include "test_passes.moc"
