// Saved sessions in the app, offscreen: a save -> open round trip redraws
// every chart with exactly the same data (CPU and Vulkan run sets), a
// session whose model is missing or changed opens as charts only and says
// so, a damaged file is refused and the window keeps what it had, a killed
// app's autosave comes back, and closing with unsaved run sets asks first.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>

#include "app_wait.h"
#include "core/autosave.h"
#include "interstage/session_file.h"
#include "interstage/vulkan.h"
#include "main_window.h"
#include "models/control_flow_models.h"
#include "qcustomplot.h"
#include "test_support.h"
#include "widgets/graph_view.h"
#include "widgets/memory_map.h"
#include "widgets/memory_timeline.h"
#include "widgets/run_panel.h"
#include "widgets/timing_chart.h"

using testsupport::waitIdle;

namespace {

bool haveVulkan() {
    auto devices = interstage::listVulkanDevices();
    return devices.ok() && !devices->empty();
}

// Doubles written so that equal text means equal bits.
QString exact(double v) { return QString::number(v, 'g', 17); }

QStringList tableCells(const QTableWidget* table) {
    QStringList cells;
    for (int r = 0; r < table->rowCount(); ++r)
        for (int c = 0; c < table->columnCount(); ++c)
            cells << (table->item(r, c) ? table->item(r, c)->text() : QString("-"));
    return cells;
}

// Everything the three charts draw, as text: each timeline graph's points
// (stacked categories, RSS, node ticks, overlays of earlier sets), each
// timing series' bars and both tables, every memory-map rectangle.
QStringList chartData(const MainWindow& w) {
    QStringList out;
    QCustomPlot* timeline = w.memoryTimeline()->plot();
    for (int g = 0; g < timeline->graphCount(); ++g) {
        QStringList points;
        for (auto it = timeline->graph(g)->data()->constBegin(); it != timeline->graph(g)->data()->constEnd(); ++it)
            points << exact(it->key) + ":" + exact(it->value);
        out << "timeline " + timeline->graph(g)->name() + " " + points.join(' ');
    }
    QCustomPlot* timings = w.timingChart()->plot();
    for (int p = 0; p < timings->plottableCount(); ++p) {
        auto* bars = qobject_cast<QCPBars*>(timings->plottable(p));
        if (!bars) continue;
        QStringList values;
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
            values << exact(it->key) + ":" + exact(it->value);
        out << "bars " + bars->name() + " " + values.join(' ');
    }
    out << "summary " + tableCells(w.timingChart()->summaryTable()).join('|');
    out << "nodes " + tableCells(w.timingChart()->nodeTable()).join('|');
    const auto* map = w.findChild<widgets::MemoryMap*>();
    for (const QRectF& r : map->blockRects())
        out << QString("block %1 %2 %3 %4").arg(exact(r.x()), exact(r.y()), exact(r.width()), exact(r.height()));
    out << "map " + map->summaryText();
    return out;
}

void runPreset(MainWindow& w, const QString& preset, int runs, const QString& backend = "cpu") {
    QVERIFY(w.runPanel()->setBackend(backend));
    w.runPanel()->applyPreset(preset);
    w.runPanel()->setRunCount(runs);
    w.runOnce();
    QVERIFY(waitIdle(w));
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
}

bool openAndWait(MainWindow& w, const QString& path) {
    w.openModel(path);
    return waitIdle(w) && w.document() != nullptr;
}

// Opens a session and waits until its run sets are drawn.
bool openSessionAndWait(MainWindow& w, const QString& path) {
    QSignalSpy restored(&w, &MainWindow::sessionRestored);
    if (!w.openSession(path)) return false;
    return (restored.count() > 0 || restored.wait(120000)) && waitIdle(w);
}

// A chain of small convolutions: runs in well under a second anywhere.
std::string smallChainModel(const QTemporaryDir& dir, const std::string& name = "chain.onnx") {
    using namespace interstage;
    GraphBuilder b("chain", 13);
    b.input("x", DataType::Float, {1, 8, 32, 32});
    WeightGenerator gen(11);
    std::string t = "x";
    for (int i = 0; i < 4; ++i) {
        const std::string n = std::to_string(i);
        auto weight = b.initializer("w" + n, TensorData::fromFloat(gen.uniform(8 * 8 * 9, 0.1f), {8, 8, 3, 3}));
        t = b.op("Relu", {b.op("Conv", {t, weight}, {intsAttr("pads", {1, 1, 1, 1})}, "conv" + n)}, {}, "relu" + n);
    }
    b.output(t, DataType::Float, {1, 8, 32, 32});
    return testsupport::writeFile(dir, name, b.serialize());
}

QStringList autosaveFiles(const QString& dir) {
    return QDir(dir).entryList({QString("autosave-*.") + appcore::kSessionSuffix}, QDir::Files);
}

}  // namespace

class AppSessionTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("INTERSTAGE_AUTOSAVE_DIR", autosaveDir_.path().toUtf8());
    }

    // (a) CPU: two presets of U^2-Net-P (overlay, reduce and arena maps)
    // and a model with control flow (body memory in the map).
    void roundTripRedrawsEveryChartExactlyOnCpu() {
        QTemporaryDir dir;
        const QString session = dir.filePath("cpu.interstage");
        MainWindow saved;
        saved.setQuiet(true);
        saved.resize(1400, 900);
        saved.show();
        QVERIFY(openAndWait(saved, QString::fromStdString(testsupport::sampleModelPath())));
        runPreset(saved, "reduce", 2);
        runPreset(saved, "arena", 2);
        QCOMPARE(saved.results().size(), size_t(2));
        QVERIFY(saved.hasUnsavedRuns());
        QVERIFY(saved.isWindowModified());
        saved.chartTabs()->setCurrentIndex(2);
        QVERIFY(saved.graphView()->selectNode(QString::fromStdString(saved.document()->resolved.nodes[5].name)));
        const int selected = saved.graphView()->selectedNode();
        QCOMPARE(selected, 5);
        saved.selectNode(selected);
        QVERIFY2(saved.saveSession(session), qPrintable(saved.lastError()));
        QVERIFY(!saved.hasUnsavedRuns());
        QVERIFY(!saved.isWindowModified());

        MainWindow opened;
        opened.setQuiet(true);
        opened.resize(1400, 900);
        opened.show();
        QVERIFY2(openSessionAndWait(opened, session), qPrintable(opened.lastError()));
        QVERIFY(!opened.isChartsOnly());
        QVERIFY(opened.document());
        QVERIFY(opened.graphView()->hasGraph());
        QCOMPARE(opened.document()->path, saved.document()->path);
        QCOMPARE(opened.results().size(), size_t(2));
        QVERIFY(!opened.hasUnsavedRuns());
        QCOMPARE(opened.chartTabs()->currentIndex(), 2);
        QCOMPARE(opened.graphView()->selectedNode(), selected);
        QCOMPARE(opened.runPanel()->config().runs, 2);
        QCOMPARE(opened.runPanel()->config().session.mode.planner, interstage::PlannerKind::Arena);
        const QStringList expected = chartData(saved);
        QVERIFY(expected.size() > 10);
        QCOMPARE(chartData(opened), expected);
        for (size_t i = 0; i < saved.results().size(); ++i) {
            const auto& a = saved.results()[i];
            const auto& b = opened.results()[i];
            QCOMPARE(b.setId, a.setId);
            QCOMPARE(b.config.label(), a.config.label());
            QCOMPARE(b.plannedPeakBytes, a.plannedPeakBytes);
            QVERIFY(a.plannedPeakBytes > 0);
            QCOMPARE(b.budget.bytes, a.budget.bytes);
            QCOMPARE(b.budget.source, a.budget.source);
            QCOMPARE(b.executedNodeNames, a.executedNodeNames);
        }
        // A set run after the restore is numbered after the restored ones.
        runPreset(opened, "default", 1);
        QCOMPARE(opened.results().back().setId, saved.results().back().setId + 1);
        QVERIFY(opened.hasUnsavedRuns());
        QCOMPARE(opened.timingChart()->runSetCount(), 3);
    }

    void roundTripKeepsControlFlowBodyMemory() {
        QTemporaryDir dir;
        // A Loop of 5 iterations whose body values get memory per iteration.
        const QString model =
            QString::fromStdString(testsupport::writeFile(dir, "cf.onnx", testmodels::decoderModel(5).serialize()));
        MainWindow saved;
        saved.setQuiet(true);
        saved.show();
        QVERIFY(openAndWait(saved, model));
        runPreset(saved, "reduce", 2);
        QVERIFY(!saved.results().back().bodyMemory.empty());
        QVERIFY(saved.saveSession(dir.filePath("cf.interstage")));
        MainWindow opened;
        opened.setQuiet(true);
        opened.show();
        QVERIFY(openSessionAndWait(opened, dir.filePath("cf.interstage")));
        QCOMPARE(opened.results().back().bodyMemory.size(), saved.results().back().bodyMemory.size());
        QCOMPARE(chartData(opened), chartData(saved));
    }

    // (a) Vulkan (lavapipe in CI): device-heap samples and CPU-fallback
    // nodes travel too.
    void roundTripRedrawsEveryChartExactlyOnVulkan() {
        if (!haveVulkan()) QSKIP("no Vulkan device on this machine (CI installs lavapipe)");
        QTemporaryDir dir;
        const QString model = QString::fromStdString(
            testsupport::writeFile(dir, "fallback.onnx", testsupport::chainWithoutVulkanShader().serialize()));
        MainWindow saved;
        saved.setQuiet(true);
        saved.show();
        QVERIFY(openAndWait(saved, model));
        runPreset(saved, "default", 2, "vulkan:0");
        runPreset(saved, "arena", 2, "vulkan:0");
        QVERIFY(saved.results().back().runs.back()->fallbackTransfers > 0);
        QVERIFY(saved.saveSession(dir.filePath("vk.interstage")));
        MainWindow opened;
        opened.setQuiet(true);
        opened.show();
        QVERIFY(openSessionAndWait(opened, dir.filePath("vk.interstage")));
        QCOMPARE(opened.results().back().config.backend(), QString("vulkan:0"));
        QCOMPARE(opened.results().back().runs.back()->fallbackTransfers,
                 saved.results().back().runs.back()->fallbackTransfers);
        QCOMPARE(opened.results().back().runs.back()->deviceHeap.size(),
                 saved.results().back().runs.back()->deviceHeap.size());
        QCOMPARE(chartData(opened), chartData(saved));
    }

    // A set that failed is part of the session too, with its error and
    // the runs that finished before the failure; restored, every chart
    // shows what it showed after the failure. (A run that failed midway
    // is not in the file: a set that failed before finishing any run
    // leaves the timeline as it was live only until the next set starts.)
    void failedSetsRoundTrip() {
        QTemporaryDir dir;
        const QString model = QString::fromStdString(smallChainModel(dir));
        MainWindow saved;
        saved.setQuiet(true);
        saved.show();
        QVERIFY(openAndWait(saved, model));
        // Reduce allocates every tensor in every run, as many each run as
        // the first set's run counted (kernels choose which tensors exist):
        // an allocation half-way through the second run fails.
        runPreset(saved, "reduce", 1);
        const int perRun = saved.runSetHistory().back().runs.front()->allocations;
        QVERIFY2(perRun >= 2, "reduce allocates the chain's tensors in its run");
        saved.runPanel()->setRunCount(3);
        saved.injectFaultsForTesting(perRun + std::max(1, perRun / 2), 0);
        saved.runOnce();
        QVERIFY(waitIdle(saved));
        QCOMPARE(saved.runSetHistory().size(), size_t(2));
        const appcore::RunSetResult& failed = saved.runSetHistory().back();
        QVERIFY2(!failed.error.isEmpty(), "the injected fault failed the set");
        QCOMPARE(failed.runs.size(), size_t(1));
        QVERIFY(saved.saveSession(dir.filePath("failed.interstage")));
        MainWindow opened;
        opened.setQuiet(true);
        opened.show();
        QVERIFY(openSessionAndWait(opened, dir.filePath("failed.interstage")));
        QCOMPARE(opened.runSetHistory().size(), size_t(2));
        QCOMPARE(opened.runSetHistory().back().error, failed.error);
        QCOMPARE(opened.runSetHistory().back().runs.size(), size_t(1));
        QCOMPARE(opened.results().size(), saved.results().size());
        QCOMPARE(chartData(opened), chartData(saved));
    }

    // A set the memory guard refused before any run (a 1 MiB budget for
    // U^2-Net-P): saved with its refusal, and the charts after reopening
    // are those the refusal left.
    void refusedSetRoundTrip() {
        QTemporaryDir dir;
        MainWindow saved;
        saved.setQuiet(true);
        saved.show();
        QVERIFY(openAndWait(saved, QString::fromStdString(testsupport::sampleModelPath())));
        runPreset(saved, "arena", 1);
        saved.runPanel()->setBudgetMiB(1);
        saved.runPanel()->applyPreset("default");
        saved.runOnce();
        QVERIFY(waitIdle(saved));
        QCOMPARE(saved.runSetHistory().size(), size_t(2));
        const appcore::RunSetResult& refused = saved.runSetHistory().back();
        QVERIFY2(refused.error.contains("budget"), qPrintable(refused.error));
        QVERIFY(refused.runs.empty());
        QVERIFY(saved.saveSession(dir.filePath("refused.interstage")));
        MainWindow opened;
        opened.setQuiet(true);
        opened.show();
        QVERIFY(openSessionAndWait(opened, dir.filePath("refused.interstage")));
        QCOMPARE(opened.runSetHistory().size(), size_t(2));
        QCOMPARE(opened.runSetHistory().back().error, refused.error);
        QCOMPARE(opened.results().size(), size_t(1));
        QCOMPARE(chartData(opened), chartData(saved));
    }

    // A run set made by the CLI (`run --session`) opens in the app with
    // its model, labelled as the app labels its own sets.
    void cliSessionOpensInTheApp() {
        QTemporaryDir dir;
        const QString model = QString::fromStdString(smallChainModel(dir));
        const QString session = dir.filePath("cli.interstage");
        QProcess cli;
        cli.start(INTERSTAGE_CLI, {"run", model, "--mode", "arena", "--runs", "2", "--session", session});
        QVERIFY(cli.waitForFinished(120000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        MainWindow w;
        w.setQuiet(true);
        w.show();
        QVERIFY2(openSessionAndWait(w, session), qPrintable(w.lastError()));
        QVERIFY(!w.isChartsOnly());
        QVERIFY(w.document());
        QCOMPARE(w.results().size(), size_t(1));
        QCOMPARE(int(w.results().front().runs.size()), 2);
        QCOMPARE(w.results().front().config.session.mode.planner, interstage::PlannerKind::Arena);
        QVERIFY(w.memoryTimeline()->displayedRun() == 2);
        QVERIFY(!w.findChild<widgets::MemoryMap*>()->blockRects().empty());
        QCOMPARE(w.timingChart()->barCount(), 2);
    }

    // (b) The model is gone: the charts come back, the graph does not, and
    // the window says why.
    void missingModelRestoresChartsOnly() {
        QTemporaryDir dir;
        const QString model = QString::fromStdString(smallChainModel(dir));
        const QString session = dir.filePath("missing.interstage");
        QStringList expected, expectedTips;
        // The hover's text at points along the time axis the saved window
        // drew (it spans the run's events; a run of this chain takes well
        // under a millisecond, less than its events' span), the same points
        // in every window: it names the tensors of the events near the
        // cursor, eight at most, so the window is narrow enough that every
        // event is named somewhere.
        QCPRange span;
        const auto tooltips = [&span](const MainWindow& w) {
            QStringList tips;
            for (int k = 0; k <= 64; ++k)
                tips << w.memoryTimeline()->tooltipAt(span.lower + span.size() * k / 64, span.size() / 128);
            return tips;
        };
        {
            MainWindow saved;
            saved.setQuiet(true);
            saved.show();
            QVERIFY(openAndWait(saved, model));
            runPreset(saved, "reduce", 2);  // allocates during the run: events that name tensors
            QVERIFY(saved.saveSession(session));
            expected = chartData(saved);
            span = saved.memoryTimeline()->plot()->xAxis->range();
            expectedTips = tooltips(saved);
        }
        QVERIFY2(expectedTips.join("").contains("+ relu0"),
                 qPrintable(expectedTips.join("\n")));  // a value's name, not "tensor #3"
        QVERIFY(QFile::remove(model));
        MainWindow opened;
        opened.setQuiet(true);
        opened.show();
        QVERIFY(openSessionAndWait(opened, session));
        QVERIFY(opened.isChartsOnly());
        QVERIFY2(opened.chartsOnlyNote().contains("was not found"), qPrintable(opened.chartsOnlyNote()));
        QVERIFY(opened.chartsOnlyNote().contains(model));
        QVERIFY(opened.windowTitle().contains("charts only"));
        QVERIFY(opened.graphView()->emptyText().contains("was not found"));
        QVERIFY(!opened.graphView()->hasGraph());
        QVERIFY(opened.document() == nullptr);
        QVERIFY(!opened.runPanel()->blockedReason().isEmpty());
        QCOMPARE(opened.results().size(), size_t(1));
        QCOMPARE(chartData(opened), expected);
        QCOMPARE(tooltips(opened), expectedTips);
        // Saved again without the model, the names stay.
        QVERIFY(opened.saveSession(dir.filePath("again.interstage")));
        MainWindow reopened;
        reopened.setQuiet(true);
        reopened.show();
        QVERIFY(openSessionAndWait(reopened, dir.filePath("again.interstage")));
        QCOMPARE(tooltips(reopened), expectedTips);
        // The app's command line opens it the same way.
        const QString shot = dir.filePath("charts-only.png");
        QProcess app;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert("QT_QPA_PLATFORM", "offscreen");
        app.setProcessEnvironment(environment);
        app.start(INTERSTAGE_APP, {session, "--screenshot", shot});
        QVERIFY(app.waitForFinished(120000));
        QVERIFY2(app.exitCode() == 0, app.readAllStandardError().constData());
        QVERIFY(QFile::exists(shot));
        // Run asks for a model rather than crashing.
        opened.runOnce();
        QVERIFY(opened.lastError().contains("Open a model"));
    }

    // (c) Same path, other bytes: charts only, and saving again keeps the
    // identity of the model the run sets were made of.
    void changedModelRestoresChartsOnly() {
        QTemporaryDir dir;
        const QString model = QString::fromStdString(smallChainModel(dir));
        const QString session = dir.filePath("changed.interstage");
        {
            MainWindow saved;
            saved.setQuiet(true);
            saved.show();
            QVERIFY(openAndWait(saved, model));
            runPreset(saved, "default", 1);
            QVERIFY(saved.saveSession(session));
        }
        auto original = interstage::readSessionFile(session.toStdString());
        QVERIFY(original.ok());
        QVERIFY(original->model.sha256.size() == 64);
        QVERIFY(QFile::remove(model));
        testsupport::writeFile(dir, "chain.onnx", testsupport::tinyChain().serialize());
        MainWindow opened;
        opened.setQuiet(true);
        opened.show();
        QVERIFY(openSessionAndWait(opened, session));
        QVERIFY(opened.isChartsOnly());
        QVERIFY2(opened.chartsOnlyNote().contains("has changed since the session was saved"),
                 qPrintable(opened.chartsOnlyNote()));
        QCOMPARE(opened.results().size(), size_t(1));
        QVERIFY(opened.saveSession(dir.filePath("again.interstage")));
        auto again = interstage::readSessionFile(dir.filePath("again.interstage").toStdString());
        QVERIFY(again.ok());
        QCOMPARE(again->model, original->model);
        QCOMPARE(again->runSets.size(), size_t(1));
    }

    // (d) A damaged, newer or foreign file: a clear error; the window keeps
    // its model and run sets.
    void badSessionFilesKeepTheWindow() {
        QTemporaryDir dir;
        const QString model = QString::fromStdString(smallChainModel(dir));
        MainWindow w;
        w.setQuiet(true);
        w.show();
        QVERIFY(openAndWait(w, model));
        runPreset(w, "default", 1);
        const QString good = dir.filePath("good.interstage");
        QVERIFY(w.saveSession(good));
        QFile file(good);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        file.close();

        QByteArray newer = bytes;
        const QByteArray version = QByteArray("\"version\": ") + QByteArray::number(interstage::kSessionFormatVersion);
        const QByteArray compactVersion =
            QByteArray("\"version\":") + QByteArray::number(interstage::kSessionFormatVersion);
        QVERIFY2(newer.contains(version) || newer.contains(compactVersion), "the file names its format version");
        newer.replace(version, "\"version\": 99").replace(compactVersion, "\"version\":99");
        QByteArray random(4096, '\0');
        QRandomGenerator generator(21);
        for (char& c : random) c = char(generator.bounded(256));
        const QList<QPair<QString, QByteArray>> cases = {
            {"truncated", bytes.left(bytes.size() / 2)}, {"newer", newer}, {"random", random}, {"empty", QByteArray()}};
        const auto* documentBefore = w.document();
        const QStringList chartsBefore = chartData(w);
        for (const auto& [name, content] : cases) {
            const QString path = dir.filePath(name + ".interstage");
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(content);
            out.close();
            QVERIFY2(!w.openSession(path), qPrintable(name));
            QVERIFY2(!w.lastError().isEmpty(), qPrintable(name));
            QVERIFY2(w.lastError().contains(path), qPrintable(w.lastError()));
            if (name == "newer") QVERIFY2(w.lastError().contains("99"), qPrintable(w.lastError()));
            QVERIFY(!w.isBusy());
            QCOMPARE(w.document(), documentBefore);
            QCOMPARE(w.results().size(), size_t(1));
            QCOMPARE(chartData(w), chartsBefore);
            QVERIFY(!w.isChartsOnly());
        }
        // A model is not a session.
        QVERIFY(!w.openSession(model));
        QVERIFY(!interstage::looksLikeSessionFile(model.toStdString()));
        QVERIFY(interstage::looksLikeSessionFile(good.toStdString()));
    }

    // The hostile session corpus (tests/hostile/sessions, MANIFEST.tsv):
    // a file that must fail is refused with its message and the window
    // keeps its model and run sets; one that loads (NaN times, no run
    // sets, ...) is drawn without a crash.
    void hostileSessionCorpus() {
        QTemporaryDir dir;
        const QString model = QString::fromStdString(smallChainModel(dir));
        const QString corpus = QString(INTERSTAGE_SOURCE_DIR) + "/tests/hostile/sessions/";
        QFile manifest(corpus + "MANIFEST.tsv");
        QVERIFY(manifest.open(QIODevice::ReadOnly | QIODevice::Text));
        int refused = 0, loaded = 0;
        while (!manifest.atEnd()) {
            const QString line = QString::fromUtf8(manifest.readLine()).trimmed();
            if (line.isEmpty() || line.startsWith('#')) continue;
            const QStringList fields = line.split('\t');
            QVERIFY2(fields.size() >= 3, qPrintable(line));
            const QString path = corpus + fields[0];
            MainWindow w;
            w.setQuiet(true);
            w.show();
            QVERIFY(openAndWait(w, model));
            runPreset(w, "default", 1);
            const auto* documentBefore = w.document();
            if (fields[1] == "error") {
                QVERIFY2(!w.openSession(path), qPrintable(fields[0]));
                QVERIFY2(w.lastError().contains(fields[2]), qPrintable(fields[0] + ": " + w.lastError()));
                QCOMPARE(w.document(), documentBefore);
                QCOMPARE(w.results().size(), size_t(1));
                ++refused;
            } else {
                QVERIFY2(openSessionAndWait(w, path), qPrintable(fields[0] + ": " + w.lastError()));
                w.memoryTimeline()->replotNow();
                w.grab();  // every chart painted once
                for (int tab = 0; tab < w.chartTabs()->count(); ++tab) {
                    w.chartTabs()->setCurrentIndex(tab);
                    w.grab();
                }
                auto read = interstage::readSessionFile(path.toStdString());
                QVERIFY(read.ok());
                QCOMPARE(w.runSetHistory().size(), read->runSets.size());
                ++loaded;
            }
        }
        qInfo("%d hostile session files refused, %d loaded and drawn", refused, loaded);
        QVERIFY(refused > 20);
        QVERIFY(loaded >= 3);
    }

    // (e) The app as its own process: killed after a run set, its autosave
    // is offered to the next start and restores the set.
    void autosaveSurvivesSigkill() {
        QTemporaryDir dir, autosaves;
        const QString model = QString::fromStdString(smallChainModel(dir));
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert("QT_QPA_PLATFORM", "offscreen");
        environment.insert("INTERSTAGE_AUTOSAVE_DIR", autosaves.path());
        QProcess app;
        app.setProcessEnvironment(environment);
        app.start(INTERSTAGE_APP, {model, "--preset", "reduce"});
        QVERIFY(app.waitForStarted());
        // Wait until an autosave holds the finished set (the first one,
        // written when the model opened, holds none).
        QElapsedTimer timer;
        timer.start();
        size_t setsSaved = 0, runsSaved = 0;
        while (setsSaved == 0 && timer.elapsed() < 120000) {
            QTest::qWait(100);
            for (const QString& name : autosaveFiles(autosaves.path()))
                if (auto read = interstage::readSessionFile(autosaves.filePath(name).toStdString()); read.ok()) {
                    setsSaved = read->runSets.size();
                    if (setsSaved) runsSaved = read->runSets.front().runs.size();
                }
        }
        QCOMPARE(setsSaved, size_t(1));
        QVERIFY(runsSaved > 0);
        QCOMPARE(app.state(), QProcess::Running);
        app.kill();  // SIGKILL: no destructor, no clean-up
        QVERIFY(app.waitForFinished());
        QCOMPARE(app.exitStatus(), QProcess::CrashExit);

        const auto orphans = appcore::Autosave::orphans(autosaves.path());
        QCOMPARE(orphans.size(), size_t(1));
        MainWindow restored;
        restored.setQuiet(true);
        restored.show();
        QVERIFY(openSessionAndWait(restored, orphans.front().path));
        QCOMPARE(restored.results().size(), size_t(1));
        QCOMPARE(restored.results().front().config.session.mode.planner, interstage::PlannerKind::Reduce);
        QCOMPARE(restored.results().front().runs.size(), runsSaved);
        QVERIFY(restored.document());
        // This window's own autosave is a living process's: never an orphan.
        QVERIFY(QTest::qWaitFor([&] { return restored.autosave().writesDone() > 0; }, 10000));
        QVERIFY(QFile::exists(restored.autosave().path()));
        for (const auto& orphan : appcore::Autosave::orphans(autosaveDir_.path()))
            QVERIFY(orphan.path != restored.autosave().path());
        QCOMPARE(appcore::Autosave::orphans(autosaves.path()).size(), size_t(1));

        // The app's own start: --restore-autosave takes it without asking,
        // removes it, and a clean quit leaves no autosave behind.
        const QString shot = dir.filePath("restored.png");
        QProcess again;
        again.setProcessEnvironment(environment);
        again.start(INTERSTAGE_APP, {"--restore-autosave", "--screenshot", shot, "--tab", "timings"});
        QVERIFY(again.waitForFinished(180000));
        QVERIFY2(again.exitCode() == 0, again.readAllStandardError().constData());
        QVERIFY(QFile::exists(shot));
        QCOMPARE(appcore::Autosave::orphans(autosaves.path()).size(), size_t(0));
        QVERIFY2(autosaveFiles(autosaves.path()).isEmpty(), qPrintable(autosaveFiles(autosaves.path()).join(' ')));
    }

    void autosaveFollowsEveryFinishedSet() {
        QTemporaryDir dir;
        const QString model = QString::fromStdString(smallChainModel(dir));
        QString path;
        {
            MainWindow w;
            w.setQuiet(true);
            w.show();
            QVERIFY(openAndWait(w, model));
            QVERIFY(QTest::qWaitFor([&] { return w.autosave().writesDone() >= 1; }, 10000));
            runPreset(w, "default", 1);
            runPreset(w, "arena", 1);
            QVERIFY(QTest::qWaitFor([&] { return w.autosave().writesDone() >= 3; }, 10000));
            path = w.autosave().path();
            auto read = interstage::readSessionFile(path.toStdString());
            QVERIFY2(read.ok(), read.ok() ? "" : read.status().message().c_str());
            QCOMPARE(read->runSets.size(), size_t(2));
        }
        QVERIFY(!QFile::exists(path));  // a clean exit removes it
    }

    // Every preset of a comparison on U^2-Net-P: one autosave per finished
    // set, written on the autosave's worker; prints what writing took and
    // the file's size (the numbers of the closing note).
    void autosaveOfAComparison() {
        QTemporaryDir dir;
        MainWindow w;
        w.setQuiet(true);
        w.show();
        QVERIFY(openAndWait(w, QString::fromStdString(testsupport::sampleModelPath())));
        QVERIFY(QTest::qWaitFor([&] { return w.autosave().writesDone() >= 1; }, 10000));
        QSignalSpy saved(&w.autosave(), &appcore::Autosave::saved);
        w.runPanel()->setRunCount(3);
        w.comparePresets();
        QVERIFY(waitIdle(w));
        const int presets = int(interstage::memoryPresets().size());
        QCOMPARE(int(w.results().size()), presets);
        QVERIFY(QTest::qWaitFor([&] { return saved.count() >= presets; }, 30000));
        double slowest = 0;
        for (const auto& call : saved) slowest = std::max(slowest, call.at(1).toDouble());
        const QString path = dir.filePath("compare.interstage");
        QElapsedTimer timer;
        timer.start();
        QVERIFY(w.saveSession(path));
        const double savedMs = double(timer.nsecsElapsed()) / 1e6;
        qInfo(
            "U^2-Net-P, %d presets x 3 runs: session file %lld bytes; autosave (worker) up to %.1f ms per "
            "write, Save Session on the UI thread %.1f ms",
            presets, QFileInfo(path).size(), slowest, savedMs);
        auto read = interstage::readSessionFile(path.toStdString());
        QVERIFY(read.ok());
        QCOMPARE(int(read->runSets.size()), presets);
    }

    // (f) Closing with unsaved run sets asks Save / Discard / Cancel (the
    // test hook answers in quiet mode).
    void closingWithUnsavedRunsAsks() {
        QTemporaryDir dir;
        const QString model = QString::fromStdString(smallChainModel(dir));
        MainWindow w;
        w.setQuiet(true);
        w.show();
        QVERIFY(openAndWait(w, model));
        QVERIFY(!w.hasUnsavedRuns());
        QVERIFY(!w.windowTitle().isEmpty());
        QVERIFY(w.windowTitle().contains("[*]"));
        runPreset(w, "default", 1);
        QVERIFY(w.hasUnsavedRuns());
        QVERIFY(w.isWindowModified());

        w.setUnsavedAnswerForTesting(QMessageBox::Cancel);
        QVERIFY(!w.close());
        QVERIFY(w.isVisible());
        QVERIFY(w.hasUnsavedRuns());
        // Opening another file asks too; Cancel keeps everything.
        const auto* documentBefore = w.document();
        w.openPath(QString::fromStdString(smallChainModel(dir, "other.onnx")));
        QVERIFY(!w.isBusy());
        QCOMPARE(w.document(), documentBefore);
        QCOMPARE(w.results().size(), size_t(1));

        const QString savePath = dir.filePath("on-close.interstage");
        w.setUnsavedAnswerForTesting(QMessageBox::Save, savePath);
        QVERIFY(w.close());
        QVERIFY(!w.hasUnsavedRuns());
        auto read = interstage::readSessionFile(savePath.toStdString());
        QVERIFY(read.ok());
        QCOMPARE(read->runSets.size(), size_t(1));

        MainWindow other;
        other.setQuiet(true);
        other.show();
        QVERIFY(openAndWait(other, model));
        runPreset(other, "default", 1);
        // Discard, then File > Open of a session file: openPath tells it
        // from a model by its first bytes.
        other.setUnsavedAnswerForTesting(QMessageBox::Discard);
        QSignalSpy restored(&other, &MainWindow::sessionRestored);
        other.openPath(savePath);
        QVERIFY(restored.count() > 0 || restored.wait(60000));
        QVERIFY(waitIdle(other));
        QCOMPARE(other.sessionPath(), savePath);
        QVERIFY(!other.hasUnsavedRuns());
        runPreset(other, "default", 1);
        QVERIFY(other.close());
    }

private:
    QTemporaryDir autosaveDir_;
};

QTEST_MAIN(AppSessionTest)
#include "test_app_session.moc"
