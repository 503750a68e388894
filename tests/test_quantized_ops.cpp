// Quantized ops on hand-built models: exact small values (rounding half to
// even, saturation, per-axis and blocked parameters), the integer products
// against plain loops over the ONNX equations (constant and run-time
// weights, tiles, groups), bad scales and zero points as load errors that
// name the tensor and the node, and int8 tensors planned at one byte per
// element in every memory mode.
#include <QtTest>
#include <cmath>
#include <cstring>
#include <random>

#include "interstage/model_info.h"
#include "interstage/session.h"
#include "interstage/zoo.h"
#include "test_support.h"

using namespace interstage;

namespace {

template <class T>
TensorData tensorOf(DataType dtype, const std::vector<T>& values, Shape shape) {
    TensorData t = TensorData::zeros(dtype, std::move(shape));
    std::memcpy(t.bytes.data(), values.data(), values.size() * sizeof(T));
    return t;
}

template <class T>
std::vector<T> valuesOf(const TensorData& t) {
    std::vector<T> out(t.bytes.size() / sizeof(T));
    std::memcpy(out.data(), t.bytes.data(), t.bytes.size());
    return out;
}

TensorData scalarFloat(float v) { return tensorOf(DataType::Float, std::vector<float>{v}, {}); }
TensorData scalarU8(uint8_t v) { return tensorOf(DataType::UInt8, std::vector<uint8_t>{v}, {}); }

// Runs the model once on the given inputs (threads: 2) and returns output `name`.
TensorData runOnce(const GraphBuilder& b, const std::map<std::string, TensorData>& inputs, const std::string& name) {
    SessionOptions options;
    options.threads = 2;
    auto session = Session::create(testsupport::builtModel(b), options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    Status s = session.value()->run(inputs);
    if (!s.isOk()) qFatal("%s", s.toString().c_str());
    return session.value()->output(name).take();
}

// The message a model fails with, at load or at session creation; empty
// when it loads and prepares.
std::string failureOf(const GraphBuilder& b) {
    auto model = loadModelFromBytes(b.serialize(), ".");
    if (!model.ok()) return model.status().toString();
    auto session = Session::create(model.take());
    return session.ok() ? std::string() : session.status().toString();
}

std::vector<uint8_t> randomBytes(std::mt19937& rng, size_t count) {
    std::uniform_int_distribution<int> byte(0, 255);
    std::vector<uint8_t> out(count);
    for (auto& v : out) v = static_cast<uint8_t>(byte(rng));
    return out;
}

int32_t asInt(DataType dtype, uint8_t byte) {
    return dtype == DataType::Int8 ? static_cast<int32_t>(static_cast<int8_t>(byte)) : byte;
}

template <class Q>
Q requantizeReference(int64_t v, float multiplier, int32_t zeroPoint) {
    double r = std::nearbyint(static_cast<double>(v) * multiplier + zeroPoint);
    r = std::clamp(r, double(std::numeric_limits<Q>::lowest()), double(std::numeric_limits<Q>::max()));
    return static_cast<Q>(r);
}

// ConvInteger / QLinearConv 2-D on one image by the definition.
struct ConvCase {
    int64_t channels, height, width, outChannels, kernel, stride, pad, group;
    DataType xType, wType;
    int64_t outHeight() const { return (height + 2 * pad - kernel) / stride + 1; }
    int64_t outWidth() const { return (width + 2 * pad - kernel) / stride + 1; }
};

std::vector<int32_t> convReference(const ConvCase& c, const std::vector<uint8_t>& x, int32_t xZero,
                                   const std::vector<uint8_t>& w, const std::vector<int32_t>& wZero) {
    const int64_t oh = c.outHeight(), ow = c.outWidth(), cg = c.channels / c.group, mg = c.outChannels / c.group;
    std::vector<int32_t> y(static_cast<size_t>(c.outChannels * oh * ow), 0);
    for (int64_t m = 0; m < c.outChannels; ++m)
        for (int64_t i = 0; i < oh; ++i)
            for (int64_t j = 0; j < ow; ++j) {
                int64_t sum = 0;
                for (int64_t ci = 0; ci < cg; ++ci)
                    for (int64_t ki = 0; ki < c.kernel; ++ki)
                        for (int64_t kj = 0; kj < c.kernel; ++kj) {
                            const int64_t h = i * c.stride - c.pad + ki, v = j * c.stride - c.pad + kj;
                            if (h < 0 || h >= c.height || v < 0 || v >= c.width) continue;  // (zp - zp) = 0
                            const int64_t channel = (m / mg) * cg + ci;
                            const int32_t xv = asInt(c.xType, x[(channel * c.height + h) * c.width + v]) - xZero;
                            const int32_t wv =
                                asInt(c.wType, w[((m * cg + ci) * c.kernel + ki) * c.kernel + kj]) - wZero[m];
                            sum += int64_t{xv} * wv;
                        }
                y[(m * oh + i) * ow + j] = static_cast<int32_t>(sum);
            }
    return y;
}

// x [1, 1000] float -> QuantizeLinear a (uint8) -> DequantizeLinear b
// (float) -> QuantizeLinear c (uint8) -> DequantizeLinear d (float,
// output): a and c are 1000 bytes, b and d 4000; lifetimes a [0,1],
// b [1,2], c [2,3], d [3,3].
GraphBuilder int8Chain() {
    GraphBuilder b("int8_chain");
    b.input("x", DataType::Float, {1, 1000});
    b.initializer("s", scalarFloat(0.01f));
    b.initializer("z", scalarU8(128));
    auto a = b.op("QuantizeLinear", {"x", "s", "z"}, {}, "a");
    auto d1 = b.op("DequantizeLinear", {a, "s", "z"}, {}, "b");
    auto c = b.op("QuantizeLinear", {d1, "s", "z"}, {}, "c");
    auto d = b.op("DequantizeLinear", {c, "s", "z"}, {}, "d");
    b.output(d, DataType::Float, {1, 1000});
    return b;
}

// QDQ conv as quantization tools export it: x -> QuantizeLinear ->
// DequantizeLinear -> Conv (int8 weights through a per-channel
// DequantizeLinear, float bias) -> QuantizeLinear -> DequantizeLinear y.
GraphBuilder qdqConv() {
    const int64_t c = 8, m = 16;
    GraphBuilder b("qdq_conv");
    b.input("x", DataType::Float, {1, c, 32, 32});
    b.initializer("xs", scalarFloat(0.01f));
    b.initializer("xz", scalarU8(128));
    std::mt19937 rng(3);
    auto wBytes = randomBytes(rng, m * c * 9);
    b.initializer("w", tensorOf(DataType::Int8, wBytes, {m, c, 3, 3}));
    std::vector<float> wScales, bias;
    for (int64_t k = 0; k < m; ++k) {
        wScales.push_back(0.001f * float(k + 1));
        bias.push_back(0.05f * float(k) - 0.3f);
    }
    b.initializer("ws", tensorOf(DataType::Float, wScales, {m}));
    b.initializer("wz", tensorOf(DataType::Int8, std::vector<int8_t>(m, 0), {m}));
    b.initializer("bias", tensorOf(DataType::Float, bias, {m}));
    b.initializer("ys", scalarFloat(0.05f));
    b.initializer("yz", scalarU8(100));
    auto xq = b.op("QuantizeLinear", {"x", "xs", "xz"}, {}, "quantize_x");
    auto xf = b.op("DequantizeLinear", {xq, "xs", "xz"}, {}, "dequantize_x");
    auto wf = b.op("DequantizeLinear", {"w", "ws", "wz"}, {intAttr("axis", 0)}, "dequantize_w");
    auto yf = b.op("Conv", {xf, wf, "bias"}, {intsAttr("pads", {1, 1, 1, 1})}, "conv");
    auto yq = b.op("QuantizeLinear", {yf, "ys", "yz"}, {}, "quantize_y");
    auto y = b.op("DequantizeLinear", {yq, "ys", "yz"}, {}, "y");
    b.output(y, DataType::Float, {1, m, 32, 32});
    return b;
}

// One conv as ONNX Runtime's dynamic quantizer writes it: x ->
// DynamicQuantizeLinear -> ConvInteger (uint8 weights, zero point 120) ->
// Cast -> Mul(x_scale * w_scale) -> Add(bias [C, 1, 1]) y.
GraphBuilder dynamicQuantizedConv() {
    const int64_t c = 8, m = 16;
    GraphBuilder b("dynq_conv");
    b.input("x", DataType::Float, {1, c, 24, 24});
    std::mt19937 rng(5);
    b.initializer("w", tensorOf(DataType::UInt8, randomBytes(rng, m * c * 9), {m, c, 3, 3}));
    b.initializer("ws", scalarFloat(0.003f));
    b.initializer("wz", scalarU8(120));
    std::vector<float> bias;
    for (int64_t k = 0; k < m; ++k) bias.push_back(0.1f * float(k) - 0.7f);
    b.initializer("bias", tensorOf(DataType::Float, bias, {m, 1, 1}));
    auto q = b.node("DynamicQuantizeLinear", {"x"}, {}, 3, "quantize_x");
    auto product = b.op("ConvInteger", {q[0], "w", q[2], "wz"}, {intsAttr("pads", {1, 1, 1, 1})}, "conv");
    auto asFloat = b.op("Cast", {product}, {intAttr("to", int64_t(DataType::Float))}, "cast");
    auto scales = b.op("Mul", {q[1], "ws"}, {}, "scales");
    auto scaled = b.op("Mul", {asFloat, scales}, {}, "dequantize");
    auto y = b.op("Add", {scaled, "bias"}, {}, "y");
    b.output(y, DataType::Float, {1, m, 24, 24});
    return b;
}

}  // namespace

class QuantizedOpsTest : public QObject {
    Q_OBJECT
private slots:
    // x / scale on a tie rounds to the even neighbour; out-of-range values
    // saturate; the zero point is added after rounding; NaN gives 0. Four
    // copies: 44 values take the 16-wide path and the scalar tail.
    void quantizeRoundsHalfToEvenAndSaturates() {
        const std::vector<float> once{0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 1000.f, -1000.f, 3.4f, 3.6f, NAN};
        const std::vector<int8_t> signedOnce{0, 2, 2, 0, -2, -2, 127, -128, 3, 4, 0};
        const std::vector<uint8_t> unsignedOnce{128, 130, 130, 128, 126, 126, 255, 0, 131, 132, 0};
        std::vector<float> x;
        std::vector<int8_t> signedExpected;
        std::vector<uint8_t> unsignedExpected;
        for (int copy = 0; copy < 4; ++copy) {
            x.insert(x.end(), once.begin(), once.end());
            signedExpected.insert(signedExpected.end(), signedOnce.begin(), signedOnce.end());
            unsignedExpected.insert(unsignedExpected.end(), unsignedOnce.begin(), unsignedOnce.end());
        }
        const int64_t n = static_cast<int64_t>(x.size());
        for (DataType type : {DataType::Int8, DataType::UInt8}) {
            GraphBuilder b("q");
            b.input("x", DataType::Float, {n});
            b.initializer("s", scalarFloat(1.0f));
            const bool isSigned = type == DataType::Int8;
            b.initializer("z", isSigned ? tensorOf(DataType::Int8, std::vector<int8_t>{0}, {}) : scalarU8(128));
            auto y = b.op("QuantizeLinear", {"x", "s", "z"}, {}, "quantize");
            b.output(y, type, {n});
            TensorData out = runOnce(b, {{"x", tensorOf(DataType::Float, x, {n})}}, y);
            if (isSigned)
                QCOMPARE(valuesOf<int8_t>(out), signedExpected);
            else
                QCOMPARE(valuesOf<uint8_t>(out), unsignedExpected);
        }
        // Ties of x / scale with scale 2: 5 / 2 = 2.5 -> 2, 7 / 2 = 3.5 -> 4.
        GraphBuilder b("q2");
        b.input("x", DataType::Float, {2});
        b.initializer("s", scalarFloat(2.0f));
        b.initializer("z", scalarU8(10));
        auto y = b.op("QuantizeLinear", {"x", "s", "z"}, {}, "quantize");
        b.output(y, DataType::UInt8, {2});
        TensorData out = runOnce(b, {{"x", tensorOf(DataType::Float, std::vector<float>{5.f, 7.f}, {2})}}, y);
        QCOMPARE(valuesOf<uint8_t>(out), (std::vector<uint8_t>{12, 14}));
    }

