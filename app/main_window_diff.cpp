// The "Compare plans" tab: any two finished run sets of the open model
// (refused ones too: their plan was made), side by side.
#include <QStatusBar>
#include <QTabWidget>

#include "main_window.h"
#include "widgets/plan_diff_view.h"
#include "widgets/run_panel.h"

void MainWindow::buildDiffTab() {
    planDiff_ = new widgets::PlanDiffView;
    tabs_->addTab(planDiff_, tr("Compare plans"));
    connect(planDiff_, &widgets::PlanDiffView::planRequested, this, &MainWindow::planOnly);
}

// Every set with a plan, failed and refused ones included (history_).
void MainWindow::updateDiffView() { planDiff_->setRunSets(history_); }

void MainWindow::showPlanDiff() { tabs_->setCurrentWidget(planDiff_); }

// A set of no runs: the controller makes the session (which plans) and
// runs nothing; the set arrives like one the memory guard refused, with
// its plan.
void MainWindow::planOnly() {
    if (!document_ || !document_->runBlocker.isEmpty()) {
        showError(tr("Nothing to plan"), document_ ? document_->runBlocker : tr("Open a model first."));
        return;
    }
    appcore::RunConfig config;
    if (!panelConfig(config)) return;
    config.runs = 0;
    queue_.clear();
    startSet(config);
    tabs_->setCurrentWidget(planDiff_);
    statusBar()->showMessage(tr("Planning %1 (no run)...").arg(config.label()));
}
