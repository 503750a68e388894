// Two plans side by side (issue #16): diffPlans lists every tensor of
// either plan once, the tensors alive at a live peak that differ first,
// and finds no difference between a plan and itself; `interstage-cli diff`
// plans both without running and writes the same table as JSON.
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>
#include <set>
#include <string>

#include "cli_process.h"
#include "interstage/live_peak.h"
#include "interstage/plan_diff.h"
#include "interstage/session.h"
#include "interstage/zoo.h"

using namespace interstage;

namespace {

TensorPlacement placed(const std::string& name, int buffer, std::size_t offset, std::size_t bytes, int first,
                       int last) {
    TensorPlacement p;
    p.name = name;
    p.buffer = buffer;
    p.offset = offset;
    p.bytes = bytes;
    p.first = first;
    p.last = last;
    return p;
}

std::set<std::string> namesOf(const std::vector<TensorPlacement>& map) {
    std::set<std::string> names;
    for (const TensorPlacement& p : map) names.insert(p.name);
    return names;
}

bool aliveAt(const TensorSide& s, int step) { return s.present && s.first <= step && step <= s.last; }

}  // namespace

class TestPlanDiff : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string model_;  // U^2-Net-P at 64x64 (the zoo's, small and quick to plan)
    std::vector<TensorPlacement> reduce_, arena_;
    std::unique_ptr<Session> reduceSession_;

    std::unique_ptr<Session> planned(PlannerKind kind, bool fusion = true) {
        auto model = loadModel(model_);
        if (!model.ok()) qFatal("%s", model.status().toString().c_str());
        SessionOptions options;
        options.threads = 1;  // kernel scratch sizes depend on the threads
        options.mode.planner = kind;
        options.fusion = fusion;
        auto session = Session::create(model.take(), options);
        if (!session.ok()) qFatal("%s", session.status().toString().c_str());
        return session.take();
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        model_ = dir_.filePath("u2netp-64.onnx").toStdString();
        QVERIFY(saveZooModel("u2netp-64", model_).isOk());
        reduceSession_ = planned(PlannerKind::Reduce);
        reduce_ = reduceSession_->memoryMap();
        arena_ = planned(PlannerKind::Arena)->memoryMap();
        QVERIFY(reduce_.size() > 100);
    }

    // The union of both maps' names, each once.
    void listsEveryTensorOnce() {
        const PlanDiff diff = diffPlans(reduce_, arena_);
        std::set<std::string> expected = namesOf(reduce_);
        for (const std::string& name : namesOf(arena_)) expected.insert(name);
        std::set<std::string> listed;
        for (const TensorDiff& t : diff.tensors) QVERIFY2(listed.insert(t.name).second, t.name.c_str());
        QCOMPARE(listed, expected);
        QCOMPARE(diff.tensors.size(), expected.size());
        for (const TensorDiff& t : diff.tensors) QVERIFY(t.a.present && t.b.present);  // same graph, same tensors
    }

    // The first rows are the differing tensors alive at one of the live
    // peaks (as peakOfLiveTensors finds them), biggest first; no such
    // tensor comes later; every tensor the peak counts is among them.
    void peakTensorsComeFirst() {
        const PlanDiff diff = diffPlans(reduce_, arena_);
        const LivePeak peakA = peakOfLiveTensors(reduce_), peakB = peakOfLiveTensors(arena_);
        QCOMPARE(diff.a.livePeakStep, peakA.step);
        QCOMPARE(diff.b.livePeakBytes, peakB.bytes);
        std::size_t leading = 0;
        while (leading < diff.tensors.size() && diff.tensors[leading].atPeak && diff.tensors[leading].differs)
            ++leading;
        QVERIFY(leading > 0);
        for (std::size_t i = 0; i < diff.tensors.size(); ++i) {
            const TensorDiff& t = diff.tensors[i];
            const bool alive = aliveAt(t.a, peakA.step) || aliveAt(t.b, peakB.step);
            QCOMPARE(t.atPeak, alive);
            if (i >= leading) QVERIFY2(!(alive && t.differs), t.name.c_str());
            if (i > 0 && i < leading) QVERIFY(diff.tensors[i - 1].bytes >= t.bytes);
        }
        std::set<std::string> first;
        for (std::size_t i = 0; i < leading; ++i) first.insert(diff.tensors[i].name);
        for (std::size_t k : peakA.tensors) QVERIFY2(first.count(reduce_[k].name), reduce_[k].name.c_str());
    }

    void planAgainstItselfHasNoDifferences() {
        const PlanDiff diff = diffPlans(arena_, arena_);
        QCOMPARE(diff.differing, 0);
        QCOMPARE(diff.tensors.size(), arena_.size());
        for (const TensorDiff& t : diff.tensors) QVERIFY2(!t.differs, t.name.c_str());
        QCOMPARE(diff.a.livePeakBytes, diff.b.livePeakBytes);
        QCOMPARE(diff.a.buffers, 1);  // the slab
        QCOMPARE(diff.a.allocationsPerRun, 0);
    }

    // Reduce allocates every buffer of its plan on every run: the count the
    // diff reads off the map is what a run counts.
    void allocationsPerRunMatchARun() {
        const PlanDiff diff = diffPlans(reduce_, arena_);
        RunStats stats;
        QVERIFY(reduceSession_->run({}, &stats).isOk());
        QCOMPARE(diff.a.allocationsPerRun, stats.allocations);
        QVERIFY(diff.a.buffers >= diff.a.allocationsPerRun);
    }

    // Sharing is bytes in common with another tensor of the same buffer;
    // a tensor of one plan only is listed with the other side absent.
    void sharingAndPresenceOnAHandMadeMap() {
        const std::vector<TensorPlacement> a = {placed("x", 0, 0, 100, 0, 1), placed("y", 0, 100, 100, 1, 2),
                                                placed("z", 0, 50, 100, 3, 4), placed("w", 1, 0, 64, 0, 4)};
        std::vector<TensorPlacement> b = {placed("x", 0, 0, 100, 0, 1), placed("y", 1, 0, 100, 1, 2),
                                          placed("v", 2, 0, 8, 2, 2)};
        b[2].perRunBuffer = true;
        const PlanDiff diff = diffPlans(a, b);
        QCOMPARE(diff.tensors.size(), std::size_t(5));
        auto row = [&](const std::string& name) {
            for (const TensorDiff& t : diff.tensors)
                if (t.name == name) return t;
            qFatal("no row %s", name.c_str());
        };
        QVERIFY(row("x").a.shared && row("y").a.shared && row("z").a.shared);
        QVERIFY(!row("w").a.shared && !row("x").b.shared && !row("y").b.shared);
        QVERIFY(row("x").differs);  // shared in a, alone in b
        QVERIFY(row("z").a.present && !row("z").b.present && row("z").differs);
        QVERIFY(!row("v").a.present && row("v").b.present);
        QCOMPARE(diff.a.buffers, 2);
        QCOMPARE(diff.b.buffers, 3);
        QCOMPARE(diff.b.allocationsPerRun, 1);
    }

    // Away from the peaks, a tensor whose life changed comes before one
    // that only moved, whatever their sizes; identical ones last.
    void changedBeforeMovedBeforeSame() {
        const std::vector<TensorPlacement> a = {placed("p", 0, 0, 100, 0, 0), placed("q", 1, 0, 10, 2, 5),
                                                placed("r", 2, 0, 50, 1, 1)};
        const std::vector<TensorPlacement> b = {placed("p", 0, 0, 100, 0, 0), placed("q", 1, 0, 10, 2, 9),
                                                placed("r", 3, 0, 50, 1, 1)};
        const PlanDiff diff = diffPlans(a, b);
        QCOMPARE(diff.a.livePeakStep, 0);
        QCOMPARE(diff.tensors.size(), std::size_t(3));
        QCOMPARE(diff.tensors[0].name, std::string("q"));
        QCOMPARE(diff.tensors[1].name, std::string("r"));
        QCOMPARE(diff.tensors[2].name, std::string("p"));
        QVERIFY(diff.tensors[2].atPeak && !diff.tensors[2].differs);
        QCOMPARE(diff.differing, 2);
    }

    // `diff --json`: both plans' figures and one row per tensor.
    void cliWritesTheJson() {
        const QString json = dir_.filePath("diff.json");
        auto r = testsupport::runCli({"diff", QString::fromStdString(model_), "--a", "reduce", "--b", "arena",
                                      "--threads", "1", "--json", json});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("live peak"));
        const QJsonObject doc = testsupport::readJsonObject(json);
        for (const char* side : {"a", "b"})
            for (const char* key : {"mode", "plan_peak_bytes", "allocations_per_run", "live_peak_bytes", "buffers"})
                QVERIFY2(doc[side].toObject().contains(key), key);
        QCOMPARE(doc["a"]["mode"].toString(), QString("reduce"));
        QCOMPARE(doc["b"]["allocations_per_run"].toInt(), 0);
        QCOMPARE(doc["a"]["plan_peak_bytes"].toDouble(), double(reduceSession_->plannedPeakBytes()));
        const QJsonArray tensors = doc["tensors"].toArray();
        std::set<std::string> expected = namesOf(reduce_);
        for (const std::string& name : namesOf(arena_)) expected.insert(name);
        QCOMPARE(std::size_t(tensors.size()), expected.size());
        const QJsonObject row = tensors.first().toObject();
        for (const char* key : {"name", "bytes", "a_offset", "b_offset", "a_life", "b_life", "a_buffer", "b_buffer",
                                "a_shared", "b_shared"})
            QVERIFY2(row.contains(key), key);
        QCOMPARE(row["a_life"].toArray().size(), 2);
    }

    // Fusion off keeps tensors that fusion removes (BatchNorm and
    // activation outputs): those are in b only; the rest of the union once.
    void cliListsTensorsOfOnePlanOnly() {
        const QString json = dir_.filePath("fusion.json");
        auto r = testsupport::runCli({"diff", QString::fromStdString(model_), "--a", "reduce", "--b",
                                      "reduce,no-fusion", "--threads", "1", "--json", json});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject doc = testsupport::readJsonObject(json);
        QCOMPARE(doc["b"]["mode"].toString(), QString("reduce,no-fusion"));
        const std::vector<TensorPlacement> unfused = planned(PlannerKind::Reduce, false)->memoryMap();
        std::set<std::string> expected = namesOf(reduce_);
        for (const std::string& name : namesOf(unfused)) expected.insert(name);
        const QJsonArray tensors = doc["tensors"].toArray();
        QCOMPARE(std::size_t(tensors.size()), expected.size());
        int onlyB = 0;
        for (const auto& t : tensors) {
            const QJsonObject row = t.toObject();
            const std::string name = row["name"].toString().toStdString();
            QCOMPARE(row["in_a"].toBool(), namesOf(reduce_).count(name) == 1);
            QCOMPARE(row["in_b"].toBool(), namesOf(unfused).count(name) == 1);
            if (!row["in_a"].toBool()) {
                ++onlyB;
                QVERIFY(row["a_offset"].isNull() && row["a_life"].isNull() && row["differs"].toBool());
            }
        }
        QVERIFY(onlyB > 0);
        QCOMPARE(doc["b"]["tensors"].toInt(), int(unfused.size()));
    }

    void cliPlanAgainstItself() {
        const QString json = dir_.filePath("self.json");
        auto r = testsupport::runCli(
            {"diff", QString::fromStdString(model_), "--a", "arena", "--b", "arena", "--threads", "1", "--json", json});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject doc = testsupport::readJsonObject(json);
        QCOMPARE(doc["differing"].toInt(), 0);
        QCOMPARE(doc["a"]["plan_peak_bytes"].toDouble(), doc["b"]["plan_peak_bytes"].toDouble());
        QCOMPARE(std::size_t(doc["tensors"].toArray().size()), arena_.size());
    }

    void cliRefusesAnUnknownPlanOption() {
        auto r = testsupport::runCli(
            {"diff", QString::fromStdString(model_), "--a", "reduce,no-such-thing", "--b", "arena"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("no-such-thing"), qPrintable(r.err));
        r = testsupport::runCli({"diff", QString::fromStdString(model_), "--a", "reduce"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--b"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestPlanDiff)
#include "test_plan_diff.moc"
