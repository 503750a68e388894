// NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss, MeanVarianceNormalization,
// Det and Einsum: one hand-computed case each, and the errors the ONNX
// backend data (test_conformance, the main test of these ops) cannot show:
// a target outside the classes fails the run naming the node, and a bad
// equation, reduction or weight shape fails before any run.
#include <QtTest>
#include <cmath>

#include "interstage/builder.h"
#include "interstage/session.h"
#include "test_support.h"

using namespace interstage;

namespace {

struct Outcome {
    Status status;  // of loading, creating the session, or the run
    std::vector<TensorData> outputs;
};

// Loads the graph, creates a session and runs it once on the inputs.
Outcome runGraph(const GraphBuilder& builder, const std::map<std::string, TensorData>& inputs) {
    auto model = loadModelFromBytes(builder.serialize(), ".");
    if (!model.ok()) return {model.status(), {}};
    auto session = Session::create(model.take());
    if (!session.ok()) return {session.status(), {}};
    Outcome outcome{session.value()->run(inputs), {}};
    if (!outcome.status.isOk()) return outcome;
    for (const std::string& name : session.value()->outputNames()) {
        auto output = session.value()->output(name);
        if (!output.ok()) return {output.status(), {}};
        outcome.outputs.push_back(output.take());
    }
    return outcome;
}

// Only the session's creation (shape resolution and kernel preparation).
Status createStatus(const GraphBuilder& builder) {
    auto model = loadModelFromBytes(builder.serialize(), ".");
    if (!model.ok()) return model.status();
    auto session = Session::create(model.take());
    return session.ok() ? Status::ok() : session.status();
}

TensorData doubles(const std::vector<double>& values, Shape shape) {
    TensorData t = TensorData::zeros(DataType::Double, std::move(shape));
    std::copy(values.begin(), values.end(), t.data<double>());
    return t;
}

bool contains(const Status& status, const std::string& text) {
    return status.message().find(text) != std::string::npos;
}

// log-probabilities x [2, 3], target [2], optional weights [3] -> one NLL node.
GraphBuilder nllGraph(const std::vector<Attribute>& attributes, bool weighted, Shape lossShape = {}) {
    GraphBuilder g("nll");
    g.input("x", DataType::Float, {2, 3});
    g.input("target", DataType::Int64, {2});
    std::vector<std::string> inputs{"x", "target"};
    if (weighted) inputs.push_back(g.initializer("w", TensorData::fromFloat({1, 2, 4}, {3})));
    g.output(g.op("NegativeLogLikelihoodLoss", inputs, attributes, "nll"), DataType::Float, lossShape);
    return g;
}

const TensorData kLogProb = TensorData::fromFloat({-1.0f, -2.0f, -0.5f, -0.25f, -3.0f, -1.5f}, {2, 3});

GraphBuilder einsumGraph(const std::string& equation, const std::vector<Shape>& shapes,
                         DataType dtype = DataType::Float) {
    GraphBuilder g("einsum", 12);
    std::vector<std::string> inputs;
    for (size_t i = 0; i < shapes.size(); ++i) inputs.push_back(g.input("x" + std::to_string(i), dtype, shapes[i]));
    g.output(g.op("Einsum", inputs, {stringAttr("equation", equation)}, "contract"), dtype, {});
    return g;
}

void compareFloats(const TensorData& actual, const std::vector<float>& expected, const Shape& shape) {
    QCOMPARE(actual.shape, shape);
    QCOMPARE(actual.elementCount(), static_cast<int64_t>(expected.size()));
    for (size_t i = 0; i < expected.size(); ++i)
        QVERIFY2(
            std::abs(actual.data<float>()[i] - expected[i]) < 1e-5f,
            qPrintable(QString("element %1: %2, expected %3").arg(i).arg(actual.data<float>()[i]).arg(expected[i])));
}

}  // namespace