    void quantizePerAxisUsesOneScalePerChannel() {
        GraphBuilder b("qa");
        b.input("x", DataType::Float, {2, 3});
        b.initializer("s", tensorOf(DataType::Float, std::vector<float>{1.f, 2.f, 4.f}, {3}));
        b.initializer("z", tensorOf(DataType::UInt8, std::vector<uint8_t>{0, 10, 20}, {3}));
        auto y = b.op("QuantizeLinear", {"x", "s", "z"}, {intAttr("axis", 1)}, "quantize");
        b.output(y, DataType::UInt8, {2, 3});
        TensorData out =
            runOnce(b, {{"x", tensorOf(DataType::Float, std::vector<float>{1, 2, 4, 3, 6, -100}, {2, 3})}}, y);
        // 1/1, 2/2 + 10, 4/4 + 20; 3/1, 6/2 + 10, -100/4 + 20 = -5 -> 0.
        QCOMPARE(valuesOf<uint8_t>(out), (std::vector<uint8_t>{1, 11, 21, 3, 13, 0}));
    }

    void dequantizePerAxisBlockedAndInt32() {
        {
            GraphBuilder b("dqa");
            b.input("x", DataType::Int8, {2, 3});
            b.initializer("s", tensorOf(DataType::Float, std::vector<float>{0.5f, 1.f, 2.f}, {3}));
            b.initializer("z", tensorOf(DataType::Int8, std::vector<int8_t>{0, -1, 1}, {3}));
            auto y = b.op("DequantizeLinear", {"x", "s", "z"}, {intAttr("axis", 1)}, "dequantize");
            b.output(y, DataType::Float, {2, 3});
            TensorData out =
                runOnce(b, {{"x", tensorOf(DataType::Int8, std::vector<int8_t>{2, 2, 2, -128, 127, -128}, {2, 3})}}, y);
            QCOMPARE(valuesOf<float>(out), (std::vector<float>{1.f, 3.f, 2.f, -64.f, 128.f, -258.f}));
        }
        {
            // Blocks of 2 along axis 1 of [2, 4]: scale [2, 2].
            GraphBuilder b("dqb", 21);
            b.input("x", DataType::UInt8, {2, 4});
            b.initializer("s", tensorOf(DataType::Float, std::vector<float>{1.f, 10.f, 100.f, 1000.f}, {2, 2}));
            b.initializer("z", tensorOf(DataType::UInt8, std::vector<uint8_t>{1, 2, 3, 4}, {2, 2}));
            auto y =
                b.op("DequantizeLinear", {"x", "s", "z"}, {intAttr("axis", 1), intAttr("block_size", 2)}, "dequantize");
            b.output(y, DataType::Float, {2, 4});
            TensorData out =
                runOnce(b, {{"x", tensorOf(DataType::UInt8, std::vector<uint8_t>{5, 6, 7, 8, 5, 6, 7, 8}, {2, 4})}}, y);
            QCOMPARE(valuesOf<float>(out), (std::vector<float>{4.f, 5.f, 50.f, 60.f, 200.f, 300.f, 3000.f, 4000.f}));
        }
        {
            GraphBuilder b("dq32");
            b.input("x", DataType::Int32, {3});
            b.initializer("s", scalarFloat(0.25f));
            auto y = b.op("DequantizeLinear", {"x", "s"}, {}, "dequantize");
            b.output(y, DataType::Float, {3});
            TensorData out =
                runOnce(b, {{"x", tensorOf(DataType::Int32, std::vector<int32_t>{-1000000, 3, 4}, {3})}}, y);
            QCOMPARE(valuesOf<float>(out), (std::vector<float>{-250000.f, 0.75f, 1.f}));
        }
    }

