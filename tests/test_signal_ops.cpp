// The signal and random ops on hand-built models. The ONNX backend data
// (test_conformance) checks DFT, STFT, the windows, MelWeightMatrix and
// TfIdfVectorizer against numpy on a few sizes; here: DFT against a plain
// O(n^2) reference at power-of-two and other lengths, both opsets' axis,
// forward then inverse returning the input (also one-sided / irfft), STFT
// against the same reference, windows' known values, sizes that only a
// run can tell. Random ops cannot match numpy's draws, so they are checked
// for what they promise: shape and dtype, range, mean and variance within
// statistical tolerance, the same output for the same seed, and exact
// Bernoulli outputs for probabilities 0 and 1.
#include <QtTest>
#include <cmath>
#include <complex>
#include <map>
#include <numbers>

#include "interstage/builder.h"
#include "interstage/session.h"
#include "test_support.h"

using namespace interstage;

namespace {

using Tensors = std::map<std::string, TensorData>;

TensorData floats(const std::vector<float>& values, Shape shape) { return TensorData::fromFloat(values, shape); }

TensorData int64Scalar(int64_t v) { return TensorData::fromInt64({v}, {}); }

// A session on the builder's model, run once on the inputs; the named
// output, or the failure as a Status.
Result<TensorData> runOnce(const GraphBuilder& builder, const Tensors& inputs, const std::string& output) {
    IS_ASSIGN_OR_RETURN(auto session, Session::create(testsupport::builtModel(builder)));
    IS_RETURN_IF_ERROR(session->run(inputs));
    return session->output(output);
}

double valueAt(const TensorData& t, int64_t i) {
    switch (t.dtype) {
        case DataType::Float:
            return t.data<float>()[i];
        case DataType::Double:
            return t.data<double>()[i];
        default:
            return t.doubleAt(i);
    }
}

// Reference DFT of one line, straight from the definition, in double.
std::vector<std::complex<double>> naiveDft(const std::vector<std::complex<double>>& x, bool inverse) {
    const auto n = static_cast<int64_t>(x.size());
    const double sign = inverse ? 1.0 : -1.0;
    std::vector<std::complex<double>> y(x.size());
    for (int64_t k = 0; k < n; ++k) {
        std::complex<double> sum = 0;
        for (int64_t t = 0; t < n; ++t)
            sum += x[size_t(t)] * std::polar(1.0, sign * 2 * std::numbers::pi * double((k * t) % n) / double(n));
        y[size_t(k)] = inverse ? sum / double(n) : sum;
    }
    return y;
}

std::vector<float> ramp(int64_t count, uint64_t seed) {
    WeightGenerator gen(seed);
    return gen.uniform(count, 1.0f);
}

// Fails the test at the first element further than atol + rtol |expected|.
bool close(const TensorData& got, const std::vector<double>& expected, double atol, double rtol, QString& why) {
    if (got.elementCount() != static_cast<int64_t>(expected.size())) {
        why = QString("got %1 elements, expected %2").arg(got.elementCount()).arg(expected.size());
        return false;
    }
    for (int64_t i = 0; i < got.elementCount(); ++i) {
        const double g = valueAt(got, i), e = expected[size_t(i)];
        if (!(std::abs(g - e) <= atol + rtol * std::abs(e))) {
            why = QString("element %1: got %2, expected %3").arg(i).arg(g, 0, 'g', 9).arg(e, 0, 'g', 9);
            return false;
        }
    }
    return true;
}

// A DFT node on x [batch, length, inner, parts] along axis 1 (opset 17
// attribute or opset 20 input), with the given attributes.
GraphBuilder dftModel(const Shape& shape, int64_t opset, std::vector<Attribute> attrs, int64_t dftLength = -1) {
    GraphBuilder b("dft", opset);
    const std::string x = b.input("x", DataType::Float, shape);
    std::vector<std::string> inputs{x, ""};
    if (dftLength > 0) inputs[1] = b.initializer("dft_length", int64Scalar(dftLength));
    if (opset >= 20)
        inputs.push_back(b.initializer("axis", int64Scalar(1)));
    else
        attrs.push_back(intAttr("axis", 1));
    b.output(b.op("DFT", inputs, attrs, "dft"));
    return b;
}

// The reference transform of x [batch, length, inner, parts] along axis 1,
// zero-padded or cut to n: [batch, n or n/2+1, inner, 2].
std::vector<double> referenceDft(const std::vector<float>& x, const Shape& shape, int64_t n, bool inverse,
                                 bool onesided) {
    const int64_t batch = shape[0], length = shape[1], inner = shape[2], parts = shape[3];
    const int64_t bins = onesided ? n / 2 + 1 : n;
    std::vector<double> out(size_t(batch * bins * inner * 2));
    for (int64_t b = 0; b < batch; ++b)
        for (int64_t i = 0; i < inner; ++i) {
            std::vector<std::complex<double>> line(static_cast<size_t>(n));
            for (int64_t t = 0; t < std::min(n, length); ++t) {
                const int64_t at = ((b * length + t) * inner + i) * parts;
                line[size_t(t)] = {x[size_t(at)], parts == 2 ? x[size_t(at + 1)] : 0.0};
            }
            const auto y = naiveDft(line, inverse);
            for (int64_t k = 0; k < bins; ++k) {
                const int64_t at = ((b * bins + k) * inner + i) * 2;
                out[size_t(at)] = y[size_t(k)].real();
                out[size_t(at + 1)] = y[size_t(k)].imag();
            }
        }
    return out;
}

GraphBuilder windowModel(const std::string& op, int64_t size, int64_t periodic, DataType dtype) {
    GraphBuilder b("window", 17);
    const std::string s = b.initializer("size", int64Scalar(size));
    b.output(b.op(op, {s}, {intAttr("periodic", periodic), intAttr("output_datatype", int64_t(dtype))}, "w"), dtype);
    return b;
}

struct Moments {
    double mean = 0, variance = 0, min = INFINITY, max = -INFINITY;
};

Moments momentsOf(const TensorData& t) {
    Moments m;
    const int64_t n = t.elementCount();
    for (int64_t i = 0; i < n; ++i) {
        const double v = valueAt(t, i);
        m.mean += v;
        m.min = std::min(m.min, v);
        m.max = std::max(m.max, v);
    }
    m.mean /= double(n);
    for (int64_t i = 0; i < n; ++i) m.variance += (valueAt(t, i) - m.mean) * (valueAt(t, i) - m.mean);
    m.variance /= double(n - 1);
    return m;
}

GraphBuilder randomModel(const std::string& op, std::vector<Attribute> attrs) {
    GraphBuilder b("random", 17);
    b.output(b.op(op, {}, attrs, "r"), DataType::Undefined);  // untyped: the dtype attribute decides
    return b;
}

bool sameBytes(const TensorData& a, const TensorData& b) { return a.shape == b.shape && a.bytes == b.bytes; }

// A model that must be refused, and a word the refusal must contain.
struct Refusal {
    GraphBuilder model;
    Tensors inputs;
    std::string expected;
};

Refusal refusal(const std::string& what) {
    GraphBuilder b(what, what.rfind("dft20", 0) == 0 ? 20 : 17);
    Tensors inputs;
    auto signal = [&](Shape shape) {
        inputs["x"] = floats(ramp(elementCount(shape).value_or(0), 2), shape);
        return b.input("x", DataType::Float, shape);
    };
    auto scalar = [&](const std::string& name, int64_t v) { return b.initializer(name, int64Scalar(v)); };
    std::string expected;
    if (what == "dft20 axis -1") {
        b.output(b.op("DFT", {signal({1, 8, 2}), "", scalar("axis", -1)}, {}, "y"));
        expected = "axis -1";
    } else if (what == "dft length 0") {
        b.output(b.op("DFT", {signal({1, 8, 2}), scalar("n", 0)}, {}, "y"));
        expected = "dft_length 0";
    } else if (what == "dft last dim 3") {
        b.output(b.op("DFT", {signal({1, 8, 3})}, {}, "y"));
        expected = "must be 1 (real) or 2 (complex)";
    } else if (what == "stft step 0") {
        b.output(b.op("STFT", {signal({1, 32, 1}), scalar("step", 0)}, {}, "y"));
        expected = "frame_step 0";
    } else if (what == "stft window and length differ") {
        const std::string w = b.initializer("w", floats(std::vector<float>(8, 1.0f), {8}));
        b.output(b.op("STFT", {signal({1, 32, 1}), scalar("step", 4), w, scalar("len", 6)}, {}, "y"));
        expected = "differs from the window's length";
    } else if (what == "stft frame past the signal") {
        b.output(b.op("STFT", {signal({1, 32, 1}), scalar("step", 4), "", scalar("len", 40)}, {}, "y"));
        expected = "frame length 40";
    } else if (what == "window negative size") {
        b.output(b.op("HannWindow", {scalar("size", -3)}, {}, "y"));
        expected = "size -3";
    } else if (what == "tfidf unknown mode") {
        const std::string x = b.input("x", DataType::Int64, {4});
        inputs["x"] = TensorData::fromInt64({1, 2, 3, 4}, {4});
        b.output(b.op("TfIdfVectorizer", {x},
                      {stringAttr("mode", "BM25"), intAttr("min_gram_length", 1), intAttr("max_gram_length", 1),
                       intAttr("max_skip_count", 0), intsAttr("ngram_counts", {0}), intsAttr("ngram_indexes", {0}),
                       intsAttr("pool_int64s", {2})},
                      "y"));
        expected = "BM25";
    } else if (what == "tfidf counts past the pool") {
        const std::string x = b.input("x", DataType::Int64, {4});
        inputs["x"] = TensorData::fromInt64({1, 2, 3, 4}, {4});
        b.output(b.op("TfIdfVectorizer", {x},
                      {stringAttr("mode", "TF"), intAttr("min_gram_length", 1), intAttr("max_gram_length", 2),
                       intAttr("max_skip_count", 0), intsAttr("ngram_counts", {0, 9}), intsAttr("ngram_indexes", {0}),
                       intsAttr("pool_int64s", {2})},
                      "y"));
        expected = "ngram_counts";
    } else if (what == "multinomial float samples") {
        b.output(b.op("Multinomial", {signal({2, 5})}, {intAttr("dtype", 1)}, "y"), DataType::Undefined);
        expected = "int32 (6) or int64 (7)";
    } else if (what == "bernoulli of integers") {
        const std::string x = b.input("x", DataType::Int64, {4});
        inputs["x"] = TensorData::fromInt64({0, 1, 0, 1}, {4});
        b.output(b.op("Bernoulli", {x}, {}, "y"), DataType::Undefined);
        expected = "floating point probabilities";
    }
    return {std::move(b), std::move(inputs), expected};
}

}  // namespace

