// The app's export document (MainWindow::exportDocument): after a run it
// holds what the CLI's `run --session` holds — model facts, each planned
// tensor's role, the executed ops and value names, the peak explained —
// and a session saved and reopened without the model keeps them.
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include "app_wait.h"
#include "core/session_convert.h"
#include "interstage/zoo.h"
#include "main_window.h"
#include "schema_check.h"
#include "test_support.h"
#include "widgets/run_panel.h"

using testsupport::waitIdle;

class AppExportDocumentTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        auto bytes = interstage::buildZooModel("u2netp-64");
        QVERIFY(bytes.ok());
        modelPath_ = testsupport::writeFile(dir_, "u2netp-64.onnx", bytes.value());
    }

    void aRunSetCarriesTheExportFacts() {
        MainWindow w;
        w.setQuiet(true);
        w.openModel(QString::fromStdString(modelPath_));
        QVERIFY(waitIdle(w));
        w.runPanel()->setRunCount(1);
        w.runPanel()->applyPreset("reduce");
        w.runOnce();
        QVERIFY(waitIdle(w));
        QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
        const interstage::SavedSession doc = w.exportDocument();
        QVERIFY(doc.facts.present);
        QCOMPARE(doc.facts.nodes, int(w.document()->resolved.nodes.size()));
        QCOMPARE(int(doc.facts.graph.size()), doc.facts.nodes);
        QCOMPARE(doc.facts.lowerBoundBytes, w.document()->summary.lowerBound.bytes);
        QCOMPARE(doc.runSets.size(), std::size_t(1));
        const interstage::SavedRunSet& set = doc.runSets.front();
        QCOMPARE(set.planTensors.size(), set.memoryMap.size());
        QVERIFY(!set.planTensors.empty());
        int shared = 0;
        for (const auto& t : set.planTensors) shared += t.role == "in-place" || t.role == "concat-member";
        QVERIFY(shared > 0);  // reduce writes in place on U^2-Net-P
        QCOMPARE(set.executedNodeOps.size(), set.executedNodeNames.size());
        QVERIFY(!set.executedValueNames.empty());
        QVERIFY(set.peak.peakStep >= 0);
        std::size_t sum = 0;
        for (const auto& t : set.peak.liveAtPeak) sum += t.bytes;
        QCOMPARE(sum, set.peak.planPeakBytes);

        // Saved and read back into the app's sets: nothing lost.
        const QString file = dir_.filePath("saved.interstage");
        QVERIFY2(w.saveSession(file), qPrintable(w.lastError()));
        auto read = interstage::readSessionFile(file.toStdString());
        QVERIFY2(read.ok(), read.status().message().c_str());
        QVERIFY(read.value().facts == doc.facts);
        // The app's document keeps to the schema the CLI's keeps to.
        QVERIFY2(testsupport::schemaValidatorAvailable(), "needs /usr/bin/python3 with jsonschema (scripts/setup.sh)");
        const testsupport::SchemaCheck check = testsupport::validateSessionDocument(file);
        QVERIFY2(check.code == 0, qPrintable(check.errors));
        const appcore::RunSetResult restored = appcore::fromSavedRunSet(read.value().runSets.front());
        QVERIFY(restored.planTensors == set.planTensors);
        QVERIFY(restored.executedNodeOps == set.executedNodeOps);
        QVERIFY(restored.peak);
        QCOMPARE(restored.peak->planPeakBytes, set.peak.planPeakBytes);
        QCOMPARE(appcore::toSavedRunSet(restored).planTensors.size(), set.planTensors.size());
    }

    void chartsOnlyKeepTheFactsAsSaved() {
        const QString file = dir_.filePath("saved.interstage");
        QVERIFY(QFile::exists(file));
        auto saved = interstage::readSessionFile(file.toStdString());
        QVERIFY(saved.ok());
        // The model gone: the session opens charts only, and its export
        // still holds the facts it was saved with.
        const QString moved = dir_.filePath("moved.interstage");
        interstage::SavedSession s = saved.take();
        s.model.path = dir_.filePath("gone.onnx").toStdString();
        QVERIFY(interstage::writeSessionFile(moved.toStdString(), s).isOk());
        MainWindow w;
        w.setQuiet(true);
        w.openSession(moved);
        QVERIFY(waitIdle(w));
        QVERIFY(w.isChartsOnly());
        const interstage::SavedSession doc = w.exportDocument();
        QVERIFY(doc.facts == s.facts);
        QCOMPARE(doc.runSets.front().planTensors.size(), s.runSets.front().planTensors.size());
    }

private:
    QTemporaryDir dir_;
    std::string modelPath_;
};

QTEST_MAIN(AppExportDocumentTest)
#include "test_app_export_document.moc"
