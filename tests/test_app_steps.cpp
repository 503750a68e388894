// Step-through in the app, offscreen (issue 16): on U^2-Net-P at 128x128,
// at every step of a run set and of a plan that did not run, the "Live now"
// list is the plan's live set and sums to its live bytes, the memory map's
// cursor is at the step, the timeline's cursor at the step's start in the
// run drawn (hidden for a plan); ← → move one step, Play advances and stops
// at the end; `interstage MODEL --preset NAME --plan --step N --screenshot F`
// writes its picture and refuses a step the plan does not have.
#include <qcustomplot.h>

#include <QElapsedTimer>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>

#include "app_wait.h"
#include "core/executed_nodes.h"
#include "core/step_state.h"
#include "interstage/live_peak.h"
#include "interstage/zoo.h"
#include "main_window.h"
#include "widgets/graph_view.h"
#include "widgets/live_list.h"
#include "widgets/memory_map.h"
#include "widgets/memory_timeline.h"
#include "widgets/run_panel.h"
#include "widgets/step_scrubber.h"

using testsupport::waitIdle;

namespace {

// The plan's live set at a step, by name, sorted.
QStringList planLiveNames(const appcore::RunSetResult& set, int step) {
    QStringList names;
    for (const interstage::LiveTensor& t : interstage::liveTensorsAtStep(set.memoryMap, step))
        names << QString::fromStdString(set.memoryMap[t.index].name);
    names.sort();
    return names;
}

QStringList sorted(QStringList names) {
    names.sort();
    return names;
}

}  // namespace

