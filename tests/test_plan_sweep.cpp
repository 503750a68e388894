// "Will it fit?" (issue #16): the planning sweep's peaks are the memory
// guard's, so the largest size it names for a budget runs under that
// budget and the next size is refused; the curves grow with the size; a
// model's static input dims are planned at other sizes, and a run at one is
// refused unless other dims are allowed.
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_process.h"
#include "interstage/builder.h"
#include "interstage/plan_sweep.h"
#include "interstage/session.h"
#include "interstage/zoo.h"
#include "test_support.h"

using namespace interstage;

namespace {

Model zooModel(const std::string& name) {
    auto bytes = buildZooModel(name);
    if (!bytes.ok()) qFatal("zoo %s: %s", name.c_str(), bytes.status().message().c_str());
    auto model = loadModelFromBytes(bytes.value(), "");
    if (!model.ok()) qFatal("zoo %s: %s", name.c_str(), model.status().message().c_str());
    return model.take();
}

SweepSpec spec(const std::string& inputPattern, const std::string& range) {
    auto parsed = parseSweep(inputPattern, range);
    if (!parsed.ok()) qFatal("%s", parsed.status().message().c_str());
    return parsed.take();
}

const PresetSweep& presetOf(const PlanSweep& sweep, const std::string& mode) {
    for (const PresetSweep& p : sweep.presets)
        if (p.mode == mode) return p;
    qFatal("no preset %s", mode.c_str());
}

// Every preset's curve planned at every size and never going down.
void checkMonotone(const PlanSweep& sweep, size_t sizes) {
    QCOMPARE(sweep.presets.size(), memoryPresets().size());
    for (const PresetSweep& preset : sweep.presets) {
        QCOMPARE(preset.points.size(), sizes);
        for (size_t i = 0; i < preset.points.size(); ++i) {
            const SweepPoint& p = preset.points[i];
            QVERIFY2(p.planned(), (preset.mode + " at " + std::to_string(p.size) + ": " + p.error).c_str());
            QVERIFY(p.peakBytes > p.tensorBytes);  // weights and inputs come on top
            if (i > 0)
                QVERIFY2(p.peakBytes >= preset.points[i - 1].peakBytes,
                         (preset.mode + " goes down at " + std::to_string(p.size)).c_str());
        }
        // The largest size holds four times the pixels of the smallest.
        QVERIFY2(preset.points.back().tensorBytes > 2 * preset.points.front().tensorBytes, preset.mode.c_str());
    }
}

SessionOptions budgeted(const std::string& mode, std::size_t budget, const Shape& input) {
    SessionOptions options;
    // The sweep plans the presets, constant flags and all.
    for (const MemoryPreset& preset : memoryPresets())
        if (mode == preset.name) options.mode = preset.mode;
    options.maxMemoryBytes = budget;
    options.automaticBudget = false;
    options.inputShapes["input"] = input;
    return options;
}

}  // namespace

class TestPlanSweep : public QObject {
    Q_OBJECT

private slots:
    void parsesPatternsAndRanges() {
        const SweepSpec image = spec("input=1x3xSxS", "64:1024:32");
        QCOMPARE(image.sizes().size(), size_t(31));
        QCOMPARE(image.shapeAt(96), (Shape{1, 3, 96, 96}));
        QCOMPARE(spec("ids=1xS", "8:64").sizes().size(), size_t(57));
        QCOMPARE(spec("x=Sx3x224x224", "1:8:1").shapeAt(4), (Shape{4, 3, 224, 224}));
        for (const auto& [pattern, range, words] : std::vector<std::tuple<std::string, std::string, std::string>>{
                 {"input=1x3x224x224", "64:128", "has no S"},
                 {"1x3xSxS", "64:128", "NAME="},
                 {"input=1x3xQxS", "64:128", "'Q'"},
                 {"input=1x3xSxS", "128:64", "must go up"},
                 {"input=1x3xSxS", "64:128:0", "must go up"},
                 {"input=1x3xSxS", "64", "LO:HI"},
                 {"input=1x3xSxS", "1:100000", "more than"}}) {
            auto parsed = parseSweep(pattern, range);
            QVERIFY2(!parsed.ok(), pattern.c_str());
            QCOMPARE(parsed.status().code(), StatusCode::InvalidArgument);
            QVERIFY2(parsed.status().message().find(words) != std::string::npos, parsed.status().message().c_str());
        }
    }

