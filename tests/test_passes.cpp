// Graph passes change what runs, never the result: each fused graph gives
// the unfused outputs (within float rounding) with fewer nodes and tensors.
#include <QtTest>

#include <cmath>

#include "interstage/session.h"
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
        QVERIFY2(std::abs(x - y) <= 1e-5f + 1e-4f * std::abs(y), qPrintable(QString("%1: %2 vs %3").arg(i).arg(x).arg(y)));
    }
}

std::string scalar(GraphBuilder& b, const std::string& name, float v) {
    return b.initializer(name, TensorData::fromFloat({v}, {}));
}

std::string conv(GraphBuilder& b, const std::string& x, int in, int out, uint64_t seed) {
    WeightGenerator gen(seed);
    auto w = b.initializer("w" + std::to_string(seed), TensorData::fromFloat(gen.uniform(out * in * 9, 0.4f), {out, in, 3, 3}));
    auto bias = b.initializer("b" + std::to_string(seed), TensorData::fromFloat(gen.uniform(out, 0.2f), {out}));
    return b.op("Conv", {x, w, bias}, {intsAttr("pads", {1, 1, 1, 1})}, "conv" + std::to_string(seed));
}

}  // namespace

class PassesTest : public QObject {
    Q_OBJECT
private slots:
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
};

QTEST_GUILESS_MAIN(PassesTest)
#include "test_passes.moc"
