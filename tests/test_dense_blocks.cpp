// DenseNet's dense blocks: the growing Concats nest into a chain
// (passes/nest_concats.cpp). What runs changes, never the result: every
// memory mode and layout gives the plain, unfused graph's outputs, and the
// Concats that are not a prefix of a later one stay as they are.
#include <QtTest>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "interstage/session.h"
#include "test_support.h"

using namespace interstage;

namespace {

struct Outcome {
    TensorData output;
    Graph executed;
    std::vector<TensorPlacement> placements;
};

Outcome runWith(const GraphBuilder& b, bool fusion, bool blocked, PlannerKind planner = PlannerKind::Default) {
    SessionOptions options;
    options.fusion = fusion;
    options.blockedLayout = blocked;
    options.mode.planner = planner;
    options.threads = 2;
    auto session = Session::create(loadModelFromBytes(b.serialize(), ".").take(), options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    if (!session.value()->run({}).isOk()) qFatal("run failed");
    return {session.value()->output("y").value(), session.value()->executedGraph(), session.value()->memoryMap()};
}

std::string conv(GraphBuilder& b, const std::string& x, int64_t in, int64_t out, int64_t k, uint64_t seed) {
    WeightGenerator gen(seed);
    auto w = b.initializer("w" + std::to_string(seed),
                           TensorData::fromFloat(gen.uniform(out * in * k * k, 0.4f), {out, in, k, k}));
    return b.op("Conv", {x, w}, {intsAttr("pads", {k / 2, k / 2, k / 2, k / 2})}, "conv" + std::to_string(seed));
}

std::string batchNormRelu(GraphBuilder& b, const std::string& x, int64_t channels, const std::string& name) {
    return b.op("Relu", {testsupport::batchNormalization(b, x, channels, name)}, {}, name + "/relu");
}

constexpr int64_t kHeight = 9, kWidth = 11;

// A dense block as torchvision builds it: `layers` pre-activation layers
// (BN -> Relu -> 1x1 conv to 2 x growth -> BN -> Relu -> 3x3 conv to
// growth), each reading the Concat of the block input and every earlier
// layer's output; y is the Concat of all of them.
GraphBuilder denseBlock(int64_t growth, int layers) {
    GraphBuilder b("dense", 13);
    b.input("x", DataType::Float, {1, 3, kHeight, kWidth});
    std::vector<std::string> features{conv(b, "x", 3, growth, 3, 1)};
    int64_t channels = growth;
    for (int i = 0; i < layers; ++i) {
        const std::string s = "layer" + std::to_string(i);
        const std::string in =
            features.size() == 1 ? features.front() : b.op("Concat", features, {intAttr("axis", 1)}, s + "/concat");
        std::string y = batchNormRelu(b, in, channels, s + "/norm1");
        y = conv(b, y, channels, 2 * growth, 1, 10 + 2 * uint64_t(i));
        y = batchNormRelu(b, y, 2 * growth, s + "/norm2");
        features.push_back(conv(b, y, 2 * growth, growth, 3, 11 + 2 * uint64_t(i)));
        channels += growth;
    }
    b.output(b.op("Concat", features, {intAttr("axis", 1)}, "y"), DataType::Float, {1, channels, kHeight, kWidth});
    return b;
}

const Node* nodeNamed(const Graph& g, const std::string& name) {
    for (const Node& node : g.nodes)
        if (node.name == name) return &node;
    return nullptr;
}

const TensorPlacement* placementOf(const std::vector<TensorPlacement>& placements, const std::string& name) {
    for (const TensorPlacement& p : placements)
        if (p.name == name) return &p;
    return nullptr;
}

}  // namespace

class DenseBlocksTest : public QObject {
    Q_OBJECT
private slots:
    // Each layer's Concat becomes Concat(the previous layer's Concat, the
    // newest feature); every mode and layout gives the unfused result, and
    // where Concats are written in place the whole chain shares one buffer.
    void concatsNestIntoAChain_data() {
        QTest::addColumn<int>("growth");
        QTest::addColumn<int>("planner");
        for (int growth : {16, 6})  // whole channel blocks, and not
            for (PlannerKind planner : {PlannerKind::Default, PlannerKind::Reduce, PlannerKind::Arena}) {
                const char* mode = planner == PlannerKind::Default  ? "default"
                                   : planner == PlannerKind::Reduce ? "reduce"
                                                                    : "arena";
                QTest::newRow(qPrintable(QString("growth %1, %2").arg(growth).arg(mode)))
                    << growth << static_cast<int>(planner);
            }
    }
    void concatsNestIntoAChain() {
        QFETCH(int, growth);
        QFETCH(int, planner);
        const int layers = 4;
        const GraphBuilder b = denseBlock(growth, layers);
        const Outcome reference = runWith(b, false, false);
        QCOMPARE(nodeNamed(reference.executed, "y")->inputs.size(), size_t(layers + 1));  // no fusion: as written
        for (bool blocked : {false, true}) {
            const Outcome nested = runWith(b, true, blocked, static_cast<PlannerKind>(planner));
            QString why;
            QVERIFY2(testsupport::closeFloats(nested.output, reference.output, why), qPrintable(why));
            const Graph& g = nested.executed;
            // layer1's Concat reads the two features; each later one (and y)
            // the previous Concat and one feature.
            std::vector<std::string> concats;
            for (int i = 1; i < layers; ++i) concats.push_back("layer" + std::to_string(i) + "/concat");
            concats.push_back("y");
            for (size_t i = 0; i < concats.size(); ++i) {
                const Node* node = nodeNamed(g, concats[i]);
                QVERIFY(node);
                QCOMPARE(node->inputs.size(), size_t(2));
                if (i == 0) continue;
                const Value& first = g.value(node->input(0));
                QVERIFY(first.producer != kNoNode);
                QCOMPARE(QString::fromStdString(g.nodes[size_t(first.producer)].name),
                         QString::fromStdString(concats[i - 1]));
            }
            if (static_cast<PlannerKind>(planner) == PlannerKind::Default) continue;  // its own buffer each
            // Planned in place: the chain's Concats share one placement, each
            // at the start of the next, copying nothing (y, a graph output,
            // is planned apart).
            const TensorPlacement* first =
                placementOf(nested.placements, g.value(nodeNamed(g, concats.front())->output(0)).name);
            QVERIFY(first);
            for (size_t i = 1; i + 1 < concats.size(); ++i) {
                const TensorPlacement* p =
                    placementOf(nested.placements, g.value(nodeNamed(g, concats[i])->output(0)).name);
                QVERIFY(p);
                QVERIFY2(p->buffer == first->buffer && p->offset == first->offset,
                         qPrintable(QString::fromStdString(concats[i]) + " is not written in place"));
            }
        }
    }