Q_DECLARE_METATYPE(std::vector<double>)

class TestSignalOps : public QObject {
    Q_OBJECT

private slots:
    // ---------------------------------------------------------------- DFT

    void dftMatchesReference_data() {
        QTest::addColumn<qint64>("length");
        QTest::addColumn<qint64>("parts");
        QTest::addColumn<qint64>("opset");
        QTest::addColumn<qint64>("dftLength");
        QTest::addColumn<bool>("inverse");
        QTest::addColumn<bool>("onesided");
        QTest::newRow("pow2 real") << qint64(16) << qint64(1) << qint64(17) << qint64(-1) << false << false;
        QTest::newRow("pow2 complex opset20") << qint64(32) << qint64(2) << qint64(20) << qint64(-1) << false << false;
        QTest::newRow("prime complex") << qint64(13) << qint64(2) << qint64(17) << qint64(-1) << false << false;
        QTest::newRow("odd inverse opset20") << qint64(15) << qint64(2) << qint64(20) << qint64(-1) << true << false;
        QTest::newRow("onesided real") << qint64(12) << qint64(1) << qint64(17) << qint64(-1) << false << true;
        QTest::newRow("padded to 20") << qint64(12) << qint64(1) << qint64(17) << qint64(20) << false << false;
        QTest::newRow("cut to 7") << qint64(12) << qint64(2) << qint64(20) << qint64(7) << false << false;
        QTest::newRow("1000 points") << qint64(1000) << qint64(1) << qint64(17) << qint64(-1) << false << true;
    }