    // x in [-1, 2]: scale 3 / 255, zero point round(1 / scale) = 85.
    void dynamicQuantizeCoversTheRangeAndZero() {
        GraphBuilder b("dyn");
        b.input("x", DataType::Float, {4});
        auto outs = b.node("DynamicQuantizeLinear", {"x"}, {}, 3, "dyn");
        b.output(outs[0], DataType::UInt8, {4});
        b.output(outs[1], DataType::Float, {});
        b.output(outs[2], DataType::UInt8, {});
        SessionOptions options;
        auto session = Session::create(testsupport::builtModel(b), options).take();
        QVERIFY(session->run({{"x", tensorOf(DataType::Float, std::vector<float>{-1.f, 0.f, 1.f, 2.f}, {4})}}).isOk());
        QCOMPARE(valuesOf<uint8_t>(session->output(outs[0]).take()), (std::vector<uint8_t>{0, 85, 170, 255}));
        QCOMPARE(valuesOf<float>(session->output(outs[1]).take())[0], 3.0f / 255.0f);
        QCOMPARE(valuesOf<uint8_t>(session->output(outs[2]).take())[0], uint8_t{85});

        // The same range over 40 values: the minimum in the 16-wide part,
        // the maximum in the scalar tail.
        GraphBuilder wide("dyn40");
        wide.input("x", DataType::Float, {40});
        auto wideOuts = wide.node("DynamicQuantizeLinear", {"x"}, {}, 3, "dyn");
        wide.output(wideOuts[0], DataType::UInt8, {40});
        wide.output(wideOuts[1], DataType::Float, {});
        wide.output(wideOuts[2], DataType::UInt8, {});
        auto wideSession = Session::create(testsupport::builtModel(wide), options).take();
        std::vector<float> x(40, 0.0f);
        x[5] = -1.0f;
        x[39] = 2.0f;
        QVERIFY(wideSession->run({{"x", tensorOf(DataType::Float, x, {40})}}).isOk());
        std::vector<uint8_t> expected(40, 85);
        expected[5] = 0;
        expected[39] = 255;
        QCOMPARE(valuesOf<uint8_t>(wideSession->output(wideOuts[0]).take()), expected);
        QCOMPARE(valuesOf<float>(wideSession->output(wideOuts[1]).take())[0], 3.0f / 255.0f);
    }

