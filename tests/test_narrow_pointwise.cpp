// Pointwise convolutions of few channels (cpu/ops/nn/narrow_product and
// conv_narrow_pointwise) and the residual fused into them (passes/
// fuse_conv_residual): the kernel against a double-precision loop on the
// shapes that exercise its row blocks, column tails and packed tiles, and
// whole graphs fused against the same graphs unfused; near-misses stay
// unfused.
#include <QtTest>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "cpu/ops/nn/narrow_product.h"
#include "interstage/session.h"
#include "test_support.h"

using namespace interstage;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// y as NarrowProduct defines it, in double.
std::vector<float> reference(const cpu::nn::NarrowProduct& p, const std::vector<float>& residual) {
    std::vector<float> y(static_cast<size_t>(p.rows * p.yStride), 0.f);
    for (int64_t o = 0; o < p.rows; ++o)
        for (int64_t j = 0; j < p.columns; ++j) {
            double sum = p.bias ? p.bias[o] : 0.0;
            for (int64_t k = 0; k < p.depth; ++k) sum += double(p.w[o * p.depth + k]) * p.x[k * p.xStride + j];
            double value = std::min<double>(std::max<double>(sum, p.low), p.high);
            if (o < p.residualRows) value += residual[size_t(o * p.residualStride + j)];
            y[size_t(o * p.yStride + j)] = float(std::min<double>(std::max<double>(value, p.afterLow), p.afterHigh));
        }
    return y;
}

struct Outcome {
    TensorData output;
    Graph executed;
};

Outcome runWith(const GraphBuilder& b, bool fusion, const TensorData& x) {
    SessionOptions options;
    options.fusion = fusion;
    options.threads = 2;
    auto session = Session::create(loadModelFromBytes(b.serialize(), ".").take(), options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    if (!session.value()->run({{"x", x}}).isOk()) qFatal("run failed");
    return {session.value()->output("y").value(), session.value()->executedGraph()};
}

int countOps(const Graph& g, const std::string& op) {
    int n = 0;
    for (const Node& node : g.nodes) n += node.opType == op ? 1 : 0;
    return n;
}

void compareClose(const TensorData& got, const TensorData& expected) {
    QCOMPARE(got.shape, expected.shape);
    for (int64_t i = 0; i < got.elementCount(); ++i) {
        const float a = got.data<float>()[i], b = expected.data<float>()[i];
        QVERIFY2(std::abs(a - b) <= 1e-5f + 1e-4f * std::abs(b),
                 qPrintable(QString("%1: %2 vs %3").arg(i).arg(a).arg(b)));
    }
}

// The shortcut kinds a block may have.
enum class Shortcut {
    Same,        // Add(conv, x)
    ZeroPad,     // Add(conv, Pad(x) with zero channels at the end)
    PadFront,    // near miss for the Pad: the zero channels come first
    PadValue,    // near miss for the Pad: padded with 1, not 0
    ReadTwice,   // near miss: the conv's output is also a graph output
    Kernel3x3,   // near miss: not a pointwise conv
    AddSigmoid,  // near miss: an activation after the Add the kernel lacks
};

// x {1, in, h, w} -> Conv 1x1 (in -> out) [-> Relu] -> Add(shortcut of x)
// [-> Relu / Sigmoid] -> y.
GraphBuilder block(int64_t in, int64_t out, int64_t h, int64_t w, Shortcut shortcut, bool convRelu, bool addRelu) {
    GraphBuilder b("block", 13);
    b.input("x", DataType::Float, {1, in, h, w});
    WeightGenerator gen(uint64_t(in * 131 + out));
    const int64_t k = shortcut == Shortcut::Kernel3x3 ? 3 : 1;
    const auto wv = b.initializer("w", TensorData::fromFloat(gen.uniform(out * in * k * k, 0.3f), {out, in, k, k}));
    const auto bv = b.initializer("b", TensorData::fromFloat(gen.uniform(out, 0.2f), {out}));
    std::string y = b.op("Conv", {"x", wv, bv}, {intsAttr("pads", {k / 2, k / 2, k / 2, k / 2})}, "project");
    if (convRelu) y = b.op("Relu", {y}, {}, "project/relu");
    std::string skip = "x";
    if (out > in) {
        std::vector<int64_t> pads = {0, 0, 0, 0, 0, out - in, 0, 0};
        if (shortcut == Shortcut::PadFront) pads = {0, out - in, 0, 0, 0, 0, 0, 0};
        std::vector<std::string> inputs = {"x", b.initializer("pads", TensorData::fromInt64(pads, {8}))};
        if (shortcut == Shortcut::PadValue) inputs.push_back(b.initializer("one", TensorData::fromFloat({1.f}, {})));
        skip = b.op("Pad", inputs, {}, "shortcut/pad");
    }
    std::string sum = b.op("Add", {y, skip}, {}, "add");
    if (shortcut == Shortcut::AddSigmoid)
        sum = b.op("Sigmoid", {sum}, {}, "act");
    else if (addRelu)
        sum = b.op("Relu", {sum}, {}, "act");
    b.output(b.op("Identity", {sum}, {}, "y"), DataType::Float, {1, out, h, w});
    if (shortcut == Shortcut::ReadTwice) b.output(y, DataType::Float, {1, out, h, w});
    return b;
}

}  // namespace