    void dftMatchesReference() {
        QFETCH(qint64, length);
        QFETCH(qint64, parts);
        QFETCH(qint64, opset);
        QFETCH(qint64, dftLength);
        QFETCH(bool, inverse);
        QFETCH(bool, onesided);
        // 9 lines: real ones go in pairs, and one is left over.
        const Shape shape{3, length, 3, parts};
        const auto x = ramp(9 * length * parts, 7);
        auto builder = dftModel(shape, opset, {intAttr("inverse", inverse), intAttr("onesided", onesided)}, dftLength);
        auto got = runOnce(builder, {{"x", floats(x, shape)}}, "dft");
        QVERIFY2(got.ok(), got.status().toString().c_str());
        const int64_t n = dftLength > 0 ? dftLength : length;
        QCOMPARE(got->shape, (Shape{3, onesided ? n / 2 + 1 : n, 3, 2}));
        QString why;
        // Sums of up to 1000 terms of magnitude 1: float output rounding.
        QVERIFY2(close(got.value(), referenceDft(x, shape, n, inverse, onesided), 1e-4, 1e-4, why), qPrintable(why));
    }

    // DFT then inverse DFT gives the input back, at a power of two and not.
    void dftThenInverseIsIdentity_data() {
        QTest::addColumn<qint64>("length");
        QTest::newRow("64") << qint64(64);
        QTest::newRow("100") << qint64(100);
    }

