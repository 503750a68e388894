// The app's "Compare plans" tab (issue #16): two run sets of U^2-Net-P at
// 64x64 (reduce, arena) side by side: the table lists every tensor of
// either plan once, the peak-making differences first; both memory maps
// show the same step range and move together; the timeline overlays the
// first set on the second.
#include <qcustomplot.h>

#include <QElapsedTimer>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <set>

#include "app_wait.h"
#include "interstage/live_peak.h"
#include "interstage/zoo.h"
#include "main_window.h"
#include "widgets/memory_map.h"
#include "widgets/memory_timeline.h"
#include "widgets/plan_diff_view.h"
#include "widgets/run_panel.h"

using testsupport::waitIdle;

namespace {

std::set<QString> namesOf(const std::vector<interstage::TensorPlacement>& map) {
    std::set<QString> names;
    for (const auto& p : map) names.insert(QString::fromStdString(p.name));
    return names;
}

}  // namespace

class AppPlanDiffTest : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QTemporaryDir autosaves_;

    void runPreset(MainWindow& w, const QString& preset) {
        w.runPanel()->applyPreset(preset);
        w.runOnce();
        QVERIFY(waitIdle(w));
        QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid() && autosaves_.isValid());
        qputenv("INTERSTAGE_AUTOSAVE_DIR", autosaves_.path().toUtf8());
    }

    void reduceAgainstArena() {
        const std::string model = dir_.filePath("u2netp-64.onnx").toStdString();
        QVERIFY(interstage::saveZooModel("u2netp-64", model).isOk());
        MainWindow w;
        w.setQuiet(true);
        w.show();
        w.openModel(QString::fromStdString(model));
        QVERIFY(waitIdle(w));
        QVERIFY(w.document());
        w.runPanel()->setRunCount(1);
        runPreset(w, "reduce");
        runPreset(w, "arena");
        QCOMPARE(int(w.results().size()), 2);

        w.showPlanDiff();
        widgets::PlanDiffView* view = w.planDiffView();
        QCOMPARE(w.chartTabs()->currentWidget(), static_cast<QWidget*>(view));
        QCOMPARE(view->setCount(), 2);
        QVERIFY(view->compare(view->findSet("reduce"), view->findSet("arena")));

        // Every tensor of either plan once.
        const auto& reduce = w.results()[0].memoryMap;
        const auto& arena = w.results()[1].memoryMap;
        std::set<QString> expected = namesOf(reduce);
        for (const QString& name : namesOf(arena)) expected.insert(name);
        const QStringList listed = view->tableNames();
        QCOMPARE(std::size_t(listed.size()), expected.size());
        QCOMPARE(std::set<QString>(listed.begin(), listed.end()), expected);

        // The first row is a tensor alive at the reduce plan's live peak or
        // the arena's, and the table follows the engine's order.
        const interstage::PlanDiff& diff = view->diff();
        QVERIFY(diff.tensors.front().atPeak && diff.tensors.front().differs);
        QCOMPARE(diff.a.livePeakBytes, interstage::peakOfLiveTensors(reduce).bytes);
        QCOMPARE(diff.b.livePeakBytes, interstage::peakOfLiveTensors(arena).bytes);
        for (int r = 0; r < listed.size(); ++r)
            QCOMPARE(listed[r], QString::fromStdString(diff.tensors[std::size_t(r)].name));
        QVERIFY2(view->summaryText().contains("alive at a live peak"), qPrintable(view->summaryText()));

        // Both maps on one step axis, also after zooming one.
        QCustomPlot* a = view->mapA()->plot();
        QCustomPlot* b = view->mapB()->plot();
        QCOMPARE(a->xAxis->range().lower, b->xAxis->range().lower);
        QCOMPARE(a->xAxis->range().upper, b->xAxis->range().upper);
        QVERIFY(a->xAxis->range().upper >= w.results()[0].executedNodeNames.size() - 1);
        QCOMPARE(a->axisRect()->left(), b->axisRect()->left());  // a step above the same step
        QCOMPARE(view->mapA()->tensorCount(), int(reduce.size()));
        QCOMPARE(view->mapB()->laneCount(), 1);  // the arena's slab
        a->xAxis->setRange(10, 40);
        QCOMPARE(b->xAxis->range().lower, 10.0);
        QCOMPARE(b->xAxis->range().upper, 40.0);

        // B drawn, A as the line to compare against.
        QCOMPARE(view->timeline()->overlayCount(), 1);
        QVERIFY(view->timeline()->displayedRun() == 1);

        // A row picked is outlined in both maps; the same set twice: no
        // differences.
        view->table()->setCurrentCell(0, 0);
        QVERIFY(view->compare(1, 1));
        QCOMPARE(view->diff().differing, 0);
        QCOMPARE(view->timeline()->overlayCount(), 0);

        // A configuration planned, not run: a set of its plan alone, listed
        // and compared like the others; the charts keep the sets that ran.
        w.runPanel()->applyPreset("reuse");
        w.planOnly();
        QVERIFY(waitIdle(w));
        QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
        QCOMPARE(int(w.results().size()), 2);
        QCOMPARE(int(w.runSetHistory().size()), 3);
        QVERIFY(w.runSetHistory().back().runs.empty());
        QCOMPARE(w.chartTabs()->currentWidget(), static_cast<QWidget*>(view));
        QCOMPARE(view->setCount(), 3);
        const int reuse = view->findSet("reuse");
        QVERIFY(reuse >= 0);
        QVERIFY(view->compare(view->findSet("reduce"), reuse));
        const auto& planned = w.runSetHistory().back().memoryMap;
        QCOMPARE(view->diff().b.tensors, int(planned.size()));
        QCOMPARE(view->diff().b.livePeakBytes, interstage::peakOfLiveTensors(planned).bytes);
        QVERIFY(view->diff().b.buffers < view->diff().a.buffers);  // reuse shares buffers of equal size
        QCOMPARE(view->timeline()->overlayCount(), 0);             // nothing ran to draw for B: A alone
        QCOMPARE(view->timeline()->displayedRun(), 1);
    }
};

QTEST_MAIN(AppPlanDiffTest)
#include "test_app_plan_diff.moc"
