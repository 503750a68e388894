// LSTM, GRU and RNN against a plain reference written from the ONNX
// equations: one row of the batch and one time step at a time, in double.
// The ONNX backend data (test_conformance) covers each op's defaults and
// batch-first layout; these cases reach what it leaves out: reverse and
// bidirectional directions, per-row sequence_lens (rows that end early,
// one of length 0), initial states, peepholes, clip, input_forget, both
// GRU reset orders, named activations with alpha / beta, and weights that
// are initializers. Sizes are odd (input 7, hidden 13, batch 3).
#include <QtTest>
#include <cmath>
#include <functional>
#include <map>

#include "interstage/builder.h"
#include "interstage/session.h"
#include "models/recurrent_models.h"
#include "test_support.h"

using namespace interstage;
using namespace testmodels;

namespace {

using Case = RecurrentCase;

// The ONNX operator documentation's activation table, one function at a time.
struct Fn {
    std::string name;
    double alpha = 0, beta = 0;
    double operator()(double x) const {
        if (name == "Sigmoid") return 1 / (1 + std::exp(-x));
        if (name == "Tanh") return std::tanh(x);
        if (name == "Relu") return x > 0 ? x : 0;
        if (name == "HardSigmoid") return std::min(1.0, std::max(0.0, alpha * x + beta));
        if (name == "LeakyRelu") return x >= 0 ? x : alpha * x;
        if (name == "ScaledTanh") return alpha * std::tanh(beta * x);
        if (name == "Elu") return x >= 0 ? x : alpha * (std::exp(x) - 1);
        if (name == "Softsign") return x / (1 + std::abs(x));
        if (name == "Affine") return alpha * x + beta;
        qFatal("reference lacks activation %s", name.c_str());
    }
};

// This direction's functions, alpha / beta consumed in order by the
// functions that take them (defaults per the ONNX operators otherwise).
std::vector<Fn> functionsOf(const Case& c, int64_t direction) {
    std::vector<std::string> names = c.activations;
    const std::vector<std::string> defaults = c.op == "LSTM"  ? std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"}
                                              : c.op == "GRU" ? std::vector<std::string>{"Sigmoid", "Tanh"}
                                                              : std::vector<std::string>{"Tanh"};
    if (names.empty()) names = defaults;
    if (names.size() == defaults.size() && directionsOf(c) == 2) {
        const std::vector<std::string> once = names;
        names.insert(names.end(), once.begin(), once.end());
    }
    std::vector<Fn> all;
    size_t a = 0, b = 0;
    for (const std::string& name : names) {
        Fn f{name};
        const bool two = name == "HardSigmoid" || name == "ScaledTanh" || name == "Affine";
        const bool one = two || name == "LeakyRelu" || name == "Elu";
        const double alpha = name == "LeakyRelu" ? 0.01 : name == "HardSigmoid" ? 0.2 : 1.0;
        const double beta = name == "HardSigmoid" ? 0.5 : name == "ScaledTanh" ? 1.0 : 0.0;
        if (one) f.alpha = a < c.alphas.size() ? c.alphas[a++] : alpha;
        if (two) f.beta = b < c.betas.size() ? c.betas[b++] : beta;
        all.push_back(f);
    }
    const size_t per = defaults.size();
    return {all.begin() + static_cast<int64_t>(direction * per),
            all.begin() + static_cast<int64_t>((direction + 1) * per)};
}

// One row's state through one step: gates from x and h, then the cell.
struct RowState {
    std::vector<double> h, c;
};

void referenceStep(const Case& c, const Tensors& in, int64_t d, const std::vector<double>& x, RowState& s,
                   const std::vector<Fn>& fn) {
    const int64_t H = c.hidden, G = gatesOf(c.op), K = c.input;
    const float* W = in.at("W").data<float>() + d * G * H * K;
    const float* R = in.at("R").data<float>() + d * G * H * H;
    const float* B = c.bias ? in.at("B").data<float>() + d * 2 * G * H : nullptr;
    auto clip = [&](double v) { return c.clip > 0 ? std::max(-double(c.clip), std::min(double(c.clip), v)) : v; };
    // xw[g][j] = W_g x + Wb_g; hr[g][j] = R_g h + Rb_g.
    auto xw = [&](int64_t g, int64_t j) {
        double v = B ? B[g * H + j] : 0;
        for (int64_t k = 0; k < K; ++k) v += W[(g * H + j) * K + k] * x[size_t(k)];
        return v;
    };
    auto hr = [&](int64_t g, int64_t j, const std::vector<double>& h) {
        double v = B ? B[G * H + g * H + j] : 0;
        for (int64_t k = 0; k < H; ++k) v += R[(g * H + j) * H + k] * h[size_t(k)];
        return v;
    };
    std::vector<double> h(static_cast<size_t>(H)), cNew(static_cast<size_t>(H));
    for (int64_t j = 0; j < H; ++j) {
        const size_t u = size_t(j);
        if (c.op == "RNN") {
            h[u] = fn[0](clip(xw(0, j) + hr(0, j, s.h)));
        } else if (c.op == "LSTM") {
            const float* P = c.peephole ? in.at("P").data<float>() + d * 3 * H : nullptr;
            const double i = fn[0](clip(xw(0, j) + hr(0, j, s.h) + (P ? P[j] * s.c[u] : 0)));
            const double f =
                c.inputForget ? 1 - i : fn[0](clip(xw(2, j) + hr(2, j, s.h) + (P ? P[2 * H + j] * s.c[u] : 0)));
            const double g = fn[1](clip(xw(3, j) + hr(3, j, s.h)));
            cNew[u] = f * s.c[u] + i * g;
            const double o = fn[0](clip(xw(1, j) + hr(1, j, s.h) + (P ? P[H + j] * cNew[u] : 0)));
            h[u] = o * fn[2](clip(cNew[u]));
        } else {
            const double z = fn[0](clip(xw(0, j) + hr(0, j, s.h)));
            double candidate;
            if (c.linearBeforeReset) {
                const double r = fn[0](clip(xw(1, j) + hr(1, j, s.h)));
                candidate = fn[1](clip(xw(2, j) + r * hr(2, j, s.h)));
            } else {
                std::vector<double> resetH(static_cast<size_t>(H));
                for (int64_t k = 0; k < H; ++k)
                    resetH[size_t(k)] = fn[0](clip(xw(1, k) + hr(1, k, s.h))) * s.h[size_t(k)];
                candidate = fn[1](clip(xw(2, j) + hr(2, j, resetH)));
            }
            h[u] = (1 - z) * candidate + z * s.h[u];
        }
    }
    s.h = h;
    if (c.op == "LSTM") s.c = cNew;
}

// Y, Y_h and (LSTM) Y_c as the ONNX equations give them.
std::vector<TensorData> reference(const Case& c, const Tensors& in) {
    const int64_t dirs = directionsOf(c), H = c.hidden;
    TensorData y = TensorData::zeros(DataType::Float,
                                     c.layout == 0 ? Shape{c.seq, dirs, c.batch, H} : Shape{c.batch, c.seq, dirs, H});
    TensorData yh = TensorData::zeros(DataType::Float, stateShape(c));
    TensorData yc = yh;
    const float* X = in.at("X").data<float>();
    for (int64_t d = 0; d < dirs; ++d) {
        const std::vector<Fn> fn = functionsOf(c, d);
        const bool reverse = d == 1 || c.direction == "reverse";
        for (int64_t b = 0; b < c.batch; ++b) {
            const int64_t stateAt = (c.layout == 0 ? d * c.batch + b : b * dirs + d) * H;
            RowState s{std::vector<double>(size_t(H)), std::vector<double>(size_t(H))};
            for (int64_t j = 0; j < H; ++j) {
                if (in.count("initial_h")) s.h[size_t(j)] = in.at("initial_h").data<float>()[stateAt + j];
                if (in.count("initial_c")) s.c[size_t(j)] = in.at("initial_c").data<float>()[stateAt + j];
            }
            const int64_t length = c.lengths.empty() ? c.seq : c.lengths[size_t(b)];
            for (int64_t step = 0; step < length; ++step) {
                const int64_t t = reverse ? length - 1 - step : step;
                const float* xRow = X + (c.layout == 0 ? t * c.batch + b : b * c.seq + t) * c.input;
                referenceStep(c, in, d, std::vector<double>(xRow, xRow + c.input), s, fn);
                const int64_t yAt = (c.layout == 0 ? (t * dirs + d) * c.batch + b : (b * c.seq + t) * dirs + d) * H;
                for (int64_t j = 0; j < H; ++j) y.data<float>()[yAt + j] = float(s.h[size_t(j)]);
            }
            for (int64_t j = 0; j < H; ++j) {
                yh.data<float>()[stateAt + j] = float(s.h[size_t(j)]);
                yc.data<float>()[stateAt + j] = float(s.c[size_t(j)]);
            }
        }
    }
    if (c.op == "LSTM") return {y, yh, yc};
    return {y, yh};
}

Result<std::unique_ptr<Session>> sessionFor(const Case& c, const Tensors& inputs) {
    return Session::create(testsupport::builtModel(makeGraph(c, inputs)));
}

std::map<std::string, TensorData> runtimeInputs(const Case& c, const Tensors& inputs) {
    if (!c.weightsAsInitializers) return inputs;
    return {{"X", inputs.at("X")}};
}

}  // namespace