class LossOpsTest : public QObject {
    Q_OBJECT

private slots:
    // Targets {2, 0}: terms 4 * 0.5 and 1 * 0.25; the mean divides by the
    // weights taken (4 + 1), ignore_index 0 drops the second term and its weight.
    void nllHandComputed() {
        Outcome mean = runGraph(nllGraph({}, true), {{"x", kLogProb}, {"target", TensorData::fromInt64({2, 0}, {2})}});
        QVERIFY2(mean.status.isOk(), mean.status.message().c_str());
        compareFloats(mean.outputs[0], {2.25f / 5.0f}, {});

        Outcome ignored = runGraph(nllGraph({intAttr("ignore_index", 0)}, true),
                                   {{"x", kLogProb}, {"target", TensorData::fromInt64({2, 0}, {2})}});
        QVERIFY2(ignored.status.isOk(), ignored.status.message().c_str());
        compareFloats(ignored.outputs[0], {2.0f / 4.0f}, {});

        Outcome none = runGraph(nllGraph({stringAttr("reduction", "none"), intAttr("ignore_index", -1)}, false, {2}),
                                {{"x", kLogProb}, {"target", TensorData::fromInt64({-1, 1}, {2})}});
        QVERIFY2(none.status.isOk(), none.status.message().c_str());
        compareFloats(none.outputs[0], {0.0f, 3.0f}, {2});
    }

    // Scores {0, ln 3} give probabilities {1/4, 3/4}: loss -ln(3/4) for class 1,
    // in float64, with log_prob as the second output.
    void sceHandComputed() {
        GraphBuilder g("sce");
        g.input("scores", DataType::Double, {1, 2});
        g.input("labels", DataType::Int32, {1});
        auto outs = g.node("SoftmaxCrossEntropyLoss", {"scores", "labels"}, {stringAttr("reduction", "sum")}, 2, "sce");
        g.output(outs[0], DataType::Double, {});
        g.output(outs[1], DataType::Double, {1, 2});
        TensorData labels = TensorData::zeros(DataType::Int32, {1});
        labels.data<int32_t>()[0] = 1;
        Outcome o = runGraph(g, {{"scores", doubles({0.0, std::log(3.0)}, {1, 2})}, {"labels", labels}});
        QVERIFY2(o.status.isOk(), o.status.message().c_str());
        QCOMPARE(o.outputs.size(), size_t(2));
        QCOMPARE(o.outputs[0].dtype, DataType::Double);
        QVERIFY(std::abs(o.outputs[0].data<double>()[0] - std::log(4.0 / 3.0)) < 1e-12);
        QVERIFY(std::abs(o.outputs[1].data<double>()[0] - std::log(0.25)) < 1e-12);
        QVERIFY(std::abs(o.outputs[1].data<double>()[1] - std::log(0.75)) < 1e-12);
    }

    void targetOutsideClassesFailsTheRun() {
        for (int64_t bad : {3, -1, 1000}) {
            Outcome o =
                runGraph(nllGraph({}, true), {{"x", kLogProb}, {"target", TensorData::fromInt64({0, bad}, {2})}});
            QVERIFY(!o.status.isOk());
            QVERIFY2(contains(o.status, "node 'nll' (NegativeLogLikelihoodLoss)"), o.status.message().c_str());
            QVERIFY2(contains(o.status, "target " + std::to_string(bad) + " at position 1"),
                     o.status.message().c_str());
        }
        // An ignore_index other than the bad target does not excuse it.
        Outcome o = runGraph(nllGraph({intAttr("ignore_index", -100)}, false),
                             {{"x", kLogProb}, {"target", TensorData::fromInt64({-1, 0}, {2})}});
        QVERIFY2(contains(o.status, "not ignore_index -100"), o.status.message().c_str());
    }

