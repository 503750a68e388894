// The model builder's architectures: valid, deterministic, and (for
// U^2-Net-P) exactly the published network.
#include <QTemporaryDir>
#include <QtTest>
#include <set>

#include "interstage/model_info.h"
#include "interstage/zoo.h"
#include "test_support.h"

using namespace interstage;

namespace {

Model buildAndLoad(const std::string& name) {
    auto bytes = buildZooModel(name);
    if (!bytes.ok()) qFatal("%s", bytes.status().toString().c_str());
    auto model = loadModelFromBytes(bytes.value(), ".");
    if (!model.ok()) qFatal("%s", model.status().toString().c_str());
    auto report = resolveShapes(model->graph, {});
    if (!report.ok()) qFatal("%s: %s", name.c_str(), report.status().toString().c_str());
    return model.take();
}

// Trainable parameters as PyTorch counts them: every weight except
// BatchNormalization's running mean and variance.
int64_t trainableParameters(const Graph& g) {
    std::set<ValueId> runningStats;
    for (const Node& n : g.nodes)
        if (n.opType == "BatchNormalization") {
            runningStats.insert(n.input(3));
            runningStats.insert(n.input(4));
        }
    int64_t count = 0;
    for (ValueId id = 0; id < ValueId(g.values.size()); ++id) {
        const Value& v = g.value(id);
        if (v.isWeight() && v.constant && v.dtype == DataType::Float && !runningStats.count(id))
            count += v.constant->elementCount();
    }
    return count;
}

}  // namespace

class ZooTest : public QObject {
    Q_OBJECT
private slots:
    void listsTheFourArchitectures() {
        QStringList names;
        for (const auto& e : zooModels()) names << QString::fromStdString(e.name);
        for (const char* expected : {"u2netp", "resnet", "mobilenetv2", "inception"})
            QVERIFY2(names.contains(expected), expected);
    }

    void u2netpIsTheExactArchitecture() {
        Model m = buildAndLoad("u2netp");
        QCOMPARE(trainableParameters(m.graph), int64_t(1131181));
        ModelSummary s = summarizeModel(m.graph);
        QCOMPARE(s.ops["Conv"], 119);  // 112 REBNCONVs + 6 side convs + the fuse conv
        QCOMPARE(s.ops["BatchNormalization"], 112);
        QCOMPARE(s.ops["Relu"], 112);
        QCOMPARE(s.ops["Add"], 11);      // one residual per RSU block
        QCOMPARE(s.ops["MaxPool"], 33);  // 28 inside RSU blocks + 5 between stages
        QCOMPARE(s.ops["Resize"], 38);   // 28 inside blocks + 5 decoder + 5 side outputs
        QCOMPARE(s.ops["Sigmoid"], 7);
        QCOMPARE(s.inputs.at(0).shape, (Shape{1, 3, 320, 320}));
        for (const auto& out : s.outputs) QCOMPARE(out.shape, (Shape{1, 1, 320, 320}));
        for (const Node& n : m.graph.nodes)
            if (n.opType == "MaxPool") QCOMPARE(n.attrInt("ceil_mode", 0), int64_t(1));
    }

    void everyModelResolvesAndIsDeterministic_data() {
        QTest::addColumn<QString>("name");
        for (const auto& e : zooModels()) QTest::newRow(e.name.c_str()) << QString::fromStdString(e.name);
    }
    void everyModelResolvesAndIsDeterministic() {
        QFETCH(QString, name);
        auto first = buildZooModel(name.toStdString());
        auto second = buildZooModel(name.toStdString());
        QVERIFY(first.ok() && second.ok());
        QVERIFY(first.value() == second.value());
        Model m = buildAndLoad(name.toStdString());
        ModelSummary s = summarizeModel(m.graph);
        QVERIFY(s.nodes > 10);
        QVERIFY(s.weightBytes > 0);
        QVERIFY(s.lowerBound.bytes > 0 && s.lowerBound.bytes < s.intermediateBytes);
    }

    void inceptionHasParallelBranches() {
        Model m = buildAndLoad("inception");
        int fourWayConcats = 0;
        for (const Node& n : m.graph.nodes)
            if (n.opType == "Concat" && n.inputs.size() >= 4) ++fourWayConcats;
        QVERIFY(fourWayConcats >= 3);
    }

    void unknownNameIsAClearError() {
        auto bytes = buildZooModel("nosuchnet");
        QVERIFY(!bytes.ok());
        QVERIFY2(bytes.status().message().find("u2netp") != std::string::npos, bytes.status().message().c_str());
    }

    void saveWritesALoadableFile() {
        QTemporaryDir dir;
        std::string path = dir.filePath("r.onnx").toStdString();
        QVERIFY(saveZooModel("resnet", path).isOk());
        QVERIFY(loadModel(path).ok());
        QVERIFY(!saveZooModel("resnet", "/nonexistent/dir/r.onnx").isOk());
    }
};

QTEST_GUILESS_MAIN(ZooTest)
#include "test_zoo.moc"