Q_DECLARE_METATYPE(Case)

class TestRecurrentOps : public QObject {
    Q_OBJECT

private slots:
    void matchesReference_data() {
        QTest::addColumn<Case>("c");
        for (const auto& [name, c] : recurrentCases()) QTest::newRow(name.c_str()) << c;
    }

    void matchesReference() {
        QFETCH(Case, c);
        const Tensors inputs = makeInputs(c);
        auto session = sessionFor(c, inputs);
        QVERIFY2(session.ok(), session.status().toString().c_str());
        RunStats stats;
        const Status ran = session.value()->run(runtimeInputs(c, inputs), &stats);
        QVERIFY2(ran.isOk(), ran.toString().c_str());
        const std::vector<TensorData> expected = reference(c, inputs);
        const std::vector<std::string> names{"cell_out0", "cell_out1", "cell_out2"};
        for (size_t k = 0; k < expected.size(); ++k) {
            auto got = session.value()->output(names[k]);
            QVERIFY2(got.ok(), got.status().toString().c_str());
            QCOMPARE(got->shape, expected[k].shape);
            for (int64_t i = 0; i < expected[k].elementCount(); ++i) {
                const double g = got->data<float>()[i], e = expected[k].data<float>()[i];
                if (std::abs(g - e) > 1e-5 + 1e-3 * std::abs(e))
                    QFAIL(qPrintable(QString("%1[%2]: got %3, expected %4")
                                         .arg(QString::fromStdString(names[k]))
                                         .arg(i)
                                         .arg(g)
                                         .arg(e)));
            }
        }
    }