    // MatMulInteger with weights known at load (packed for oneDNN) and
    // given at run time, per-row and per-column zero points, A's batches
    // folded into rows: exact against the definition.
    void matMulIntegerMatchesTheDefinition_data() {
        QTest::addColumn<int>("bType");
        QTest::addColumn<bool>("constantB");
        QTest::newRow("uint8 constant") << int(DataType::UInt8) << true;
        QTest::newRow("int8 constant") << int(DataType::Int8) << true;
        QTest::newRow("uint8 at run time") << int(DataType::UInt8) << false;
        QTest::newRow("int8 at run time") << int(DataType::Int8) << false;
    }
    void matMulIntegerMatchesTheDefinition() {
        QFETCH(int, bType);
        QFETCH(bool, constantB);
        const DataType bt = static_cast<DataType>(bType);
        const int64_t batch = 3, m = 5, k = 37, n = 19;
        std::mt19937 rng(7);
        auto a = randomBytes(rng, batch * m * k);
        auto bv = randomBytes(rng, k * n);
        auto aZero = randomBytes(rng, m);
        auto bZero = randomBytes(rng, n);
        GraphBuilder g("mmi");
        g.input("a", DataType::UInt8, {batch, m, k});
        if (constantB)
            g.initializer("b", tensorOf(bt, bv, {k, n}));
        else
            g.input("b", bt, {k, n});
        g.initializer("az", tensorOf(DataType::UInt8, aZero, {m}));
        g.initializer("bz", tensorOf(bt, bZero, {n}));
        auto y = g.op("MatMulInteger", {"a", "b", "az", "bz"}, {}, "mmi");
        g.output(y, DataType::Int32, {batch, m, n});
        std::map<std::string, TensorData> inputs{{"a", tensorOf(DataType::UInt8, a, {batch, m, k})}};
        if (!constantB) inputs["b"] = tensorOf(bt, bv, {k, n});
        auto got = valuesOf<int32_t>(runOnce(g, inputs, y));
        for (int64_t t = 0; t < batch; ++t)
            for (int64_t i = 0; i < m; ++i)
                for (int64_t j = 0; j < n; ++j) {
                    int32_t sum = 0;
                    for (int64_t p = 0; p < k; ++p)
                        sum += (a[(t * m + i) * k + p] - aZero[i]) * (asInt(bt, bv[p * n + j]) - asInt(bt, bZero[j]));
                    QCOMPARE(got[(t * m + i) * n + j], sum);
                }
    }