    void dftThenInverseIsIdentity() {
        QFETCH(qint64, length);
        const Shape shape{1, length, 4, 2};
        GraphBuilder b("roundtrip", 17);
        const std::string x = b.input("x", DataType::Float, shape);
        const std::string spectrum = b.op("DFT", {x}, {intAttr("axis", 1)}, "forward");
        b.output(b.op("DFT", {spectrum}, {intAttr("axis", 1), intAttr("inverse", 1)}, "back"));
        const auto values = ramp(length * 8, 11);
        auto got = runOnce(b, {{"x", floats(values, shape)}}, "back");
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->shape, shape);
        QString why;
        QVERIFY2(close(got.value(), std::vector<double>(values.begin(), values.end()), 1e-5, 1e-4, why),
                 qPrintable(why));
    }

    // Half-precision signals (cast in and out in the graph): the transform
    // runs in double, so the round trip loses only float16's own rounding.
    void dftOfFloat16RoundTrips() {
        const Shape shape{2, 30, 2};
        GraphBuilder b("half", 17);
        const std::string x = b.input("x", DataType::Float, shape);
        const std::string half = b.op("Cast", {x}, {intAttr("to", int64_t(DataType::Float16))}, "half");
        const std::string spectrum = b.op("DFT", {half}, {}, "forward");
        const std::string back = b.op("DFT", {spectrum}, {intAttr("inverse", 1)}, "back");
        b.output(b.op("Cast", {back}, {intAttr("to", int64_t(DataType::Float))}, "y"));
        const auto values = ramp(120, 9);
        auto got = runOnce(b, {{"x", floats(values, shape)}}, "y");
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QString why;
        // |x| <= 1: float16 keeps 11 bits (5e-4); the spectrum's rounding adds a little.
        QVERIFY2(close(got.value(), std::vector<double>(values.begin(), values.end()), 3e-3, 0, why), qPrintable(why));
    }

    // A real signal's one-sided spectrum, inverted one-sided (irfft), gives
    // the real signal back, for even and odd lengths (dft_length says which).
    void onesidedRoundTripIsIdentity_data() {
        QTest::addColumn<qint64>("length");
        QTest::newRow("even 24") << qint64(24);
        QTest::newRow("odd 25") << qint64(25);
    }

    void onesidedRoundTripIsIdentity() {
        QFETCH(qint64, length);
        const Shape shape{3, length, 1};
        GraphBuilder b("irfft", 20);
        const std::string x = b.input("x", DataType::Float, shape);
        const std::string n = b.initializer("n", int64Scalar(length));
        const std::string half = b.op("DFT", {x, "", ""}, {intAttr("onesided", 1)}, "rfft");
        b.output(b.op("DFT", {half, n, ""}, {intAttr("onesided", 1), intAttr("inverse", 1)}, "irfft"));
        const auto values = ramp(3 * length, 5);
        auto got = runOnce(b, {{"x", floats(values, shape)}}, "irfft");
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->shape, shape);
        QString why;
        QVERIFY2(close(got.value(), std::vector<double>(values.begin(), values.end()), 1e-5, 1e-4, why),
                 qPrintable(why));
    }

    // A dft_length the graph computes during the run (here from a random
    // draw, which is never folded) cannot be resolved before running: the
    // error names the input. (One computed from input values by foldable
    // ops resolves with each run's inputs.)
    void dftLengthComputedDuringTheRunFails() {
        GraphBuilder b("dynamic", 17);
        const std::string x = b.input("x", DataType::Float, {1, 8, 1});
        const std::string draw =
            b.op("RandomUniform", {}, {intsAttr("shape", {}), floatAttr("low", 5), floatAttr("high", 6)}, "draw");
        const std::string n = b.op("Cast", {draw}, {intAttr("to", int64_t(DataType::Int64))}, "n");
        b.output(b.op("DFT", {x, n}, {}, "dft"));
        auto got = runOnce(b, {{"x", floats(ramp(8, 1), {1, 8, 1})}}, "dft");
        QVERIFY(!got.ok());
        QVERIFY2(got.status().message().find("dft_length input 'n' is computed at run time") != std::string::npos,
                 got.status().toString().c_str());
    }

    // The same length from graph inputs resolves with each run's values.
    void dftLengthFromInputValuesResolvesPerRun() {
        GraphBuilder b("per_run", 17);
        const std::string x = b.input("x", DataType::Float, {1, 8, 1});
        const std::string v = b.input("v", DataType::Int64, {3});
        const std::string n = b.op("ReduceMax", {v}, {intAttr("keepdims", 0)}, "n");
        b.output(b.op("DFT", {x, n}, {}, "dft"));
        auto got =
            runOnce(b, {{"x", floats(ramp(8, 1), {1, 8, 1})}, {"v", TensorData::fromInt64({4, 9, 2}, {3})}}, "dft");
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->shape, (Shape{1, 9, 2}));
    }

    void dftRefusesTheComplexAxis() {
        GraphBuilder b("bad", 17);
        const std::string x = b.input("x", DataType::Float, {1, 8, 2});
        b.output(b.op("DFT", {x}, {intAttr("axis", 2)}, "dft"));
        auto got = runOnce(b, {{"x", floats(ramp(16, 1), {1, 8, 2})}}, "dft");
        QVERIFY(!got.ok());
        QVERIFY2(got.status().message().find("axis 2") != std::string::npos, got.status().toString().c_str());
    }

    // ---------------------------------------------------------------- STFT

    void stftMatchesReference_data() {
        QTest::addColumn<qint64>("parts");
        QTest::addColumn<bool>("onesided");
        QTest::newRow("real onesided") << qint64(1) << true;
        QTest::newRow("real full") << qint64(1) << false;
        QTest::newRow("complex full") << qint64(2) << false;
    }

    // 3 rows of 7 frames: 21 frames, so real frames pair up with one left.
    void stftMatchesReference() {
        QFETCH(qint64, parts);
        QFETCH(bool, onesided);
        const int64_t batch = 3, length = 48, frame = 12, step = 6;
        const Shape shape{batch, length, parts};
        GraphBuilder b("stft", 17);
        const std::string x = b.input("x", DataType::Float, shape);
        const std::string s = b.initializer("step", int64Scalar(step));
        const std::string w = b.op("HannWindow", {b.initializer("frame", int64Scalar(frame))}, {}, "window");
        b.output(b.op("STFT", {x, s, w}, {intAttr("onesided", onesided)}, "stft"));
        const auto values = ramp(batch * length * parts, 3);
        auto got = runOnce(b, {{"x", floats(values, shape)}}, "stft");
        QVERIFY2(got.ok(), got.status().toString().c_str());
        const int64_t frames = 1 + (length - frame) / step, bins = onesided ? frame / 2 + 1 : frame;
        QCOMPARE(frames, int64_t(7));
        QCOMPARE(got->shape, (Shape{batch, frames, bins, 2}));
        std::vector<double> expected;
        for (int64_t bt = 0; bt < batch; ++bt)
            for (int64_t f = 0; f < frames; ++f) {
                std::vector<std::complex<double>> line(static_cast<size_t>(frame));
                for (int64_t t = 0; t < frame; ++t) {
                    const double hann = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * double(t) / double(frame));
                    const int64_t at = (bt * length + f * step + t) * parts;
                    const double im = parts == 2 ? values[size_t(at + 1)] : 0.0;
                    line[size_t(t)] = std::complex<double>(values[size_t(at)], im) * hann;
                }
                const auto spectrum = naiveDft(line, false);
                for (int64_t k = 0; k < bins; ++k) {
                    expected.push_back(spectrum[size_t(k)].real());
                    expected.push_back(spectrum[size_t(k)].imag());
                }
            }
        QString why;
        QVERIFY2(close(got.value(), expected, 1e-5, 1e-4, why), qPrintable(why));
    }

    // ---------------------------------------------------------------- windows

    void windowsHaveTheirKnownValues_data() {
        QTest::addColumn<QString>("op");
        QTest::addColumn<qint64>("size");
        QTest::addColumn<qint64>("periodic");
        QTest::addColumn<int>("dtype");
        QTest::addColumn<std::vector<double>>("expected");
        QTest::newRow("hann periodic 4") << "HannWindow" << qint64(4) << qint64(1) << int(DataType::Float)
                                         << std::vector<double>{0, 0.5, 1, 0.5};
        QTest::newRow("hann symmetric 5") << "HannWindow" << qint64(5) << qint64(0) << int(DataType::Double)
                                          << std::vector<double>{0, 0.5, 1, 0.5, 0};
        // Hamming: 25/46 - 21/46 cos: 4/46 at the ends, 1 in the middle.
        QTest::newRow("hamming symmetric 3") << "HammingWindow" << qint64(3) << qint64(0) << int(DataType::Float)
                                             << std::vector<double>{4.0 / 46, 1, 4.0 / 46};
        QTest::newRow("hamming periodic 2")
            << "HammingWindow" << qint64(2) << qint64(1) << int(DataType::Double) << std::vector<double>{4.0 / 46, 1};
        // Blackman: 0.42 - 0.5 + 0.08 = 0 at the ends, 1 in the middle.
        QTest::newRow("blackman symmetric 3")
            << "BlackmanWindow" << qint64(3) << qint64(0) << int(DataType::Float) << std::vector<double>{0, 1, 0};
        QTest::newRow("blackman periodic 4") << "BlackmanWindow" << qint64(4) << qint64(1) << int(DataType::Double)
                                             << std::vector<double>{0, 0.34, 1, 0.34};
    }

    void windowsHaveTheirKnownValues() {
        QFETCH(QString, op);
        QFETCH(qint64, size);
        QFETCH(qint64, periodic);
        QFETCH(int, dtype);
        QFETCH(std::vector<double>, expected);
        auto got = runOnce(windowModel(op.toStdString(), size, periodic, static_cast<DataType>(dtype)), {}, "w");
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(int(got->dtype), dtype);
        QCOMPARE(got->shape, Shape{size});
        QString why;
        QVERIFY2(close(got.value(), expected, 1e-7, 1e-6, why), qPrintable(why));
    }

    // The size may be a graph input: shapes then resolve with each run.
    void windowSizeFromARuntimeInput() {
        GraphBuilder b("window", 17);
        const std::string s = b.input("size", DataType::Int64, {});
        b.output(b.op("HannWindow", {s}, {}, "w"));
        auto session = Session::create(testsupport::builtModel(b));
        QVERIFY2(session.ok(), session.status().toString().c_str());
        for (int64_t size : {8, 3}) {
            const Status ran = session.value()->run({{"size", int64Scalar(size)}});
            QVERIFY2(ran.isOk(), ran.toString().c_str());
            auto got = session.value()->output("w");
            QVERIFY2(got.ok(), got.status().toString().c_str());
            QCOMPARE(got->shape, Shape{size});
            QCOMPARE(valueAt(got.value(), 0), 0.0);
        }
    }

    // Edge frequencies far past the sample rate (or NaN) put the mel
    // bands outside the matrix: no crash, weights in [0, 1] or a clear error.
    void melWeightMatrixSurvivesHostileEdges_data() {
        QTest::addColumn<float>("upper");
        QTest::newRow("1e30 Hz") << 1e30f;
        QTest::newRow("NaN") << std::nanf("");
        QTest::newRow("below lower") << 10.0f;
    }

    void melWeightMatrixSurvivesHostileEdges() {
        QFETCH(float, upper);
        GraphBuilder b("mel", 17);
        std::vector<std::string> inputs{b.initializer("bins", int64Scalar(6)), b.initializer("n", int64Scalar(32)),
                                        b.initializer("rate", int64Scalar(8000)),
                                        b.initializer("low", floats({100.0f}, {})),
                                        b.initializer("high", floats({upper}, {}))};
        b.output(b.op("MelWeightMatrix", inputs, {}, "m"));
        auto got = runOnce(b, {}, "m");
        if (!got.ok()) {
            QVERIFY2(got.status().message().find("MelWeightMatrix") != std::string::npos,
                     got.status().toString().c_str());
            return;
        }
        QCOMPARE(got->shape, (Shape{17, 6}));
        for (int64_t i = 0; i < got->elementCount(); ++i)
            QVERIFY(valueAt(got.value(), i) >= 0 && valueAt(got.value(), i) <= 1);
    }

    // ---------------------------------------------------------------- TfIdfVectorizer

    void tfIdfRefusesStringPools() {
        GraphBuilder b("tfidf", 9);
        const std::string x = b.input("x", DataType::Int64, {2, 4});
        b.output(b.op("TfIdfVectorizer", {x},
                      {stringAttr("mode", "TF"), intAttr("min_gram_length", 1), intAttr("max_gram_length", 1),
                       intAttr("max_skip_count", 0), intsAttr("ngram_counts", {0}), intsAttr("ngram_indexes", {0, 1}),
                       stringsAttr("pool_strings", {"a", "b"})},
                      "y"));
        auto got = runOnce(b, {{"x", TensorData::fromInt64({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4})}}, "y");
        QVERIFY(!got.ok());
        QCOMPARE(got.status().code(), StatusCode::Unsupported);
        QVERIFY2(got.status().message().find("pool_strings") != std::string::npos, got.status().toString().c_str());
    }

    // ---------------------------------------------------------------- refusals

    // Bad attributes and sizes are refused before or at the run with a
    // message naming what is wrong, never a crash.
    void refusesBadNodes_data() {
        QTest::addColumn<QString>("what");
        for (const char* what :
             {"dft20 axis -1", "dft length 0", "dft last dim 3", "stft step 0", "stft window and length differ",
              "stft frame past the signal", "window negative size", "tfidf unknown mode", "tfidf counts past the pool",
              "multinomial float samples", "bernoulli of integers"})
            QTest::newRow(what) << QString(what);
    }

    void refusesBadNodes() {
        QFETCH(QString, what);
        Refusal r = refusal(what.toStdString());
        QVERIFY(!r.expected.empty());
        auto got = runOnce(r.model, r.inputs, "y");
        QVERIFY(!got.ok());
        QVERIFY2(got.status().message().find(r.expected) != std::string::npos, got.status().toString().c_str());
    }

    // ---------------------------------------------------------------- random

    void randomUniformStaysInRangeWithItsMoments() {
        const double low = -2, high = 3;
        auto got = runOnce(randomModel("RandomUniform", {intsAttr("shape", {400, 250}), floatAttr("low", float(low)),
                                                         floatAttr("high", float(high)), floatAttr("seed", 3)}),
                           {}, "r");
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->dtype, DataType::Float);
        QCOMPARE(got->shape, (Shape{400, 250}));
        const Moments m = momentsOf(got.value());
        QVERIFY(m.min >= low && m.max < high);
        // 100000 draws: the mean's standard error is 5 / sqrt(12e5) = 0.0046;
        // allow 5 of them. The variance (25 / 12) within 2 %.
        QVERIFY2(std::abs(m.mean - 0.5) < 0.023, qPrintable(QString::number(m.mean)));
        QVERIFY2(std::abs(m.variance - 25.0 / 12) < 0.04, qPrintable(QString::number(m.variance)));
        // Spread over the whole range, not clumped in part of it.
        QVERIFY(m.min < low + 0.01 && m.max > high - 0.01);
    }

    void randomNormalHasItsMoments() {
        auto got = runOnce(randomModel("RandomNormal", {intsAttr("shape", {100000}), floatAttr("mean", 1.5f),
                                                        floatAttr("scale", 0.5f), intAttr("dtype", 11)}),
                           {}, "r");
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->dtype, DataType::Double);
        const Moments m = momentsOf(got.value());
        // Standard error of the mean 0.5 / sqrt(1e5) = 0.0016, 5 of them.
        QVERIFY2(std::abs(m.mean - 1.5) < 0.008, qPrintable(QString::number(m.mean)));
        QVERIFY2(std::abs(m.variance - 0.25) < 0.01, qPrintable(QString::number(m.variance)));
        // Normal tails: some draws beyond 3 sigma, none absurd.
        QVERIFY(m.min < 0.0 && m.max > 3.0 && m.min > -1.5 && m.max < 4.5);
    }

    void likeFormsTakeTheInputsShapeAndDtype() {
        GraphBuilder b("like", 17);
        const std::string x = b.input("x", DataType::Double, {3, 7});
        b.output(b.op("RandomUniformLike", {x}, {}, "u"), DataType::Double);
        b.output(b.op("RandomNormalLike", {x}, {intAttr("dtype", 1)}, "n"));
        auto session = Session::create(testsupport::builtModel(b));
        QVERIFY2(session.ok(), session.status().toString().c_str());
        const Status ran = session.value()->run({{"x", TensorData::zeros(DataType::Double, {3, 7})}});
        QVERIFY2(ran.isOk(), ran.toString().c_str());
        auto u = session.value()->output("u");
        auto n = session.value()->output("n");
        QVERIFY(u.ok() && n.ok());
        QCOMPARE(u->dtype, DataType::Double);
        QCOMPARE(n->dtype, DataType::Float);
        QCOMPARE(u->shape, (Shape{3, 7}));
        QCOMPARE(n->shape, (Shape{3, 7}));
        const Moments m = momentsOf(u.value());
        QVERIFY(m.min >= 0 && m.max < 1 && m.max > m.min);
    }

    // A seed gives the same values on every run and in every session;
    // another seed gives others; without a seed runs differ.
    void sameSeedSameOutput() {
        const auto model = [](float seed) {
            return randomModel("RandomNormal", {intsAttr("shape", {64}), floatAttr("seed", seed)});
        };
        auto first = Session::create(testsupport::builtModel(model(42)));
        QVERIFY2(first.ok(), first.status().toString().c_str());
        QVERIFY(first.value()->run({}).isOk());
        const TensorData a = first.value()->output("r").value();
        QVERIFY(first.value()->run({}).isOk());
        QVERIFY(sameBytes(a, first.value()->output("r").value()));
        QVERIFY(sameBytes(a, runOnce(model(42), {}, "r").value()));
        QVERIFY(!sameBytes(a, runOnce(model(43), {}, "r").value()));

        auto unseeded =
            Session::create(testsupport::builtModel(randomModel("RandomUniform", {intsAttr("shape", {64})})));
        QVERIFY(unseeded.ok());
        QVERIFY(unseeded.value()->run({}).isOk());
        const TensorData b = unseeded.value()->output("r").value();
        QVERIFY(unseeded.value()->run({}).isOk());
        QVERIFY(!sameBytes(b, unseeded.value()->output("r").value()));
    }

    void bernoulliOfZeroAndOneIsExact() {
        GraphBuilder b("bernoulli", 15);
        const std::string p = b.input("p", DataType::Float, {4000});
        b.output(b.op("Bernoulli", {p}, {intAttr("dtype", int64_t(DataType::Int32))}, "y"), DataType::Int32);
        std::vector<float> probabilities(4000);
        for (size_t i = 0; i < probabilities.size(); ++i)
            probabilities[i] = i % 4 == 0 ? 0.0f : i % 4 == 1 ? 1.0f : 0.3f;
        auto got = runOnce(b, {{"p", floats(probabilities, {4000})}}, "y");
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->dtype, DataType::Int32);
        int64_t ones = 0;
        for (size_t i = 0; i < probabilities.size(); ++i) {
            const int32_t y = got->data<int32_t>()[i];
            QVERIFY(y == 0 || y == 1);
            if (i % 4 == 0) QCOMPARE(y, 0);
            if (i % 4 == 1) QCOMPARE(y, 1);
            if (i % 4 >= 2) ones += y;
        }
        // 2000 draws at 0.3: 600 expected, standard deviation 20.5.
        QVERIFY2(std::abs(ones - 600) < 103, qPrintable(QString::number(ones)));
    }

    void multinomialFollowsTheProbabilities() {
        GraphBuilder b("multinomial", 15);
        const std::string logits = b.initializer(
            "logits", floats({std::log(0.1f), std::log(0.2f), std::log(0.7f), -INFINITY, 0.0f, 0.0f}, {2, 3}));
        b.output(b.op("Multinomial", {logits},
                      {intAttr("sample_size", 20000), intAttr("dtype", 7), floatAttr("seed", 1)}, "m"),
                 DataType::Int64);
        auto got = runOnce(b, {}, "m");
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->dtype, DataType::Int64);
        QCOMPARE(got->shape, (Shape{2, 20000}));
        std::vector<double> counts(6, 0);
        for (int64_t row = 0; row < 2; ++row)
            for (int64_t s = 0; s < 20000; ++s) {
                const int64_t k = got->data<int64_t>()[row * 20000 + s];
                QVERIFY(k >= 0 && k < 3);
                counts[size_t(row * 3 + k)] += 1;
            }
        // Row 0: 10 / 20 / 70 %; each share's standard error is under 0.33 %.
        QVERIFY(std::abs(counts[0] / 20000 - 0.1) < 0.015);
        QVERIFY(std::abs(counts[1] / 20000 - 0.2) < 0.015);
        QVERIFY(std::abs(counts[2] / 20000 - 0.7) < 0.015);
        // Row 1: a class of probability 0 never comes; the others half each.
        QCOMPARE(counts[3], 0.0);
        QVERIFY(std::abs(counts[4] / 20000 - 0.5) < 0.02);
    }

    void randomRefusesBadAttributes() {
        auto integer = runOnce(randomModel("RandomUniform", {intsAttr("shape", {4}), intAttr("dtype", 6)}), {}, "r");
        QVERIFY(!integer.ok());
        QVERIFY2(integer.status().message().find("dtype") != std::string::npos, integer.status().toString().c_str());
        auto noShape = runOnce(randomModel("RandomNormal", {}), {}, "r");
        QVERIFY(!noShape.ok());
        QVERIFY2(noShape.status().message().find("shape") != std::string::npos, noShape.status().toString().c_str());
    }
};

QTEST_GUILESS_MAIN(TestSignalOps)
#include "test_signal_ops.moc"
