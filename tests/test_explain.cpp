// The peak explanation (interstage/peak_explain.h, `interstage-cli
// explain`): its rows sum to the plan's live peak in every preset, the
// reasons name the right last reader where the answer is known by hand,
// a pin's cost is the peak difference of two sessions, and the CLI writes
// the issue's JSON keys.
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>
#include <cstring>

#include "cli_process.h"
#include "interstage/live_peak.h"
#include "interstage/peak_explain.h"
#include "interstage/zoo.h"
#include "test_support.h"

using namespace interstage;

namespace {

// x [1,1024] -> Relu (a), Sigmoid (b); Mul (c = b*b); Add (d = a + c).
// With no fusion, the file's order and no in-place writes, step 2 (mul)
// holds a (read later by add), b (read here) and c (made here): 12 KiB,
// the first step that high.
GraphBuilder lastReaderModel() {
    GraphBuilder b("readers", 13);
    b.input("x", DataType::Float, {1, 1024});
    const std::string a = b.op("Relu", {"x"}, {}, "relu");
    const std::string s = b.op("Sigmoid", {"x"}, {}, "sigmoid");
    const std::string c = b.op("Mul", {s, s}, {}, "mul");
    const std::string d = b.op("Add", {a, c}, {}, "add");
    b.output(d, DataType::Float, {1, 1024});
    return b;
}

// x [1,256] -> Pad to 2048 (big), Relu (a), Sigmoid (s), Concat(a, s) (w),
// Concat(big, w) (y, the output): with Concat written in place the members
// live in their host's bytes.
GraphBuilder concatModel() {
    GraphBuilder b("members", 13);
    b.input("x", DataType::Float, {1, 256});
    const std::string pads = b.initializer("pads", TensorData::fromInt64({0, 0, 0, 1792}, {4}));
    const std::string big = b.op("Pad", {"x", pads}, {}, "pad");
    const std::string a = b.op("Relu", {"x"}, {}, "relu");
    const std::string s = b.op("Sigmoid", {"x"}, {}, "sigmoid");
    const std::string w = b.op("Concat", {a, s}, {intAttr("axis", 1)}, "inner");
    const std::string y = b.op("Concat", {big, w}, {intAttr("axis", 1)}, "outer");
    b.output(y, DataType::Float, {1, 2560});
    return b;
}

SessionOptions fixedOptions(const char* mode) {
    SessionOptions o;
    o.mode = MemoryMode::parse(mode).value();
    o.fusion = false;
    o.memoryAwareOrder = false;
    o.threads = 1;
    return o;
}

std::size_t livePeakOf(const Model& model, const SessionOptions& options) {
    auto session = Session::create(model, options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    return peakOfLiveTensors(session.value()->memoryMap()).bytes;
}

std::size_t rowSum(const PeakExplanation& e) {
    std::size_t sum = 0;
    for (const LiveTensorAtPeak& t : e.liveAtPeak) sum += t.bytes;
    return sum;
}

const LiveTensorAtPeak* row(const PeakExplanation& e, const std::string& name) {
    for (const LiveTensorAtPeak& t : e.liveAtPeak)
        if (t.name == name) return &t;
    return nullptr;
}

// What every explanation must hold, whatever the model and mode.
void checkInvariants(const PeakExplanation& e) {
    QCOMPARE(rowSum(e), e.planPeakBytes);
    QVERIFY(e.planPeakBytes >= e.aliasedLowerBoundBytes);
    QCOMPARE(e.fragmentationBytes, e.bufferPeakBytes - e.planPeakBytes);
    for (std::size_t i = 1; i < e.liveAtPeak.size(); ++i) QVERIFY(e.liveAtPeak[i - 1].bytes >= e.liveAtPeak[i].bytes);
    for (const LiveTensorAtPeak& t : e.liveAtPeak) {
        QVERIFY2(!t.reason.empty(), t.name.c_str());
        QVERIFY(t.bytes <= t.tensorBytes);
        // Counted once: a row adding nothing says where it is counted.
        if (t.bytes == 0) QVERIFY2(t.reason.find("counted there") != std::string::npos, t.reason.c_str());
        // "read later by X" / "read here by X" name the tensor's last reader.
        for (const char* lead : {"read later by ", "produced here, read later by ", "read here by "})
            if (t.reason.rfind(lead, 0) == 0)
                QVERIFY2(!t.lastReader.empty() &&
                             t.reason.compare(std::strlen(lead), t.lastReader.size(), t.lastReader) == 0,
                         (t.name + ": " + t.reason + " / " + t.lastReader).c_str());
    }
}

}  // namespace

class TestExplain : public QObject {
    Q_OBJECT

private slots:
    void reasonsNameTheLastReader() {
        SessionOptions o = fixedOptions("reduce");
        o.inPlaceOps = false;
        o.inPlaceConcat = false;
        auto e = explainPeak(testsupport::builtModel(lastReaderModel()), o);
        QVERIFY2(e.ok(), e.status().toString().c_str());
        checkInvariants(e.value());
        QCOMPARE(e->peakStep, 2);
        QCOMPARE(e->peakNode, std::string("mul"));
        QCOMPARE(e->planPeakBytes, std::size_t(3 * 4096));
        QCOMPARE(e->liveAtPeak.size(), std::size_t(3));
        const LiveTensorAtPeak* a = row(e.value(), "relu");
        const LiveTensorAtPeak* b = row(e.value(), "sigmoid");
        const LiveTensorAtPeak* c = row(e.value(), "mul");
        QVERIFY(a && b && c);
        QCOMPARE(a->producer, std::string("relu"));
        QCOMPARE(a->lastReader, std::string("add"));
        QCOMPARE(a->reason, std::string("read later by add"));
        QCOMPARE(b->lastReader, std::string("mul"));
        QCOMPARE(b->reason, std::string("read here by mul, freed after it"));
        QCOMPARE(c->reason, std::string("produced here, read later by add"));
        QVERIFY(e->inPlaceCost.empty());  // both rules off: nothing to turn off
    }