    void badRequestsAreErrors() {
        const Model model = zooModel("u2netp");
        auto noInput = sweepPlans(model, spec("image=1x3xSxS", "64:96:32"));
        QVERIFY(!noInput.ok());
        QVERIFY(noInput.status().message().find("no input named 'image'") != std::string::npos);
        auto rank = sweepPlans(model, spec("input=1xS", "64:96:32"));
        QVERIFY(!rank.ok());
        QVERIFY2(rank.status().message().find("rank 4") != std::string::npos, rank.status().message().c_str());
        SweepOptions options;
        options.presets = {"arena", "fastest"};
        auto preset = sweepPlans(model, spec("input=1x3xSxS", "64:96:32"), options);
        QVERIFY(!preset.ok());
        QVERIFY2(preset.status().message().find("'fastest'") != std::string::npos, preset.status().message().c_str());
    }

    // A size the graph cannot take is that point's error, not the sweep's:
    // x[1, S] reshaped to [2, S/2] resolves for even S only.
    void unplannableSizesAreSkippedWithTheirReason() {
        GraphBuilder b("halves");
        b.input("x", DataType::Float, {1, -1});
        const std::string shape = b.constant("shape", TensorData::fromInt64({2, -1}, {2}));
        const std::string halves = b.op("Reshape", {"x", shape}, {}, "halves");
        b.output(b.op("Relu", {halves}, {}, "y"), DataType::Float);
        SweepOptions options;
        options.presets = {"arena", "reduce"};
        auto sweep = sweepPlans(testsupport::builtModel(b), spec("x=1xS", "1024:1027"), options);
        QVERIFY2(sweep.ok(), sweep.status().message().c_str());
        QVERIFY(sweep->declaredShape.empty());
        for (const PresetSweep& preset : sweep->presets) {
            QCOMPARE(preset.points.size(), size_t(4));
            for (const SweepPoint& p : preset.points) {
                QCOMPARE(p.planned(), p.size % 2 == 0);
                if (!p.planned()) QVERIFY2(p.error.find("halves") != std::string::npos, p.error.c_str());
            }
        }
        // The static dims of ResNet (1x3x224x224) are said once.
        options.presets = {"arena"};
        auto resnet = sweepPlans(zooModel("resnet"), spec("input=1x3xSxS", "64:96:32"), options);
        QVERIFY2(resnet.ok(), resnet.status().message().c_str());
        QCOMPARE(resnet->declaredShape, std::string("1x3x224x224"));
        QVERIFY(resnet->presets.front().points.back().planned());
    }

    void curvesGrowWithTheSizeOnZooModels() {
        auto u2 = sweepPlans(zooModel("u2netp"), spec("input=1x3xSxS", "64:256:64"));
        QVERIFY2(u2.ok(), u2.status().message().c_str());
        QVERIFY2(u2->declaredShape.empty(), "the zoo's U^2-Net-P has dynamic height and width");
        checkMonotone(u2.value(), 4);
        auto mobilenet = sweepPlans(zooModel("mobilenetv2"), spec("input=1x3xSxS", "64:256:64"));
        QVERIFY2(mobilenet.ok(), mobilenet.status().message().c_str());
        checkMonotone(mobilenet.value(), 4);
        // The default plan keeps every tensor: no preset needs more.
        for (size_t i = 0; i < 4; ++i)
            for (const PresetSweep& p : u2->presets)
                QVERIFY(p.points[i].peakBytes <= presetOf(u2.value(), "default").points[i].peakBytes);
    }

    // The budget is the arena's peak at the middle size: that size is the
    // largest that fits, a session with that budget runs it, and the next
    // size is refused before anything of its plan is allocated. The same
    // for reduce, whose buffers come and go during the run.
    void largestFittingRunsAndTheNextIsRefused() {
        const Model model = zooModel("u2netp");
        for (const std::string mode : {"arena", "reduce"}) {
            SweepOptions options;
            options.presets = {mode};
            auto probe = sweepPlans(model, spec("input=1x3xSxS", "96:160:32"), options);
            QVERIFY2(probe.ok(), probe.status().message().c_str());
            const std::size_t budget = probe->presets.front().points[1].peakBytes;  // at 128
            options.budgetBytes = budget;
            auto sweep = sweepPlans(model, spec("input=1x3xSxS", "96:160:32"), options);
            QVERIFY2(sweep.ok(), sweep.status().message().c_str());
            QCOMPARE(sweep->presets.front().largestFitting, std::optional<int64_t>(128));

            auto fits = Session::create(model, budgeted(mode, budget, {1, 3, 128, 128}));
            QVERIFY2(fits.ok(), fits.status().message().c_str());
            QCOMPARE(fits.value()->plannedPeakBytes(), budget);  // the sweep's figure is the guard's
            const Status ran = fits.value()->run({});
            QVERIFY2(ran.isOk(), ran.message().c_str());

            auto refused = Session::create(model, budgeted(mode, budget, {1, 3, 160, 160}));
            QVERIFY(!refused.ok());
            QCOMPARE(refused.status().code(), StatusCode::OutOfMemory);
        }
    }

