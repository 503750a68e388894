// Convolutions of few channels on the narrow kernel (cpu/ops/nn/
// narrow_product, conv_narrow_pointwise, conv_narrow_rows) and the
// residual fused into the pointwise ones (passes/fuse_conv_residual): the
// kernel and the row-gathering conv against double-precision loops on the
// shapes that exercise row blocks, column tails, packed tiles, pads and
// strides, and whole graphs fused against the same graphs unfused;
// near-misses stay unfused.
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

// A dense 2-D conv with bias and Relu, the slow, obvious way.
std::vector<float> naiveConv(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& b,
                             int64_t c, int64_t h, int64_t wd, int64_t o, int64_t k, int64_t stride, int64_t dilation,
                             int64_t padTop, int64_t padLeft, int64_t oh, int64_t ow) {
    std::vector<float> y(static_cast<size_t>(o * oh * ow));
    for (int64_t oc = 0; oc < o; ++oc)
        for (int64_t i = 0; i < oh; ++i)
            for (int64_t j = 0; j < ow; ++j) {
                double sum = b[size_t(oc)];
                for (int64_t ch = 0; ch < c; ++ch)
                    for (int64_t u = 0; u < k; ++u)
                        for (int64_t v = 0; v < k; ++v) {
                            const int64_t r = i * stride - padTop + u * dilation;
                            const int64_t q = j * stride - padLeft + v * dilation;
                            if (r >= 0 && r < h && q >= 0 && q < wd)
                                sum += double(w[size_t(((oc * c + ch) * k + u) * k + v)]) *
                                       x[size_t((ch * h + r) * wd + q)];
                        }
                y[size_t((oc * oh + i) * ow + j)] = std::max(0.f, float(sum));
            }
    return y;
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

    // Dense convs of few input channels, gathered one output row at a time
    // (conv_narrow_rows.cpp): strides 1 and 2, even and odd sizes, pads
    // at one end only, rows too wide for its buffers and a dilation (both
    // near misses, run by oneDNN) give the reference's values.
    void rowsConvMatchesDoubleReference_data() {
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("outputs");
        QTest::addColumn<int>("kernel");
        QTest::addColumn<int>("stride");
        QTest::addColumn<QVector<int>>("pads");  // top, left, bottom, right
        QTest::addColumn<int>("dilation");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        QTest::newRow("BlazeFace's stem: 3 -> 24, 5x5 s2, 64x64")
            << 3 << 24 << 5 << 2 << QVector<int>{2, 2, 2, 2} << 1 << 64 << 64;
        QTest::newRow("3 -> 13, 3x3 s1, 17x23") << 3 << 13 << 3 << 1 << QVector<int>{1, 1, 1, 1} << 1 << 17 << 23;
        QTest::newRow("5 -> 7, 5x5 s2, odd 15x21, pads 2/1")
            << 5 << 7 << 5 << 2 << QVector<int>{2, 2, 1, 1} << 1 << 15 << 21;
        QTest::newRow("2 -> 30, 3x3 s2, no pads") << 2 << 30 << 3 << 2 << QVector<int>{0, 0, 0, 0} << 1 << 12 << 70;
        QTest::newRow("8 -> 6, 3x3 s1, pads at the end only")
            << 8 << 6 << 3 << 1 << QVector<int>{0, 0, 2, 2} << 1 << 9 << 9;
        QTest::newRow("near miss: 3 -> 8, 3x3, 5000 wide")
            << 3 << 8 << 3 << 1 << QVector<int>{1, 1, 1, 1} << 1 << 3 << 5000;
        QTest::newRow("near miss: dilation 2") << 3 << 8 << 3 << 1 << QVector<int>{2, 2, 2, 2} << 2 << 11 << 13;
    }
    void rowsConvMatchesDoubleReference() {
        QFETCH(int, channels);
        QFETCH(int, outputs);
        QFETCH(int, kernel);
        QFETCH(int, stride);
        QFETCH(QVector<int>, pads);
        QFETCH(int, dilation);
        QFETCH(int, height);
        QFETCH(int, width);
        const int64_t c = channels, o = outputs, k = kernel, extent = dilation * (k - 1) + 1;
        const int64_t oh = (height + pads[0] + pads[2] - extent) / stride + 1;
        const int64_t ow = (width + pads[1] + pads[3] - extent) / stride + 1;
        WeightGenerator gen(uint64_t(c * 100 + o));
        const std::vector<float> x = gen.uniform(c * height * width, 1.f);
        const std::vector<float> w = gen.uniform(o * c * k * k, 0.3f), bias = gen.uniform(o, 0.2f);
        GraphBuilder b("rows", 13);
        b.input("x", DataType::Float, {1, c, height, width});
        const auto wv = b.initializer("w", TensorData::fromFloat(w, {o, c, k, k}));
        const auto bv = b.initializer("b", TensorData::fromFloat(bias, {o}));
        const auto conv = b.op("Conv", {"x", wv, bv},
                               {intsAttr("strides", {stride, stride}), intsAttr("dilations", {dilation, dilation}),
                                intsAttr("pads", {pads[0], pads[1], pads[2], pads[3]})},
                               "conv");
        b.output(b.op("Relu", {conv}, {}, "y"), DataType::Float, {1, o, oh, ow});
        const Outcome got = runWith(b, true, TensorData::fromFloat(x, {1, c, height, width}));
        QCOMPARE(got.output.shape, (Shape{1, o, oh, ow}));
        const std::vector<float> expected =
            naiveConv(x, w, bias, c, height, width, o, k, stride, dilation, pads[0], pads[1], oh, ow);
        for (size_t i = 0; i < expected.size(); ++i)
            QVERIFY2(std::abs(got.output.data<float>()[i] - expected[i]) <= 1e-4f + 1e-4f * std::abs(expected[i]),
                     qPrintable(QString("%1: %2 vs %3").arg(i).arg(got.output.data<float>()[i]).arg(expected[i])));
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