    // Written in place, the Concat members add no bytes of their own.
    void concatMembersCountOnceInTheirHost() {
        auto e = explainPeak(testsupport::builtModel(concatModel()), fixedOptions("arena"));
        QVERIFY2(e.ok(), e.status().toString().c_str());
        checkInvariants(e.value());
        int members = 0;
        for (const LiveTensorAtPeak& t : e->liveAtPeak)
            if (t.reason.rfind("Concat member of ", 0) == 0) {
                ++members;
                QCOMPARE(t.bytes, std::size_t(0));
            }
        QVERIFY(members > 0);
        const LiveTensorAtPeak* y = row(e.value(), "outer");
        QVERIFY(y);
        QCOMPARE(y->reason, std::string("graph output"));
        // Off, the Concat rule gives every member its own bytes.
        QCOMPARE(e->inPlaceCost.size(), std::size_t(2));
        QCOMPARE(e->inPlaceCost[0].name, std::string("in-place Concat"));
        QVERIFY(e->inPlaceCost[0].bytes > 0);
        SessionOptions off = fixedOptions("arena");
        off.inPlaceConcat = false;
        const auto withoutRule = static_cast<std::int64_t>(livePeakOf(testsupport::builtModel(concatModel()), off));
        QCOMPARE(e->inPlaceCost[0].bytes, withoutRule - static_cast<std::int64_t>(e->planPeakBytes));
    }

