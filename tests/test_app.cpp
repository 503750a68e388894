// The application as a user drives it, offscreen: open the sample, run each
// preset, read tensors in the inspector, stop a run, export, and survive a
// bad file.
#include <QElapsedTimer>
#include <QImage>
#include <QStandardPaths>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest>

#include "main_window.h"
#include "test_support.h"
#include "widgets/inspector.h"
#include "widgets/run_panel.h"
#include "widgets/timing_chart.h"

namespace {

bool waitIdle(MainWindow& w, int ms = 240000) {
    QElapsedTimer timer;
    timer.start();
    while (w.isBusy() && timer.elapsed() < ms) QTest::qWait(20);
    return !w.isBusy();
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
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

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
        QCOMPARE(w.results()[1].config.mode.name(), std::string("reduce"));
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
};

QTEST_MAIN(AppTest)
#include "test_app.moc"
