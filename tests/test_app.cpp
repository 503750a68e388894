// The application as a user drives it, offscreen: open the sample, run each
// preset, read tensors in the inspector, stop a run, export, and survive a
// bad file, a lost device, a failed allocation and closing during a run.
#include <QCheckBox>
#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest>

#include "app_wait.h"
#include "interstage/vulkan.h"
#include "interstage/zoo.h"
#include "main_window.h"
#include "models/control_flow_models.h"
#include "test_support.h"
#include "widgets/graph_view.h"
#include "widgets/inspector.h"
#include "widgets/memory_map.h"
#include "widgets/run_panel.h"
#include "widgets/timing_chart.h"

using testsupport::waitIdle;

namespace {

bool haveVulkan() {
    auto devices = interstage::listVulkanDevices();
    return devices.ok() && !devices->empty();
}

// The model a backend's fault tests run: the sample on the CPU (a run of
// about a second); on Vulkan (lavapipe runs the sample for over a minute) a
// chain of 24 convolutions, a run of a second or so there.
std::string longRunModel(const QString& backend, const QTemporaryDir& dir) {
    if (backend == "cpu") return testsupport::sampleModelPath();
    using namespace interstage;
    GraphBuilder b("chain", 13);
    b.input("x", DataType::Float, {1, 16, 64, 64});
    WeightGenerator gen(7);
    std::string t = "x";
    for (int i = 0; i < 24; ++i) {
        const std::string n = std::to_string(i);
        auto w = b.initializer("w" + n, TensorData::fromFloat(gen.uniform(16 * 16 * 9, 0.1f), {16, 16, 3, 3}));
        t = b.op("Relu", {b.op("Conv", {t, w}, {intsAttr("pads", {1, 1, 1, 1})}, "conv" + n)}, {}, "relu" + n);
    }
    b.output(t, DataType::Float, {1, 16, 64, 64});
    return testsupport::writeFile(dir, "chain.onnx", b.serialize());
}

// Threads of this process named like the run controller's worker (the
// threads it starts, OpenMP's and the Vulkan driver's, inherit the name).
int runWorkerThreads() {
    int count = 0;
    for (const QString& task : QDir("/proc/self/task").entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm("/proc/self/task/" + task + "/comm");
        if (comm.open(QIODevice::ReadOnly) && comm.readAll().trimmed() == "interstage-run") ++count;
    }
    return count;
}

int nodeIndex(const MainWindow& w, const std::string& op) {
    const auto& nodes = w.document()->resolved.nodes;
    for (size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].opType == op) return int(i);
    return -1;
}

}  // namespace

class AppTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        // Lavapipe starts its per-screen threads with the first device of
        // the process and keeps them with the engine's process-wide
        // instance. Start them here, on the main thread, so they do not
        // inherit the run worker's name that closingTheWindowDuringARun
        // counts.
        if (haveVulkan()) {
            interstage::SessionOptions options;
            options.backend = "vulkan";
            auto warm = interstage::Session::create(
                interstage::loadModelFromBytes(testsupport::tinyChain().serialize(), ".").take(), options);
            QVERIFY2(warm.ok() && warm.value()->run({}).isOk(), warm.status().toString().c_str());
        }
    }

    // A scalar int64 input that picks an If branch (a detector's sample
    // rate): the generated default (0) takes the 8 kHz branch, a typed 16000
    // the 16 kHz one, and the typed value stays for the next runs. A value
    // that does not fit is a message in the panel; the results stay.
    void typedValueSelectsTheIfBranch() {
        QTemporaryDir dir;
        MainWindow w;
        w.setQuiet(true);
        w.show();
        w.openModel(
            QString::fromStdString(testsupport::writeFile(dir, "sr.onnx", testmodels::sampleRateModel().serialize())));
        QVERIFY(waitIdle(w));
        QVERIFY(w.document());
        auto* shape = w.runPanel()->findChild<QLineEdit*>("shape:sr");
        auto* value = w.runPanel()->findChild<QLineEdit*>("value:sr");
        auto* problem = w.runPanel()->findChild<QLabel*>("inputError");
        QVERIFY(shape && value && problem);
        QCOMPARE(shape->text(), QString("scalar"));  // shapeToString's rank 0, read back by the run
        QVERIFY(value->isEnabled());
        QCOMPARE(value->placeholderText(), QString("generated"));
        w.runPanel()->setRunCount(1);
        const int ifNode = nodeIndex(w, "If");
        QVERIFY(ifNode >= 0);
        auto rateShown = [&] {
            w.selectNode(ifNode);
            return w.inspector()->valueText();
        };
        w.runOnce();
        QVERIFY(waitIdle(w));
        QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
        QVERIFY2(rateShown().contains("first values:\n8"), qPrintable(rateShown()));

        value->setText("16000");
        for (int run = 0; run < 2; ++run) {  // the typed value is used again
            w.runOnce();
            QVERIFY(waitIdle(w));
            QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
            QVERIFY2(rateShown().contains("first values:\n16"), qPrintable(rateShown()));
            QCOMPARE(value->text(), QString("16000"));
        }
        QCOMPARE(int(w.results().size()), 3);
        QVERIFY(problem->isHidden());

        const std::vector<std::pair<QString, QString>> bad = {
            {"16k", "input 'sr' (int64): '16k' is not a whole number"},
            {"16000,8000", "input 'sr' of shape scalar takes 1 value, not 2"},
        };
        for (const auto& [typed, expected] : bad) {
            value->setText(typed);
            w.runOnce();
            QVERIFY(waitIdle(w));
            QVERIFY2(w.lastError().contains(expected), qPrintable(w.lastError()));
            QVERIFY(!problem->isHidden());
            QCOMPARE(problem->text(), expected);
            QCOMPARE(int(w.results().size()), 3);  // nothing ran, nothing lost
            QVERIFY(w.document());
            QCOMPARE(value->text(), typed);  // kept for the user to fix
        }
        // A shape too big to type turns the field off, its text kept.
        shape->setText("4x8");
        QVERIFY(!value->isEnabled());
        shape->setText("scalar");
        QVERIFY(value->isEnabled());
        value->setText("16000");
        w.runOnce();
        QVERIFY(waitIdle(w));
        QVERIFY(problem->isHidden());
        QCOMPARE(int(w.results().size()), 4);
        QVERIFY2(rateShown().contains("first values:\n16"), qPrintable(rateShown()));
    }

    // The "In-place writes" box: reduce on U^2-Net-P holds less with it (the
    // decoder's Concat and 320^2 convs) and says so in the set's label
    // without it.
    void inPlaceWritesCanBeTurnedOff() {
        MainWindow w;
        w.setQuiet(true);
        w.show();
        w.openModel(QString::fromStdString(testsupport::sampleModelPath()));
        QVERIFY(waitIdle(w));
        auto* box = w.runPanel()->findChild<QCheckBox*>("inPlaceWrites");
        QVERIFY(box && box->isChecked());
        w.runPanel()->applyPreset("reduce");
        w.runPanel()->setRunCount(1);
        for (bool inPlace : {true, false}) {
            box->setChecked(inPlace);
            w.runOnce();
            QVERIFY(waitIdle(w));
            QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
        }
        QCOMPARE(int(w.results().size()), 2);
        QVERIFY(!w.results()[0].config.label().contains("in-place"));
        QVERIFY(w.results()[1].config.label().contains("no in-place writes"));
        // Every engine switch has its box: the blocked layout too.
        auto* blocked = w.runPanel()->findChild<QCheckBox*>("blockedLayout");
        QVERIFY(blocked && blocked->isChecked() && w.runPanel()->config().session.blockedLayout);
        blocked->setChecked(false);
        QVERIFY(!w.runPanel()->config().session.blockedLayout);
        QVERIFY(w.runPanel()->config().label().contains("NCHW only"));
        blocked->setChecked(true);
        // The preset buttons are the engine's preset list.
        for (const interstage::MemoryPreset& preset : interstage::memoryPresets()) {
            auto* button = w.runPanel()->findChild<QPushButton*>(QString("preset:") + preset.name);
            QVERIFY2(button, preset.name);
            button->click();
            // The whole mode, constant flags too: the seed's configurations.
            QVERIFY2(w.runPanel()->config().session.mode == preset.mode, preset.name);
        }
        const auto with = w.results()[0].runs[0]->peakActivationBytes;
        const auto without = w.results()[1].runs[0]->peakActivationBytes;
        QVERIFY2(with + (std::size_t(10) << 20) < without, qPrintable(QString("%1 vs %2").arg(with).arg(without)));
    }

    void opensTheSampleAndRunsEachPreset() {
        MainWindow w;
        w.setQuiet(true);
        w.show();
        w.openModel(QString::fromStdString(testsupport::sampleModelPath()));
        QVERIFY(waitIdle(w));
        QVERIFY2(w.document(), qPrintable(w.lastError()));
        QCOMPARE(int(w.document()->summary.ops.at("Conv")), 119);

        for (const char* preset : {"default", "reduce", "reuse", "arena"}) {
            w.runPanel()->applyPreset(preset);
            w.runPanel()->setRunCount(2);
            w.runOnce();
            QVERIFY(waitIdle(w));
            QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
        }
        QCOMPARE(int(w.results().size()), 4);
        for (const auto& r : w.results()) QCOMPARE(int(r.runs.size()), 2);
        QCOMPARE(w.timingChart()->runSetCount(), 4);
        QCOMPARE(w.timingChart()->barCount(), 8);
        QCOMPARE(w.results()[1].config.session.mode.name(), interstage::memoryPresets()[1].mode.name());
        QVERIFY(w.results()[1].config.session.mode.reduceConstant);  // get_memory_mode(True, True, True, False)
        QVERIFY(w.results()[1].config.label().startsWith("reduce (T,T,T,F)"));
        QVERIFY(w.results()[1].runs[1]->allocations > 0);  // reduce allocates on every run
        QCOMPARE(w.results()[3].runs[1]->allocations, 0);  // the arena never does after the first

        // The last set ran in arena mode: an intermediate is not readable...
        const int pool = nodeIndex(w, "MaxPool");
        w.selectNode(pool);
        QVERIFY2(w.inspector()->valueText().contains("memory mode arena"), qPrintable(w.inspector()->valueText()));
        QVERIFY(w.inspector()->pinButtonVisible());
        // ... and a Conv output that BatchNorm was folded into is gone by fusion.
        w.selectNode(nodeIndex(w, "Conv"));
        QVERIFY2(w.inspector()->valueText().contains("fusion"), qPrintable(w.inspector()->valueText()));
        // In default mode the pool's output is readable.
        w.runPanel()->applyPreset("default");
        w.runOnce();
        QVERIFY(waitIdle(w));
        w.selectNode(pool);
        QVERIFY2(w.inspector()->valueText().contains("min"), qPrintable(w.inspector()->valueText()));
        QVERIFY(!w.inspector()->pinButtonVisible());
    }

    void stopCancelsARunSet() {
        MainWindow w;
        w.setQuiet(true);
        w.openModel(QString::fromStdString(testsupport::sampleModelPath()));
        QVERIFY(waitIdle(w));
        w.runPanel()->setRunCount(1000);
        QSignalSpy finished(&w, &MainWindow::runSetFinished);
        w.runOnce();
        QTest::qWait(300);
        emit w.runPanel()->stopRequested();
        QVERIFY(finished.wait(30000));
        QVERIFY(!w.isBusy());
        QVERIFY(w.results().empty() || w.results().back().runs.size() < 1000);
    }

    // Stop while the first run is in progress (it started, it has not
    // finished): the set ends cancelled with no finished run, promptly, and
    // the same controller then runs a set to the end.
    void stopEndsARunMidway_data() {
        QTest::addColumn<QString>("backend");
        QTest::newRow("cpu") << QString("cpu");
        QTest::newRow("vulkan") << QString("vulkan:0");
    }
    void stopEndsARunMidway() {
        QFETCH(QString, backend);
        if (backend != "cpu" && !haveVulkan()) QSKIP("no Vulkan device on this machine");
        QTemporaryDir dir;
        auto model = interstage::loadModel(longRunModel(backend, dir));
        QVERIFY(model.ok());
        auto shared = std::make_shared<const interstage::Model>(model.take());
        appcore::RunController controller;
        QSignalSpy started(&controller, &appcore::RunController::runStarted);
        QSignalSpy finishedRuns(&controller, &appcore::RunController::runFinished);
        QSignalSpy finishedSets(&controller, &appcore::RunController::setFinished);
        appcore::RunConfig config;
        config.session.backend = backend.toStdString();
        config.session.threads = 2;
        config.runs = 1;
        controller.start(shared, config);
        QVERIFY(started.wait(120000));  // the session exists and run 1 is under way
        controller.stop();
        QElapsedTimer sinceStop;
        sinceStop.start();
        QVERIFY(finishedSets.wait(60000));  // generous: only a hang fails this
        qInfo("%s: the set ended %lld ms after Stop", qPrintable(backend), sinceStop.elapsed());
        auto stopped = finishedSets.at(0).at(0).value<appcore::RunSetResult>();
        QVERIFY(stopped.cancelled);
        QVERIFY2(stopped.error.isEmpty(), qPrintable(stopped.error));
        QVERIFY(stopped.runs.empty());  // run 1 did not finish: it was stopped in the middle
        QCOMPARE(finishedRuns.count(), 0);

        controller.start(shared, config);
        QVERIFY(finishedSets.wait(240000));
        auto next = finishedSets.at(1).at(0).value<appcore::RunSetResult>();
        QVERIFY2(next.error.isEmpty(), qPrintable(next.error));
        QVERIFY(!next.cancelled);
        QCOMPARE(int(next.runs.size()), 1);
    }

    // A Loop's body memory, from the engine's events through the run
    // controller to the memory map: one block per body value and
    // iteration, named after the body and the iteration.
    void loopBodyMemoryReachesTheMap() {
        constexpr int64_t kSteps = 5;
        auto shared =
            std::make_shared<const interstage::Model>(testsupport::builtModel(testmodels::decoderModel(kSteps)));
        appcore::RunController controller;
        QSignalSpy finishedSets(&controller, &appcore::RunController::setFinished);
        appcore::RunConfig config;
        config.session.mode = interstage::MemoryMode::parse("reduce").value();
        config.runs = 2;
        controller.start(shared, config);
        QVERIFY(finishedSets.wait(60000));
        auto result = finishedSets.at(0).at(0).value<appcore::RunSetResult>();
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        // The body's six values (see test_control_flow) in each iteration.
        QCOMPARE(static_cast<int64_t>(result.bodyMemory.size()), 6 * kSteps);
        for (const appcore::BodyBlock& b : result.bodyMemory) {
            QVERIFY2(b.label.contains(QString(" in decode › body, iteration %1").arg(b.iteration)),
                     qPrintable(b.label));
            QCOMPARE(static_cast<int64_t>(b.iterations), kSteps);
        }
        widgets::MemoryMap map;
        map.setPlacements(result.memoryMap, result.config.label(), false, result.bodyMemory);
        QCOMPARE(map.tensorCount(), static_cast<int>(result.memoryMap.size()));
        const QString described = map.describeTensor("embedded in decode › body, iteration 3");
        QVERIFY2(described.contains("iteration 3 of 5"), qPrintable(described));
    }

    // Closing the window while a run set is in progress: the window goes
    // within a bounded time, nothing crashes, and the worker thread is gone.
    void closingTheWindowDuringARun_data() { stopEndsARunMidway_data(); }
    void closingTheWindowDuringARun() {
        QFETCH(QString, backend);
        if (backend != "cpu" && !haveVulkan()) QSKIP("no Vulkan device on this machine");
        QTemporaryDir dir;
        auto* w = new MainWindow;
        w->setQuiet(true);
        w->show();
        w->openModel(QString::fromStdString(longRunModel(backend, dir)));
        QVERIFY(waitIdle(*w));
        QVERIFY(w->runPanel()->setBackend(backend));
        w->runPanel()->setRunCount(1000);
        const int before = runWorkerThreads();
        w->runOnce();
        QTRY_VERIFY(runWorkerThreads() > before);
        // Close during a run, not during set-up: after the first run is done.
        QTRY_VERIFY_WITH_TIMEOUT(w->timingChart()->barCount() >= 1, 240000);
        QVERIFY(w->isBusy());
        QElapsedTimer timer;
        timer.start();
        QVERIFY(w->close());
        delete w;  // the run controller joins its worker here
        const qint64 ms = timer.elapsed();
        qInfo("%s: closed and destroyed %lld ms into a run", qPrintable(backend), ms);
        QVERIFY2(ms < 60000, qPrintable(QString::number(ms)));  // generous: only a hang fails this
        // The worker was joined; threads it started wind down right after.
        QTRY_COMPARE_WITH_TIMEOUT(runWorkerThreads(), before, 10000);
        QTest::qWait(200);  // results the worker queued for the window arrive nowhere, harmlessly
    }

    // "Half-precision storage (GPU)": off limits on the CPU backend; on
    // Vulkan a set run with it holds half the activation bytes and its
    // label says so.
    void halfPrecisionStorageOnVulkan() {
        if (!haveVulkan()) QSKIP("no Vulkan device on this machine");
        QTemporaryDir dir;
        MainWindow w;
        w.setQuiet(true);
        w.show();
        w.openModel(QString::fromStdString(
            testsupport::writeFile(dir, "chain.onnx", testsupport::chainWithoutVulkanShader().serialize())));
        QVERIFY(waitIdle(w));
        auto* box = w.runPanel()->findChild<QCheckBox*>("gpuFp16");
        QVERIFY(box);
        QVERIFY(w.runPanel()->setBackend("cpu"));
        QVERIFY(!box->isEnabled());
        box->setChecked(true);
        QVERIFY(!w.runPanel()->config().session.gpuFp16);
        QVERIFY(w.runPanel()->setBackend("vulkan:0"));
        QVERIFY(box->isEnabled());
        w.runPanel()->setRunCount(1);
        for (bool fp16 : {false, true}) {
            box->setChecked(fp16);
            QCOMPARE(w.runPanel()->config().session.gpuFp16, fp16);
            w.runOnce();
            QVERIFY(waitIdle(w));
            QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
        }
        QCOMPARE(int(w.results().size()), 2);
        QVERIFY(!w.results()[0].config.label().contains("fp16"));
        QVERIFY(w.results()[1].config.label().contains("fp16 storage"));
        const double ratio =
            double(w.results()[1].summary().peakActivationBytes) / double(w.results()[0].summary().peakActivationBytes);
        QVERIFY2(ratio > 0.3 && ratio <= 0.55, qPrintable(QString::number(ratio)));
    }

    // A lost Vulkan device (injected at the first submit of the set): a
    // one-line error says so; the next set gets a new device, and the CPU
    // backend runs too.
    void lostDeviceIsAnErrorAndTheAppStaysUsable() {
        if (!haveVulkan()) QSKIP("no Vulkan device on this machine");
        QTemporaryDir dir;
        MainWindow w;
        w.setQuiet(true);
        w.openModel(
            QString::fromStdString(testsupport::writeFile(dir, "tiny.onnx", testsupport::tinyChain().serialize())));
        QVERIFY(waitIdle(w));
        QVERIFY(w.runPanel()->setBackend("vulkan:0"));
        w.runPanel()->setRunCount(2);
        w.injectFaultsForTesting(0, 1);
        w.runOnce();
        QVERIFY(waitIdle(w));
        QVERIFY2(w.lastError().startsWith("device lost: ") && w.lastError().contains("VK_ERROR_DEVICE_LOST") &&
                     !w.lastError().contains('\n'),
                 qPrintable(w.lastError()));
        QVERIFY(w.results().empty());
        w.runOnce();  // a new set, a new session and device
        QVERIFY(waitIdle(w));
        QCOMPARE(int(w.results().size()), 1);
        QVERIFY(w.runPanel()->setBackend("cpu"));
        w.runOnce();
        QVERIFY(waitIdle(w));
        QCOMPARE(int(w.results().size()), 2);
        QCOMPARE(w.results().back().config.backend(), QString("cpu"));
    }

    // A host allocation that fails during a run ends that set with the
    // engine's out-of-memory error; the next set runs.
    void allocationFailureIsAnErrorAndTheAppStaysUsable() {
        MainWindow w;
        w.setQuiet(true);
        w.openModel(QString::fromStdString(testsupport::sampleModelPath()));
        QVERIFY(waitIdle(w));
        w.runPanel()->applyPreset("reduce");  // reduce allocates during every run
        w.runPanel()->setRunCount(1);
        w.injectFaultsForTesting(5, 0);
        w.runOnce();
        QVERIFY(waitIdle(w));
        QVERIFY2(w.lastError().startsWith("out of memory: ") && w.lastError().contains("cannot allocate"),
                 qPrintable(w.lastError()));
        QVERIFY(w.results().empty());
        w.runOnce();
        QVERIFY(waitIdle(w));
        QCOMPARE(int(w.results().size()), 1);
    }

    void exportsProduceValidFiles() {
        MainWindow w;
        w.setQuiet(true);
        w.show();
        w.openModel(QString::fromStdString(testsupport::sampleModelPath()));
        QVERIFY(waitIdle(w));
        w.runPanel()->setRunCount(2);
        w.runPanel()->applyPreset("reduce");
        w.runOnce();
        QVERIFY(waitIdle(w));
        QTemporaryDir dir;
        for (const char* chart : {"timeline", "timings", "memorymap"}) {
            const QString png = dir.filePath(QString(chart) + ".png"), svg = dir.filePath(QString(chart) + ".svg"),
                          pdf = dir.filePath(QString(chart) + ".pdf");
            QVERIFY2(w.exportChart(chart, png), qPrintable(w.lastError()));
            QVERIFY(!QImage(png).isNull());
            QVERIFY2(w.exportChart(chart, svg), qPrintable(w.lastError()));
            QVERIFY(QSvgRenderer(svg).isValid());
            QVERIFY2(w.exportChart(chart, pdf), qPrintable(w.lastError()));
            QFile f(pdf);
            QVERIFY(f.open(QIODevice::ReadOnly) && f.read(4) == "%PDF");
        }
        const QString csv = dir.filePath("runs.csv");
        QVERIFY(w.exportData(csv));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().count('\n'), 3);  // header + 2 runs
        QVERIFY(w.exportData(dir.filePath("runs.json")));
        QVERIFY(w.exportTrace(dir.filePath("trace.json")));
        QVERIFY(w.exportReport(dir.filePath("report.pdf")));
        QVERIFY(QFileInfo(dir.filePath("report.pdf")).size() > 1000);
    }

    void budgetRefusalIsAnErrorAndTheAppStaysUsable() {
        MainWindow w;
        w.setQuiet(true);
        w.openModel(QString::fromStdString(testsupport::sampleModelPath()));
        QVERIFY(waitIdle(w));
        w.runPanel()->setRunCount(1);
        w.runPanel()->applyPreset("default");
        w.runPanel()->setBudgetMiB(100);  // the default plan needs about 500 MiB
        w.runOnce();
        QVERIFY(waitIdle(w));
        QVERIFY2(w.lastError().contains("budget"), qPrintable(w.lastError()));
        QVERIFY(w.results().empty());
        w.runPanel()->setBudgetMiB(0);
        w.runOnce();
        QVERIFY(waitIdle(w));
        QCOMPARE(int(w.results().size()), 1);
    }

    void badFileKeepsThePreviousModel() {
        MainWindow w;
        w.setQuiet(true);
        w.openModel(QString::fromStdString(testsupport::sampleModelPath()));
        QVERIFY(waitIdle(w));
        const auto* before = w.document();
        QTemporaryDir dir;
        w.openModel(QString::fromStdString(testsupport::writeFile(dir, "bad.onnx", "not a model at all")));
        QVERIFY(waitIdle(w));
        QCOMPARE(w.document(), before);
        QVERIFY2(w.lastError().contains("not an ONNX model"), qPrintable(w.lastError()));
        w.openModel("/nonexistent/model.onnx");
        QVERIFY(waitIdle(w));
        QCOMPARE(w.document(), before);
        QVERIFY(w.lastError().contains("no such file"));
    }

    // Opening a model while a big one still loads: the big one's load is
    // cancelled and its picture never replaces the newer model's.
    void openingAnotherModelCancelsTheLoadInFlight() {
        QTemporaryDir dir;
        const QString big = dir.filePath("deep_encoder.onnx");
        QVERIFY(interstage::saveZooModel("deep_encoder", big.toStdString()).isOk());
        MainWindow w;
        w.setQuiet(true);
        w.openModel(big);
        QVERIFY(w.isBusy());
        const QString sample = QString::fromStdString(testsupport::sampleModelPath());
        w.openModel(sample);
        QVERIFY(waitIdle(w));
        QVERIFY(w.document());
        QCOMPARE(w.document()->path, sample);
        // Whatever the first load was doing has finished by now; nothing replaced the sample.
        QTest::qWait(300);
        QCOMPARE(w.document()->path, sample);
        QVERIFY(w.graphView()->hasGraph());
        QVERIFY(w.graphView()->selectNode("stage1/rebnconvin/conv_s1"));

        // The big model itself opens grouped: its layers as boxes.
        w.openModel(big);
        QVERIFY(waitIdle(w));
        QVERIFY(w.document()->grouped);
        QVERIFY(w.graphView()->isGrouped());
        QVERIFY(w.graphView()->shownGroupBoxes() >= 200);
    }
};

QTEST_MAIN(AppTest)
#include "test_app.moc"