    // U^2-Net-P at 64x64 in every preset, a decoder input pinned: the rows
    // sum to the live peak and the pin costs what two sessions say.
    void everyPresetOnU2NetP_data() {
        QTest::addColumn<QString>("mode");
        for (const MemoryPreset& p : memoryPresets()) QTest::newRow(p.name) << QString(p.name);
    }
    void everyPresetOnU2NetP() {
        QFETCH(QString, mode);
        auto bytes = buildZooModel("u2netp-64");
        QVERIFY(bytes.ok());
        const Model model = loadModelFromBytes(bytes.value(), ".").take();
        SessionOptions pinned;
        pinned.mode = MemoryMode::parse(mode.toStdString()).value();
        pinned.threads = 1;
        pinned.keep = {"stage1/add"};
        auto e = explainPeak(model, pinned);
        QVERIFY2(e.ok(), e.status().toString().c_str());
        checkInvariants(e.value());
        QVERIFY(e->peakStep >= 0);
        QVERIFY(!e->peakNode.empty());
        QVERIFY(e->lowerBoundBytes > 0 && e->executedLowerBoundBytes > 0);
        SessionOptions unpinned = pinned;
        unpinned.keep.clear();
        const auto with = static_cast<std::int64_t>(livePeakOf(model, pinned));
        const auto without = static_cast<std::int64_t>(livePeakOf(model, unpinned));
        QCOMPARE(e->pinnedCost.size(), std::size_t(1));
        QVERIFY2(e->pinnedCost[0].error.empty(), e->pinnedCost[0].error.c_str());
        QCOMPARE(e->pinnedCost[0].bytes, with - without);
        if (pinned.mode.planner == PlannerKind::Arena) QVERIFY(e->pinnedCost[0].bytes > 0);
    }

    void cliWritesTheIssuesKeys() {
        QTemporaryDir dir;
        const std::string path = testsupport::writeFile(dir, "readers.onnx", lastReaderModel().serialize());
        const QString json = dir.filePath("explain.json");
        auto r = testsupport::runCli(
            {"explain", QString::fromStdString(path), "--mode", "arena", "--keep", "relu", "--json", json});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("lower bound (graph as written)"));
        QVERIFY(r.out.contains("lower bound (in-place rules in effect)"));
        const QJsonObject doc = testsupport::readJsonObject(json);
        for (const char* key : {"peak_step", "peak_node", "live_at_peak", "lower_bound_bytes",
                                "aliased_lower_bound_bytes", "plan_peak_bytes", "fragmentation_bytes", "pinned_cost",
                                "mode", "executed_lower_bound_bytes", "in_place_cost"})
            QVERIFY2(doc.contains(key), key);
        double sum = 0;
        bool pinSeen = false;
        for (const QJsonValue& t : doc["live_at_peak"].toArray()) {
            for (const char* key : {"name", "bytes", "reason", "producer", "last_reader"})
                QVERIFY2(t.toObject().contains(key), key);
            sum += t.toObject()["bytes"].toDouble();
            // Pinned, relu lives to the end: alive at any peak, and says why.
            if (t.toObject()["name"].toString() == "relu") {
                pinSeen = true;
                QVERIFY2(t.toObject()["reason"].toString().startsWith("pinned (--keep)"),
                         qPrintable(t.toObject()["reason"].toString()));
            }
        }
        QVERIFY(pinSeen);
        QCOMPARE(sum, doc["plan_peak_bytes"].toDouble());
        const QJsonArray pins = doc["pinned_cost"].toArray();
        QCOMPARE(pins.size(), 1);
        QCOMPARE(pins[0].toObject()["name"].toString(), QString("relu"));
        QVERIFY(pins[0].toObject().contains("bytes"));
    }

    void cliNamesAPinThatIsNotThere() {
        QTemporaryDir dir;
        const std::string path = testsupport::writeFile(dir, "readers.onnx", lastReaderModel().serialize());
        auto r = testsupport::runCli({"explain", QString::fromStdString(path), "--keep", "nosuch"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("nosuch"), qPrintable(r.err));
    }

    void cliRefusesAMissingModel() {
        auto r = testsupport::runCli({"explain", "/nonexistent/model.onnx"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("model.onnx"));
    }
};

QTEST_GUILESS_MAIN(TestExplain)
#include "test_explain.moc"