    void badLossNodesFailBeforeRunning() {
        Status reduction = createStatus(nllGraph({stringAttr("reduction", "avg")}, false));
        QVERIFY(!reduction.isOk());
        QVERIFY2(contains(reduction, "'nll'") && contains(reduction, "reduction 'avg'"), reduction.message().c_str());

        GraphBuilder g("sce");
        g.input("scores", DataType::Float, {2, 3});
        g.input("labels", DataType::Int64, {2});
        g.input("w", DataType::Float, {4});
        g.output(g.op("SoftmaxCrossEntropyLoss", {"scores", "labels", "w"}, {}, "sce"), DataType::Float, {});
        // A shape misfit surfaces when the run resolves its shapes, before any kernel runs.
        Status weights = runGraph(g, {}).status;
        QVERIFY(!weights.isOk());
        QVERIFY2(contains(weights, "'sce'") && contains(weights, "weights 4"), weights.message().c_str());

        GraphBuilder shapes("nll_shapes");
        shapes.input("x", DataType::Float, {2, 3, 4});
        shapes.input("target", DataType::Int64, {2, 5});
        shapes.output(shapes.op("NegativeLogLikelihoodLoss", {"x", "target"}, {}, "nll"), DataType::Float, {});
        Status mismatch = runGraph(shapes, {}).status;
        QVERIFY(!mismatch.isOk());
        QVERIFY2(contains(mismatch, "target 2x5 does not match"), mismatch.message().c_str());
    }

    // {1, 2, 3, 4} over N, H, W: mean 2.5, std sqrt(1.25).
    void mvnHandComputed() {
        GraphBuilder g("mvn");
        g.input("x", DataType::Float, {1, 1, 1, 4});
        g.output(g.op("MeanVarianceNormalization", {"x"}, {}, "mvn"), DataType::Float, {1, 1, 1, 4});
        Outcome o = runGraph(g, {{"x", TensorData::fromFloat({1, 2, 3, 4}, {1, 1, 1, 4})}});
        QVERIFY2(o.status.isOk(), o.status.message().c_str());
        const float s = std::sqrt(1.25f);
        compareFloats(o.outputs[0], {-1.5f / s, -0.5f / s, 0.5f / s, 1.5f / s}, {1, 1, 1, 4});

        // axes [0] of a 2x2: each column by itself ({1, 3}: mean 2, std 1;
        // {10, 30}: mean 20, std 10), the groups innermost.
        GraphBuilder columns("mvn_columns");
        columns.input("x", DataType::Float, {2, 2});
        columns.output(columns.op("MeanVarianceNormalization", {"x"}, {intsAttr("axes", {0})}, "mvn"), DataType::Float,
                       {2, 2});
        Outcome perColumn = runGraph(columns, {{"x", TensorData::fromFloat({1, 10, 3, 30}, {2, 2})}});
        QVERIFY2(perColumn.status.isOk(), perColumn.status.message().c_str());
        compareFloats(perColumn.outputs[0], {-1, -1, 1, 1}, {2, 2});

        GraphBuilder bad("mvn_axes");
        bad.input("x", DataType::Float, {1, 4});
        bad.output(bad.op("MeanVarianceNormalization", {"x"}, {intsAttr("axes", {0, 2})}, "mvn"), DataType::Float, {});
        Status axes = runGraph(bad, {}).status;
        QVERIFY2(contains(axes, "'mvn'") && contains(axes, "axis 2 is out of range for rank 2"),
                 axes.message().c_str());
    }

    // [[1, 2], [3, 4]] -> -2; [[0, 1, 2], [1, 0, 3], [4, -3, 8]] -> -2, which
    // needs a row swap (its first pivot is 0); a singular matrix -> 0.
    void detHandComputed() {
        GraphBuilder g("det", 11);
        g.input("x", DataType::Float, {3, 3, 3});
        g.output(g.op("Det", {"x"}, {}, "det"), DataType::Float, {3});
        TensorData x = TensorData::fromFloat({1, 2, 0, 3, 4, 0, 0, 0,  1,  //
                                              0, 1, 2, 1, 0, 3, 4, -3, 8,  //
                                              1, 2, 3, 2, 4, 6, 7, 8,  9},
                                             {3, 3, 3});
        Outcome o = runGraph(g, {{"x", x}});
        QVERIFY2(o.status.isOk(), o.status.message().c_str());
        compareFloats(o.outputs[0], {-2, -2, 0}, {3});

        GraphBuilder notSquare("det_rect", 11);
        notSquare.input("x", DataType::Float, {2, 3});
        notSquare.output(notSquare.op("Det", {"x"}, {}, "det"), DataType::Float, {});
        Status status = runGraph(notSquare, {}).status;
        QVERIFY2(contains(status, "not a stack of square matrices"), status.message().c_str());
    }

