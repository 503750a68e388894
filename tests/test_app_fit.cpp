// "Will it fit?" in the app (issue #16): the explorer tab plans a zoo model
// over a range of sizes off the UI thread, draws one monotone curve per
// preset and the budget line, and names the same largest fitting sizes as
// the engine's sweep.
#include <qcustomplot.h>

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "fit_explorer.h"
#include "interstage/plan_sweep.h"
#include "interstage/zoo.h"
#include "main_window.h"
#include "widgets/chart_export.h"
#include "widgets/fit_chart.h"

namespace {

bool waitFor(const std::function<bool()>& done, int ms = 120000) {
    QElapsedTimer timer;
    timer.start();
    while (!done() && timer.elapsed() < ms) QTest::qWait(20);
    return done();
}

}  // namespace

class AppFitTest : public QObject {
    Q_OBJECT
private slots:
    void explorerCurvesAreMonotoneAndNameTheEnginesLargestSizes() {
        QTemporaryDir dir;
        const QString path = dir.filePath("u2netp.onnx");
        QVERIFY(interstage::saveZooModel("u2netp", path.toStdString()).isOk());
        MainWindow w;
        w.setQuiet(true);
        w.show();
        w.openModel(path);
        QVERIFY(waitFor([&] { return !w.isBusy() && w.document(); }));
        FitExplorer* explorer = w.fitExplorer();
        QVERIFY(explorer);
        QVERIFY(!explorer->hasSweep());  // nothing planned before the tab is shown

        // The budget: the engine's arena peak at 128 (a size inside the curve).
        interstage::SweepOptions options;
        const auto spec = interstage::parseSweep("input=1x3xSxS", "64:192:32").value();
        auto engine = interstage::sweepPlans(*w.document()->model, spec, options);
        QVERIFY2(engine.ok(), engine.status().message().c_str());
        std::size_t budget = 0;
        for (const auto& preset : engine->presets)
            if (preset.mode == "arena") budget = preset.points[2].peakBytes;
        QVERIFY(budget > 0);

        explorer->setSweep("input", "1x3xSxS", "64:192:32");
        explorer->setBudgetMiB(double(budget) / (1024.0 * 1024.0));
        QSignalSpy planned(explorer, &FitExplorer::planned);
        QVERIFY(explorer->plan());
        QVERIFY(explorer->isPlanning());  // on a worker: the call returned at once
        QVERIFY(planned.wait(120000));
        QVERIFY2(!explorer->isPlanning(), qPrintable(explorer->statusText()));

        widgets::FitChart* chart = explorer->chart();
        QCOMPARE(chart->sweep().presets.size(), interstage::memoryPresets().size());
        for (const auto& preset : interstage::memoryPresets()) {
            QCPGraph* curve = chart->curve(preset.name);
            QVERIFY2(curve, preset.name);
            QCOMPARE(curve->dataCount(), 5);
            for (int i = 1; i < curve->dataCount(); ++i)
                QVERIFY2(curve->data()->at(i)->value >= curve->data()->at(i - 1)->value, preset.name);
        }
        QVERIFY(chart->budgetLine());
        QVERIFY2(chart->budgetLine()->name().startsWith("budget"), qPrintable(chart->budgetLine()->name()));
        // Same largest sizes as the engine names for the same budget (the
        // spin box keeps a tenth of a MiB: compare at the chart's budget).
        const std::size_t shown =
            static_cast<std::size_t>(std::round(chart->budgetLine()->data()->at(0)->value * 1024.0 * 1024.0));
        QVERIFY(shown + 1024 * 1024 / 10 >= budget && shown <= budget + 1024 * 1024 / 10);
        int named = 0;
        for (const auto& preset : engine->presets) {
            const auto expected = interstage::largestFitting(
                preset.points,
                static_cast<std::size_t>(std::round(chart->budgetLine()->data()->at(0)->value * 1024.0 * 1024.0)));
            QCOMPARE(chart->largestFitting(QString::fromStdString(preset.mode)), expected);
            // The table names it.
            for (int row = 0; row < chart->table()->rowCount(); ++row)
                if (chart->table()->item(row, 0)->text() == QString::fromStdString(preset.mode)) {
                    const QString cell = chart->table()->item(row, 1)->text();
                    QCOMPARE(cell, expected ? QString::number(*expected) : QString("none fits"));
                    ++named;
                }
        }
        QCOMPARE(named, int(engine->presets.size()));
        // Exports as the other charts do.
        const QString svg = dir.filePath("fit.svg");
        QString error;
        QVERIFY2(widgets::exportChart(chart->plot(), svg, &error), qPrintable(error));
        QVERIFY(QFileInfo(svg).size() > 1000);
    }

    void badFieldsSayWhy() {
        QTemporaryDir dir;
        const QString path = dir.filePath("u2netp.onnx");
        QVERIFY(interstage::saveZooModel("u2netp", path.toStdString()).isOk());
        MainWindow w;
        w.setQuiet(true);
        w.openModel(path);
        QVERIFY(waitFor([&] { return !w.isBusy() && w.document(); }));
        w.fitExplorer()->setSweep("input", "1x3x224x224", "64:128:32");
        QVERIFY(!w.fitExplorer()->plan());
        QVERIFY2(w.fitExplorer()->statusText().contains("has no S"), qPrintable(w.fitExplorer()->statusText()));
    }
};

QTEST_MAIN(AppFitTest)
#include "test_app_fit.moc"
