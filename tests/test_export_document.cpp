// The export document (interstage/session_file.h): the optional fields the
// report and the data exports read — model facts, each planned tensor's
// role and host, the executed ops, the peak explained — survive
// write -> read; a file without them reads as "not known"; damaged ones
// get errors naming the field.
#include <QtTest>
#include <nlohmann/json.hpp>
#include <set>

#include "interstage/export_facts.h"
#include "interstage/live_peak.h"
#include "interstage/session_file.h"
#include "interstage/zoo.h"
#include "test_support.h"

using namespace interstage;

namespace {

ModelFacts sampleFacts() {
    ModelFacts f;
    f.present = true;
    f.opset = 17;
    f.nodes = 3;
    f.ops = {{"Conv", 2}, {"Relu", 1}};
    f.weightBytes = 4096;
    f.intermediateCount = 2;
    f.intermediateBytes = 2048;
    f.largestTensor = "conv1";
    f.largestTensorBytes = 1024;
    f.lowerBoundBytes = 3072;
    f.architecture = "u2netp";
    f.graph = {{"c1", "Conv", {"x", "w1"}, {"conv1"}},
               {"r1", "Relu", {"conv1"}, {"relu1"}},
               {"c2", "Conv", {"relu1", "w2"}, {"y"}}};
    return f;
}

SavedRunSet sampleSet() {
    SavedRunSet set;
    set.setId = 2;
    set.label = "reduce · 1 thread · cpu";
    set.memoryMap = {{"conv1", 0, 1, 1024, 0, 0, false, 0, -1, -1, 0, true},
                     {"relu1", 1, 2, 1024, 0, 0, false, 0, -1, -1, 0, true},
                     {"y", 2, 2, 512, 1, 0, true, 0, -1, -1, 0, false}};
    set.executedNodeNames = {"c1", "r1", "c2"};
    set.executedNodeOps = {"Conv", "Relu", "Conv"};
    set.executedValueNames = {"x", "w1", "conv1", "relu1", "w2", "y"};
    set.planTensors = {{1, "in-place", "relu1"}, {1, "own", ""}, {1, "kept", ""}};
    set.peak.mode = "reduce";
    set.peak.peakStep = 2;
    set.peak.peakNode = "c2";
    set.peak.peakOp = "Conv";
    set.peak.planPeakBytes = 1536;
    set.peak.bufferPeakBytes = 1600;
    set.peak.fragmentationBytes = 64;
    set.peak.lowerBoundBytes = 2048;
    set.peak.executedLowerBoundBytes = 2048;
    set.peak.aliasedLowerBoundBytes = 1536;
    set.peak.liveAtPeak = {{"relu1", 1024, 1024, "r1", "c2", "read here by c2, freed after it"},
                           {"y", 512, 512, "c2", "", "graph output"}};
    return set;
}

SavedSession sampleSession() {
    SavedSession s;
    s.writer = "test";
    s.savedAt = "2026-12-07T04:00:00Z";
    s.facts = sampleFacts();
    s.runSets = {sampleSet()};
    return s;
}

Model zooModel(const std::string& name) {
    auto bytes = buildZooModel(name);
    if (!bytes.ok()) qFatal("%s", bytes.status().toString().c_str());
    return loadModelFromBytes(bytes.value(), ".").take();
}

std::unique_ptr<Session> sessionOf(const Model& model, const char* mode) {
    SessionOptions options;
    options.mode = MemoryMode::parse(mode).value();
    options.threads = 1;
    auto session = Session::create(model, options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    return session.take();
}

QString errorOf(const std::string& text) {
    auto read = sessionFromJson(text);
    return read.ok() ? QString() : QString::fromStdString(read.status().message());
}

}  // namespace

class TestExportDocument : public QObject {
    Q_OBJECT
private slots:
    void factsRoundTrip();
    void fileWithoutFactsReadsNotKnown();
    void damagedFactsNameTheField();
    void modelFactsAreConsistent();
    void onlyTheSeedSizeIsTheSample();
    void planRolesAreParallelAndHostsExist_data();
    void planRolesAreParallelAndHostsExist();
};

void TestExportDocument::factsRoundTrip() {
    const SavedSession a = sampleSession();
    auto read = sessionFromJson(sessionToJson(a));
    QVERIFY2(read.ok(), read.status().message().c_str());
    const SavedSession& b = read.value();
    QVERIFY(b.facts == a.facts);
    QCOMPARE(b.runSets.size(), std::size_t(1));
    const SavedRunSet &x = a.runSets[0], &y = b.runSets[0];
    QVERIFY(y.executedNodeOps == x.executedNodeOps);
    QVERIFY(y.executedValueNames == x.executedValueNames);
    QVERIFY(y.planTensors == x.planTensors);
    QCOMPARE(y.peak.mode, x.peak.mode);
    QCOMPARE(y.peak.peakStep, x.peak.peakStep);
    QCOMPARE(y.peak.peakNode, x.peak.peakNode);
    QCOMPARE(y.peak.peakOp, x.peak.peakOp);
    QCOMPARE(y.peak.planPeakBytes, x.peak.planPeakBytes);
    QCOMPARE(y.peak.bufferPeakBytes, x.peak.bufferPeakBytes);
    QCOMPARE(y.peak.fragmentationBytes, x.peak.fragmentationBytes);
    QCOMPARE(y.peak.aliasedLowerBoundBytes, x.peak.aliasedLowerBoundBytes);
    QCOMPARE(y.peak.liveAtPeak.size(), x.peak.liveAtPeak.size());
    for (std::size_t i = 0; i < x.peak.liveAtPeak.size(); ++i) {
        QCOMPARE(y.peak.liveAtPeak[i].name, x.peak.liveAtPeak[i].name);
        QCOMPARE(y.peak.liveAtPeak[i].bytes, x.peak.liveAtPeak[i].bytes);
        QCOMPARE(y.peak.liveAtPeak[i].reason, x.peak.liveAtPeak[i].reason);
    }
    // Written again, the same text: nothing lost or reordered.
    QCOMPARE(sessionToJson(b), sessionToJson(a));
}

void TestExportDocument::fileWithoutFactsReadsNotKnown() {
    auto doc = nlohmann::json::parse(sessionToJson(sampleSession()));
    doc.erase("model_facts");
    for (const char* key : {"executed_node_ops", "executed_value_names", "plan_tensors", "peak"})
        doc["run_sets"][0].erase(key);
    auto read = sessionFromJson(doc.dump());
    QVERIFY2(read.ok(), read.status().message().c_str());
    QVERIFY(!read->facts.present);
    QVERIFY(read->runSets[0].planTensors.empty());
    QVERIFY(read->runSets[0].executedNodeOps.empty());
    QCOMPARE(read->runSets[0].peak.peakStep, -1);
    // And the writer leaves them out again.
    const std::string again = sessionToJson(read.value());
    QVERIFY(again.find("model_facts") == std::string::npos);
    QVERIFY(again.find("plan_tensors") == std::string::npos);
}

void TestExportDocument::damagedFactsNameTheField() {
    const auto base = nlohmann::json::parse(sessionToJson(sampleSession()));
    struct Case {
        const char* expected;
        void (*damage)(nlohmann::json&);
    };
    const Case cases[] = {
        {"run_sets[0].plan_tensors[1] must have 3 columns",
         [](nlohmann::json& d) { d["run_sets"][0]["plan_tensors"][1].erase(2); }},
        {"run_sets[0].plan_tensors[0][1] is \"borrowed\"",
         [](nlohmann::json& d) { d["run_sets"][0]["plan_tensors"][0][1] = "borrowed"; }},
        {"run_sets[0].plan_tensors has 2 rows, memory_map 3",
         [](nlohmann::json& d) { d["run_sets"][0]["plan_tensors"].erase(0); }},
        {"run_sets[0].executed_node_ops has 1 entries",
         [](nlohmann::json& d) { d["run_sets"][0]["executed_node_ops"] = {"Conv"}; }},
        {"run_sets[0].peak.live[0] must have 6 columns",
         [](nlohmann::json& d) { d["run_sets"][0]["peak"]["live"][0].erase(5); }},
        {"run_sets[0].peak.plan_peak_bytes must be",
         [](nlohmann::json& d) { d["run_sets"][0]["peak"]["plan_peak_bytes"] = "big"; }},
        {"field model_facts.graph is missing", [](nlohmann::json& d) { d["model_facts"].erase("graph"); }},
        {"model_facts.ops.Conv is -2", [](nlohmann::json& d) { d["model_facts"]["ops"]["Conv"] = -2; }},
        {"model_facts.graph[2] must have 4 columns", [](nlohmann::json& d) { d["model_facts"]["graph"][2] = {"c2"}; }},
    };
    for (const Case& c : cases) {
        nlohmann::json doc = base;
        c.damage(doc);
        const QString error = errorOf(doc.dump());
        QVERIFY2(error.contains(c.expected), qPrintable("expected '" + QString(c.expected) + "' in: " + error));
    }
}

void TestExportDocument::modelFactsAreConsistent() {
    const Model model = zooModel("u2netp-64");
    const ModelFacts f = modelFactsOf(model);
    QVERIFY(f.present);
    QCOMPARE(f.opset, std::int64_t(13));
    int sum = 0;
    for (const auto& [op, count] : f.ops) sum += count;
    QCOMPARE(sum, f.nodes);
    QCOMPARE(int(f.graph.size()), f.nodes);
    QCOMPARE(f.graph.front().name, model.graph.nodes.front().name);
    // Shapes resolved for the facts: the sizes and the bound are real.
    QVERIFY(f.intermediateBytes > 0);
    QVERIFY(f.largestTensorBytes > 0 && f.largestTensorBytes <= f.intermediateBytes);
    QVERIFY(f.lowerBoundBytes >= f.largestTensorBytes && f.lowerBoundBytes <= f.intermediateBytes);
    QVERIFY(f.weightBytes > 0);
    // Every node input and output names a value of the graph (or "").
    for (const GraphNodeFacts& n : f.graph)
        for (const std::string& v : n.outputs) QVERIFY(v.empty() || model.graph.find(v) != kNoValue);
}

void TestExportDocument::onlyTheSeedSizeIsTheSample() {
    // u2netp-64 is U^2-Net-P but not at the seed's 320x320: no seed table.
    QCOMPARE(modelFactsOf(zooModel("u2netp-64")).architecture, std::string());
    QCOMPARE(modelFactsOf(zooModel("u2netp")).architecture, std::string("u2netp"));
    // The same file at another input size is not the seed's run either.
    QCOMPARE(modelFactsOf(zooModel("u2netp"), {{"input", {1, 3, 64, 64}}}).architecture, std::string());
    QCOMPARE(modelFactsOf(testsupport::builtModel(testsupport::tinyChain())).architecture, std::string());
}

void TestExportDocument::planRolesAreParallelAndHostsExist_data() {
    QTest::addColumn<QString>("mode");
    for (const char* mode : {"default", "reduce", "reuse", "arena"}) QTest::newRow(mode) << QString(mode);
}

void TestExportDocument::planRolesAreParallelAndHostsExist() {
    QFETCH(QString, mode);
    const Model model = zooModel("u2netp-64");
    auto session = sessionOf(model, mode.toUtf8().constData());
    const std::vector<TensorPlacement> map = session->memoryMap();
    const std::vector<PlanTensorFacts> facts = planTensorFactsOf(*session);
    QCOMPARE(facts.size(), map.size());
    std::set<std::string> names;
    for (const TensorPlacement& p : map) names.insert(p.name);
    std::map<std::string, int> roles;
    for (std::size_t i = 0; i < facts.size(); ++i) {
        ++roles[facts[i].role];
        QVERIFY2(facts[i].host.empty() || names.count(facts[i].host), facts[i].host.c_str());
        QVERIFY(facts[i].host != map[i].name);
        // A shared tensor names its host; one with its own bytes names none.
        const bool shared = facts[i].role == "in-place" || facts[i].role == "concat-member";
        QCOMPARE(!facts[i].host.empty(), shared);
        if (facts[i].role != "workspace") QCOMPARE(facts[i].dtype, int(DataType::Float));
    }
    if (mode == "default") {
        // Every tensor its own buffer: nothing shared.
        QCOMPARE(roles["in-place"] + roles["concat-member"], 0);
    } else if (mode == "reduce") {
        QVERIFY(roles["in-place"] > 0);
        QVERIFY(roles["concat-member"] > 0);
    }
    QVERIFY(roles["kept"] >= 7);  // U^2-Net-P's seven outputs
    // The peak: its rows sum to the plan peak, as the live count says.
    SavedRunSet set;
    addExportFacts(set, *session);
    QCOMPARE(set.executedNodeOps.size(), session->executedGraph().nodes.size());
    QCOMPARE(set.planTensors.size(), map.size());
    QVERIFY(set.peak.peakStep >= 0);
    std::size_t sum = 0;
    for (const LiveTensorAtPeak& t : set.peak.liveAtPeak) sum += t.bytes;
    QCOMPARE(sum, set.peak.planPeakBytes);
    QCOMPARE(set.peak.planPeakBytes, peakOfLiveTensors(map).bytes);
    QCOMPARE(set.executedNodeOps[std::size_t(set.peak.peakStep)], set.peak.peakOp);
}

QTEST_GUILESS_MAIN(TestExportDocument)
#include "test_export_document.moc"