    // A length past the sequence is the caller's mistake: a clear error at
    // run time, naming the input and the row.
    void refusesSequenceLengthPastTheSequence() {
        Case c;
        c.lengths = {5, 6, 1};
        const Tensors inputs = makeInputs(c);
        auto session = sessionFor(c, inputs);
        QVERIFY2(session.ok(), session.status().toString().c_str());
        const Status ran = session.value()->run(inputs);
        QVERIFY(!ran.isOk());
        QVERIFY2(ran.message().find("sequence_lens[1] is 6") != std::string::npos, ran.toString().c_str());
    }

    // Weights that disagree with X or hidden_size, and functions the ops do
    // not define, are refused, naming what is wrong.
    void refusesBadNodes_data() {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("expected");
        QTest::newRow("W's input size") << "W"
                                        << "input W is";
        QTest::newRow("unknown activation") << "activation"
                                            << "activation 'Swish'";
        QTest::newRow("activation count") << "count"
                                          << "attribute 'activations' lists 1";
    }

    void refusesBadNodes() {
        QFETCH(QString, what);
        QFETCH(QString, expected);
        Case c;
        c.op = "GRU";
        Tensors inputs = makeInputs(c);
        if (what == "W") inputs["W"] = randomTensor({1, 3 * c.hidden, c.input + 1}, 2);
        if (what == "activation") c.activations = {"Sigmoid", "Swish"};
        if (what == "count") c.activations = {"Sigmoid"};
        auto session = sessionFor(c, inputs);
        // A shape error waits for the first run (shapes may depend on input
        // values); either way the node never runs.
        const Status refused = session.ok() ? session.value()->run(inputs) : session.status();
        QVERIFY(!refused.isOk());
        QVERIFY2(refused.message().find(expected.toStdString()) != std::string::npos, refused.toString().c_str());
    }
};

QTEST_GUILESS_MAIN(TestRecurrentOps)
#include "test_recurrent_ops.moc"