    void einsumHandComputed() {
        const TensorData a = TensorData::fromFloat({1, 2, 3, 4}, {2, 2});
        const TensorData b = TensorData::fromFloat({5, 6, 7, 8}, {2, 2});
        Outcome product = runGraph(einsumGraph("ij,jk->ik", {{2, 2}, {2, 2}}), {{"x0", a}, {"x1", b}});
        QVERIFY2(product.status.isOk(), product.status.message().c_str());
        compareFloats(product.outputs[0], {19, 22, 43, 50}, {2, 2});

        // Implicit output: "ii" sums the diagonal to a scalar; "ij" + "jk"
        // keeps i and k (each used once), summing j.
        Outcome trace = runGraph(einsumGraph("ii", {{2, 2}}), {{"x0", a}});
        QVERIFY2(trace.status.isOk(), trace.status.message().c_str());
        compareFloats(trace.outputs[0], {5}, {});
        Outcome implicitProduct = runGraph(einsumGraph("ij,jk", {{2, 2}, {2, 2}}), {{"x0", a}, {"x1", b}});
        QVERIFY2(implicitProduct.status.isOk(), implicitProduct.status.message().c_str());
        compareFloats(implicitProduct.outputs[0], {19, 22, 43, 50}, {2, 2});

        // The ellipsis broadcasts: a [2, 1, 2] batch against b's [2] batch;
        // "...i,...i->..." is a batched dot product.
        Outcome dots = runGraph(einsumGraph("...i,...i->...", {{2, 1, 2}, {2, 2}}),
                                {{"x0", TensorData::fromFloat({1, 2, 3, 4}, {2, 1, 2})}, {"x1", b}});
        QVERIFY2(dots.status.isOk(), dots.status.message().c_str());
        // Output [2, 2]: row r of a with row c of b: 1*5+2*6, 1*7+2*8, 3*5+4*6, 3*7+4*8.
        compareFloats(dots.outputs[0], {17, 23, 39, 53}, {2, 2});
    }

    // Integers take the general loop: exact, negative values included.
    void einsumOnIntegers() {
        GraphBuilder g("einsum_int", 12);
        g.input("x0", DataType::Int64, {2, 2});
        g.input("x1", DataType::Int64, {2, 2});
        g.output(g.op("Einsum", {"x0", "x1"}, {stringAttr("equation", "ij,jk->ik")}, "contract"), DataType::Int64, {});
        Outcome o = runGraph(g, {{"x0", TensorData::fromInt64({1, -2, 3, 4}, {2, 2})},
                                 {"x1", TensorData::fromInt64({5, 6, 7, int64_t(1) << 40}, {2, 2})}});
        QVERIFY2(o.status.isOk(), o.status.message().c_str());
        QCOMPARE(o.outputs[0].dtype, DataType::Int64);
        const int64_t big = int64_t(1) << 40;
        const std::vector<int64_t> expected{1 * 5 - 2 * 7, 1 * 6 - 2 * big, 3 * 5 + 4 * 7, 3 * 6 + 4 * big};
        for (size_t i = 0; i < expected.size(); ++i) QCOMPARE(o.outputs[0].data<int64_t>()[i], expected[i]);
    }

