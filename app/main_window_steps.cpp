// Step-through: the scrubber under the charts moves one step of the
// execution order at a time, and the memory map's cursor, the timeline's
// cursor, the "Live now" list and the graph follow it. It steps through the
// set the memory map shows: the last run set, or a plan that did not run
// (Plan in the Run panel), which has no times.
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "core/executed_nodes.h"
#include "core/step_state.h"
#include "interstage/format.h"
#include "main_window.h"
#include "widgets/graph_view.h"
#include "widgets/live_list.h"
#include "widgets/memory_map.h"
#include "widgets/memory_timeline.h"
#include "widgets/run_panel.h"
#include "widgets/step_scrubber.h"

QWidget* MainWindow::buildStepArea(QTabWidget* tabs) {
    scrubber_ = new widgets::StepScrubber;
    liveList_ = new widgets::LiveList;
    auto* charts = new QWidget;
    auto* column = new QVBoxLayout(charts);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    column->addWidget(tabs, 1);
    column->addWidget(scrubber_);
    auto* area = new QSplitter(Qt::Vertical);
    area->addWidget(charts);
    area->addWidget(liveList_);
    area->setStretchFactor(0, 3);
    area->setStretchFactor(1, 1);
    area->setSizes({640, 220});
    // ← → step while the charts (or the scrubber) have the focus.
    scrubber_->takeArrowKeysFrom(charts);
    connect(scrubber_, &widgets::StepScrubber::stepChanged, this, &MainWindow::onStepChanged);
    connect(liveList_, &widgets::LiveList::tensorClicked, this, [this](const QString& name) {
        memoryMap_->highlightTensor(name);
        showTensor(name);
    });
    // Another run of the set drawn: the cursor moves to its times.
    connect(timeline_, &widgets::MemoryTimeline::runShown, this, [this] { onStepChanged(scrubber_->step()); });
    // A new set's live timeline is not the set stepped through.
    connect(&controller_, &appcore::RunController::runStarted, this, [this] { timeline_->hideTimeCursor(); });
    return area;
}

// The Run panel's Plan: planOnly() (main_window_diff.cpp) makes the set,
// which arrives through drawFinishedSet; the map is what it is for here.
void MainWindow::planOnce() {
    planOnly();
    if (isBusy()) tabs_->setCurrentWidget(memoryMap_);
}

// A plan's set (no runs, no error) is drawn like a run set's plan: the map,
// the graph's colours and the steps, without times.
void MainWindow::showPlannedSet(const appcore::RunSetResult& set) {
    memoryMap_->setPlacements(set.memoryMap, set.config.label() + tr(" (planned, not run)"),
                              set.config.session.mode.planner == interstage::PlannerKind::Arena);
    showMemoryOnGraph(set);
    followSetForSteps(set);
    statusBar()->showMessage(
        tr("%1: planned, not run: peak %2, %3 steps")
            .arg(set.config.label(), QString::fromStdString(interstage::formatBytes(double(set.plannedPeakBytes))))
            .arg(appcore::stepCount(set)),
        10000);
}

void MainWindow::followSetForSteps(const appcore::RunSetResult& set) {
    stepSet_ = set;
    // A restored session without its model has no graph to step on.
    stepNodes_.reset();
    if (document_)
        stepNodes_ = std::make_shared<const appcore::ExecutedNodes>(
            appcore::mapExecutedNodes(document_->resolved, set.executedNodeNames, set.memoryMap));
    const int before = scrubber_->step();
    settingSteps_ = true;
    scrubber_->setStepCount(appcore::stepCount(set));
    // The same step number in the new set, shown again even when unchanged.
    if (scrubber_->step() == before) onStepChanged(scrubber_->step());
    settingSteps_ = false;
}

void MainWindow::clearSteps() {
    steppingGraph_ = false;
    stepSet_.reset();
    stepNodes_.reset();
    scrubber_->setStepCount(0);
    scrubber_->setLabel(appcore::StepState().label());
    liveList_->clear();
    memoryMap_->setStepCursor(-1);
    timeline_->hideTimeCursor();
    showStepInGraph(appcore::StepState());
}

appcore::StepState MainWindow::currentStep() const {
    if (!stepSet_ || scrubber_->step() < 0) return appcore::StepState();
    // Times from the run the timeline draws (a planned set has none).
    return appcore::stepState(*stepSet_, scrubber_->step(), timeline_->displayedRun());
}

bool MainWindow::showStep(int step) {
    if (!stepSet_ || step < 0 || step >= scrubber_->stepCount()) return false;
    steppingGraph_ = true;
    if (scrubber_->step() == step)
        onStepChanged(step);  // shown again: the graph may have moved since
    else
        scrubber_->setStep(step);
    return true;
}

void MainWindow::onStepChanged(int step) {
    if (!stepSet_ || step < 0) return;
    if (!settingSteps_) steppingGraph_ = true;
    const appcore::StepState state = currentStep();
    scrubber_->setLabel(state.label());
    memoryMap_->setStepCursor(state.step);
    liveList_->showStep(state);
    // The timeline draws the set's runs only once it has finished.
    if (state.timed && !controller_.isRunning())
        timeline_->setTimeCursor(state.startMs, state.ms);
    else
        timeline_->hideTimeCursor();
    showStepInGraph(state);
}

// The running node(s) and the live tensors' edges on the file's graph;
// what is not yet made or already freed greyed.
void MainWindow::showStepInGraph(const appcore::StepState& state) {
    if (!stepNodes_ || !stepSet_ || !document_ || state.step < 0 || !steppingGraph_) {
        graphView_->clearStep();
        return;
    }
    graphView_->showStep(appcore::graphStepAt(*stepNodes_, document_->resolved, stepSet_->memoryMap, state.step));
    if (!scrubber_->followsGraph() || state.step >= stepNodes_->steps()) return;
    const std::vector<int>& running = stepNodes_->fileNodesOfStep[size_t(state.step)];
    if (!running.empty()) graphView_->centreOnNode(stepNodes_->nodeNames[size_t(running.front())]);
}