    // QLinearMatMul: int8 a, uint8 constant b with per-column scales, int8 out.
    void qLinearMatMulRequantizes() {
        const int64_t m = 4, k = 33, n = 6;
        std::mt19937 rng(11);
        auto a = randomBytes(rng, m * k);
        auto bv = randomBytes(rng, k * n);
        std::vector<float> bScales{0.01f, 0.02f, 0.005f, 0.03f, 0.015f, 0.025f};
        GraphBuilder g("qlmm");
        g.input("a", DataType::Int8, {m, k});
        g.initializer("as", scalarFloat(0.05f));
        g.initializer("az", tensorOf(DataType::Int8, std::vector<int8_t>{-3}, {}));
        g.initializer("b", tensorOf(DataType::UInt8, bv, {k, n}));
        g.initializer("bs", tensorOf(DataType::Float, bScales, {n}));
        g.initializer("bz", tensorOf(DataType::UInt8, std::vector<uint8_t>(n, 130), {n}));
        g.initializer("ys", scalarFloat(0.7f));
        g.initializer("yz", tensorOf(DataType::Int8, std::vector<int8_t>{5}, {}));
        auto y = g.op("QLinearMatMul", {"a", "as", "az", "b", "bs", "bz", "ys", "yz"}, {}, "qlmm");
        g.output(y, DataType::Int8, {m, n});
        auto got = valuesOf<int8_t>(runOnce(g, {{"a", tensorOf(DataType::Int8, a, {m, k})}}, y));
        int saturated = 0;
        for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j) {
                int64_t sum = 0;
                for (int64_t p = 0; p < k; ++p)
                    sum += (asInt(DataType::Int8, a[i * k + p]) + 3) * (int32_t{bv[p * n + j]} - 130);
                const int8_t expected = requantizeReference<int8_t>(sum, 0.05f * bScales[j] / 0.7f, 5);
                saturated += expected == 127 || expected == -128;
                QCOMPARE(got[i * n + j], expected);
            }
        QVERIFY(saturated < m * n);  // the case checks rounding, not only clamping
    }