    // Two-operand float32 products run on sgemm (einsum_gemm.h), float64 on
    // the general loop: both must agree for operands read in place, read
    // transposed, gathered first, and outputs written through the workspace.
    void einsumGemmPathMatchesGeneralLoop() {
        const std::vector<std::pair<std::string, std::vector<Shape>>> cases = {
            {"bij,bjk->bik", {{3, 4, 5}, {3, 5, 6}}},           // in place
            {"bkm,bkn->bmn", {{3, 7, 5}, {3, 7, 6}}},           // A transposed
            {"bhqd,bhkd->bhqk", {{2, 3, 5, 4}, {2, 3, 6, 4}}},  // B transposed
            {"abc,cb->a", {{4, 5, 6}, {6, 5}}},                 // two summed labels, B gathered
            {"bhqd,bkhd->bhqk", {{2, 3, 5, 4}, {2, 6, 3, 4}}},  // B gathered
            {"ik,nk->ni", {{5, 7}, {6, 7}}},                    // output through the workspace
            {"ij,kl->ijkl", {{2, 3}, {4, 5}}},                  // nothing summed
        };
        WeightGenerator generator(7);
        for (const auto& [equation, shapes] : cases) {
            std::map<std::string, TensorData> floats, doubleInputs;
            for (size_t i = 0; i < shapes.size(); ++i) {
                const std::vector<float> values = generator.uniform(elementCount(shapes[i]).value_or(0), 1.0f);
                const std::string name = "x" + std::to_string(i);
                floats[name] = TensorData::fromFloat(values, shapes[i]);
                doubleInputs[name] = doubles(std::vector<double>(values.begin(), values.end()), shapes[i]);
            }
            Outcome single = runGraph(einsumGraph(equation, shapes), floats);
            Outcome wide = runGraph(einsumGraph(equation, shapes, DataType::Double), doubleInputs);
            QVERIFY2(single.status.isOk(), single.status.message().c_str());
            QVERIFY2(wide.status.isOk(), wide.status.message().c_str());
            QCOMPARE(single.outputs[0].shape, wide.outputs[0].shape);
            for (int64_t i = 0; i < wide.outputs[0].elementCount(); ++i)
                QVERIFY2(std::abs(single.outputs[0].data<float>()[i] - wide.outputs[0].data<double>()[i]) < 1e-4,
                         qPrintable(QString("%1, element %2").arg(equation.c_str()).arg(i)));
        }
    }

    // The session refuses a malformed equation when it is created.
    void malformedEquationFailsAtCreation() {
        const std::vector<std::pair<std::string, std::string>> cases = {
            {"ij,jk->ik", "names 2 operands but the node has 1 inputs"},
            {"ij->ix", "the output subscript 'x' is in no operand"},
            {"i.j->ij", "'.' outside '...'"},
            {"i1->i", "the character '1'"},
            {"ij->ii", "the output repeats a subscript"},
            {"ij->i->j", "more than one '->'"},
            {"...i...->i", "more than one '...'"},
        };
        for (const auto& [equation, why] : cases) {
            Status status = createStatus(einsumGraph(equation, {{2, 3}}));
            QVERIFY2(!status.isOk(), equation.c_str());
            QCOMPARE(status.code(), StatusCode::InvalidModel);
            QVERIFY2(contains(status, "node 'contract' (Einsum)"), status.message().c_str());
            QVERIFY2(contains(status, why), status.message().c_str());
        }
    }

    // 2^60 products would hang the run (and overflow the loop counts):
    // refused when the kernel is prepared, at the session's creation (no
    // 4 GiB inputs are ever made).
    void hugeContractionIsRefused() {
        Status status = createStatus(einsumGraph("ab,cd->", {{1 << 15, 1 << 15}, {1 << 15, 1 << 15}}));
        QVERIFY(!status.isOk());
        QVERIFY2(contains(status, "node 'contract' (Einsum)") && contains(status, "more than 2^50 products"),
                 status.message().c_str());
    }

    // Subscripts that do not fit the operands' shapes: a shape error, found
    // when the run resolves shapes, before any kernel runs.
    void misfitEquationFailsBeforeAnyKernel() {
        const std::vector<std::pair<std::string, std::string>> cases = {
            {"ijk->i", "does not fit its shape 2x3"},
            {"ii->i", "'i' of operand 0 has size 3 where another has 2"},
            {"...j->j", "'...' stands for 1 dim(s), which the output drops"},
        };
        for (const auto& [equation, why] : cases) {
            Status status = runGraph(einsumGraph(equation, {{2, 3}}), {}).status;
            QCOMPARE(status.code(), StatusCode::ShapeError);
            QVERIFY2(contains(status, "node 'contract' (Einsum)"), status.message().c_str());
            QVERIFY2(contains(status, why), status.message().c_str());
        }
    }
};

QTEST_GUILESS_MAIN(LossOpsTest)
#include "test_loss_ops.moc"