class AppStepsTest : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString model_;

    // A window with the model open and one finished set: `preset` run once,
    // or only planned.
    bool openAndFinish(MainWindow& w, const QString& preset, bool plan, int runs = 1) {
        w.setQuiet(true);
        w.show();
        w.openModel(model_);
        if (!waitIdle(w) || !w.document()) return false;
        w.runPanel()->setRunCount(runs);
        w.runPanel()->applyPreset(preset);
        plan ? w.planOnce() : w.runOnce();
        return waitIdle(w) && w.lastError().isEmpty() && w.stepSet() != nullptr;
    }

    // Every step: the live list is the plan's live set and sums to the live
    // bytes; the map's cursor is at the step and outlines blocks there.
    void checkEveryStep(MainWindow& w) {
        const appcore::RunSetResult& set = *w.stepSet();
        widgets::StepScrubber* scrubber = w.stepScrubber();
        QCOMPARE(scrubber->stepCount(), int(set.executedNodeNames.size()));
        const std::vector<std::size_t> live = interstage::liveBytesPerStep(set.memoryMap);
        QVERIFY(live.size() > 200);
        const appcore::ExecutedNodes onGraph =
            appcore::mapExecutedNodes(w.document()->resolved, set.executedNodeNames, set.memoryMap);
        using GraphState = widgets::GraphView::StepState;
        int liveEdges = 0;
        int inPlaceRows = 0;
        // A finished set leaves the graph as it was until the user steps.
        QVERIFY(!w.graphView()->hasStep());
        QVERIFY(w.showStep(0));  // as --step 0 does
        for (int step = 0; step < scrubber->stepCount(); ++step) {
            scrubber->setStep(step);
            QCOMPARE(scrubber->step(), step);
            QCOMPARE(sorted(w.liveList()->names()), planLiveNames(set, step));
            QCOMPARE(w.liveList()->sumBytes(), step < int(live.size()) ? live[size_t(step)] : std::size_t(0));
            QCOMPARE(w.memoryMap()->stepCursor(), step);
            if (!w.liveList()->names().isEmpty()) QVERIFY(w.memoryMap()->blocksAtStepCursor() > 0);
            const QString node = QString::fromStdString(set.executedNodeNames[size_t(step)]);
            QVERIFY2(scrubber->labelText().contains(QString("step %1 / ").arg(step)),
                     qPrintable(scrubber->labelText()));
            QVERIFY2(scrubber->labelText().contains(node), qPrintable(scrubber->labelText()));
            // The graph: the step's node(s) running, live tensors' edges
            // drawn live (or not drawn, inside a collapsed group).
            QVERIFY(w.graphView()->hasStep());
            for (int n : onGraph.fileNodesOfStep[size_t(step)])
                QCOMPARE(w.graphView()->stepStateOf(onGraph.nodeNames[size_t(n)]), GraphState::Running);
            for (const appcore::LiveRow& row : w.currentStep().live) {
                inPlaceRows += row.inPlace ? 1 : 0;
                if (row.heldForInputs || w.document()->resolved.find(row.name.toStdString()) == interstage::kNoValue)
                    continue;
                const GraphState edge = w.graphView()->edgeStepStateOf(row.name);
                QVERIFY2(edge == GraphState::Live || edge == GraphState::None,
                         qPrintable(QString("%1 at step %2: %3").arg(row.name).arg(step).arg(int(edge))));
                liveEdges += edge == GraphState::Live ? 1 : 0;
            }
        }
        QVERIFY(liveEdges > 0);
        // Reduce and arena write in place: the flag shows up somewhere.
        QVERIFY(inPlaceRows > 0);
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        model_ = dir_.filePath("u2netp_128.onnx");
        QVERIFY(interstage::saveZooModel("u2netp-128", model_.toStdString()).isOk());
    }

    void runSetStepsMatchThePlanAndTheRun() {
        for (const QString preset : {"reduce", "arena"}) {
            MainWindow w;
            QVERIFY2(openAndFinish(w, preset, false), qPrintable(w.lastError()));
            QCOMPARE(w.stepSet()->setId, w.results().back().setId);
            checkEveryStep(w);
            // The timeline's cursor: the step's start in the run it draws.
            const auto& run = *w.results().back().runs[size_t(w.memoryTimeline()->displayedRun() - 1)];
            double previous = -1;
            for (int step = 0; step < w.stepScrubber()->stepCount(); step += 7) {
                w.stepScrubber()->setStep(step);
                QVERIFY(w.memoryTimeline()->timeCursorVisible());
                QCOMPARE(w.memoryTimeline()->timeCursorMs(), run.nodes[size_t(step)].startMs);
                QVERIFY(w.memoryTimeline()->timeCursorMs() >= previous);
                previous = w.memoryTimeline()->timeCursorMs();
                QVERIFY(w.stepScrubber()->labelText().contains(
                    "(" + QString::fromStdString(run.nodes[size_t(step)].op) + ")"));
            }
        }
    }

    void arrowKeysStepByOneAndPlayAdvances() {
        MainWindow w;
        QVERIFY2(openAndFinish(w, "reduce", false, 2), qPrintable(w.lastError()));
        widgets::StepScrubber* scrubber = w.stepScrubber();
        // The cursor takes the times of the run the timeline draws.
        const auto& runs = w.results().back().runs;
        QCOMPARE(int(runs.size()), 2);
        scrubber->setStep(100);
        QCOMPARE(w.memoryTimeline()->timeCursorMs(), runs[1]->nodes[100].startMs);
        w.memoryTimeline()->showRun(1);
        QCOMPARE(w.memoryTimeline()->timeCursorMs(), runs[0]->nodes[100].startMs);
        QVERIFY(runs[0]->nodes[100].startMs != runs[1]->nodes[100].startMs);
        w.chartTabs()->setCurrentWidget(w.memoryMap());
        scrubber->setStep(10);
        // A key the chart ignores reaches the area the scrubber listens to.
        QTest::keyClick(w.memoryMap()->plot(), Qt::Key_Right);
        QCOMPARE(scrubber->step(), 11);
        QCOMPARE(w.memoryMap()->stepCursor(), 11);
        QTest::keyClick(w.memoryMap()->plot(), Qt::Key_Left);
        QTest::keyClick(w.memoryMap()->plot(), Qt::Key_Left);
        QCOMPARE(scrubber->step(), 9);

        scrubber->setSpeed(20);
        QCOMPARE(scrubber->speed(), 20);
        scrubber->play();
        QVERIFY(scrubber->isPlaying());
        QTRY_VERIFY_WITH_TIMEOUT(scrubber->step() >= 14, 3000);
        scrubber->pause();
        const int paused = scrubber->step();
        QTest::qWait(200);
        QCOMPARE(scrubber->step(), paused);
        QCOMPARE(sorted(w.liveList()->names()), planLiveNames(*w.stepSet(), paused));
        // Following the running node moves the graph's view; not following keeps it.
        const auto viewCentre = [&] { return w.graphView()->mapToScene(w.graphView()->viewport()->rect().center()); };
        scrubber->setFollowsGraph(false);
        scrubber->setStep(0);
        const QPointF still = viewCentre();
        scrubber->setStep(scrubber->stepCount() - 1);
        QCOMPARE(viewCentre(), still);
        scrubber->setFollowsGraph(true);
        scrubber->setStep(0);
        const QPointF first = viewCentre();
        scrubber->setStep(scrubber->stepCount() - 1);
        QVERIFY(viewCentre() != first);
        // Play stops at the last step.
        scrubber->setStep(scrubber->stepCount() - 3);
        scrubber->play();
        QTRY_VERIFY_WITH_TIMEOUT(!scrubber->isPlaying(), 3000);
        QCOMPARE(scrubber->step(), scrubber->stepCount() - 1);
    }

    void plannedSetStepsWithoutTimes() {
        MainWindow w;
        QVERIFY2(openAndFinish(w, "arena", true), qPrintable(w.lastError()));
        QVERIFY(w.results().empty());  // nothing ran
        QVERIFY(w.stepSet()->runs.empty());
        QCOMPARE(w.memoryMap()->tensorCount(), int(w.stepSet()->memoryMap.size()));
        checkEveryStep(w);
        for (int step = 0; step < w.stepScrubber()->stepCount(); step += 11) {
            w.stepScrubber()->setStep(step);
            QVERIFY(!w.memoryTimeline()->timeCursorVisible());
            QVERIFY(!w.currentStep().timed);
            // Ops come from the plan's node list.
            QVERIFY2(w.stepScrubber()->labelText().endsWith(")"), qPrintable(w.stepScrubber()->labelText()));
        }
        // A run after the plan: the steps follow the run, with times.
        w.runOnce();
        QVERIFY(waitIdle(w));
        QCOMPARE(int(w.results().size()), 1);
        QVERIFY(!w.stepSet()->runs.empty());
        w.stepScrubber()->setStep(5);
        QVERIFY(w.memoryTimeline()->timeCursorVisible());
    }

    // A plan the memory guard refuses says so and leaves the plan shown.
    void refusedPlanKeepsWhatWasShown() {
        MainWindow w;
        QVERIFY2(openAndFinish(w, "reduce", true), qPrintable(w.lastError()));
        const int steps = w.stepScrubber()->stepCount();
        const int tensors = w.memoryMap()->tensorCount();
        w.stepScrubber()->setStep(17);
        w.runPanel()->setBudgetMiB(1);
        w.planOnce();
        QVERIFY(waitIdle(w));
        QVERIFY2(w.lastError().contains("Budget field"), qPrintable(w.lastError()));
        QVERIFY(w.stepSet());
        QCOMPARE(w.stepScrubber()->stepCount(), steps);
        QCOMPARE(w.stepScrubber()->step(), 17);
        QCOMPARE(w.memoryMap()->tensorCount(), tensors);
        QVERIFY(w.results().empty());
        // Both plans are in the history (Compare plans lists them), the refused one with its error.
        QCOMPARE(int(w.runSetHistory().size()), 2);
        QVERIFY(!w.runSetHistory().back().error.isEmpty());
    }

    void commandLineStepWritesTheScreenshot() {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("INTERSTAGE_AUTOSAVE_DIR", dir_.filePath("autosave"));
        const auto runApp = [&](const QStringList& args, QString* err) {
            QProcess app;
            app.setProcessEnvironment(env);
            app.start(INTERSTAGE_APP, args);
            if (!app.waitForFinished(60000)) {
                app.kill();
                app.waitForFinished();
                return -1;
            }
            *err = QString::fromLocal8Bit(app.readAllStandardError());
            return app.exitStatus() == QProcess::NormalExit ? app.exitCode() : -1;
        };
        const QString shot = dir_.filePath("step.png");
        QString err;
        QCOMPARE(
            runApp({model_, "--preset", "reduce", "--plan", "--step", "5", "--tab", "map", "--screenshot", shot}, &err),
            0);
        QImage image(shot);
        QVERIFY2(!image.isNull(), qPrintable(err));
        QVERIFY(image.width() > 800);

        const QString bad = dir_.filePath("bad.png");
        QCOMPARE(runApp({model_, "--preset", "reduce", "--plan", "--step", "100000", "--screenshot", bad}, &err), 1);
        QVERIFY2(err.contains("--step 100000") && err.contains("steps"), qPrintable(err));
        QCOMPARE(runApp({model_, "--step", "two", "--screenshot", bad}, &err), 1);
        QVERIFY2(err.contains("must be a step number"), qPrintable(err));
    }
};

QTEST_MAIN(AppStepsTest)
#include "test_app_steps.moc"
