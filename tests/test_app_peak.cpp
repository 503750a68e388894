// The Peak tab (widgets/peak_panel.h) after a real run set of U^2-Net-P at
// 64x64: its rows sum to the plan's live peak and match the engine's
// explanation of the same configuration, a row selects its producer in
// the graph, the costs are planned on request, and a set restored without
// its explanation shows what its memory map allows.
#include <QElapsedTimer>
#include <QLabel>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "app_wait.h"
#include "interstage/live_peak.h"
#include "interstage/peak_explain.h"
#include "interstage/zoo.h"
#include "main_window.h"
#include "test_support.h"
#include "widgets/graph_view.h"
#include "widgets/peak_panel.h"
#include "widgets/run_panel.h"

using testsupport::waitIdle;

namespace {

qint64 rowSum(const QTableWidget& table) {
    qint64 sum = 0;
    for (int r = 0; r < table.rowCount(); ++r) sum += table.item(r, 0)->data(Qt::UserRole).toLongLong();
    return sum;
}

}  // namespace

class AppPeakTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        auto bytes = interstage::buildZooModel("u2netp-64");
        QVERIFY(bytes.ok());
        modelPath_ = testsupport::writeFile(dir_, "u2netp-64.onnx", bytes.value());
    }

    void rowsSumToThePlanPeakAndMatchTheEngine_data() {
        QTest::addColumn<QString>("preset");
        QTest::newRow("arena") << "arena";
        QTest::newRow("reduce") << "reduce";
    }
    void rowsSumToThePlanPeakAndMatchTheEngine() {
        QFETCH(QString, preset);
        MainWindow w;
        w.setQuiet(true);
        w.show();
        w.openModel(QString::fromStdString(modelPath_));
        QVERIFY(waitIdle(w));
        QVERIFY(w.document());
        w.runPanel()->setRunCount(1);
        w.runPanel()->applyPreset(preset);
        w.runOnce();
        QVERIFY(waitIdle(w));
        QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
        QCOMPARE(int(w.results().size()), 1);
        const appcore::RunSetResult& result = w.results().front();
        QVERIFY(result.peak);

        // The engine's explanation of the same configuration, from a
        // session of its own.
        interstage::SessionOptions options = result.config.session;
        options.observer = nullptr;
        auto session = interstage::Session::create(*w.document()->model, options);
        QVERIFY2(session.ok(), session.status().toString().c_str());
        const interstage::PeakExplanation engine = interstage::explainPeak(*session.value());
        const std::size_t livePeak = interstage::peakOfLiveTensors(session.value()->memoryMap()).bytes;
        QCOMPARE(engine.planPeakBytes, livePeak);

        const widgets::PeakPanel* panel = w.peakPanel();
        const QTableWidget& table = *panel->liveTable();
        QCOMPARE(rowSum(table), qint64(livePeak));
        QCOMPARE(table.rowCount(), int(engine.liveAtPeak.size()));
        for (int r = 0; r < table.rowCount(); ++r) {
            const interstage::LiveTensorAtPeak& t = engine.liveAtPeak[size_t(r)];
            QCOMPARE(table.item(r, 1)->text(), QString::fromStdString(t.name));
            QCOMPARE(table.item(r, 2)->text(), QString::fromStdString(t.reason));
            QCOMPARE(table.item(r, 0)->data(Qt::UserRole).toLongLong(), qint64(t.bytes));
            if (r) QVERIFY(table.item(r - 1, 0)->data(Qt::UserRole).toLongLong() >= qint64(t.bytes));
        }
        QVERIFY2(panel->summaryText().contains(QString::fromStdString(engine.peakNode)),
                 qPrintable(panel->summaryText()));
        QVERIFY(panel->boundsText().contains("Lower bound (graph as written)"));
        QVERIFY(panel->boundsText().contains("Lower bound (in-place rules in effect)"));
    }

    // A row selects the node that made its tensor; the costs come when asked.
    void rowSelectsItsProducerAndCostsArePlannedOnRequest() {
        MainWindow w;
        w.setQuiet(true);
        w.show();
        w.openModel(QString::fromStdString(modelPath_));
        QVERIFY(waitIdle(w));
        w.runPanel()->setRunCount(1);
        w.runPanel()->applyPreset("arena");
        w.runPanel()->addKeep("stage1/add");
        w.runOnce();
        QVERIFY(waitIdle(w));
        QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
        auto* table = w.peakPanel()->findChild<QTableWidget*>();
        QVERIFY(table && table->rowCount() > 0);
        const interstage::Graph& g = w.document()->resolved;
        int chosen = -1, node = -1;
        for (int r = 0; r < table->rowCount() && chosen < 0; ++r)
            for (size_t i = 0; i < g.nodes.size(); ++i)
                if (!table->item(r, 3)->text().isEmpty() &&
                    g.nodes[i].name == table->item(r, 3)->text().toStdString()) {
                    chosen = r;
                    node = int(i);
                }
        QVERIFY(chosen >= 0);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                          table->visualItemRect(table->item(chosen, 1)).center());
        QCOMPARE(w.graphView()->selectedNode(), node);

        QVERIFY(!w.results().front().peak->costsPlanned);
        QVERIFY(w.peakPanel()->costsText().contains("not planned"));
        w.planPeakCosts(0);
        const auto& peak = *w.results().front().peak;
        QVERIFY(peak.costsPlanned);
        QCOMPARE(peak.pinnedCost.size(), std::size_t(1));
        QVERIFY2(peak.pinnedCost[0].error.empty(), peak.pinnedCost[0].error.c_str());
        QVERIFY(peak.pinnedCost[0].bytes > 0);
        QVERIFY2(w.peakPanel()->costsText().contains("stage1/add"), qPrintable(w.peakPanel()->costsText()));
        QVERIFY(w.peakPanel()->costsText().contains("in-place Concat"));
    }

    // Saved sessions hold the map, not the explanation.
    void aSetWithoutItsExplanationShowsTheMapsPeak() {
        MainWindow w;
        w.setQuiet(true);
        w.openModel(QString::fromStdString(modelPath_));
        QVERIFY(waitIdle(w));
        w.runPanel()->setRunCount(1);
        w.runPanel()->applyPreset("reduce");
        w.runOnce();
        QVERIFY(waitIdle(w));
        appcore::RunSetResult restored = w.results().front();
        restored.peak.reset();
        widgets::PeakPanel panel;
        panel.addSet(restored);
        const interstage::LivePeak peak = interstage::peakOfLiveTensors(restored.memoryMap);
        QCOMPARE(panel.liveTable()->rowCount(), int(peak.tensors.size()));
        QVERIFY2(panel.summaryText().contains("not saved"), qPrintable(panel.summaryText()));
        QVERIFY(panel.summaryText().contains(QString::fromStdString(restored.executedNodeNames[size_t(peak.step)])));
    }

private:
    QTemporaryDir dir_;
    std::string modelPath_;
};

QTEST_MAIN(AppPeakTest)
#include "test_app_peak.moc"