    // ConvInteger / QLinearConv: 150 x 150 output pixels span two tiles of
    // about 2 MiB of patches and products (the last one short), groups of
    // 16 channels go to oneDNN, groups of 2 to the plain loop; weights
    // constant or given at run time.
    void convIntegerMatchesTheDefinition_data() {
        QTest::addColumn<int>("outChannels");
        QTest::addColumn<int>("group");
        QTest::addColumn<int>("wType");
        QTest::addColumn<bool>("constantW");
        QTest::addColumn<bool>("qlinear");
        QTest::newRow("u8 x u8 constant") << 8 << 1 << int(DataType::UInt8) << true << false;
        QTest::newRow("u8 x s8 run time") << 8 << 1 << int(DataType::Int8) << false << false;
        QTest::newRow("groups of 16 channels") << 32 << 2 << int(DataType::Int8) << true << false;
        QTest::newRow("groups of 2 channels") << 8 << 4 << int(DataType::UInt8) << true << false;
        QTest::newRow("QLinearConv u8 weights") << 8 << 1 << int(DataType::UInt8) << true << true;
        QTest::newRow("QLinearConv s8 weights") << 8 << 1 << int(DataType::Int8) << true << true;
    }
    void convIntegerMatchesTheDefinition() {
        QFETCH(int, outChannels);
        QFETCH(int, group);
        QFETCH(int, wType);
        QFETCH(bool, constantW);
        QFETCH(bool, qlinear);
        ConvCase c{8, 150, 150, outChannels, 3, 1, 1, group, DataType::UInt8, static_cast<DataType>(wType)};
        const int64_t cg = c.channels / c.group;
        std::mt19937 rng(outChannels * 10 + group);
        auto x = randomBytes(rng, c.channels * c.height * c.width);
        auto w = randomBytes(rng, c.outChannels * cg * c.kernel * c.kernel);
        auto wZeroBytes = randomBytes(rng, c.outChannels);
        std::vector<int32_t> wZero;
        for (uint8_t z : wZeroBytes) wZero.push_back(asInt(c.wType, z));
        const uint8_t xZero = 17;
        const Shape xShape{1, c.channels, c.height, c.width}, wShape{c.outChannels, cg, c.kernel, c.kernel};
        const Shape yShape{1, c.outChannels, c.outHeight(), c.outWidth()};
        GraphBuilder g("convi");
        g.input("x", DataType::UInt8, xShape);
        if (constantW)
            g.initializer("w", tensorOf(c.wType, w, wShape));
        else
            g.input("w", c.wType, wShape);
        g.initializer("xz", scalarU8(xZero));
        g.initializer("wz", tensorOf(c.wType, wZeroBytes, {c.outChannels}));
        const std::vector<Attribute> attributes{intsAttr("pads", {1, 1, 1, 1}), intsAttr("strides", {1, 1}),
                                                intAttr("group", c.group)};
        std::vector<float> wScales;
        std::vector<int32_t> bias;
        for (int64_t m = 0; m < c.outChannels; ++m) {
            wScales.push_back(0.002f * float(m + 1));
            bias.push_back(int32_t(m * 37 - 100));
        }
        std::string y;
        if (qlinear) {
            g.initializer("xs", scalarFloat(0.02f));
            g.initializer("ws", tensorOf(DataType::Float, wScales, {c.outChannels}));
            g.initializer("ys", scalarFloat(0.5f));
            g.initializer("yz", scalarU8(100));
            g.initializer("bias", tensorOf(DataType::Int32, bias, {c.outChannels}));
            y = g.op("QLinearConv", {"x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "bias"}, attributes, "conv");
            g.output(y, DataType::UInt8, yShape);
        } else {
            y = g.op("ConvInteger", {"x", "w", "xz", "wz"}, attributes, "conv");
            g.output(y, DataType::Int32, yShape);
        }
        std::map<std::string, TensorData> inputs{{"x", tensorOf(DataType::UInt8, x, xShape)}};
        if (!constantW) inputs["w"] = tensorOf(c.wType, w, wShape);
        TensorData out = runOnce(g, inputs, y);
        auto expected = convReference(c, x, xZero, w, wZero);
        const int64_t pixels = c.outHeight() * c.outWidth();
        QCOMPARE(pixels, int64_t{22500});
        if (!qlinear) {
            QCOMPARE(valuesOf<int32_t>(out), expected);
            return;
        }
        auto got = valuesOf<uint8_t>(out);
        for (int64_t i = 0; i < int64_t(expected.size()); ++i) {
            const int64_t m = i / pixels;
            QCOMPARE(got[i],
                     requantizeReference<uint8_t>(int64_t{expected[i]} + bias[m], 0.02f * wScales[m] / 0.5f, 100));
        }
    }

    // Bad parameters fail the load (or the session) with a message naming
    // the tensor, the node and the problem.
    void badParametersNameTensorAndNode_data() {
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QString>("expected");
        QTest::newRow("zero scale") << "zero"
                                    << "scale 's'";
        QTest::newRow("negative scale") << "negative"
                                        << "scale 's'";
        QTest::newRow("NaN scale") << "nan"
                                   << "scale 's'";
        QTest::newRow("zero point of another type") << "zp type"
                                                    << "zero point 'z'";
        QTest::newRow("int32 zero point not 0") << "zp int32"
                                                << "zero point 'z'";
        QTest::newRow("per-axis scale length") << "axis length"
                                               << "scale 's'";
        QTest::newRow("QLinearConv weight scale") << "qconv scale"
                                                  << "scale 'ws'";
        QTest::newRow("MatMulInteger zero point length") << "mm zero point"
                                                         << "zero point 'bz'";
    }
    void badParametersNameTensorAndNode() {
        QFETCH(QString, problem);
        QFETCH(QString, expected);
        GraphBuilder b("bad");
        std::string node = "bad_node";
        const std::string p = problem.toStdString();
        if (p == "zero" || p == "negative" || p == "nan") {
            const float s = p == "zero" ? 0.0f : p == "negative" ? -0.5f : std::nanf("");
            b.input("x", DataType::Float, {4});
            b.initializer("s", scalarFloat(s));
            b.initializer("z", scalarU8(3));
            b.output(b.op("QuantizeLinear", {"x", "s", "z"}, {}, node), DataType::UInt8, {4});
        } else if (p == "zp type" || p == "zp int32") {
            const bool int32 = p == "zp int32";
            b.input("x", int32 ? DataType::Int32 : DataType::UInt8, {4});
            b.initializer("s", scalarFloat(0.1f));
            b.initializer("z", int32 ? tensorOf(DataType::Int32, std::vector<int32_t>{5}, {})
                                     : tensorOf(DataType::Int8, std::vector<int8_t>{-1}, {}));
            b.output(b.op("DequantizeLinear", {"x", "s", "z"}, {}, node), DataType::Float, {4});
        } else if (p == "axis length") {
            b.input("x", DataType::Float, {2, 3});
            b.initializer("s", tensorOf(DataType::Float, std::vector<float>{0.1f, 0.2f}, {2}));
            b.output(b.op("QuantizeLinear", {"x", "s"}, {intAttr("axis", 1)}, node), DataType::UInt8, {2, 3});
        } else if (p == "qconv scale") {
            b.input("x", DataType::UInt8, {1, 1, 4, 4});
            b.initializer("xs", scalarFloat(0.1f));
            b.initializer("xz", scalarU8(0));
            b.initializer("w", tensorOf(DataType::Int8, std::vector<int8_t>{1, 2, 3, 4}, {2, 1, 1, 2}));
            b.initializer("ws", tensorOf(DataType::Float, std::vector<float>{0.1f, 0.0f}, {2}));
            b.initializer("wz", tensorOf(DataType::Int8, std::vector<int8_t>{0, 0}, {2}));
            b.initializer("ys", scalarFloat(0.1f));
            b.initializer("yz", scalarU8(0));
            b.output(b.op("QLinearConv", {"x", "xs", "xz", "w", "ws", "wz", "ys", "yz"}, {}, node), DataType::UInt8,
                     {1, 2, 4, 3});
        } else {
            b.input("a", DataType::UInt8, {2, 3});
            b.initializer("b", tensorOf(DataType::Int8, std::vector<int8_t>(12, 1), {3, 4}));
            b.initializer("bz", tensorOf(DataType::Int8, std::vector<int8_t>{0, 0, 0}, {3}));
            b.output(b.op("MatMulInteger", {"a", "b", "", "bz"}, {}, node), DataType::Int32, {2, 4});
        }
        const std::string message = failureOf(b);
        QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
        QVERIFY2(message.find(node) != std::string::npos, message.c_str());
    }

    // u2netp-dynq: every Conv of u2netp as ONNX Runtime's quantize_dynamic
    // writes it, weights stored as uint8 (a quarter of the float bytes,
    // plus a scale and a zero point per conv), and the shapes resolve.
    void u2netpDynqIsTheDynamicQuantizerPattern() {
        auto bytes = buildZooModel("u2netp-dynq");
        QVERIFY(bytes.ok());
        Model m = loadModelFromBytes(bytes.value(), ".").take();
        ModelSummary s = summarizeModel(m.graph);
        QCOMPARE(s.ops.count("Conv"), size_t{0});
        QCOMPARE(s.ops["ConvInteger"], 119);
        QCOMPARE(s.ops["DynamicQuantizeLinear"], 119);
        QCOMPARE(s.ops["Cast"], 119);
        QCOMPARE(s.ops["Mul"], 2 * 119);             // x_scale * w_scale, then the product
        QCOMPARE(s.ops["Add"], 11 + 119);            // the residuals and every conv's bias
        QCOMPARE(s.ops["BatchNormalization"], 112);  // float, after the dequantized conv
        // One byte per float conv weight of u2netp.
        Model floatNet = loadModelFromBytes(buildZooModel("u2netp").value(), ".").take();
        size_t floatConvWeights = 0;
        for (const Node& n : floatNet.graph.nodes)
            if (n.opType == "Conv") floatConvWeights += floatNet.graph.value(n.input(1)).byteSize();
        size_t uint8Weights = 0;
        for (const Node& n : m.graph.nodes)
            if (n.opType == "ConvInteger") {
                const Value& w = m.graph.value(n.input(1));
                QCOMPARE(w.dtype, DataType::UInt8);
                uint8Weights += w.byteSize();
            }
        QCOMPARE(uint8Weights * 4, floatConvWeights);
        QVERIFY(uint8Weights > 1000000);
        SessionOptions options;
        QVERIFY(Session::create(std::move(m), options).ok());
    }

    // The QDQ conv becomes one QLinearConv: no float copies of x or w, and
    // the result within one output step of the float path (the bias,
    // rounded to int32, moves ties), for nearly every element exactly.
    void qdqConvFusesIntoQLinearConv() {
        std::vector<float> x(8 * 32 * 32);
        for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(float(i) * 0.37f) * 1.2f;
        const std::map<std::string, TensorData> inputs{{"x", tensorOf(DataType::Float, x, {1, 8, 32, 32})}};
        std::vector<float> outputs[2];
        for (bool fusion : {false, true}) {
            SessionOptions options;
            options.fusion = fusion;
            options.threads = 2;
            auto session = Session::create(testsupport::builtModel(qdqConv()), options).take();
            QVERIFY(session->run(inputs).isOk());
            outputs[fusion] = valuesOf<float>(session->output("y").take());
            int qlinear = 0, convs = 0;
            for (const Node& n : session->executedGraph().nodes) {
                qlinear += n.opType == "QLinearConv";
                convs += n.opType == "Conv";
            }
            QCOMPARE(qlinear, fusion ? 1 : 0);
            QCOMPARE(convs, fusion ? 0 : 1);
        }
        int differing = 0;
        for (size_t i = 0; i < outputs[0].size(); ++i) {
            const float d = std::abs(outputs[0][i] - outputs[1][i]);
            QVERIFY2(d <= 0.05f * 1.001f, qPrintable(QString("element %1 differs by %2").arg(i).arg(d)));
            differing += d > 0;
        }
        QVERIFY2(differing * 100 < int(outputs[0].size()), qPrintable(QString("%1 differ").arg(differing)));
        qInfo("QDQ conv: %d of %zu elements one step apart", differing, outputs[0].size());
    }

    // ConvInteger -> Cast -> Mul -> Add becomes one ConvInteger writing
    // floats: the same bits, and the int32 and float intermediates gone.
    void dynamicQuantizedConvFusesItsDequantization() {
        std::vector<float> x(8 * 24 * 24);
        for (size_t i = 0; i < x.size(); ++i) x[i] = std::cos(float(i) * 0.13f) * 2.0f - 0.4f;
        const std::map<std::string, TensorData> inputs{{"x", tensorOf(DataType::Float, x, {1, 8, 24, 24})}};
        std::vector<float> outputs[2];
        size_t peaks[2] = {0, 0};
        for (bool fusion : {false, true}) {
            SessionOptions options;
            options.fusion = fusion;
            options.threads = 2;
            auto session = Session::create(testsupport::builtModel(dynamicQuantizedConv()), options).take();
            RunStats stats;
            QVERIFY(session->run(inputs, &stats).isOk());
            outputs[fusion] = valuesOf<float>(session->output("y").take());
            peaks[fusion] = stats.peakActivationBytes;
            std::map<std::string, int> ops;
            for (const Node& n : session->executedGraph().nodes) ++ops[n.opType];
            QCOMPARE(ops["Cast"], fusion ? 0 : 1);
            QCOMPARE(ops["Add"], fusion ? 0 : 1);
            QCOMPARE(ops["Mul"], fusion ? 1 : 2);  // x_scale * w_scale stays
            QCOMPARE(ops["ConvInteger"], 1);
        }
        QCOMPARE(outputs[1], outputs[0]);
        // Default mode holds every tensor: fused, the 16x24x24 int32 product
        // and the Cast's and Mul's floats (3 x 36864 bytes) are gone.
        QCOMPARE(peaks[0] - peaks[1], size_t{3 * 16 * 24 * 24 * 4});
    }

    // The chain's bytes per mode follow from 1000 + 4000 + 1000 + 4000
    // bytes: the int8 tensors count one byte per element everywhere.
    void int8TensorsArePlannedAtOneBytePerElement_data() {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("firstRunAllocations");
        QTest::addColumn<int>("steadyAllocations");
        QTest::addColumn<int>("peakActivationBytes");
        // default: all four held.
        QTest::newRow("default") << "default" << 4 << 0 << 10000;
        // reduce: two live at a time, a uint8 and a float one: 1000 + 4000.
        QTest::newRow("reduce") << "reduce" << 4 << 4 << 5000;
        // reuse: a and c (1000 bytes each, disjoint lives) share a buffer.
        QTest::newRow("reuse") << "reuse" << 3 << 0 << 9000;
        // arena: b and d at 0, a and c after them at 4032 (4000 rounded up
        // to 64), 1000 bytes rounded up to 1024.
        QTest::newRow("arena") << "arena" << 1 << 0 << 4032 + 1024;
    }
    void int8TensorsArePlannedAtOneBytePerElement() {
        QFETCH(QString, mode);
        QFETCH(int, firstRunAllocations);
        QFETCH(int, steadyAllocations);
        QFETCH(int, peakActivationBytes);
        SessionOptions options;
        options.mode = MemoryMode::parse(mode.toStdString()).value();
        options.threads = 1;
        auto session = Session::create(testsupport::builtModel(int8Chain()), options).take();
        RunStats first, second;
        const std::map<std::string, TensorData> inputs{{"x", defaultInput(DataType::Float, {1, 1000})}};
        QVERIFY(session->run(inputs, &first).isOk());
        QVERIFY(session->run(inputs, &second).isOk());
        std::map<std::string, size_t> planned;
        for (const auto& p : session->memoryMap()) planned[p.name] = p.bytes;
        QCOMPARE(planned["a"], size_t{1000});
        QCOMPARE(planned["b"], size_t{4000});
        QCOMPARE(planned["c"], size_t{1000});
        QCOMPARE(planned["d"], size_t{4000});
        QCOMPARE(first.allocations, firstRunAllocations);
        QCOMPARE(second.allocations, steadyAllocations);
        QCOMPARE(int(second.peakActivationBytes), peakActivationBytes);
        // The lower bound: a uint8 and a float tensor live at once.
        QCOMPARE(session->lowerBoundBytes(), size_t{5000});
        // The plan adds the input (4000) and the weights: a float scale
        // and a uint8 zero point, 4 + 1 bytes.
        QCOMPARE(session->plannedPeakBytes(), size_t(peakActivationBytes) + 4000 + 5);
    }
};

QTEST_GUILESS_MAIN(QuantizedOpsTest)
#include "test_quantized_ops.moc"
