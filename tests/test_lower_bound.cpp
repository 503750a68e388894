// Lifetimes and the lower bound on hand-built graphs, where the right
// answer can be worked out by hand.
#include <QTemporaryDir>
#include <QtTest>

#include "interstage/lifetimes.h"
#include "interstage/model_info.h"
#include "test_support.h"

using namespace interstage;

namespace {

constexpr size_t kTensor = 1000 * sizeof(float);  // every tensor here is 1x1000 float

Graph loadBuilt(const GraphBuilder& builder) {
    QTemporaryDir dir;
    auto model = loadModel(testsupport::writeFile(dir, "g.onnx", builder.serialize()));
    if (!model.ok()) qFatal("%s", model.status().toString().c_str());
    auto report = resolveShapes(model->graph, {});
    if (!report.ok()) qFatal("%s", report.status().toString().c_str());
    return std::move(model->graph);
}

}  // namespace

class LowerBoundTest : public QObject {
    Q_OBJECT
private slots:
    // a = relu(x); b = relu(a); c = a + b; d = relu(c) (output)
    // live: step0 {a}, step1 {a,b}, step2 {a,b,c}, step3 {c,d}
    void diamond() {
        GraphBuilder b("diamond");
        b.input("x", DataType::Float, {1, 1000});
        auto a = b.op("Relu", {"x"}, {}, "a");
        auto bb = b.op("Relu", {a}, {}, "b");
        auto c = b.op("Add", {a, bb}, {}, "c");
        auto d = b.op("Relu", {c}, {}, "d");
        b.output(d, DataType::Float, {1, 1000});
        Graph g = loadBuilt(b);
        auto lifetimes = intermediateLifetimes(g);
        QCOMPARE(lifetimes.size(), size_t(4));
        auto live = liveBytesPerStep(g, lifetimes);
        QCOMPARE(live, (std::vector<size_t>{kTensor, 2 * kTensor, 3 * kTensor, 2 * kTensor}));
        LowerBound bound = lowerBound(g, lifetimes);
        QCOMPARE(bound.bytes, 3 * kTensor);
        QCOMPARE(bound.step, 2);
        ModelSummary s = summarizeModel(g);
        QCOMPARE(s.intermediateCount, 4);
        QCOMPARE(s.intermediateBytes, 4 * kTensor);
        QCOMPARE(s.weightBytes, size_t(0));
    }

    // A graph output made at step 0 stays live to the end; a Constant's
    // output is a weight, not an intermediate.
    void outputsLiveToEndConstantsExcluded() {
        GraphBuilder b("outputs");
        b.input("x", DataType::Float, {1, 1000});
        auto early = b.op("Relu", {"x"}, {}, "early");
        auto k = b.constant("k", TensorData::fromFloat(std::vector<float>(1000, 1.f), {1, 1000}));
        auto p = b.op("Add", {"x", k}, {}, "p");
        auto q = b.op("Relu", {p}, {}, "q");
        auto r = b.op("Relu", {q}, {}, "r");
        b.output(early, DataType::Float, {1, 1000});
        b.output(r, DataType::Float, {1, 1000});
        Graph g = loadBuilt(b);
        // steps: 0 early, 1 k (Constant), 2 p, 3 q, 4 r
        auto lifetimes = intermediateLifetimes(g);
        QCOMPARE(lifetimes.size(), size_t(4));
        auto live = liveBytesPerStep(g, lifetimes);
        QCOMPARE(live, (std::vector<size_t>{kTensor, kTensor, 2 * kTensor, 3 * kTensor, 3 * kTensor}));
        ModelSummary s = summarizeModel(g);
        QCOMPARE(s.weightBytes, kTensor);
        QCOMPARE(s.lowerBound.bytes, 3 * kTensor);
        QCOMPARE(s.lowerBound.step, 3);
    }

    // An output nobody reads lives for its producer's step only; parallel
    // branches that all feed one Concat are all alive at the Concat.
    void branchesAndDeadOutputs() {
        GraphBuilder b("branches");
        b.input("x", DataType::Float, {1, 1000});
        auto b1 = b.op("Relu", {"x"}, {}, "b1");
        auto b2 = b.op("Sigmoid", {"x"}, {}, "b2");
        auto dead = b.op("Tanh", {"x"}, {}, "dead");
        auto b3 = b.op("Neg", {"x"}, {}, "b3");
        auto cat = b.op("Concat", {b1, b2, b3}, {intAttr("axis", 1)}, "cat");
        b.output(cat, DataType::Float, {1, 3000});
        Graph g = loadBuilt(b);
        auto live = liveBytesPerStep(g, intermediateLifetimes(g));
        // step0 {b1} step1 {b1,b2} step2 {b1,b2,dead} step3 {b1,b2,b3} step4 {b1,b2,b3,cat}
        QCOMPARE(live, (std::vector<size_t>{kTensor, 2 * kTensor, 3 * kTensor, 3 * kTensor, 6 * kTensor}));
        QCOMPARE(summarizeModel(g).lowerBound.bytes, 6 * kTensor);
        QCOMPARE(summarizeModel(g).largestTensor, cat);
    }

    void emptyGraphHasNoBound() {
        GraphBuilder b("identity-free");
        b.input("x", DataType::Float, {1, 1000});
        b.output("x", DataType::Float, {1, 1000});
        Graph g = loadBuilt(b);
        QCOMPARE(lowerBound(g, intermediateLifetimes(g)).bytes, size_t(0));
        QCOMPARE(lowerBound(g, intermediateLifetimes(g)).step, -1);
    }
};

QTEST_GUILESS_MAIN(LowerBoundTest)
#include "test_lower_bound.moc"