    // A model that declares static dims (U^2-Net-P at 128): planned at
    // other sizes, said so; a run at another size is refused naming the
    // declared dims unless other dims are allowed.
    void staticDimsArePlannedButRunOnlyWhenAllowed() {
        const Model model = zooModel("u2netp-128");
        SweepOptions options;
        options.presets = {"arena"};
        auto sweep = sweepPlans(model, spec("input=1x3xSxS", "64:128:64"), options);
        QVERIFY2(sweep.ok(), sweep.status().message().c_str());
        QCOMPARE(sweep->declaredShape, std::string("1x3x128x128"));
        QVERIFY(sweep->presets.front().points.front().planned());

        SessionOptions other;
        other.inputShapes["input"] = {1, 3, 64, 64};
        auto refused = Session::create(model, other);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.status().code(), StatusCode::InvalidArgument);
        QVERIFY2(refused.status().message().find("declared 1x3x128x128") != std::string::npos,
                 refused.status().message().c_str());
        QVERIFY(refused.status().offers(Remedy::AllowOtherDims));

        other.shapeOptions.allowOtherDims = true;
        auto allowed = Session::create(model, other);
        QVERIFY2(allowed.ok(), allowed.status().message().c_str());
        RunStats stats;
        const Status ran = allowed.value()->run({}, &stats);
        QVERIFY2(ran.isOk(), ran.message().c_str());
        QCOMPARE(allowed.value()->output("d0").value().shape, (Shape{1, 1, 64, 64}));
    }

    void cliFitWritesTheKeysAndRunHonoursAllowOtherDims() {
        QTemporaryDir dir;
        const QString model = dir.filePath("u2netp-128.onnx");
        QVERIFY(saveZooModel("u2netp-128", model.toStdString()).isOk());
        const QString json = dir.filePath("fit.json");
        auto fit = testsupport::runCli({"fit", model, "--budget", "60M", "--sweep", "input=1x3xSxS", "--range",
                                        "64:192:64", "--presets", "arena,reduce", "--json", json});
        QVERIFY2(fit.code == 0, qPrintable(fit.err));
        QVERIFY2(fit.out.contains("declares input as 1x3x128x128"), qPrintable(fit.out));
        const QJsonObject doc = testsupport::readJsonObject(json);
        QCOMPARE(doc.value("budget_bytes").toDouble(), 60.0 * 1024 * 1024);
        QCOMPARE(doc.value("declared_shape").toString(), QString("1x3x128x128"));
        const QJsonArray presets = doc.value("presets").toArray();
        QCOMPARE(presets.size(), 2);
        for (const QJsonValue& p : presets) {
            const QJsonObject preset = p.toObject();
            QVERIFY(preset.value("mode").toString() == "arena" || preset.value("mode").toString() == "reduce");
            QVERIFY(preset.contains("largest_fitting"));
            const QJsonArray points = preset.value("points").toArray();
            QCOMPARE(points.size(), 3);
            QCOMPARE(points.at(1).toObject().value("size").toInt(), 128);
            QVERIFY(points.at(1).toObject().value("peak_bytes").toDouble() > 1e6);
        }

        auto refused = testsupport::runCli({"run", model, "--input", "input=1x3x64x64"});
        QCOMPARE(refused.code, 2);
        QVERIFY2(refused.err.contains("declared 1x3x128x128") && refused.err.contains("--allow-other-dims"),
                 qPrintable(refused.err));
        auto allowed = testsupport::runCli({"run", model, "--input", "input=1x3x64x64", "--allow-other-dims"});
        QVERIFY2(allowed.code == 0, qPrintable(allowed.err));
    }
};

QTEST_MAIN(TestPlanSweep)
#include "test_plan_sweep.moc"