    // Concats that are no prefix of a later one keep their inputs: the same
    // features in another order, another axis, or the very same list.
    void nearMissesKeepTheirInputs() {
        GraphBuilder b("near", 13);
        b.input("x", DataType::Float, {1, 3, 4, 4});
        const auto f0 = conv(b, "x", 3, 4, 1, 1), f1 = conv(b, "x", 3, 4, 1, 2), f2 = conv(b, "x", 3, 4, 1, 3);
        const auto first = b.op("Concat", {f0, f1}, {intAttr("axis", 1)}, "first");
        const auto reordered = b.op("Concat", {f1, f0, f2}, {intAttr("axis", 1)}, "reordered");
        const auto otherAxis = b.op("Concat", {f0, f1, f2}, {intAttr("axis", 2)}, "other_axis");
        const auto same = b.op("Concat", {f0, f1}, {intAttr("axis", 1)}, "same");
        b.output(first, DataType::Float, {1, 8, 4, 4});
        b.output(reordered, DataType::Float, {1, 12, 4, 4});
        b.output(otherAxis, DataType::Float, {1, 4, 12, 4});
        b.output(same, DataType::Float, {1, 8, 4, 4});
        const std::map<std::string, size_t> expected{{"first", 2}, {"reordered", 3}, {"other_axis", 3}, {"same", 2}};
        SessionOptions options;
        options.threads = 1;
        auto session = Session::create(loadModelFromBytes(b.serialize(), ".").take(), options);
        QVERIFY(session.ok());
        const Graph& g = session.value()->executedGraph();
        for (const auto& [name, inputs] : expected) {
            const Node* node = nodeNamed(g, name);
            QVERIFY2(node, name.c_str());
            QCOMPARE(node->inputs.size(), inputs);
            for (ValueId id : node->inputs)
                QVERIFY2(g.value(id).producer == kNoNode || g.nodes[size_t(g.value(id).producer)].opType == "Conv",
                         name.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(DenseBlocksTest)
#include "test_dense_blocks.moc"