class NarrowPointwiseTest : public QObject {
    Q_OBJECT
private slots:
    // The kernel on its own: every row-block remainder (1..5 rows past the
    // blocks of six), column tails of 1..63, packed and unpacked tiles
    // (depth over 256 reads in place), a residual on the first rows only,
    // clamps before and after it, and strides wider than the rows.
    void productMatchesDoubleReference_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("columns");
        QTest::addColumn<int>("residualRows");
        QTest::addColumn<bool>("bias");
        QTest::addColumn<bool>("clamp");
        QTest::newRow("24 x 24, 128x128 map, Relu") << 24 << 24 << 16384 << 0 << true << true;
        QTest::newRow("28 from 24, residual on 24 rows") << 28 << 24 << 4096 << 24 << true << true;
        QTest::newRow("13 rows (6 + 6 + 1), tail of 17") << 13 << 7 << 81 << 13 << false << false;
        QTest::newRow("5 rows, one column") << 5 << 3 << 1 << 2 << true << true;
        QTest::newRow("11 rows, 64 + 63 columns") << 11 << 16 << 127 << 11 << true << false;
        QTest::newRow("depth 300 (tiles read in place)") << 20 << 300 << 200 << 0 << true << true;
        QTest::newRow("depth 1, 256 rows, 8x8 map") << 256 << 1 << 64 << 128 << true << true;
        QTest::newRow("128 from 88, 16x16 map (row groups)") << 128 << 88 << 256 << 88 << true << true;
    }
    void productMatchesDoubleReference() {
        QFETCH(int, rows);
        QFETCH(int, depth);
        QFETCH(int, columns);
        QFETCH(int, residualRows);
        QFETCH(bool, bias);
        QFETCH(bool, clamp);
        const int64_t stride = columns + 3;  // rows wider than the columns read
        WeightGenerator gen(uint64_t(rows * 1000 + depth));
        const std::vector<float> x = gen.uniform(depth * stride, 1.f), w = gen.uniform(rows * depth, 0.5f);
        const std::vector<float> b = gen.uniform(rows, 0.5f),
                                 residual = gen.uniform(std::max(residualRows, 1) * stride, 1.f);
        cpu::nn::NarrowProduct p;
        p.x = x.data();
        p.xStride = stride;
        p.w = w.data();
        p.bias = bias ? b.data() : nullptr;
        p.rows = rows;
        p.depth = depth;
        p.columns = columns;
        p.yStride = stride;
        p.residual = residualRows ? residual.data() : nullptr;
        p.residualRows = residualRows;
        p.residualStride = stride;
        if (clamp) {
            p.low = -0.25f;
            p.high = 2.f;
            p.afterLow = 0.f;
            p.afterHigh = kInf;
        }
        const std::vector<float> expected = reference(p, residual);
        for (const bool parallel : {false, true}) {
            std::vector<float> y(expected.size(), -7.f);  // the gaps between rows must stay untouched
            p.y = y.data();
            if (parallel)
                cpu::nn::runNarrowProductParallel(p);
            else
                cpu::nn::runNarrowProduct(p, 0, rows, 0, columns);
            for (int64_t o = 0; o < rows; ++o)
                for (int64_t j = 0; j < stride; ++j) {
                    const size_t i = size_t(o * stride + j);
                    const float want = j < columns ? expected[i] : -7.f;
                    QVERIFY2(std::abs(y[i] - want) <= 1e-4f + 1e-5f * depth * std::abs(want),
                             qPrintable(QString("row %1 column %2: %3 vs %4 (%5)")
                                            .arg(o)
                                            .arg(j)
                                            .arg(y[i])
                                            .arg(want)
                                            .arg(parallel ? "parallel" : "one thread")));
                }
        }
    }

    // Conv 1x1 -> Add(shortcut) [-> Relu] fuses into one Conv reading the
    // shortcut (unpadded when a zero Pad of channels made it), and gives
    // the unfused graph's outputs; near-misses keep their Add, and other
    // Pads stay and are read padded.
    void residualFusesAndKeepsResults_data() {
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::addColumn<int>("shortcut");
        QTest::addColumn<bool>("convRelu");
        QTest::addColumn<bool>("addRelu");
        QTest::addColumn<bool>("fuses");
        QTest::addColumn<bool>("padGoes");
        QTest::newRow("24 -> 24, Relu, Add, Relu") << 24 << 24 << int(Shortcut::Same) << true << true << true << false;
        QTest::newRow("24 -> 24, no activations") << 24 << 24 << int(Shortcut::Same) << false << false << true << false;
        QTest::newRow("24 -> 28 zero-padded shortcut")
            << 24 << 28 << int(Shortcut::ZeroPad) << false << true << true << true;
        QTest::newRow("32 -> 128 zero-padded (whole blocks)")
            << 32 << 128 << int(Shortcut::ZeroPad) << true << true << true << true;
        QTest::newRow("near miss: padded at the front")
            << 24 << 28 << int(Shortcut::PadFront) << false << true << true << false;
        QTest::newRow("near miss: padded with ones")
            << 24 << 28 << int(Shortcut::PadValue) << false << true << true << false;
        QTest::newRow("near miss: conv output read twice")
            << 24 << 24 << int(Shortcut::ReadTwice) << false << true << false << false;
        QTest::newRow("near miss: 3x3 conv") << 24 << 24 << int(Shortcut::Kernel3x3) << false << true << false << false;
        QTest::newRow("near miss: Sigmoid after the Add")
            << 24 << 24 << int(Shortcut::AddSigmoid) << false << false << false << false;
        QTest::newRow("near miss: 160 input channels")
            << 160 << 160 << int(Shortcut::Same) << false << true << false << false;
    }
    void residualFusesAndKeepsResults() {
        QFETCH(int, in);
        QFETCH(int, out);
        QFETCH(int, shortcut);
        QFETCH(bool, convRelu);
        QFETCH(bool, addRelu);
        QFETCH(bool, fuses);
        QFETCH(bool, padGoes);
        const int64_t h = 19, w = 21;  // 399 positions: six tiles and a tail
        const GraphBuilder b = block(in, out, h, w, Shortcut(shortcut), convRelu, addRelu);
        WeightGenerator gen(5);
        const TensorData x = TensorData::fromFloat(gen.uniform(in * h * w, 1.f), {1, in, h, w});
        const Outcome fused = runWith(b, true, x);
        const Outcome plain = runWith(b, false, x);
        QCOMPARE(countOps(plain.executed, "Add"), 1);
        QCOMPARE(countOps(fused.executed, "Add"), fuses ? 0 : 1);
        if (out > in) QCOMPARE(countOps(fused.executed, "Pad"), padGoes ? 0 : 1);
        for (const Node& node : fused.executed.nodes)
            if (node.opType == "Conv") {
                QCOMPARE(node.inputs.size(), size_t(fuses ? 4 : 3));
                if (!fuses) continue;
                QCOMPARE(fused.executed.value(node.inputs[3]).shape[1], int64_t(padGoes ? in : out));
                // The kernel reads NCHW: whole blocks of channels stay plain around it.
                QCOMPARE(fused.executed.value(node.inputs[0]).channelBlock, 0);
                QCOMPARE(fused.executed.value(node.inputs[3]).channelBlock, 0);
            }
        compareClose(fused.output, plain.output);
    }
};

QTEST_GUILESS_MAIN(NarrowPointwiseTest)
#include "test_narrow_pointwise.moc"
